import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  COMMANDS,
  askedText,
  burstText,
  sheetWarning,
  countryName,
  sheetQuestion,
  sourceLabel,
  previewText,
  stillTyping,
  typingHint,
  PROVIDERS,
  accountForm,
  agentLabel,
  byName,
  callerFor,
  callerLabel,
  createBackend,
  createDialer,
  describeQueued,
  repeatNote,
  errorTone,
  formatDid,
  hostOf,
  minutesToSeconds,
  passwordExpiryText,
  pickInitial,
  matchMe,
  filterAgents,
  countryCue,
  providerName,
  signInText,
  toError,
} from './backend.js';

function fakeInvoke(handler) {
  const calls = [];
  const invoke = async (cmd, args) => {
    calls.push({ cmd, args });
    return handler(cmd, args);
  };
  return { invoke, calls };
}

test('commands and arguments reach invoke under the Rust names', async () => {
  const { invoke, calls } = fakeInvoke(() => 'ok');
  const b = createBackend(invoke);
  await b.status();
  await b.saveAccount({ provider: 'servetel', baseUrl: 'ignored', signIn: 'token', token: 'tok', email: 'e', password: 'p' });
  await b.preview('98765 43210');
  await b.agents(true);
  await b.savePreferences({ region: 'IN', callTimeout: undefined });
  await b.dial({ agent: 'A1', callerId: '', number: '98765 43210' });
  await b.confirmLink({ id: 7, agent: 'A2', callerId: '' });
  await b.dismissLink(8);
  assert.deepEqual(calls, [
    { cmd: 'get_status', args: undefined },
    {
      cmd: 'save_account',
      args: { form: { provider: 'servetel', baseUrl: null, signIn: 'token', token: 'tok', email: null, password: null } },
    },
    { cmd: 'preview_number', args: { input: '98765 43210' } },
    { cmd: 'list_agents', args: { refresh: true } },
    { cmd: 'save_preferences', args: { region: 'IN', callTimeout: null, linksWithoutAsking: null, hotkey: null, hangUpHotkey: null, startHidden: null, historyDays: null, notify: null, chooseAgentEachCall: null, teamCheck: null, afterCallKind: null, afterCallUrl: null } },
    { cmd: 'dial', args: { agent: 'A1', callerId: null, number: '98765 43210' } },
    { cmd: 'confirm_link', args: { id: 7, agent: 'A2', callerId: null } },
    { cmd: 'dismiss_link', args: { id: 8 } },
  ]);
  assert.equal(new Set(Object.values(COMMANDS)).size, Object.keys(COMMANDS).length);
});

test('rejections become {code, message}', async () => {
  const b = createBackend(async () => {
    throw { code: 'invalidNumber', message: "'98765abcde' has letters" };
  });
  await assert.rejects(b.preview('98765abcde'), { code: 'invalidNumber', message: "'98765abcde' has letters" });
  const c = createBackend(async () => {
    throw 'plain string from an old backend';
  });
  await assert.rejects(c.status(), { code: 'internal', message: 'plain string from an old backend' });
  assert.equal(toError(undefined).code, 'internal');
  assert.match(toError(null).message, /try again/);
});

test('a second dial while the first is in flight is skipped, not sent', async () => {
  let release;
  const { invoke, calls } = fakeInvoke(
    () => new Promise((resolve) => { release = () => resolve({ refId: 'r1', international: '+91 98765 43210' }); }),
  );
  const dialer = createDialer(createBackend(invoke));
  const first = dialer.dial({ agent: 'A', number: '9876543210' });
  const second = await dialer.dial({ agent: 'A', number: '9876543210' });
  assert.deepEqual(second, { skipped: true });
  assert.equal(dialer.busy, true);
  release();
  const done = await first;
  assert.equal(done.outcome.refId, 'r1');
  assert.equal(dialer.busy, false);
  assert.equal(calls.filter((c) => c.cmd === 'dial').length, 1);
});

test('the dial screen and the confirm sheet share one dial lock', async () => {
  let release;
  const { invoke, calls } = fakeInvoke(
    () => new Promise((resolve) => { release = () => resolve({ refId: 'r2', international: '+91 98765 43210' }); }),
  );
  const dialer = createDialer(createBackend(invoke));
  const link = dialer.confirmLink({ id: 7, agent: 'A', callerId: '' });
  assert.deepEqual(await dialer.dial({ agent: 'A', number: '1' }), { skipped: true });
  assert.deepEqual(await dialer.confirmLink({ id: 7, agent: 'A' }), { skipped: true });
  release();
  assert.equal((await link).outcome.refId, 'r2');
  assert.equal(dialer.busy, false);
  assert.deepEqual(calls, [{ cmd: 'confirm_link', args: { id: 7, agent: 'A', callerId: null } }]);
});

