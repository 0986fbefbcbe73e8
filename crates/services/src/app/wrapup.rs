//! After the call: the agent's wrap-up (what came of it, and a note), one rule for the window
//! and `clickdial note`, and the event log other programs read (`clickdial events`).

use clickdial_core::settings::Settings;

use crate::ledger::{CallRow, HistoryQuery};
use crate::policy::{clean_dispositions, refused};
use crate::{Code, Error};

use super::Clickdial;

/// What came of a call, when neither the agent nor their organization chose the list.
pub const DEFAULT_DISPOSITIONS: [&str; 5] = [
    "Interested",
    "Call back",
    "Not interested",
    "Wrong number",
    "No answer",
];

pub use crate::policy::MAX_DISPOSITIONS;

/// A wrap-up to save.
#[derive(Debug, Clone, Default)]
pub struct WrapUp {
    /// The call by its ledger row (the window's call bar knows it); wins over `reference`.
    pub id: Option<i64>,
    /// The call: its reference, call ID or custom identifier; `None`: the last call placed from
    /// this computer.
    pub reference: Option<String>,
    /// One of [`Clickdial::dispositions`], by name (any case) or by its number (1–9).
    pub disposition: Option<String>,
    pub note: Option<String>,
    /// An edit of the saved wrap-up (the window's form, prefilled): the note replaces the
    /// saved one (empty clears it), and a disposition not given keeps the saved one. Without
    /// it (`clickdial note`), what is not given is kept.
    pub replace: bool,
}

impl Clickdial {
    /// The dispositions offered, in order: the organization's (the policy's `dispositions`),
    /// else the agent's (the setting), else the defaults ([`DEFAULT_DISPOSITIONS`]); at most
    /// [`MAX_DISPOSITIONS`]. The one place that decides, for every front end.
    pub fn dispositions(&self) -> Vec<String> {
        self.dispositions_in(&self.settings())
    }

    /// [`Clickdial::dispositions`] with the settings already read.
    pub(super) fn dispositions_in(&self, settings: &Settings) -> Vec<String> {
        let policy = &self.policy().policy.dispositions;
        policy
            .as_deref()
            .and_then(clean_dispositions)
            .or_else(|| clean_dispositions(&settings.dispositions))
            .unwrap_or_else(|| DEFAULT_DISPOSITIONS.iter().map(|d| d.to_string()).collect())
    }

    /// Saves the agent's dispositions (Settings, one per line): cleaned like the policy's
    /// ([`clean_dispositions`]), blank lines dropped; none at all goes back to the defaults.
    /// Refused while the organization's policy sets the list.
    pub fn set_dispositions(&self, names: &[String]) -> Result<(), Error> {
        if self.policy_in_force()?.dispositions.is_some() {
            return Err(refused("Changing the dispositions"));
        }
        let blank = names.iter().all(|n| n.trim().is_empty());
        let names = if blank {
            Vec::new()
        } else {
            clean_dispositions(names).ok_or_else(|| {
                Error::invalid(format!(
                    "List at most {MAX_DISPOSITIONS} dispositions, one per line: digits 1 to \
                     {MAX_DISPOSITIONS} pick them after a call."
                ))
            })?
        };
        self.settings_file()
            .update(|s| s.dispositions = names)
            .map(|_| ())
            .map_err(|e| Error::new(Code::Storage, e))
    }

    /// Saves a wrap-up (replacing an earlier one of the same call) and answers the call as it
    /// stands. A disposition that is not offered is refused, naming those that are.
    pub fn wrap_up(&self, w: &WrapUp) -> Result<CallRow, Error> {
        let offered = self.dispositions();
        let disposition = w
            .disposition
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| pick(d, &offered))
            .transpose()?;
        let note = w.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let nothing = Error::invalid("Say what came of the call (a disposition), or write a note.");
        if disposition.is_none() && note.is_none() && !w.replace {
            return Err(nothing);
        }
        let ledger = self.dialer()?.ledger();
        let now = self.now_ms();
        let row = match (w.id, w.reference.as_deref().map(str::trim)) {
            (Some(id), _) => ledger.get(id, now)?.ok_or_else(|| {
                Error::invalid("That call is no longer in this computer's history.")
            })?,
            (None, Some(r)) if !r.is_empty() => ledger.find(r, now)?.ok_or_else(|| {
                Error::invalid(format!(
                    "No call with the reference or call ID {r} is in this computer's history."
                ))
            })?,
            // The last call of the session in use: never the demo's for a real account.
            (None, _) => ledger
                .history(
                    &self.scoped(HistoryQuery {
                        limit: 1,
                        ..HistoryQuery::default()
                    }),
                    now,
                )?
                .into_iter()
                .next()
                .ok_or_else(|| Error::invalid("No call has been placed from this computer yet."))?,
        };
        if w.replace {
            // An edit may clear the note, not leave the call with nothing said.
            if disposition.is_none() && note.is_none() && row.disposition.is_none() {
                return Err(nothing);
            }
            ledger.edit_wrap_up(row.id, disposition.as_deref(), note, now)?;
        } else {
            ledger.wrap_up(row.id, disposition.as_deref(), note, now)?;
        }
        ledger
            .get(row.id, now)?
            .ok_or_else(|| Error::new(Code::Storage, "The call left the history meanwhile."))
    }
}

/// The disposition `typed` names: its number in the list, or its name in any case.
fn pick(typed: &str, offered: &[String]) -> Result<String, Error> {
    let by_number = typed
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| offered.get(i));
    by_number
        .or_else(|| offered.iter().find(|d| d.eq_ignore_ascii_case(typed)))
        .cloned()
        .ok_or_else(|| {
            let listed: Vec<String> = offered
                .iter()
                .enumerate()
                .map(|(i, d)| format!("{} {d}", i + 1))
                .collect();
            Error::invalid(format!(
                "“{}” is not one of the dispositions: {}.",
                clickdial_core::sanitize::clean_text(typed, 40),
                listed.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disposition_is_picked_by_number_or_by_name() {
        let offered: Vec<String> = DEFAULT_DISPOSITIONS.iter().map(|d| d.to_string()).collect();
        assert_eq!(pick("2", &offered).unwrap(), "Call back");
        assert_eq!(pick("1", &offered).unwrap(), "Interested");
        assert_eq!(pick("5", &offered).unwrap(), "No answer");
        assert_eq!(pick("call BACK", &offered).unwrap(), "Call back");
        for bad in ["0", "6", "-1", "Call", "Maybe"] {
            let e = pick(bad, &offered).unwrap_err();
            assert_eq!(e.code, Code::InvalidInput);
            assert!(
                e.message.contains("1 Interested, 2 Call back"),
                "{}",
                e.message
            );
        }
    }
}
