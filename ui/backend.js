// Every backend command is called through here, by the names in ipc.js. It takes `invoke` as a
// parameter so that `node --test` can exercise it with a fake; main.js passes Tauri's IPC invoke.
import { COMMANDS, PLUGIN_COMMANDS } from './ipc.js';

// Re-exported: tests and callers that knew COMMANDS from here keep working.
export { COMMANDS };

export const PROVIDERS = Object.freeze([
  { id: 'servetel', name: 'Servetel', baseUrl: 'https://api.servetel.in/v1' },
  { id: 'smartflo', name: 'Tata Smartflo', baseUrl: 'https://api-smartflo.tatateleservices.com/v1' },
  { id: 'acefone', name: 'Acefone India', baseUrl: 'https://api.acefone.in/v1' },
  { id: 'acefone-uk', name: 'Acefone UK', baseUrl: 'https://api.acefone.co.uk/v1' },
  { id: 'custom', name: 'Other (enter the address)', baseUrl: '' },
]);

const FALLBACK_MESSAGE = 'Something went wrong inside Clickdial. Please try again.';

/** Normalises whatever a rejected invoke gives into `{code, message}`. */
export function toError(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    return e.detail && typeof e.detail === 'object'
      ? { code: e.code, message: e.message, detail: e.detail }
      : { code: e.code, message: e.message };
  }
  return { code: 'internal', message: typeof e === 'string' && e ? e : FALLBACK_MESSAGE };
}

export function createBackend(invoke) {
  const call = async (cmd, args) => {
    try {
      return await invoke(cmd, args);
    } catch (e) {
      throw toError(e);
    }
  };
  return {
    status: () => call(COMMANDS.status),
    startDemo: () => call(COMMANDS.startDemo),
    saveAccount: (form) => call(COMMANDS.saveAccount, { form: accountForm(form) }),
    checkConnection: () => call(COMMANDS.checkConnection),
    signOut: () => call(COMMANDS.signOut),
    savePreferences: ({
      region, callTimeout, linksWithoutAsking, hotkey, hangUpHotkey, startHidden, historyDays, notify, chooseAgentEachCall,
      teamCheck, afterCallKind, afterCallUrl,
    }) =>
      call(COMMANDS.savePreferences, {
        region,
        callTimeout: callTimeout ?? null,
        linksWithoutAsking: linksWithoutAsking ?? null,
        hotkey: hotkey ?? null,
        hangUpHotkey: hangUpHotkey ?? null,
        startHidden: startHidden ?? null,
        historyDays: historyDays ?? null,
        notify: notify ?? null,
        chooseAgentEachCall: chooseAgentEachCall ?? null,
        teamCheck: teamCheck ?? null,
        afterCallKind: afterCallKind ?? null,
        afterCallUrl: afterCallUrl ?? null,
      }),
    setMe: (agent) => call(COMMANDS.setMe, { agent: agent || null }),
    keepDraft: (text) => call(COMMANDS.keepDraft, { text }),
    checkShortcut: (text) => call(COMMANDS.checkShortcut, { text }),
    agents: (refresh = false) => call(COMMANDS.agents, { refresh }),
    callerIds: (refresh = false) => call(COMMANDS.callerIds, { refresh }),
    preview: (input) => call(COMMANDS.preview, { input }),
    dial: ({ agent, callerId, number }) =>
      call(COMMANDS.dial, { agent, callerId: callerId || null, number }),
    linkState: () => call(COMMANDS.linkState),
    confirmLink: ({ id, agent, callerId }) =>
      call(COMMANDS.confirmLink, { id, agent, callerId: callerId || null }),
    dismissLink: (id) => call(COMMANDS.dismissLink, { id }),
    handlerStatus: () => call(COMMANDS.handlerStatus),
    handlerInstall: () => call(COMMANDS.handlerInstall),
    handlerSelfTest: () => call(COMMANDS.handlerSelfTest),
    autostart: () => call(COMMANDS.autostart),
    setAutostart: (enabled) => call(COMMANDS.setAutostart, { enabled }),
    findNumbers: (text) => call(COMMANDS.findNumbers, { text }),
    calls: () => call(COMMANDS.calls),
    hangUp: (id) => call(COMMANDS.hangUp, { id: id ?? null }),
    /** The Save dialog (tauri-plugin-dialog): the chosen file's path, or null if cancelled. */
    saveDialog: (options) => call(PLUGIN_COMMANDS.saveDialog, { options }),
    exportHistory: ({ text, path }) => call(COMMANDS.exportHistory, { text: text || null, path }),
    historyStamp: () => call(COMMANDS.historyStamp),
    setHistoryOpen: (open) => call(COMMANDS.setHistoryOpen, { open: Boolean(open) }),
    playRecording: (id) => call(COMMANDS.playRecording, { id }),
    wrapUp: ({ id, disposition, note, replace }) =>
      call(COMMANDS.wrapUp, {
        id, disposition: disposition || null, note: note || null, replace: Boolean(replace),
      }),
    /** The agent's dispositions, one name a line (blank lines dropped; none: the defaults). */
    setDispositions: (text) => call(COMMANDS.setDispositions, {
      names: String(text ?? '').split('\n').map((l) => l.trim()).filter(Boolean),
    }),
    colleagueBeforeDial: (number) => call(COMMANDS.colleagueBeforeDial, { number }),
    browserPolicy: ({ origin, browser }) => call(COMMANDS.browserPolicy, { origin, browser }),
    retryHandoff: (id) => call(COMMANDS.retryHandoff, { id }),
    previewAfterCall: ({ kind, url }) => call(COMMANDS.previewAfterCall, { kind, url: url || '' }),
    setAvailability: (agent, available) => call(COMMANDS.setAvailability, { agent, available }),
    history: ({ text, beforeId, limit, sinceMs, untilMs } = {}) =>
      call(COMMANDS.history, {
        text: text || null,
        beforeId: beforeId ?? null,
        limit: limit ?? null,
        sinceMs: sinceMs ?? null,
        untilMs: untilMs ?? null,
      }),
  };
}

