//! Preferences, retention, "who am I" and the tray's picks.

use clickdial_core::settings::Settings;
use clickdial_core::Region;

use super::{lock, Clickdial, Picks};
use crate::ledger::{CallRow, HistoryQuery};
use crate::{Code, Error};

/// A day, in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// The Settings page's preferences; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Preferences {
    pub region: String,
    pub call_timeout: Option<u32>,
    pub links_without_asking: Option<bool>,
    /// `Some(None)`: back to the default shortcut.
    pub hotkey: Option<Option<String>>,
    /// The global Hang-up shortcut; `Some(None)`: none (the default).
    pub hang_up_hotkey: Option<Option<String>>,
    pub start_hidden: Option<bool>,
    pub history_days: Option<u32>,
    pub notify: Option<bool>,
    pub choose_agent_each_call: Option<bool>,
    pub team_check: Option<bool>,
    /// The after-call hand-off: `(kind, address or template)`, kind `post` or `open`;
    /// `Some(None)`: off.
    pub after_call: Option<Option<(String, String)>>,
}

/// A shortcut to save, as [`clickdial_core::shortcut::check`] keeps it, or the refusal.
fn checked_shortcut(value: Option<Option<String>>) -> Result<Option<Option<String>>, Error> {
    match value {
        Some(Some(text)) => clickdial_core::shortcut::check(&text)
            .map(|n| Some(Some(n)))
            .map_err(Error::invalid),
        other => Ok(other),
    }
}

impl Clickdial {
    /// Saves the agent's preferences through the settings file's one writer.
    pub fn save_preferences(&self, p: Preferences) -> Result<(), Error> {
        self.check_preferences(&p)?;
        let Preferences {
            region,
            call_timeout,
            links_without_asking,
            hotkey,
            hang_up_hotkey,
            start_hidden,
            history_days,
            notify,
            choose_agent_each_call,
            team_check,
            after_call,
        } = p;
        // Checked by the one rule the policy's `after_call` follows; a bad one saves nothing.
        let after_call = after_call
            .map(|a| {
                a.map(|(kind, text)| clickdial_core::handoff::Target::new(&kind, &text))
                    .transpose()
            })
            .transpose()
            .map_err(Error::invalid)?;
        // The policy's own, sent back by the page, is not the agent's to keep.
        let after_call = after_call.filter(|_| self.policy.policy.after_call.is_none());
        if history_days.is_some_and(|d| d > clickdial_core::settings::MAX_HISTORY_DAYS) {
            return Err(Error::invalid(
                "Keep call history for at most ten years, or choose \"Always\".",
            ));
        }
        let region = Region::parse(&region).map_err(Error::invalid)?;
        // A shortcut is grabbed from the whole desktop: never a system one (Ctrl+C…).
        let hotkey = checked_shortcut(hotkey)?;
        let hang_up_hotkey = checked_shortcut(hang_up_hotkey)?;
        if let Some(Some(hang_up)) = &hang_up_hotkey {
            let current = self.settings();
            let dial = match &hotkey {
                Some(h) => h.clone(),
                None => current.hotkey,
            }
            .unwrap_or_else(|| self.desk.default_hotkey.clone());
            if clickdial_core::shortcut::normalize(&dial).as_ref() == Some(hang_up) {
                return Err(Error::invalid(
                    "The Hang-up shortcut is the one that dials the selection: choose another.",
                ));
            }
        }
        let call_timeout = call_timeout
            .map(clickdial_core::types::CallTimeout::from_secs)
            .transpose()
            .map_err(Error::invalid)?;
        let updated = self
            .settings_file()
            .update(|s| {
                s.region = region.code().to_string();
                s.call_timeout = call_timeout.map(|t| t.secs());
                if let Some(trust) = links_without_asking {
                    s.links_without_asking = trust;
                }
                if let Some(hotkey) = hotkey.clone() {
                    s.hotkey = hotkey;
                }
                if let Some(hang_up) = hang_up_hotkey.clone() {
                    s.hang_up_hotkey = hang_up;
                }
                if let Some(hidden) = start_hidden {
                    s.start_hidden = hidden;
                }
                if let Some(days) = history_days {
                    s.history_days = days;
                }
                if let Some(notify) = notify {
                    s.notify = notify;
                }
                if let Some(each) = choose_agent_each_call {
                    s.choose_agent_each_call = each;
                }
                if let Some(check) = team_check {
                    s.team_check = check;
                }
                if let Some(target) = after_call.clone() {
                    s.after_call = target;
                }
            })
            .map_err(|e| Error::new(Code::Storage, e))?;
        if let Some(n) = updated.notice {
            self.notice(n);
        }
        if history_days.is_some() {
            self.apply_retention();
        }
        Ok(())
    }

