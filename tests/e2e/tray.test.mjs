// End to end: close to the tray. Closing the window keeps Clickdial running (hidden, in the
// tray); a second launch shows the same window again, with the one-time notice saying where it
// went. Run by scripts/test.sh inside a private D-Bus session (single instance) and Xvfb.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, root, sleep, startDriver, waitFor,
} from './webdriver.js';


let driver;
let session;
after(async () => {
  await session?.close();
  await driver?.stop();
});

test('closing the window keeps Clickdial in the tray; a second launch shows it again', { timeout: 120000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"));
  await session.run("document.querySelector('#number').value = 'kept while hidden'; return true;");
  const close = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
  assert.equal(close.status, 0, close.stderr.toString());
  // Hidden, not gone: the same page, still running.
  await waitFor('the window to hide', async () => (await session.run('return document.visibilityState;')) === 'hidden');
  await sleep(500);
  assert.equal(await session.run('return document.visibilityState;'), 'hidden');

  // A second launch hands over to it and exits; the same window comes back, with what was typed
  // and, once, the notice saying where it went.
  const second = spawnSync(app, [], { timeout: 20000 });
  assert.equal(second.status, 0, String(second.stderr));
  await waitFor('the window to show again', async () => (await session.run('return document.visibilityState;')) === 'visible');
  assert.equal(await session.run("return document.querySelector('#number').value;"), 'kept while hidden');
  await waitFor('the one-time notice', async () => (await session.text('#notice')).includes('still running in the tray'));
});
