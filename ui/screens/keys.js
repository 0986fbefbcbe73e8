// The key recorder of Settings' shortcut fields: click the field, press the keys; the field shows
// them as Clickdial keeps them (ctrl+alt+d). Whether a combination may be a shortcut is the
// app's rule (system combinations such as Ctrl+C or Alt+F4, plain keys: refused, in words), asked
// at once so the agent hears it while their fingers are still on the keys; Save applies it again.
// Tab and Shift+Tab move on as anywhere; Backspace or Delete empties the field.
import { combination } from '../logic.js';
import { backend } from '../app.js';
import { $, setMessage } from '../view.js';

let seq = 0;

async function record(event) {
  const input = event.currentTarget;
  if (event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey) return;
  event.preventDefault();
  if ((event.key === 'Backspace' || event.key === 'Delete') && !event.ctrlKey && !event.altKey) {
    input.value = '';
    setMessage($('keys-message'), '');
    return;
  }
  const combo = combination(event);
  if (!combo) return; // a modifier alone: wait for the key
  const mine = ++seq;
  try {
    const kept = await backend.checkShortcut(combo);
    if (mine !== seq) return;
    input.value = kept;
    setMessage($('keys-message'), '');
  } catch (e) {
    if (mine !== seq) return;
    setMessage($('keys-message'), e.message, 'error');
  }
}

export function setupKeys() {
  for (const input of document.querySelectorAll('input.keys')) {
    input.addEventListener('keydown', record);
    // Typed text never lands in the field: only recorded keys do.
    input.addEventListener('beforeinput', (event) => event.preventDefault());
  }
}
