// DOM wiring for the Clickdial window. Every backend call goes through backend.js.
import {
  PROVIDERS,
  agentLabel,
  callerLabel,
  createBackend,
  createDialer,
  describeQueued,
  errorTone,
  hostOf,
  pickInitial,
} from './backend.js';

const backend = createBackend(window.__TAURI__.core.invoke);
const dialer = createDialer(backend);
const $ = (id) => document.getElementById(id);

const views = ['view-loading', 'view-welcome', 'view-dial'];
function show(view) {
  for (const v of views) $(v).hidden = v !== view;
}

function showNotice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
}

function setMessage(el, text, tone) {
  el.textContent = text || '';
  el.hidden = !text;
  el.className = el.className.replace(/\b(ok|warn|error)\b/g, '').trim();
  if (tone) el.classList.add(tone);
}

let status = null;
let agents = [];

async function refreshStatus() {
  status = await backend.status();
  if (status.notice) showNotice(status.notice);
  render();
}

function render() {
  if (!status.configured) {
    $('account').hidden = true;
    show('view-welcome');
    return;
  }
  $('account').hidden = false;
  $('mode').textContent = status.demo ? 'Demo' : hostOf(status.baseUrl);
  $('mode').classList.toggle('demo', status.demo);
  $('signout').textContent = status.demo ? 'Leave demo' : 'Sign out';
  $('demo-banner').hidden = !status.demo;
  $('demo-url').textContent = status.demo ? status.baseUrl : '';
  show('view-dial');
  loadLists();
  $('number').focus();
}

function fillSelect(select, items, toOption, remembered, emptyText) {
  select.replaceChildren();
  const options = items.map(toOption);
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
}

async function loadLists() {
  setMessage($('lists-error'), '');
  const [agentList, callerList] = await Promise.allSettled([backend.agents(), backend.callerIds()]);
  const problems = [];
  if (agentList.status === 'fulfilled') {
    agents = agentList.value;
    fillSelect(
      $('agent'),
      agents,
      (a) => ({ value: a.id, label: agentLabel(a), disabled: a.status === 'disabled' }),
      status.lastAgent,
      'No agents found',
    );
  } else {
    fillSelect($('agent'), [], null, null, 'Agents could not be loaded');
    problems.push(agentList.reason.message);
  }
  if (callerList.status === 'fulfilled') {
    fillSelect(
      $('caller'),
      callerList.value,
      (c) => ({ value: c.value, label: callerLabel(c) }),
      status.lastCallerId,
      'Account default',
    );
  } else {
    fillSelect($('caller'), [], null, null, 'Account default');
    problems.push(callerList.reason.message);
  }
  if (problems.length) setMessage($('lists-error'), problems[0], 'error');
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

async function onDial(event) {
  event.preventDefault();
  if (dialer.busy) return;
  const agent = $('agent').value;
  const number = $('number').value;
  if (!agent) {
    setMessage($('result'), 'Pick an agent first.', 'error');
    return;
  }
  const agentName = agents.find((a) => a.id === agent)?.name;
  $('call').disabled = true;
  $('call-label').textContent = 'Calling…';
  setMessage($('result'), 'Placing the call…', null);
  const { outcome, error, skipped } = await dialer.dial({
    agent,
    callerId: $('caller').value,
    number,
  });
  $('call').disabled = false;
  $('call-label').textContent = 'Call';
  if (skipped) return;
  if (outcome) {
    setMessage($('result'), describeQueued(outcome, agentName), 'ok');
    $('result').dataset.ref = outcome.refId || '';
  } else {
    setMessage($('result'), error.message, errorTone(error.code));
  }
}

function selectedProvider() {
  return PROVIDERS.find((p) => p.id === $('provider').value) || PROVIDERS[0];
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
  $('account-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const provider = selectedProvider();
    const baseUrl = provider.id === 'custom' ? $('base-url').value : provider.baseUrl;
    $('connect').disabled = true;
    $('connect').textContent = 'Checking…';
    setMessage($('account-error'), '');
    try {
      status = await backend.saveAccount(baseUrl, $('token').value);
      $('token').value = '';
      render();
    } catch (e) {
      setMessage($('account-error'), e.message, 'error');
    } finally {
      $('connect').disabled = false;
      $('connect').textContent = 'Connect';
    }
  });
}

async function start() {
  setupAccountForm();
  $('demo').addEventListener('click', async () => {
    $('demo').disabled = true;
    try {
      status = await backend.startDemo();
      render();
    } catch (e) {
      showNotice(e.message);
    } finally {
      $('demo').disabled = false;
    }
  });
  $('signout').addEventListener('click', async () => {
    try {
      status = await backend.signOut();
      setMessage($('result'), '');
      $('number').value = '';
      setMessage($('preview'), '');
      render();
    } catch (e) {
      showNotice(e.message);
    }
  });
  $('number').addEventListener('input', updatePreview);
  $('dial-form').addEventListener('submit', onDial);
  try {
    await refreshStatus();
  } catch (e) {
    showNotice(e.message);
    show('view-welcome');
  }
}

start();
