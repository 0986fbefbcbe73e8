// The dial screen: the number (its live preview, pasted text, the keyboard) and Call. The agent
// and caller ID pickers are in agents.js; placing the call is dialing.js's, shared with the sheet.
import { countryCue, previewText, stillTyping, typingHint } from '../backend.js';
import { blockedQuestion } from '../logic.js';
import { backend } from '../app.js';
import { dialing, placeCall } from '../dialing.js';
import { agentById, state } from '../state.js';
import { $, ask, chosen, setMessage } from '../view.js';

let previewSeq = 0;
// The number as last previewed: valid (with its preview) or why not.
let numberState = { valid: false, error: null };

/**
 * The line under the number. While the input could still become a number (only digits and
 * separators so far), a calm hint; an error only for letters and the like, or when the agent
 * leaves the field or presses Enter (`strict`). The line keeps its height, so nothing jumps.
 */
export async function updatePreview(strict = false) {
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
    setMessage($('preview'), previewText(p, state.status?.region, did), countryCue(p, did) ? 'warn' : 'ok');
  } catch (e) {
    if (seq !== previewSeq) return;
    numberState = { valid: false, error: e.message };
    if (!strict && stillTyping(input)) {
      setMessage($('preview'), typingHint(state.status?.region), null);
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

/** Puts a number in the field as if typed: the old result goes, the preview follows. */
export function setNumber(text) {
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

async function onDial(event) {
  event.preventDefault();
  if (dialing()) return;
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
    setMessage($('result'), state.status.chooseAgentEachCall ? 'Choose the agent whose phone should ring first.' : 'Choose which agent you are first.', 'error');
    $('agent').focus();
    return;
  }
  const picked = agentById(agent);
  if (picked?.status === 'blocked') {
    const answer = await ask(blockedQuestion(picked));
    $('number').focus();
    if (answer !== 'dial') return;
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
  const ref = $('result-ref').textContent;
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
}

export function setupDial() {
  $('copy-ref').addEventListener('click', copyReference);
  $('caller').addEventListener('change', () => {
    updatePreview();
    $('number').focus();
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
}
