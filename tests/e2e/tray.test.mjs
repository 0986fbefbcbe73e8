// End to end: close to the tray. Closing the window frees its page at once, and after a grace
// period hands Clickdial's place to the tray keeper (`clickdial --keeper`: no GTK, no WebKit)
// and the window process ends; a launch (a second start, a clicked link) becomes the window
// again, with the number that was typed and, once, the notice saying where it went; the keeper
// holds the tray menu and the global shortcut. Run by scripts/test.sh inside a private D-Bus
// session (single instance) and Xvfb.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, ours, root, setSettings, sleep, startDriver, waitFor,
} from './webdriver.js';

// After the first test, the window hands over to the keeper at once (a minute after closing,
// for people): the settings file says so (`trayGraceSecs`, read at each close), written before
// each test starts Clickdial. The grace period itself is the first test's.

let driver;
let session;
after(async () => {
  await session?.close();
  await driver?.stop();
  for (const p of clickdial().all) process.kill(p.pid, 'SIGKILL');
});

/** This test's Clickdial processes (started by it, directly or not: they carry its private mark,
 * see webdriver.js's `ours`): windows, the keeper, and the WebKit page processes windows
 * started. A Clickdial running beside the test is neither counted nor ended. */
function clickdial() {
  const mine = ours();
  const all = mine.filter((p) => p.name.startsWith('clickdial'));
  const windows = all.filter((p) => p.name.startsWith('clickdial-win'));
  const keepers = all.filter((p) => p.name === 'clickdial'
    && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').includes('--keeper'));
  const pages = mine.filter((p) => p.name.startsWith('WebKitWebProces') && windows.some((a) => a.pid === p.ppid));
  return { all, windows, keepers, pages };
}

/** A process's proportional memory (PSS), in MB. */
function pssMb(pid) {
  const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return Number(m[1]) / 1024;
}

function closeWindow() {
  const close = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
  assert.equal(close.status, 0, String(close.stderr));
}

/** After a close: only the keeper is left, without GTK or WebKit, and small. */
async function keeperOnly(what) {
  await waitFor(`${what}: the window process to end and the keeper to take over`, () => {
    const now = clickdial();
    return now.windows.length === 0 && now.pages.length === 0 && now.keepers.length === 1;
    // A slow machine (2 cores, other builds beside the suite) takes longer than 15 s to end GTK
    // and WebKit and start the keeper.
  }, 40000);
  const [keeper] = clickdial().keepers;
  const maps = readFileSync(`/proc/${keeper.pid}/maps`, 'utf8');
  assert.ok(!/libgtk|libwebkit/.test(maps), 'the keeper loads neither GTK nor WebKit');
  return keeper;
}

/** The keeper's tray menu over D-Bus, as a tray host reads and clicks it (StatusNotifierItem's
 * com.canonical.dbusmenu): its items' labels, and a click on one by its label. */
function gdbus(...args) {
  const r = spawnSync('gdbus', ['call', '--session', ...args], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
function trayMenu(pid) {
  const names = gdbus('--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.ListNames');
  const item = new RegExp(`org\\.kde\\.StatusNotifierItem-${pid}-\\d+`).exec(names)?.[0];
  assert.ok(item, `the keeper (${pid}) shows a tray item: ${names}`);
  const layout = gdbus('--dest', item, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '[]');
  const items = [...layout.matchAll(/\((\d+), \{[^}]*'label': <'([^']*)'>/g)].map((m) => ({ id: m[1], label: m[2] }));
  return {
    labels: items.map((i) => i.label),
    click(label) {
      const found = items.find((i) => i.label === label);
      assert.ok(found, `no '${label}' in ${items.map((i) => i.label)}`);
      gdbus('--dest', item, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.Event', '--', found.id, 'clicked', '<0>', '0');
    },
  };
}

/** A new WebDriver session: the app started as the desktop starts it, driven from its page. */
async function launch(args = []) {
  await session?.close();
  session = await newSession(driver.base, app, args);
  await waitFor('the page', () => session.run('return document.readyState === "complete";'));
  return session;
}

test('within the grace period after a close, the app stays without its page and a launch rebuilds the window in it', { timeout: 90000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  setSettings({ trayGraceSecs: 600 });
  driver = await startDriver({ driver: driverBin, nativeDriver });
  await launch();
  await waitFor('the page process', () => clickdial().pages.length === 1);
  const [running] = clickdial().windows;
  // Nothing in the window's process draws with OpenGL (the DMA-BUF renderer is off), so it loads
  // no Mesa driver nor its LLVM, which WebKit's search for the GPU would (src-tauri/webkit.rs,
  // no_egl_here); the page's process, which draws, still finds its EGL driver.
  const maps = (pid) => readFileSync(`/proc/${pid}/maps`, 'utf8');
  const mesa = /_dri\.so|libLLVM|libEGL_mesa/;
  assert.ok(!mesa.test(maps(running.pid)), 'the window process loads no Mesa driver');
  await waitFor('the page process to load its EGL driver', () => /libEGL_mesa/.test(maps(clickdial().pages[0].pid)));
  closeWindow();
  await waitFor('the window to go', async () => (await session.windows()).length === 0);
  await waitFor('the page process to end', () => clickdial().pages.length === 0);
  await sleep(1500);
  assert.deepEqual(clickdial().windows.map((p) => p.pid), [running.pid], 'the app is still running');
  assert.equal(clickdial().keepers.length, 0, 'no keeper yet');
  const second = spawnSync(app, [], { timeout: 20000 });
  assert.equal(second.status, 0, String(second.stderr));
  const [handle] = await waitFor('the window to come back', async () => {
    const handles = await session.windows();
    return handles.length === 1 && handles;
  });
  await session.switchTo(handle);
  await waitFor('its page', () => clickdial().pages.length === 1);
  assert.deepEqual(clickdial().windows.map((p) => p.pid), [running.pid], 'the same app, not a new one');
  assert.ok(!mesa.test(maps(running.pid)), 'nor with its window rebuilt');
  await session.close();
  session = undefined;
  await driver.stop();
  driver = undefined;
  for (const p of clickdial().all) process.kill(p.pid, 'SIGKILL');
  await waitFor('no Clickdial running', () => clickdial().all.length === 0);
});

test('closing the window leaves only the small tray keeper; a launch becomes the window again, with what was typed', { timeout: 150000 }, async () => {
  // As installed anew (the notice about the tray not yet shown), but handing over at once.
  setSettings({ trayGraceSecs: 0 }, { fresh: true });
  driver = await startDriver({ driver: driverBin, nativeDriver });
  await launch();
  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"));
  // Typed, as far as the page can tell (the app keeps what is typed for the next page).
  await session.run("const n = document.querySelector('#number'); n.value = '98765 43210'; n.dispatchEvent(new Event('input')); return true;");
  await waitFor('the page process', () => clickdial().pages.length === 1);

  closeWindow();
  const keeper = await keeperOnly('first close');
  await sleep(2500); // The tray's first refresh.
  const mb = pssMb(keeper.pid);
  assert.ok(mb < 60, `the keeper holds ${mb.toFixed(1)} MB; the goal is 60 MB`);

  // A second launch takes over from the keeper and becomes the window, with what was typed
  // and, once, the notice saying where it went.
  await launch();
  await waitFor('the typed number', async () => (await session.run("return document.querySelector('#number').value;")) === '98765 43210');
  await waitFor('the one-time notice', async () => (await session.text('#notice')).includes('still running in the tray'));
  await waitFor('the keeper to hand over and end', () => clickdial().keepers.length === 0);
  assert.equal(clickdial().windows.length, 1);

  // Closed, then two launches at once (a double click): one window, not two.
  closeWindow();
  await keeperOnly('second close');
  const both = [spawn(app, [], { stdio: 'ignore' }), spawn(app, [], { stdio: 'ignore' })];
  await waitFor('a window', () => clickdial().pages.length > 0, 30000);
  await sleep(2000);
  assert.equal(clickdial().windows.length, 1, 'one window');
  assert.equal(clickdial().pages.length, 1, 'one page process');
  assert.equal(clickdial().keepers.length, 0, 'the keeper handed over');
  closeWindow();
  await keeperOnly('third close');
  await Promise.all(both.map((p) => (p.exitCode === null ? new Promise((done) => p.on('exit', done)) : null)));

  // A phone link clicked now: the launched process becomes the window, with the link's sheet.
  await launch(['tel:+91-98765-43210']);
  await waitFor('the link on its sheet', async () => (await session.run("return document.querySelector('#sheet').open;"))
    && (await session.text('#sheet-title')) === 'Connect an account to dial +91 98765 43210');
  assert.equal(clickdial().keepers.length, 0);
  await session.close();
  session = undefined;
  await driver.stop();
  driver = undefined;
});

test('started at login with "start hidden", only the tray keeper runs until a launch', { timeout: 90000 }, async () => {
  await waitFor('no Clickdial running', () => clickdial().windows.length === 0);
  for (const p of clickdial().all) process.kill(p.pid, 'SIGKILL');
  await waitFor('no Clickdial at all', () => clickdial().all.length === 0);
  // Settings as the Settings page saves them (version 2 of the file), written while no
  // Clickdial runs.
  setSettings({ startHidden: true, trayGraceSecs: 0 }, { fresh: true });
  // What the login entry runs (the window program, which becomes the keeper before any GUI).
  const started = spawn(join(app, '..', 'clickdial-window'), ['--autostart'], { stdio: 'ignore' });
  await keeperOnly('started hidden');
  await sleep(1000);
  assert.equal(clickdial().keepers[0].pid, started.pid, 'the same process, without ever loading a window');
  // A second "start at login" while Clickdial runs changes nothing.
  const again = spawnSync(join(app, '..', 'clickdial-window'), ['--autostart'], { timeout: 20000 });
  assert.equal(again.status, 0, String(again.stderr));
  assert.equal(clickdial().all.length, 1);

  driver = await startDriver({ driver: driverBin, nativeDriver });
  await launch();
  await waitFor('the welcome screen', () => session.run("return !document.querySelector('#view-welcome').hidden;"));
  await waitFor('the keeper to hand over', () => clickdial().keepers.length === 0);
  assert.equal(clickdial().pages.length, 1);
});

test("the keeper's tray menu is the app's, and Show Clickdial and Quit work from it", { timeout: 90000 }, async () => {
  assert.equal(clickdial().windows.length, 1, 'the last test left its window');
  closeWindow();
  let keeper = await keeperOnly('closed');
  const menu = await waitFor('the tray menu', () => {
    try {
      const m = trayMenu(keeper.pid);
      return m.labels.includes('Show Clickdial') && m;
    } catch {
      return false;
    }
  });
  assert.deepEqual(
    menu.labels.filter((l) => !l.startsWith('Dial clipboard')),
    ['Recent (none yet)', 'Agent', 'Caller ID', 'Show Clickdial', 'Quit'],
  );
  menu.click('Show Clickdial');
  await waitFor('a window from the tray', () => {
    const now = clickdial();
    return now.windows.length === 1 && now.pages.length === 1 && now.keepers.length === 0;
  }, 30000);

  closeWindow();
  keeper = await keeperOnly('closed again');
  await waitFor('the tray menu', () => {
    try {
      return trayMenu(keeper.pid).labels.includes('Quit');
    } catch {
      return false;
    }
  });
  trayMenu(keeper.pid).click('Quit');
  await waitFor('nothing left running', () => clickdial().all.length === 0);
});

test("the keeper holds the global shortcut: Ctrl+Alt+D starts the window from the tray", { timeout: 90000 }, async () => {
  await waitFor('no Clickdial running', () => clickdial().all.length === 0, 40000);
  // Started at login in the tray (the settings of the test above), with the default shortcut.
  spawn(join(app, '..', 'clickdial-window'), ['--autostart'], { stdio: 'ignore' });
  await keeperOnly('started hidden');
  // Pressed as a keyboard presses it, again every few seconds in case the keeper had not
  // grabbed it yet (a press the keeper sees while handing over is dropped; the keeper never
  // dials either way).
  let opened = false;
  for (let i = 0; i < 6 && !opened; i += 1) {
    await sleep(1500);
    const press = spawnSync('python3', [join(root, 'tests', 'e2e', 'press-keys.py'), 'Control_L+Alt_L+d']);
    assert.equal(press.status, 0, String(press.stderr));
    opened = await waitFor('a window', () => clickdial().windows.length > 0, 3000).catch(() => false);
  }
  assert.ok(opened, 'Ctrl+Alt+D opened no window');
  await waitFor('the window from the shortcut', () => {
    const now = clickdial();
    return now.windows.length === 1 && now.pages.length === 1 && now.keepers.length === 0;
  }, 30000);
  for (const p of clickdial().all) process.kill(p.pid, 'SIGKILL');
});
