//! The organization's policy on the real [`Clickdial`] every front end opens: a policy file
//! injected through the options (never the environment), the simulator on loopback, and
//! what reached it counted: a refusal sends nothing.

use std::sync::Arc;

use clickdial_core::settings::SignIn;
use clickdial_core::Secret;
use clickdial_services::accounts::AccountForm;
use clickdial_services::app::{Clickdial, Options, Overrides, Preferences};
use clickdial_services::dialer::DialInput;
use clickdial_services::ledger::Source;
use clickdial_services::policy::PolicySource;
use clickdial_services::secrets::MemoryStore;
use clickdial_services::Code;
use clickdial_sim::{Account, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";

struct World {
    _dir: tempfile::TempDir,
    sim: Sim,
    app: Clickdial,
}

/// The app under `policy` (TOML), given the simulator by the environment's session unless
/// `overrides` says otherwise.
async fn world(policy: &str, overrides: impl FnOnce(String) -> Overrides) -> World {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, policy).unwrap();
    let app = Clickdial::open(
        Arc::new(MemoryStore::default()),
        dir.path(),
        Options {
            overrides: overrides(sim.url()),
            policy: PolicySource::File(file),
            ..Options::default()
        },
    );
    World {
        _dir: dir,
        sim,
        app,
    }
}

fn env(url: String) -> Overrides {
    Overrides {
        base_url: Some(url),
        token: Some(Secret::new(DEMO_TOKEN)),
    }
}

fn dial(caller_id: Option<&str>) -> DialInput {
    DialInput {
        caller_id: caller_id.map(str::to_string),
        ..DialInput::new("98765 43210", AGENT, Source::Cli)
    }
}

