//! A faithful Servetel simulator, for every test and for the app's demo mode.
//!
//! It behaves like the real API as `servetel-api.md` describes it: the token check (Bearer and
//! raw forms), sign-in with email and password (`/auth/login`, `/auth/refresh`, short-lived
//! tokens, `number_of_days_left` until the password expires, the documented failure body with
//! `login_failed_count`, a lockout after repeated bad passwords with an IST `retry_after`), a
//! token that may not read `/my_number` (403), `click_to_call` validation with the real error
//! shapes (field-keyed 422s with the platform's own "vaild" typo, `success:false` under HTTP
//! 200; the caller ID must be a DID's digits, not its alias), the real success body (`ref_id`,
//! and `call_id: null` with `async=1`: the platform only knows the call id once the agent
//! answered), paged `/users` and `/my_number`. As a library it binds 127.0.0.1:0, reports its
//! URL, records every request and injects faults (status + body, optionally streamed without a
//! length; delay; connection reset). Unknown routes get a 404 that names the request, so a test
//! that calls the wrong path says so.
//!
//! Each queued call lives through the platform's stages, computed from the clock when asked
//! ([`CallTimings`]; no task runs per call): the agent's phone rings (3 s), the agent answers or
//! not ([`SimAgent::answer`]: answers, no answer, busy, offline), the customer's phone rings
//! (3 s), they talk (20 s), the call ends. The customer's behaviour follows the last three digits
//! of the number dialled, so the demo can show every outcome: `…486` is busy, `…408` does not
//! answer, `…404` is unreachable, anything else answers. `/v1/live_calls` lists live calls,
//! newest first, filtered by `agent_number` (EID or mobile), `call_id` or `did_number`, with the
//! real field names and types (`call_time` as `HH:MM:SS`, `customer_number` without the country
//! code); while only the agent's phone rings, `destination` holds just the agent's number, and
//! from the customer's leg on it lists both (our documented assumption of how a client tells the
//! two legs apart). `/v1/call/hangup` ends a live call by its `call_id` (a `ref_id` is refused,
//! as on some accounts); `/v1/call/records` has a record `cdr_delay` (1 s) after the end
//! (status, durations with `answered_seconds` as a string, Q.850 cause, `ref_id`,
//! `custom_identifier`), newest first, paged and filtered by dates, `call_id` and `callerid`
//! (403 for [`Account::cdr_forbidden_tokens`]); `/v1/agent/{eid}/block|unblock` changes the
//! agent's status in `/v1/users`, and `click_to_call` refuses a blocked agent.
//!
//! `GET /__sim/requests` returns the recorded requests as JSON, for tests that drive the app
//! from outside (the WebDriver end-to-end test reads the demo simulator this way);
//! `GET /__sim/calls` the calls and their stages; `POST /__sim/timings` and `POST /__sim/agent`
//! change stage lengths and how an agent answers; `POST /__sim/team {"extra": 300}` adds that
//! many agents, for trying a large team.
//! A guarded simulator ([`Sim::bind_guarded`]: the demo's, `clickdial sim`) answers these only
//! with its control token in the [`CONTROL_HEADER`] header.

// One module per job: the account served (and the demo's), a queued call's stages, injected
// faults, the running server and its `Sim` handle, every request's way in, the `/__sim/*`
// controls, the API one file per area, and the platform's dates, written apart from the
// client's own date code so that a bug there shows as a disagreement.
mod account;
mod control;
mod date;
mod endpoints;
mod fault;
mod lifecycle;
mod router;
mod server;
mod shapes;

pub use account::{Account, SimAgent, SimDid, SimLogin, DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOKEN};
pub use fault::{Fault, FaultAction};
pub use lifecycle::{Answer, CallInfo, CallTimings};
pub use router::Recorded;
pub use server::{run_for_parent, run_foreground, Sim, CONTROL_HEADER};
pub use shapes::{CustomerForm, Legs, RecordFilters, Shapes};
