// The confirm sheet: a tel:/callto: link, the tray or the hotkey asks to dial a number, and it
// waits here until the agent presses Call (placed by dialing.js, as the dial screen's Call is)
// or Cancel.
import {
  callerFor, sheetQuestion, sheetWarning, sourceLabel,
} from '../backend.js';
import { EVENTS } from '../ipc.js';
import { backend, listen } from '../app.js';
import { placeCall, showAnswer } from '../dialing.js';
import { render } from '../page.js';
import { state } from '../state.js';
import { $, chosen, setMessage } from '../view.js';
import { updatePreview } from './dial.js';

let sheetRequest = null;
/** A colleague already on a call with the sheet's customer, as the backend last said. */
let sheetColleague = null;
/** How long Call stays disabled after the number on an open sheet changed under the agent. */
const CHANGED_GUARD_MS = 1200;
let changedTimer = null;
// Answers to overlapping refreshes can arrive out of order; only the newest may change the sheet.
let linksSeq = 0;

/** Asks the backend what waits on the sheet; called at start, on the links event, after setup. */
export async function refreshLinks() {
  const seq = ++linksSeq;
  let links;
  try {
    links = await backend.linkState();
  } catch {
    return;
  }
  if (links.dialled) showLinkDialled(links.dialled);
  if (seq !== linksSeq) return;
  sheetColleague = links.colleague || null;
  openSheet(links.request);
}

/** The dial screen, showing `number` in its field: where a link's dial shows its result. */
function toDialScreen(number) {
  // The result belongs on the dial screen, wherever the link found the agent (Settings, say).
  if ($('view-dial').hidden) render();
  $('number').value = number;
  updatePreview();
}

/** A link dialled without asking (the agent's setting): its result goes where a dial's goes. */
function showLinkDialled({ international, outcome, error }) {
  if (!state.status?.configured) return;
  toDialScreen(international);
  showAnswer({ outcome, error }, outcome?.agent);
}

function openSheet(request) {
  const before = sheetRequest;
  sheetRequest = request || null;
  const sheet = $('sheet');
  $('waiting-link').hidden = true;
  if (!sheetRequest) {
    if (sheet.open) sheet.close();
    return;
  }
  if (sheetRequest.selfTest) setMessage($('handler-message'), 'The test link reached Clickdial: phone links work.', 'ok');
  renderSheet();
  // Another link replaced the number while the sheet was open: an Enter or a click meant for
  // the old number must not dial the new one. Call waits a moment, the new number is marked,
  // and focus goes to Cancel.
  const changed = sheet.open && before && before.number?.e164 !== sheetRequest.number?.e164;
  clearTimeout(changedTimer);
  $('sheet-title').classList.toggle('changed', !!changed);
  if (!sheet.open) sheet.showModal();
  if (changed && !$('sheet-call').hidden) {
    $('sheet-call').disabled = true;
    $('sheet-cancel').focus();
    const shown = sheetRequest;
    changedTimer = setTimeout(() => {
      if (sheetRequest === shown) $('sheet-call').disabled = false;
    }, CHANGED_GUARD_MS);
    return;
  }
  ($('sheet-call').hidden ? $('sheet-cancel') : $('sheet-call')).focus();
}

/** The sheet's pickers as the dial screen's are (their options, choice and manual fields). */
function copyPickers() {
  const pairs = [
    ['agent', 'agent-manual', 'sheet-agent', 'sheet-agent-manual'],
    ['caller', 'caller-manual', 'sheet-caller', 'sheet-caller-manual'],
  ];
  for (const [from, fromManual, to, toManual] of pairs) {
    $(to).replaceChildren(...[...$(from).options].map((o) => o.cloneNode(true)));
    $(to).value = $(from).value;
    $(to).disabled = $(from).disabled;
    $(to).hidden = !$(fromManual).hidden;
    $(toManual).hidden = $(fromManual).hidden;
    $(toManual).value = $(fromManual).value;
  }
  updateSheetQuestion();
}

/** The lists were loaded again: a sheet on show offers what the dial screen now does. */
export function refreshSheetPickers() {
  if (sheetRequest) copyPickers();
}

function pickedText(select, manual) {
  if (!manual.hidden) return manual.value.trim();
  const option = select.selectedOptions[0];
  if (!option || !option.value) return '';
  return option.textContent.split(' · ')[0];
}

