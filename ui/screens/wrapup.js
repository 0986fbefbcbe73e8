// After the call: when the call bar's call ends, the bar offers what came of it (the
// dispositions, numbered) and a one-line note. Focus moves there; digits 1–9 pick, Enter saves,
// Escape skips; Ctrl+L or a click in the number field skips it too. Nothing waits for it: the
// number field and Call work as before, and a new call on show drops it.
import { backend } from '../app.js';
import { wrapUpKey, wrapUpText } from '../logic.js';
import { state } from '../state.js';
import { $, announce, setMessage } from '../view.js';
import { loadHistory } from './history.js';

/** The ledger row of the call offered, while the offer is open. */
let offered = null;
let picked = null;
/** Calls already wrapped up or skipped here: never offered again. */
const done = new Set();

const choices = () => [...$('wrapup-choices').querySelectorAll('button')];

function choose(n) {
  picked = n;
  choices().forEach((b, i) => b.setAttribute('aria-pressed', String(i + 1 === n)));
}

/** Whether the number field holds another number than `call`'s: the agent is on to the next. */
function typingNext(call) {
  const typed = $('number').value.replace(/\D/g, '');
  return typed !== '' && !String(call.international || '').replace(/\D/g, '').endsWith(typed);
}

/** Offers the wrap-up of `call` (the bar's, just ended), unless it had one already. */
export function offerWrapUp(call) {
  const id = call?.id;
  if (id == null || done.has(id) || offered === id) return;
  const names = state.status?.dispositions || [];
  offered = id;
  picked = null;
  $('wrapup-note').value = '';
  setMessage($('wrapup-saved'), '');
  $('wrapup-choices').replaceChildren(
    $('wrapup-title'),
    $('wrapup-keys'),
    ...names.map((name, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `${i + 1} ${name}`;
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-keyshortcuts', String(i + 1));
      b.addEventListener('click', () => {
        choose(i + 1);
        $('wrapup-note').focus();
      });
      return b;
    }),
  );
  $('wrapup').hidden = false;
  // The agent already typing the next number keeps the cursor; otherwise it comes here.
  const typing = document.activeElement === $('number') && typingNext(call);
  if (!typing && !$('sheet').open) $('wrapup-choices').focus();
}

/** Closes the offer; `focusNumber`: the cursor goes back to the number, ready for the next. */
export function dropWrapUp(focusNumber = false) {
  if (offered == null) return;
  done.add(offered);
  offered = null;
  const hadFocus = $('wrapup').contains(document.activeElement);
  $('wrapup').hidden = true;
  if (focusNumber || hadFocus) $('number').focus();
}

async function save() {
  if (offered == null) return;
  const id = offered;
  const disposition = picked ? String(picked) : null;
  const note = $('wrapup-note').value.trim();
  try {
    const row = await backend.wrapUp({ id, disposition, note });
    if (offered === id) dropWrapUp(true);
    const text = `Saved: ${wrapUpText(row)}`;
    setMessage($('wrapup-saved'), text, 'ok');
    announce(text);
    if ($('history').open) loadHistory();
  } catch (e) {
    setMessage($('wrapup-saved'), e.message, 'error');
    announce(e.message);
  }
}

export function setupWrapUp() {
  $('wrapup').addEventListener('keydown', (event) => {
    const action = wrapUpKey({
      key: event.key,
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      metaKey: event.metaKey,
      inNote: event.target === $('wrapup-note'),
    }, choices().length);
    // Enter on a disposition's button picks it (its click); elsewhere it saves.
    if (!action || (action === 'save' && event.target.tagName === 'BUTTON')) return;
    event.preventDefault();
    if (action === 'skip') dropWrapUp(true);
    else if (action === 'save') save();
    else {
      choose(action.pick);
      $('wrapup-note').focus();
    }
  });
  $('wrapup').addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  $('wrapup-skip').addEventListener('click', () => dropWrapUp(true));
  // Going to the number (Ctrl+L, a click in it) is going on to the next call.
  $('number').addEventListener('mousedown', () => dropWrapUp());
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'l') dropWrapUp();
  });
}
