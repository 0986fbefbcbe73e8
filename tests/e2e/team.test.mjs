// End to end, issue 26 item 3: team awareness through the platform, in the demo. A colleague
// (Vikram Singh) is on a call with a customer, placed from "another desk" through the demo
// simulator's controls. A phone link to that customer: the confirm sheet names the colleague and
// the time, and the agent decides (Escape: nothing dialled). The window's own Call, with the team
// check turned on in Settings (it is off by default): the dial asks first,
// Enter keeps the safe answer (Cancel: nothing dialled), and "Call anyway" dials once. (That the
// check off sends no read is tested in crates/services/tests/team.rs.) Settings › Phone links
// shows the browser policy for a CRM address, as JSON an admin can use.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, root, simFetch, sleep, startDriver, waitFor,
} from './webdriver.js';

let driver;
let session;
after(async () => {
  await session?.close();
  await driver?.stop();
});

const VIKRAM = '0506123456782';
const CUSTOMER = '+91 98765 43210';

test('the sheet and the window name a colleague already on a call with the customer', { timeout: 170000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);

  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"));
  await session.click('#demo');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  const simUrl = await session.text('#demo-url');
  const post = (path, body) => simFetch(simUrl, path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  // Every call stays live for the whole test.
  assert.equal((await post('/__sim/timings', { agent_ring_ms: 60000, customer_ring_ms: 1000, talk_ms: 120000 })).status, 200);
  await session.click('#me-list .me-choice[data-id="0506123456781"]');
  await waitFor('the dial screen', () => session.run("return !document.querySelector('#me-row').hidden;"));
  const placed = await post('/__sim/place', { eid: VIKRAM, customer: '919876543210' });
  assert.equal(placed.status, 200, await placed.text());
  const dials = async () => (await (await simFetch(simUrl, '/__sim/requests')).json())
    .filter((r) => r.path.endsWith('/click_to_call')).length;

  // A phone link to that customer: the sheet names the colleague; Escape dials nothing.
  const handed = spawnSync(app, ['tel:+919876543210'], { timeout: 20000 });
  assert.equal(handed.status, 0, String(handed.stderr));
  await waitFor('the sheet', () => session.run("return document.querySelector('#sheet').open;"), 20000);
  await waitFor('the colleague on the sheet', async () =>
    (await session.text('#sheet-burst')).startsWith(`Vikram Singh is on a call with ${CUSTOMER} (`), 20000);
  await shot('team-sheet.png');
  await session.keys('\uE00C');
  await waitFor('the sheet closed', async () => !(await session.run("return document.querySelector('#sheet').open;")));

  // The team check for the window's own Call is off by default; turned on in Settings.
  await session.click('#open-settings');
  await waitFor('settings', () => visible('#team-check'));
  assert.equal(await session.run("return document.querySelector('#team-check').checked;"), false);
  await session.click('#team-check');
  await session.click('#save-prefs');
  await waitFor('saved', async () => (await session.text('#prefs-message')) === 'Saved.');

  // The browser policy for a CRM, shown to copy: JSON naming the origin for tel and callto.
  await session.click('#browser-policy summary');
  await session.type('#browser-origin', 'https://crm.example.com/leads/42');
  await session.click('#browser-policy-show');
  await waitFor('the policy', () => visible('#browser-policy-text'));
  const policy = JSON.parse(await session.run("return document.querySelector('#browser-policy-text').textContent;"));
  assert.deepEqual(policy.AutoLaunchProtocolsFromOrigins, [
    { protocol: 'tel', allowed_origins: ['https://crm.example.com'] },
    { protocol: 'callto', allowed_origins: ['https://crm.example.com'] },
  ]);
  assert.match(await session.text('#browser-policy-message'), /clickdial\.json in \/etc\/opt\/chrome\/policies\/managed/);
  // Copy says what it did, then its label again (twice pressed, still).
  await session.click('#browser-policy-copy');
  await session.click('#browser-policy-copy');
  assert.match(await session.text('#browser-policy-copy'), /^(Copied|Press Ctrl\+C)$/);
  await waitFor('the label back', async () => (await session.text('#browser-policy-copy')) === 'Copy', 5000);
  await session.run("document.querySelector('#browser-policy-text').scrollIntoView();");
  await shot('team-browser-policy.png');
  await session.run("document.querySelector('#browser-origin').value = 'http://crm.example.com';");
  await session.click('#browser-policy-show');
  await waitFor('a plain-http CRM refused', async () => (await visible('#browser-policy-message'))
    && !(await visible('#browser-policy-text')));
  await session.click('#close-settings');
  await waitFor('the dial screen again', () => visible('#number'));

  // The window's Call: the question; Enter keeps Cancel (nothing dialled).
  await session.click('#number');
  await session.type('#number', '98765 43210');
  await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
  await session.click('#call');
  await waitFor('the question', () => session.run("return document.querySelector('#ask').open;"), 20000);
  assert.equal(await session.text('#ask-title'), 'Vikram Singh is on a call with this customer');
  assert.match(await session.text('#ask-text'), /^Vikram Singh is on a call with \+91 98765 43210 \(\d+:\d\d\)\. Call anyway\?$/);
  await shot('team-ask.png');
  await session.keys('\uE007');
  await waitFor('the question closed', async () => !(await session.run("return document.querySelector('#ask').open;")));
  await sleep(500);
  assert.equal(await dials(), 0, 'Cancel dials nothing');

  // Again, "Call anyway": one dial.
  await session.click('#call');
  await waitFor('the question again', () => session.run("return document.querySelector('#ask').open;"), 20000);
  await session.click('#ask-buttons button[value="dial"]');
  await waitFor('the call queued', async () => (await dials()) === 1, 20000);
  await sleep(1000);
  assert.equal(await dials(), 1, 'one dial');
});
