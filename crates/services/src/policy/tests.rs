use super::parse::{interpret, Raw};
use super::*;

const FROM: &str = "/etc/clickdial/policy.toml";

fn parse(text: &str) -> PolicyState {
    parse_toml(text, FROM)
}

#[test]
fn every_key_is_read() {
    let s = parse(
        r#"
server = "smartflo"
sign_in = "token"
allow_environment_token = false
caller_ids = ["+91 80650 00101", "080650 00102", 918065000103]
links_without_asking = false
history_days = 90
notifications = true
hotkey = "Ctrl+Alt+D"
hangup_hotkey = false
start_at_login = true
demo = false
dispositions = ["Interested", "Call back"]
after_call = "https://crm.example.com/hook"
"#,
    );
    assert_eq!(s.broken, None);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.from.as_deref(), Some(FROM));
    let p = s.policy;
    let server = p.server.as_ref().unwrap();
    assert_eq!(server.provider.as_deref(), Some("smartflo"));
    assert!(server.base_url.as_str().starts_with("https://"));
    assert_eq!(p.sign_in, Some(SignInRule::Token));
    assert_eq!(p.allow_environment_token, Some(false));
    assert_eq!(p.caller_ids.as_ref().unwrap().len(), 3);
    assert_eq!(p.links_without_asking, Some(false));
    assert_eq!(p.history_days, Some(90));
    assert_eq!(p.notifications, Some(true));
    assert_eq!(
        p.hotkey,
        Some(Shortcut::Keys("ctrl+alt+d".into())),
        "as the settings keep it"
    );
    assert_eq!(p.hangup_hotkey, Some(Shortcut::Off));
    assert_eq!(p.start_at_login, Some(true));
    assert_eq!(p.demo, Some(false));
    assert_eq!(p.dispositions.as_ref().unwrap().len(), 2);
    assert_eq!(
        p.after_call,
        Some(AfterCall::Post("https://crm.example.com/hook".into()))
    );
    assert_eq!(
        p.locked_settings(),
        [
            "server",
            "signIn",
            "callerIds",
            "linksWithoutAsking",
            "notify",
            "hotkey",
            "hangUpHotkey",
            "startAtLogin",
            "demo",
            "dispositions",
            "afterCall"
        ]
    );
}

