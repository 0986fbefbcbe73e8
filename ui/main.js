// DOM wiring for the Clickdial window. Every backend call goes through backend.js.
import {
  PROVIDERS,
  availability,
  REGIONS,
  agentLabel,
  byName,
  askedText,
  burstText,
  callLine,
  callTone,
  callerFor,
  callerLabel,
  createBackend,
  createDialer,
  describeQueued,
  repeatNote,
  errorTone,
  dayRange,
  historyText,
  hostOf,
  minutesToSeconds,
  passwordExpiryText,
  pickInitial,
  matchMe,
  filterAgents,
  countryCue,
  providerName,
  sheetQuestion,
  signInText,
  sourceLabel,
  previewText,
  stillTyping,
  timeline,
  typingHint,
} from './backend.js';
import { EVENTS, PLUGIN_COMMANDS } from './ipc.js';

// Tauri's IPC, as @tauri-apps/api's `core.invoke` and `event.listen` call it. The page needs only
// these two, so the app does not inject that package's 41 KB global bundle (`withGlobalTauri`),
// which every page load would parse and run.
const tauri = window.__TAURI_INTERNALS__;
const invoke = (command, args = {}) => tauri.invoke(command, args);
const listen = (event, handler) => invoke(PLUGIN_COMMANDS.listen, {
  event, target: { kind: 'Any' }, handler: tauri.transformCallback(handler),
});
const backend = createBackend(invoke);
// Asked first, so the backend works on it while the page wires itself up.
const firstStatus = backend.status();
const dialer = createDialer(backend);
const $ = (id) => document.getElementById(id);

const views = ['view-loading', 'view-welcome', 'view-dial', 'view-settings'];
// The history's date field and Settings' number field become what they are when their screen
// first opens: date and number fields load ICU's locale formats into the page's process (about
// 1.4 MB), which the dial screen does without.
function realFields(root) {
  for (const input of root.querySelectorAll('input[data-type]')) {
    input.type = input.dataset.type;
    input.removeAttribute('data-type');
  }
}

function show(view) {
  if (view === 'view-settings') realFields($(view));
  for (const v of views) $(v).hidden = v !== view;
  $('open-settings').hidden = view !== 'view-dial';
  $('close-settings').hidden = view !== 'view-settings';
}

function showNotice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
}

function setMessage(el, text, tone) {
  // The reference line belongs to a queued result: any other result replaces it.
  if (el.id === 'result') $('result-details').hidden = true;
  if (el.id === 'dial-note') clearInterval(repeatTimer);
  el.textContent = text || '';
  el.hidden = !text;
  el.classList.remove('ok', 'warn', 'error');
  if (tone) el.classList.add(tone);
}

let status = null;
let repeatTimer = null;

/** A queued call: the sentence, and the reference on a line of its own with a copy button. */
function showQueued(outcome, agentName) {
  setMessage($('result'), describeQueued(outcome, agentName), 'ok');
  refreshCalls();
  if ($('history').open) loadHistory();
  if (outcome.refId) {
    $('result-ref').textContent = `Reference ${outcome.refId}`;
    $('result-details').hidden = false;
  }
}

/** The guard's repeat note counts down to when the number may be dialled again, then goes. */
function showRepeatNote(error) {
  const started = Date.now();
  const tick = () => {
    const text = repeatNote(error, Math.floor((Date.now() - started) / 1000));
    $('dial-note').textContent = text;
    $('dial-note').hidden = !text;
    if (!text || error.detail?.kind !== 'repeat') clearInterval(repeatTimer);
  };
  setMessage($('dial-note'), '', 'warn');
  $('dial-note').classList.add('warn');
  clearInterval(repeatTimer);
  repeatTimer = setInterval(tick, 1000);
  tick();
}
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
  // A long host name is cut short in the pill; the whole address is in its tooltip.
  $('mode').title = status.baseUrl || '';
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

function fillSelect(select, manual, items, toOption, remembered, emptyText, forbidden, fallback = true) {
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
  const initial = pickInitial(options, remembered, fallback);
  if (initial !== null) select.value = initial;
  else if (options.length) addPlaceholder(select);
  select.disabled = !options.length;
  // A token that may not list these values: the agent types the value instead.
  select.hidden = forbidden;
  manual.hidden = !forbidden;
}

/** "Choose an agent…" on top, selected: nobody is dialled by default. */
function addPlaceholder(select) {
  const el = new Option('Choose an agent…', '');
  el.disabled = true;
  select.prepend(el);
  select.value = '';
}

// ---- "This is me": whose phone rings. Nobody is ever preselected by guessing. ----

let changingMe = false;

/** The agents' list as the dial screen shows it: "You: …", or a picker for supervisors. */
function applyAgentMode() {
  const manual = !$('agent-manual').hidden;
  const each = !!status.chooseAgentEachCall;
  const me = agents.find((a) => a.id === status.me && a.status !== 'disabled');
  const picking = !manual && !each && agents.length > 0 && (!me || changingMe);
  $('me-pick').hidden = !picking;
  $('dial-form').hidden = picking;
  $('me-cancel').hidden = !me;
  const showMe = !manual && !each && !!me;
  $('me-row').hidden = !showMe;
  $('agent-label').hidden = showMe;
  $('agent').hidden = manual || showMe;
  $('agent-filter').hidden = manual || !each || agents.length <= 12;
  if (showMe) {
    $('me-name').textContent = me.name || me.id;
    $('me-row').title = `${agentLabel(me)}${me.login ? `, portal login ${me.login}` : ''}`;
    if ($('agent').value !== me.id) {
      $('agent').value = me.id;
      selectCallerFor(me.id);
    }
  }
  if (picking) renderMeList();
  showAvailability();
}

