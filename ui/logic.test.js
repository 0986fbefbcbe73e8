import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ME_LIST_MAX,
  agentMode,
  ariaShortcut,
  blockedQuestion,
  colleagueQuestion,
  combination,
  historyEntry,
  wrapUpKey,
  wrapUpText,
  canWrapUp,
  handoffNotice,
  afterCallShown,
  meMoreText,
  policyPlace,
  secondsToMinutes,
  signOutQuestion,
  staleListsText,
} from './logic.js';

test('how the dial screen offers the agent', () => {
  const me = { id: '0506', name: 'Asha Rao' };
  const mode = (over) => agentMode({ manual: false, each: false, count: 5, me, changing: false, ...over });
  // "You: …" once known; "Which agent are you?" until then, or after Change.
  assert.deepEqual(mode({}), { picking: false, showMe: true, filter: false });
  assert.deepEqual(mode({ me: undefined }), { picking: true, showMe: false, filter: false });
  assert.deepEqual(mode({ changing: true }), { picking: true, showMe: true, filter: false });
  // No agents loaded: nothing to pick from.
  assert.equal(mode({ me: undefined, count: 0 }).picking, false);
  // Supervisors pick for each call; the search shows above a long list only.
  assert.deepEqual(mode({ each: true }), { picking: false, showMe: false, filter: false });
  assert.deepEqual(mode({ each: true, count: 13 }), { picking: false, showMe: false, filter: true });
  // A token that may not list agents: the ID is typed, nothing else shows.
  assert.deepEqual(mode({ manual: true, each: true, count: 50, me: undefined }), { picking: false, showMe: false, filter: false });
});

test('the "which agent are you" list says when it is cut short', () => {
  assert.equal(meMoreText(ME_LIST_MAX), '');
  assert.equal(meMoreText(305), 'Showing 200 of 305 agents: type to narrow the list.');
});

test('a failed refresh keeps the lists in use, saying why', () => {
  const ok = { status: 'fulfilled', value: [] };
  const down = { status: 'rejected', reason: { code: 'network', message: 'The server did not answer.' } };
  const forbidden = { status: 'rejected', reason: { code: 'forbidden', message: 'Not allowed.' } };
  const had = { agents: true, callers: true };
  assert.equal(
    staleListsText(true, down, ok, had),
    'Could not refresh the lists: The server did not answer. Showing the lists from before; they may be out of date.',
  );
  assert.match(staleListsText(true, ok, down, had), /^Could not refresh the lists: The server did not answer\./);
  // Not a refresh, nothing to keep, or a token that may not list them: the answers are used.
  assert.equal(staleListsText(false, down, down, had), '');
  assert.equal(staleListsText(true, down, ok, { agents: false, callers: true }), '');
  assert.equal(staleListsText(true, forbidden, ok, had), '');
  // The agents' reason first when both failed.
  const slow = { status: 'rejected', reason: { code: 'timeout', message: 'Too slow.' } };
  assert.match(staleListsText(true, slow, down, had), /lists: Too slow\./);
});

test('a history row names the agent and the caller ID, with references in its tooltip', () => {
  const now = new Date(2026, 10, 28, 15, 0).getTime();
  const row = {
    createdAtMs: new Date(2026, 10, 28, 14, 5).getTime(), agent: '0506', callerId: '918065000101',
    outcome: 'missed', refId: 'r-1', callId: null, detail: 'No answer', reason: '',
  };
  const { text, title } = historyEntry(row, { agentName: 'Asha Rao', callerName: 'Sales line', now });
  assert.match(text, / · The customer did not answer · Asha Rao · via Sales line$/);
  assert.equal(title, 'Reference r-1\nNo answer');
  // An agent no longer listed: its ID; no caller ID: no "via".
  assert.match(historyEntry({ ...row, callerId: null }, { now }).text, / · 0506$/);
});

test('call timeout in minutes', () => {
  assert.equal(secondsToMinutes(null), '');
  assert.equal(secondsToMinutes(0), '');
  assert.equal(secondsToMinutes(20), 1);
  assert.equal(secondsToMinutes(5400), 90);
});

test('the questions before a risky action', () => {
  assert.equal(blockedQuestion({ id: '0506', name: 'Rahul Das' }).title, 'Rahul Das is on break');
  assert.match(blockedQuestion({ id: '0506' }).text, /^The platform lists 0506 as blocked/);
  // Issue 25 item 8: Cancel has the focus; going available first is offered when it can be.
  const blocked = blockedQuestion({ id: '1' });
  assert.deepEqual(blocked.buttons.map((b) => b.value), ['available', 'dial', 'cancel']);
  assert.deepEqual(blocked.buttons.filter((b) => b.focus).map((b) => b.value), ['cancel']);
  assert.deepEqual(blockedQuestion({ id: '1' }, { canSwitch: false }).buttons.map((b) => b.value), ['dial', 'cancel']);
  // Issue 26 item 3: a colleague already with the customer; the agent decides, Cancel first.
  const team = colleagueQuestion({ agent: 'Vikram Das', message: 'Vikram Das is on a call with +91 98765 43210 (2:14).' });
  assert.equal(team.title, 'Vikram Das is on a call with this customer');
  assert.equal(team.text, 'Vikram Das is on a call with +91 98765 43210 (2:14). Call anyway?');
  assert.deepEqual(team.buttons.map((b) => b.value), ['dial', 'cancel']);
  assert.deepEqual(team.buttons.filter((b) => b.focus).map((b) => b.value), ['cancel']);
  assert.equal(signOutQuestion({ demo: true }).title, 'Leave the demo?');
  const out = signOutQuestion({ demo: false, baseUrl: 'https://api.servetel.in/v1', signIn: 'password' });
  assert.equal(out.title, 'Sign out of api.servetel.in?');
  assert.match(out.text, /removes your password from/);
  assert.match(signOutQuestion({ baseUrl: 'https://x.test/v1' }).text, /removes your API token from/);
});