/** The account form as the backend takes it: only the fields of the chosen sign-in. */
export function accountForm({ provider, baseUrl, signIn, token, email, password }) {
  const form = { provider, baseUrl: provider === 'custom' ? baseUrl : null, signIn };
  if (signIn === 'password') {
    Object.assign(form, { token: null, email, password });
  } else {
    Object.assign(form, { token, email: null, password: null });
  }
  return form;
}

export const REGIONS = Object.freeze([
  ['IN', 'India (+91)'],
  ['AE', 'United Arab Emirates (+971)'],
  ['AU', 'Australia (+61)'],
  ['BD', 'Bangladesh (+880)'],
  ['CA', 'Canada (+1)'],
  ['GB', 'United Kingdom (+44)'],
  ['NP', 'Nepal (+977)'],
  ['SA', 'Saudi Arabia (+966)'],
  ['SG', 'Singapore (+65)'],
  ['LK', 'Sri Lanka (+94)'],
  ['US', 'United States (+1)'],
]);

/** Minutes typed in the preferences form → seconds for the backend; blank means none. */
export function minutesToSeconds(text) {
  const t = String(text ?? '').trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 60) : NaN;
}

export function providerName(status) {
  if (status.demo) return 'Demo (built-in simulator)';
  const p = PROVIDERS.find((x) => x.id === status.provider);
  return p && p.id !== 'custom' ? p.name : 'Another server';
}

export function signInText(status) {
  if (status.demo) return 'Demo token';
  return status.signIn === 'password' && status.email
    ? `Email and password, as ${status.email}`
    : 'API token (kept in your system keyring)';
}

/**
 * A warning when the portal password expires soon (the server says how many days are left at
 * each sign-in); an expired password stops every call. Nothing for 15 days or more.
 */
export function passwordExpiryText(status) {
  const days = status.passwordDaysLeft;
  if (status.demo || typeof days !== 'number' || days > 14) return '';
  if (days <= 0) return 'Your portal password has expired: change it in the portal, then sign in again here.';
  const when = days === 1 ? 'tomorrow' : `in ${days} days`;
  return `Your portal password expires ${when}. Change it in the portal before then, then sign in again here.`;
}

/** The caller ID to preselect for an agent: the one last used with them, if still offered. */
export function callerFor(status, agent, offered) {
  const last = status.lastCallerByAgent?.[agent];
  return last && offered.includes(last) ? last : null;
}

/**
 * One dial at a time from this page, whether it dials a number (the dial screen) or confirms a
 * link's request (the confirm sheet): one lock for both. A double click or a held Enter reaches
 * the dialer again while the first is in flight and gets `{skipped: true}`; the backend's guard
 * is the real lock.
 */
export function createDialer(backend) {
  let busy = false;
  const place = async (send) => {
    if (busy) return { skipped: true };
    busy = true;
    try {
      return { outcome: await send() };
    } catch (error) {
      return { error: toError(error) };
    } finally {
      busy = false;
    }
  };
  return {
    get busy() {
      return busy;
    },
    dial: (request) => place(() => backend.dial(request)),
    confirmLink: (request) => place(() => backend.confirmLink(request)),
  };
}

