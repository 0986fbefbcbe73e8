// The page's one dial path, for the dial screen's Call and the confirm sheet's: one dial at a
// time, its button saying "Calling…" meanwhile, and the answer shown under the dial screen's
// form (the queued call and its reference, a bounce's repeat note, or the error in its tone).
import { createDialer, describeQueued, errorTone, repeatNote } from './backend.js';
import { backend } from './app.js';
import { agentById, state } from './state.js';
import { $, announce, setCountdown, setMessage } from './view.js';
import { refreshCalls, rememberRef } from './screens/follow.js';
import { loadHistory } from './screens/history.js';

const dialer = createDialer(backend);

/** Whether a dial is in flight. */
export const dialing = () => dialer.busy;

/**
 * Places a call and shows how it went: `number` dialled with `agent` and `callerId` (the dial
 * screen), or the confirm sheet's request `link` confirmed with them (the backend dials its
 * number). Resolves to the answer, `{outcome}` or `{error}` (with `bounced` when the bounce was
 * shown as a note), or null when a dial was already in flight: nothing happens then.
 *
 * - `button` (its text in `label`, else its own) is disabled and says "Calling…" meanwhile.
 * - `placing`: the dial screen's own Call. The result line says "Placing the call…" meanwhile,
 *   so a bounce right after a queued call (a double press) puts that call's message back, with
 *   the repeat note counting down under it.
 * - `arrived(answer)`, awaited once the answer is in and before it is shown, may return false:
 *   nothing is shown then (the sheet, when the account went away meanwhile).
 */
export async function placeCall({ agent, callerId, number, link, button, label = button, placing = false, arrived }) {
  if (dialer.busy) return null;
  const text = label.textContent;
  button.disabled = true;
  label.textContent = 'Calling…';
  try {
    const previous = {
      text: $('result').textContent,
      ok: $('result').classList.contains('ok'),
    };
    if (placing) setMessage($('result'), 'Placing the call…', null);
    const answer = link === undefined
      ? await dialer.dial({ agent, callerId, number })
      : await dialer.confirmLink({ id: link, agent, callerId });
    if (answer.skipped) return null;
    if (arrived && (await arrived(answer)) === false) return answer;
    if (placing && answer.error?.code === 'busy' && previous.ok) {
      // A bounce right after a queued call: keep the queued message and its reference.
      setMessage($('dial-note'), '');
      setMessage($('result'), previous.text, 'ok');
      showRepeatNote(answer.error);
      return { ...answer, bounced: true };
    }
    showAnswer(answer, agent);
    if (answer.outcome) rememberPicks(agent, callerId);
    return answer;
  } finally {
    button.disabled = false;
    label.textContent = text;
  }
}

/**
 * A dial's answer under the dial screen's form: the queued call, or the error (a warning when
 * the call may exist or only needs a wait). Also for a link dialled without asking.
 */
export function showAnswer({ outcome, error }, agent) {
  setMessage($('dial-note'), '');
  if (outcome) showQueued(outcome, agentById(agent)?.name);
  else setMessage($('result'), error.message, errorTone(error.code));
  announce($('result').textContent);
}

/** A queued call: the sentence; its reference in the call bar. */
function showQueued(outcome, agentName) {
  setMessage($('result'), describeQueued(outcome, agentName), 'ok');
  // The reference goes small into the call bar, beside the call it belongs to.
  rememberRef(outcome.call, outcome.refId);
  refreshCalls();
  if ($('history').open) loadHistory();
}

/** The guard's repeat note counts down to when the number may be dialled again, then goes. */
function showRepeatNote(error) {
  setCountdown($('dial-note'), 'warn', (elapsed) => repeatNote(error, elapsed), error.detail?.kind === 'repeat');
}

/** The agent and caller ID of a queued call come first next time (the backend saved them too). */
function rememberPicks(agent, callerId) {
  const { status } = state;
  if (status.demo) return;
  status.lastAgent = agent;
  status.lastCallerByAgent = { ...status.lastCallerByAgent, [agent]: callerId };
}