test('the key recorder writes a combination as shortcuts are kept', () => {
  const key = (k, code, mods = {}) => ({ key: k, code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });
  assert.equal(combination(key('d', 'KeyD', { ctrlKey: true, altKey: true })), 'ctrl+alt+d');
  // Alt changes the character, not the key.
  assert.equal(combination(key('∂', 'KeyD', { altKey: true })), 'alt+d');
  assert.equal(combination(key('H', 'KeyH', { ctrlKey: true, shiftKey: true })), 'ctrl+shift+h');
  assert.equal(combination(key('F9', 'F9')), 'f9');
  assert.equal(combination(key('!', 'Digit1', { ctrlKey: true, shiftKey: true })), 'ctrl+shift+1');
  assert.equal(combination(key('Tab', 'Tab', { altKey: true })), 'alt+tab');
  assert.equal(combination(key('Control', 'ControlLeft', { ctrlKey: true })), '', 'a modifier alone waits');
  // No name nor place (WebKit's synthetic keys with Ctrl held): the legacy key code.
  assert.equal(combination({ ...key('Unidentified', '', { ctrlKey: true }), keyCode: 67 }), 'ctrl+c');
  assert.equal(combination({ ...key('Unidentified', '', { altKey: true }), keyCode: 115 }), 'alt+f4');
  assert.equal(combination({ ...key('Unidentified', ''), keyCode: 0 }), '');
  assert.equal(ariaShortcut('ctrl+shift+h'), 'Control+Shift+H');
  assert.equal(ariaShortcut('alt+super+f9'), 'Alt+Meta+F9');
  assert.equal(ariaShortcut(''), '');
});

test('a wrap-up by keys: digits pick, Enter saves, Escape skips', () => {
  const key = (k, over = {}) => wrapUpKey({ key: k, ctrlKey: false, altKey: false, metaKey: false, inNote: false, ...over }, 5);
  assert.deepEqual(key('2'), { pick: 2 });
  assert.deepEqual(key('5'), { pick: 5 });
  // Only the dispositions offered; 0 is none of them.
  assert.equal(key('6'), null);
  assert.equal(key('0'), null);
  // In the note, digits are the note's ("call back at 4").
  assert.equal(key('4', { inNote: true }), null);
  assert.equal(key('2', { ctrlKey: true }), null);
  assert.equal(key('Enter'), 'save');
  // The note's Enter submits its form: not twice.
  assert.equal(key('Enter', { inNote: true }), null);
  assert.equal(key('Escape'), 'skip');
  assert.equal(key('Escape', { inNote: true }), 'skip');
  assert.equal(key('a'), null);
});

test('a wrap-up as Recent calls and the confirmation say it', () => {
  assert.equal(wrapUpText({ disposition: 'Call back', note: 'Thursday 4pm' }), 'Call back · Thursday 4pm');
  assert.equal(wrapUpText({ disposition: 'Interested', note: null }), 'Interested');
  assert.equal(wrapUpText({ disposition: null, note: 'left a message' }), 'left a message');
  assert.equal(wrapUpText({ disposition: null, note: null }), '');
  assert.equal(wrapUpText({}), '');
});

test('Recent calls offer a wrap-up for calls placed and not live here', () => {
  assert.equal(canWrapUp({ state: 'queued', stage: null }), true);
  assert.equal(canWrapUp({ state: 'queued', stage: 'ended' }), true);
  assert.equal(canWrapUp({ state: 'unknown' }), true, 'may have been placed');
  assert.equal(canWrapUp({ state: 'queued', stage: 'connected' }), false, 'live: the bar offers it at the end');
  assert.equal(canWrapUp({ state: 'queued', stage: 'ringing' }), false);
  assert.equal(canWrapUp({ state: 'notPlaced' }), false);
  assert.equal(canWrapUp({ state: 'pending' }), false);
});

test('the browser policy says where the administrator puts it', () => {
  assert.equal(
    policyPlace({ fileName: 'clickdial.json', folder: '/etc/opt/chrome/policies/managed', browser: 'Google Chrome' }),
    'Your administrator saves this as clickdial.json in /etc/opt/chrome/policies/managed and restarts Google Chrome.',
  );
});

test('a wrap-up the CRM did not get is said on its row, with the reason in the title', () => {
  assert.equal(handoffNotice({}), null);
  assert.equal(handoffNotice({ handoff: null }), null);
  assert.equal(handoffNotice({ handoff: { delivered: true, atMs: 1 } }), null);
  assert.deepEqual(
    handoffNotice({ handoff: { delivered: false, reason: 'crm.example.com answered 500 (3 tries)', atMs: 1 } }),
    { text: 'Not delivered to your CRM', title: 'Not delivered to your CRM: crm.example.com answered 500 (3 tries)' },
  );
  assert.deepEqual(afterCallShown(null), { kind: 'off', url: '' });
  assert.deepEqual(afterCallShown({ kind: 'open', url: 'https://x.example/?p={e164}' }), { kind: 'open', url: 'https://x.example/?p={e164}' });
});