function renderMeList() {
  const found = filterAgents(agents, $('me-search').value);
  const suggested = matchMe(agents, status.email)?.id;
  $('me-list').replaceChildren(...found.slice(0, 200).map((a) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'me-choice';
    b.dataset.id = a.id;
    b.textContent = agentLabel(a) + (a.id === suggested ? ' · your sign-in' : '');
    b.disabled = a.status === 'disabled';
    b.addEventListener('click', () => chooseMe(a.id));
    li.append(b);
    return li;
  }));
  $('me-empty').hidden = found.length > 0;
  setMessage($('me-more'), found.length > 200 ? `Showing 200 of ${found.length} agents: type to narrow the list.` : '');
}

async function chooseMe(id) {
  try {
    status = await backend.setMe(id);
    changingMe = false;
    $('me-search').value = '';
    setMessage($('lists-message'), '');
    applyAgentMode();
    $('number').focus();
  } catch (e) {
    setMessage($('lists-message'), e.message, 'error');
  }
}

/** The agent filter for supervisors with many agents: the options that match what was typed. */
function filterAgentOptions() {
  const current = $('agent').value;
  const found = filterAgents(agents, $('agent-filter').value);
  $('agent').replaceChildren(...found.map((a) => {
    const o = new Option(agentLabel(a), a.id);
    o.disabled = a.status === 'disabled';
    return o;
  }));
  if (found.some((a) => a.id === current)) $('agent').value = current;
  else if (found.length === 1 && !found[0].disabled) {
    $('agent').value = found[0].id;
    selectCallerFor(found[0].id);
  } else addPlaceholder($('agent'));
  showAvailability();
}

// ---- A question in the window (never the OS's dialog): resolves to the chosen value. ----

function ask({ title, text, buttons }) {
  return new Promise((resolve) => {
    $('ask-title').textContent = title;
    $('ask-text').textContent = text;
    $('ask-buttons').replaceChildren(...buttons.map((b) => {
      const el = document.createElement('button');
      el.type = 'submit';
      el.value = b.value;
      el.className = b.kind || 'secondary';
      el.textContent = b.label;
      return el;
    }));
    const dialog = $('ask');
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue || 'cancel'), { once: true });
    dialog.showModal();
    $('ask-buttons').firstChild?.focus();
  });
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
  // A refresh that fails keeps the lists the agent was using: they are probably still right,
  // and wiping them would stop every call until the next successful refresh.
  const keptAgents = refresh && agentList.status === 'rejected' && !forbidden(agentList) && agents.length > 0;
  const keptCallers = refresh && callerList.status === 'rejected' && !forbidden(callerList)
    && [...$('caller').options].some((o) => o.value);
  if (keptAgents || keptCallers) {
    const reason = (keptAgents ? agentList : callerList).reason.message;
    listsLoaded = true;
    afterLoad = null;
    setMessage($('lists-message'), `Could not refresh the lists: ${reason} Showing the lists from before; they may be out of date.`, 'warn');
    return;
  }
  if (agentList.status === 'fulfilled') {
    agents = byName(agentList.value);
    fillSelect(
      $('agent'), $('agent-manual'), agents,
      (a) => ({ value: a.id, label: agentLabel(a), disabled: a.status === 'disabled' }),
      status.chooseAgentEachCall ? status.lastAgent : status.me, 'No agents found', false, false,
    );
    $('agent-filter').value = '';
    // Recognised from the sign-in email: "You: …" at once, with Change beside it.
    const matched = !status.me && !status.chooseAgentEachCall && matchMe(agents, status.email);
    if (matched) {
      try {
        status = await backend.setMe(matched.id);
      } catch {
        // Asked instead.
      }
      if (generation !== listsGeneration) return;
    }
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
  applyAgentMode();
  if (sheetRequest) copyPickers();
  const info = afterLoad || (refresh ? 'Lists are up to date.' : '');
  afterLoad = null;
  if (problems.length) setMessage($('lists-message'), problems[0], 'error');
  else setMessage($('lists-message'), info, 'ok');
}

let previewSeq = 0;
// The number as last previewed: valid (with its preview) or why not.
let numberState = { valid: false, error: null };

/**
 * The line under the number. While the input could still become a number (only digits and
 * separators so far), a calm hint; an error only for letters and the like, or when the agent
 * leaves the field or presses Enter (`strict`). The line keeps its height, so nothing jumps.
 */
