//! Unit tests of `settings`.

use super::*;
use serde_json::json;

#[test]
fn base_urls() {
    assert_eq!(
        validate_base_url(" https://api.servetel.in/v1/ "),
        Ok("https://api.servetel.in/v1".into())
    );
    assert!(validate_base_url("http://127.0.0.1:4010/v1").is_ok());
    assert!(validate_base_url("http://localhost:4010/v1").is_ok());
    assert!(validate_base_url("http://api.servetel.in/v1").is_err());
    assert!(validate_base_url("http://127.0.0.1.evil.test/v1").is_err());
    // User info must not pass for a loopback host.
    assert!(validate_base_url("http://127.0.0.1:1@evil.example/v1").is_err());
    assert!(validate_base_url("https://user:pw@api.servetel.in/v1").is_err());
    assert!(validate_base_url("http://[::1]:8089/v1").is_ok());
    assert!(validate_base_url("https://api.servetel.in/v1?x=1").is_err());
    assert!(validate_base_url("https://").is_err());
    assert!(validate_base_url("api.servetel.in").is_err());
    for p in PROVIDERS {
        assert_eq!(validate_base_url(p.base_url).as_deref(), Ok(p.base_url));
    }
}

#[test]
fn http_is_only_for_this_machine() {
    // The same host: https accepted, http refused.
    for host in [
        "api.servetel.in",
        "example.com",
        "10.0.0.1",
        "[2001:db8::1]",
    ] {
        assert!(
            validate_base_url(&format!("https://{host}/v1")).is_ok(),
            "{host}"
        );
        assert!(
            validate_base_url(&format!("http://{host}/v1")).is_err(),
            "{host}"
        );
    }
    // Scheme case does not matter to a URL parser.
    assert_eq!(
        validate_base_url("HTTPS://api.servetel.in/v1"),
        Ok("HTTPS://api.servetel.in/v1".into())
    );
    assert!(validate_base_url("HTTP://api.servetel.in/v1").is_err());
    assert!(validate_base_url("HTTP://127.0.0.1:4010/v1").is_ok());
    // Names and schemes that only look local.
    for bad in [
        "http://localhost.evil.test/v1",
        "http://evil-localhost/v1",
        "http://127.0.0.1.evil.test/v1",
        "ftp://127.0.0.1/v1",
        "ftp://localhost/v1",
        "ws://127.0.0.1/v1",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ] {
        assert!(validate_base_url(bad).is_err(), "{bad}");
    }
    let err = validate_base_url("http://api.servetel.in/v1").unwrap_err();
    assert!(err.contains("must start with https://"), "{err}");
    let err = validate_base_url("ftp://127.0.0.1/v1").unwrap_err();
    assert!(err.contains("must start with https://"), "{err}");
}