test('a failed dial frees the dialer and reports the error', async () => {
  const dialer = createDialer(createBackend(async () => { throw { code: 'timeout', message: 'slow' }; }));
  assert.deepEqual(await dialer.dial({ agent: 'A', number: '1' }), { error: { code: 'timeout', message: 'slow' } });
  assert.equal(dialer.busy, false);
});

test('labels', () => {
  assert.equal(
    agentLabel({ id: '0506123456781', name: 'Asha Rao', followMeNumber: '+919810000001', status: 'enabled' }),
    'Asha Rao · +91 98100 00001',
  );
  assert.equal(
    agentLabel({ id: '0506123456784', name: 'Rahul Das', followMeNumber: null, status: 'blocked' }),
    'Rahul Das · 0506123456784 (blocked)',
  );
  assert.equal(agentLabel({ id: '0506', name: '0506', status: 'unknown' }), '0506');
  assert.equal(formatDid('+918065000101'), '+91 80650 00101');
  assert.equal(formatDid('+14155550123'), '+14155550123');
  assert.equal(callerLabel({ name: 'Sales line', did: '+918065000101' }), 'Sales line · +91 80650 00101');
  assert.equal(callerLabel({ name: '', did: '+918065000101' }), '+91 80650 00101');
  assert.equal(hostOf('https://api.servetel.in/v1'), 'api.servetel.in');
});

test('the remembered pick wins only while it is offered and usable', () => {
  const opts = [{ value: 'a', disabled: true }, { value: 'b' }, { value: 'c' }];
  assert.equal(pickInitial(opts, 'c'), 'c');
  assert.equal(pickInitial(opts, 'a'), 'b');
  assert.equal(pickInitial(opts, 'gone'), 'b');
  assert.equal(pickInitial([], 'c'), null);
  // Agents: never a guess, so a new user cannot ring a colleague's phone.
  assert.equal(pickInitial(opts, 'gone', false), null);
  assert.equal(pickInitial(opts, null, false), null);
  assert.equal(pickInitial(opts, 'c', false), 'c');
});

const TEAM = [
  { id: '0506123456781', name: 'Asha Rao', followMeNumber: '+919810000001', status: 'enabled', login: 'demo@clickdial.invalid' },
  { id: '0506123456782', name: 'Vikram Singh', followMeNumber: '+919810000002', status: 'enabled', login: 'vikram@x.in' },
  { id: '0506123456783', name: 'Asha Iyer', followMeNumber: '+919810000003', status: 'disabled', login: 'shared@x.in' },
  { id: '0506123456784', name: 'Rahul Das', followMeNumber: '+919810000004', status: 'blocked', login: 'shared@x.in' },
];

test('"this is me" is matched from the sign-in email only when exactly one agent has it', () => {
  assert.equal(matchMe(TEAM, ' Demo@ClickDial.invalid ')?.id, '0506123456781');
  assert.equal(matchMe(TEAM, 'nobody@x.in'), null);
  assert.equal(matchMe(TEAM, ''), null);
  assert.equal(matchMe(TEAM, null), null);
  // Two logins alike (one disabled): the usable one.
  assert.equal(matchMe(TEAM, 'shared@x.in')?.id, '0506123456784');
  assert.equal(matchMe([...TEAM, { ...TEAM[3], id: 'x' }], 'shared@x.in'), null, 'two usable: ask');
});

test('agents filter by name, ID or phone number as you type', () => {
  const ids = (q) => filterAgents(TEAM, q).map((a) => a.id.slice(-1)).join('');
  assert.equal(ids(''), '1234');
  assert.equal(ids('asha'), '13');
  assert.equal(ids('  RAO'), '1');
  assert.equal(ids('98100 00002'), '2', 'a mobile, written with a space');
  assert.equal(ids('0506123456784'), '4');
  assert.equal(ids('asha 1'), '', 'words match names only');
  const many = Array.from({ length: 300 }, (_, i) => ({ id: `05${i}`, name: `Agent ${i}`, status: 'enabled' }));
  assert.equal(filterAgents(many, 'agent 29').length, 11);
});

