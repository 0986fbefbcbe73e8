// Recent calls: the list under the dial form, found by number, agent or caller ID (the backend
// searches) and by day, paged, exported as CSV through a Save dialog; each call with "Call
// again" and "Copy", "Play" when it was recorded, and "Wrap up" (or "Edit wrap-up"), which
// opens the call bar's wrap-up form in the row (wrapup.js). While open it follows every process's
// calls: a cheap stamp is asked every few seconds and the list read again only when it moved.
// Whether it is open is remembered for the next start.
import { dayRange } from '../backend.js';
import { canWrapUp, handoffNotice, historyEntry, wrapUpText } from '../logic.js';
import { backend, firstStatus } from '../app.js';
import { agentById, state } from '../state.js';
import { $, announce, copyText, offers, realFields, setMessage } from '../view.js';
import { selectCallerFor, showAvailability } from './agents.js';
import { setNumber } from './dial.js';
import { dropWrapUp, editWrapUp, editingId } from './wrapup.js';

const HISTORY_PAGE = 30;
/** How often an open list asks whether the history changed (one pragma, no table read). */
const WATCH_MS = 2000;
let historyRows = [];
let watchTimer = null;
let lastStamp = null;

/**
 * Reads the list again. `more`: the next page after the rows shown. Otherwise the first page,
 * or as many rows as are shown (`keep`, for a live update), keeping the focus on the same row.
 */
export async function loadHistory(more = false, keep = false) {
  // Another search or page gives up an edit of a row's wrap-up (the rows are read anew).
  if (editingId() != null) dropWrapUp();
  const text = $('history-search').value.trim();
  const beforeId = more && historyRows.length ? historyRows[historyRows.length - 1].id : null;
  const limit = keep ? Math.max(HISTORY_PAGE, historyRows.length) : HISTORY_PAGE;
  const day = dayRange($('history-date').value);
  let rows;
  try {
    rows = await backend.history({ text, beforeId, limit, ...day });
  } catch (e) {
    $('history-empty').textContent = e.message;
    $('history-empty').hidden = false;
    return;
  }
  const focused = document.activeElement?.closest?.('#history-list li');
  const focus = focused && { id: focused.dataset.id, index: [...focused.querySelectorAll('button')].indexOf(document.activeElement) };
  historyRows = more ? historyRows.concat(rows) : rows;
  $('history-list').replaceChildren(...historyRows.map(historyItem));
  if (focus) $('history-list').querySelector(`li[data-id="${focus.id}"]`)?.querySelectorAll('button')[focus.index]?.focus();
  $('history-empty').textContent = text || day.sinceMs
    ? 'No calls match.'
    : 'No calls yet.';
  $('history-empty').hidden = historyRows.length > 0;
  $('history-more').hidden = rows.length < limit;
}

/** While the list is open and the window shown: read it again when any process changed it. */
async function watch() {
  // Not while a row's wrap-up is edited: the change is seen when the edit ends.
  if (!$('history').open || document.hidden || editingId() != null) return;
  let stamp;
  try {
    stamp = await backend.historyStamp();
  } catch {
    return;
  }
  if (lastStamp !== null && stamp !== lastStamp) loadHistory(false, true);
  lastStamp = stamp;
}

function watchHistory(open) {
  clearInterval(watchTimer);
  watchTimer = null;
  lastStamp = null;
  if (!open) return;
  watch();
  watchTimer = setInterval(watch, WATCH_MS);
}

/** `clickdial-calls-2026-12-08.csv` in Downloads (else home), as the Save dialog offers it. */
function suggestedFile() {
  const d = new Date();
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const name = `clickdial-calls-${day}.csv`;
  const dir = state.status?.exportDir;
  return dir ? `${dir.replace(/[\\/]$/, '')}/${name}` : name;
}

/** Save as CSV: the agent chooses the file in a Save dialog, the backend writes it. */
async function exportCsv() {
  const message = $('history-message');
  const text = $('history-search').value.trim();
  message.removeAttribute('title');
  let path;
  try {
    path = await backend.saveDialog({
      title: text ? 'Save the calls found as CSV' : 'Save every call as CSV',
      defaultPath: suggestedFile(),
      filters: [{ name: 'CSV (spreadsheet)', extensions: ['csv'] }],
      canCreateDirectories: true,
    });
  } catch (e) {
    setMessage(message, e.message, 'error');
    return;
  }
  if (!path) return;
  try {
    const saved = await backend.exportHistory({ text, path });
    const calls = saved.calls === 1 ? '1 call' : `${saved.calls} calls`;
    setMessage(message, `Saved ${calls} to ${saved.path}`, 'ok');
    message.title = saved.path;
  } catch (e) {
    setMessage(message, e.message, 'error');
  }
  announce(message.textContent);
}

/** A caller ID's name from the loaded list ("Sales line"), else its digits. */
/** Dials a call's number again, by the same agent when the picker still offers them. */
export function callAgain({ agent, international }) {
  if (offers($('agent'), agent)) {
    $('agent').value = agent;
    selectCallerFor(agent);
    showAvailability();
  }
  setNumber(international);
  $('dial-form').requestSubmit();
}

