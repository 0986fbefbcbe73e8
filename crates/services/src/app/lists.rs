//! The agents and caller IDs last listed for an account, kept in a small file every Clickdial
//! process shares for a few minutes, so `clickdial call` and a window opened moments later do
//! not list them again before each dial. A cache only: a missing, old, damaged or other
//! account's file reads as nothing, and any process may replace it. No secret is in it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clickdial_core::api::{Agent, CallerId};
use serde::{Deserialize, Serialize};

/// The file's name in the data folder.
pub const LISTS_FILE: &str = "lists.json";

/// How long listed agents and caller IDs are answered from the file.
pub const FRESH_FOR: Duration = Duration::from_secs(15 * 60);

/// The largest file read (a team of thousands takes well under a megabyte).
const MAX_FILE: u64 = 4 << 20;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    account: String,
    agents: Option<Listed<Agent>>,
    caller_ids: Option<Listed<CallerId>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listed<T> {
    at_ms: i64,
    list: Vec<T>,
}

/// One account's lists in the shared file.
#[derive(Debug, Clone)]
pub struct ListsFile {
    path: PathBuf,
    account: String,
}

impl ListsFile {
    pub fn new(dir: &Path, account: &str) -> ListsFile {
        ListsFile {
            path: dir.join(LISTS_FILE),
            account: account.to_string(),
        }
    }

    fn read(&self) -> Option<Stored> {
        use std::io::Read;
        let mut text = String::new();
        std::fs::File::open(&self.path)
            .ok()?
            .take(MAX_FILE)
            .read_to_string(&mut text)
            .ok()?;
        serde_json::from_str::<Stored>(&text)
            .ok()
            .filter(|s| s.account == self.account)
    }

    /// The agents, when listed for this account less than [`FRESH_FOR`] before `now_ms`.
    pub fn agents(&self, now_ms: i64) -> Option<Vec<Agent>> {
        fresh(self.read()?.agents, now_ms)
    }

    /// The caller IDs, likewise.
    pub fn caller_ids(&self, now_ms: i64) -> Option<Vec<CallerId>> {
        fresh(self.read()?.caller_ids, now_ms)
    }

    /// Each agent's name by ID, as last listed for this account, however long ago: for naming
    /// agents in history, never for choosing whom to ring.
    pub fn agent_names(&self) -> std::collections::HashMap<String, String> {
        self.read()
            .and_then(|s| s.agents)
            .map(|listed| {
                listed
                    .list
                    .into_iter()
                    .map(|a| {
                        let name = clickdial_core::sanitize::clean_text(&a.name, 80);
                        (a.id, name)
                    })
                    .filter(|(_, name)| !name.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The caller IDs as last listed for this account, however long ago: for finding calls
    /// by a caller ID's name, never for choosing one.
    pub fn caller_ids_listed(&self) -> Vec<CallerId> {
        self.read()
            .and_then(|s| s.caller_ids)
            .map(|listed| listed.list)
            .unwrap_or_default()
    }

    pub fn keep_agents(&self, list: &[Agent], now_ms: i64) {
        self.keep(|s| {
            s.agents = Some(Listed {
                at_ms: now_ms,
                list: list.to_vec(),
            })
        });
    }

    pub fn keep_caller_ids(&self, list: &[CallerId], now_ms: i64) {
        self.keep(|s| {
            s.caller_ids = Some(Listed {
                at_ms: now_ms,
                list: list.to_vec(),
            })
        });
    }

    /// Replaces the file whole (a temporary file renamed over it), so a reader never sees half
    /// of one. Failing to keep a cache is not an error anyone needs to hear about.
    fn keep(&self, change: impl FnOnce(&mut Stored)) {
        let mut stored = self.read().unwrap_or_else(|| Stored {
            account: self.account.clone(),
            ..Stored::default()
        });
        change(&mut stored);
        let Ok(text) = serde_json::to_vec(&stored) else {
            return;
        };
        let tmp = self
            .path
            .with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        if std::fs::write(&tmp, text).is_err() || std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

fn fresh<T>(listed: Option<Listed<T>>, now_ms: i64) -> Option<Vec<T>> {
    let listed = listed?;
    let age = now_ms.checked_sub(listed.at_ms)?;
    (0..i64::try_from(FRESH_FOR.as_millis()).unwrap_or(i64::MAX))
        .contains(&age)
        .then_some(listed.list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clickdial_core::api::AgentStatus;

    fn agent(id: &str) -> Agent {
        Agent {
            id: id.into(),
            name: format!("Agent {id}"),
            follow_me_number: None,
            status: AgentStatus::Enabled,
            login: None,
            user_id: None,
            extension: None,
        }
    }

    #[test]
    fn names_outlive_freshness_but_not_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let a = ListsFile::new(dir.path(), "https://api.servetel.in");
        a.keep_agents(&[agent("E1"), agent("E2")], 0);
        assert_eq!(a.agents(i64::MAX / 2), None, "stale for choosing");
        let names = a.agent_names();
        assert_eq!(names.get("E2").map(String::as_str), Some("Agent E2"));
        assert_eq!(names.len(), 2);
        let b = ListsFile::new(dir.path(), "https://api.acefone.in");
        assert!(b.agent_names().is_empty(), "another account's names");
    }

    #[test]
    fn lists_are_shared_for_one_account_while_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let a = ListsFile::new(dir.path(), "https://api.servetel.in");
        assert_eq!(a.agents(1_000), None);
        a.keep_agents(&[agent("1"), agent("2")], 1_000);
        let again = ListsFile::new(dir.path(), "https://api.servetel.in");
        assert_eq!(again.agents(1_000).unwrap().len(), 2);
        assert_eq!(again.caller_ids(1_000), None, "only what was listed");
        let fresh_for = i64::try_from(FRESH_FOR.as_millis()).unwrap();
        assert!(again.agents(1_000 + fresh_for - 1).is_some());
        assert_eq!(again.agents(1_000 + fresh_for), None, "too old");
        assert_eq!(
            again.agents(999),
            None,
            "from the future: a clock moved back"
        );
        let other = ListsFile::new(dir.path(), "https://api.smartflo.tatatelebusiness.com");
        assert_eq!(
            other.agents(1_000),
            None,
            "another account's lists are not ours"
        );
        // Keeping one list keeps the other.
        again.keep_caller_ids(&[], 2_000);
        assert_eq!(again.agents(2_000).unwrap().len(), 2);
        assert_eq!(again.caller_ids(2_000), Some(vec![]));
    }

    #[test]
    fn a_damaged_file_reads_as_nothing_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let lists = ListsFile::new(dir.path(), "x");
        for junk in [
            "",
            "{",
            "null",
            "[1,2]",
            "{\"account\":\"x\",\"agents\":{\"atMs\":\"no\"}}",
        ] {
            std::fs::write(dir.path().join(LISTS_FILE), junk).unwrap();
            assert_eq!(lists.agents(0), None, "{junk}");
        }
        lists.keep_agents(&[agent("7")], 5);
        assert_eq!(lists.agents(5).unwrap()[0].id, "7");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }
}
