//! "Available" or "On break": whether the platform sends an agent calls (Servetel's
//! `/agent/{eid}/block` and `/unblock`), for the window and the CLI alike.
//!
//! Some accounts refuse block / unblock (Smartflo clients use a dialer break instead, seen
//! only in client code, with no documented body: not added). Such a refusal is said plainly,
//! with a typed detail, so a front end can stop offering the switch.

use clickdial_core::api::{Agent, ApiError};

use super::Clickdial;
use crate::error::Detail;
use crate::{Code, Error};

impl Clickdial {
    /// Puts `agent` on a break (`available` false) or back; the agents as they are now.
    pub async fn set_availability(
        &self,
        agent: &str,
        available: bool,
    ) -> Result<Vec<Agent>, Error> {
        let session = self.session().await?;
        session
            .client()
            .set_available(agent.trim(), available)
            .await
            .map_err(refused_breaks)?;
        session.agents(true).await
    }
}

/// A refusal that means the account does not allow breaks from here: a 403, or a 405 (no
/// such action on this account). Anything else keeps its own words: a 404 is also what an
/// unknown agent gets.
fn refused_breaks(e: ApiError) -> Error {
    let not_allowed = matches!(
        e,
        ApiError::Forbidden { .. } | ApiError::Rejected { status: 405, .. }
    );
    if !not_allowed {
        return Error::from(e);
    }
    Error::new(
        Code::Forbidden,
        "This account does not let Clickdial put agents on a break: the platform refused. \
         Breaks can still be taken in the portal, or an administrator can allow it.",
    )
    .with_detail(Detail::BreaksNotAllowed)
}
