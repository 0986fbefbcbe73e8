// End to end: connect an account in the real window against the simulator (started as
// `clickdial sim`), with an API token and then with email + password; dial; sign out; and a leak
// probe: neither secret (nor a session token) appears in the DOM, the settings file, the app's
// logs or the CLI's output. The keyring is a real gnome-keyring (scripts/with-session.sh).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  app, driverBin, nativeDriver, newSession, simFetch, startSim as startClickdialSim, root, sleep, startDriver, waitFor,
} from './webdriver.js';

const TOKEN = 'demo-token';
const EMAIL = 'demo@clickdial.invalid';
const PASSWORD = 'demo-password';
const settingsFile = () => join(process.env.XDG_DATA_HOME || join(process.env.HOME, '.local', 'share'), 'in.clickdial.desktop', 'settings.json');

let driver;
let session;
let sim;
after(async () => {
  await session?.close();
  await driver?.stop();
  sim?.kill('SIGTERM');
});

async function startSim() {
  const started = await startClickdialSim();
  sim = started.child;
  return started.url;
}

test('sign in with a token, then with email and password; nothing secret leaks', { timeout: 150000 }, async () => {
  assert.ok(existsSync(app), `build the app first: ${app}`);
  // Start from no account, whatever an earlier test left behind.
  execFileSync(app, ['logout']);
  const simUrl = await startSim();
  driver = await startDriver({ driver: driverBin, nativeDriver });
  session = await newSession(driver.base, app);
  const visible = (css) => session.run(`const e = document.querySelector(${JSON.stringify(css)}); return !!e && !e.closest('[hidden]');`);
  const text = (css) => session.text(css);
  const out = process.env.CLICKDIAL_SHOTS || join(root, 'target', 'e2e');
  mkdirSync(out, { recursive: true });
  const shot = async (name) => {
    await sleep(300);
    writeFileSync(join(out, name), await session.screenshot());
  };

  await waitFor('the welcome screen', () => visible('#account-form'));
  // Record every IPC reply the page receives, for the leak probe: each reply reaches the page
  // through Tauri's callback table, so wrap its lookup.
  await session.run(`
    const table = window.__TAURI_INTERNALS__.callbacks;
    const lookup = table.get.bind(table);
    window.__ipcReplies = [];
    table.get = (id) => {
      const callback = lookup(id);
      return callback && ((data) => {
        window.__ipcReplies.push(JSON.stringify(data ?? null));
        return callback(data);
      });
    };`);
  await session.click('#provider option[value="custom"]');
  await waitFor('the server address field', () => visible('#base-url'));
  await session.type('#base-url', simUrl);

  // A wrong token is refused and nothing changes.
  // Enter submits the form, as an agent would.
  await session.type('#token', 'not-the-token\uE007');
  await waitFor('the refusal', async () => (await text('#account-error')).includes('did not accept your API token'));
  await session.run("document.querySelector('#token').value = '';");

  await session.type('#token', `${TOKEN}\uE007`);
  await waitFor('the connection check', async () =>
    (await text('#lists-message')) === 'Connected: 5 agents and 2 caller IDs found.');
  // A token says nothing about who signed in: the agent is asked, once.
  await waitFor('who are you', () => session.run("return document.querySelectorAll('#me-list .me-choice').length === 5;"));
  assert.equal(await session.run("return document.querySelector('#token').value;"), '', 'the field is cleared');

  await session.click('#open-settings');
  await waitFor('settings', () => visible('#view-settings'));
  assert.equal(await text('#fact-provider'), 'Another server');
  assert.equal(await text('#fact-server'), simUrl);
  assert.equal(await text('#fact-sign-in'), 'API token (kept in your system keyring)');
  await shot('settings.png');
  // Issue 9: unsaved changes are asked about, not dropped.
  await session.click('#notify');
  await session.click('#close-settings');
  await waitFor('the unsaved-changes question', () => session.run("return document.querySelector('#ask').open;"));
  assert.equal(await text('#ask-title'), 'Save your changes?');
  await session.click('#ask-buttons button[value="cancel"]');
  assert.equal(await visible('#view-settings'), true, 'Keep editing stays');
  await session.click('#close-settings');
  await waitFor('the question again', () => session.run("return document.querySelector('#ask').open;"));
  await session.click('#ask-buttons button[value="save"]');
  await waitFor('back to dialling', () => visible('#view-dial'));
  assert.equal(JSON.parse(readFileSync(settingsFile(), 'utf8')).settings.notify, true, 'saved');
  await session.click('#open-settings');
  await waitFor('settings', () => visible('#view-settings'));
  // Signing out asks first.
  await session.click('#signout');
  await waitFor('the sign-out question', () => session.run("return document.querySelector('#ask').open;"));
  assert.match(await text('#ask-text'), /removes your API token/);
  await session.click('#ask-buttons button[value="go"]');
  await waitFor('the welcome screen after signing out', () => visible('#account-form'));

  // Email and password.
  await session.click('fieldset.segmented label:nth-of-type(2)');
  await waitFor('the password fields', () => visible('#email'));
  await session.type('#email', EMAIL);
  await session.type('#password', PASSWORD);
  await shot('connect-password.png');
  await session.click('#connect');
  await waitFor('the connection check', async () => (await text('#lists-message')).startsWith('Connected: 5 agents'));
  // The sign-in email is Asha Rao's portal login: recognised, not asked.
  await waitFor('"You: Asha Rao"', () => visible('#me-row'));
  assert.equal(await text('#me-name'), 'Asha Rao');
  assert.equal(await session.run("return document.querySelector('#agent').value;"), '0506123456781');
  await session.type('#number', '98765 43210');
  await session.click('#call');
  await waitFor('the queued result', async () => (await text('#result')).startsWith('Call queued'));

  await session.click('#open-settings');
  await waitFor('settings', () => visible('#view-settings'));
  assert.equal(await text('#fact-sign-in'), `Email and password, as ${EMAIL}`);
  await session.click('#check');
  await waitFor('the connection check', async () => (await text('#check-message')).startsWith('Connected'));
  const whileSignedIn = readFileSync(settingsFile(), 'utf8');
  assert.match(whileSignedIn, /"signIn": "password"/);
  assert.ok(whileSignedIn.includes(EMAIL));
  const whoami = execFileSync(app, ['whoami'], { encoding: 'utf8' });
  assert.match(whoami, /Configured: yes/);
  assert.ok(whoami.includes(`as ${EMAIL}`), whoami);
  await session.click('#signout');
  await waitFor('the sign-out question', () => session.run("return document.querySelector('#ask').open;"));
  await session.click('#ask-buttons button[value="go"]');
  await waitFor('the welcome screen after signing out', () => visible('#account-form'));
  // The picks are kept for this account's return.
  const kept = JSON.parse(readFileSync(settingsFile(), 'utf8')).settings.keptPicks;
  assert.deepEqual(kept.map(([url, picks]) => [url, picks.me]), [[simUrl, '0506123456781']]);
  const whoamiAfter = execFileSync(app, ['whoami'], { encoding: 'utf8' });
  assert.match(whoamiAfter, /Configured: no/);

  // Leak probe.
  const recorded = await (await simFetch(simUrl, '/__sim/requests')).json();
  const sessionTokens = [...new Set(recorded
    .map((r) => (r.authorization || '').replace(/^Bearer /, ''))
    .filter((t) => t.startsWith('st-')))];
  assert.ok(sessionTokens.length >= 1, 'password sign-in used session tokens');
  const ipcReplies = await session.run('return window.__ipcReplies;');
  assert.ok(ipcReplies.length >= 10, `IPC replies were recorded (${ipcReplies.length})`);
  assert.ok(ipcReplies.some((r) => r.includes('Connected: 5 agents')), 'the recorder saw the account replies');
  const places = {
    dom: await session.source(),
    'IPC replies': ipcReplies.join('\n'),
    'settings file': readFileSync(settingsFile(), 'utf8') + whileSignedIn,
    'app logs': driver.logs(),
    'CLI output': whoami + whoamiAfter,
  };
  for (const secret of [TOKEN, PASSWORD, ...sessionTokens]) {
    for (const [where, content] of Object.entries(places)) {
      assert.ok(!content.includes(secret), `${secret} leaked into the ${where}`);
    }
  }
});
