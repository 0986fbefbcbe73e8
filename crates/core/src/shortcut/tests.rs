use super::*;

#[test]
fn written_one_way() {
    assert_eq!(normalize("Ctrl+Alt+D").as_deref(), Some("ctrl+alt+d"));
    assert_eq!(
        normalize("alt + control + d").as_deref(),
        Some("ctrl+alt+d")
    );
    assert_eq!(
        normalize("Shift+Super+F9").as_deref(),
        Some("shift+super+f9")
    );
    assert_eq!(normalize("ctrl+"), None);
    assert_eq!(normalize("ctrl+a+b"), None);
    assert_eq!(normalize("ctrl"), None);
    assert_eq!(normalize(""), None);
    assert_eq!(display("ctrl+shift+h"), "Ctrl+Shift+H");
    assert_eq!(display("alt+f4"), "Alt+F4");
}

#[test]
fn ordinary_combinations_are_kept() {
    assert_eq!(check("ctrl+alt+d").as_deref(), Ok("ctrl+alt+d"));
    assert_eq!(check("Ctrl+Shift+H").as_deref(), Ok("ctrl+shift+h"));
    assert_eq!(check("super+shift+k").as_deref(), Ok("shift+super+k"));
    assert_eq!(check("ctrl+f9").as_deref(), Ok("ctrl+f9"));
}

#[test]
fn system_combinations_are_refused_with_what_they_do() {
    for (combo, what) in [
        ("ctrl+c", "copy"),
        ("Ctrl+V", "paste"),
        ("ctrl+x", "cut"),
        ("ctrl+z", "undo"),
        ("ctrl+a", "select all"),
        ("alt+f4", "close a window"),
        ("Alt+Tab", "switch windows"),
        ("control+alt+delete", "system"),
    ] {
        let e = check(combo).unwrap_err();
        assert!(e.contains(what), "{combo}: {e}");
        assert!(e.contains("choose another"), "{combo}: {e}");
    }
}

#[test]
fn plain_keys_and_shift_alone_are_refused() {
    for combo in ["c", "F9", "shift+a", "shift+f9", "Enter"] {
        let e = check(combo).unwrap_err();
        assert!(e.contains("alone would be taken"), "{combo}: {e}");
    }
    assert!(check("ctrl+c+v").unwrap_err().contains("is not a shortcut"));
    assert!(check("").unwrap_err().contains("is not a shortcut"));
}