test('a customer in another country than the caller ID gets a cue', () => {
  const us = { international: '+1 415-555-0100', region: 'US' };
  assert.equal(countryCue(us, '+918065000101'), ' \u00b7 United States: not your caller ID\u2019s country');
  assert.equal(countryCue(us, '+14155550000'), '');
  assert.equal(countryCue({ international: '+91 98765 43210', region: 'IN' }, '+918065000101'), '');
  assert.equal(countryCue(us, ''), '', 'the account default: unknown, so nothing');
  assert.equal(countryCue(us, 'Sales-01'), '');
  assert.equal(countryCue({ international: '+971 50 123 4567', region: 'AE' }, '+918065000101'),
    ' \u00b7 United Arab Emirates: not your caller ID\u2019s country');
  assert.equal(countryCue({ international: '+91 98765 43210', region: 'IN' }, '+9180'), '');
});

test('queued message names the agent and the number; the reference has a line of its own', () => {
  const text = describeQueued({ refId: '0f8e3c2a-1111-2222', international: '+91 98765 43210' }, 'Asha Rao');
  assert.equal(text, "Call queued: Asha Rao's phone rings first, then +91 98765 43210.");
  assert.equal(describeQueued({ international: '+1 415-555-0123' }), 'Call queued: The agent\u2019s phone rings first, then +1 415-555-0123.');
});

test('the repeat note counts down from the typed detail and goes', () => {
  const error = {
    code: 'busy',
    message: 'Already dialled +91 98765 43210 2 s ago, so this repeat was ignored. Wait a few seconds to call it again.',
    detail: { kind: 'repeat', e164: '+919876543210', number: '+91 98765 43210', agoMs: 1500, retryInMs: 3500 },
  };
  assert.equal(repeatNote(error, 0), 'Already dialled +91 98765 43210 2 s ago, so this repeat was ignored. You can call it again in 4 s.');
  assert.equal(repeatNote(error, 2), 'Already dialled +91 98765 43210 4 s ago, so this repeat was ignored. You can call it again in 2 s.');
  assert.equal(repeatNote(error, 4), '');
  // The window comes from Rust: a longer one counts longer, whatever the message says.
  assert.match(repeatNote({ ...error, detail: { ...error.detail, retryInMs: 9000 } }, 4), /again in 5 s\.$/);
  // Not a repeat (a dial in flight): shown as said, no countdown parsed from the words.
  const inFlight = { code: 'busy', message: 'Already dialling +91 98765 43210; wait for that call to be placed.', detail: { kind: 'inFlight', e164: '+919876543210' } };
  assert.equal(repeatNote(inFlight, 1), inFlight.message);
  assert.equal(repeatNote({ code: 'busy', message: '12 s ago' }, 0), '12 s ago');
});

test('tones', () => {
  assert.equal(errorTone('unknownOutcome'), 'warn');
  assert.equal(errorTone('busy'), 'warn');
  assert.equal(errorTone('unauthorized'), 'error');
});

test('providers are https presets plus custom', () => {
  for (const p of PROVIDERS.filter((p) => p.id !== 'custom')) {
    assert.match(p.baseUrl, /^https:\/\/[a-z.-]+\/v1$/);
  }
  assert.ok(PROVIDERS.some((p) => p.id === 'custom'));
});

test('the account form sends only the chosen sign-in\'s secret', () => {
  const typed = { provider: 'custom', baseUrl: 'https://x.test/v1', token: 't', email: 'a@b.c', password: 'pw' };
  assert.deepEqual(accountForm({ ...typed, signIn: 'password' }), {
    provider: 'custom', baseUrl: 'https://x.test/v1', signIn: 'password', token: null, email: 'a@b.c', password: 'pw',
  });
  assert.deepEqual(accountForm({ ...typed, signIn: 'token' }), {
    provider: 'custom', baseUrl: 'https://x.test/v1', signIn: 'token', token: 't', email: null, password: null,
  });
});

test('minutes become seconds; blank means the account default', () => {
  assert.equal(minutesToSeconds(''), null);
  assert.equal(minutesToSeconds('  '), null);
  assert.equal(minutesToSeconds('5'), 300);
  assert.equal(minutesToSeconds('1.5'), 90);
  assert.ok(Number.isNaN(minutesToSeconds('abc')));
  assert.ok(Number.isNaN(minutesToSeconds('-3')));
});

