//! What the tray and the window hand each other: the typed number, the picks, the menu.

use super::{lock, Clickdial, MAX_DRAFT};
use crate::instance::Handover;

impl Clickdial {
    /// What the tray menu shows: the recent numbers, the lists, the picks (the clipboard is
    /// read only when Dial clipboard is clicked).
    pub async fn tray_state(&self) -> crate::tray::TrayState {
        use crate::tray::TrayState;
        let settings = self.settings();
        let session = self.session().await.ok();
        let (agent_list, caller_list) = session
            .as_ref()
            .map(|s| s.cached_lists())
            .unwrap_or_default();
        let agents = crate::tray::agent_choices(agent_list);
        let callers = crate::tray::caller_choices(self.allowed_caller_ids(caller_list));
        let recent = self
            .dialer()
            .ok()
            .map(|d| crate::tray::recent(d.ledger()))
            .unwrap_or_default();
        let picks = self.picks_with(&settings);
        TrayState {
            clipboard: crate::tray::Clip::Unread,
            region: settings.region(),
            recent,
            agents,
            agent: picks.agent,
            callers,
            caller: picks.caller_id,
            configured: session.is_some(),
            live_call: self.follower().and_then(|f| f.active()).map(|c| {
                crate::tray::LiveCallItem {
                    number: c.international,
                    summary: c.summary,
                    can_hang_up: c.view.can_hang_up,
                }
            }),
        }
    }

    /// What the tray keeper, or the window after it, needs to carry on where this one stops:
    /// the typed number, the picks, unseen notices and the lists the tray offers. Nothing
    /// secret. A confirm sheet left open is not carried: closing the window cancels it.
    pub async fn handover(&self) -> Handover {
        let (agents, callers) = match self.session().await {
            Ok(s) => s.cached_lists(),
            Err(_) => Default::default(),
        };
        Handover {
            draft: lock(&self.draft).clone(),
            picks: lock(&self.picks).clone(),
            notices: lock(&self.notices).clone(),
            agents: crate::tray::agent_choices(agents),
            callers: crate::tray::caller_choices(self.allowed_caller_ids(callers)),
            deliveries: Vec::new(),
        }
    }

    /// Carries on from a handover: the typed number, the picks, the notices (its deliveries
    /// are the shell's to deliver).
    pub fn resume(&self, handover: &Handover) {
        self.keep_draft(&handover.draft);
        if let Some(picks) = &handover.picks {
            *lock(&self.picks) = Some(picks.clone());
        }
        for notice in &handover.notices {
            self.notice(notice.clone());
        }
    }

    /// Keeps the number field's text for a page built later (see `draft` in [`Status`]).
    pub fn keep_draft(&self, text: &str) {
        *lock(&self.draft) = text.chars().take(MAX_DRAFT).collect();
    }
}