async function updatePreview(strict = false) {
  const seq = ++previewSeq;
  const input = $('number').value;
  // Kept by the app: closing the window to the tray destroys this page.
  backend.keepDraft(input).catch(() => {});
  if (!input.trim()) {
    numberState = { valid: false, error: null };
    setMessage($('preview'), '');
    $('preview').hidden = false;
    markCall();
    return;
  }
  try {
    const p = await backend.preview(input);
    if (seq !== previewSeq) return;
    numberState = { valid: true, error: null };
    const caller = [...$('caller').options].find((o) => o.value && o.value === $('caller').value);
    const did = caller ? `+${caller.value}` : '';
    // Abroad from this caller ID: still dialable, but worth a second look.
    setMessage($('preview'), previewText(p, status?.region, did), countryCue(p, did) ? 'warn' : 'ok');
  } catch (e) {
    if (seq !== previewSeq) return;
    numberState = { valid: false, error: e.message };
    if (!strict && stillTyping(input)) {
      setMessage($('preview'), typingHint(status?.region), null);
    } else {
      setMessage($('preview'), e.message, 'error');
    }
  }
  $('preview').hidden = false;
  markCall();
}

/** Call looks unavailable until the number is valid (it stays clickable: Enter explains). */
function markCall() {
  $('call').classList.toggle('inactive', !numberState.valid);
  $('call').setAttribute('aria-disabled', String(!numberState.valid));
}

function chosen(select, manual) {
  return (manual.hidden ? select.value : manual.value).trim();
}

async function onDial(event) {
  event.preventDefault();
  if (dialer.busy) return;
  if (!numberState.valid) {
    await updatePreview(true);
    if (!numberState.valid) {
      if (!$('number').value.trim()) setMessage($('preview'), 'Type or paste a phone number.', 'error');
      $('number').focus();
      return;
    }
  }
  const agent = chosen($('agent'), $('agent-manual'));
  if (!agent) {
    setMessage($('result'), status.chooseAgentEachCall ? 'Choose the agent whose phone should ring first.' : 'Choose which agent you are first.', 'error');
    $('agent').focus();
    return;
  }
  const picked = agents.find((a) => a.id === agent);
  const agentName = picked?.name;
  if (picked?.status === 'blocked') {
    const who = picked.name || picked.id;
    const answer = await ask({
      title: `${who} is on break`,
      text: `The platform lists ${who} as blocked, so this call may be refused or never ring. Dial anyway?`,
      buttons: [
        { value: 'dial', label: 'Dial anyway', kind: 'primary' },
        { value: 'cancel', label: 'Cancel' },
      ],
    });
    $('number').focus();
    if (answer !== 'dial') return;
  }
  $('call').disabled = true;
  $('call-label').textContent = 'Calling…';
  const previous = {
    text: $('result').textContent,
    ok: $('result').classList.contains('ok'),
    details: !$('result-details').hidden,
  };
  setMessage($('result'), 'Placing the call…', null);
  const callerId = chosen($('caller'), $('caller-manual'));
  const { outcome, error, skipped } = await dialer.dial({ agent, callerId, number: $('number').value });
  $('call').disabled = false;
  $('call-label').textContent = 'Call';
  if (skipped) return;
  setMessage($('dial-note'), '');
  if (error?.code === 'busy' && previous.ok) {
    setMessage($('result'), previous.text, 'ok');
    $('result-details').hidden = !previous.details;
    // A bounce right after a queued call: keep the queued message and its reference.
    showRepeatNote(error);
    return;
  }
  if (outcome) {
    showQueued(outcome, agentName);
    rememberPicks(agent, callerId);
    // Ready for the next call: typing replaces the number, Escape clears it.
    $('number').focus();
    $('number').select();
  } else {
    setMessage($('result'), error.message, errorTone(error.code));
    $('number').focus();
  }
}

/** Puts a number in the field as if typed: the old result goes, the preview follows. */
function setNumber(text) {
  $('number').value = text;
  setMessage($('result'), '');
  setMessage($('dial-note'), '');
  updatePreview();
}

/** Several numbers in pasted text: one button each, under the field. */
function showPicks(found) {
  const box = $('number-picks');
  box.replaceChildren();
  box.hidden = !found.length;
  if (!found.length) return;
  const label = document.createElement('span');
  label.className = 'muted small';
  label.textContent = `${found.length} numbers in the pasted text:`;
  box.append(label);
  for (const n of found) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.textContent = n.international;
    b.addEventListener('click', () => {
      showPicks([]);
      setNumber(n.international);
      $('number').focus();
    });
    box.append(b);
  }
}

function rememberPicks(agent, callerId) {
  if (status.demo) return;
  status.lastAgent = agent;
  status.lastCallerByAgent = { ...status.lastCallerByAgent, [agent]: callerId };
}

// ---- The confirm sheet: a tel:/callto: link (later the tray or the hotkey) waits here. ----

let sheetRequest = null;
// Answers to overlapping refreshes can arrive out of order; only the newest may change the sheet.
let linksSeq = 0;

/** Asks the backend what waits on the sheet; called at start, on the links event, after setup. */
async function refreshLinks() {
  const seq = ++linksSeq;
  let state;
  try {
    state = await backend.linkState();
  } catch {
    return;
  }
  if (state.dialled) showLinkDialled(state.dialled);
  if (seq !== linksSeq) return;
  openSheet(state.request);
}

