// Settings › Phone links: the browser policy an administrator installs so the CRM's pages open
// phone links without the browser's prompt. The backend writes it (the same as
// `clickdial handler browser-policy`); the page shows it to copy.
import { backend } from '../app.js';
import { policyPlace } from '../logic.js';
import { $, announce, copyText, setMessage } from '../view.js';

async function show(event) {
  event.preventDefault();
  const out = $('browser-policy-text');
  try {
    const prepared = await backend.browserPolicy({
      origin: $('browser-origin').value.trim(),
      browser: $('browser-name').value,
    });
    out.textContent = prepared.text;
    out.hidden = false;
    $('browser-policy-copy').hidden = false;
    setMessage($('browser-policy-message'), policyPlace(prepared), 'ok');
    announce('Browser policy shown.');
  } catch (e) {
    out.hidden = true;
    $('browser-policy-copy').hidden = true;
    setMessage($('browser-policy-message'), e.message, 'error');
    $('browser-origin').focus();
  }
}

export function setupBrowserPolicy() {
  $('browser-policy-form').addEventListener('submit', show);
  $('browser-policy-copy').addEventListener('click', () =>
    copyText($('browser-policy-copy'), $('browser-policy-text').textContent, $('browser-policy-text')));
  // A policy belongs to the address and browser it was made for.
  for (const id of ['browser-origin', 'browser-name']) {
    $(id).addEventListener('input', () => {
      $('browser-policy-text').hidden = true;
      $('browser-policy-copy').hidden = true;
      setMessage($('browser-policy-message'), '');
    });
  }
}
