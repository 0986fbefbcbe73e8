// End to end, issue 25's input and context items, at 380×520 and 1280×800: a CRM line pasted
// or typed puts its first mobile in the field and offers the other number (item 5); too many
// digits are said at once (item 9); switching "You" or leaving the demo leaves no old result
// behind, and demo calls stay out of a real account's Recent calls (item 4); "Which agent are
// you?" works by keyboard, marks who you are, and the on-break question is safe (item 8).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, root, simFetch, sleep, startDriver, startSim, waitFor,
} from './webdriver.js';

let driver;
let session;
const sims = [];
after(async () => {
  await session?.close();
  await driver?.stop();
  for (const child of sims) child.kill();
});

const CRM = 'Cust: Ravi K, Mob +91-98765 43210 / alt 022 2345 6789';

test('pasted and typed text, too many digits, context and who you are', { timeout: 170000 }, async () => {
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
    await session.setRect(w, h);
    await waitFor(`${w}×${h}`, async () => Math.abs((await session.run('return window.innerWidth;')) - w) < 40);
    await sleep(200);
  };
  const value = (css) => session.run(`return document.querySelector(${JSON.stringify(css)}).value;`);
  const hidden = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !e || !!e.closest('[hidden]');`);
  const chips = () => session.run("return [...document.querySelectorAll('#number-picks button')].map((b) => b.textContent);");
  const clear = () => session.run("const n = document.querySelector('#number'); n.value = ''; n.dispatchEvent(new Event('input')); n.focus(); return true;");
  const paste = (text) => session.run(
    `const n = document.querySelector('#number'); n.value = ''; n.focus();
     const data = new DataTransfer(); data.setData('text/plain', arguments[0]);
     n.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
     return true;`, [text]);

  await waitFor('the welcome screen', async () => !(await hidden('#demo')));
  await session.click('#demo');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  const simUrl = await session.text('#demo-url');
  // Calls connect soon; each is hung up before the next is dialled (one live call per agent).
  const timings = await simFetch(simUrl, '/__sim/timings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_ring_ms: 500, customer_ring_ms: 500, talk_ms: 120000, cdr_delay_ms: 100 }),
  });
  assert.equal(timings.status, 200);
  const dials = async () => (await (await simFetch(simUrl, '/__sim/requests')).json())
    .filter((r) => r.path === '/v1/click_to_call').map((r) => r.body.destination_number);
  const stageIs = (want) => waitFor(`the call ${want}`, async () => {
    const stage = await session.run("return document.querySelector('#follow').dataset.stage || 'none';");
    if (stage !== want) throw new Error(`stage ${stage}`);
    return true;
  }, 30000);
  // Hangs up with the window's key (Ctrl+Shift+H) once connected, and waits for the end.
  const ended = async () => {
    await stageIs('connected');
    await session.run("document.querySelector('#number').focus(); return true;");
    await session.keys('\uE009\uE008h\uE000');
    await stageIs('ended');
  };
  await session.click('#me-list .me-choice[data-id="0506123456781"]');
  await waitFor('the dial screen', async () => !(await hidden('#me-row')));

  // Item 5, pasted: the mobile goes into the field, the landline is offered beside it.
  await size(380, 520);
  await paste(CRM);
  await waitFor('the mobile in the field', async () => (await value('#number')) === '+91 98765 43210');
  await waitFor('the landline offered', async () => JSON.stringify(await chips()) === JSON.stringify(['+91 22 2345 6789']));
  await waitFor('the preview', async () => (await session.text('#preview')).startsWith('Will dial +91 98765 43210'));
  await shot('input-paste-380.png');
  // Enter dials the field's number, once.
  await session.keys('\uE007');
  await waitFor('the queued result', async () => (await session.text('#result')).startsWith('Call queued'));
  assert.deepEqual(await dials(), ['919876543210']);
  await ended();

  // Item 5, typed: the same text read the same way, not "has letters".
  await size(1280, 800);
  await clear();
  await session.type('#number', CRM.replace('43210', '43211'));
  await waitFor('the typed text read', async () =>
    (await session.text('#preview')) === 'Will dial +91 98765 43211: the first number in the text');
  assert.deepEqual(await chips(), ['+91 22 2345 6789']);
  assert.equal(await session.run("return document.querySelector('#call').getAttribute('aria-disabled');"), 'false');
  await shot('input-typed-1280.png');
  await session.keys('\uE007');
  await waitFor('the field holds the number dialled', async () => (await value('#number')) === '+91 98765 43211');
  await waitFor('the queued result', async () => (await session.text('#result')).includes('+91 98765 43211'));
  assert.deepEqual(await dials(), ['919876543210', '919876543211']);
  assert.deepEqual(await chips(), ['+91 22 2345 6789'], 'the other number stays offered');
  await ended();

  // Item 4, context: after switching "You", the result no longer names the old agent.
  assert.match(await session.text('#result'), /Asha Rao/);
  await session.click('#me-change');
  await waitFor('who are you', async () => !(await hidden('#me-pick')));
  await session.click('#me-list .me-choice[data-id="0506123456783"]');
  await waitFor('"You: Meera Iyer"', async () => (await session.text('#me-name')) === 'Meera Iyer');
  assert.equal(await hidden('#result'), true, 'no result naming Asha Rao');
  assert.equal(await session.text('#result'), '');

  // Item 8, who are you: the list marks who you are now; arrows move from the search into the
  // list and back; Escape keeps who you are.
  const focused = () => session.run("const e = document.activeElement; return e.id || e.dataset.id || e.value || e.tagName;");
  await session.click('#me-change');
  await waitFor('who are you', async () => !(await hidden('#me-pick')));
  assert.equal(await session.run("return [...document.querySelectorAll('#me-list [aria-current=\"true\"]')].map((b) => b.textContent).join();"),
    'Meera Iyer · +91 98100 00003 · you now');
  await shot('input-who-current-1280.png');
  assert.equal(await focused(), 'me-search');
  await session.keys('\uE015'); // Down: Asha Rao
  assert.equal(await focused(), '0506123456781');
  await session.keys('\uE015'); // Down: Meera Iyer
  assert.equal(await focused(), '0506123456783');
  await session.keys('\uE013\uE013'); // Up, Up: back in the search
  assert.equal(await focused(), 'me-search');
  await session.keys('\uE00C'); // Escape: Change undone
  await waitFor('"You: Meera Iyer" kept', async () => (await hidden('#me-pick')) && !(await hidden('#me-row')));
  assert.equal(await session.text('#me-name'), 'Meera Iyer');
  assert.equal(await focused(), 'number');

  // Item 8, on break: Rahul Das is blocked. Enter twice never dials: the question's focus is
  // on Cancel. "Go available and call" makes him available, then dials once.
  await session.click('#me-change');
  await waitFor('who are you', async () => !(await hidden('#me-pick')));
  await session.keys('\uE015\uE015\uE015\uE015'); // Asha, Meera, Priya, Rahul
  assert.equal(await focused(), '0506123456784');
  await session.keys('\uE007');
  await waitFor('"You: Rahul Das"', async () => (await session.text('#me-name')) === 'Rahul Das');
  await size(380, 520);
  await clear();
  await session.type('#number', '98765 43213');
  await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
  const before = (await dials()).length;
  await session.keys('\uE007');
  await waitFor('the on-break question', () => session.run("return document.querySelector('#ask').open;"));
  assert.equal(await session.text('#ask-title'), 'Rahul Das is on break');
  assert.equal(await focused(), 'cancel', 'Cancel has the focus');
  assert.deepEqual(await session.run("return [...document.querySelectorAll('#ask-buttons button')].map((b) => b.textContent);"),
    ['Go available and call', 'Dial anyway', 'Cancel']);
  await sleep(700);
  await shot('input-on-break-380.png');
  await session.keys('\uE007');
  await waitFor('the question closed', () => session.run("return !document.querySelector('#ask').open;"));
  await sleep(500);
  assert.equal((await dials()).length, before, 'Enter twice dialled nothing');
  await session.keys('\uE007');
  await waitFor('the question again', () => session.run("return document.querySelector('#ask').open;"));
  await session.click('#ask-buttons button[value="available"]');
  await waitFor('the queued result', async () => (await session.text('#result')).includes('+91 98765 43213'));
  const unblocks = (await (await simFetch(simUrl, '/__sim/requests')).json()).filter((r) => r.path.endsWith('/unblock'));
  assert.equal(unblocks.length, 1, 'made available once');
  assert.deepEqual((await dials()).slice(before), ['919876543213'], 'then dialled once');
  assert.match(await session.text('#result'), /Rahul Das/);
  await waitFor('shown available', async () => (await session.text('#availability')).includes('Available'));
  await ended();

  // Item 9: too many digits are said at once, as such, not "Keep typing".
  await size(380, 520);
  await clear();
  await session.type('#number', '98765 432101');
  await waitFor('too many digits', async () => (await session.text('#preview')).includes('has 1 digit too many'));
  assert.deepEqual(await chips(), [], 'no number offered from text no longer in the field');
  assert.equal(await session.run("return document.querySelector('#preview').classList.contains('error');"), true);
  await shot('input-too-many-380.png');
  // Still typing (here after the country code without +): the calm hint as before.
  await clear();
  await session.type('#number', '91 98765 4321');
  await waitFor('the typing hint', async () => (await session.text('#preview')).startsWith('Keep typing'));

  // Item 4, context: the demo's calls are in the demo's Recent calls...
  await session.run("document.querySelector('#history').open = true; return true;");
  await waitFor('the demo calls listed', () => session.run("return document.querySelectorAll('#history-list li').length === 3;"));
  await session.run("document.querySelector('#history').open = false; return true;");
  // ...and nothing of the demo stays once a real account is connected.
  const real = await startSim();
  sims.push(real.child);
  await session.click('#open-settings');
  await waitFor('settings', async () => !(await hidden('#view-settings')));
  await session.click('#signout');
  await waitFor('the leave question', () => session.run("return document.querySelector('#ask').open;"));
  await session.click('#ask-buttons button[value="go"]');
  await waitFor('the welcome screen', async () => !(await hidden('#account-form')));
  await shot('input-welcome-after-demo-380.png');
  await session.run("const p = document.querySelector('#provider'); p.value = 'custom'; p.dispatchEvent(new Event('change')); return true;");
  await waitFor('the server address field', async () => !(await hidden('#base-url')));
  await session.type('#base-url', real.url);
  await session.type('#token', 'demo-token\uE007');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  // The list is drawn again as the lists finish loading: let it settle before the click.
  await shot('input-who-real-380.png');
  await session.click('#me-list .me-choice[data-id="0506123456781"]');
  await waitFor('the dial screen', async () => !(await hidden('#me-row')));
  assert.equal(await hidden('#result'), true, 'no demo result');
  assert.equal(await hidden('#follow'), true, 'no demo call in the call bar');
  assert.equal(await value('#number'), '');
  await session.run("document.querySelector('#history').open = true; return true;");
  await waitFor('no demo calls', async () => !(await hidden('#history-empty')));
  assert.equal(await session.run("return document.querySelectorAll('#history-list li').length;"), 0);
  assert.equal(await session.text('#history-empty'), 'No calls yet.');
  await shot('input-real-account-380.png');
  // The command line, on the same real account, lists none of them either.
  assert.equal(execFileSync(app, ['history'], { encoding: 'utf8' }).trim(), 'No calls.');
});
