// Settings: the account's facts, the Dialling preferences (saved, or asked about when left
// unsaved), the wrap-up's dispositions and the phone-link doctor. The account card's buttons
// are account.js's.
import {
  REGIONS, minutesToSeconds, passwordExpiryText, providerName, signInText,
} from '../backend.js';
import { afterCallShown, secondsToMinutes } from '../logic.js';
import { backend } from '../app.js';
import { render } from '../page.js';
import { state } from '../state.js';
import { $, ask, setMessage } from '../view.js';
import { updatePreview } from './dial.js';

// The Dialling preferences as last shown or saved: leaving with other values asks first.
let prefsShown = '';
// The dispositions as last shown or saved.
let dispositionsShown = '';

/** The words on what the organization's policy fixed. */
export const MANAGED = 'Managed by your organization';

// The controls of settings the policy can lock, by the name `status.locked` gives.
const LOCKABLE = {
  server: 'fact-server',
  linksWithoutAsking: 'links-without-asking',
  hotkey: 'hotkey',
  hangUpHotkey: 'hang-up-hotkey',
  notify: 'notify',
  startAtLogin: 'autostart',
  dispositions: 'dispositions',
  afterCall: 'after-call-kind',
};

const AFTER_CALL_HINTS = {
  off: 'Only wrap-ups you save are sent: never a recording. An https:// address.',
  post: 'Each wrap-up you save is sent as JSON (below: a sample call’s) to this https:// address, tried 3 times.',
  open: 'Each wrap-up you save opens this link; write {e164} {number} {ref_id} {call_id} {outcome} {disposition} {note} {agent} {agent_name} {caller_id} {talk_seconds} {started_at} where its values go.',
};

let previewTimer = null;
let previewAsked = 0;

/** The after-call field as its kind says, and what a sample call would send (under it). */
function showAfterCall() {
  const kind = $('after-call-kind').value;
  const url = $('after-call-url');
  url.hidden = kind === 'off';
  url.placeholder = kind === 'open' ? 'https://crm.example.com/log?phone={e164}&ref={ref_id}' : 'https://crm.example.com/calls';
  // The demo's calls are not the account's: a CRM never hears of them.
  const demo = kind !== 'off' && state.status?.demo ? ' Demo calls are never sent.' : '';
  $('after-call-hint').textContent = (AFTER_CALL_HINTS[kind] || AFTER_CALL_HINTS.off) + demo;
  clearTimeout(previewTimer);
  const preview = $('after-call-preview');
  // The organization's (shown without its query): nothing for the agent to preview.
  if (kind === 'off' || !url.value.trim() || url.disabled) {
    preview.hidden = true;
    preview.textContent = '';
    return;
  }
  const asked = ++previewAsked;
  previewTimer = setTimeout(async () => {
    let text;
    let failed = false;
    try {
      text = await backend.previewAfterCall({ kind, url: url.value });
    } catch (e) {
      text = e.message;
      failed = true;
    }
    if (asked !== previewAsked) return;
    preview.textContent = failed ? text : `A sample call would send:\n${text}`;
    preview.classList.toggle('error', failed);
    preview.hidden = false;
  }, 250);
}

/** Marks the element `id` (a control, or a fact) as managed, or not: a calm note under its
 * label (inside a fact), and the control cannot be changed. */
function markManaged(id, managed) {
  const el = $(id);
  const label = el.closest('label') || document.querySelector(`label[for="${id}"]`);
  let note = document.getElementById(`managed-${id}`);
  if (managed && !note) {
    note = document.createElement(label ? 'p' : 'span');
    note.id = `managed-${id}`;
    note.className = 'managed';
    if (label) label.after(note);
    else el.append(note);
  }
  if (note) {
    note.hidden = !managed;
    note.textContent = managed ? MANAGED : '';
  }
  if (managed && 'disabled' in el) el.disabled = true;
}

/** The history choices under the policy's most days: longer ones (and "Always") are not
 * offered, and the most is. */
function capHistory(max) {
  const select = $('history-days');
  if (max && ![...select.options].some((o) => o.value === String(max))) {
    select.append(new Option(`For ${max} days`, String(max)));
  }
  for (const o of select.options) {
    const over = !!max && (o.value === '0' || Number(o.value) > max);
    o.hidden = over;
    o.disabled = over;
  }
  const note = $('history-note');
  note.hidden = !max;
  note.textContent = max ? `At most ${max} days. ${MANAGED}.` : '';
}