test('settings facts never need the secret', () => {
  assert.equal(providerName({ demo: true }), 'Demo (built-in simulator)');
  assert.equal(providerName({ demo: false, provider: 'smartflo' }), 'Tata Smartflo');
  assert.equal(providerName({ demo: false, provider: 'custom' }), 'Another server');
  assert.equal(signInText({ demo: false, signIn: 'password', email: 'asha@example.com' }), 'Email and password, as asha@example.com');
  assert.match(signInText({ demo: false, signIn: 'token' }), /^API token/);
});

test('the caller ID last used with an agent is preselected only if still offered', () => {
  const status = { lastCallerByAgent: { A1: '918065000102', A2: 'gone' } };
  assert.equal(callerFor(status, 'A1', ['918065000101', '918065000102']), '918065000102');
  assert.equal(callerFor(status, 'A2', ['918065000101']), null);
  assert.equal(callerFor(status, 'A3', ['918065000101']), null);
  assert.equal(callerFor({}, 'A1', []), null);
});

test('a password that expires within 14 days is warned about, not before', () => {
  const at = (days, demo = false) => passwordExpiryText({ passwordDaysLeft: days, demo });
  assert.equal(at(15), '');
  assert.equal(at(null), '');
  assert.equal(at(3, true), '');
  assert.match(at(14), /expires in 14 days/);
  assert.match(at(1), /expires tomorrow/);
  assert.match(at(0), /has expired/);
});

test('the confirm sheet asks in one sentence, naming country, line, agent and caller ID', () => {
  const number = { international: '+91 98765 43210', region: 'IN', kind: 'mobile' };
  assert.equal(
    sheetQuestion(number, 'Asha Rao', 'Sales line'),
    'Call +91 98765 43210 (India, mobile) from Asha Rao via Sales line?',
  );
  assert.equal(sheetQuestion(number, 'Asha Rao', ''), 'Call +91 98765 43210 (India, mobile) from Asha Rao?');
  const us = { international: '+1 415-555-0100', region: 'US', kind: 'mobileOrLandline' };
  assert.equal(sheetQuestion(us, '', ''), 'Call +1 415-555-0100 (United States, mobile or landline)?');
  const odd = { international: '+882 1234', region: null, kind: 'other' };
  assert.equal(sheetQuestion(odd, 'A', 'B'), 'Call +882 1234 from A via B?');
  assert.equal(countryName('GB'), 'United Kingdom');
  assert.equal(countryName('FR'), 'FR');
});

test('a burst of links says how many arrived; a single link says nothing', () => {
  assert.equal(burstText(1), '');
  assert.equal(burstText(undefined), '');
  assert.match(burstText(20), /^20 links arrived together\. This is the latest/);
});

test('a trusted link that waits on the sheet says why, from the typed reason', () => {
  assert.match(askedText('recent'), /less than a minute ago/);
  assert.match(askedText('otherCountry'), /another country/);
  assert.match(askedText('unusual'), /premium-rate/);
  assert.equal(askedText(null), '');
  assert.equal(askedText(undefined), '');
});

test('the sheet warns of a colleague already on a call with that customer, first', () => {
  const colleague = { agent: 'Vikram Das', message: 'Vikram Das is on a call with +91 98765 43210 (2:14).' };
  assert.equal(sheetWarning({ count: 1 }, colleague), colleague.message);
  assert.equal(sheetWarning({ count: 1 }, null), '');
  assert.equal(sheetWarning({ asked: 'recent' }, undefined), askedText('recent'));
  assert.equal(sheetWarning({ count: 3 }, colleague), `${colleague.message} ${burstText(3)}`);
  assert.equal(sheetWarning({ count: 1 }, { message: '' }), '');
});

test('the sheet says where a number came from', () => {
  assert.equal(sourceLabel('link', false), 'Phone link');
  assert.equal(sourceLabel('link', true), 'Test link');
  assert.equal(sourceLabel('tray', false), 'From the tray');
  assert.equal(sourceLabel('hotkey', false), 'Selected text');
});

test('while typing, a number still being written gets a hint, not an error', () => {
  for (const partial of ['9', '98765', '+91 98765', '(080) 2345', '\u0969\u096e']) assert.equal(stillTyping(partial), true, partial);
  for (const wrong of ['98765abcde', 'tel:+91', '98765#1', 'Rahul']) assert.equal(stillTyping(wrong), false, wrong);
  assert.match(typingHint('IN'), /10 digits/);
  assert.doesNotMatch(typingHint('US'), /Indian/);
});

