//! Numbers not typed into the window (links, the tray, the hotkey): the confirm sheet.

use serde::Serialize;

use super::{lock, Clickdial};
use crate::dialer::{DialInput, DialOutcome};
use crate::ledger::Source;
use crate::links::{Arrival, Request};
use crate::Error;

/// What the confirm sheet needs: the request waiting for the agent, and the result of a link
/// dialled without asking (given once).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkState {
    pub request: Option<Request>,
    pub dialled: Option<LinkDialled>,
    /// A colleague already on a call with the request's number ([`Clickdial::check_colleagues`]):
    /// the sheet says so and the agent decides; it never blocks the dial.
    pub colleague: Option<super::team::ColleagueCall>,
}

/// A link dialled without asking, and how it went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkDialled {
    pub international: String,
    pub outcome: Option<DialOutcome>,
    pub error: Option<Error>,
}

impl Clickdial {
    /// A number for the confirm sheet: a `tel:`/`callto:` link (a cold start, a second process,
    /// the OS), or text from the tray or the hotkey (clipboard, selection, a recent number). It
    /// waits on the sheet, unless it is a link, the agent chose to dial links without asking, it
    /// came alone, and the saved account's agent is known: then it is dialled now, through the
    /// same service and guard as every dial.
    pub async fn receive(&self, raw: &str, source: Source) {
        let settings = self.settings();
        // The remembered agent belongs to the saved account; the demo always asks.
        let agent = match self.session().await {
            Ok(s) if s.session.saved => settings.default_agent().map(str::to_string),
            _ => None,
        };
        let trusted = settings.links_without_asking && agent.is_some();
        let arrival = self.inbox.receive(
            raw,
            source,
            settings.region(),
            trusted,
            std::time::Instant::now(),
        );
        let (Arrival::Dial(request), Some(agent)) = (arrival, agent) else {
            return;
        };
        let Some(number) = request.number else {
            return;
        };
        let input = DialInput {
            caller_id: settings.last_caller_for(&agent).map(str::to_string),
            ..DialInput::new(number.e164, agent, Source::Link)
        };
        let result = self.dial(input).await;
        *lock(&self.link_dialled) = Some(LinkDialled {
            international: number.international,
            outcome: result.as_ref().ok().cloned(),
            error: result.err(),
        });
    }

    /// The sheet's request and the last link dialled without asking (given once).
    pub fn link_state(&self) -> LinkState {
        let request = self.inbox.current();
        LinkState {
            colleague: request.as_ref().and_then(|r| self.colleague_for(r.id)),
            request,
            dialled: lock(&self.link_dialled).take(),
        }
    }

    /// The agent confirmed the sheet's request `id` with this agent and caller ID. The number
    /// comes from the request, never from the page. Without an account the request stays.
    pub async fn confirm_link(
        &self,
        id: u64,
        agent: String,
        caller_id: Option<String>,
    ) -> Result<DialOutcome, Error> {
        let session = self.session().await?;
        self.dialer()?;
        let (request, number) = self.inbox.take(id)?;
        let input = DialInput {
            caller_id,
            ..DialInput::new(number.e164, agent, request.source)
        };
        self.dial_in(session, input).await
    }

    /// The window is closing: the sheet's request, if any, goes with it.
    pub fn window_closed(&self) {
        self.inbox.dismiss_current();
    }

    /// The agent cancelled the sheet's request `id`.
    pub fn dismiss_link(&self, id: u64) -> bool {
        self.inbox.dismiss(id)
    }

    /// The doctor's self-test: the link to open through the OS; it comes back as a sheet that
    /// says so, and is never dialled.
    pub fn self_test_link(&self) -> String {
        self.inbox.self_test_link(std::time::Instant::now())
    }
}