    /// Reads the whole ledger for damage; a damaged one is kept aside and replaced. The notice
    /// that says so, once, also kept for the window's next status.
    pub fn verify_ledger(&self) -> Option<String> {
        let notice = match self.dialer().ok()?.ledger().verify() {
            Ok(notice) => notice?,
            Err(e) => e.to_string(),
        };
        self.notice(notice.clone());
        Some(notice)
    }

    /// "This is me": the agent whose phone rings for this user's calls, kept for the saved
    /// account (and the demo's session). `None` forgets it, so the window asks again.
    pub fn set_me(&self, agent: Option<String>) -> Result<(), Error> {
        if let Some(n) = crate::tray::set_me(self.settings_file(), agent)? {
            self.notice(n);
        }
        Ok(())
    }

    /// Deletes calls older than the agent's history setting (`history_days`; 0 keeps them
    /// all); how many went. A rule of every front end: the window applies it at start and when
    /// the setting changes, the CLI with each call it places and each history it shows. One
    /// DELETE through the ledger's index on the start time: its cost is the rows that go.
    pub fn apply_retention(&self) -> usize {
        let days = self.settings().history_days;
        let Ok(dialer) = self.dialer() else { return 0 };
        if days == 0 {
            return 0;
        }
        dialer
            .ledger()
            .prune(self.now_ms().saturating_sub(i64::from(days) * DAY_MS))
            .unwrap_or(0)
    }

    /// Call history, newest first, as `query` asks: the retention rule applied first
    /// ([`Self::apply_retention`]), so no front end shows a call the agent no longer keeps.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<CallRow>, Error> {
        let ledger = self.dialer()?.ledger();
        self.apply_retention();
        Ok(ledger.history(&self.scoped(query.clone()), self.now_ms())?)
    }

    /// `query` for the session in use: in the demo only the demo's calls, else none of them
    /// (issue 25 item 4: demo calls never mix into a real account's history or CSV). Every
    /// front end's history and export goes through this.
    pub fn scoped(&self, query: HistoryQuery) -> HistoryQuery {
        HistoryQuery {
            demo: Some(self.in_demo()),
            ..query
        }
    }

    /// The agent and caller ID for dials not typed into the page: the tray's last choice, else
    /// the remembered ones of the saved account.
    pub fn picks(&self) -> Picks {
        self.picks_with(&self.settings())
    }

    /// [`Self::picks`], with the settings already read.
    pub(super) fn picks_with(&self, settings: &Settings) -> Picks {
        crate::tray::picks(lock(&self.picks).as_ref(), settings)
    }

    /// The tray chose an agent or a caller ID. Remembered for the saved account like a dial's
    /// picks; the page's pickers follow through an event.
    pub async fn choose(&self, agent: Option<String>, caller_id: Option<String>) -> Picks {
        let chosen = lock(&self.picks).clone();
        let (picks, notice) =
            crate::tray::choose(chosen.as_ref(), self.settings_file(), agent, caller_id);
        if let Some(n) = notice {
            self.notice(n);
        }
        *lock(&self.picks) = Some(picks.clone());
        picks
    }

    /// The first time the window is closed to the tray, the agent is told where it went (once
    /// per installation: remembered in the settings).
    pub fn tell_once_about_tray(&self) {
        if self.settings().tray_notice_shown {
            return;
        }
        self.notice(
            "Clickdial is still running in the tray, ready for phone links and the shortcut. \
             To close it, choose Quit in the tray menu."
                .to_string(),
        );
        let _ = self.settings_file().update(|s| s.tray_notice_shown = true);
    }
}
