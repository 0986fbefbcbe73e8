// End to end, issue 27's wrap-up kept and used later. A call placed in the window (the
// simulator's demo account, signed in like a real one: the demo's own calls stay out of the
// command line's history by design) ends; keys only: "2", a note, Enter. Then the app is
// restarted on the same data: the Recent calls row still shows the wrap-up, the search finds the
// call by a word of the note (and by its disposition), the CSV saved from the window holds both,
// and `clickdial history --json` / `--csv` show them. Later, from the row (keyboard only): "Edit
// wrap-up" opens the same form prefilled; a digit and a new note, Enter → the row says so;
// Escape cancels. The dispositions set in Settings are offered next time, and the saved name the
// list no longer has is kept; a call removed from history meanwhile gets the plain message in
// the form. Screenshots at 380×520 and 1280×800.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, root, settingsPath, simFetch, sleep, startDriver, startSim, waitFor,
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

const ASHA = '0506123456781';
const NOTE = 'Ravi wants the brochure Thursday';

test('a wrap-up is kept across a restart, found, exported, and edited later', { timeout: 175000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  // It counts the calls in Recent calls and the CSV: it starts from an empty history (earlier
  // files' calls share this HOME). Nothing of Clickdial runs between the test files.
  for (const file of ['calls.sqlite3', 'calls.sqlite3-wal', 'calls.sqlite3-shm']) {
    rmSync(join(dirname(settingsPath()), file), { force: true });
  }
  const started = await startSim();
  sim = started.child;
  execFileSync(app, ['login', '--base-url', started.url, '--token-stdin'], { input: 'demo-token' });
  execFileSync(app, ['me', ASHA]);
  const timings = await simFetch(started.url, '/__sim/timings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_ring_ms: 800, customer_ring_ms: 800, talk_ms: 120000, cdr_delay_ms: 200 }),
  });
  assert.equal(timings.status, 200);

  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };
  const size = async (w, h) => {
    await session.setRect(w, h, { x: 0, y: 0 });
    await waitFor(`${w}×${h}`, async () => Math.abs((await session.run('return window.innerWidth;')) - w) < 40);
    await sleep(300);
  };
  const active = () => session.run('return document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName;');
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);
  const wrapLine = () => session.run("return document.querySelector('#history-list li .h-said')?.textContent ?? null;");
  const rows = () => session.run("return [...document.querySelectorAll('#history-list li')].map((li) => li.querySelector('.h-number').textContent);");
  const search = async (text) => {
    await session.run(`const s = document.querySelector('#history-search'); s.value = ${JSON.stringify(text)}; s.dispatchEvent(new Event('input')); return true;`);
    await sleep(700);
    return rows();
  };
  const dialScreen = () => waitFor('the dial screen', () => session.run("return !document.querySelector('#view-dial').hidden && !document.querySelector('#me-row').hidden;"), 20000);

  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  await dialScreen();
  await size(380, 520);

  // The call ends; keys only: 2, a note, Enter.
  await session.type('#number', '98765 43210');
  await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
  await session.click('#call');
  await waitFor('connected', () => session.run("return document.querySelector('#follow').dataset.stage === 'connected';"), 30000);
  await session.click('#hang-up');
  await waitFor('the wrap-up offered, focused', async () => (await visible('#wrapup')) && (await active()) === 'wrapup-choices', 20000);
  await session.keys('2');
  await waitFor('the note is next', async () => (await active()) === 'wrapup-note');
  await session.keys(`${NOTE}\uE007`);
  await waitFor('saved', async () => (await session.text('#wrapup-saved')) === `Saved: Call back · ${NOTE}`);

  // A restart, on the same data.
  await session.close();
  session = undefined;
  await driver.stop();
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  await dialScreen();
  await size(380, 520);
  if (!(await session.run("return document.querySelector('#history').open;"))) await session.click('#history summary');
  await waitFor('the row shows the wrap-up', async () => (await wrapLine()) === `Call back · ${NOTE}`, 15000);

  // Found by a word of the note, by the disposition; not by a word it lacks.
  assert.deepEqual(await search('brochure'), ['+91 98765 43210']);
  assert.deepEqual(await search('CALL BACK'), ['+91 98765 43210']);
  assert.deepEqual(await search('invoice'), []);
  assert.equal(await session.text('#history-empty'), 'No calls match.');

  // The CSV of the calls found, saved from the window (the Save dialog stubbed for its answer:
  // a native GTK dialog is not WebDriver's to drive).
  const folder = join(out, 'wrapup-later');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  const saveTo = join(folder, 'ravi.csv');
  await session.run(`return import('./app.js').then((m) => {
    m.backend.saveDialog = async () => ${JSON.stringify(saveTo)};
    return true;
  });`);
  await search('thursday');
  await session.click('#history-export');
  await waitFor('the CSV saved', async () => (await session.text('#history-message')) === `Saved 1 call to ${saveTo}`, 10000);
  const csv = readFileSync(saveTo, 'utf8').trim().split('\n');
  assert.equal(csv.length, 2, csv.join('\n'));
  assert.match(csv[0], /,disposition,note$/);
  assert.match(csv[1], new RegExp(`,\\+91 98765 43210,.*,Call back,${NOTE}$`));
  // And the command line, in the same environment, shows the same.
  const json = JSON.parse(execFileSync(app, ['history', '--json', '--find', 'brochure'], { encoding: 'utf8' }));
  assert.equal(json.length, 1);
  assert.equal(json[0].e164, '+919876543210');
  assert.equal(json[0].disposition, 'Call back');
  assert.equal(json[0].note, NOTE);
  assert.match(execFileSync(app, ['history', '--csv'], { encoding: 'utf8' }), new RegExp(`,Call back,${NOTE}\\n?$`));

  // Later, from the row, keys only: Edit wrap-up opens the same form in the row, prefilled.
  await search('');
  await waitFor('one row', async () => (await rows()).length === 1);
  const button = "#history-list li button.wrap";
  assert.equal(await session.text(button), 'Edit wrap-up');
  assert.equal(await session.run(`return document.querySelector(${JSON.stringify(button)}).getAttribute('aria-label');`), 'Edit wrap-up: +91 98765 43210');
  await session.run(`document.querySelector(${JSON.stringify(button)}).focus(); return true;`);
  await session.keys('\uE007');
  await waitFor('the form in the row, focused', async () => (await session.run("return !!document.querySelector('#history-list li #wrapup:not([hidden])');")) && (await active()) === 'wrapup-choices');
  assert.equal(await session.run("return document.querySelector('#wrapup-note').value;"), NOTE);
  assert.equal(await session.run("return document.querySelectorAll('#wrapup-choices button')[1].getAttribute('aria-pressed');"), 'true', 'Call back, as saved');
  assert.equal(await session.text('#wrapup-skip'), 'Cancel');
  await session.run("document.querySelector('#history-list li').scrollIntoView({ block: 'center' }); return true;");
  await shot('wrapup-edit-380.png');
  await size(1280, 800);
  await session.run("document.querySelector('#history-list li').scrollIntoView({ block: 'center' }); return true;");
  await shot('wrapup-edit-1280.png');
  await size(380, 520);
  // Escape cancels: nothing changes, the focus goes back to the row's button.
  await session.keys('1');
  await session.keys('\uE00C');
  await waitFor('cancelled', async () => !(await visible('#wrapup')));
  assert.equal(await active(), 'link small wrap');
  assert.equal(await wrapLine(), `Call back · ${NOTE}`);
  // Again: 1, a new note, Enter → replaced, the row says so.
  await session.keys('\uE007');
  await waitFor('the form again', async () => (await active()) === 'wrapup-choices');
  await session.keys('1');
  await waitFor('the note is next', async () => (await active()) === 'wrapup-note');
  await session.run("document.querySelector('#wrapup-note').select(); return true;");
  await session.keys('Sent the brochure\uE007');
  await waitFor('the row updated', async () => (await wrapLine()) === 'Interested · Sent the brochure');
  assert.equal(await visible('#wrapup'), false);
  assert.equal(await active(), 'link small wrap', 'the focus back on the row');
  assert.equal(JSON.parse(execFileSync(app, ['history', '--json'], { encoding: 'utf8' }))[0].note, 'Sent the brochure');

  // The dispositions set in Settings are offered; the saved one the list lacks is kept.
  await session.click('#open-settings');
  await waitFor('Settings', () => session.run("return !document.querySelector('#view-settings').hidden;"));
  await session.run("document.querySelector('#dispositions-form').scrollIntoView(); return true;");
  await session.type('#dispositions', 'Sale\uE007Lost\uE007');
  await session.click('#save-dispositions');
  await waitFor('saved', async () => (await session.text('#dispositions-message')) === 'Saved.');
  assert.equal(await session.run("return document.querySelector('#dispositions').value;"), 'Sale\nLost');
  await shot('wrapup-dispositions-380.png');
  await size(1280, 800);
  await session.run("document.querySelector('#dispositions-form').scrollIntoView({ block: 'center' }); return true;");
  await shot('wrapup-dispositions-1280.png');
  await size(380, 520);
  await session.click('#close-settings');
  await dialScreen();
  await waitFor('the row', async () => (await rows()).length === 1);
  await session.run(`document.querySelector(${JSON.stringify(button)}).focus(); return true;`);
  await session.keys('\uE007');
  await waitFor('the form with the new list', async () => (await active()) === 'wrapup-choices');
  assert.deepEqual(
    await session.run("return [...document.querySelectorAll('#wrapup-choices button')].map((b) => [b.textContent, b.getAttribute('aria-pressed')]);"),
    [['1 Sale', 'false'], ['2 Lost', 'false'], ['Interested', 'true']],
  );
  await session.run("document.querySelector('#history-list li').scrollIntoView({ block: 'center' }); return true;");
  await shot('wrapup-edit-kept-380.png');
  // Enter keeps what was saved, the note as it is.
  await session.keys('\uE007');
  await waitFor('closed', async () => !(await visible('#wrapup')));
  assert.equal(await wrapLine(), 'Interested · Sent the brochure');

  // The call removed from history meanwhile (another process applying the retention rule, here
  // a plain DELETE on the ledger): the edit says so plainly, in the form, and stays open.
  await session.run(`document.querySelector(${JSON.stringify(button)}).focus(); return true;`);
  await session.keys('\uE007');
  await waitFor('the form once more', async () => (await active()) === 'wrapup-choices');
  const ledgerFile = join(process.env.XDG_DATA_HOME || join(process.env.HOME, '.local', 'share'), 'in.clickdial.desktop', 'calls.sqlite3');
  execFileSync('python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM calls"); c.commit()', ledgerFile]);
  await session.keys('1\uE007');
  await waitFor('the plain message', async () => (await visible('#wrapup-problem'))
    && (await session.text('#wrapup-problem')) === 'That call is no longer in this computer\'s history.');
  assert.equal(await visible('#wrapup'), true, 'the form stays, nothing lost silently');
  await session.keys('\uE00C');
  await waitFor('cancelled', async () => !(await visible('#wrapup')));
});