function callerName(value) {
  const option = [...$('caller').options].find((o) => o.value === value);
  return option ? option.textContent.split(' · ')[0] : value;
}

/** "Play": the recording opens in the browser; its address never reaches this page. */
function playButton(row) {
  const play = document.createElement('button');
  play.type = 'button';
  play.className = 'link small play';
  play.textContent = 'Play';
  play.title = 'Play the recording in your browser';
  play.setAttribute('aria-label', `Play the recording: ${row.international}`);
  play.addEventListener('click', async () => {
    play.disabled = true;
    setMessage($('history-message'), 'Opening the recording…', null);
    try {
      await backend.playRecording(row.id);
      setMessage($('history-message'), '');
    } catch (e) {
      setMessage($('history-message'), e.message, 'error');
    }
    play.disabled = false;
  });
  return play;
}

/** "Wrap up" a call later, or "Edit wrap-up": the wrap-up form opens in the row. */
function wrapButton(row, li, wrapped) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'link small wrap';
  b.textContent = wrapped ? 'Edit wrap-up' : 'Wrap up';
  b.setAttribute('aria-label', `${b.textContent}: ${row.international}`);
  b.addEventListener('click', () => editWrapUp(row, li, b));
  return b;
}

/** "Not delivered to your CRM" and its Retry, which hands the wrap-up over again. */
function handoffLine(row, { text, title }) {
  const line = document.createElement('div');
  line.className = 'h-handoff';
  const words = document.createElement('span');
  words.textContent = text;
  line.title = title;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'link small';
  retry.textContent = 'Retry';
  retry.setAttribute('aria-label', `Retry sending to your CRM: ${row.international}`);
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    words.textContent = 'Sending to your CRM…';
    try {
      await backend.retryHandoff(row.id);
    } catch (e) {
      setMessage($('history-message'), e.message, 'error');
    }
  });
  line.append(words, ' ', retry);
  return line;
}

function historyItem(row) {
  const { text, title } = historyEntry(row, {
    agentName: agentById(row.agent)?.name,
    callerName: row.callerId ? callerName(row.callerId) : '',
  });
  const li = document.createElement('li');
  li.dataset.id = row.id;
  const main = document.createElement('div');
  main.className = 'h-main';
  const number = document.createElement('div');
  number.className = 'h-number';
  number.textContent = row.international;
  const sub = document.createElement('div');
  sub.className = 'h-sub';
  sub.textContent = text;
  sub.title = title;
  main.append(number, sub);
  // The wrap-up and its button on one line: what was said, then "Edit wrap-up" (or only
  // "Wrap up"), so the row's own buttons stay few in a narrow window.
  const wrap = wrapUpText(row);
  const canWrap = canWrapUp(row);
  if (wrap || canWrap) {
    const line = document.createElement('div');
    line.className = 'h-wrap';
    if (wrap) {
      const said = document.createElement('span');
      said.className = 'h-said';
      said.textContent = wrap;
      said.title = wrap;
      line.append(said);
    }
    if (canWrap) line.append(wrapButton(row, li, !!wrap));
    main.append(line);
  }
  const undelivered = handoffNotice(row);
  if (undelivered) main.append(handoffLine(row, undelivered));
  const redial = document.createElement('button');
  redial.type = 'button';
  redial.className = 'link small redial';
  redial.textContent = 'Call again';
  // Each row's buttons say whose call they are about (a screen reader lists them together),
  // their visible words first (what a voice user says).
  redial.setAttribute('aria-label', `Call again: ${row.international}`);
  redial.addEventListener('click', () => callAgain(row));
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'link small';
  copy.textContent = 'Copy';
  copy.setAttribute('aria-label', `Copy: ${row.international}`);
  copy.addEventListener('click', async () => {
    announce(`${await copyText(copy, row.e164, number)}: ${row.international}`);
  });
  li.append(main);
  if (row.hasRecording) li.append(playButton(row));
  li.append(redial, copy);
  return li;
}

export function setupHistory() {
  let restoring = false;
  $('history').addEventListener('toggle', () => {
    const { open } = $('history');
    if (!restoring) backend.setHistoryOpen(open).catch(() => {});
    restoring = false;
    watchHistory(open);
    if (!open) {
      if (editingId() != null) dropWrapUp();
      return;
    }
    realFields($('history'));
    loadHistory();
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) watch(); });
  // Open as the agent left it (the toggle event then loads the list).
  firstStatus.then((status) => {
    if (status?.historyOpen && !$('history').open) {
      restoring = true;
      $('history').open = true;
    }
  }).catch(() => {});
  let searchTimer = null;
  $('history-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadHistory(), 200);
  });
  $('history-more').addEventListener('click', () => loadHistory(true));
  $('history-date').addEventListener('change', () => loadHistory());
  $('history-export').addEventListener('click', exportCsv);
}
