//! The tray menu as a pure function of what the app knows: the clipboard, the recent numbers,
//! the agents and caller IDs and the current picks. On Linux a tray icon gets no clicks, only
//! its menu, so everything the tray does is a menu item. The shell renders [`menu`]'s items and
//! turns a clicked item's id back into an [`Action`] with [`action`]; neither holds any rule.

use clickdial_core::api::{Agent, AgentStatus, CallerId};
use clickdial_core::sanitize::clean_text;
use clickdial_core::settings::Settings;
use clickdial_core::{Number, Region};
use serde::{Deserialize, Serialize};

use crate::settings_file::SettingsFile;
use crate::{Code, Error};

/// How many recent numbers the tray offers.
pub const RECENT: usize = 5;

/// Longest label shown for an agent or caller ID in the menu.
const MAX_LABEL: usize = 60;

/// One entry of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Action {
        id: String,
        label: String,
        enabled: bool,
    },
    /// One of a group of which exactly one is checked (agent, caller ID).
    Radio {
        id: String,
        label: String,
        checked: bool,
    },
    Submenu {
        label: String,
        enabled: bool,
        items: Vec<Item>,
    },
    Separator,
}

/// What a clicked menu item asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Dial what the clipboard holds (through the confirm sheet).
    DialClipboard,
    /// Dial a recent number, in E.164 (through the confirm sheet).
    Dial(String),
    Agent(String),
    Caller(String),
    /// End the live call (the one [`TrayState::live_call`] names).
    HangUp,
    Show,
    Quit,
}

/// An agent or caller ID as the menu lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the menu knows of the clipboard. It is read only when it is needed (the menu is about
/// to show, or Dial clipboard was clicked), never polled: a clipboard can hold a password
/// manager's secret or a hundred megabytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Clip {
    /// Not read: the item offers to dial what it will find.
    #[default]
    Unread,
    /// Read: its text, if it holds text.
    Read(Option<String>),
}

/// Everything the menu depends on.
#[derive(Debug, Clone, Default)]
pub struct TrayState {
    pub clipboard: Clip,
    pub region: Region,
    /// Recent numbers in E.164, newest first (repeats allowed; the menu lists each once).
    pub recent: Vec<String>,
    pub agents: Vec<Choice>,
    pub agent: Option<String>,
    pub callers: Vec<Choice>,
    pub caller: Option<String>,
    /// An account or the demo is in use.
    pub configured: bool,
    /// The call being followed while it is live: its number and where it stands
    /// ("+91 98765 43210", "Connected · 1:02"); whether it can be hung up yet.
    pub live_call: Option<LiveCallItem>,
}

/// The live call as the tray shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCallItem {
    pub number: String,
    pub summary: String,
    pub can_hang_up: bool,
}

/// The agent and caller ID in use for dials that do not come from the page (the tray, the
/// hotkey, links).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Picks {
    pub agent: Option<String>,
    pub caller_id: Option<String>,
}

/// The picks in use: the tray's last choice, else the ones remembered for the saved account.
pub fn picks(chosen: Option<&Picks>, settings: &Settings) -> Picks {
    if let Some(p) = chosen {
        return p.clone();
    }
    let agent = settings.default_agent().map(str::to_string);
    Picks {
        caller_id: agent
            .as_deref()
            .and_then(|a| settings.last_caller_for(a))
            .map(str::to_string),
        agent,
    }
}

/// The tray chose an agent or a caller ID: the picks from now on. Unless the agent is chosen for
/// each call, the tray's agent is who this user is, and is remembered as "me".
pub fn choose(
    chosen: Option<&Picks>,
    file: &SettingsFile,
    agent: Option<String>,
    caller_id: Option<String>,
) -> (Picks, Option<String>) {
    let settings = file.read().settings();
    let mut picks = picks(chosen, &settings);
    let mut notice = None;
    if let Some(agent) = agent {
        if !settings.choose_agent_each_call {
            notice = set_me(file, Some(agent.clone())).unwrap_or_else(|e| Some(e.message));
        }
        picks.caller_id = settings
            .last_caller_for(&agent)
            .map(str::to_string)
            .or(picks.caller_id);
        picks.agent = Some(agent);
    }
    if let Some(caller) = caller_id {
        picks.caller_id = Some(caller);
    }
    (picks, notice)
}

