// End to end, issue 9's layout: every screen at the smallest window (380×520) and a large one
// (1280×800), in the dark theme: no sideways scrolling, no button wrapped inside its border, a
// long server name cut short with the whole address in a tooltip. The light theme at 380 px is
// covered by dial.test.mjs; screenshots land in target/e2e (the README's come from there).
// Then, in Settings, "Start at login" writes and removes the desktop's autostart entry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

const SIZES = [[380, 520], [1280, 800]];

test('every screen fits at 380 px and 1280 px, in the dark theme; start at login', { timeout: 120000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  execFileSync(app, ['logout']);
  // GTK's dark variant: WebKit reports it to the page as prefers-color-scheme: dark.
  process.env.GTK_THEME = 'Adwaita:dark';
  try {
    driver = await startDriver({ driver: driverBin, nativeDriver });
  } finally {
    delete process.env.GTK_THEME;
  }
  session = await newSession(driver.base, app);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);

  // What is wrong with the screen as it is now, or '' when nothing.
  const problems = () => session.run(`
    const bad = [];
    const d = document.documentElement;
    if (d.scrollWidth > d.clientWidth) bad.push('scrolls sideways: ' + d.scrollWidth + ' > ' + d.clientWidth);
    for (const b of document.querySelectorAll('button')) {
      if (b.closest('[hidden]') || !b.offsetParent) continue;
      if (b.classList.contains('me-choice')) continue; // list rows may take two lines
      // Each piece of text on one line: a wrapped label has rects at two heights.
      const walker = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!t.textContent.trim()) continue;
        const r = document.createRange();
        r.selectNodeContents(t);
        const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
        if (tops.size > 1) bad.push('wrapped: ' + b.textContent.trim());
      }
    }
    return bad.join('; ');
  `);
  const check = async (screen) => {
    for (const [w, h] of SIZES) {
      await session.setRect(w, h);
      await waitFor(`${screen} at ${w} px`, async () => (await session.run('return window.innerWidth;')) <= w);
      await sleep(150);
      assert.equal(await problems(), '', `${screen} at ${w}×${h}`);
      await sleep(150);
      writeFileSync(join(out, `dark-${screen}-${w}.png`), await session.screenshot());
    }
  };

  await waitFor('the welcome screen', () => visible('#demo'));
  assert.equal(await session.run("return matchMedia('(prefers-color-scheme: dark)').matches;"), true, 'the dark theme reaches the page');
  // The dark palette is in use: a dark background, light text.
  const luminance = (css, prop) => session.run(`
    const [r, g, b] = getComputedStyle(document.querySelector(${JSON.stringify(css)}))[${JSON.stringify(prop)}].match(/\\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;`);
  assert.ok((await luminance('body', 'backgroundColor')) < 60, 'dark background');
  assert.ok((await luminance('body', 'color')) > 180, 'light text');
  await check('welcome');

  await session.click('#demo');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  await check('who-are-you');
  await session.click('#me-list .me-choice[data-id="0506123456781"]');
  await waitFor('the dial screen', () => visible('#me-row'));
  await session.type('#number', '+1 415 555 0100');
  await waitFor('the preview with its country cue', async () => (await session.text('#preview')).includes('not your caller ID'));
  await check('dial');

  // A long server name (a custom address) is cut short in the header, whole in the tooltip.
  const long = 'https://telephony-gateway.eu-west-2.calls.an-unusually-long-company-name.example.com/v1';
  await session.run(`const m = document.querySelector('#mode'); m.textContent = new URL(${JSON.stringify(long)}).host; m.title = ${JSON.stringify(long)};`);
  await session.setRect(380, 520);
  await waitFor('the narrow window', async () => (await session.run('return window.innerWidth;')) <= 380);
  assert.equal(await problems(), '', 'a long host name at 380 px');
  assert.equal(await session.run("const m = document.querySelector('#mode'); return m.scrollWidth > m.clientWidth && getComputedStyle(m).textOverflow === 'ellipsis';"), true, 'ellipsized');
  const brand = await session.run("const b = document.querySelector('.brand').getBoundingClientRect(), m = document.querySelector('#mode').getBoundingClientRect(); return b.right <= m.left;");
  assert.equal(brand, true, 'the host name never runs into the brand');

  await session.click('#open-settings');
  await waitFor('settings', () => visible('#view-settings'));
  // Opening Settings keeps the keyboard in the window: Back to dialling has focus.
  assert.equal(await session.run('return document.activeElement.id;'), 'close-settings');
  await check('settings');

  // Issue 10, "Start at login": Save writes the desktop's autostart entry, which starts
  // Clickdial with --autostart (then it stays in the tray when "keep it in the tray" is on);
  // unticked and saved, the entry goes.
  const autostartDir = join(process.env.XDG_CONFIG_HOME || join(process.env.HOME, '.config'), 'autostart');
  const entries = () => (existsSync(autostartDir) ? readdirSync(autostartDir) : [])
    .filter((f) => f.endsWith('.desktop'))
    .map((f) => readFileSync(join(autostartDir, f), 'utf8'));
  assert.deepEqual(entries(), [], 'no entry in a fresh desktop');
  await waitFor('the autostart switch', () => session.run("return !document.querySelector('#autostart').disabled;"));
  assert.equal(await session.run("return document.querySelector('#start-hidden').disabled;"), true, 'hidden only with autostart');
  await session.click('#autostart');
  assert.equal(await session.run("return document.querySelector('#start-hidden').disabled;"), false);
  await session.click('#save-prefs');
  await waitFor('saved', async () => (await session.text('#prefs-message')) === 'Saved.');
  await waitFor('the autostart entry', () => entries().length === 1);
  const entry = entries()[0];
  assert.match(entry, /^Exec=.*clickdial.* --autostart$/m, entry);
  assert.equal(await session.run("return document.querySelector('#autostart').checked;"), true);
  await session.click('#autostart');
  await session.click('#save-prefs');
  await waitFor('the entry removed', () => entries().length === 0);
});
