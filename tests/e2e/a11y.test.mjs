// End to end, issue 25's accessibility: axe-core (an npm devDependency, injected into the page)
// finds no violation on any screen: welcome, who-are-you, dial, the call bar, the confirm sheet,
// Recent calls, settings; at 380×520 (docked beside a CRM) and 1280×800. The stage and the
// result are announced through a live region that is always there. The whole flow works by
// keyboard alone: Tab and Enter to the demo, to who you are, to the number, Enter dials,
// Ctrl+Shift+H hangs up, Enter opens Recent calls, Escape dismisses the sheet, Enter opens
// settings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

const AXE = join(root, 'node_modules', 'axe-core', 'axe.min.js');

/** The whole flow in one theme (`dark`: GTK's dark variant, prefers-color-scheme: dark). */
async function everyScreen(theme) {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  assert.ok(existsSync(AXE), 'npm ci first: axe-core is a devDependency');
  execFileSync(app, ['logout']);
  if (theme === 'dark') process.env.GTK_THEME = 'Adwaita:dark';
  else delete process.env.GTK_THEME;
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, `${theme}-${name}`), await session.screenshot());
  };
  const size = async (w, h) => {
    await session.setRect(w, h, { x: 0, y: 0 });
    await waitFor(`${w}×${h}`, async () => Math.abs((await session.run('return window.innerWidth;')) - w) < 40);
    await sleep(400);
  };
  const axeSource = readFileSync(AXE, 'utf8');
  const problems = [];
  // Every rule axe has (WCAG 2.x A and AA, best practices), on the page as it is now.
  const audit = async (screen) => {
    const injected = await session.run('return typeof window.axe;');
    if (injected !== 'object') await session.run(`${axeSource}\nreturn true;`);
    const found = await session.run(`return axe.run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 3).join(' ')) })));`);
    for (const v of found) problems.push(`${theme} ${screen}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.join('\n    ')}`);
    return found.length;
  };
  // Everything said through the page's live region, in order.
  const listen = () => session.run(`window.__said = [];
    const region = document.querySelector('#announce');
    if (!region) return false;
    new MutationObserver(() => { const t = region.textContent.trim(); if (t) window.__said.push(t); })
      .observe(region, { childList: true, characterData: true, subtree: true });
    return true;`);
  const said = () => session.run('return window.__said || [];');
  // Presses Tab until the focused element matches `css` (a keyboard user's way there).
  const tabTo = async (css, max = 30) => {
    for (let tabs = 0; !(await session.run(`return !!document.activeElement?.matches(${JSON.stringify(css)});`)); tabs += 1) {
      assert.ok(tabs < max, `Tab never reached ${css} (at ${await session.run('return document.activeElement?.outerHTML.slice(0, 80);')})`);
      await session.keys('\uE004');
    }
  };
  // Where a keyboard user starts: the page's first control.
  const startAtTop = () => session.run(`window.scrollTo(0, 0);
    const first = [...document.querySelectorAll('button, input, select, a[href], summary, [tabindex]')]
      .find((e) => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0);
    first.focus();
    return first.id || first.tagName;`);

  await size(380, 520);
  await waitFor('the welcome screen', () => session.run("return !!document.querySelector('#demo') && !document.querySelector('#view-welcome').hidden;"), 20000);
  await audit('welcome 380');
  await shot('a11y-welcome.png');
  await size(1280, 800);
  await audit('welcome 1280');
  await size(380, 520);

  // Keys alone from here on, until the call is over: Tab to the demo, Enter.
  await startAtTop();
  await tabTo('#demo');
  await session.keys('\uE007');
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"), 20000);
  await audit('who-are-you');
  await shot('a11y-who.png');
  const simUrl = await session.text('#demo-url');
  const timings = await simFetch(simUrl, '/__sim/timings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_ring_ms: 1500, customer_ring_ms: 1500, talk_ms: 120000, cdr_delay_ms: 200 }),
  });
  assert.equal(timings.status, 200);
  await startAtTop();
  await tabTo('#me-list .me-choice[data-id="0506123456781"]');
  await session.keys('\uE007');
  await waitFor('the dial screen', () => session.run("return !document.querySelector('#me-row').hidden;"));
  await waitFor('the caller IDs', () => session.run("return document.querySelector('#caller').options.length > 1;"));
  await audit('dial 380');
  await shot('a11y-dial.png');
  await size(1280, 800);
  await audit('dial 1280');
  await size(380, 520);

  // The number, from the top: Tab reaches the field; Enter dials.
  assert.equal(await listen(), true, 'a live region #announce is on the page');
  await startAtTop();
  await tabTo('#number');
  await session.keys('98765 43210');
  await waitFor('a valid number', () => session.run("return document.querySelector('#call').getAttribute('aria-disabled') === 'false';"));
  await session.keys('\uE007');
  await waitFor('connected', () => session.run("const f = document.querySelector('#follow'); return !f.hidden && f.dataset.stage === 'connected';"), 30000);
  await audit('call bar 380');
  await shot('a11y-callbar.png');
  await size(1280, 800);
  await audit('call bar 1280');
  await size(380, 520);
  const heard = await said();
  assert.ok(heard.some((t) => /queued/i.test(t)), `the result is announced: ${JSON.stringify(heard)}`);
  assert.ok(heard.some((t) => /ringing/i.test(t)), `ringing is announced: ${JSON.stringify(heard)}`);
  assert.ok(heard.some((t) => /connected/i.test(t)), `connected is announced: ${JSON.stringify(heard)}`);
  // Ctrl+Shift+H, as the button advertises, from wherever the focus is.
  assert.equal(await session.run("return document.querySelector('#hang-up').getAttribute('aria-keyshortcuts');"), 'Control+Shift+H');
  await session.keys('\uE009\uE008h\uE000');
  await waitFor('ended', () => session.run("return document.querySelector('#follow').dataset.stage === 'ended';"), 20000);
  await waitFor('the end announced', async () => (await said()).some((t) => /ended|answered/i.test(t)), 5000);

  // Recent calls, opened by the keyboard.
  // (Remembered open from the other theme's run: left so.)
  if (!(await session.run("return document.querySelector('#history').open;"))) {
    await session.run("document.querySelector('#history summary').focus(); return true;");
    await session.keys('\uE007');
  }
  await waitFor('the call listed', () => session.run("return document.querySelector('#history').open && document.querySelectorAll('#history-list li').length >= 1;"));
  await audit('history');
  await session.run("document.querySelector('#history').scrollIntoView(); return true;");
  await shot('a11y-history.png');

  // The confirm sheet, from a link another process hands over; Escape dismisses it.
  const link = spawn(app, ['tel:+919876511111'], { stdio: 'ignore' });
  await new Promise((resolve) => { link.on('exit', resolve); });
  await waitFor('the sheet', () => session.run("return document.querySelector('#sheet').open;"), 15000);
  await sleep(1200);
  await audit('sheet');
  await shot('a11y-sheet.png');
  await session.keys('\uE00C');
  await waitFor('the sheet gone', async () => !(await session.run("return document.querySelector('#sheet').open;")));

  // Settings.
  await startAtTop();
  await tabTo('#open-settings');
  await session.keys('\uE007');
  await waitFor('settings', () => session.run("return !document.querySelector('#view-settings').hidden;"));
  await sleep(500);
  await audit('settings 380');
  await shot('a11y-settings.png');
  await size(1280, 800);
  await audit('settings 1280');
  // The browser policy for the CRM, opened and shown.
  await session.run("document.querySelector('#browser-policy').open = true;");
  await session.type('#browser-origin', 'https://crm.example.com');
  await session.click('#browser-policy-show');
  await waitFor('the policy', () => session.run("return !document.querySelector('#browser-policy-text').hidden;"));
  await audit('settings, browser policy');

  assert.equal(await session.run("return matchMedia('(prefers-color-scheme: dark)').matches;"), theme === 'dark');
  assert.deepEqual(problems, [], `axe found:\n${problems.join('\n')}`);
  await session.close();
  session = undefined;
  await driver.stop();
  driver = undefined;
}

test('no axe violation on any screen, live announcements, a dial by keys alone (light)', { timeout: 150000 }, () => everyScreen('light'));

test('the same in the dark theme', { timeout: 150000 }, () => everyScreen('dark'));