/** A link dialled without asking (the agent's setting): its result goes where a dial's goes. */
function showLinkDialled({ international, outcome, error }) {
  if (!status?.configured) return;
  if ($('view-dial').hidden) render();
  $('number').value = international;
  updatePreview();
  setMessage($('dial-note'), '');
  if (outcome) {
    const name = agents.find((a) => a.id === outcome.agent)?.name;
    showQueued(outcome, name);
  } else {
    setMessage($('result'), error.message, errorTone(error.code));
  }
}

function openSheet(request) {
  sheetRequest = request || null;
  const sheet = $('sheet');
  $('waiting-link').hidden = true;
  if (!sheetRequest) {
    if (sheet.open) sheet.close();
    return;
  }
  if (sheetRequest.selfTest) setMessage($('handler-message'), 'The test link reached Clickdial: phone links work.', 'ok');
  renderSheet();
  if (!sheet.open) sheet.showModal();
  ($('sheet-call').hidden ? $('sheet-cancel') : $('sheet-call')).focus();
}

function copyPickers() {
  const pairs = [
    ['agent', 'agent-manual', 'sheet-agent', 'sheet-agent-manual'],
    ['caller', 'caller-manual', 'sheet-caller', 'sheet-caller-manual'],
  ];
  for (const [from, fromManual, to, toManual] of pairs) {
    $(to).replaceChildren(...[...$(from).options].map((o) => o.cloneNode(true)));
    $(to).value = $(from).value;
    $(to).disabled = $(from).disabled;
    $(to).hidden = !$(fromManual).hidden;
    $(toManual).hidden = $(fromManual).hidden;
    $(toManual).value = $(fromManual).value;
  }
  updateSheetQuestion();
}

function pickedText(select, manual) {
  if (!manual.hidden) return manual.value.trim();
  const option = select.selectedOptions[0];
  if (!option || !option.value) return '';
  return option.textContent.split(' · ')[0];
}

function updateSheetQuestion() {
  const r = sheetRequest;
  if (!r?.number || !status?.configured || r.selfTest) return;
  $('sheet-title').textContent = sheetQuestion(
    r.number,
    pickedText($('sheet-agent'), $('sheet-agent-manual')),
    pickedText($('sheet-caller'), $('sheet-caller-manual')),
  );
}

function renderSheet() {
  const r = sheetRequest;
  const configured = !!status?.configured;
  const dialable = !!r.number && !r.selfTest;
  $('sheet-kicker').textContent = sourceLabel(r.source, r.selfTest);
  setMessage($('sheet-burst'), dialable ? burstText(r.count) || askedText(r.asked) : '', 'warn');
  setMessage($('sheet-problem'), r.problem || '', 'error');
  $('sheet-pickers').hidden = !(dialable && configured);
  $('sheet-call').hidden = !dialable;
  $('sheet-call').disabled = false;
  $('sheet-keys').hidden = !dialable;
  $('sheet-cancel').textContent = dialable ? 'Cancel' : 'Close';
  if (r.selfTest) {
    $('sheet-title').textContent = 'Phone links work';
    $('sheet-facts').textContent = 'The test link went through your desktop and reached Clickdial. Nothing was dialled.';
  } else if (!r.number) {
    $('sheet-title').textContent = r.source === 'link' ? 'This link can’t be dialled' : 'No number to dial';
    $('sheet-facts').textContent = r.link;
  } else if (!configured) {
    $('sheet-title').textContent = `Connect an account to dial ${r.number.international}`;
    $('sheet-facts').textContent = 'The number is kept: connect your account or try the demo, and Clickdial asks again.';
    $('sheet-call').textContent = 'Set up first';
    $('sheet-keys').hidden = true;
  } else {
    $('sheet-call').textContent = 'Call';
    $('sheet-facts').textContent = r.link;
    copyPickers();
  }
}

function closeSheet() {
  if ($('sheet').open) $('sheet').close();
}

async function cancelSheet() {
  const r = sheetRequest;
  sheetRequest = null;
  closeSheet();
  if (r) {
    try {
      await backend.dismissLink(r.id);
    } catch {
      // Nothing to undo: the request is gone or was replaced; refresh shows what is current.
    }
  }
  refreshLinks();
}

async function onSheetCall(event) {
  event.preventDefault();
  const r = sheetRequest;
  if (!r?.number || r.selfTest) return;
  if (!status?.configured) {
    // Keep the request; the sheet returns once an account or the demo is set up.
    closeSheet();
    setMessage($('waiting-link'), `A phone link is waiting: ${r.number.international}. Connect your account or try the demo to call it.`);
    return;
  }
  const agent = chosen($('sheet-agent'), $('sheet-agent-manual'));
  if (!agent) {
    setMessage($('sheet-problem'), 'Pick an agent first.', 'error');
    return;
  }
  const callerId = chosen($('sheet-caller'), $('sheet-caller-manual'));
  $('sheet-call').disabled = true;
  $('sheet-call').textContent = 'Calling…';
  let outcome = null;
  let error = null;
  try {
    outcome = await backend.confirmLink({ id: r.id, agent, callerId });
  } catch (e) {
    error = e;
  }
  if (error?.code === 'notConfigured') {
    status = await backend.status();
    render();
    return;
  }
  sheetRequest = null;
  closeSheet();
  // The result belongs on the dial screen, wherever the link found the agent (Settings, say).
  if ($('view-dial').hidden) render();
  $('number').value = r.number.international;
  updatePreview();
  setMessage($('dial-note'), '');
  if (outcome) {
    showQueued(outcome, agents.find((a) => a.id === agent)?.name);
    rememberPicks(agent, callerId);
  } else {
    setMessage($('result'), error.message, errorTone(error.code));
  }
  // A newer link may have replaced this one meanwhile: show it.
  refreshLinks();
}