/** Settings as `state.status` says. */
export function renderSettings() {
  const { status } = state;
  $('fact-provider').textContent = providerName(status);
  $('fact-server').textContent = status.baseUrl || '';
  $('fact-sign-in').textContent = signInText(status);
  setMessage($('password-expiry'), passwordExpiryText(status), 'warn');
  $('signout').textContent = status.demo ? 'Leave demo' : 'Sign out';
  $('change-account').hidden = status.demo;
  $('check').hidden = status.demo;
  $('region').value = status.region;
  $('call-timeout').value = secondsToMinutes(status.callTimeout);
  $('links-without-asking').checked = !!status.linksWithoutAsking;
  $('hotkey').value = status.hotkey || '';
  $('hang-up-hotkey').value = status.hangUpHotkey || '';
  $('start-hidden').checked = !!status.startHidden;
  const days = String(status.historyDays ?? 365);
  if (![...$('history-days').options].some((o) => o.value === days)) {
    // A value set elsewhere (the settings file): shown as it is.
    $('history-days').append(new Option(`For ${days} days`, days));
  }
  $('history-days').value = days;
  capHistory(status.historyDaysMax);
  $('notify').checked = !!status.notify;
  $('choose-each').checked = !!status.chooseAgentEachCall;
  $('team-check').checked = !!status.teamCheck;
  const afterCall = afterCallShown(status.afterCall);
  $('after-call-kind').value = afterCall.kind;
  $('after-call-url').value = afterCall.url;
  const locked = new Set(status.locked || []);
  $('after-call-url').disabled = locked.has('afterCall');
  showAfterCall();
  const followAutostart = () => {
    // Kept on by the policy: "keep it in the tray" stays the agent's choice.
    $('start-hidden').disabled = !$('autostart').checked
      || ($('autostart').disabled && !locked.has('startAtLogin'));
  };
  backend.autostart().then((on) => {
    // null: not available here.
    $('autostart').disabled = on === null || locked.has('startAtLogin');
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
  $('hang-up-hotkey').disabled = !status.shortcutsSupported;
  if (!status.shortcutsSupported) {
    $('hotkey-hint').textContent = 'Shortcuts for the whole desktop do not work in a Wayland session. Use the tray menu’s “Dial clipboard” instead.';
  }
  if (locked.has('hotkey') && !status.hotkey) $('hotkey').placeholder = 'Off';
  for (const [name, id] of Object.entries(LOCKABLE)) markManaged(id, locked.has(name));
  prefsShown = prefsValues();
  renderDispositions();
}

/** The dispositions: the agent's list, or the organization's (shown, managed). */
function renderDispositions() {
  const { status } = state;
  const managed = (status.locked || []).includes('dispositions');
  $('dispositions').value = (managed ? status.dispositions : status.dispositionSetting || []).join('\n');
  $('dispositions').disabled = managed;
  $('save-dispositions').hidden = managed;
  $('dispositions-defaults').hidden = managed;
  dispositionsShown = $('dispositions').value;
}

/** Saves the dispositions; whether it worked (the form says why not). */
async function saveDispositions() {
  try {
    state.status = await backend.setDispositions($('dispositions').value);
    renderDispositions();
    setMessage($('dispositions-message'), 'Saved.', 'ok');
    return true;
  } catch (e) {
    setMessage($('dispositions-message'), e.message, 'error');
    return false;
  }
}

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
    const before = state.status.chooseAgentEachCall;
    state.status = await backend.savePreferences({
      region: $('region').value,
      callTimeout,
      linksWithoutAsking: $('links-without-asking').checked,
      hotkey: $('hotkey').disabled ? null : $('hotkey').value,
      hangUpHotkey: $('hang-up-hotkey').disabled ? null : $('hang-up-hotkey').value,
      startHidden: $('start-hidden').checked,
      historyDays: Number($('history-days').value),
      notify: $('notify').checked,
      chooseAgentEachCall: $('choose-each').checked,
      teamCheck: $('team-check').checked,
      // The organization's (locked) is not the agent's to send back.
      afterCallKind: $('after-call-kind').disabled ? null : $('after-call-kind').value,
      afterCallUrl: $('after-call-url').value,
    });
    if (!$('autostart').disabled) {
      $('autostart').checked = await backend.setAutostart($('autostart').checked);
    }
    prefsShown = prefsValues();
    setMessage($('prefs-message'), 'Saved.', 'ok');
    if (before !== state.status.chooseAgentEachCall) state.listsLoaded = false;
    updatePreview();
    return true;
  } catch (e) {
    setMessage($('prefs-message'), e.message, 'error');
    return false;
  }
}

/** Unsaved changes: saved (by `save`) or dropped as the agent says; false: keep editing. */
async function askToSave(title, text, save) {
  const answer = await ask({
    title,
    text,
    buttons: [
      { value: 'save', label: 'Save', kind: 'primary' },
      { value: 'discard', label: 'Don’t save' },
      { value: 'cancel', label: 'Keep editing' },
    ],
  });
  if (answer === 'cancel') return false;
  return answer !== 'save' || save();
}

/** Leaving Settings: unsaved changes are saved or dropped as the agent says, never lost silently. */
export async function leaveSettings() {
  if (prefsValues() !== prefsShown
      && !(await askToSave('Save your changes?', 'You changed your dialling settings but did not save them.', savePrefs))) {
    return false;
  }
  if (!$('dispositions').disabled && $('dispositions').value !== dispositionsShown
      && !(await askToSave('Save your dispositions?', 'You changed what a call’s wrap-up offers but did not save it.', saveDispositions))) {
    return false;
  }
  return true;
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

export function setupSettings() {
  for (const [code, name] of REGIONS) {
    const el = document.createElement('option');
    el.value = code;
    el.textContent = name;
    $('region').append(el);
  }
  $('open-settings').addEventListener('click', () => {
    setMessage($('check-message'), '');
    setMessage($('prefs-message'), '');
    setMessage($('dispositions-message'), '');
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
  $('after-call-kind').addEventListener('change', showAfterCall);
  $('after-call-url').addEventListener('input', showAfterCall);
  $('prefs-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await savePrefs();
  });
  $('dispositions-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await saveDispositions();
  });
}