const STATUS_NOTE = { blocked: 'blocked', disabled: 'disabled', busy: 'busy' };

/** `Asha Rao · +91 98100 00001`, with `(blocked)` etc. when the agent cannot take calls. */
export function agentLabel(agent) {
  const number = agent.followMeNumber ? formatDid(agent.followMeNumber) : agent.id;
  const label = agent.name && agent.name !== number ? `${agent.name} · ${number}` : number;
  const note = STATUS_NOTE[agent.status];
  return note ? `${label} (${note})` : label;
}

/** `+918065000101` → `+91 80650 00101` (Indian numbers); other numbers unchanged. */
export function formatDid(did) {
  const m = /^\+91(\d{5})(\d{5})$/.exec(did || '');
  return m ? `+91 ${m[1]} ${m[2]}` : did || '';
}

export function callerLabel(caller) {
  const did = formatDid(caller.did);
  return caller.name ? `${caller.name} · ${did}` : did;
}

/**
 * The value to preselect: the remembered one if still offered and usable, else the first usable
 * one when `fallback` (caller IDs), else none (agents: a guess could ring a colleague's phone).
 */
export function pickInitial(options, remembered, fallback = true) {
  const usable = options.filter((o) => !o.disabled);
  if (remembered && usable.some((o) => o.value === remembered)) return remembered;
  return fallback && usable.length ? usable[0].value : null;
}

/** The agent whose portal login is the sign-in email, when exactly one usable agent has it. */
export function matchMe(agents, email) {
  const login = (email || '').trim().toLowerCase();
  if (!login) return null;
  const found = agents.filter((a) => a.login === login && a.status !== 'disabled');
  return found.length === 1 ? found[0] : null;
}

/**
 * Agents sorted by name (or ID), ignoring case, as people look for a colleague (the server's
 * order is by creation). Not `localeCompare`: its collation loads ICU's collation data into the
 * page's process, about 2 MB for a list of names.
 */
export function byName(agents) {
  const key = (a) => (a.name || a.id || '').toLowerCase();
  return agents
    .map((a) => [key(a), a])
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, a]) => a);
}

/** Agents whose name, ID or phone number contains what was typed (digits match digits). */
export function filterAgents(agents, query) {
  const q = (query || '').trim().toLowerCase();
  if (!q) return agents;
  const digits = q.replace(/\D/g, '');
  const wordy = /[^\d\s+\-().]/.test(q);
  return agents.filter((a) => {
    if ((a.name || '').toLowerCase().includes(q)) return true;
    if (wordy || !digits) return false;
    return a.id.includes(digits) || (a.followMeNumber || '').replace(/\D/g, '').includes(digits);
  });
}

/**
 * A cue when the customer is in another country than the caller ID the call goes out with:
 * `` (same, or unknown) or ` · United States: not your caller ID's country`.
 */
export function countryCue(p, callerDid) {
  const code = /^\+(\d{1,3})\b/.exec(p?.international || '')?.[1];
  const did = /^\+\d+$/.test(callerDid || '') ? callerDid : '';
  if (!code || !did || did.startsWith(`+${code}`)) return '';
  const where = countryName(p.region) || `+${code}`;
  return ` \u00b7 ${where}: not your caller ID\u2019s country`;
}

/** "Call queued: Asha Rao's phone rings first, then +91 98765 43210." (the reference goes to a
 * details line of its own). */
export function describeQueued(outcome, agentName) {
  const who = agentName ? `${agentName}'s phone` : 'The agent\u2019s phone';
  return `Call queued: ${who} rings first, then ${outcome.international}.`;
}

/**
 * The repeat note, counting down from the guard's typed detail: "Already dialled
 * +91 98765 43210 2 s ago, so this repeat was ignored. You can call it again in 3 s."
 * `elapsed` seconds after the refusal arrived; '' once the number may be dialled again. A busy
 * refusal without a repeat detail (a dial in flight) is shown as the backend said it.
 */
export function repeatNote(error, elapsed) {
  const d = error?.detail;
  if (d?.kind !== 'repeat') return error?.message || '';
  const left = Math.ceil(d.retryInMs / 1000) - elapsed;
  if (left <= 0) return '';
  const ago = Math.max(1, Math.ceil(d.agoMs / 1000)) + elapsed;
  return `Already dialled ${d.number} ${ago} s ago, so this repeat was ignored. You can call it again in ${left} s.`;
}

/** How loudly to show an error: a warning when the call may exist or only needs a wait. */
export function errorTone(code) {
  return ['unknownOutcome', 'busy', 'rateLimited'].includes(code) ? 'warn' : 'error';
}

