// DOM wiring for the Clickdial window. Every backend call goes through backend.js.
import {
  PROVIDERS,
  REGIONS,
  agentLabel,
  callerFor,
  callerLabel,
  createBackend,
  createDialer,
  describeQueued,
  errorTone,
  hostOf,
  minutesToSeconds,
  passwordExpiryText,
  pickInitial,
  providerName,
  signInText,
} from './backend.js';

const backend = createBackend(window.__TAURI__.core.invoke);
const dialer = createDialer(backend);
const $ = (id) => document.getElementById(id);

const views = ['view-loading', 'view-welcome', 'view-dial', 'view-settings'];
function show(view) {
  for (const v of views) $(v).hidden = v !== view;
  $('open-settings').hidden = view !== 'view-dial';
  $('close-settings').hidden = view !== 'view-settings';
}

function showNotice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
}

function setMessage(el, text, tone) {
  el.textContent = text || '';
  el.hidden = !text;
  el.classList.remove('ok', 'warn', 'error');
  if (tone) el.classList.add(tone);
}

let status = null;
let agents = [];
let listsLoaded = false;
// Shown under the form once the lists have loaded (e.g. the connection check's summary).
let afterLoad = null;

function render(view) {
  // A notice is sent once; the next status clears it.
  showNotice(status.notice || '');
  if (!status.configured) {
    $('account').hidden = true;
    showWelcome(false);
    return;
  }
  $('account').hidden = false;
  $('mode').textContent = status.demo ? 'Demo' : hostOf(status.baseUrl);
  $('mode').classList.toggle('demo', status.demo);
  $('demo-banner').hidden = !status.demo;
  $('demo-url').textContent = status.demo ? status.baseUrl : '';
  renderSettings();
  if (view === 'view-settings') {
    show('view-settings');
    return;
  }
  show('view-dial');
  if (!listsLoaded) loadLists(false);
  $('number').focus();
}

function showWelcome(changing) {
  $('welcome-intro').hidden = changing;
  $('cancel-change').hidden = !changing;
  setMessage($('account-error'), '');
  show('view-welcome');
}

function fillSelect(select, manual, items, toOption, remembered, emptyText, forbidden) {
  select.replaceChildren();
  const options = toOption ? items.map(toOption) : [];
  for (const o of options) {
    const el = document.createElement('option');
    el.value = o.value;
    el.textContent = o.label;
    el.disabled = !!o.disabled;
    select.append(el);
  }
  if (!options.length) {
    const el = document.createElement('option');
    el.textContent = emptyText;
    el.value = '';
    select.append(el);
  }
  const initial = pickInitial(options, remembered);
  if (initial !== null) select.value = initial;
  select.disabled = !options.length;
  // A token that may not list these values: the agent types the value instead.
  select.hidden = forbidden;
  manual.hidden = !forbidden;
}

function selectCallerFor(agent) {
  const offered = [...$('caller').options].map((o) => o.value);
  const remembered = callerFor(status, agent, offered);
  if (remembered) $('caller').value = remembered;
}

// Each load gets a number; a slower, older load (say, of the previous account) is ignored.
let listsGeneration = 0;

/** Empties both dropdowns, so nothing of a previous account can be dialled. */
function resetLists() {
  listsGeneration += 1;
  listsLoaded = false;
  agents = [];
  fillSelect($('agent'), $('agent-manual'), [], null, null, 'Loading agents…', false);
  fillSelect($('caller'), $('caller-manual'), [], null, null, 'Loading numbers…', false);
  $('agent-manual').value = '';
  $('caller-manual').value = '';
}

