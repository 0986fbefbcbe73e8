// End to end: tel:/callto: links in the real window. An account on the simulator (signed in with
// `clickdial login`, real gnome-keyring); the app started cold by a link; then links from second
// processes, which the single-instance plugin hands to the running window over D-Bus. Every
// link waits on the confirm sheet; confirming dials exactly once; the same link again is refused
// by the ledger's guard; Esc cancels; an invalid link explains itself; a flood of 20 links
// yields one sheet and no dial.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, simFetch, startSim as startClickdialSim, root, sleep, startDriver, waitFor,
} from './webdriver.js';


let driver;
let session;
let sim;
after(async () => {
  await session?.close();
  await driver?.stop();
  sim?.kill('SIGTERM');
  try {
    execFileSync(app, ['logout']);
  } catch {
    // Nothing to clean.
  }
});

async function startSim() {
  const started = await startClickdialSim();
  sim = started.child;
  return started.url;
}

// The app itself, beside `clickdial` (what the desktop entry runs for a clicked link): started
// with a link while Clickdial runs, its single-instance plugin hands the link over.
const windowApp = join(dirname(app), 'clickdial-window');

/** Runs `<program> <link>` as the desktop (or a script) would; it must hand over and exit. */
function openLink(link, program = app) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    // A handover takes milliseconds; one that hangs is a failure, not a stuck test.
    const child = spawn(program, [link], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20000 });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolvePromise({ code, signal, stderr, ms: Date.now() - started }));
  });
}

test('a link that starts Clickdial before any account is kept until the demo starts', { timeout: 120000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app, ['callto://+91 98765 43210']);
  const sheetOpen = () => session.run("return document.querySelector('#sheet').open;");
  await waitFor('the sheet', async () =>
    (await sheetOpen()) && (await session.text('#sheet-title')) === 'Connect an account to dial +91 98765 43210', 20000);
  assert.equal(await session.run("return document.querySelector('#sheet-pickers').hidden;"), true);
  await session.click('#sheet-call');
  await waitFor('the waiting banner', async () =>
    (await session.text('#waiting-link')).startsWith('A phone link is waiting: +91 98765 43210.'));
  await session.click('#demo');
  await waitFor('the sheet again, now with pickers', async () =>
    (await sheetOpen()) && (await session.text('#sheet-title')).startsWith('Call +91 98765 43210 (India, mobile)'));
  await waitFor('agents on the sheet', () =>
    session.run("return [...document.querySelector('#sheet-agent').options].filter((o) => o.value).length === 5;"));
  // Nobody is preselected before the agent has said who they are: the sheet asks.
  assert.equal(await session.run("return document.querySelector('#sheet-agent').value;"), '');
  await session.click('#sheet-agent option[value="0506123456781"]');
  await waitFor('the question names the agent', async () =>
    (await session.text('#sheet-title')).startsWith('Call +91 98765 43210 (India, mobile) from Asha Rao'));
  await session.run("document.querySelector('#sheet-call').focus();");
  await session.keys('\uE007');
  await waitFor('the queued result', async () => (await session.text('#result')).startsWith('Call queued'));
  const simUrl = await session.text('#demo-url');
  const recorded = await (await simFetch(simUrl, '/__sim/requests')).json();
  const dials = recorded.filter((r) => r.path === '/v1/click_to_call');
  assert.equal(dials.length, 1);
  assert.equal(dials[0].body.destination_number, '919876543210');
  await session.close();
  session = undefined;
  await driver.stop();
  driver = undefined;
});

