// End to end: the real Clickdial window (debug build), driven through tauri-driver and
// WebKitWebDriver under Xvfb. Demo mode, pick agent and DID, type a number, press Call,
// see "queued", and check the demo simulator received exactly one request with the right body.
// Run by scripts/test.sh inside a private D-Bus session with a fresh HOME.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, simFetch, root, sleep, startDriver, waitFor,
} from './webdriver.js';


let driver;
let session;
after(async () => {
  await session?.close();
  await driver?.stop();
});

test('demo dial from the real window reaches the simulator exactly once', { timeout: 120000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  // Start from no account, whatever an earlier test left behind.
  execFileSync(app, ['logout']);
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);

  // First run: the welcome screen offers the demo.
  await waitFor('the welcome screen', () => visible('#demo'));
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  // Screenshots for people to look at (the README's comes from here); let the frame paint.
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };
  await shot('welcome.png');
  // Issue 9, layout: no sideways scrolling at the smallest window (380 px wide).
  const noSidewaysScroll = () => session.run(
    'const d = document.documentElement; return d.scrollWidth <= d.clientWidth ? true : `${d.scrollWidth} > ${d.clientWidth}`;');
  await session.setRect(380, 520);
  await waitFor('the narrow window', async () => (await session.run('return window.innerWidth;')) <= 380);
  assert.equal(await noSidewaysScroll(), true, 'welcome screen at 380 px');
  await session.click('#demo');

  // Lists fill from /v1/users (all pages) and /v1/my_number. Issue 9, "this is me": nobody is
  // preselected; the agent says once which agent they are, from a list that filters as they
  // type. Until then there is nothing to dial with.
  await waitFor('who are you', () => visible('#me-pick'));
  assert.equal(await visible('#dial-form'), false, 'no dialling before the agent says who they are');
  assert.equal(await session.run("return document.querySelector('#agent').value;"), '', 'no guess');
  await waitFor('caller IDs to load', () =>
    session.run("const s = document.querySelector('#caller'); return !s.disabled && s.options.length === 2;"));
  // Sorted by name (the server lists them in creation order); the blocked one says so.
  assert.deepEqual(
    await session.run("return [...document.querySelectorAll('#me-list .me-choice')].map((b) => b.textContent.split(' · ')[0]);"),
    ['Asha Rao', 'Meera Iyer', 'Priya Nair', 'Rahul Das', 'Vikram Singh'],
  );
  assert.match(await session.text('#me-list li:nth-child(4)'), /\(blocked\)$/);
  await shot('who-are-you.png');
  assert.equal(await noSidewaysScroll(), true, 'who-are-you at 380 px');
  // A large team (300 more agents): the list filters as the agent types.
  const demoSim = await session.text('#demo-url');
  const team = await simFetch(demoSim, '/__sim/team', { method: 'POST', body: JSON.stringify({ extra: 300 }) });
  assert.equal(team.status, 200);
  await session.click('#me-refresh');
  await waitFor('the large team', async () => (await session.text('#me-more')) === 'Showing 200 of 305 agents: type to narrow the list.');
  assert.equal(await session.run("return document.querySelectorAll('#me-list .me-choice').length;"), 200);
  await session.type('#me-search', 'member 29');
  await waitFor('ten team members', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 10;"));
  assert.equal(await session.run("return document.querySelector('#me-more').hidden;"), true);
  await session.run("const n = document.querySelector('#me-search'); n.value = ''; n.dispatchEvent(new Event('input'));");
  await session.type('#me-search', 'vik');
  await waitFor('the filtered list', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 1;"));
  await session.type('#me-search', '\uE007'); // Enter picks the only match
  await waitFor('"You: Vikram Singh"', () => visible('#me-row'));
  assert.equal(await session.text('#me-name'), 'Vikram Singh');
  assert.equal(await visible('#agent'), false, 'no agent picker to misclick');
  assert.equal(await session.run("return document.activeElement.id;"), 'number');
  await session.click('#caller option[value="918065000102"]');
  assert.equal(await session.run("return document.querySelector('#agent').value;"), '0506123456782');
  assert.equal(await session.run("return document.querySelector('#caller').value;"), '918065000102');

  // Issue 9, paste anything: a customer abroad gets a cue, since the caller ID is Indian.
  await session.type('#number', '+1 415 555 0100');
  await waitFor('the country cue', async () =>
    (await session.text('#preview')).endsWith('United States: not your caller ID\u2019s country'));
  await session.run("const n = document.querySelector('#number'); n.value = ''; n.dispatchEvent(new Event('input'));");

  // Live preview, then an inline error for letters, then the real number.
  await session.type('#number', '98765abcde');
  await waitFor('the inline error', async () => (await session.text('#preview')).includes('has letters'));
  await session.run("const n = document.querySelector('#number'); n.value = ''; n.dispatchEvent(new Event('input'));");
  await session.type('#number', '098765 43210');
  await waitFor('the preview', async () =>
    (await session.text('#preview')) === 'Will dial +91 98765 43210 (India, assumed from your settings)');

  await session.click('#call');
  const result = await waitFor('the queued result', async () => {
    const t = await session.text('#result');
    return t.startsWith('Call queued') ? t : null;
  });
  assert.equal(result, "Call queued: Vikram Singh's phone rings first, then +91 98765 43210.");
  // The reference sits small in the call bar, with a copy button.
  assert.match(await session.run("return document.querySelector('#result-ref').textContent;"), /^[0-9a-f-]{36}$/);
  assert.equal(await session.run("return document.querySelector('#result-details').hidden;"), false);
  assert.equal(await noSidewaysScroll(), true, 'dial screen at 380 px');
  await session.setRect(460, 680);
  await waitFor('the normal window', async () => (await session.run('return window.innerWidth;')) > 400);
  // Next call: the cursor is in the number, which is not selected (issue 25 item 7: a
  // selection becomes the desktop's PRIMARY one, and the dial shortcut would re-offer it).
  assert.equal(
    await session.run("const n = document.querySelector('#number'); return document.activeElement === n && n.selectionStart === n.value.length && n.selectionEnd === n.value.length;"),
    true,
  );
  assert.equal(await session.run('return String(window.getSelection());'), '', 'nothing selected in the page');
  await shot('queued.png');

  // Pressing Call again at once is a bounce: refused in plain words, never sent.
  await session.click('#call');
  await waitFor('the bounce message', async () => (await session.text('#dial-note')).includes('Already dialled +91 98765 43210'));
  assert.equal(await session.text('#result'), result, 'the queued message and its reference stay');
  assert.equal(await session.run("return document.querySelector('#result-details').hidden;"), false);
  assert.match(await session.text('#dial-note'), /You can call it again in \d s\.$/);

  const simUrl = await session.text('#demo-url');
  assert.equal(await session.run("return document.querySelector('#mode').title;"), simUrl, 'the full address in the tooltip');
  assert.match(simUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const recorded = await (await simFetch(simUrl, '/__sim/requests')).json();
  const dials = recorded.filter((r) => r.path === '/v1/click_to_call');
  assert.equal(dials.length, 1, JSON.stringify(dials));
  const body = dials[0].body;
  assert.equal(body.agent_number, '0506123456782');
  assert.equal(body.destination_number, '919876543210');
  assert.equal(body.caller_id, '918065000102');
  assert.equal(body.async, 1);
  assert.equal(body.get_call_id, 1);
  assert.match(body.custom_identifier, /^clickdial-[0-9a-f-]{36}$/);
  assert.equal(dials[0].authorization, 'Bearer demo-token');
  await shot('bounce.png');
  // The repeat note counts down and goes once the number may be dialled again.
  await waitFor('the repeat note to go', () => session.run("return document.querySelector('#dial-note').hidden;"), 8000);

  // Issue 9: after a click on Call the cursor is back in the number; Escape clears the number and
  // the result that belonged to it; a new number starts with no old result under it.
  assert.equal(await session.run('return document.activeElement.id;'), 'number');
  await session.keys('\uE00C');
  assert.equal(await session.run("return document.querySelector('#number').value;"), '');
  assert.equal(await session.run("return document.querySelector('#result').hidden;"), true);
  await session.type('#number', '98765 43211');
  assert.equal(await session.run("return document.querySelector('#result').hidden && document.querySelector('#dial-note').hidden;"), true);
  // Ctrl+L puts the cursor in the number from anywhere.
  await session.run("document.querySelector('#refresh').focus(); return true;");
  await session.keys('\uE009l\uE000');
  assert.equal(await session.run('return document.activeElement.id;'), 'number');

  // Issue 9, calm typing: a number still being typed gets a hint, not an error, and Call looks
  // unavailable; leaving the field with it incomplete shows the error.
  await session.keys('\uE00C');
  await session.type('#number', '98765');
  await waitFor('the typing hint', async () => (await session.text('#preview')).startsWith('Keep typing'));
  assert.equal(await session.run("return document.querySelector('#preview').classList.contains('error');"), false);
  assert.equal(await session.run("return document.querySelector('#call').getAttribute('aria-disabled');"), 'true');
  await session.run("document.querySelector('#number').blur(); return true;");
  await waitFor('the error on leaving', () => session.run("return document.querySelector('#preview').classList.contains('error');"));
  assert.match(await session.text('#preview'), /too short/);

  // Issue 9, paste anything: the number is taken out of pasted text; the first (a mobile) goes
  // into the field, the others are offered under it (issue 25 item 5).
  const paste = (text) => session.run(
    `const n = document.querySelector('#number'); n.value = ''; n.focus();
     const data = new DataTransfer(); data.setData('text/plain', arguments[0]);
     n.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
     return true;`, [text]);
  await paste('Rahul Sharma  98765-43213  Hot lead');
  await waitFor('the number from the pasted line', async () =>
    (await session.run("return document.querySelector('#number').value;")) === '+91 98765 43213');
  await paste('Mobile: +91 98765 43212\nOffice: 080 2345 6789');
  await waitFor('the mobile in the field', async () =>
    (await session.run("return document.querySelector('#number').value;")) === '+91 98765 43212');
  await waitFor('the other number offered', () => session.run("return document.querySelectorAll('#number-picks button').length === 1;"));
  await session.click('#number-picks button:last-of-type');
  assert.equal(await session.run("return document.querySelector('#number').value;"), '+91 80 2345 6789');
  await waitFor('the preview of the picked number', async () => (await session.text('#preview')).startsWith('Will dial +91 80 2345 6789'));
  assert.equal(await session.run("return document.querySelector('#number-picks').hidden;"), true);
  await shot('paste.png');

  // Issue 9, lists: a refresh that fails keeps the lists in use and says they may be stale.
  const fault = await simFetch(simUrl, '/__sim/fault', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/users', status: 503, times: 20 }),
  });
  assert.equal(fault.status, 200);
  await session.click('#refresh');
  await waitFor('the stale-lists warning', async () => (await session.text('#lists-message')).startsWith('Could not refresh the lists'));
  assert.equal(await session.run("const s = document.querySelector('#agent'); return !s.disabled && [...s.options].filter((o) => o.value).length === 305 && s.value;"), '0506123456782');
  assert.equal(await session.text('#me-name'), 'Vikram Singh');
});