#[test]
fn caller_ids_match_in_any_written_form() {
    let p = parse(r#"caller_ids = ["+91 80650 00101", "080-6500-0102", "0123"]"#).policy;
    for ok in [
        "918065000101",
        "+91 80650 00101",
        "08065000101",
        "8065000102",
        "+91 (80) 6500-0102",
        "123",
    ] {
        assert!(p.allows_caller_id(ok), "{ok}");
    }
    for no in ["918065000109", "8065000100", "124", ""] {
        assert!(!p.allows_caller_id(no), "{no}");
    }
    // No list: any caller ID.
    assert!(Policy::default().allows_caller_id("918065000109"));
}

#[test]
fn a_server_is_a_preset_or_an_https_address() {
    let p = parse(r#"server = "https://api.example.com/v1/""#).policy;
    let s = p.server.unwrap();
    assert_eq!(s.provider, None);
    assert!(s.allows(&BaseUrl::parse("https://api.example.com/v1").unwrap()));
    assert!(!s.allows(&BaseUrl::parse("https://api.elsewhere.com/v1").unwrap()));
    assert!(!s.allows(&BaseUrl::parse("http://127.0.0.1:9/v1").unwrap()));
    // Plain http only for loopback.
    let loopback = parse(r#"server = "http://127.0.0.1:8080/v1""#);
    assert_eq!(loopback.broken, None);
    let plain = parse("\n\nserver = \"http://api.example.com/v1\"");
    let e = plain.broken.expect("refused");
    assert_eq!(e.code, Code::Policy);
    assert!(
        e.message.contains(&format!("{FROM}, line 3")),
        "{}",
        e.message
    );
    assert!(e.message.contains("https://"), "{}", e.message);
}

#[test]
fn a_malformed_file_is_broken_and_names_file_and_line() {
    let s = parse("demo = false\nhistory_days = 30\nserver = \"smartflo\n");
    let e = s.broken.clone().expect("a broken policy");
    assert_eq!(e.code, Code::Policy);
    assert!(e.message.contains(FROM), "{}", e.message);
    assert!(e.message.contains("line 3"), "{}", e.message);
    assert!(e.message.contains("refused by your organization's policy"));
    // Nothing of what was read is used.
    assert_eq!(s.policy, Policy::default());
    assert!(s.check().is_err());
}

#[test]
fn a_wrong_value_is_broken_and_names_its_line() {
    for (text, line, words) in [
        ("demo = \"no\"", 1, "demo must be true or false"),
        (
            "\nhistory_days = 0",
            2,
            "history_days must be a number of days",
        ),
        ("\n\nhistory_days = 4000", 3, "4000"),
        ("sign_in = \"sso\"", 1, "sign_in must be"),
        ("hotkey = true", 1, "hotkey must be a shortcut"),
        ("hotkey = \"ctrl+a+b\"", 1, "is not a shortcut"),
        ("caller_ids = [\"Sales-01\"]", 1, "not a caller ID"),
        ("dispositions = []", 1, "1 to 9"),
        (
            "dispositions = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]",
            1,
            "1 to 9",
        ),
        ("after_call = \"http://crm.example.com/x\"", 1, "https://"),
        (
            "after_call = \"http://crm.example.com/?p={e164}\"",
            1,
            "https://",
        ),
        (
            "after_call = \"https://crm.example.com/?p={phone}\"",
            1,
            "{phone}, which Clickdial does not know",
        ),
        ("server = \"nowhere\"", 1, "server must be"),
        ("server = \"  \"", 1, "server is empty"),
        ("demo = 2", 1, "demo must be true or false, not a number"),
        (
            "sign_in = true",
            1,
            "sign_in must be text, not true or false",
        ),
        ("caller_ids = [[1]]", 1, "caller_ids holds a list"),
        ("hotkey = [\"ctrl+alt+d\"]", 1, "not a list"),
        ("demo = \"yes\"", 1, "demo must be true or false, not text"),
    ] {
        let e = parse(text)
            .broken
            .unwrap_or_else(|| panic!("{text} refused"));
        assert!(
            e.message.contains(&format!("line {line}")),
            "{text}: {}",
            e.message
        );
        assert!(e.message.contains(words), "{text}: {}", e.message);
    }
}

#[test]
fn an_unknown_key_is_a_warning() {
    let s = parse("demo = true\nfavourite_colour = \"blue\"\n");
    assert_eq!(s.broken, None);
    assert_eq!(s.policy.demo, Some(true));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("favourite_colour"));
    assert!(s.warnings[0].contains("line 2"));
}

#[test]
fn a_link_template_is_opened_not_posted() {
    let p = parse(r#"after_call = "https://crm.example.com/log?phone={e164}&ref={ref_id}""#).policy;
    assert!(matches!(p.after_call, Some(AfterCall::Open(_))));
}

#[test]
fn files_missing_unreadable_or_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let missing = load(&PolicySource::File(dir.path().join("none.toml")));
    assert!(!missing.managed());
    assert_eq!(missing.broken, None);
    // A folder where the file should be: fail closed.
    let folder = load(&PolicySource::File(dir.path().to_path_buf()));
    assert_eq!(folder.broken.unwrap().code, Code::Policy);
    let binary = dir.path().join("bin.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let e = load(&PolicySource::File(binary.clone())).broken.unwrap();
    assert!(e.message.contains(&binary.display().to_string()));
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "history_days = 30\n").unwrap();
    let s = load(&PolicySource::File(good));
    assert!(s.managed());
    assert_eq!(s.policy.history_days, Some(30));
}

#[test]
fn registry_values_read_like_the_file() {
    let s = interpret(
        [
            ("demo".to_string(), Raw::Int(0), None),
            (
                "caller_ids".to_string(),
                Raw::List(vec![Raw::Str("+91 80650 00101".into())]),
                None,
            ),
            ("hotkey".to_string(), Raw::Int(0), None),
            ("history_days".to_string(), Raw::Int(30), None),
        ],
        r"HKEY_LOCAL_MACHINE\Software\Policies\Clickdial",
    );
    assert_eq!(s.broken, None);
    assert_eq!(s.policy.demo, Some(false));
    assert_eq!(s.policy.hotkey, Some(Shortcut::Off));
    assert!(s.policy.allows_caller_id("918065000101"));
    let bad = interpret(
        [("demo".to_string(), Raw::Int(7), None)],
        r"HKEY_LOCAL_MACHINE\Software\Policies\Clickdial",
    );
    assert!(bad.broken.unwrap().message.contains("value demo"));
}

/// The example shipped in the package (docs/ADMIN.md's keys): nothing active as shipped, and
/// every key valid once uncommented.
#[test]
fn the_shipped_example_is_inactive_and_valid_uncommented() {
    let example = include_str!("../../../../packaging/linux/policy.example.toml");
    let shipped = parse(example);
    assert_eq!(shipped.broken, None);
    assert_eq!(shipped.policy, Policy::default(), "nothing active");
    let active: String = example
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) => rest,
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let all = parse(&active);
    assert_eq!(all.broken, None);
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let keys: Vec<&str> = active
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
        .collect();
    assert_eq!(keys, KEYS, "every key, in the documented order");
}

/// The registry's lists as an MSI writes them: `[~]` kept inside one string of the list.
#[test]
fn msi_list_items_split_at_the_msi_separator() {
    use super::parse::list_items;
    assert_eq!(
        list_items(vec![
            "080650 00101[~]080650 00102".into(),
            " ".into(),
            "x".into()
        ]),
        ["080650 00101", "080650 00102", "x"]
    );
    assert!(list_items(vec!["[~]".into()]).is_empty());
}

#[test]
fn nine_dispositions_are_the_most_and_blank_names_go() {
    let nine = parse(r#"dispositions = ["1","2","3","4","5","6","7","8","9"]"#).policy;
    assert_eq!(nine.dispositions.map(|d| d.len()), Some(9));
    assert_eq!(
        super::clean_dispositions(&["  Interested ", "", "Call\nback"]),
        Some(vec!["Interested".to_string(), "Call back".to_string()])
    );
    assert_eq!(super::clean_dispositions(&["", " "]), None);
}
