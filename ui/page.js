// Which screen shows, from the backend's status: the welcome screen until an account (or the
// demo) is set up, then the dial screen or Settings; the header's account pill; notices.
import { hostOf } from './backend.js';
import { EVENTS } from './ipc.js';
import { backend, listen } from './app.js';
import { state } from './state.js';
import { $, realFields, setMessage, showNotice } from './view.js';
import { loadLists } from './screens/agents.js';
import { renderSettings } from './screens/settings.js';

const views = ['view-loading', 'view-welcome', 'view-dial', 'view-settings'];

function show(view) {
  if (view === 'view-settings') realFields($(view));
  for (const v of views) $(v).hidden = v !== view;
  $('open-settings').hidden = view !== 'view-dial';
  $('close-settings').hidden = view !== 'view-settings';
}

/** The page as `state.status` says: the welcome screen, or `view` (the dial screen by default). */
export function render(view) {
  const { status } = state;
  // A notice is sent once; the next status clears it.
  showNotice(status.notice || '');
  if (!status.configured) {
    $('account').hidden = true;
    showWelcome(false);
    return;
  }
  $('account').hidden = false;
  $('mode').textContent = status.demo ? 'Demo' : hostOf(status.baseUrl);
  // A long host name is cut short in the pill; the whole address is in its tooltip.
  $('mode').title = status.baseUrl || '';
  $('mode').classList.toggle('demo', status.demo);
  $('demo-banner').hidden = !status.demo;
  $('demo-url').textContent = status.demo ? status.baseUrl : '';
  renderSettings();
  if (view === 'view-settings') {
    show('view-settings');
    return;
  }
  show('view-dial');
  if (!state.listsLoaded) loadLists(false);
  $('number').focus();
}

/** The welcome screen; `changing`: only the account form, with Cancel (from Settings). */
export function showWelcome(changing) {
  $('welcome-intro').hidden = changing;
  // The organization's policy can refuse the demo: it is not offered then.
  $('demo-card').hidden = state.status?.demoAllowed === false;
  $('cancel-change').hidden = !changing;
  setMessage($('account-error'), '');
  show('view-welcome');
}

export function setupPage() {
  listen(EVENTS.notice, ({ payload }) => showNotice(String(payload || '')));
  // Shown again from the tray, a link or a second launch: pick up a notice meant for it.
  listen(EVENTS.windowShown, async () => {
    try {
      const s = await backend.status();
      if (s.notice) showNotice(s.notice);
    } catch {
      // The next action reports any problem.
    }
  });
}
