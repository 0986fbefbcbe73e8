// The dial screen: the number (its live preview, pasted text, the keyboard) and Call. The agent
// and caller ID pickers are in agents.js; placing the call is dialing.js's, shared with the sheet.
import { countryCue, previewText, stillTyping, typingHint } from '../backend.js';
import { blockedQuestion, colleagueQuestion } from '../logic.js';
import { backend } from '../app.js';
import { dialing, placeCall } from '../dialing.js';
import { agentById, state } from '../state.js';
import { canGoAvailable, setAvailable } from './agents.js';
import { $, ask, chosen, copyText, setMessage } from '../view.js';

let previewSeq = 0;
// The number as last previewed, for `input` (the field's text then): valid, with what the text
// holds (`found`: the numbers, the first to dial, and whether the text is that one number as
// written), or why not (`error`).
let numberState = { valid: false, error: null, found: null, input: '' };

/** Too many digits, by the error's data: said at once, not "keep typing". */
const tooMany = (e) => ['tooManyDigits', 'tooLong'].includes(e?.detail?.problem);

/**
 * The line under the number. While the input could still become a number (only digits and
 * separators so far), a calm hint; an error only for letters and the like, too many digits, or
 * when the agent leaves the field or presses Enter (`strict`). The line keeps its height, so
 * nothing jumps. Text around numbers (a CRM line typed or dropped in) is read as pasted text
 * is: the first number is the one to dial, the others are offered under the field; `take`
 * puts the first into the field at once (text pasted without a paste event: a drop, a
 * middle-click).
 */
export async function updatePreview(strict = false, take = false) {
  const seq = ++previewSeq;
  const input = $('number').value;
  // Kept by the app: closing the window to the tray destroys this page.
  backend.keepDraft(input).catch(() => {});
  if (!input.trim()) {
    numberState = { valid: false, error: null, found: null, input };
    setMessage($('preview'), '');
    $('preview').hidden = false;
    markCall();
    return;
  }
  try {
    const found = await backend.findNumbers(input);
    if (seq !== previewSeq) return;
    numberState = { valid: true, error: null, found, input };
    const [first, ...others] = found.numbers;
    if (!found.whole) {
      if (take) {
        takeFirst();
        return;
      }
      showPicks(others);
    }
    const caller = [...$('caller').options].find((o) => o.value && o.value === $('caller').value);
    const did = caller ? `+${caller.value}` : '';
    // Abroad from this caller ID: still dialable, but worth a second look.
    const text = previewText(first, state.status?.region, did);
    const from = others.length ? 'the first number in the text' : 'the number in the text';
    setMessage($('preview'), found.whole ? text : `${text}: ${from}`, countryCue(first, did) ? 'warn' : 'ok');
  } catch (e) {
    if (seq !== previewSeq) return;
    numberState = { valid: false, error: e.message, found: null, input };
    if (!strict && stillTyping(input) && !tooMany(e)) {
      setMessage($('preview'), typingHint(state.status?.region), null);
    } else {
      setMessage($('preview'), e.message, 'error');
    }
  }
  $('preview').hidden = false;
  markCall();
}

/**
 * Text around numbers was read: the first number goes into the field, the others stay offered.
 * Resolves once the field's preview is in.
 */
function takeFirst() {
  const [first, ...others] = numberState.found.numbers;
  $('number').value = first.international;
  const shown = updatePreview();
  showPicks(others);
  return shown;
}

/** Empties the number, the numbers offered and the last result (another account or agent). */
export function clearDial() {
  $('number').value = '';
  showPicks([]);
  setMessage($('result'), '');
  setMessage($('dial-note'), '');
  updatePreview();
}

/** Call looks unavailable until the number is valid (it stays clickable: Enter explains). */
function markCall() {
  $('call').classList.toggle('inactive', !numberState.valid);
  $('call').setAttribute('aria-disabled', String(!numberState.valid));
}

/** Puts a number in the field as if typed: the old result goes, the preview follows. */
export function setNumber(text) {
  $('number').value = text;
  showPicks([]);
  setMessage($('result'), '');
  setMessage($('dial-note'), '');
  return updatePreview();
}

