// The dial screen's agent and caller ID pickers: loading the lists, "this is me" (whose phone
// rings; nobody is ever preselected by guessing), the agent filter and the agent's availability.
import {
  agentLabel, availability, byName, callerFor, callerLabel, filterAgents, matchMe, pickInitial,
} from '../backend.js';
import { EVENTS } from '../ipc.js';
import { agentMode, ME_LIST_MAX, meMoreText, staleListsText } from '../logic.js';
import { backend, listen } from '../app.js';
import { agentById, state } from '../state.js';
import { $, offers, setMessage } from '../view.js';
import { renderSettings } from './settings.js';
import { refreshSheetPickers } from './sheet.js';

// "Change" was pressed: "Which agent are you?" shows even though "me" is known.
let changingMe = false;
// Each load gets a number; a slower, older load (say, of the previous account) is ignored.
let listsGeneration = 0;

function fillSelect(select, manual, items, toOption, remembered, emptyText, forbidden, fallback = true) {
  select.replaceChildren();
  const options = toOption ? items.map(toOption) : [];
  for (const o of options) {
    const el = document.createElement('option');
    el.value = o.value;
    el.textContent = o.label;
    el.disabled = !!o.disabled;
    select.append(el);
  }
  if (!options.length) {
    const el = document.createElement('option');
    el.textContent = emptyText;
    el.value = '';
    select.append(el);
  }
  const initial = pickInitial(options, remembered, fallback);
  if (initial !== null) select.value = initial;
  else if (options.length) addPlaceholder(select);
  select.disabled = !options.length;
  // A token that may not list these values: the agent types the value instead.
  select.hidden = forbidden;
  manual.hidden = !forbidden;
}

/** "Choose an agent…" on top, selected: nobody is dialled by default. */
function addPlaceholder(select) {
  const el = new Option('Choose an agent…', '');
  el.disabled = true;
  select.prepend(el);
  select.value = '';
}

/** The agents' list as the dial screen shows it: "You: …", or a picker for supervisors. */
export function applyAgentMode() {
  const { status, agents } = state;
  const manual = !$('agent-manual').hidden;
  const me = agents.find((a) => a.id === status.me && a.status !== 'disabled');
  const { picking, showMe, filter } = agentMode({
    manual, each: !!status.chooseAgentEachCall, count: agents.length, me, changing: changingMe,
  });
  $('me-pick').hidden = !picking;
  $('dial-form').hidden = picking;
  $('me-cancel').hidden = !me;
  $('me-row').hidden = !showMe;
  $('agent-label').hidden = showMe;
  $('agent').hidden = manual || showMe;
  $('agent-filter').hidden = !filter;
  if (showMe) {
    $('me-name').textContent = me.name || me.id;
    $('me-row').title = `${agentLabel(me)}${me.login ? `, portal login ${me.login}` : ''}`;
    if ($('agent').value !== me.id) {
      $('agent').value = me.id;
      selectCallerFor(me.id);
    }
  }
  if (picking) renderMeList();
  showAvailability();
}

function renderMeList() {
  const found = filterAgents(state.agents, $('me-search').value);
  const suggested = matchMe(state.agents, state.status.email)?.id;
  $('me-list').replaceChildren(...found.slice(0, ME_LIST_MAX).map((a) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'me-choice';
    b.dataset.id = a.id;
    const current = a.id === state.status.me;
    b.textContent = agentLabel(a) + (current ? ' · you now' : a.id === suggested ? ' · your sign-in' : '');
    // Who you are now, for screen readers too.
    if (current) b.setAttribute('aria-current', 'true');
    b.disabled = a.status === 'disabled';
    b.addEventListener('click', () => chooseMe(a.id));
    li.append(b);
    return li;
  }));
  $('me-empty').hidden = found.length > 0;
  setMessage($('me-more'), meMoreText(found.length));
}

/** The last result names the agent whose phone rang: another "me" makes it old news. */
function forgetResult() {
  setMessage($('result'), '');
  setMessage($('dial-note'), '');
}

async function chooseMe(id) {
  try {
    const before = state.status.me;
    state.status = await backend.setMe(id);
    if (state.status.me !== before) forgetResult();
    changingMe = false;
    $('me-search').value = '';
    setMessage($('lists-message'), '');
    applyAgentMode();
    $('number').focus();
  } catch (e) {
    setMessage($('lists-message'), e.message, 'error');
  }
}

