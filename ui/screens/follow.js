// Following the call: the newest call's timeline, its sentence with a running clock, Hang up;
// below it, any other call still live (a supervisor dialling for several agents), each with its
// own Hang up, so no live call ever leaves the window.
import { callFailed, callLine, callTone, stageAnnouncement, timeline } from '../backend.js';
import { EVENTS } from '../ipc.js';
import { backend, listen } from '../app.js';
import { ariaShortcut } from '../logic.js';
import { agentById, state } from '../state.js';
import { $, announce, setMessage } from '../view.js';
import { callAgain, loadHistory } from './history.js';
import { dropWrapUp, offerWrapUp } from './wrapup.js';

let followed = null;
/** Other calls still live, newest first. */
let others = [];
let followedAt = 0;
let followTimer = null;
/** The server's reference of each call this window dialled, by the call's ledger row. */
const refs = new Map();

/** A dial's reference, shown small in the call bar while that call is on show. */
export function rememberRef(callId, refId) {
  if (callId != null && refId) refs.set(callId, refId);
}

function renderFollow() {
  const call = followed;
  $('connection').hidden = !call?.unreachable;
  $('follow').hidden = !call;
  document.body.classList.toggle('in-call', !!call);
  if (!call) return;
  // Who is on the line: the customer's number, whichever field the agent types in next.
  $('follow-number').textContent = call.international;
  const agent = agentById(call.agent)?.name;
  $('follow-who').textContent = agent ? `· ${agent}` : '';
  const ref = refs.get(call.id);
  $('result-details').hidden = !ref;
  if (ref) {
    // The start of it on show (the rest cut short), whole in the tooltip and in Copy.
    $('result-ref').textContent = ref;
    $('result-ref').title = `Reference ${ref}`;
    $('copy-ref').setAttribute('aria-label', `Copy the reference ${ref}`);
  }
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
  // The window's key, and the desktop-wide one when the agent chose one.
  const global = state.status?.hangUpHotkey;
  $('hang-up').setAttribute('aria-keyshortcuts', ['Control+Shift+H', global && ariaShortcut(global)].filter(Boolean).join(' '));
  $('hang-up').disabled = !call.canHangUp;
  $('hang-up').title = call.canHangUp ? '' : 'Available once the call is listed by the server';
  // A call that did not happen: the card says so, and offers it again; the green "queued"
  // answer above it would contradict it.
  const failed = callFailed(call);
  $('follow-again').hidden = !failed;
  if (failed) $('result').hidden = true;
  renderOthers(extra);
}

function renderOthers(extra) {
  const list = $('follow-others');
  list.hidden = others.length === 0;
  list.replaceChildren(...others.map((call) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    const who = agentById(call.agent)?.name || call.agent;
    text.textContent = `${call.international} · ${who} · ${callLine(call, extra)}`;
    const hang = document.createElement('button');
    hang.type = 'button';
    hang.className = 'link small';
    hang.textContent = 'Hang up';
    hang.disabled = !call.canHangUp;
    hang.addEventListener('click', () => hangUp(call.id, hang));
    li.append(text, hang);
    return li;
  }));
}

async function hangUp(id, button) {
  button.disabled = true;
  setMessage($('follow-message'), 'Ending the call…', null);
  try {
    await backend.hangUp(id);
    setMessage($('follow-message'), '');
  } catch (e) {
    setMessage($('follow-message'), e.message, 'error');
    button.disabled = false;
  }
}

function showCalls(calls) {
  const before = followed;
  followed = calls[0] || null;
  others = calls.slice(1).filter((c) => c.stage !== 'ended');
  followedAt = Date.now();
  clearInterval(followTimer);
  if ((followed && followed.stage !== 'ended') || others.length) {
    followTimer = setInterval(renderFollow, 1000);
  }
  if (before && followed && before.id === followed.id && before.stage !== followed.stage) {
    setMessage($('follow-message'), '');
  }
  announce(stageAnnouncement(followed, before));
  if (followed?.id !== before?.id) {
    // Another call on show: the last one's wrap-up, offered or saved, goes with it.
    dropWrapUp();
    setMessage($('wrapup-saved'), '');
  }
  renderFollow();
  // The call on show just ended (seen live here): what came of it?
  if (followed?.stage === 'ended' && before?.id === followed.id && before.stage !== 'ended') {
    offerWrapUp(followed);
  }
  if (followed?.stage === 'ended' && $('history').open) loadHistory();
}

/** A followed call's list after a dial: the backend has the truth, ask for it. */
export async function refreshCalls() {
  try {
    showCalls(await backend.calls());
  } catch {
    // The next event brings it.
  }
}

/** The window's Hang-up key (Ctrl+Shift+H, advertised on the button): only while the window has
 * focus, only for the call on show, and only while it may be hung up. */
function onKey(event) {
  if (!(event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey)) return;
  if (event.key.toLowerCase() !== 'h') return;
  event.preventDefault();
  const button = $('hang-up');
  if (followed && !$('follow').hidden && !button.hidden && !button.disabled) hangUp(followed.id, button);
}

export function setupFollow() {
  document.addEventListener('keydown', onKey);
  listen(EVENTS.callsChanged, ({ payload }) => showCalls(payload || []));
  listen(EVENTS.followError, ({ payload }) => setMessage($('follow-message'), String(payload || ''), 'error'));
  $('follow-again').addEventListener('click', () => followed && callAgain(followed));
  $('hang-up').addEventListener('click', () => followed && hangUp(followed.id, $('hang-up')));
}