#[test]
fn user_info_query_and_fragment_are_refused_one_by_one() {
    for bad in [
        "https://user@api.servetel.in/v1",
        "https://:pw@api.servetel.in/v1",
        "http://user@127.0.0.1:4010/v1",
        "https://api.servetel.in/v1?token=x",
        "https://api.servetel.in/v1#x",
    ] {
        let err = validate_base_url(bad).unwrap_err();
        assert!(
            err.contains("is not a valid server address"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn call_timeout_bounds() {
    assert_eq!(MAX_CALL_TIMEOUT, 4 * 60 * 60);
    let with = |t| Settings {
        call_timeout: Some(t),
        ..Settings::default()
    };
    for ok in [60, 600, 4 * 3600] {
        assert_eq!(with(ok).validate(), Ok(()), "{ok}");
    }
    for bad in [0, 59, 4 * 3600 + 1] {
        let err = with(bad).validate().unwrap_err();
        assert!(err.contains("between 1 minute and 4 hours"), "{bad}: {err}");
    }
}

#[test]
fn tray_grace_defaults_to_a_minute_and_is_capped_at_an_hour() {
    // A file from before the setting: a minute.
    let old = Settings::from_stored(json!({"version": 2, "region": "IN"})).unwrap();
    assert_eq!(old.tray_grace_secs, DEFAULT_TRAY_GRACE_SECS);
    assert_eq!(old.tray_grace(), std::time::Duration::from_secs(60));
    let read = |secs: u64| {
        Settings::from_stored(json!({"version": 2, "trayGraceSecs": secs}))
            .map(|s| (s.tray_grace_secs, s.tray_grace().as_secs()))
    };
    assert_eq!(read(0), Some((0, 0)), "at once");
    assert_eq!(read(600), Some((600, 600)));
    assert_eq!(read(3600), Some((3600, 3600)));
    // Past the limit, edited by hand: the limit, and the rest of the file is kept.
    assert_eq!(read(3601), Some((3600, 3600)));
    assert_eq!(read(u64::from(u32::MAX)), Some((3600, 3600)));
    // Not a number of seconds at all: not ours, as for any other field.
    assert_eq!(read(u64::from(u32::MAX) + 1), None);
    assert!(Settings::from_stored(json!({"trayGraceSecs": -1})).is_none());
    assert!(Settings::from_stored(json!({"trayGraceSecs": "60"})).is_none());
    // A program cannot save more than the limit.
    let mut s = Settings {
        tray_grace_secs: MAX_TRAY_GRACE_SECS,
        ..Settings::default()
    };
    assert_eq!(s.validate(), Ok(()));
    s.tray_grace_secs += 1;
    assert!(s.validate().unwrap_err().contains("3600 seconds"));
    assert_eq!(s.tray_grace().as_secs(), 3600);
    // Written under its camelCase name.
    let stored = serde_json::to_value(Settings::default()).unwrap();
    assert_eq!(stored["trayGraceSecs"], 60);
}

#[test]
fn region_is_read_from_the_settings() {
    let s = Settings {
        region: "US".into(),
        ..Settings::default()
    };
    assert_eq!(s.region().code(), "US");
    assert_eq!(Settings::default().region().code(), "IN");
}

#[test]
fn only_version_1_is_migrated() {
    // A version-2 value never carries `lastCallerId`; if one does, it is not migrated.
    let v2 = json!({"version": 2, "lastAgent": "A1", "lastCallerId": "918065000101"});
    let s = Settings::from_stored(v2).unwrap();
    assert_eq!(s.last_caller_for("A1"), None);
    let v0 = json!({"version": 0, "lastAgent": "A1", "lastCallerId": "918065000101"});
    let s = Settings::from_stored(v0).unwrap();
    assert_eq!(s.last_caller_for("A1"), Some("918065000101"));
}

#[test]
fn presets() {
    let ids: Vec<_> = PROVIDERS.iter().map(|p| p.id).collect();
    assert_eq!(ids, ["servetel", "smartflo", "acefone", "acefone-uk"]);
    let uk = provider("acefone-uk").unwrap();
    assert_eq!(uk.name, "Acefone UK");
    assert_eq!(uk.base_url, "https://api.acefone.co.uk/v1");
    assert_eq!(
        follow_base_for("https://api.acefone.co.uk/v1/"),
        Some("https://api-account-uk.acefone.com/v1")
    );
    for other in [
        "https://api.servetel.in/v1",
        "https://api.acefone.in/v1",
        "http://x/v1",
    ] {
        assert_eq!(follow_base_for(other), None, "{other}");
    }
    assert_eq!(provider("acefone").unwrap().name, "Acefone India");
    assert_eq!(provider("custom"), None);
    assert_eq!(provider(""), None);
}

#[test]
fn unknown_newer_or_invalid_settings_are_not_ours() {
    assert!(Settings::from_stored(json!({"version": 99})).is_none());
    assert!(Settings::from_stored(json!("garbage")).is_none());
    assert!(Settings::from_stored(json!({"region": "Narnia"})).is_none());
    assert!(Settings::from_stored(json!({"callTimeout": 1})).is_none());
    assert!(Settings::from_stored(json!({"baseUrl": "http://evil.test/v1"})).is_none());
    let s = Settings::from_stored(json!({"baseUrl": "https://x.test/v1"})).unwrap();
    assert_eq!(s.base_url.as_deref(), Some("https://x.test/v1"));
    assert_eq!(s.region().code(), "IN");
    assert!(
        !s.links_without_asking,
        "links ask first unless the agent chose otherwise"
    );
}

#[test]
fn version_1_is_migrated() {
    let v1 = json!({"version": 1, "baseUrl": "https://api.servetel.in/v1",
                    "lastAgent": "A1", "lastCallerId": "918065000101"});
    let s = Settings::from_stored(v1).unwrap();
    assert_eq!(s.version, 2);
    assert_eq!(s.sign_in, SignIn::Token);
    assert_eq!(s.last_caller_for("A1"), Some("918065000101"));
    let stored = serde_json::to_value(&s).unwrap();
    assert!(stored.get("lastCallerId").is_none());
    assert_eq!(Settings::from_stored(stored), Some(s));
}

#[test]
fn sign_out_keeps_preferences_only() {
    let mut s = Settings {
        provider: Some("servetel".into()),
        base_url: Some("https://api.servetel.in/v1".into()),
        sign_in: SignIn::Password,
        email: Some("a@b.c".into()),
        region: "US".into(),
        call_timeout: Some(600),
        last_agent: Some("A1".into()),
        links_without_asking: true,
        history_days: 30,
        ..Settings::default()
    };
    s.me = Some("A2".into());
    s.choose_agent_each_call = true;
    // The agent's own preferences, all kept.
    s.tray_notice_shown = true;
    s.hotkey = Some("ctrl+alt+k".into());
    s.start_hidden = true;
    s.notify = true;
    s.tray_grace_secs = 0;
    s.hang_up_hotkey = Some("ctrl+alt+j".into());
    s.history_open = true;
    s.dispositions = vec!["Sale".into(), "Lost".into()];
    s.team_check = true;
    s.after_call = Some(crate::handoff::Target::Post(
        "https://crm.example.com/hook".into(),
    ));
    s.sign_out();
    let kept = Picks {
        me: Some("A2".into()),
        last_agent: Some("A1".into()),
        ..Picks::default()
    };
    assert_eq!(
        s,
        Settings {
            region: "US".into(),
            call_timeout: Some(600),
            links_without_asking: true,
            history_days: 30,
            tray_notice_shown: true,
            hotkey: Some("ctrl+alt+k".into()),
            start_hidden: true,
            notify: true,
            tray_grace_secs: 0,
            choose_agent_each_call: true,
            hang_up_hotkey: Some("ctrl+alt+j".into()),
            history_open: true,
            dispositions: vec!["Sale".into(), "Lost".into()],
            team_check: true,
            after_call: Some(crate::handoff::Target::Post(
                "https://crm.example.com/hook".into(),
            )),
            kept_picks: vec![("https://api.servetel.in/v1".to_string(), kept)],
            ..Settings::default()
        }
    );
    // A file from before the setting existed keeps a year.
    let old = Settings::from_stored(serde_json::json!({"version": 2, "region": "IN"})).unwrap();
    assert_eq!(old.history_days, DEFAULT_HISTORY_DAYS);
}

#[test]
fn picks_follow_their_server() {
    let a = "https://a.example/v1";
    let b = "https://b.example/v1";
    let mut s = Settings {
        base_url: Some(a.into()),
        me: Some("A-me".into()),
        last_agent: Some("A-last".into()),
        last_caller_by_agent: [("A-last".to_string(), "91800".to_string())].into(),
        ..Settings::default()
    };
    assert_eq!(s.default_agent(), Some("A-me"), "me, not the last one used");
    s.choose_agent_each_call = true;
    assert_eq!(s.default_agent(), Some("A-last"));
    s.choose_agent_each_call = false;

    // The same server again changes nothing.
    s.switch_server(a);
    assert_eq!(s.me.as_deref(), Some("A-me"));
    // Another server starts with nobody chosen...
    s.switch_server(b);
    s.base_url = Some(b.into());
    assert_eq!((s.me.as_deref(), s.last_agent.as_deref()), (None, None));
    assert!(s.last_caller_by_agent.is_empty());
    assert_eq!(s.default_agent(), None, "never a guess");
    s.me = Some("B-me".into());
    // ...and the first one's picks come back with it, after a sign-out too.
    s.sign_out();
    s.base_url = None;
    s.switch_server(a);
    s.base_url = Some(a.into());
    assert_eq!(s.me.as_deref(), Some("A-me"));
    assert_eq!(s.last_caller_for("A-last"), Some("91800"));
    s.switch_server(b);
    assert_eq!(s.me.as_deref(), Some("B-me"));

    // Only a few servers are remembered; the file cannot grow without bound.
    for i in 0..20 {
        s.base_url = Some(format!("https://s{i}.example/v1"));
        s.me = Some(format!("M{i}"));
        s.switch_server("https://elsewhere.example/v1");
    }
    assert_eq!(s.kept_picks.len(), KEPT_PICKS);
    let urls: Vec<&str> = s.kept_picks.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(
        urls[KEPT_PICKS - 1],
        "https://s19.example/v1",
        "the latest kept"
    );
    assert_eq!(urls[0], "https://s15.example/v1", "the oldest went first");
}

#[test]
fn a_hand_off_this_build_cannot_read_is_dropped_not_the_file() {
    for stored in [
        serde_json::json!({"kind": "carrierPigeon", "url": "https://crm.example.com"}),
        serde_json::json!({"kind": "open", "url": "https://crm.example.com/?d={duration}"}),
        serde_json::json!({"kind": "post", "url": "http://crm.example.com/hook"}),
        serde_json::json!("https://crm.example.com/hook"),
    ] {
        let s = Settings::from_stored(serde_json::json!({
            "version": SETTINGS_VERSION, "region": "GB", "historyDays": 30, "afterCall": stored,
        }))
        .unwrap_or_else(|| panic!("the file is kept: {stored}"));
        assert_eq!((s.region.as_str(), s.history_days), ("GB", 30));
        assert_eq!(s.after_call, None, "{stored}");
    }
    let s = Settings::from_stored(serde_json::json!({
        "version": SETTINGS_VERSION,
        "afterCall": {"kind": "post", "url": "https://crm.example.com/hook"},
    }))
    .unwrap();
    assert_eq!(
        s.after_call,
        Some(crate::handoff::Target::Post(
            "https://crm.example.com/hook".into()
        ))
    );
}