async function loadLists(refresh) {
  const generation = ++listsGeneration;
  setMessage($('lists-message'), refresh ? 'Loading…' : '');
  const [agentList, callerList] = await Promise.allSettled([
    backend.agents(refresh),
    backend.callerIds(refresh),
  ]);
  if (generation !== listsGeneration) return;
  const problems = [];
  const forbidden = (r) => r.status === 'rejected' && r.reason.code === 'forbidden';
  if (agentList.status === 'fulfilled') {
    agents = agentList.value;
    fillSelect(
      $('agent'), $('agent-manual'), agents,
      (a) => ({ value: a.id, label: agentLabel(a), disabled: a.status === 'disabled' }),
      status.lastAgent, 'No agents found', false,
    );
  } else {
    agents = [];
    fillSelect($('agent'), $('agent-manual'), [], null, null, 'Agents could not be loaded', forbidden(agentList));
    if (!forbidden(agentList)) problems.push(agentList.reason.message);
  }
  if (callerList.status === 'fulfilled') {
    fillSelect(
      $('caller'), $('caller-manual'), callerList.value,
      (c) => ({ value: c.value, label: callerLabel(c) }),
      null, 'Account default', false,
    );
    selectCallerFor($('agent').value);
  } else {
    fillSelect($('caller'), $('caller-manual'), [], null, null, 'Account default', forbidden(callerList));
    if (!forbidden(callerList)) problems.push(callerList.reason.message);
  }
  listsLoaded = !problems.length;
  const info = afterLoad || (refresh ? 'Lists are up to date.' : '');
  afterLoad = null;
  if (problems.length) setMessage($('lists-message'), problems[0], 'error');
  else setMessage($('lists-message'), info, 'ok');
}

let previewSeq = 0;
async function updatePreview() {
  const seq = ++previewSeq;
  const input = $('number').value;
  if (!input.trim()) {
    setMessage($('preview'), '');
    $('preview').hidden = false;
    return;
  }
  try {
    const p = await backend.preview(input);
    if (seq !== previewSeq) return;
    const ext = p.ext ? ` (extension ${p.ext} is not dialled)` : '';
    setMessage($('preview'), `Will dial ${p.international}${ext}`, 'ok');
  } catch (e) {
    if (seq !== previewSeq) return;
    setMessage($('preview'), e.message, 'error');
  }
}

function chosen(select, manual) {
  return (manual.hidden ? select.value : manual.value).trim();
}

async function onDial(event) {
  event.preventDefault();
  if (dialer.busy) return;
  const agent = chosen($('agent'), $('agent-manual'));
  if (!agent) {
    setMessage($('result'), 'Pick an agent first.', 'error');
    return;
  }
  const agentName = agents.find((a) => a.id === agent)?.name;
  $('call').disabled = true;
  $('call-label').textContent = 'Calling…';
  const previous = { text: $('result').textContent, ok: $('result').classList.contains('ok') };
  setMessage($('result'), 'Placing the call…', null);
  const callerId = chosen($('caller'), $('caller-manual'));
  const { outcome, error, skipped } = await dialer.dial({ agent, callerId, number: $('number').value });
  $('call').disabled = false;
  $('call-label').textContent = 'Call';
  if (skipped) return;
  setMessage($('dial-note'), '');
  if (error?.code === 'busy' && previous.ok) {
    setMessage($('result'), previous.text, 'ok');
    // A bounce right after a queued call: keep the queued message and its reference.
    setMessage($('dial-note'), error.message, 'warn');
    return;
  }
  if (outcome) {
    setMessage($('result'), describeQueued(outcome, agentName), 'ok');
    if (!status.demo) {
      status.lastAgent = agent;
      status.lastCallerByAgent = { ...status.lastCallerByAgent, [agent]: callerId };
    }
  } else {
    setMessage($('result'), error.message, errorTone(error.code));
  }
}

function renderSettings() {
  $('fact-provider').textContent = providerName(status);
  $('fact-server').textContent = status.baseUrl || '';
  $('fact-sign-in').textContent = signInText(status);
  setMessage($('password-expiry'), passwordExpiryText(status), 'warn');
  $('signout').textContent = status.demo ? 'Leave demo' : 'Sign out';
  $('change-account').hidden = status.demo;
  $('check').hidden = status.demo;
  $('region').value = status.region;
  $('call-timeout').value = status.callTimeout ? Math.max(1, Math.round(status.callTimeout / 60)) : '';
}