/** The other numbers in typed or pasted text: one button each, under the field. */
function showPicks(found) {
  const box = $('number-picks');
  box.replaceChildren();
  box.hidden = !found.length;
  if (!found.length) return;
  const label = document.createElement('span');
  label.className = 'muted small';
  label.textContent = found.length === 1 ? 'Also in the text:' : `${found.length} more in the text:`;
  box.append(label);
  for (const n of found) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.textContent = n.international;
    b.addEventListener('click', () => {
      setNumber(n.international);
      $('number').focus();
    });
    box.append(b);
  }
}

// A team check under way: a second press meanwhile is the same press.
let checking = false;

async function onDial(event) {
  event.preventDefault();
  if (dialing()) return;
  if (!numberState.valid || numberState.input !== $('number').value) {
    await updatePreview(true);
    if (!numberState.valid) {
      if (!$('number').value.trim()) setMessage($('preview'), 'Type or paste a phone number.', 'error');
      $('number').focus();
      return;
    }
  }
  // Text around numbers: the field takes the first (the one the preview said it would dial).
  if (!numberState.found.whole) await takeFirst();
  const agent = chosen($('agent'), $('agent-manual'));
  if (!agent) {
    setMessage($('result'), state.status.chooseAgentEachCall ? 'Choose the agent whose phone should ring first.' : 'Choose which agent you are first.', 'error');
    $('agent').focus();
    return;
  }
  // The team check, when the agent turned it on: a colleague already with this customer asks.
  if (state.status.teamCheck) {
    if (checking) return;
    checking = true;
    const checked = $('number').value;
    let colleague = null;
    try {
      colleague = await backend.colleagueBeforeDial(checked);
    } catch {
      // The check never stands between the agent and the call.
    } finally {
      checking = false;
    }
    if (colleague) {
      const answer = await ask(colleagueQuestion(colleague));
      $('number').focus();
      if (answer !== 'dial') return;
    }
    // Another number typed meanwhile was not the one the press was for: nothing is dialled.
    if ($('number').value !== checked) return;
  }
  const picked = agentById(agent);
  if (picked?.status === 'blocked') {
    const answer = await ask(blockedQuestion(picked, { canSwitch: canGoAvailable(picked) }));
    $('number').focus();
    // "Go available and call": available first (through the app), then this one dial.
    if (answer === 'available') {
      if (!(await setAvailable(agent, true))) return;
    } else if (answer !== 'dial') return;
  }
  const answer = await placeCall({
    agent,
    callerId: chosen($('caller'), $('caller-manual')),
    number: $('number').value,
    button: $('call'),
    label: $('call-label'),
    placing: true,
  });
  if (!answer || answer.bounced) return;
  // Ready for the next call: Escape clears the field (the call bar keeps the number). Never
  // selected: on Linux a selection becomes the desktop's PRIMARY selection, and the dial
  // shortcut, which prefers it, would offer our own last number instead of what the agent
  // copied since (issue 25 item 7).
  const field = $('number');
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
}

async function copyReference() {
  await copyText($('copy-ref'), $('result-ref').textContent, $('result-ref'));
  $('number').focus();
}

export function setupDial() {
  $('copy-ref').addEventListener('click', copyReference);
  $('caller').addEventListener('change', () => {
    updatePreview();
    $('number').focus();
  });
  $('number').addEventListener('input', (event) => {
    // A result belongs to the number it was for: a new number clears it.
    setMessage($('result'), '');
    setMessage($('dial-note'), '');
    // The numbers offered belong to the text they came from (read again just below).
    showPicks([]);
    // Text dropped or pasted without a paste event is taken as pasted text is.
    updatePreview(false, ['insertFromDrop', 'insertFromPaste'].includes(event.inputType));
  });
  $('number').addEventListener('blur', () => {
    if ($('number').value.trim() && !numberState.valid) updatePreview(true);
  });
  // Pasted text: the number in it (a CRM line, a signature) in the field, the others offered.
  $('number').addEventListener('paste', async (event) => {
    const text = event.clipboardData?.getData('text') || '';
    if (!text.trim()) return;
    event.preventDefault();
    showPicks([]);
    try {
      const found = await backend.findNumbers(text);
      const [first, ...others] = found.numbers;
      await setNumber(first.international);
      showPicks(others);
    } catch {
      // No number in it: the text goes in as it is, and the preview explains.
      setNumber(text.trim());
    }
  });
  $('number').addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && $('number').value) {
      event.preventDefault();
      $('number').value = '';
      showPicks([]);
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
}