/// "This is me": the agent whose phone rings for this user's calls, kept in the settings for
/// the account in use. `None` (or blank) forgets it. The settings file's notice, if it had one.
pub fn set_me(file: &SettingsFile, agent: Option<String>) -> Result<Option<String>, Error> {
    // Anything but blank must be an agent ID (the one rule, in core).
    let agent = agent
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| clickdial_core::types::AgentId::parse(a).map(|id| id.as_str().to_string()))
        .transpose()
        .map_err(Error::invalid)?;
    let updated = file
        .update(|s| s.me = agent.clone())
        .map_err(|e| Error::new(Code::Storage, e))?;
    Ok(updated.notice)
}

/// The agents the menu offers: not the disabled ones, by name.
pub fn agent_choices(agents: Vec<Agent>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = agents
        .into_iter()
        .filter(|a| !matches!(a.status, AgentStatus::Disabled))
        .map(|a| Choice {
            label: if a.name.is_empty() {
                a.id.clone()
            } else {
                a.name
            },
            value: a.id,
        })
        .collect();
    choices.sort_by_key(|a| a.label.to_lowercase());
    choices
}

/// The caller IDs the menu offers, named where they have a name.
pub fn caller_choices(callers: Vec<CallerId>) -> Vec<Choice> {
    callers
        .into_iter()
        .map(|c| Choice {
            label: if c.name.is_empty() { c.did } else { c.name },
            value: c.value,
        })
        .collect()
}

/// The numbers last dialled, newest first, from the call ledger (the menu keeps five of them).
pub fn recent(ledger: &crate::ledger::Ledger) -> Vec<String> {
    ledger
        .recent(20, crate::ledger::wall_clock_ms())
        .map(|rows| rows.into_iter().map(|r| r.e164).collect())
        .unwrap_or_default()
}

const DIAL_CLIPBOARD: &str = "dial-clipboard";
const HANG_UP: &str = "hang-up";
const SHOW: &str = "show";
const QUIT: &str = "quit";
const RECENT_PREFIX: &str = "recent:";
const AGENT_PREFIX: &str = "agent:";
const CALLER_PREFIX: &str = "caller:";

/// The clipboard item's label, and whether it can be used.
pub fn clipboard_item(clipboard: &Clip, region: Region) -> (String, bool) {
    let Clip::Read(clipboard) = clipboard else {
        return ("Dial clipboard".into(), true);
    };
    let text = clipboard.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return ("Dial clipboard (the clipboard has no text)".into(), false);
    }
    match Number::parse(text, region) {
        Ok(n) => (format!("Dial clipboard: {}", n.international()), true),
        Err(_) => ("Dial clipboard (no phone number in it)".into(), false),
    }
}

/// `items` with the clipboard item as `clip` makes it (the keeper, when its menu is about to
/// show).
pub fn with_clipboard(items: &mut [Item], clip: &Clip, region: Region) {
    let (label, usable) = clipboard_item(clip, region);
    for item in items {
        if let Item::Action {
            id,
            label: l,
            enabled,
        } = item
        {
            // Left alone without an account: it says to connect one.
            if id == DIAL_CLIPBOARD && !l.contains("connect an account") {
                *l = label.clone();
                *enabled = usable;
            }
        }
    }
}

