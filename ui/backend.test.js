import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  COMMANDS,
  PROVIDERS,
  agentLabel,
  callerLabel,
  createBackend,
  createDialer,
  describeQueued,
  errorTone,
  formatDid,
  hostOf,
  pickInitial,
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
  await b.saveAccount('https://api.servetel.in/v1', 'tok');
  await b.preview('98765 43210');
  await b.dial({ agent: 'A1', callerId: '', number: '98765 43210' });
  assert.deepEqual(calls, [
    { cmd: 'get_status', args: undefined },
    { cmd: 'save_account', args: { baseUrl: 'https://api.servetel.in/v1', token: 'tok' } },
    { cmd: 'preview_number', args: { input: '98765 43210' } },
    { cmd: 'dial', args: { agent: 'A1', callerId: null, number: '98765 43210' } },
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

test('a failed dial frees the dialer and reports the error', async () => {
  const dialer = createDialer(createBackend(async () => { throw { code: 'timeout', message: 'slow' }; }));
  assert.deepEqual(await dialer.dial({ agent: 'A', number: '1' }), { error: { code: 'timeout', message: 'slow' } });
  assert.equal(dialer.busy, false);
});

test('labels', () => {
  assert.equal(agentLabel({ name: 'Asha Rao', status: 'enabled' }), 'Asha Rao');
  assert.equal(agentLabel({ name: 'Rahul Das', status: 'blocked' }), 'Rahul Das (blocked)');
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
});

test('queued message names the agent, the number and the reference', () => {
  const text = describeQueued({ refId: '0f8e3c2a-1111-2222', international: '+91 98765 43210' }, 'Asha Rao');
  assert.equal(text, "Call queued. Asha Rao's phone rings first, then +91 98765 43210. Reference 0f8e3c2a.");
  assert.doesNotMatch(describeQueued({ refId: null, international: '+1 415-555-0123' }), /Reference/);
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
