//! Global shortcuts the agent chooses (dial the selection, hang up): which combinations
//! Clickdial refuses to take from the whole desktop. One rule for every front end: the
//! settings' save path applies it, the window's key recorder asks it.
//!
//! A global shortcut is grabbed from every application: Ctrl+C taken by Clickdial stops copying
//! anywhere (issue 25 saw it open the sheet instead). So a shortcut needs Ctrl, Alt or Super,
//! and may not be one the desktop or every editor already means.

/// Combinations everyone's fingers already mean (modifiers sorted as [`normalize`] writes them).
const SYSTEM: &[(&str, &str)] = &[
    ("ctrl+a", "select all"),
    ("ctrl+c", "copy"),
    ("ctrl+v", "paste"),
    ("ctrl+x", "cut"),
    ("ctrl+z", "undo"),
    ("ctrl+y", "redo"),
    ("ctrl+shift+z", "redo"),
    ("ctrl+s", "save"),
    ("ctrl+f", "find"),
    ("ctrl+p", "print"),
    ("ctrl+w", "close a tab"),
    ("ctrl+t", "open a tab"),
    ("ctrl+shift+c", "copy in a terminal"),
    ("ctrl+shift+v", "paste in a terminal"),
    ("alt+f4", "close a window"),
    ("alt+tab", "switch windows"),
    ("alt+shift+tab", "switch windows"),
    ("ctrl+alt+delete", "the system's own menu"),
    ("ctrl+alt+backspace", "ending the session"),
    ("ctrl+alt+l", "locking the screen"),
    ("ctrl+alt+t", "opening a terminal"),
    ("super+l", "locking the screen"),
    ("super+d", "showing the desktop"),
    ("super+tab", "switching windows"),
];

/// A shortcut written the one way Clickdial keeps it: lower case, `ctrl`, `alt`, `shift`,
/// `super` in that order, then the key (`ctrl+alt+d`). `None` when it is not a combination of
/// modifiers and one key.
pub fn normalize(text: &str) -> Option<String> {
    let mut mods = [false; 4];
    let mut key: Option<String> = None;
    for part in text.split('+').map(str::trim) {
        let part = part.to_ascii_lowercase();
        let slot = match part.as_str() {
            "ctrl" | "control" | "cmdorctrl" | "commandorcontrol" => Some(0),
            "alt" | "option" => Some(1),
            "shift" => Some(2),
            "super" | "meta" | "cmd" | "command" | "win" => Some(3),
            _ => None,
        };
        match slot {
            Some(i) => mods[i] = true,
            None if part.is_empty() || key.is_some() => return None,
            None => key = Some(part),
        }
    }
    let mut out: Vec<String> = ["ctrl", "alt", "shift", "super"]
        .iter()
        .zip(mods)
        .filter(|(_, on)| *on)
        .map(|(m, _)| (*m).to_string())
        .collect();
    out.push(key?);
    Some(out.join("+"))
}

/// `Ctrl+Alt+D` for the agent's eyes.
pub fn display(normalized: &str) -> String {
    normalized
        .split('+')
        .map(|p| match p {
            "ctrl" => "Ctrl".to_string(),
            "alt" => "Alt".to_string(),
            "shift" => "Shift".to_string(),
            "super" => "Super".to_string(),
            k if k.len() == 1 => k.to_ascii_uppercase(),
            k => {
                let mut c = k.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// The shortcut as Clickdial keeps it, or why it may not be one, in words for the agent.
pub fn check(text: &str) -> Result<String, String> {
    let shown = crate::sanitize::clean_text(text.trim(), 40);
    let Some(n) = normalize(text) else {
        return Err(format!(
            "'{shown}' is not a shortcut: hold Ctrl, Alt or Super and press one key, like Ctrl+Alt+D."
        ));
    };
    if !n.contains("ctrl+") && !n.contains("alt+") && !n.contains("super+") {
        return Err(format!(
            "{} alone would be taken from every app, typing included: hold Ctrl, Alt or Super with it, like Ctrl+Alt+D.",
            display(&n)
        ));
    }
    if let Some((_, what)) = SYSTEM.iter().find(|(combo, _)| *combo == n) {
        return Err(format!(
            "{} is for {what} everywhere on your computer: choose another, like Ctrl+Alt+D.",
            display(&n)
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