function setupSheet() {
  $('sheet-form').addEventListener('submit', onSheetCall);
  $('sheet-cancel').addEventListener('click', cancelSheet);
  // Esc: the dialog's own cancel; treat it as Cancel (and keep the dialog under our control).
  $('sheet').addEventListener('cancel', (event) => {
    event.preventDefault();
    cancelSheet();
  });
  // Enter on a picker calls too (a select swallows Enter otherwise).
  $('sheet').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.tagName === 'SELECT' && !$('sheet-call').hidden) {
      event.preventDefault();
      $('sheet-form').requestSubmit();
    }
  });
  $('sheet-agent').addEventListener('change', () => {
    const offered = [...$('sheet-caller').options].map((o) => o.value);
    const remembered = callerFor(status, $('sheet-agent').value, offered);
    if (remembered) $('sheet-caller').value = remembered;
    updateSheetQuestion();
  });
  $('sheet-caller').addEventListener('change', updateSheetQuestion);
  $('sheet-agent-manual').addEventListener('input', updateSheetQuestion);
  listen(EVENTS.linksChanged, () => refreshLinks());
  // The tray chose another agent or caller ID: the pickers follow.
  listen(EVENTS.picksChanged, ({ payload }) => {
    if (payload.agent && !status.chooseAgentEachCall) {
      // The tray's agent is who you are (it was saved as such).
      status.me = payload.agent;
      changingMe = false;
      applyAgentMode();
    } else if (payload.agent && [...$('agent').options].some((o) => o.value === payload.agent)) {
      $('agent').value = payload.agent;
      showAvailability();
    }
    if (payload.callerId && [...$('caller').options].some((o) => o.value === payload.callerId)) {
      $('caller').value = payload.callerId;
    }
  });
  // Shown again from the tray, a link or a second launch: pick up a notice meant for it.
  listen(EVENTS.windowShown, async () => {
    try {
      const s = await backend.status();
      if (s.notice) showNotice(s.notice);
    } catch {
      // The next action reports any problem.
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Following the call: the newest call's timeline, its sentence with a running clock, Hang up.

let followed = null;
let followedAt = 0;
let followTimer = null;

function renderFollow() {
  const call = followed;
  $('follow').hidden = !call;
  if (!call) return;
  const steps = $('follow-steps');
  steps.replaceChildren(...timeline(call).map((step) => {
    const li = document.createElement('li');
    li.textContent = step.label;
    li.className = step.state;
    li.dataset.stage = step.stage;
    return li;
  }));
  const extra = Math.floor((Date.now() - followedAt) / 1000);
  const line = $('follow-line');
  line.textContent = callLine(call, extra);
  line.className = callTone(call) || '';
  $('follow').dataset.stage = call.stage;
  $('hang-up').hidden = call.stage === 'ended';
  $('hang-up').disabled = !call.canHangUp;
  $('hang-up').title = call.canHangUp ? '' : 'Available once the call is listed by the server';
}

function showCalls(calls) {
  const before = followed;
  followed = calls[0] || null;
  followedAt = Date.now();
  clearInterval(followTimer);
  if (followed && followed.stage !== 'ended') followTimer = setInterval(renderFollow, 1000);
  if (before && followed && before.id === followed.id && before.stage !== followed.stage) {
    setMessage($('follow-message'), '');
  }
  renderFollow();
  if (followed?.stage === 'ended' && $('history').open) loadHistory();
}

function setupFollow() {
  listen(EVENTS.callsChanged, ({ payload }) => showCalls(payload || []));
  listen(EVENTS.notice, ({ payload }) => showNotice(String(payload || '')));
  listen(EVENTS.followError, ({ payload }) => setMessage($('follow-message'), String(payload || ''), 'error'));
  $('hang-up').addEventListener('click', async () => {
    if (!followed) return;
    $('hang-up').disabled = true;
    setMessage($('follow-message'), 'Ending the call…', null);
    try {
      await backend.hangUp(followed.id);
      setMessage($('follow-message'), '');
    } catch (e) {
      setMessage($('follow-message'), e.message, 'error');
      $('hang-up').disabled = !followed?.canHangUp;
    }
  });
  $('availability').addEventListener('click', toggleAvailability);
  $('agent').addEventListener('change', showAvailability);
  $('history').addEventListener('toggle', () => {
    if (!$('history').open) return;
    realFields($('history'));
    loadHistory();
  });
  let searchTimer = null;
  $('history-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadHistory(), 200);
  });
  $('history-more').addEventListener('click', () => loadHistory(true));
  $('history-date').addEventListener('change', () => loadHistory());
  $('history-export').addEventListener('click', async () => {
    const digits = $('history-search').value.replace(/\D/g, '');
    try {
      const path = await backend.exportHistory(digits);
      setMessage($('history-message'), `Saved ${digits ? 'the calls found' : 'every call'} to ${path}`, 'ok');
    } catch (e) {
      setMessage($('history-message'), e.message, 'error');
    }
  });
}

/** A followed call's list after a dial: the backend has the truth, ask for it. */
async function refreshCalls() {
  try {
    showCalls(await backend.calls());
  } catch {
    // The next event brings it.
  }
}

// ---------------------------------------------------------------------------------------------
// Availability of the chosen agent

function showAvailability() {
  const agent = agents.find((a) => a.id === $('agent').value);
  const a = $('agent-manual').hidden ? availability(agent) : null;
  const button = $('availability');
  button.hidden = !a;
  if (!a) return;
  button.textContent = a.label;
  button.className = `availability ${a.tone || ''}`;
  button.disabled = !a.enabled;
  button.title = a.enabled ? `${a.action}: ${a.next ? 'calls reach' : 'no calls reach'} ${agent.name || agent.id}` : '';
  button.dataset.next = String(a.next);
}

async function toggleAvailability() {
  const agent = $('agent').value;
  const next = $('availability').dataset.next === 'true';
  $('availability').disabled = true;
  try {
    const list = await backend.setAvailability(agent, next);
    agents = agents.map((a) => list.find((b) => b.id === a.id) || a);
    for (const option of $('agent').options) {
      const a = agents.find((x) => x.id === option.value);
      if (a) option.textContent = agentLabel(a);
    }
    applyAgentMode();
    setMessage($('lists-message'), '');
  } catch (e) {
    setMessage($('lists-message'), e.message, 'error');
  }
  showAvailability();
}

// ---------------------------------------------------------------------------------------------
// History

const HISTORY_PAGE = 30;
let historyRows = [];

async function loadHistory(more = false) {
  const digits = $('history-search').value.replace(/\D/g, '');
  const beforeId = more && historyRows.length ? historyRows[historyRows.length - 1].id : null;
  const day = dayRange($('history-date').value);
  let rows;
  try {
    rows = await backend.history({ digits, beforeId, limit: HISTORY_PAGE, ...day });
  } catch (e) {
    $('history-empty').textContent = e.message;
    $('history-empty').hidden = false;
    return;
  }
  historyRows = more ? historyRows.concat(rows) : rows;
  $('history-list').replaceChildren(...historyRows.map(historyItem));
  $('history-empty').textContent = digits || day.sinceMs
    ? 'No calls match.'
    : 'No calls yet.';
  $('history-empty').hidden = historyRows.length > 0;
  $('history-more').hidden = rows.length < HISTORY_PAGE;
}

/** A caller ID's name from the loaded list ("Sales line"), else its digits. */
function callerName(value) {
  const option = [...$('caller').options].find((o) => o.value === value);
  return option ? option.textContent.split(' · ')[0] : value;
}

function historyItem(row) {
  const { date, outcome } = historyText(row);
  const li = document.createElement('li');
  li.dataset.id = row.id;
  const main = document.createElement('div');
  main.className = 'h-main';
  const number = document.createElement('div');
  number.className = 'h-number';
  number.textContent = row.international;
  const sub = document.createElement('div');
  sub.className = 'h-sub';
  const agent = agents.find((a) => a.id === row.agent)?.name || row.agent;
  const via = row.callerId ? ` · via ${callerName(row.callerId)}` : '';
  sub.textContent = `${date} · ${outcome} · ${agent}${via}`;
  sub.title = [row.refId && `Reference ${row.refId}`, row.callId && `Call ID ${row.callId}`,
    row.detail, row.reason].filter(Boolean).join('\n');
  main.append(number, sub);
  const redial = document.createElement('button');
  redial.type = 'button';
  redial.className = 'link small redial';
  redial.textContent = 'Call again';
  redial.addEventListener('click', () => {
    if ([...$('agent').options].some((o) => o.value === row.agent)) {
      $('agent').value = row.agent;
      selectCallerFor(row.agent);
      showAvailability();
    }
    setNumber(row.international);
    $('dial-form').requestSubmit();
  });
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'link small';
  copy.textContent = 'Copy';
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(row.e164);
      copy.textContent = 'Copied';
    } catch {
      window.getSelection().selectAllChildren(number);
      copy.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
  });
  li.append(main, redial, copy);
  return li;
}

