// The screens' decisions and sentences that need no DOM and no backend, so that `node --test`
// checks them (logic.test.js). The screens under screens/ put them on the page.
import { historyText, hostOf } from './backend.js';

/**
 * How the dial screen offers the agent: `picking`, "Which agent are you?" instead of the form;
 * `showMe`, "You: …" instead of the picker; `filter`, a search above a long picker. `manual`: the
 * token may not list agents (the ID is typed); `each`: the agent is chosen for each call; `me`:
 * who "me" is, when still usable; `changing`: "Change" was pressed.
 */
export function agentMode({ manual, each, count, me, changing }) {
  return {
    picking: !manual && !each && count > 0 && (!me || changing),
    showMe: !manual && !each && !!me,
    filter: !manual && each && count > 12,
  };
}

/** At most this many agents in "Which agent are you?": more are found by typing. */
export const ME_LIST_MAX = 200;

/** Under "Which agent are you?" when the list is cut short; '' when all are shown. */
export function meMoreText(found) {
  return found > ME_LIST_MAX ? `Showing ${ME_LIST_MAX} of ${found} agents: type to narrow the list.` : '';
}

/**
 * When a refresh of the lists fails: a refresh that fails keeps the lists the agent was using
 * (they are probably still right, and wiping them would stop every call until the next
 * successful refresh). The warning to show then, or '' when the answers are used as they are.
 * `agentList` and `callerList` are `Promise.allSettled` results; `had` says which lists were
 * filled before.
 */
export function staleListsText(refresh, agentList, callerList, had) {
  if (!refresh) return '';
  const failed = (r) => r.status === 'rejected' && r.reason.code !== 'forbidden';
  const kept = [[agentList, had.agents], [callerList, had.callers]].find(([r, filled]) => failed(r) && filled);
  return kept
    ? `Could not refresh the lists: ${kept[0].reason.message} Showing the lists from before; they may be out of date.`
    : '';
}

/** A history row's line under its number, and the tooltip with its references and details. */
export function historyEntry(row, { agentName, callerName, now = Date.now() }) {
  const { date, outcome } = historyText(row, now);
  const via = row.callerId ? ` · via ${callerName}` : '';
  return {
    text: `${date} · ${outcome} · ${agentName || row.agent}${via}`,
    title: [row.refId && `Reference ${row.refId}`, row.callId && `Call ID ${row.callId}`,
      row.detail, row.reason].filter(Boolean).join('\n'),
  };
}

/** The settings' call timeout (seconds) in the minutes its field shows; '' for the default. */
export function secondsToMinutes(seconds) {
  return seconds ? Math.max(1, Math.round(seconds / 60)) : '';
}

/**
 * The question before dialling with an agent the platform lists as blocked: `available` makes
 * the agent available, then dials; `dial` dials as they are. Cancel has the focus, so Enter
 * pressed twice never dials while blocked.
 */
export function blockedQuestion(agent, { canSwitch = true } = {}) {
  const who = agent.name || agent.id;
  return {
    title: `${who} is on break`,
    text: `The platform lists ${who} as blocked, so this call may be refused or never ring.`,
    buttons: [
      ...(canSwitch ? [{ value: 'available', label: 'Go available and call', kind: 'primary' }] : []),
      { value: 'dial', label: 'Dial anyway', kind: canSwitch ? 'secondary' : 'primary' },
      { value: 'cancel', label: 'Cancel', focus: true },
    ],
  };
}

/**
 * The question before the window's own Call when the team check found a colleague already on
 * a call with that customer: the agent decides. Cancel has the focus, as for an agent on break.
 */
export function colleagueQuestion(colleague) {
  return {
    title: `${colleague.agent} is on a call with this customer`,
    text: `${colleague.message} Call anyway?`,
    buttons: [
      { value: 'dial', label: 'Call anyway', kind: 'primary' },
      { value: 'cancel', label: 'Cancel', focus: true },
    ],
  };
}

/** Under a browser policy shown in Settings: where the administrator puts it. */
export function policyPlace(prepared) {
  return `Your administrator saves this as ${prepared.fileName} in ${prepared.folder} and restarts ${prepared.browser}.`;
}

