//! Recent calls as the window shows them: searched by number, agent or caller ID (by name
//! too) or wrap-up (disposition or note), each with the stage this process last saw while it follows the call, a stamp that
//! changes whenever any process changes the ledger (for live updates), the CSV written where
//! the agent chose, and whether the list was left open. The retention rule is applied first,
//! as for every front end ([`Clickdial::history`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use clickdial_core::follow::Stage;
use serde::Serialize;

use super::{lists::ListsFile, lock, Clickdial};
use crate::ledger::{CallRow, HistoryQuery};
use crate::{Code, Error};

/// One call as the window's Recent calls show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub row: CallRow,
    /// `+91 98765 43210`.
    pub international: String,
    /// Where the call stands now, while this process follows it and its outcome is not known
    /// yet (`connected`): a live call's row never says "Queued".
    pub stage: Option<Stage>,
}

/// A CSV file written where the agent chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// The file, as written (`.csv` added when the name had no such ending).
    pub path: String,
    /// Its name alone, for a short message.
    pub name: String,
    pub calls: usize,
}

/// The most calls one CSV holds.
const EXPORT_LIMIT: usize = 10_000_000;

/// Folds text for matching names: lower case, one space between words.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `query` narrowed by what the agent typed in the search field: a number's digits (which
/// also find the caller IDs that contain them), or, when the text has letters, the agents and
/// caller IDs whose names contain it and the calls whose wrap-up (disposition or note)
/// contains it.
pub fn search(
    text: &str,
    query: HistoryQuery,
    agents: &HashMap<String, String>,
    caller_ids: &HashMap<String, String>,
) -> HistoryQuery {
    let text = text.trim();
    if text.is_empty() {
        return query;
    }
    if !text.chars().any(char::is_alphabetic) {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return query;
        }
        let callers = sorted(
            caller_ids
                .keys()
                .filter(|did| did.contains(&digits))
                .collect(),
        );
        let agents = sorted(agents.keys().filter(|id| **id == digits).collect());
        return HistoryQuery {
            digits: Some(digits),
            agents,
            caller_ids: callers,
            ..query
        };
    }
    let needle = fold(text);
    let agents = named(agents, &needle);
    let callers = named(caller_ids, &needle);
    HistoryQuery {
        digits: None,
        agents,
        caller_ids: callers,
        // Folded as the ledger folds notes (ASCII letters only, as SQLite's `lower`), so a
        // word with an accented capital is found as written.
        wrap_up_text: Some(
            text.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase(),
        ),
        ..query
    }
}

fn sorted(found: Vec<&String>) -> Vec<String> {
    let mut found: Vec<String> = found.into_iter().cloned().collect();
    found.sort();
    found
}

/// The IDs whose name contains `needle` (folded), or that are it.
fn named(names: &HashMap<String, String>, needle: &str) -> Vec<String> {
    sorted(
        names
            .iter()
            .filter(|(id, name)| fold(name).contains(needle) || fold(id) == needle)
            .map(|(id, _)| id)
            .collect(),
    )
}

impl Clickdial {
    /// The lists file of the account in use (the environment's, else the saved one).
    pub(super) fn lists_file(&self) -> Option<ListsFile> {
        use crate::accounts::AccountKey;
        let given = match (&self.overrides.base_url, &self.overrides.token) {
            (Some(url), Some(_)) => clickdial_core::types::BaseUrl::parse(url)
                .ok()
                .map(|url| AccountKey::new(&url, clickdial_core::settings::SignIn::Token, None)),
            _ => None,
        };
        given
            .or_else(|| AccountKey::of(&self.settings()))
            .map(|key| ListsFile::new(&self.data_dir, key.as_str()))
    }

