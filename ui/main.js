// The Clickdial window's entry: wires each screen, then shows the one the backend's status calls
// for. The tree is the map:
//
//   app.js        the line to the backend (IPC), and the first status, asked at once
//   state.js      what more than one screen shares (the status, the agents, the lists' state)
//   view.js       DOM helpers: elements, message lines, the in-window question
//   page.js       which screen shows (welcome, dial, Settings), the header, notices
//   dialing.js    the one dial path, for the dial screen's Call and the confirm sheet's
//   logic.js      the screens' pure decisions and sentences (tested, with backend.js)
//   screens/      dial.js (the number and Call), agents.js (the agent and caller ID pickers),
//                 sheet.js (the confirm sheet), follow.js (the call in progress),
//                 wrapup.js (what came of it, once it ended),
//                 history.js (recent calls), settings.js, account.js
//
// Modules import each other's functions directly, some both ways (a screen renders the page,
// the page renders that screen): nothing but app.js's first status runs while they load, so the
// order in which they load does not matter.
import { firstStatus } from './app.js';
import { render, setupPage, showWelcome } from './page.js';
import { state } from './state.js';
import { $, showNotice } from './view.js';
import { setupAccount } from './screens/account.js';
import { setupAgents } from './screens/agents.js';
import { setupDial, updatePreview } from './screens/dial.js';
import { refreshCalls, setupFollow } from './screens/follow.js';
import { setupHistory } from './screens/history.js';
import { setupSettings } from './screens/settings.js';
import { setupBrowserPolicy } from './screens/browser.js';
import { setupKeys } from './screens/keys.js';
import { refreshLinks, setupSheet } from './screens/sheet.js';
import { setupWrapUp } from './screens/wrapup.js';

async function start() {
  setupAccount();
  setupSettings();
  setupBrowserPolicy();
  setupKeys();
  setupSheet();
  setupPage();
  setupFollow();
  setupWrapUp();
  setupHistory();
  setupAgents();
  setupDial();
  try {
    state.status = await firstStatus;
    render();
    // What scripts/bench-footprint.sh times a start to.
    performance.mark('clickdial-interactive');
    if (state.status.draft && !$('number').value) {
      $('number').value = state.status.draft;
      updatePreview();
    }
    refreshLinks();
    // A call placed while the window was closed (tray, link, hotkey) is followed here too.
    if (state.status.configured) refreshCalls();
  } catch (e) {
    showNotice(e.message);
    showWelcome(false);
  }
}

start();