/** The question before signing out (or leaving the demo); `go` confirms. */
export function signOutQuestion(status) {
  if (status.demo) {
    return {
      title: 'Leave the demo?',
      text: 'The built-in simulator stops. Your demo calls stay in Recent calls.',
      buttons: [{ value: 'go', label: 'Leave demo', kind: 'danger' }, { value: 'cancel', label: 'Cancel' }],
    };
  }
  const secret = status.signIn === 'password' ? 'password' : 'API token';
  return {
    title: `Sign out of ${hostOf(status.baseUrl)}?`,
    text: `Clickdial removes your ${secret} from this computer’s keyring and stops dialling. Who you are and your caller IDs are remembered for when this account signs in again.`,
    buttons: [{ value: 'go', label: 'Sign out', kind: 'danger' }, { value: 'cancel', label: 'Cancel' }],
  };
}

const KEY_NAMES = Object.freeze({ ' ': 'space', ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right', Escape: 'escape', Enter: 'enter' });

/** A key with no name nor place given (some synthetic events): by its legacy key code. */
function fromKeyCode(code) {
  if (code >= 65 && code <= 90) return String.fromCharCode(code).toLowerCase();
  if (code >= 48 && code <= 57) return String(code - 48);
  if (code >= 112 && code <= 123) return `f${code - 111}`;
  return '';
}

/**
 * The combination a keydown makes, written as shortcuts are kept (`ctrl+alt+d`), or '' for a
 * modifier pressed alone. The key by its place (`event.code`), so Shift or Alt changing the
 * character (Alt+D typing "∂") does not change the shortcut.
 */
export function combination(event) {
  if (['Control', 'Alt', 'Shift', 'Meta', 'AltGraph', 'OS', 'Super'].includes(event.key)) return '';
  let key;
  const code = event.code || '';
  if (/^Key[A-Z]$/.test(code)) key = code.slice(3).toLowerCase();
  else if (/^Digit\d$/.test(code)) key = code.slice(5);
  else if (/^F\d{1,2}$/.test(code)) key = code.toLowerCase();
  else if (event.key && event.key !== 'Unidentified') key = KEY_NAMES[event.key] || event.key.toLowerCase();
  else key = fromKeyCode(event.keyCode);
  if (!key) return '';
  const mods = [];
  if (event.ctrlKey) mods.push('ctrl');
  if (event.altKey) mods.push('alt');
  if (event.shiftKey) mods.push('shift');
  if (event.metaKey) mods.push('super');
  return [...mods, key].join('+');
}

/** `ctrl+alt+h` as `aria-keyshortcuts` writes it: `Control+Alt+H`. */
export function ariaShortcut(kept) {
  const names = { ctrl: 'Control', alt: 'Alt', shift: 'Shift', super: 'Meta' };
  return String(kept || '').split('+').filter(Boolean)
    .map((p) => names[p] || (p.length === 1 ? p.toUpperCase() : p[0].toUpperCase() + p.slice(1)))
    .join('+');
}

/**
 * What a key does in the wrap-up offered after a call: `{pick: n}` (digits 1–`count`, outside
 * the note, where digits are the note's), 'save' (Enter outside the note: the note's own Enter
 * submits its form), 'skip' (Escape), or null (the key does its usual thing).
 */
export function wrapUpKey({ key, ctrlKey, altKey, metaKey, inNote }, count) {
  if (key === 'Escape') return 'skip';
  if (ctrlKey || altKey || metaKey || inNote) return null;
  if (key === 'Enter') return 'save';
  const n = /^[1-9]$/.test(key) ? Number(key) : 0;
  return n && n <= count ? { pick: n } : null;
}

/**
 * Whether Recent calls offer to wrap up (or edit the wrap-up of) a call: one that was placed
 * (or may have been) and is not live here (the call bar offers it when it ends).
 */
export function canWrapUp({ state, stage } = {}) {
  if (state === 'pending' || state === 'notPlaced') return false;
  return !stage || stage === 'ended';
}

/**
 * A call's after-call hand-off as Recent calls show it: `{text, title}` when its wrap-up did
 * not reach the CRM ("Not delivered to your CRM", the reason in the title), else null.
 */
export function handoffNotice({ handoff } = {}) {
  if (!handoff || handoff.delivered) return null;
  return {
    text: 'Not delivered to your CRM',
    title: handoff.reason ? `Not delivered to your CRM: ${handoff.reason}` : 'Not delivered to your CRM',
  };
}

/** The after-call setting as the page shows it: `{kind: 'off'|'post'|'open', url}`. */
export function afterCallShown(afterCall) {
  return afterCall ? { kind: afterCall.kind, url: afterCall.url || '' } : { kind: 'off', url: '' };
}

/** A call's wrap-up in words: "Call back · Thursday 4pm", one of them, or ''. */
export function wrapUpText({ disposition, note } = {}) {
  return [disposition, note].filter(Boolean).join(' · ');
}