function selectedProvider() {
  return PROVIDERS.find((p) => p.id === $('provider').value) || PROVIDERS[0];
}

function signInMode() {
  return document.querySelector('input[name="sign-in"]:checked').value;
}

function setupAccountForm() {
  for (const p of PROVIDERS) {
    const el = document.createElement('option');
    el.value = p.id;
    el.textContent = p.name;
    $('provider').append(el);
  }
  $('provider').addEventListener('change', () => {
    $('base-url-row').hidden = selectedProvider().id !== 'custom';
  });
  for (const radio of document.querySelectorAll('input[name="sign-in"]')) {
    radio.addEventListener('change', () => {
      const password = signInMode() === 'password';
      $('token-fields').hidden = password;
      $('password-fields').hidden = !password;
    });
  }
  $('account-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('connect').disabled = true;
    $('connect').textContent = 'Checking…';
    setMessage($('account-error'), '');
    try {
      const { status: next, check } = await backend.saveAccount({
        provider: selectedProvider().id,
        baseUrl: $('base-url').value,
        signIn: signInMode(),
        token: $('token').value,
        email: $('email').value,
        password: $('password').value,
      });
      for (const id of ['token', 'password']) $(id).value = '';
      status = next;
      resetLists();
      afterLoad = check.message;
      render();
    } catch (e) {
      setMessage($('account-error'), e.message, errorTone(e.code));
    } finally {
      $('connect').disabled = false;
      $('connect').textContent = 'Connect';
    }
  });
  $('cancel-change').addEventListener('click', () => render('view-settings'));
}

function setupSettings() {
  for (const [code, name] of REGIONS) {
    const el = document.createElement('option');
    el.value = code;
    el.textContent = name;
    $('region').append(el);
  }
  $('open-settings').addEventListener('click', () => {
    setMessage($('check-message'), '');
    setMessage($('prefs-message'), '');
    render('view-settings');
  });
  $('close-settings').addEventListener('click', () => render());
  $('check').addEventListener('click', async () => {
    $('check').disabled = true;
    setMessage($('check-message'), 'Checking…');
    try {
      const check = await backend.checkConnection();
      setMessage($('check-message'), check.message, 'ok');
      listsLoaded = false;
    } catch (e) {
      setMessage($('check-message'), e.message, errorTone(e.code));
    } finally {
      $('check').disabled = false;
    }
  });
  $('change-account').addEventListener('click', () => showWelcome(true));
  $('signout').addEventListener('click', async () => {
    try {
      status = await backend.signOut();
      setMessage($('result'), '');
      setMessage($('dial-note'), '');
      setMessage($('lists-message'), '');
      $('number').value = '';
      setMessage($('preview'), '');
      resetLists();
      render();
    } catch (e) {
      setMessage($('check-message'), e.message, 'error');
    }
  });
  $('prefs-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const callTimeout = minutesToSeconds($('call-timeout').value);
    if (Number.isNaN(callTimeout)) {
      setMessage($('prefs-message'), 'Type the longest call in minutes, or leave it empty.', 'error');
      return;
    }
    try {
      status = await backend.savePreferences({ region: $('region').value, callTimeout });
      setMessage($('prefs-message'), 'Saved.', 'ok');
      updatePreview();
    } catch (e) {
      setMessage($('prefs-message'), e.message, 'error');
    }
  });
}

async function start() {
  setupAccountForm();
  setupSettings();
  $('demo').addEventListener('click', async () => {
    $('demo').disabled = true;
    try {
      status = await backend.startDemo();
      resetLists();
      render();
    } catch (e) {
      showNotice(e.message);
    } finally {
      $('demo').disabled = false;
    }
  });
  $('refresh').addEventListener('click', () => loadLists(true));
  $('agent').addEventListener('change', () => selectCallerFor($('agent').value));
  $('number').addEventListener('input', updatePreview);
  $('dial-form').addEventListener('submit', onDial);
  try {
    status = await backend.status();
    render();
  } catch (e) {
    showNotice(e.message);
    showWelcome(false);
  }
}

start();