test('the preview says when the country was assumed from the settings', () => {
  const p = { international: '+91 41555 50100', region: 'IN', assumedCountry: true, ext: null };
  assert.equal(previewText(p, 'IN'), 'Will dial +91 41555 50100 (India, assumed from your settings)');
  assert.equal(previewText({ ...p, assumedCountry: false }, 'IN'), 'Will dial +91 41555 50100');
  assert.equal(previewText({ ...p, ext: '12', assumedCountry: false }, 'IN'), 'Will dial +91 41555 50100 (extension 12 is not dialled)');
});

test('follow: timeline steps, the running clock and outcomes', async () => {
  const { timeline, callLine, callTone, clock } = await import('./backend.js');
  const states = (call) => timeline(call).map((s) => s.state);
  assert.deepEqual(states({ stage: 'ringing' }), ['current', 'todo', 'todo']);
  assert.deepEqual(states({ stage: 'ringingAgent' }), ['current', 'todo', 'todo']);
  assert.deepEqual(states({ stage: 'queued' }), ['todo', 'todo', 'todo']);
  assert.deepEqual(states({ stage: 'connected' }), ['done', 'current', 'todo']);
  assert.deepEqual(states({ stage: 'ended', outcome: 'answered' }), ['done', 'done', 'current']);
  // Failed looks failed: never "Connected", and the end is a failure.
  for (const outcome of ['busy', 'missed', 'agentMissed', 'failed', 'cancelled']) {
    assert.deepEqual(states({ stage: 'ended', outcome }), ['done', 'skipped', 'failed'], outcome);
    assert.equal(callTone({ stage: 'ended', outcome }), 'warn', outcome);
  }
  // Ended, how unknown: not a failure, but not "Connected" either.
  assert.deepEqual(states({ stage: 'ended', outcome: 'ended' }), ['done', 'skipped', 'current']);
  assert.equal(clock(0), '0:00');
  assert.equal(clock(61), '1:01');
  assert.equal(clock(3725), '1:02:05');
  assert.equal(callLine({ stage: 'ringingAgent', elapsedS: 3 }, 2), 'Ringing your phone: answer it to reach the customer · 0:05');
  assert.equal(callLine({ stage: 'ringing', elapsedS: 9, international: '+91 98765 43210' }), 'Ringing · 0:09');
  assert.equal(callLine({ stage: 'connected', talkS: 10 }, 5), 'Connected · 0:15');
  // Ended: the clock stops; the outcome speaks.
  assert.equal(callLine({ stage: 'ended', outcome: 'answered', talkS: 62, following: false }, 30), 'Answered · talked 1:02');
  assert.equal(callLine({ stage: 'ended', outcome: 'busy', following: true }), 'Busy · checking the call record…');
  assert.equal(callLine({ stage: 'ended', outcome: 'mystery' }), 'Ended');
  assert.equal(callTone({ stage: 'ended', outcome: 'answered' }), 'ok');
  assert.equal(callTone({ stage: 'ended', outcome: 'missed' }), 'warn');
  assert.equal(callTone({ stage: 'ended', outcome: 'ended' }), null);
  assert.equal(callTone({ stage: 'connected' }), null);
  // The server lost mid-call: no stage claimed, no clock running.
  const lost = { stage: 'connected', talkS: 10, unreachable: true };
  assert.equal(callLine(lost, 30), 'Cannot reach the server: the call may still be going on');
  assert.equal(callTone(lost), 'warn');
  assert.equal(callLine({ ...lost, stage: 'ended', outcome: 'answered', talkS: 62 }), 'Answered · talked 1:02');
});

