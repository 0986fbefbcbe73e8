//! A dial from any entry point: the live-call rule, the one [`crate::dialer::Dialer`], then
//! following.

use std::sync::Arc;

use clickdial_core::follow::Owner;
use clickdial_core::{Number, Region};

use super::session::AppSession;
use super::{lock, Clickdial, Picks};
use crate::dialer::{DialInput, DialOutcome};
use crate::follow::Follower;
use crate::{Code, Error};

impl Clickdial {
    /// A dial from the window (or, later, a link, the tray or the hotkey): the shared service.
    pub async fn dial(&self, input: DialInput) -> Result<DialOutcome, Error> {
        let session = self.session().await?;
        // The tray's picks follow the window's last dial.
        *lock(&self.picks) = Some(Picks {
            agent: Some(input.agent.clone()),
            caller_id: input.caller_id.clone(),
        });
        self.dial_in(session, input).await
    }

    /// Dials through the one dial service, then follows the call if it was queued, or if its
    /// outcome is unknown (it may have been placed: following finds it live if it was).
    pub(super) async fn dial_in(
        &self,
        session: Arc<AppSession>,
        input: DialInput,
    ) -> Result<DialOutcome, Error> {
        // The policy first: a broken one stops every dial; a caller ID must be allowed.
        self.check_dial(&input)?;
        let dialer = self.dialer()?;
        let settings = self.settings();
        let number = Number::parse(
            &input.text,
            match &input.region {
                Some(r) => Region::parse(r).unwrap_or_default(),
                None => settings.region(),
            },
        );
        let agent = input.agent.trim().to_string();
        if let Ok(n) = &number {
            self.refuse_if_live(&session, &settings, n.e164(), &agent)
                .await?;
        }
        let result = dialer.dial(&session.session, input).await;
        match (&result, &self.follower, &number) {
            (Ok(outcome), Some(follower), _) => {
                let mut owner = Owner::agent(&outcome.agent).with_ref(&outcome.custom_identifier);
                if let Some(r) = &outcome.ref_id {
                    owner = owner.with_ref(r);
                }
                if let Some(phone) = session.phone_of(&outcome.agent) {
                    owner = owner.with_phone(&phone);
                }
                follower.follow(
                    outcome.call,
                    &outcome.e164,
                    &outcome.agent,
                    owner,
                    outcome.call_id.as_deref(),
                    session.clone(),
                );
                // What else rows may name the agent by (their mobile if the list was not
                // loaded, their extension), learnt without holding up the dial's answer: the
                // first live read comes a poll after the dial.
                let (follower, session) = (follower.clone(), session.clone());
                let (id, agent) = (outcome.call, outcome.agent.clone());
                tokio::spawn(async move {
                    let more = session.owner_of(&agent).await;
                    follower.widen_owner(id, |o| o.merge(more));
                });
            }
            (Err(e), Some(follower), Ok(n)) if e.code == Code::UnknownOutcome => {
                let agents = session.known_agents().unwrap_or_default();
                follower
                    .follow_unknown(n.e164(), &agent, &agents, session.clone())
                    .await;
            }
            _ => {}
        }
        result
    }

    /// Fills in how calls ended that nothing followed to the end (at most `max`, one
    /// call-records look each); a notice worth showing, if any.
    pub async fn backfill(&self, max: usize) -> Option<String> {
        let follower = self.follower.as_ref()?;
        let session = self.session().await.ok()?;
        let agents = session.known_agents().unwrap_or_default();
        follower.backfill(session, &agents, max).await;
        follower.take_notice()
    }

    /// Plays the recording of call `id` from history: its address is read again from the call
    /// record and opened in the browser, never kept (servetel-api.md §5.6).
    pub async fn play_recording(&self, id: i64) -> Result<(), Error> {
        let ledger = self.dialer()?.ledger().clone();
        let now = crate::ledger::wall_clock_ms();
        let row = crate::blocking(move || ledger.get(id, now).map_err(Error::from))
            .await?
            .filter(|r| r.has_recording)
            .ok_or_else(|| Error::invalid("That call has no recording."))?;
        let session = self.session().await?;
        let agents = session.known_agents().unwrap_or_default();
        let url = crate::follow::recording_of(session.client(), &row, &agents, now).await?;
        let desktop = crate::handler::Desktop::from_env().ok_or_else(|| {
            Error::new(
                Code::Internal,
                "Clickdial could not find the desktop to open the recording with.",
            )
        })?;
        crate::blocking(move || crate::handler::open_recording(&desktop, &url)).await
    }

    /// The follower, when history could be opened.
    pub fn follower(&self) -> Option<&Arc<Follower>> {
        self.follower.as_ref()
    }
}
