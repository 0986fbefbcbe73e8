// End to end: close to the tray. Closing the window keeps Clickdial running in the tray, without
// its page: WebKit's web process (most of the memory) goes with the window. A second launch
// builds the window again, with the number that was typed and, once, the notice saying where it
// went. Run by scripts/test.sh inside a private D-Bus session (single instance) and Xvfb.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, processes, root, sleep, startDriver, waitFor,
} from './webdriver.js';

let driver;
let session;
after(async () => {
  await session?.close();
  await driver?.stop();
});

/** Clickdial's window processes, and the WebKit page processes they started. */
function clickdial() {
  const all = processes();
  const apps = all.filter((p) => p.name.startsWith('clickdial'));
  const pages = all.filter((p) => p.name.startsWith('WebKitWebProces') && apps.some((a) => a.pid === p.ppid));
  return { apps, pages };
}

test('closing the window keeps Clickdial in the tray without its page; a second launch builds it again', { timeout: 120000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"));
  // Typed, as far as the page can tell (the app keeps what is typed for the next page).
  await session.run("const n = document.querySelector('#number'); n.value = '98765 43210'; n.dispatchEvent(new Event('input')); return true;");
  await waitFor('the page process', () => clickdial().pages.length === 1);
  const [running] = clickdial().apps;

  const close = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
  assert.equal(close.status, 0, close.stderr.toString());
  // The window and its page are gone; the app is not.
  await waitFor('the window to go', async () => (await session.windows()).length === 0);
  await waitFor('the page process to end', () => clickdial().pages.length === 0);
  await sleep(500);
  assert.deepEqual(clickdial().apps.map((p) => p.pid), [running.pid], 'the app is still running');

  // A second launch hands over to it and exits; a new window comes, with what was typed and,
  // once, the notice saying where it went.
  const second = spawnSync(app, [], { timeout: 20000 });
  assert.equal(second.status, 0, String(second.stderr));
  const [handle] = await waitFor('the window to come back', async () => {
    const handles = await session.windows();
    return handles.length === 1 && handles;
  });
  await session.switchTo(handle);
  await waitFor('the typed number', async () => (await session.run("return document.querySelector('#number').value;")) === '98765 43210');
  await waitFor('the one-time notice', async () => (await session.text('#notice')).includes('still running in the tray'));
  assert.equal(clickdial().pages.length, 1);
  assert.deepEqual(clickdial().apps.map((p) => p.pid), [running.pid], 'the same app, not a new one');

  // Closed, then two launches at once (a double click): one window, not two.
  assert.equal(spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']).status, 0);
  await waitFor('the window to go', async () => (await session.windows()).length === 0);
  const both = [spawn(app, [], { stdio: 'ignore' }), spawn(app, [], { stdio: 'ignore' })];
  await Promise.all(both.map((p) => new Promise((done) => p.on('exit', done))));
  await waitFor('a window', async () => (await session.windows()).length > 0);
  await sleep(1500);
  assert.equal((await session.windows()).length, 1, 'one window');
  assert.equal(clickdial().pages.length, 1, 'one page process');

  // Closed again, then a phone link is clicked: the window is built for it, with its sheet.
  assert.equal(spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']).status, 0);
  await waitFor('the window to go again', async () => (await session.windows()).length === 0);
  const link = spawnSync(app, ['tel:+91-98765-43210'], { timeout: 20000 });
  assert.equal(link.status, 0, String(link.stderr));
  const [again] = await waitFor('a window for the link', async () => {
    const handles = await session.windows();
    return handles.length === 1 && handles;
  });
  await session.switchTo(again);
  await waitFor('the link on its sheet', async () => (await session.run("return document.querySelector('#sheet').open;"))
    && (await session.text('#sheet-title')) === 'Connect an account to dial +91 98765 43210');
  assert.deepEqual(clickdial().apps.map((p) => p.pid), [running.pid], 'still the same app');
  await session.close();
  await driver.stop();
  session = undefined;
  driver = undefined;
});

test('started at login with "start hidden", Clickdial builds no window until asked', { timeout: 60000 }, async () => {
  // Settings as the Settings page saves them (version 2 of the file).
  const dir = join(process.env.XDG_DATA_HOME, 'in.clickdial.desktop');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ settings: { version: 2, startHidden: true } }));
  // The first test's app is gone (else this start would hand over to it).
  await waitFor('no Clickdial running', () => clickdial().apps.length === 0);
  const started = spawn(app, ['--autostart'], { stdio: 'ignore' });
  try {
    await waitFor('the app to start', () => clickdial().apps.length === 1);
    await sleep(3000);
    assert.equal(clickdial().pages.length, 0, 'no page while hidden');
    assert.equal(started.exitCode, null, 'still running');
    // Asked for (a second launch, as from the menu): the window is built.
    const second = spawnSync(app, [], { timeout: 20000 });
    assert.equal(second.status, 0, String(second.stderr));
    await waitFor('the page process', () => clickdial().pages.length === 1);
  } finally {
    // This test's app (the second launch handed over to it and exited), and its WebKit children.
    for (const p of processes().filter((q) => q.pid === started.pid || q.ppid === started.pid)) {
      process.kill(p.pid, 'SIGKILL');
    }
    await waitFor('the app to stop', () => clickdial().apps.length === 0);
  }
});