test('links reach the running window, wait on the sheet and dial once', { timeout: 170000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  const simUrl = await startSim();
  execFileSync(app, ['login', '--base-url', simUrl, '--token-stdin'], { input: 'demo-token' });
  const dials = async () => {
    const recorded = await (await simFetch(simUrl, '/__sim/requests')).json();
    return recorded.filter((r) => r.path === '/v1/click_to_call');
  };

  driver = await startDriver({ driver: driverBin, nativeDriver });
  // A cold start by a link: the sheet shows before anything else is asked of the agent.
  session = await newSession(driver.base, app, ['tel:+91-98765-43210']);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };
  const sheetOpen = () => session.run("return document.querySelector('#sheet').open;");
  const title = () => session.text('#sheet-title');

  await waitFor('the sheet after a cold start', sheetOpen, 20000);
  await waitFor('the sheet pickers', () =>
    session.run("return [...document.querySelector('#sheet-agent').options].filter((o) => o.value).length === 5;"));
  await session.click('#sheet-agent option[value="0506123456782"]');
  await session.click('#sheet-caller option[value="918065000102"]');
  await waitFor('the question', async () =>
    (await title()) === 'Call +91 98765 43210 (India, mobile) from Vikram Singh via Support line?');
  assert.equal((await dials()).length, 0, 'nothing is dialled before the agent confirms');

  // Keyboard first: the Call button has focus, Enter calls.
  assert.equal(await session.run('return document.activeElement.id;'), 'sheet-call');
  await session.keys('\uE007');
  await waitFor('the queued result', async () => (await session.text('#result')).startsWith('Call queued'));
  assert.equal(await sheetOpen(), false);
  assert.equal(await session.run("return document.querySelector('#number').value;"), '+91 98765 43210');
  let placed = await dials();
  assert.equal(placed.length, 1);
  assert.equal(placed[0].body.destination_number, '919876543210');
  assert.equal(placed[0].body.agent_number, '0506123456782');
  assert.equal(placed[0].body.caller_id, '918065000102');

  // The same link again from a second process, within the bounce window: the running window
  // shows it; confirming is refused by the guard; nothing is sent.
  const handed = await openLink('tel:+91-98765-43210');
  assert.equal(handed.code, 0, handed.stderr);
  await waitFor('the sheet for the second link', sheetOpen);
  // The window has not been told who the agent is, so each sheet asks again.
  assert.equal(await session.run("return document.querySelector('#sheet-agent').value;"), '');
  await session.click('#sheet-agent option[value="0506123456782"]');
  await session.click('#sheet-call');
  await waitFor('the guard', async () => (await session.text('#result')).includes('Already dialled +91 98765 43210'));
  assert.equal((await dials()).length, 1);

  // Esc cancels, and nothing is sent.
  // Through the app itself, as a second instance (GTK and WebKit load, then it hands over).
  assert.equal((await openLink('callto://+14155550100', windowApp)).code, 0);
  await waitFor('the sheet for a US number', async () =>
    (await sheetOpen()) && (await title()).includes('+1 415-555-0100 (United States'));
  await shot('link-sheet.png');
  // Another link while the sheet is open: the number changes under the agent's finger, so Call
  // waits a moment, focus leaves it, and the new number is marked.
  assert.equal((await openLink('tel:+91-98765-43211')).code, 0);
  await waitFor('the new number', async () => (await title()).includes('+91 98765 43211'));
  assert.equal(await session.run("return document.querySelector('#sheet-call').disabled;"), true);
  assert.notEqual(await session.run('return document.activeElement.id;'), 'sheet-call');
  assert.equal(await session.run("return document.querySelector('#sheet-title').classList.contains('changed');"), true);
  await waitFor('Call again usable', () => session.run("return !document.querySelector('#sheet-call').disabled;"), 3000);
  await session.keys('\uE00C');
  await waitFor('the sheet to close', async () => !(await sheetOpen()));

  // An invalid link explains itself; it has no Call button.
  assert.equal((await openLink('tel:+91-98765-abcde')).code, 0);
  await waitFor('the invalid link', async () => (await sheetOpen()) && (await title()) === 'This link can’t be dialled');
  assert.match(await session.text('#sheet-problem'), /has letters/);
  assert.equal(await session.run("return document.querySelector('#sheet-call').hidden;"), true);
  await shot('link-invalid.png');
  await session.click('#sheet-cancel');

  // A flood: twenty links at once give one sheet with the latest and the count, and no dial.
  const flood = [];
  for (let i = 0; i < 20; i += 1) {
    flood.push(openLink(`tel:+91-98765-000${String(i).padStart(2, '0')}`, i % 2 ? windowApp : app));
  }
  for (const r of await Promise.all(flood)) assert.equal(r.code, 0, r.stderr);
  await waitFor('one sheet for the flood', async () => {
    const burst = await session.run("return document.querySelector('#sheet').open + ' ' + document.querySelector('#sheet-burst').textContent;");
    if (!burst.startsWith('true 20 links arrived together')) throw new Error(burst);
    return true;
  });
  await shot('link-flood.png');
  await session.click('#sheet-cancel');
  assert.equal((await dials()).length, 1, 'a flood dials nothing');

  // The doctor in Settings: not the default in this fresh desktop; "Make Clickdial the default"
  // registers it; the self-test link goes through the desktop (gio/xdg-open) and comes back to
  // this window as a sheet that says links work, and dials nothing.
  await session.click('#open-settings');
  await waitFor('the handler status', async () => (await session.text('#handler-summary')).startsWith('tel:'));
  assert.doesNotMatch(await session.text('#handler-summary'), /open Clickdial/);
  await session.click('#handler-install');
  await waitFor('Clickdial as the default', async () =>
    (await session.text('#handler-summary')) === 'tel: and callto: links open Clickdial.');
  await session.click('#handler-test');
  await waitFor('the self-test sheet', async () => (await sheetOpen()) && (await title()) === 'Phone links work', 20000);
  assert.equal(await session.text('#handler-message'), 'The test link reached Clickdial: phone links work.');
  await shot('link-selftest.png');
  await session.click('#sheet-cancel');
  assert.equal((await dials()).length, 1, 'the test link dials nothing');

  // The window's own global shortcut, which it takes once its page has loaded: Ctrl+Alt+D,
  // pressed as a keyboard presses it, brings the selected text to the sheet (nothing is
  // selected here, so the sheet says so) and dials nothing.
  await session.click('#close-settings');
  let asked = false;
  for (let i = 0; i < 5 && !asked; i += 1) {
    const press = spawnSync('python3', [join(root, 'tests', 'e2e', 'press-keys.py'), 'Control_L+Alt_L+d']);
    assert.equal(press.status, 0, String(press.stderr));
    asked = await waitFor('the sheet from the shortcut', async () =>
      (await sheetOpen())
        && (await session.run("return document.querySelector('#sheet-kicker').textContent;")) === 'Selected text', 3000).catch(() => false);
  }
  assert.ok(asked, 'Ctrl+Alt+D in the window brought no sheet');
  assert.equal(await session.run("return document.querySelector('#sheet-call').hidden;"), true);
  await session.click('#sheet-cancel');
  assert.equal((await dials()).length, 1, 'the shortcut dials nothing by itself');

  // A sheet never outlives its window: closed with a link on the sheet and opened again (within
  // the grace period, the same process), the window offers no sheet and focuses no Call.
  assert.equal((await openLink('tel:+91-98765-43299')).code, 0);
  await waitFor('the sheet before the close', async () => (await sheetOpen()) && (await title()).includes('+91 98765 43299'));
  const close = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
  assert.equal(close.status, 0, String(close.stderr));
  await waitFor('the window to go', async () => (await session.windows()).length === 0);
  const again = spawnSync(app, [], { timeout: 20000 });
  assert.equal(again.status, 0, String(again.stderr));
  const [handle] = await waitFor('the window to come back', async () => {
    const handles = await session.windows();
    return handles.length === 1 && handles;
  });
  await session.switchTo(handle);
  await waitFor('its page', () => session.run("return document.readyState === 'complete' && !document.querySelector('#view-dial').hidden;"));
  await sleep(1500);
  assert.equal(await sheetOpen(), false, 'the sheet left with its window');
  assert.notEqual(await session.run('return document.activeElement.id;'), 'sheet-call');
  assert.equal((await dials()).length, 1);
});