export function hostOf(url) {
  const m = /^https?:\/\/([^/]+)/.exec(url || '');
  return m ? m[1] : url || '';
}

/** `IN` → `India`, from the region list; other codes as they are. */
export function countryName(code) {
  const found = REGIONS.find(([c]) => c === code);
  return found ? found[1].replace(/ \(\+\d+\)$/, '') : code || '';
}

const KIND_WORDS = {
  mobile: 'mobile',
  landline: 'landline',
  mobileOrLandline: 'mobile or landline',
  tollFree: 'toll-free',
  premiumRate: 'premium rate',
};

/** `India, mobile` for a link's number. */
export function numberFacts(number) {
  return [countryName(number.region), KIND_WORDS[number.kind]].filter(Boolean).join(', ');
}

/**
 * The confirm sheet's question: "Call +91 98765 43210 (India, mobile) from Asha Rao via
 * Sales line?" `agent` and `caller` are the names shown in the pickers (caller may be empty:
 * the account's default caller ID).
 */
export function sheetQuestion(number, agent, caller) {
  const facts = numberFacts(number);
  const what = facts ? `${number.international} (${facts})` : number.international;
  const from = agent ? ` from ${agent}` : '';
  const via = caller ? ` via ${caller}` : '';
  return `Call ${what}${from}${via}?`;
}

/** Under the question when a burst of links arrived: only the shown one can be dialled. */
export function burstText(count) {
  if (!count || count < 2) return '';
  return `${count} links arrived together. This is the latest; only the number above is dialled, and only if you press Call.`;
}

/** The sheet's warning line: a colleague already on a call with that customer (it never blocks
 * the dial: the agent decides), then a burst or why a trusted link asks. */
export function sheetWarning(request, colleague) {
  return [colleague?.message, burstText(request?.count) || askedText(request?.asked)]
    .filter(Boolean).join(' ');
}

/** Why a link the agent trusts to dial without asking waits on the sheet (`Request.asked`). */
export function askedText(asked) {
  return {
    recent: 'A link was dialled without asking less than a minute ago, so this one asks first.',
    otherCountry: 'This number is in another country than your settings’ country, so Clickdial asks first.',
    unusual: 'This is a premium-rate or unusual number, so Clickdial asks first.',
  }[asked] || '';
}

/** What the sheet's small heading says about where a number came from. */
export function sourceLabel(source, selfTest) {
  if (selfTest) return 'Test link';
  return { tray: 'From the tray', hotkey: 'Selected text' }[source] || 'Phone link';
}

/** "Will dial +91 98765 43210", saying when the country was assumed from the settings. */
export function previewText(p, settingsRegion, callerDid) {
  const ext = p.ext ? ` (extension ${p.ext} is not dialled)` : '';
  const assumed = p.assumedCountry && p.region && p.region === settingsRegion
    ? ` (${countryName(p.region)}, assumed from your settings)`
    : '';
  return `Will dial ${p.international}${assumed}${ext}${countryCue(p, callerDid)}`;
}

/** Only digits and the marks people put between them so far: the number may still be coming. */
export function stillTyping(input) {
  return /^[\s\p{Nd}+\-().\u2010-\u2015]*$/u.test(input);
}

/** The calm hint while a number is being typed. */
export function typingHint(region) {
  return region === 'IN' || !region
    ? 'Keep typing: an Indian mobile number has 10 digits.'
    : 'Keep typing the number; add the country code with + for other countries.';
}

/** `m:ss` (or `h:mm:ss`) for a number of seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export const STAGES = Object.freeze([
  ['ringing', 'Ringing'],
  ['connected', 'Connected'],
  ['ended', 'Ended'],
]);

/** Where each stage sits on the timeline: "ringing your phone" is a kind of ringing. */
const STAGE_RANK = Object.freeze({ queued: 0, ringingAgent: 1, ringing: 1, connected: 2, ended: 3 });

/** Outcomes that mean the call did not happen: shown as failed, with Call again. */
const FAILED = new Set(['agentMissed', 'missed', 'busy', 'failed', 'cancelled']);

/** Whether a followed call ended without the two talking. */
export function callFailed(call) {
  return call.stage === 'ended' && FAILED.has(call.outcome);
}

const OUTCOME_TEXT = Object.freeze({
  answered: 'Answered',
  agentMissed: 'Your phone was not answered',
  missed: 'The customer did not answer',
  busy: 'Busy',
  failed: 'Could not connect',
  cancelled: 'Cancelled',
  ended: 'Ended',
});

/**
 * How a followed call's timeline looks: each step done, current or still to come. An ended
 * call that never connected leaves "Connected" unfilled; a failed one ends in a failed step.
 */
