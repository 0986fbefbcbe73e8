// The account: connecting one (the welcome screen's form) or trying the demo, and, in Settings'
// account card, checking the connection, changing the account and signing out.
import { PROVIDERS, errorTone } from '../backend.js';
import { signOutQuestion } from '../logic.js';
import { backend } from '../app.js';
import { render, showWelcome } from '../page.js';
import { state } from '../state.js';
import { $, ask, setMessage, showNotice } from '../view.js';
import { resetLists } from './agents.js';
import { clearDial } from './dial.js';
import { refreshCalls } from './follow.js';
import { loadHistory } from './history.js';
import { leaveSettings } from './settings.js';
import { refreshLinks } from './sheet.js';

function selectedProvider() {
  return PROVIDERS.find((p) => p.id === $('provider').value) || PROVIDERS[0];
}

function signInMode() {
  return document.querySelector('input[name="sign-in"]:checked').value;
}

/**
 * Another account (or none, or the demo) is in use: nothing of the previous one stays on show
 * (its last result, its call in the call bar, its Recent calls; issue 25 item 4).
 */
function forgetAccount() {
  clearDial();
  setMessage($('lists-message'), '');
  resetLists();
  refreshCalls();
  if ($('history').open) loadHistory();
}

/** A new account (or the demo) is in use: its lists, its screen, a link that waited for it. */
function started(status) {
  state.status = status;
  forgetAccount();
  render();
  refreshLinks();
}

function setupAccountForm() {
  for (const p of PROVIDERS) {
    const el = document.createElement('option');
    el.value = p.id;
    el.textContent = p.name;
    $('provider').append(el);
  }
  $('provider').addEventListener('change', () => {
    $('base-url-row').hidden = selectedProvider().id !== 'custom';
  });
  for (const radio of document.querySelectorAll('input[name="sign-in"]')) {
    radio.addEventListener('change', () => {
      const password = signInMode() === 'password';
      $('token-fields').hidden = password;
      $('password-fields').hidden = !password;
    });
  }
  $('account-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('connect').disabled = true;
    $('connect').textContent = 'Checking…';
    setMessage($('account-error'), '');
    try {
      const { status: next, check } = await backend.saveAccount({
        provider: selectedProvider().id,
        baseUrl: $('base-url').value,
        signIn: signInMode(),
        token: $('token').value,
        email: $('email').value,
        password: $('password').value,
      });
      for (const id of ['token', 'password']) $(id).value = '';
      state.afterLoad = check.message;
      started(next);
    } catch (e) {
      setMessage($('account-error'), e.message, errorTone(e.code));
    } finally {
      $('connect').disabled = false;
      $('connect').textContent = 'Connect';
    }
  });
  $('cancel-change').addEventListener('click', () => render('view-settings'));
  $('demo').addEventListener('click', async () => {
    $('demo').disabled = true;
    try {
      started(await backend.startDemo());
    } catch (e) {
      showNotice(e.message);
    } finally {
      $('demo').disabled = false;
    }
  });
}

function setupAccountCard() {
  $('check').addEventListener('click', async () => {
    $('check').disabled = true;
    setMessage($('check-message'), 'Checking…');
    try {
      const check = await backend.checkConnection();
      setMessage($('check-message'), check.message, 'ok');
      state.listsLoaded = false;
    } catch (e) {
      setMessage($('check-message'), e.message, errorTone(e.code));
    } finally {
      $('check').disabled = false;
    }
  });
  $('change-account').addEventListener('click', async () => {
    if (await leaveSettings()) showWelcome(true);
  });
  $('signout').addEventListener('click', async () => {
    const answer = await ask(signOutQuestion(state.status));
    if (answer !== 'go') return;
    try {
      state.status = await backend.signOut();
      forgetAccount();
      render();
    } catch (e) {
      setMessage($('check-message'), e.message, 'error');
    }
  });
}

export function setupAccount() {
  setupAccountForm();
  setupAccountCard();
}