/// The menu, top to bottom.
pub fn menu(s: &TrayState) -> Vec<Item> {
    let (label, usable) = clipboard_item(&s.clipboard, s.region);
    let mut items = Vec::new();
    // A live call comes first: ending it is the most urgent thing the tray can do.
    if let Some(call) = &s.live_call {
        items.push(Item::Action {
            id: HANG_UP.into(),
            label: clean_text(&format!("Hang up {} ({})", call.number, call.summary), 80),
            enabled: call.can_hang_up,
        });
        items.push(Item::Separator);
    }
    items.push(Item::Action {
        id: DIAL_CLIPBOARD.into(),
        label: if s.configured {
            label
        } else {
            "Dial clipboard (connect an account first)".into()
        },
        enabled: usable && s.configured,
    });

    let mut seen = Vec::new();
    for e164 in &s.recent {
        if seen.len() == RECENT {
            break;
        }
        if !seen.contains(e164) {
            seen.push(e164.clone());
        }
    }
    let recent: Vec<Item> = seen
        .iter()
        .filter_map(|e164| {
            // Only a number that still parses is offered (a ledger row is local, but old).
            let n = Number::parse(e164, s.region).ok()?;
            Some(Item::Action {
                id: format!("{RECENT_PREFIX}{}", n.e164()),
                label: n.international().to_string(),
                enabled: s.configured,
            })
        })
        .collect();
    items.push(Item::Submenu {
        label: if recent.is_empty() {
            "Recent (none yet)".into()
        } else {
            "Recent".into()
        },
        enabled: !recent.is_empty(),
        items: recent,
    });

    items.push(Item::Separator);
    items.push(radio_group(
        "Agent",
        AGENT_PREFIX,
        &s.agents,
        s.agent.as_deref(),
    ));
    items.push(radio_group(
        "Caller ID",
        CALLER_PREFIX,
        &s.callers,
        s.caller.as_deref(),
    ));
    items.push(Item::Separator);
    items.push(Item::Action {
        id: SHOW.into(),
        label: "Show Clickdial".into(),
        enabled: true,
    });
    items.push(Item::Action {
        id: QUIT.into(),
        label: "Quit".into(),
        enabled: true,
    });
    items
}

fn radio_group(label: &str, prefix: &str, choices: &[Choice], current: Option<&str>) -> Item {
    Item::Submenu {
        label: label.into(),
        enabled: !choices.is_empty(),
        items: choices
            .iter()
            .map(|c| Item::Radio {
                id: format!("{prefix}{}", c.value),
                label: clean_text(&c.label, MAX_LABEL),
                checked: current == Some(c.value.as_str()),
            })
            .collect(),
    }
}

/// The tray icon's tooltip: who rings first and which number the customer sees.
pub fn tooltip(s: &TrayState) -> String {
    let name = |choices: &[Choice], value: Option<&str>| {
        value.map(|v| {
            choices
                .iter()
                .find(|c| c.value == v)
                .map_or_else(|| v.to_string(), |c| c.label.clone())
        })
    };
    if !s.configured {
        return "Clickdial: no account connected".into();
    }
    if let Some(call) = &s.live_call {
        return clean_text(
            &format!("Clickdial: {}, {}", call.number, call.summary),
            120,
        );
    }
    match (
        name(&s.agents, s.agent.as_deref()),
        name(&s.callers, s.caller.as_deref()),
    ) {
        (Some(a), Some(c)) => clean_text(&format!("Clickdial: {a}, via {c}"), 120),
        (Some(a), None) => clean_text(&format!("Clickdial: {a}"), 120),
        _ => "Clickdial: no agent chosen yet".into(),
    }
}