function updateSheetQuestion() {
  const r = sheetRequest;
  if (!r?.number || !state.status?.configured || r.selfTest) return;
  $('sheet-title').textContent = sheetQuestion(
    r.number,
    pickedText($('sheet-agent'), $('sheet-agent-manual')),
    pickedText($('sheet-caller'), $('sheet-caller-manual')),
  );
}

function renderSheet() {
  const r = sheetRequest;
  const configured = !!state.status?.configured;
  const dialable = !!r.number && !r.selfTest;
  $('sheet-kicker').textContent = sourceLabel(r.source, r.selfTest);
  setMessage($('sheet-burst'), dialable ? sheetWarning(r, sheetColleague) : '', 'warn');
  setMessage($('sheet-problem'), r.problem || '', 'error');
  $('sheet-pickers').hidden = !(dialable && configured);
  $('sheet-call').hidden = !dialable;
  $('sheet-call').disabled = false;
  $('sheet-keys').hidden = !dialable;
  $('sheet-cancel').textContent = dialable ? 'Cancel' : 'Close';
  if (r.selfTest) {
    $('sheet-title').textContent = 'Phone links work';
    $('sheet-facts').textContent = 'The test link went through your desktop and reached Clickdial. Nothing was dialled.';
  } else if (!r.number) {
    $('sheet-title').textContent = r.source === 'link' ? 'This link can’t be dialled' : 'No number to dial';
    $('sheet-facts').textContent = r.link;
  } else if (!configured) {
    $('sheet-title').textContent = `Connect an account to dial ${r.number.international}`;
    $('sheet-facts').textContent = 'The number is kept: connect your account or try the demo, and Clickdial asks again.';
    $('sheet-call').textContent = 'Set up first';
    $('sheet-keys').hidden = true;
  } else {
    $('sheet-call').textContent = 'Call';
    $('sheet-facts').textContent = r.link;
    copyPickers();
  }
}

function closeSheet() {
  if ($('sheet').open) $('sheet').close();
}

async function cancelSheet() {
  const r = sheetRequest;
  sheetRequest = null;
  closeSheet();
  if (r) {
    try {
      await backend.dismissLink(r.id);
    } catch {
      // Nothing to undo: the request is gone or was replaced; refresh shows what is current.
    }
  }
  refreshLinks();
}

async function onSheetCall(event) {
  event.preventDefault();
  const r = sheetRequest;
  if (!r?.number || r.selfTest) return;
  if (!state.status?.configured) {
    // Keep the request; the sheet returns once an account or the demo is set up.
    closeSheet();
    setMessage($('waiting-link'), `A phone link is waiting: ${r.number.international}. Connect your account or try the demo to call it.`);
    return;
  }
  const agent = chosen($('sheet-agent'), $('sheet-agent-manual'));
  if (!agent) {
    setMessage($('sheet-problem'), 'Pick an agent first.', 'error');
    return;
  }
  const answer = await placeCall({
    agent,
    callerId: chosen($('sheet-caller'), $('sheet-caller-manual')),
    link: r.id,
    button: $('sheet-call'),
    arrived: async ({ error }) => {
      if (error?.code === 'notConfigured') {
        state.status = await backend.status();
        render();
        return false;
      }
      sheetRequest = null;
      closeSheet();
      toDialScreen(r.number.international);
      return true;
    },
  });
  // A newer link may have replaced this one meanwhile: show it.
  if (answer && answer.error?.code !== 'notConfigured') refreshLinks();
}

export function setupSheet() {
  $('sheet-form').addEventListener('submit', onSheetCall);
  $('sheet-cancel').addEventListener('click', cancelSheet);
  // Esc: the dialog's own cancel; treat it as Cancel (and keep the dialog under our control).
  $('sheet').addEventListener('cancel', (event) => {
    event.preventDefault();
    cancelSheet();
  });
  // Enter on a picker calls too (a select swallows Enter otherwise).
  $('sheet').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.tagName === 'SELECT' && !$('sheet-call').hidden) {
      event.preventDefault();
      $('sheet-form').requestSubmit();
    }
  });
  $('sheet-agent').addEventListener('change', () => {
    const offered = [...$('sheet-caller').options].map((o) => o.value);
    const remembered = callerFor(state.status, $('sheet-agent').value, offered);
    if (remembered) $('sheet-caller').value = remembered;
    updateSheetQuestion();
  });
  $('sheet-caller').addEventListener('change', updateSheetQuestion);
  $('sheet-agent-manual').addEventListener('input', updateSheetQuestion);
  listen(EVENTS.linksChanged, () => refreshLinks());
}
