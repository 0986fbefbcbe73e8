// Recent calls: the list under the dial form, filtered by number and day, paged, exported as CSV;
// each call with "Call again" and "Copy", and "Play" when it was recorded.
import { dayRange } from '../backend.js';
import { historyEntry } from '../logic.js';
import { backend } from '../app.js';
import { agentById } from '../state.js';
import { $, offers, realFields, setMessage } from '../view.js';
import { selectCallerFor, showAvailability } from './agents.js';
import { setNumber } from './dial.js';

const HISTORY_PAGE = 30;
let historyRows = [];

export async function loadHistory(more = false) {
  const digits = $('history-search').value.replace(/\D/g, '');
  const beforeId = more && historyRows.length ? historyRows[historyRows.length - 1].id : null;
  const day = dayRange($('history-date').value);
  let rows;
  try {
    rows = await backend.history({ digits, beforeId, limit: HISTORY_PAGE, ...day });
  } catch (e) {
    $('history-empty').textContent = e.message;
    $('history-empty').hidden = false;
    return;
  }
  historyRows = more ? historyRows.concat(rows) : rows;
  $('history-list').replaceChildren(...historyRows.map(historyItem));
  $('history-empty').textContent = digits || day.sinceMs
    ? 'No calls match.'
    : 'No calls yet.';
  $('history-empty').hidden = historyRows.length > 0;
  $('history-more').hidden = rows.length < HISTORY_PAGE;
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
  const redial = document.createElement('button');
  redial.type = 'button';
  redial.className = 'link small redial';
  redial.textContent = 'Call again';
  redial.addEventListener('click', () => callAgain(row));
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'link small';
  copy.textContent = 'Copy';
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(row.e164);
      copy.textContent = 'Copied';
    } catch {
      window.getSelection().selectAllChildren(number);
      copy.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
  });
  li.append(main);
  if (row.hasRecording) li.append(playButton(row));
  li.append(redial, copy);
  return li;
}

export function setupHistory() {
  $('history').addEventListener('toggle', () => {
    if (!$('history').open) return;
    realFields($('history'));
    loadHistory();
  });
  let searchTimer = null;
  $('history-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadHistory(), 200);
  });
  $('history-more').addEventListener('click', () => loadHistory(true));
  $('history-date').addEventListener('change', () => loadHistory());
  $('history-export').addEventListener('click', async () => {
    const digits = $('history-search').value.replace(/\D/g, '');
    try {
      const path = await backend.exportHistory(digits);
      setMessage($('history-message'), `Saved ${digits ? 'the calls found' : 'every call'} to ${path}`, 'ok');
    } catch (e) {
      setMessage($('history-message'), e.message, 'error');
    }
  });
}