    /// The caller IDs' names by the value dialled (`918065000101` → "Sales line"), as last
    /// listed for the account in use (no request): for finding calls by caller ID name.
    pub fn caller_id_names(&self) -> HashMap<String, String> {
        let demo = lock(&self.demo).clone();
        let listed = match demo {
            Some(d) => d.known_caller_ids(),
            None => self.lists_file().map(|f| f.caller_ids_listed()),
        };
        listed
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.value, clickdial_core::sanitize::clean_text(&c.name, 80)))
            .filter(|(_, name)| !name.is_empty())
            .collect()
    }

    /// `query` for the session in use ([`Clickdial::scoped`]) with the search field's `text`
    /// applied ([`search`]).
    fn searched(&self, text: &str, query: HistoryQuery) -> HistoryQuery {
        // The session's calls only: the demo's never mix into a real account's (item 4).
        let query = self.scoped(query);
        if text.trim().is_empty() {
            return query;
        }
        search(text, query, &self.agent_names(), &self.caller_id_names())
    }

    /// History as `query` asks, narrowed by the search `text` like the window's (the CLI's
    /// `history --find`), within the retention rule ([`Clickdial::history`]).
    pub fn find_history(&self, text: &str, query: HistoryQuery) -> Result<Vec<CallRow>, Error> {
        self.history(&self.searched(text, query))
    }

    /// Recent calls for the window: `query` narrowed by `text` (a number, an agent's or a
    /// caller ID's name), newest first, each with the stage this process last saw.
    pub async fn recent_calls(
        &self,
        text: &str,
        query: HistoryQuery,
    ) -> Result<Vec<HistoryEntry>, Error> {
        let ledger = self.dialer()?.ledger().clone();
        self.apply_retention();
        let query = self.searched(text, query);
        let now = self.now_ms();
        let rows = tokio::task::spawn_blocking(move || ledger.history(&query, now))
            .await
            .map_err(|_| Error::internal("Reading the call history did not finish."))??;
        self.adopt(&rows).await;
        let stages: HashMap<i64, Stage> = self
            .follower()
            .map(|f| {
                f.calls()
                    .into_iter()
                    .map(|c| (c.id, c.view.stage))
                    .collect()
            })
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|row| HistoryEntry {
                international: crate::ledger::display_number(&row.e164),
                stage: row
                    .outcome
                    .is_none()
                    .then(|| stages.get(&row.id).copied())
                    .flatten(),
                row,
            })
            .collect())
    }

    /// Calls among `rows` another process placed on the account in use and still going on:
    /// this process's follower takes them on (the window; nothing without a follower).
    async fn adopt(&self, rows: &[CallRow]) {
        let Some(follower) = self.follower() else {
            return;
        };
        if !rows.iter().any(|r| r.outcome.is_none()) {
            return;
        }
        let Ok(session) = self.session().await else {
            return;
        };
        let agents = session.known_agents().unwrap_or_default();
        let client: crate::follow::ClientRef = session;
        follower.adopt(rows, &client, &agents);
    }

    /// A stamp that changes when any process changes the ledger, or a call this process
    /// follows changes stage: the window asks for it every few seconds while Recent calls are
    /// open and reads the list again only when it changed.
    pub fn history_stamp(&self) -> Result<String, Error> {
        let (version, changes) = self.dialer()?.ledger().change_stamp()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        if let Some(f) = self.follower() {
            for c in f.calls() {
                (c.id, c.view.stage, c.view.outcome.map(|o| o.as_str())).hash(&mut hasher);
            }
        }
        Ok(format!("{version}.{changes}.{:x}", hasher.finish()))
    }

    /// Writes the calls the search `text` finds (every call without one) as CSV to `path`,
    /// the file the agent chose in a Save dialog (so an existing file is replaced: the dialog
    /// asked). A name not ending in `.csv` gets it, so nothing but a CSV file is ever written.
    pub async fn export_history(&self, text: &str, path: &Path) -> Result<Exported, Error> {
        let path = csv_path(path)?;
        let ledger = self.dialer()?.ledger().clone();
        self.apply_retention();
        let all = HistoryQuery {
            limit: EXPORT_LIMIT,
            ..HistoryQuery::default()
        };
        let query = self.searched(text, all);
        let names = self.agent_names();
        let now = self.now_ms();
        let written = path.clone();
        let calls = tokio::task::spawn_blocking(move || -> Result<usize, Error> {
            let rows = ledger.history(&query, now)?;
            write_csv(&written, &crate::ledger::csv(&rows, &names))?;
            Ok(rows.len())
        })
        .await
        .map_err(|_| Error::internal("Saving the call history did not finish."))??;
        Ok(Exported {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.display().to_string(),
            calls,
        })
    }

    /// Remembers whether Recent calls are open, for the next start.
    pub fn set_history_open(&self, open: bool) -> Result<(), Error> {
        self.settings_file()
            .update(|s| s.history_open = open)
            .map(|_| ())
            .map_err(|e| Error::new(Code::Storage, e))
    }
}

/// The chosen file as written: absolute, with a name, ending in `.csv`.
fn csv_path(path: &Path) -> Result<PathBuf, Error> {
    let Some(name) = path.file_name().filter(|_| path.is_absolute()) else {
        return Err(Error::invalid(
            "Choose a file to save the calls in, then try again.",
        ));
    };
    let is_csv = Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    Ok(if is_csv {
        path.to_path_buf()
    } else {
        let mut named = name.to_os_string();
        named.push(".csv");
        path.with_file_name(named)
    })
}

/// Writes `text` (and a final newline) to `path`, readable by its owner only when new.
fn write_csv(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let shown = path.display();
    options
        .open(path)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")
        })
        .map_err(|e| {
            Error::new(
                Code::Storage,
                format!("Clickdial could not save the calls in {shown}: {e}."),
            )
        })
}

#[cfg(test)]
mod tests;
