// After the call: when the call bar's call ends, the bar offers what came of it (the
// dispositions, numbered) and a one-line note. Focus moves there; digits 1–9 pick, Enter saves,
// Escape skips; Ctrl+L or a click in the number field skips it too. Nothing waits for it: the
// number field and Call work as before, and a new call on show drops it.
// Recent calls reuse the same form to wrap up a call later, or edit its wrap-up: the form moves
// into the row, prefilled; Enter saves (replacing it), Escape cancels, and it goes back.
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
/** While a Recent calls row edits its wrap-up: that row, its Edit button, and the
 * disposition it had (kept unless another is picked). */
let editing = null;
/** Where the form lives when it is not in a row: under the call bar. */
let home = null;
/** A save under way: a second Enter meanwhile is the same save (each save hands off again). */
let saving = false;

/** The numbered choices (a kept disposition no longer offered has no number). */
const choices = () => [...$('wrapup-choices').querySelectorAll('button:not(.kept)')];

/** The disposition picked, by the name the agent saw (never its place in a list that may
 * have changed since); `null`: none picked. */
function pickedName() {
  return picked ? choices()[picked - 1]?.dataset.name || null : null;
}

/** Picks choice `n` (1-based); `null`: none, which keeps a saved one no longer offered. */
function choose(n) {
  picked = n;
  choices().forEach((b, i) => b.setAttribute('aria-pressed', String(i + 1 === n)));
  $('wrapup-choices').querySelector('button.kept')?.setAttribute('aria-pressed', String(n == null));
}

/** Whether the number field holds another number than `call`'s: the agent is on to the next. */
function typingNext(call) {
  const typed = $('number').value.replace(/\D/g, '');
  return typed !== '' && !String(call.international || '').replace(/\D/g, '').endsWith(typed);
}

/** The form's choices: the dispositions offered, numbered; `kept`, a saved one no longer
 * offered, shown pressed after them (kept unless another is picked). */
function fillChoices(kept = null) {
  const names = state.status?.dispositions || [];
  const buttons = names.map((name, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${i + 1} ${name}`;
    b.dataset.name = name;
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('aria-keyshortcuts', String(i + 1));
    b.addEventListener('click', () => {
      choose(i + 1);
      $('wrapup-note').focus();
    });
    return b;
  });
  if (kept) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'kept';
    b.textContent = kept;
    b.title = 'Saved earlier; no longer in the list';
    b.setAttribute('aria-pressed', 'true');
    b.addEventListener('click', () => {
      choose(null);
      $('wrapup-note').focus();
    });
    buttons.push(b);
  }
  $('wrapup-choices').replaceChildren($('wrapup-title'), $('wrapup-keys'), ...buttons);
}

/** Offers the wrap-up of `call` (the bar's, just ended), unless it had one already. */
export function offerWrapUp(call) {
  const id = call?.id;
  if (id == null || done.has(id) || offered === id) return;
  // A call that just ended comes first: an edit in Recent calls is given up.
  closeEdit(false);
  offered = id;
  picked = null;
  $('wrapup-note').value = '';
  setMessage($('wrapup-saved'), '');
  setMessage($('wrapup-problem'), '');
  $('wrapup-title').textContent = 'What came of the call?';
  $('wrapup-skip').textContent = 'Skip';
  fillChoices();
  $('wrapup').hidden = false;
  // The agent already typing the next number keeps the cursor; otherwise it comes here.
  const typing = document.activeElement === $('number') && typingNext(call);
  if (!typing && !$('sheet').open) $('wrapup-choices').focus();
}

/** The row whose wrap-up is being edited, if any (Recent calls keep it while it is). */
export function editingId() {
  return editing?.id ?? null;
}

/**
 * Recent calls: wrap up `row` later, or edit its wrap-up. The form moves into the row `li`,
 * prefilled with the row's disposition and note; `opener` gets the focus back after.
 */
export function editWrapUp(row, li, opener) {
  dropWrapUp();
  closeEdit(false);
  const form = $('wrapup');
  home ??= { parent: form.parentNode, next: form.nextSibling };
  const names = state.status?.dispositions || [];
  const at = names.indexOf(row.disposition);
  editing = { id: row.id, opener, kept: row.disposition && at < 0 ? row.disposition : null };
  picked = at >= 0 ? at + 1 : null;
  $('wrapup-title').textContent = row.disposition || row.note
    ? `Edit the wrap-up: ${row.international}`
    : `What came of the call to ${row.international}?`;
  $('wrapup-skip').textContent = 'Cancel';
  fillChoices(editing.kept);
  if (picked) choose(picked);
  $('wrapup-note').value = row.note || '';
  setMessage($('wrapup-problem'), '');
  li.append(form);
  form.hidden = false;
  $('wrapup-choices').focus();
}

/** Ends an edit: the form goes back under the call bar; `refocus`: to the row's button. */
function closeEdit(refocus = true) {
  if (!editing) return;
  const { opener } = editing;
  editing = null;
  const form = $('wrapup');
  form.hidden = true;
  home.parent.insertBefore(form, home.next);
  if (refocus && opener?.isConnected) opener.focus();
}

/** Closes the offer; `focusNumber`: the cursor goes back to the number, ready for the next. */
export function dropWrapUp(focusNumber = false) {
  if (editing) {
    closeEdit();
    return;
  }
  if (offered == null) return;
  done.add(offered);
  offered = null;
  const hadFocus = $('wrapup').contains(document.activeElement);
  $('wrapup').hidden = true;
  if (focusNumber || hadFocus) $('number').focus();
}

/** Saves an edit from Recent calls: it replaces the saved wrap-up; the list shows it. */
async function saveEdit() {
  const { id, opener } = editing;
  const note = $('wrapup-note').value.trim();
  try {
    const row = await backend.wrapUp({ id, disposition: pickedName(), note, replace: true });
    if (editing?.id !== id) return;
    closeEdit(false);
    announce(`Saved: ${wrapUpText(row) || 'no wrap-up'}`);
    await loadHistory(false, true);
    // The row's button, as the list was read again.
    const again = $('history-list').querySelector(`li[data-id="${id}"] button.wrap`);
    (again || opener)?.focus();
  } catch (e) {
    // Said in the form, beside the row (the call may have been removed from history).
    setMessage($('wrapup-problem'), e.message, 'error');
  }
}

async function save() {
  if (saving) return;
  saving = true;
  try {
    await (editing ? saveEdit() : saveOffered());
  } finally {
    saving = false;
  }
}

async function saveOffered() {
  if (offered == null) return;
  const id = offered;
  const disposition = pickedName();
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