test('history rows and availability words', async () => {
  const { historyText, availability, stageAnnouncement } = await import('./backend.js');
  const now = new Date(2026, 10, 28, 15, 0).getTime();
  const today = historyText({ createdAtMs: new Date(2026, 10, 28, 9, 5).getTime(), outcome: 'answered', talkS: 75, state: 'queued' }, now);
  assert.match(today.date, /^09[:.]05/);
  assert.equal(today.outcome, 'Answered · 1:15');
  const older = historyText({ createdAtMs: new Date(2026, 10, 2, 9, 5).getTime(), state: 'notPlaced' }, now);
  assert.match(older.date, /2/);
  assert.equal(older.outcome, 'Not placed');
  assert.equal(historyText({ createdAtMs: now, state: 'unknown' }, now).outcome, 'May have been placed');
  assert.equal(historyText({ createdAtMs: now, state: 'queued' }, now).outcome, 'Queued');
  // The live region: each new stage once, the end in the backend's words; "queued" is the
  // dial's own result.
  const call = { id: 1, international: '+91 98765 43210', stage: 'queued', summary: 'Queued · 0:01' };
  assert.equal(stageAnnouncement(call, null), null);
  const ringing = { ...call, stage: 'ringingAgent', summary: 'Ringing your phone · 0:02' };
  assert.equal(stageAnnouncement(ringing, call), '+91 98765 43210: Ringing your phone');
  assert.equal(stageAnnouncement({ ...ringing, summary: 'Ringing your phone · 0:03' }, ringing), null, 'a clock tick is no news');
  const talking = { ...call, stage: 'connected', summary: 'Connected · 0:00' };
  assert.equal(stageAnnouncement(talking, ringing), '+91 98765 43210: Connected');
  const ended = { ...call, stage: 'ended', outcome: 'answered', summary: 'Answered · talked 0:42' };
  assert.equal(stageAnnouncement(ended, talking), '+91 98765 43210: Answered · talked 0:42');
  assert.equal(stageAnnouncement({ ...talking, id: 2 }, talking), '+91 98765 43210: Connected', 'another call');
  const lost = { ...talking, unreachable: true, summary: 'Cannot reach the server; the call may still be going on' };
  assert.equal(stageAnnouncement(lost, talking), '+91 98765 43210: Cannot reach the server; the call may still be going on');
  // A call this window follows: its latest stage, never "Queued" once it moved on.
  assert.equal(historyText({ createdAtMs: now, state: 'queued', stage: 'connected' }, now).outcome, 'Connected');
  assert.equal(historyText({ createdAtMs: now, state: 'queued', stage: 'ringingAgent' }, now).outcome, 'Ringing your phone');
  assert.equal(historyText({ createdAtMs: now, state: 'queued', stage: 'ringing' }, now).outcome, 'Ringing');
  assert.equal(historyText({ createdAtMs: now, state: 'queued', stage: 'queued' }, now).outcome, 'Queued');
  assert.equal(historyText({ createdAtMs: now, state: 'queued', stage: 'connected', outcome: 'busy' }, now).outcome, 'Busy', 'the outcome wins');
  assert.equal(availability({ status: 'enabled' }).label, 'Available');
  assert.equal(availability({ status: 'enabled' }).next, false);
  assert.equal(availability({ status: 'blocked' }).next, true);
  assert.equal(availability({ status: 'busy' }).enabled, false);
  assert.equal(availability({ status: 'disabled' }), null);
  assert.equal(availability(undefined), null);
});

test('a date filter covers that local day', async () => {
  const { dayRange } = await import('./backend.js');
  const { sinceMs, untilMs } = dayRange('2026-11-28');
  assert.equal(sinceMs, new Date(2026, 10, 28).getTime());
  assert.equal(untilMs, new Date(2026, 10, 29).getTime());
  assert.deepEqual(dayRange(''), { sinceMs: null, untilMs: null });
  assert.deepEqual(dayRange('28/11/2026'), { sinceMs: null, untilMs: null });
});

test('agents are sorted by name, ignoring case, with the ID for a nameless one', () => {
  const agents = [
    { id: '0506123456782', name: 'vikram Singh' },
    { id: '0506123456781', name: 'Asha Rao' },
    { id: '0506123456783', name: '' },
    { id: '0506123456784', name: 'arjun Mehta' },
    { id: '0506123456785', name: 'Asha Rao' },
  ];
  assert.deepEqual(byName(agents).map((a) => a.id),
    ['0506123456783', '0506123456784', '0506123456781', '0506123456785', '0506123456782']);
  assert.equal(agents[0].id, '0506123456782', 'the list given is left as it was');
});

test('a wrap-up edit says replace; the dispositions go one name a line, blank lines dropped', async () => {
  const { invoke, calls } = fakeInvoke(() => 'ok');
  const b = createBackend(invoke);
  await b.wrapUp({ id: 3, disposition: '2', note: 'Thursday' });
  await b.wrapUp({ id: 3, disposition: null, note: '', replace: true });
  await b.setDispositions(' Sale \n\n  \nLost\r\n');
  await b.setDispositions('');
  assert.deepEqual(calls, [
    { cmd: 'wrap_up', args: { id: 3, disposition: '2', note: 'Thursday', replace: false } },
    { cmd: 'wrap_up', args: { id: 3, disposition: null, note: null, replace: true } },
    { cmd: 'set_dispositions', args: { names: ['Sale', 'Lost'] } },
    { cmd: 'set_dispositions', args: { names: [] } },
  ]);
});