/** The agent filter for supervisors with many agents: the options that match what was typed. */
function filterAgentOptions() {
  const current = $('agent').value;
  const found = filterAgents(state.agents, $('agent-filter').value);
  $('agent').replaceChildren(...found.map((a) => {
    const o = new Option(agentLabel(a), a.id);
    o.disabled = a.status === 'disabled';
    return o;
  }));
  if (found.some((a) => a.id === current)) $('agent').value = current;
  else if (found.length === 1 && !found[0].disabled) {
    $('agent').value = found[0].id;
    selectCallerFor(found[0].id);
  } else addPlaceholder($('agent'));
  showAvailability();
}

/** The caller ID last used with this agent, if still offered. */
export function selectCallerFor(agent) {
  const offered = [...$('caller').options].map((o) => o.value);
  const remembered = callerFor(state.status, agent, offered);
  if (remembered) $('caller').value = remembered;
}

/** Empties both dropdowns, so nothing of a previous account can be dialled. */
export function resetLists() {
  listsGeneration += 1;
  state.listsLoaded = false;
  state.agents = [];
  fillSelect($('agent'), $('agent-manual'), [], null, null, 'Loading agents…', false);
  fillSelect($('caller'), $('caller-manual'), [], null, null, 'Loading numbers…', false);
  $('agent-manual').value = '';
  $('caller-manual').value = '';
}

export async function loadLists(refresh) {
  const generation = ++listsGeneration;
  breaksRefused = false;
  setMessage($('lists-message'), refresh ? 'Loading…' : '');
  const [agentList, callerList] = await Promise.allSettled([
    backend.agents(refresh),
    backend.callerIds(refresh),
  ]);
  if (generation !== listsGeneration) return;
  const problems = [];
  const forbidden = (r) => r.status === 'rejected' && r.reason.code === 'forbidden';
  const stale = staleListsText(refresh, agentList, callerList, {
    agents: state.agents.length > 0,
    callers: [...$('caller').options].some((o) => o.value),
  });
  if (stale) {
    state.listsLoaded = true;
    state.afterLoad = null;
    setMessage($('lists-message'), stale, 'warn');
    return;
  }
  if (agentList.status === 'fulfilled') {
    state.agents = byName(agentList.value);
    const { status } = state;
    fillSelect(
      $('agent'), $('agent-manual'), state.agents,
      (a) => ({ value: a.id, label: agentLabel(a), disabled: a.status === 'disabled' }),
      status.chooseAgentEachCall ? status.lastAgent : status.me, 'No agents found', false, false,
    );
    $('agent-filter').value = '';
    // Recognised from the sign-in email: "You: …" at once, with Change beside it.
    const matched = !status.me && !status.chooseAgentEachCall && matchMe(state.agents, status.email);
    if (matched) {
      try {
        state.status = await backend.setMe(matched.id);
      } catch {
        // Asked instead.
      }
      if (generation !== listsGeneration) return;
    }
  } else {
    state.agents = [];
    fillSelect($('agent'), $('agent-manual'), [], null, null, 'Agents could not be loaded', forbidden(agentList));
    if (!forbidden(agentList)) problems.push(agentList.reason.message);
  }
  if (callerList.status === 'fulfilled') {
    fillSelect(
      $('caller'), $('caller-manual'), callerList.value,
      (c) => ({ value: c.value, label: callerLabel(c) }),
      null, 'Account default', false,
    );
    selectCallerFor($('agent').value);
  } else {
    fillSelect($('caller'), $('caller-manual'), [], null, null, 'Account default', forbidden(callerList));
    if (!forbidden(callerList)) problems.push(callerList.reason.message);
  }
  state.listsLoaded = !problems.length;
  applyAgentMode();
  refreshSheetPickers();
  const info = state.afterLoad || (refresh ? 'Lists are up to date.' : '');
  state.afterLoad = null;
  if (problems.length) setMessage($('lists-message'), problems[0], 'error');
  else setMessage($('lists-message'), info, 'ok');
}

/** "Change" undone: who you are stays, the number has the cursor. */
function cancelChange() {
  changingMe = false;
  applyAgentMode();
  $('number').focus();
}

// ---- Availability of the chosen agent ----

/** The account refused a break once (typed detail `breaksNotAllowed`); until the lists load
 * again, the status stays on show and the switch does not. */
let breaksRefused = false;