export function timeline(call) {
  const at = STAGE_RANK[call.stage] ?? 0;
  const ended = call.stage === 'ended';
  return STAGES.map(([stage, label]) => {
    const i = STAGE_RANK[stage];
    let state = i < at ? 'done' : i === at ? 'current' : 'todo';
    if (ended && stage === 'connected' && call.outcome !== 'answered') state = 'skipped';
    if (stage === 'ended' && callFailed(call)) state = 'failed';
    return { stage, label, state };
  });
}

/**
 * The sentence under the timeline. `extraS` is how long ago the backend reported the call,
 * so the clock keeps running between reports.
 */
export function callLine(call, extraS = 0) {
  const live = call.stage !== 'ended';
  // The last stage known may be over: no stage and no running clock while the server is lost.
  if (live && call.unreachable) return 'Cannot reach the server: the call may still be going on';
  const elapsed = (call.elapsedS ?? 0) + (live ? extraS : 0);
  switch (call.stage) {
    case 'queued':
      return `Queued, waiting for your phone to ring · ${clock(elapsed)}`;
    case 'ringingAgent':
      return `Ringing your phone: answer it to reach the customer · ${clock(elapsed)}`;
    case 'ringing':
      return `Ringing · ${clock(elapsed)}`;
    case 'connected':
      return `Connected · ${clock((call.talkS ?? 0) + extraS)}`;
    default: {
      const what = OUTCOME_TEXT[call.outcome] || 'Ended';
      const talk = call.outcome === 'answered' && call.talkS != null ? ` · talked ${clock(call.talkS)}` : '';
      return `${what}${talk}${call.following ? ' · checking the call record…' : ''}`;
    }
  }
}

/** The tone of a followed call's line. */
export function callTone(call) {
  if (call.stage !== 'ended') return call.unreachable ? 'warn' : null;
  if (call.outcome === 'answered') return 'ok';
  return callFailed(call) ? 'warn' : null;
}

/** `2026-11-28` (a date input's value) → that local day's start and end, Unix ms. */
export function dayRange(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  if (!m) return { sinceMs: null, untilMs: null };
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  return { sinceMs: start.getTime(), untilMs: end.getTime() };
}

/** A followed call's latest stage, as its history row says it until the outcome is known. */
const LIVE_STAGE_TEXT = Object.freeze({
  ringingAgent: 'Ringing your phone',
  ringing: 'Ringing',
  connected: 'Connected',
  ended: 'Ended',
});

/**
 * What the live region says when a followed call moves on: its number and stage, or how it
 * ended; null for a call just queued (the dial's own result says that) or nothing new.
 */
export function stageAnnouncement(call, before) {
  if (!call) return null;
  const same = before && before.id === call.id;
  if (same && before.stage === call.stage && before.outcome === call.outcome && before.unreachable === call.unreachable) return null;
  if (call.stage === 'queued' && !call.unreachable) return null;
  const words = call.stage === 'ended' || call.unreachable ? call.summary : LIVE_STAGE_TEXT[call.stage];
  return `${call.international}: ${words}`;
}

/** One history row as shown: the number, when, the outcome (else the latest stage) and the
 * talk time. */
export function historyText(row, now = Date.now()) {
  const when = new Date(row.createdAtMs);
  const sameDay = new Date(now).toDateString() === when.toDateString();
  const time = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const date = sameDay ? time : `${when.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
  let outcome;
  if (row.outcome) {
    outcome = OUTCOME_TEXT[row.outcome] || 'Ended';
    if (row.outcome === 'answered' && row.talkS != null) outcome += ` · ${clock(row.talkS)}`;
  } else if (row.state === 'queued') outcome = LIVE_STAGE_TEXT[row.stage] || 'Queued';
  else if (row.state === 'notPlaced') outcome = 'Not placed';
  else if (row.state === 'pending') outcome = 'Placing…';
  else outcome = 'May have been placed';
  return { date, outcome };
}

/**
 * The availability switch for the chosen agent: what it says and what pressing it does.
 * Blocked on the platform = on a break (no calls reach the agent). Busy and disabled agents
 * cannot be switched from here.
 */
export function availability(agent) {
  if (!agent) return null;
  switch (agent.status) {
    case 'enabled':
      return { label: 'Available', tone: 'ok', next: false, action: 'Take a break', enabled: true };
    case 'blocked':
      return { label: 'On break', tone: 'warn', next: true, action: 'Become available', enabled: true };
    case 'busy':
      return { label: 'On a call', tone: null, next: null, action: '', enabled: false };
    default:
      return null;
  }
}
