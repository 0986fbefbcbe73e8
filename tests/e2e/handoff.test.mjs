// End to end, issue 27 item 3: the after-call hand-off from the real window, signed in to a
// simulator account (`clickdial login`, real gnome-keyring: the demo's calls are never handed
// off). A local CRM (a Node HTTP server on loopback) stands in for the agent's. Settings: "Send it to an
// address (POST)", its preview shows what a sample call would send, Save. A call, hung up,
// wrapped up by keys (2, a note with &, # and quotes, Enter): the CRM receives exactly the
// wrap-up event, in the background. Then the CRM goes away: the next wrap-up is "Not delivered
// to your CRM" on its Recent calls row, and once the CRM is back, Retry delivers it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, root, simFetch, sleep, startDriver, startSim, waitFor,
} from './webdriver.js';

let driver;
let session;
let crm;
let sim;
after(async () => {
  await session?.close();
  await driver?.stop();
  crm?.close();
  sim?.kill('SIGTERM');
  try {
    execFileSync(app, ['logout']);
  } catch {
    // Nothing to clean.
  }
});

/** A CRM on `port` (0: any) keeping every POST's body; resolves once it listens. */
function startCrm(received, port = 0) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

test('a saved wrap-up reaches the CRM; a failed one says so and Retry sends it', { timeout: 170000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  const started = await startSim();
  sim = started.child;
  const simUrl = started.url;
  execFileSync(app, ['login', '--base-url', simUrl, '--token-stdin'], { input: 'demo-token' });
  execFileSync(app, ['me', '0506123456781']);
  const received = [];
  crm = await startCrm(received);
  const port = crm.address().port;
  const hook = `http://127.0.0.1:${port}/hook?team=sales`;

  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);

  const timings = await simFetch(simUrl, '/__sim/timings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_ring_ms: 500, customer_ring_ms: 500, talk_ms: 120000, cdr_delay_ms: 200 }),
  });
  assert.equal(timings.status, 200);
  await waitFor('the dial screen', () => session.run("return !document.querySelector('#view-dial').hidden && !document.querySelector('#me-row').hidden;"), 20000);

  // Settings: POST to the CRM; the preview shows the sample wrap-up event before saving.
  await session.click('#open-settings');
  await waitFor('settings', () => visible('#after-call-kind'));
  await session.run("const s = document.querySelector('#after-call-kind'); s.value = 'post'; s.dispatchEvent(new Event('change', { bubbles: true }));");
  await waitFor('the address field', () => visible('#after-call-url'));
  await session.type('#after-call-url', hook);
  await waitFor('the preview', async () => (await visible('#after-call-preview'))
    && (await session.text('#after-call-preview')).includes('"type": "wrapup"'));
  const preview = await session.text('#after-call-preview');
  assert.doesNotMatch(preview, /recording\?|https:\/\/customer/, 'never a recording address');
  await session.run("document.querySelector('#after-call-preview').scrollIntoView({ block: 'center' });");
  await shot('handoff-settings.png');
  await session.click('#save-prefs');
  await waitFor('saved', async () => (await session.text('#prefs-message')) === 'Saved.');
  assert.equal(received.length, 0, 'nothing is sent without a saved wrap-up');
  await session.click('#close-settings');
  await waitFor('the dial screen again', () => visible('#number'));

  const callAndWrapUp = async (number, note) => {
    await session.click('#number');
    await session.keys('\uE00C');
    await session.type('#number', number);
    await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
    await session.click('#call');
    await waitFor('connected', () => session.run("return document.querySelector('#follow').dataset.stage === 'connected';"), 30000);
    await session.click('#hang-up');
    await waitFor('the wrap-up offered', () => visible('#wrapup'), 20000);
    await waitFor('focus on the wrap-up', () => session.run("return document.activeElement?.id === 'wrapup-choices';"));
    await session.keys('2');
    await waitFor('the note next', () => session.run("return document.activeElement?.id === 'wrapup-note';"));
    await session.keys(`${note}\uE007`);
    await waitFor('saved', () => visible('#wrapup-saved'));
  };

  const note = 'Thursday & 4pm #2 "big" order';
  await callAndWrapUp('98765 43210', note);
  await waitFor('the CRM received it', () => received.length === 1, 10000);
  const [first] = received;
  assert.equal(first.method, 'POST');
  assert.equal(first.url, '/hook?team=sales');
  assert.match(first.type, /^application\/json/);
  const event = JSON.parse(first.body);
  assert.equal(event.schema, 1);
  assert.equal(event.type, 'wrapup');
  assert.equal(event.disposition, 'Call back');
  assert.equal(event.note, note);
  assert.equal(event.call.number, '+919876543210');
  assert.doesNotMatch(first.body, /recording\?|token=/, 'never a recording address');
  await sleep(1000);
  assert.equal(received.length, 1, 'delivered once');

  // The CRM goes away: the next wrap-up is not delivered, and the row says so.
  await new Promise((resolve) => crm.close(resolve));
  crm = null;
  await callAndWrapUp('98765 43211', 'no CRM');
  await session.run("document.querySelector('#history').open = true; return true;");
  await waitFor('not delivered on the row', () => session.run(
    "const h = document.querySelector('#history-list li .h-handoff'); return !!h && h.textContent.startsWith('Not delivered to your CRM');"), 40000);
  const rows = await session.run("return [...document.querySelectorAll('#history-list li')].map((li) => !!li.querySelector('.h-handoff'));");
  assert.deepEqual(rows.slice(0, 2), [true, false], 'only the undelivered call says so');
  await session.run("document.querySelector('#history-list li').scrollIntoView({ block: 'center' });");
  await shot('handoff-not-delivered.png');

  // Back, on the same address: Retry delivers it, and the row stops saying so.
  crm = await startCrm(received, port);
  await session.click('#history-list li .h-handoff button');
  await waitFor('the CRM received the retry', () => received.length === 2, 20000);
  assert.equal(JSON.parse(received[1].body).note, 'no CRM');
  await waitFor('the row is clear', () => session.run("return !document.querySelector('#history-list li .h-handoff');"), 20000);
});