function showHandler(h) {
  $('handler-summary').textContent = h.summary;
  $('handler-install').hidden = !h.canInstall;
  $('handler-install').textContent = h.isDefault ? 'Set up again' : 'Make Clickdial the default';
  if (h.advice && !h.isDefault) setMessage($('handler-message'), h.advice, 'warn');
}

async function loadHandler() {
  try {
    showHandler(await backend.handlerStatus());
  } catch (e) {
    $('handler-summary').textContent = e.message;
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
  $('links-without-asking').checked = !!status.linksWithoutAsking;
  $('hotkey').value = status.hotkey || '';
  $('start-hidden').checked = !!status.startHidden;
  const days = String(status.historyDays ?? 365);
  if (![...$('history-days').options].some((o) => o.value === days)) {
    // A value set elsewhere (the settings file): shown as it is.
    $('history-days').append(new Option(`For ${days} days`, days));
  }
  $('history-days').value = days;
  $('notify').checked = !!status.notify;
  $('choose-each').checked = !!status.chooseAgentEachCall;
  const followAutostart = () => {
    $('start-hidden').disabled = $('autostart').disabled || !$('autostart').checked;
  };
  backend.autostart().then((on) => {
    // null: not available here.
    $('autostart').disabled = on === null;
    $('autostart').checked = !!on;
    followAutostart();
  }, () => {
    $('autostart').disabled = true;
    followAutostart();
  });
  $('autostart').onchange = followAutostart;
  $('notify').disabled = !status.notifySupported;
  if (!status.notifySupported) {
    $('notify-hint').textContent = 'Desktop notifications are not available on this system yet; the window shows every call’s progress.';
  }
  $('hotkey').disabled = !status.shortcutsSupported;
  if (!status.shortcutsSupported) {
    $('hotkey-hint').textContent = 'Shortcuts for the whole desktop do not work in a Wayland session. Use the tray menu’s “Dial clipboard” instead.';
  }
  prefsShown = prefsValues();
}

// The Dialling preferences as last shown or saved: leaving with other values asks first.
let prefsShown = '';

function prefsValues() {
  return JSON.stringify([...$('prefs-form').elements]
    .filter((el) => el.id && el.id !== 'autostart' && el.id !== 'save-prefs')
    .map((el) => [el.id, el.type === 'checkbox' ? el.checked : el.value]));
}

/** Saves the Dialling preferences; whether it worked (the form says why not). */
async function savePrefs() {
  const callTimeout = minutesToSeconds($('call-timeout').value);
  if (Number.isNaN(callTimeout)) {
    setMessage($('prefs-message'), 'Type the longest call in minutes, or leave it empty.', 'error');
    return false;
  }
  try {
    const before = status.chooseAgentEachCall;
    status = await backend.savePreferences({
      region: $('region').value,
      callTimeout,
      linksWithoutAsking: $('links-without-asking').checked,
      hotkey: $('hotkey').disabled ? null : $('hotkey').value,
      startHidden: $('start-hidden').checked,
      historyDays: Number($('history-days').value),
      notify: $('notify').checked,
      chooseAgentEachCall: $('choose-each').checked,
    });
    if (!$('autostart').disabled) {
      $('autostart').checked = await backend.setAutostart($('autostart').checked);
    }
    prefsShown = prefsValues();
    setMessage($('prefs-message'), 'Saved.', 'ok');
    if (before !== status.chooseAgentEachCall) listsLoaded = false;
    updatePreview();
    return true;
  } catch (e) {
    setMessage($('prefs-message'), e.message, 'error');
    return false;
  }
}

/** Leaving Settings: unsaved changes are saved or dropped as the agent says, never lost silently. */
async function leaveSettings() {
  if (prefsValues() !== prefsShown) {
    const answer = await ask({
      title: 'Save your changes?',
      text: 'You changed your dialling settings but did not save them.',
      buttons: [
        { value: 'save', label: 'Save', kind: 'primary' },
        { value: 'discard', label: 'Don’t save' },
        { value: 'cancel', label: 'Keep editing' },
      ],
    });
    if (answer === 'cancel') return false;
    if (answer === 'save' && !(await savePrefs())) return false;
  }
  return true;
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
      refreshLinks();
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
    setMessage($('handler-message'), '');
    render('view-settings');
    loadHandler();
    // The keyboard stays in the window: Back to dialling is one Enter away.
    $('close-settings').focus();
  });
  $('handler-install').addEventListener('click', async () => {
    $('handler-install').disabled = true;
    setMessage($('handler-message'), 'Setting Clickdial as the app for phone links…');
    try {
      const h = await backend.handlerInstall();
      showHandler(h);
      setMessage($('handler-message'), h.advice || (h.isDefault ? 'Done: phone links now open Clickdial.' : ''), h.isDefault ? 'ok' : 'warn');
    } catch (e) {
      setMessage($('handler-message'), e.message, 'error');
    } finally {
      $('handler-install').disabled = false;
    }
  });
  $('handler-test').addEventListener('click', async () => {
    setMessage($('handler-message'), 'Sending a test link through your desktop…');
    try {
      await backend.handlerSelfTest();
      // If the desktop routes links here, the sheet opens and says so; otherwise it never comes.
      setTimeout(() => {
        if ($('handler-message').textContent.startsWith('Sending')) {
          setMessage($('handler-message'), 'The test link did not reach Clickdial within 10 seconds: another app may be opening phone links. Use “Make Clickdial the default”, then try again.', 'warn');
        }
      }, 10000);
    } catch (e) {
      setMessage($('handler-message'), e.message, 'error');
    }
  });
  $('close-settings').addEventListener('click', async () => {
    if (await leaveSettings()) render();
  });
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
  $('change-account').addEventListener('click', async () => {
    if (await leaveSettings()) showWelcome(true);
  });
  $('signout').addEventListener('click', async () => {
    const secret = status.signIn === 'password' ? 'password' : 'API token';
    const answer = await ask(status.demo ? {
      title: 'Leave the demo?',
      text: 'The built-in simulator stops. Your demo calls stay in Recent calls.',
      buttons: [{ value: 'go', label: 'Leave demo', kind: 'danger' }, { value: 'cancel', label: 'Cancel' }],
    } : {
      title: `Sign out of ${hostOf(status.baseUrl)}?`,
      text: `Clickdial removes your ${secret} from this computer’s keyring and stops dialling. Who you are and your caller IDs are remembered for when this account signs in again.`,
      buttons: [{ value: 'go', label: 'Sign out', kind: 'danger' }, { value: 'cancel', label: 'Cancel' }],
    });
    if (answer !== 'go') return;
    try {
      status = await backend.signOut();
      setMessage($('result'), '');
      setMessage($('dial-note'), '');
      setMessage($('lists-message'), '');
      $('number').value = '';
      updatePreview();
      resetLists();
      render();
    } catch (e) {
      setMessage($('check-message'), e.message, 'error');
    }
  });
  $('prefs-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await savePrefs();
  });
}