#[tokio::test]
async fn a_locked_server_refuses_the_environment_and_a_sign_in_elsewhere() {
    let w = world("server = \"https://api.servetel.in/v1\"", env).await;
    let e = w.app.session().await.err().expect("refused");
    assert_eq!(e.code, Code::Policy);
    assert!(e.message.contains("CLICKDIAL_BASE_URL"), "{}", e.message);
    assert!(e.message.contains("refused by your organization's policy"));
    let e = w.app.dial(dial(None)).await.unwrap_err();
    assert_eq!(e.code, Code::Policy);
    let e = w
        .app
        .save_account(AccountForm {
            provider: "custom".into(),
            base_url: Some(w.sim.url()),
            sign_in: SignIn::Token,
            token: Some(Secret::new(DEMO_TOKEN)),
            email: None,
            password: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert!(w.sim.requests().is_empty(), "nothing was sent there");
    assert!(w.app.status().await.locked.contains(&"server"));
}

#[tokio::test]
async fn the_locked_server_itself_is_used() {
    // The simulator's own address, locked: the environment's session works.
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(
        &file,
        format!("server = \"{}\"\nsign_in = \"password\"\n", sim.url()),
    )
    .unwrap();
    let app = Clickdial::open(
        Arc::new(MemoryStore::default()),
        dir.path(),
        Options {
            overrides: env(sim.url()),
            policy: PolicySource::File(file),
            ..Options::default()
        },
    );
    app.dial(dial(None)).await.expect("dialled");
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
    // A token sign-in, where the policy wants passwords: refused before anything is sent.
    let before = sim.requests().len();
    let e = app
        .save_account(AccountForm {
            provider: "custom".into(),
            base_url: Some(sim.url()),
            sign_in: SignIn::Token,
            token: Some(Secret::new(DEMO_TOKEN)),
            email: None,
            password: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert_eq!(sim.requests().len(), before);
}

#[tokio::test]
async fn the_environment_token_can_be_refused() {
    let w = world("allow_environment_token = false", env).await;
    let e = w.app.dial(dial(None)).await.unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert!(e.message.contains("CLICKDIAL_TOKEN"), "{}", e.message);
    assert!(w.sim.requests().is_empty());
}

#[tokio::test]
async fn only_allowed_caller_ids_are_offered_and_dialled() {
    let w = world("caller_ids = [\"080650 00101\"]", env).await;
    let offered = w.app.caller_ids(false).await.unwrap();
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert_eq!(offered[0].did, "+918065000101");
    let listed = w.sim.requests().len();
    for refused in [Some("918065000102"), None] {
        let e = w.app.dial(dial(refused)).await.unwrap_err();
        assert_eq!(e.code, Code::Policy, "{refused:?}");
        assert!(e.message.contains("080650 00101"), "{}", e.message);
    }
    assert_eq!(
        w.sim.requests().len(),
        listed,
        "nothing sent for a refused dial"
    );
    w.app
        .dial(dial(Some("918065000101")))
        .await
        .expect("an allowed caller ID dials");
    assert_eq!(w.sim.requests_to("/click_to_call").len(), 1);
    assert!(w.app.status().await.locked.contains(&"callerIds"));
}

#[tokio::test]
async fn locked_preferences_cannot_be_changed() {
    let w = world(
        "links_without_asking = false\nhistory_days = 30\nnotifications = false\nhotkey = false\nstart_at_login = true\n",
        env,
    )
    .await;
    let base = Preferences {
        region: "IN".into(),
        ..Preferences::default()
    };
    for (p, words) in [
        (
            Preferences {
                links_without_asking: Some(true),
                ..base.clone()
            },
            "links",
        ),
        (
            Preferences {
                history_days: Some(365),
                ..base.clone()
            },
            "30 days",
        ),
        (
            Preferences {
                history_days: Some(0),
                ..base.clone()
            },
            "30 days",
        ),
        (
            Preferences {
                notify: Some(true),
                ..base.clone()
            },
            "notifications",
        ),
        (
            Preferences {
                hotkey: Some(Some("ctrl+alt+k".into())),
                ..base.clone()
            },
            "shortcut",
        ),
    ] {
        let e = w.app.save_preferences(p).unwrap_err();
        assert_eq!(e.code, Code::Policy, "{words}");
        assert!(e.message.contains(words), "{}", e.message);
    }
    // The values in force are not a change; a shorter history is allowed.
    w.app
        .save_preferences(Preferences {
            links_without_asking: Some(false),
            history_days: Some(7),
            notify: Some(false),
            hotkey: Some(None),
            ..base.clone()
        })
        .unwrap();
    let status = w.app.status().await;
    assert_eq!(status.history_days, 7);
    assert_eq!(status.history_days_max, Some(30));
    // The most the policy allows is allowed.
    w.app
        .save_preferences(Preferences {
            history_days: Some(30),
            ..base.clone()
        })
        .unwrap();
    assert_eq!(w.app.settings().history_days, 30);
    assert!(w.app.start_at_login_forced());
    assert_eq!(w.app.policy().policy.history_days, Some(30));
    assert_eq!(status.hotkey, "", "the shortcut is off");
    assert_eq!(w.app.hotkey_or("ctrl+alt+d"), None);
    for name in ["linksWithoutAsking", "notify", "hotkey", "startAtLogin"] {
        assert!(status.locked.contains(&name), "{name}: {:?}", status.locked);
    }
    assert_eq!(
        w.app.check_start_at_login(false).unwrap_err().code,
        Code::Policy
    );
    assert!(w.app.check_start_at_login(true).is_ok());
}

#[tokio::test]
async fn history_is_capped_whatever_the_file_says() {
    let w = world("history_days = 30\nlinks_without_asking = false\n", env).await;
    // What the file says (another program wrote it): the policy wins.
    let dir = w._dir.path();
    clickdial_services::settings_file::SettingsFile::new(
        dir.join(clickdial_services::settings_file::SETTINGS_FILE),
    )
    .update(|s| {
        s.history_days = 0;
        s.links_without_asking = true;
    })
    .unwrap();
    let s = w.app.settings();
    assert_eq!(s.history_days, 30);
    assert!(!s.links_without_asking);
    // Longer than the cap: capped; shorter: the agent's.
    for (kept, seen) in [(365, 30), (31, 30), (10, 10)] {
        clickdial_services::settings_file::SettingsFile::new(
            dir.join(clickdial_services::settings_file::SETTINGS_FILE),
        )
        .update(|s| s.history_days = kept)
        .unwrap();
        assert_eq!(w.app.settings().history_days, seen, "{kept} days kept");
    }
    // Nothing forces start at login unless the policy says so.
    assert!(!w.app.start_at_login_forced());
}

#[tokio::test]
async fn a_broken_policy_stops_dialling_and_names_file_and_line() {
    let w = world("demo = false\nserver = \"smartflo\n", env).await;
    let e = w.app.dial(dial(None)).await.unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert!(e.message.contains("policy.toml"), "{}", e.message);
    assert!(e.message.contains("line 2"), "{}", e.message);
    assert!(w.app.start_demo().await.is_err());
    assert!(w.sim.requests().is_empty(), "nothing sent");
    // The window is told at once.
    let notice = w.app.status().await.notice.unwrap_or_default();
    assert!(notice.contains("line 2"), "{notice}");
}

#[tokio::test]
async fn the_demo_can_be_refused() {
    let w = world("demo = false", |_| Overrides::default()).await;
    let e = w.app.start_demo().await.unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert!(!w.app.status().await.demo_allowed);
}

#[tokio::test]
async fn the_policy_shortcuts_are_the_ones_in_force() {
    let w = world(
        "hotkey = \"Ctrl+Shift+D\"\nhangup_hotkey = \"ctrl+alt+h\"\n",
        env,
    )
    .await;
    assert_eq!(
        w.app.hotkey_or("ctrl+alt+d").as_deref(),
        Some("ctrl+shift+d")
    );
    let s = w.app.settings();
    assert_eq!(s.hang_up_hotkey.as_deref(), Some("ctrl+alt+h"));
    let status = w.app.status().await;
    assert_eq!(status.hotkey, "ctrl+shift+d");
    assert!(status.locked.contains(&"hangUpHotkey"));
    let base = Preferences {
        region: "IN".into(),
        ..Preferences::default()
    };
    let e = w
        .app
        .save_preferences(Preferences {
            hang_up_hotkey: Some(None),
            ..base.clone()
        })
        .unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert!(e.message.contains("Hang-up shortcut"), "{}", e.message);
    // The same keys, written another way, are no change.
    w.app
        .save_preferences(Preferences {
            hotkey: Some(Some("ctrl+shift+d".into())),
            hang_up_hotkey: Some(Some("Ctrl+Alt+H".into())),
            ..base
        })
        .unwrap();
}

#[tokio::test]
async fn an_account_saved_before_the_policy_is_not_used_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let open = |policy: PolicySource| {
        Clickdial::open(
            secrets.clone(),
            dir.path(),
            Options {
                policy,
                ..Options::default()
            },
        )
    };
    // Signed in with a token while the desk was unmanaged.
    let unmanaged = open(PolicySource::File(dir.path().join("none.toml")));
    unmanaged
        .save_account(AccountForm {
            provider: "custom".into(),
            base_url: Some(sim.url()),
            sign_in: SignIn::Token,
            token: Some(Secret::new(DEMO_TOKEN)),
            email: None,
            password: None,
        })
        .await
        .unwrap();
    unmanaged.session().await.expect("the saved account");
    let before = sim.requests().len();
    // Then the admin locks another server, or another way to sign in.
    for text in [
        "server = \"https://api.servetel.in/v1\"".to_string(),
        "sign_in = \"password\"".to_string(),
    ] {
        let file = dir.path().join("policy.toml");
        std::fs::write(&file, &text).unwrap();
        let managed = open(PolicySource::File(file));
        let e = managed.session().await.err().expect("refused");
        assert_eq!(e.code, Code::Policy, "{text}");
        let e = managed.dial(dial(None)).await.unwrap_err();
        assert_eq!(e.code, Code::Policy, "{text}");
        assert!(!managed.status().await.configured, "{text}");
    }
    assert_eq!(
        sim.requests().len(),
        before,
        "nothing sent under the policy"
    );
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Issue 27: the dispositions are the policy's, else the agent's setting, else the defaults;
/// the setting is cleaned like the policy's (1 to 9 one-line names), and empty means the
/// defaults. A wrap-up saved under a name no longer offered keeps it, even when edited.
#[tokio::test]
async fn dispositions_come_from_the_policy_else_the_setting_else_the_defaults() {
    use clickdial_services::app::{WrapUp, DEFAULT_DISPOSITIONS};
    let w = world("", env).await;
    assert_eq!(w.app.dispositions(), DEFAULT_DISPOSITIONS);
    w.app
        .set_dispositions(&names(&["  Sale ", "", "Follow\tup", "Not now"]))
        .unwrap();
    assert_eq!(w.app.dispositions(), ["Sale", "Follow up", "Not now"]);
    let status = w.app.status().await;
    assert_eq!(status.dispositions, ["Sale", "Follow up", "Not now"]);
    assert_eq!(status.disposition_setting, ["Sale", "Follow up", "Not now"]);
    assert!(!status.locked.contains(&"dispositions"));
    let long = "x".repeat(60);
    w.app.set_dispositions(&names(&[&long])).unwrap();
    assert_eq!(w.app.dispositions()[0].chars().count(), 41, "cut, with …");
    let ten: Vec<String> = (1..=10).map(|n| format!("D{n}")).collect();
    let e = w.app.set_dispositions(&ten).unwrap_err();
    assert_eq!(e.code, Code::InvalidInput);
    assert!(e.message.contains('9'), "{}", e.message);

    // A call wrapped up as "Sale"; then the list changes: the call keeps "Sale", and an edit
    // of its note alone keeps it too; the note edited to nothing is cleared.
    w.app.set_dispositions(&names(&["Sale", "Lost"])).unwrap();
    w.app.dial(dial(None)).await.expect("dialled");
    let row = w
        .app
        .wrap_up(&WrapUp {
            disposition: Some("1".into()),
            note: Some("Ravi, Thursday".into()),
            ..WrapUp::default()
        })
        .unwrap();
    assert_eq!(row.disposition.as_deref(), Some("Sale"));
    w.app.set_dispositions(&[]).unwrap();
    assert_eq!(
        w.app.dispositions(),
        DEFAULT_DISPOSITIONS,
        "empty: the defaults"
    );
    let edited = w
        .app
        .wrap_up(&WrapUp {
            id: Some(row.id),
            note: Some("Ravi, Friday".into()),
            replace: true,
            ..WrapUp::default()
        })
        .unwrap();
    assert_eq!(edited.disposition.as_deref(), Some("Sale"), "kept");
    assert_eq!(edited.note.as_deref(), Some("Ravi, Friday"), "replaced");
    let edited = w
        .app
        .wrap_up(&WrapUp {
            id: Some(row.id),
            disposition: Some("2".into()),
            note: Some(" ".into()),
            replace: true,
            ..WrapUp::default()
        })
        .unwrap();
    assert_eq!(edited.disposition.as_deref(), Some("Call back"));
    assert_eq!(edited.note, None, "the note edited away");

    // The organization's list wins, and the setting cannot be changed.
    let w = world("dispositions = [\"Won\", \"Lost\"]\n", env).await;
    let e = w.app.set_dispositions(&names(&["Mine"])).unwrap_err();
    assert_eq!(e.code, Code::Policy);
    assert_eq!(w.app.dispositions(), ["Won", "Lost"]);
    let status = w.app.status().await;
    assert!(
        status.locked.contains(&"dispositions"),
        "{:?}",
        status.locked
    );
    assert_eq!(status.dispositions, ["Won", "Lost"]);
}
