// End to end: the organization's policy in the real window. The debug app reads a test policy
// file (CLICKDIAL_TEST_POLICY; release builds never do) that allows one of the demo's two
// caller IDs, forbids dialling links without asking, caps history at 30 days and lists the
// dispositions. The dial screen offers only the allowed caller ID; Settings shows the locked
// settings as "Managed by your organization" and they cannot be changed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('a policy hides a caller ID and locks settings in the window', { timeout: 150000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  const policy = join(mkdtempSync(join(tmpdir(), 'clickdial-policy-')), 'policy.toml');
  writeFileSync(policy, [
    '# The demo has +91 80650 00101 and +91 80650 00102; agents may use only the second.',
    'caller_ids = ["080650 00102"]',
    'links_without_asking = false',
    'history_days = 30',
    'dispositions = ["Won", "Lost", "Call later"]',
    '',
  ].join('\n'));
  // The app started by the driver inherits it.
  process.env.CLICKDIAL_TEST_POLICY = policy;
  execFileSync(app, ['logout']);
  const described = JSON.parse(execFileSync(app, ['policy', '--json'], { encoding: 'utf8' }));
  assert.equal(described.from, policy);

  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };

  await waitFor('the welcome screen', () => visible('#demo'));
  await session.click('#demo');
  // The demo lists two caller IDs; the page is offered only the allowed one.
  await waitFor('caller IDs to load', () =>
    session.run("const s = document.querySelector('#caller'); return !s.disabled && !/Loading/.test(s.options[0]?.textContent || '');"));
  const callers = await session.run("return [...document.querySelectorAll('#caller option')].map((o) => o.textContent + ' ' + o.value);");
  assert.equal(callers.length, 1, `only the allowed caller ID: ${callers}`);
  assert.match(callers[0], /0102/);
  assert.doesNotMatch(callers.join(' '), /0101/);

  await session.click('#open-settings');
  await waitFor('Settings', () => visible('#prefs-form'));
  await waitFor('the managed note', () => visible('#managed-links-without-asking'));
  assert.equal(await session.text('#managed-links-without-asking'), 'Managed by your organization');
  assert.equal(await session.run("return document.querySelector('#links-without-asking').disabled;"), true);
  assert.equal(await session.run("return document.querySelector('#links-without-asking').checked;"), false);
  // Unlocked settings stay the agent's.
  assert.equal(await visible('#managed-notify'), false);
  assert.equal(await session.run("return document.querySelector('#notify').disabled;"), false);
  // History: nothing longer than the policy's 30 days is offered.
  const offered = await session.run("return [...document.querySelectorAll('#history-days option')].filter((o) => !o.hidden && !o.disabled).map((o) => o.value);");
  assert.deepEqual(offered, ['30']);
  assert.equal(await session.run("return document.querySelector('#history-days').value;"), '30');
  assert.match(await session.text('#history-note'), /At most 30 days\. Managed by your organization\./);
  await session.run("document.querySelector('#links-without-asking').scrollIntoView({ block: 'center' });");
  await shot('policy-settings.png');
  // The dispositions are the organization's: shown, managed, not editable (issue 27).
  assert.equal(await session.run("return document.querySelector('#dispositions').value;"), 'Won\nLost\nCall later');
  assert.equal(await session.run("return document.querySelector('#dispositions').disabled;"), true);
  assert.equal(await session.text('#managed-dispositions'), 'Managed by your organization');
  assert.equal(await visible('#save-dispositions'), false);
  assert.equal(await visible('#dispositions-defaults'), false, 'no word of the defaults');
  await session.run("document.querySelector('#dispositions-form').scrollIntoView({ block: 'center' });");
  await shot('policy-dispositions.png');

  // The page cannot change it either: the application refuses, whatever the page sends.
  await session.run(`
    window.__refused = null;
    window.__TAURI_INTERNALS__.invoke('save_preferences', { region: 'IN', linksWithoutAsking: true })
      .then(() => { window.__refused = 'saved'; }, (e) => { window.__refused = e.code + ': ' + e.message; });`);
  await waitFor('the answer', () => session.run('return window.__refused !== null;'));
  assert.match(await session.run('return window.__refused;'), /^policy: .*refused by your organization's policy/);
  await session.run(`
    window.__refused = null;
    window.__TAURI_INTERNALS__.invoke('set_dispositions', { names: ['Mine'] })
      .then(() => { window.__refused = 'saved'; }, (e) => { window.__refused = e.code + ': ' + e.message; });`);
  await waitFor('the answer', () => session.run('return window.__refused !== null;'));
  assert.match(await session.run('return window.__refused;'), /^policy: Changing the dispositions is refused/);
});

test('a policy that cannot be read stops the window, naming the file and the line', { timeout: 120000 }, async () => {
  await session?.close();
  await driver?.stop();
  session = null;
  const policy = join(mkdtempSync(join(tmpdir(), 'clickdial-policy-')), 'policy.toml');
  writeFileSync(policy, 'demo = true\nserver = "smartflo\n');
  process.env.CLICKDIAL_TEST_POLICY = policy;
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);
  await waitFor('the notice', () => visible('#notice'), 20000);
  const notice = await session.text('#notice');
  assert.ok(notice.includes(policy), notice);
  assert.match(notice, /line 2/);
  // Not even the demo runs unmanaged.
  await waitFor('the welcome screen', () => visible('#demo'));
  await session.click('#demo');
  await sleep(1500);
  assert.equal(await visible('#view-dial'), false, 'no dial screen under a broken policy');
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  await sleep(300);
  writeFileSync(join(out, 'policy-broken.png'), await session.screenshot());
});