export function showAvailability() {
  const agent = agentById($('agent').value);
  const a = $('agent-manual').hidden ? availability(agent) : null;
  const button = $('availability');
  button.hidden = !a;
  if (!a) return;
  button.textContent = a.label;
  button.className = `availability ${a.tone || ''}`;
  // An account that refused a break once: the status stays on show, the switch does not.
  const switchable = a.enabled && !breaksRefused;
  button.disabled = !switchable;
  button.title = switchable
    ? `${a.action}: ${a.next ? 'calls reach' : 'no calls reach'} ${agent.name || agent.id}`
    : breaksRefused ? 'This account does not let Clickdial change availability' : '';
  button.dataset.next = String(a.next);
}

/** Whether Clickdial may make `agent` (on break) available: the account lets it. */
export function canGoAvailable(agent) {
  const a = availability(agent);
  return !!a && a.enabled && a.next && !breaksRefused && $('agent-manual').hidden;
}

/**
 * Sets `agent` available (`next` true) or on break through the app's availability; the lists
 * follow. Resolves to whether it worked (the error is shown under the lists).
 */
export async function setAvailable(agent, next) {
  $('availability').disabled = true;
  try {
    const list = await backend.setAvailability(agent, next);
    state.agents = state.agents.map((a) => list.find((b) => b.id === a.id) || a);
    for (const option of $('agent').options) {
      const a = agentById(option.value);
      if (a) option.textContent = agentLabel(a);
    }
    applyAgentMode();
    setMessage($('lists-message'), '');
    return true;
  } catch (e) {
    if (e.detail?.kind === 'breaksNotAllowed') breaksRefused = true;
    setMessage($('lists-message'), e.message, 'error');
    return false;
  } finally {
    showAvailability();
  }
}

function toggleAvailability() {
  return setAvailable($('agent').value, $('availability').dataset.next === 'true');
}

export function setupAgents() {
  $('refresh').addEventListener('click', () => loadLists(true));
  $('availability').addEventListener('click', toggleAvailability);
  $('agent').addEventListener('change', () => {
    showAvailability();
    selectCallerFor($('agent').value);
    $('number').focus();
  });
  $('agent-filter').addEventListener('input', filterAgentOptions);
  $('agent-filter').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      if ($('agent').value) $('number').focus();
    }
  });
  $('me-search').addEventListener('input', renderMeList);
  $('me-refresh').addEventListener('click', () => {
    loadLists(true);
    $('me-search').focus();
  });
  $('me-search').addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const usable = filterAgents(state.agents, $('me-search').value).filter((a) => a.status !== 'disabled');
    if (usable.length === 1) chooseMe(usable[0].id);
  });
  $('me-change').addEventListener('click', () => {
    changingMe = true;
    applyAgentMode();
    $('me-search').focus();
  });
  $('me-cancel').addEventListener('click', cancelChange);
  // The keyboard: arrows from the search into the list and through it; Escape keeps who you are.
  $('me-pick').addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('me-cancel').hidden) {
      event.preventDefault();
      cancelChange();
      return;
    }
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const choices = [...$('me-list').querySelectorAll('.me-choice:not(:disabled)')];
    const at = choices.indexOf(document.activeElement);
    // From the search only Down leads into the list (Home, End and Up move in the text).
    const inSearch = document.activeElement === $('me-search') && event.key === 'ArrowDown';
    if (!choices.length || (at < 0 && !inSearch)) return;
    event.preventDefault();
    let next;
    if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = choices.length - 1;
    else if (event.key === 'ArrowDown') next = Math.min(at + 1, choices.length - 1);
    else next = at - 1; // ArrowUp: from the first back to the search
    if (next < 0) $('me-search').focus();
    else choices[next].focus();
  });
  $('me-each').addEventListener('click', async () => {
    try {
      state.status = await backend.savePreferences({
        region: state.status.region, callTimeout: state.status.callTimeout, chooseAgentEachCall: true,
      });
      changingMe = false;
      renderSettings();
      loadLists(false);
    } catch (e) {
      setMessage($('lists-message'), e.message, 'error');
    }
  });
  // The tray chose another agent or caller ID: the pickers follow.
  listen(EVENTS.picksChanged, ({ payload }) => {
    if (payload.agent && !state.status.chooseAgentEachCall) {
      // The tray's agent is who you are (it was saved as such).
      if (state.status.me !== payload.agent) forgetResult();
      state.status.me = payload.agent;
      changingMe = false;
      applyAgentMode();
    } else if (payload.agent && offers($('agent'), payload.agent)) {
      $('agent').value = payload.agent;
      showAvailability();
    }
    if (payload.callerId && offers($('caller'), payload.callerId)) {
      $('caller').value = payload.callerId;
    }
  });
}