async function start() {
  setupAccountForm();
  setupSettings();
  setupSheet();
  setupFollow();
  $('demo').addEventListener('click', async () => {
    $('demo').disabled = true;
    try {
      status = await backend.startDemo();
      resetLists();
      render();
      refreshLinks();
    } catch (e) {
      showNotice(e.message);
    } finally {
      $('demo').disabled = false;
    }
  });
  $('refresh').addEventListener('click', () => loadLists(true));
  $('copy-ref').addEventListener('click', async () => {
    const ref = $('result-ref').textContent.replace(/^Reference /, '');
    try {
      await navigator.clipboard.writeText(ref);
      $('copy-ref').textContent = 'Copied';
    } catch {
      // Select it instead, so Ctrl+C works.
      window.getSelection().selectAllChildren($('result-ref'));
      $('copy-ref').textContent = 'Press Ctrl+C';
    }
    setTimeout(() => { $('copy-ref').textContent = 'Copy'; }, 1500);
    $('number').focus();
  });
  $('agent').addEventListener('change', () => {
    selectCallerFor($('agent').value);
    $('number').focus();
  });
  $('caller').addEventListener('change', () => {
    updatePreview();
    $('number').focus();
  });
  $('agent-filter').addEventListener('input', filterAgentOptions);
  $('agent-filter').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      if ($('agent').value) $('number').focus();
    }
  });
  $('me-search').addEventListener('input', renderMeList);
  $('me-refresh').addEventListener('click', () => {
    loadLists(true);
    $('me-search').focus();
  });
  $('me-search').addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const usable = filterAgents(agents, $('me-search').value).filter((a) => a.status !== 'disabled');
    if (usable.length === 1) chooseMe(usable[0].id);
  });
  $('me-change').addEventListener('click', () => {
    changingMe = true;
    applyAgentMode();
    $('me-search').focus();
  });
  $('me-cancel').addEventListener('click', () => {
    changingMe = false;
    applyAgentMode();
    $('number').focus();
  });
  $('me-each').addEventListener('click', async () => {
    try {
      status = await backend.savePreferences({
        region: status.region, callTimeout: status.callTimeout, chooseAgentEachCall: true,
      });
      changingMe = false;
      renderSettings();
      loadLists(false);
    } catch (e) {
      setMessage($('lists-message'), e.message, 'error');
    }
  });
  $('number').addEventListener('input', () => {
    // A result belongs to the number it was for: a new number clears it.
    setMessage($('result'), '');
    setMessage($('dial-note'), '');
    updatePreview();
  });
  $('number').addEventListener('blur', () => {
    if ($('number').value.trim() && !numberState.valid) updatePreview(true);
  });
  // Pasted text: the number in it (a CRM line, a signature); several: a pick list.
  $('number').addEventListener('paste', async (event) => {
    const text = event.clipboardData?.getData('text') || '';
    if (!text.trim()) return;
    event.preventDefault();
    let found = [];
    try {
      found = await backend.findNumbers(text);
    } catch {
      // Fall through: the text goes in as it is, and the preview explains.
    }
    showPicks([]);
    if (found.length === 1) {
      setNumber(found[0].international);
    } else if (found.length > 1) {
      showPicks(found);
    } else {
      setNumber(text.trim());
    }
  });
  $('number').addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && $('number').value) {
      event.preventDefault();
      $('number').value = '';
      setMessage($('result'), '');
      setMessage($('dial-note'), '');
      updatePreview();
    }
  });
  // Ctrl+L (Cmd+L) puts the cursor in the number from anywhere on the dial screen.
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'l' && !$('view-dial').hidden
        && !$('sheet').open) {
      event.preventDefault();
      $('number').focus();
      $('number').select();
    }
  });
  // A click on a picker, Refresh or Call leaves the cursor in the number, ready for the next.
  for (const id of ['call', 'refresh']) {
    $(id).addEventListener('mouseup', () => setTimeout(() => $('number').focus(), 0));
  }
  $('dial-form').addEventListener('submit', onDial);
  try {
    status = await firstStatus;
    render();
    // What scripts/bench-footprint.sh times a start to.
    performance.mark('clickdial-interactive');
    if (status.draft && !$('number').value) {
      $('number').value = status.draft;
      updatePreview();
    }
    refreshLinks();
    // A call placed while the window was closed (tray, link, hotkey) is followed here too.
    if (status.configured) refreshCalls();
  } catch (e) {
    showNotice(e.message);
    showWelcome(false);
  }
}

start();
