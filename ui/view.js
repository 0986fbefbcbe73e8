// The DOM helpers every screen uses: elements by ID, message lines, the in-window question.

export const $ = (id) => document.getElementById(id);

/**
 * Says `text` through the page's one live region (#announce, always in the page, seen by
 * screen readers only): a dial's result and each new stage of the call on show. The visible
 * lines that tick every second are not live, so a screen reader is not read a clock.
 */
export function announce(text) {
  const region = $('announce');
  if (!region || !text) return;
  // The same words again (a second call's "Connected") must be said again too.
  region.textContent = region.textContent === text ? `${text}\u00a0` : text;
}

/**
 * Copies `text` for a Copy `button`: it says "Copied" (or, where the page may not write the
 * clipboard, selects `shown` and says "Press Ctrl+C") for a moment, then its label again.
 * Resolves to what the button said.
 */
export async function copyText(button, text, shown) {
  // Its own label, kept from the first press (a second press comes while it says "Copied").
  button.dataset.label ??= button.textContent;
  const label = button.dataset.label;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    window.getSelection().selectAllChildren(shown);
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => { button.textContent = label; }, 1500);
  return button.textContent;
}

// A message line that rewrites itself each second (the repeat note's countdown), by element.
const tickers = new WeakMap();

/** A message line: its text (empty hides it) and its tone (ok, warn, error or none). */
export function setMessage(el, text, tone) {
  clearInterval(tickers.get(el));
  el.textContent = text || '';
  el.hidden = !text;
  el.classList.remove('ok', 'warn', 'error');
  if (tone) el.classList.add(tone);
}

/**
 * A message line that counts: `textAt(seconds since now)` each second, until it gives '' (the
 * line goes), `live` is false (it is shown once) or another setMessage replaces it.
 */
export function setCountdown(el, tone, textAt, live = true) {
  setMessage(el, '', tone);
  const started = Date.now();
  let timer = null;
  const tick = () => {
    const text = textAt(Math.floor((Date.now() - started) / 1000));
    el.textContent = text;
    el.hidden = !text;
    if (!text || !live) clearInterval(timer);
  };
  timer = setInterval(tick, 1000);
  tickers.set(el, timer);
  tick();
}

export function showNotice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
}

// The history's date field and Settings' number field become what they are when their screen
// first opens: date and number fields load ICU's locale formats into the page's process (about
// 1.4 MB), which the dial screen does without.
export function realFields(root) {
  for (const input of root.querySelectorAll('input[data-type]')) {
    input.type = input.dataset.type;
    input.removeAttribute('data-type');
  }
}

/** What a picker gives: the typed value when the token may not list them, else the chosen one. */
export function chosen(select, manual) {
  return (manual.hidden ? select.value : manual.value).trim();
}

/** Whether a select offers this value. */
export const offers = (select, value) => [...select.options].some((o) => o.value === value);

/** A question in the window (never the OS's dialog): resolves to the chosen button's value. */
export function ask({ title, text, buttons }) {
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
    // The button marked `focus` (the safe one), else the first.
    const at = Math.max(0, buttons.findIndex((b) => b.focus));
    $('ask-buttons').children[at]?.focus();
  });
}