/// The action behind a clicked item's id; `None` for an id the menu never made.
pub fn action(id: &str) -> Option<Action> {
    match id {
        DIAL_CLIPBOARD => Some(Action::DialClipboard),
        HANG_UP => Some(Action::HangUp),
        SHOW => Some(Action::Show),
        QUIT => Some(Action::Quit),
        _ => {
            if let Some(n) = id.strip_prefix(RECENT_PREFIX) {
                Some(Action::Dial(n.to_string()))
            } else if let Some(a) = id.strip_prefix(AGENT_PREFIX) {
                Some(Action::Agent(a.to_string()))
            } else {
                id.strip_prefix(CALLER_PREFIX)
                    .map(|c| Action::Caller(c.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(value: &str, label: &str) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
        }
    }

    fn state() -> TrayState {
        TrayState {
            clipboard: Clip::Read(Some(" +91 98765 43210\n".into())),
            region: Region::INDIA,
            recent: vec![
                "+919876500001".into(),
                "+919876500002".into(),
                "+919876500001".into(),
                "+919876500003".into(),
                "+919876500004".into(),
                "+919876500005".into(),
                "+919876500006".into(),
            ],
            agents: vec![choice("A1", "Asha Rao"), choice("A2", "Vikram Singh")],
            agent: Some("A2".into()),
            callers: vec![choice("918065000101", "Sales line")],
            caller: Some("918065000101".into()),
            configured: true,
            live_call: None,
        }
    }

    #[test]
    fn a_live_call_puts_hang_up_first_and_in_the_tooltip() {
        let mut s = state();
        assert!(!menu(&s)
            .iter()
            .any(|i| matches!(i, Item::Action { id, .. } if id == HANG_UP)));
        s.live_call = Some(LiveCallItem {
            number: "+91 98765 43210".into(),
            summary: "Connected · 0:42".into(),
            can_hang_up: true,
        });
        let items = menu(&s);
        assert_eq!(
            items[0],
            Item::Action {
                id: HANG_UP.into(),
                label: "Hang up +91 98765 43210 (Connected · 0:42)".into(),
                enabled: true,
            }
        );
        assert_eq!(items[1], Item::Separator);
        assert_eq!(action(HANG_UP), Some(Action::HangUp));
        assert_eq!(tooltip(&s), "Clickdial: +91 98765 43210, Connected · 0:42");
        // Not listed by the server yet: shown, but cannot be used.
        s.live_call.as_mut().unwrap().can_hang_up = false;
        assert!(matches!(&menu(&s)[0], Item::Action { enabled: false, .. }));
    }

    fn find<'a>(items: &'a [Item], label: &str) -> &'a Item {
        items
            .iter()
            .find(|i| match i {
                Item::Action { label: l, .. } | Item::Submenu { label: l, .. } => {
                    l.starts_with(label)
                }
                _ => false,
            })
            .unwrap_or_else(|| panic!("no {label} in {items:?}"))
    }

    #[test]
    fn the_clipboard_item_names_the_number_or_says_why_not() {
        let items = menu(&state());
        assert_eq!(
            items[0],
            Item::Action {
                id: "dial-clipboard".into(),
                label: "Dial clipboard: +91 98765 43210".into(),
                enabled: true
            }
        );
        for (clip, why) in [
            (None, "the clipboard has no text"),
            (Some("   "), "the clipboard has no text"),
            (Some("Dear Rahul, thanks"), "no phone number in it"),
            (Some(&*"9".repeat(5000)), "no phone number in it"),
        ] {
            let s = TrayState {
                clipboard: Clip::Read(clip.map(str::to_string)),
                ..state()
            };
            match &menu(&s)[0] {
                Item::Action { label, enabled, .. } => {
                    assert!(label.contains(why), "{label}");
                    assert!(!enabled);
                }
                other => panic!("{other:?}"),
            }
        }
        let s = TrayState {
            configured: false,
            ..state()
        };
        assert!(
            matches!(&menu(&s)[0], Item::Action { enabled: false, label, .. } if label.contains("connect an account"))
        );
        // Not read (never polled): the item offers to dial what it will find; reading it when
        // the menu is about to show fills it in, unless there is no account.
        let unread = TrayState {
            clipboard: Clip::Unread,
            ..state()
        };
        let mut items = menu(&unread);
        assert!(
            matches!(&items[0], Item::Action { enabled: true, label, .. } if label == "Dial clipboard")
        );
        with_clipboard(
            &mut items,
            &Clip::Read(Some("98765 43210".into())),
            Region::INDIA,
        );
        assert!(
            matches!(&items[0], Item::Action { enabled: true, label, .. } if label == "Dial clipboard: +91 98765 43210")
        );
        with_clipboard(&mut items, &Clip::Read(None), Region::INDIA);
        assert!(matches!(&items[0], Item::Action { enabled: false, .. }));
        let mut none = menu(&TrayState {
            configured: false,
            clipboard: Clip::Unread,
            ..state()
        });
        with_clipboard(
            &mut none,
            &Clip::Read(Some("98765 43210".into())),
            Region::INDIA,
        );
        assert!(
            matches!(&none[0], Item::Action { enabled: false, label, .. } if label.contains("connect an account"))
        );
    }

    #[test]
    fn recent_lists_five_distinct_numbers_newest_first() {
        let items = menu(&state());
        let Item::Submenu {
            items: recent,
            enabled,
            ..
        } = find(&items, "Recent")
        else {
            panic!()
        };
        assert!(enabled);
        let labels: Vec<&str> = recent
            .iter()
            .map(|i| match i {
                Item::Action { label, .. } => label.as_str(),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            labels,
            [
                "+91 98765 00001",
                "+91 98765 00002",
                "+91 98765 00003",
                "+91 98765 00004",
                "+91 98765 00005"
            ]
        );
        let Item::Action { id, .. } = &recent[1] else {
            panic!()
        };
        assert_eq!(action(id), Some(Action::Dial("+919876500002".into())));
        let empty = TrayState {
            recent: vec![],
            ..state()
        };
        assert!(
            matches!(find(&menu(&empty), "Recent"), Item::Submenu { enabled: false, label, .. } if label == "Recent (none yet)")
        );
    }

    #[test]
    fn agent_and_caller_are_radio_groups_with_the_current_pick_checked() {
        let items = menu(&state());
        let Item::Submenu { items: agents, .. } = find(&items, "Agent") else {
            panic!()
        };
        assert_eq!(
            agents,
            &vec![
                Item::Radio {
                    id: "agent:A1".into(),
                    label: "Asha Rao".into(),
                    checked: false
                },
                Item::Radio {
                    id: "agent:A2".into(),
                    label: "Vikram Singh".into(),
                    checked: true
                },
            ]
        );
        assert_eq!(action("agent:A1"), Some(Action::Agent("A1".into())));
        assert_eq!(
            action("caller:918065000101"),
            Some(Action::Caller("918065000101".into()))
        );
        assert_eq!(action("show"), Some(Action::Show));
        assert_eq!(action("quit"), Some(Action::Quit));
        assert_eq!(action("dial-clipboard"), Some(Action::DialClipboard));
        assert_eq!(action("nonsense"), None);
        let no_lists = TrayState {
            agents: vec![],
            callers: vec![],
            ..state()
        };
        assert!(matches!(
            find(&menu(&no_lists), "Agent"),
            Item::Submenu { enabled: false, .. }
        ));
    }

    #[test]
    fn the_tooltip_names_agent_and_caller_id() {
        assert_eq!(tooltip(&state()), "Clickdial: Vikram Singh, via Sales line");
        let s = TrayState {
            caller: None,
            ..state()
        };
        assert_eq!(tooltip(&s), "Clickdial: Vikram Singh");
        let s = TrayState {
            agent: None,
            ..state()
        };
        assert_eq!(tooltip(&s), "Clickdial: no agent chosen yet");
        let s = TrayState {
            configured: false,
            ..state()
        };
        assert_eq!(tooltip(&s), "Clickdial: no account connected");
        let s = TrayState {
            agents: vec![choice("A2", "\u{1b}[31mEvil\u{202e}")],
            ..state()
        };
        assert!(!tooltip(&s).contains('\u{1b}'));
    }
}
