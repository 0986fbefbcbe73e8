// End to end, issue 27's wrap-up in the window: when the call bar's call ends, the bar offers
// what came of it (numbered) and a one-line note, with the focus there. Keys only: "2", a note,
// Enter → saved on that call in the ledger (read back through the backend's history), said
// calmly ("Saved: Call back · …", and in the live region), shown in Recent calls. A second call:
// Escape skips it and nothing is stored; a third: Ctrl+L skips it and the cursor is in the number.
// Screenshots at 380×520 and 1280×800.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

test('a call that ends is wrapped up by keys, or skipped', { timeout: 170000 }, async () => {
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
  const size = async (w, h) => {
    // At the screen's corner: a grown window past its edge is cut off in the screenshot.
    await session.setRect(w, h, { x: 0, y: 0 });
    await waitFor(`${w}×${h}`, async () => (await session.run('return window.innerWidth;')) <= w);
    await sleep(200);
  };
  const active = () => session.run('return document.activeElement?.id || document.activeElement?.tagName;');
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);
  // The calls as the backend reads them from the ledger, newest first.
  const ledger = () => session.run("return window.__TAURI_INTERNALS__.invoke('history', { text: null, beforeId: null, limit: 10, sinceMs: null, untilMs: null });");

  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"));
  await session.click('#demo');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  const simUrl = await session.text('#demo-url');
  const timings = await simFetch(simUrl, '/__sim/timings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_ring_ms: 800, customer_ring_ms: 800, talk_ms: 120000, cdr_delay_ms: 200 }),
  });
  assert.equal(timings.status, 200);
  await session.click('#me-list .me-choice[data-id="0506123456781"]');
  await waitFor('the dial screen', () => session.run("return !document.querySelector('#me-row').hidden;"));
  await size(380, 520);

  /** Dials `number`, waits until it is connected, hangs up by the button: the bar offers the wrap-up. */
  const callAndHangUp = async (number, shown) => {
    // The number field still holds the last call's number: Escape empties it.
    await session.click('#number');
    await session.keys('\uE00C');
    await session.type('#number', number);
    await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
    await session.click('#call');
    await waitFor(`connected: ${shown}`, () => session.run(`const f = document.querySelector('#follow'); return f.dataset.stage === 'connected' && document.querySelector('#follow-number').textContent === ${JSON.stringify(shown)};`), 30000);
    assert.equal(await visible('#wrapup'), false, 'no wrap-up while the call is live');
    assert.equal(await visible('#wrapup-saved'), false, 'the last confirmation went with its call');
    await session.click('#hang-up');
    await waitFor('ended', () => session.run("return document.querySelector('#follow').dataset.stage === 'ended';"), 20000);
    await waitFor('the wrap-up offered', () => visible('#wrapup'));
    await waitFor('focus on the wrap-up', async () => (await active()) === 'wrapup-choices');
  };

  // First call: 2, a note, Enter.
  await callAndHangUp('98765 43210', '+91 98765 43210');
  const offered = await session.run("return [...document.querySelectorAll('#wrapup-choices button')].map((b) => b.textContent);");
  assert.deepEqual(offered, ['1 Interested', '2 Call back', '3 Not interested', '4 Wrong number', '5 No answer']);
  assert.equal(await session.run("return document.querySelector('#wrapup-note').labels.length || document.querySelector('#wrapup-note').getAttribute('aria-label');"), 'Note about the call');
  await shot('wrapup-offered-380.png');
  await session.keys('2');
  await waitFor('Call back picked', () => session.run("return document.querySelectorAll('#wrapup-choices button')[1].getAttribute('aria-pressed') === 'true';"));
  assert.equal(await active(), 'wrapup-note', 'the note is next');
  await session.keys('Thursday 4pm, 2 units\uE007');
  await waitFor('saved', async () => (await visible('#wrapup-saved')) && (await session.text('#wrapup-saved')) === 'Saved: Call back · Thursday 4pm, 2 units');
  assert.match(await session.run("return document.querySelector('#announce').textContent;"), /^Saved: Call back/);
  assert.equal(await visible('#wrapup'), false);
  assert.equal(await active(), 'number', 'back to the number, ready for the next');
  let rows = await ledger();
  assert.equal(rows[0].international, '+91 98765 43210');
  assert.equal(rows[0].disposition, 'Call back');
  assert.equal(rows[0].note, 'Thursday 4pm, 2 units');
  await shot('wrapup-saved-380.png');

  // Recent calls show it under the call.
  await session.run("document.querySelector('#history').open = true; return true;");
  await waitFor('the row says it', () => session.run("const w = document.querySelector('#history-list li .h-said'); return !!w && w.textContent === 'Call back · Thursday 4pm, 2 units';"));
  const rowInView = "document.querySelector('#history-list li').scrollIntoView({ block: 'center' }); return true;";
  await session.run(rowInView);
  await shot('wrapup-history-380.png');
  await size(1280, 800);
  await session.run(rowInView);
  await shot('wrapup-history-1280.png');
  await size(380, 520);
  await session.run("document.querySelector('#history').open = false; window.scrollTo(0, 0); return true;");

  // Second call: Escape skips; nothing stored on it.
  await callAndHangUp('98765 43211', '+91 98765 43211');
  await size(1280, 800);
  await shot('wrapup-offered-1280.png');
  await size(380, 520);
  await session.keys('\uE00C');
  await waitFor('skipped', async () => !(await visible('#wrapup')));
  assert.equal(await active(), 'number');
  assert.equal(await visible('#wrapup-saved'), false);
  rows = await ledger();
  assert.equal(rows[0].international, '+91 98765 43211');
  assert.equal(rows[0].disposition, null);
  assert.equal(rows[0].note, null);
  assert.equal(rows[1].disposition, 'Call back', 'the first call keeps its wrap-up');

  // Third call: Ctrl+L skips it too, the cursor in the number.
  await callAndHangUp('98765 43212', '+91 98765 43212');
  await session.keys('\uE009l\uE000');
  await waitFor('skipped by Ctrl+L', async () => !(await visible('#wrapup')));
  assert.equal(await active(), 'number');
  rows = await ledger();
  assert.equal(rows[0].disposition, null);
});
