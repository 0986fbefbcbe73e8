//! Linux and other freedesktop systems: desktop entries, xdg-mime, gio.

use super::*;

/// The desktop entry Clickdial writes when no installed one can be used.
pub(super) const OWN_ID: &str = "clickdial-links.desktop";
const PROGRAM_NAMES: [&str; 2] = [LINK_PROGRAM, "clickdial-window"];
/// The program the desktop runs for a link: `clickdial`, which loads no GTK or WebKit, so a
/// click reaches the running app at once. `clickdial-window` (the app) is installed next to it.
const LINK_PROGRAM: &str = "clickdial";

/// What an entry written by Clickdial runs: `clickdial` beside `exe` when present.
fn link_program(exe: &Path) -> PathBuf {
    exe.parent()
        .map(|dir| dir.join(LINK_PROGRAM))
        .filter(|p| is_executable(p))
        .unwrap_or_else(|| exe.to_path_buf())
}
const MISSING_TOOLS: &str = "Install the xdg-utils package (for example with \
    `sudo apt install xdg-utils`), then try again.";

fn mime(scheme: &str) -> String {
    format!("x-scheme-handler/{scheme}")
}

pub(super) fn status(d: &Desktop, exe: &Path) -> HandlerStatus {
    let xdg_mime = d.find_tool("xdg-mime");
    let gio = d.find_tool("gio");
    let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    let mut schemes = Vec::new();
    let mut opens = Vec::new();
    for scheme in SCHEMES {
        let mime = mime(scheme);
        let handler = xdg_mime.as_ref().and_then(|t| {
            let mut cmd = d.command(t);
            cmd.args(["query", "default", &mime]);
            run(cmd)
                .ok()
                .filter(|r| r.ok)
                .and_then(|r| r.first_line())
                .filter(|id| valid_id(id))
        });
        let entry = handler.as_deref().and_then(|id| find_entry(d, id));
        let ours = entry.as_ref().is_some_and(|e| e.is_ours(&exe));
        let gio = gio.as_ref().and_then(|t| {
            let mut cmd = d.command(t);
            cmd.args(["mime", &mime]);
            run(cmd)
                .ok()
                .and_then(|r| r.first_line().or_else(|| first_line(&r.stderr)))
        });
        opens.push((
            scheme,
            match (&handler, entry.and_then(|e| e.name)) {
                _ if ours => "Clickdial".to_string(),
                (Some(id), Some(name)) => format!("{name} ({id})"),
                (Some(id), None) => id.clone(),
                (None, _) => "nothing yet".to_string(),
            },
        ));
        schemes.push(SchemeStatus {
            scheme: scheme.to_string(),
            handler,
            ours,
            gio,
        });
    }
    if xdg_mime.is_none() {
        return finish(
            schemes,
            "Clickdial cannot check which app opens tel: and callto: links: the xdg-utils \
             tools are missing."
                .into(),
            false,
            Some(MISSING_TOOLS.into()),
        );
    }
    finish(schemes, summarize(&opens), true, None)
}

pub(super) fn install(d: &Desktop, exe: &Path) -> Result<HandlerStatus, Error> {
    let xdg_mime = d.find_tool("xdg-mime").ok_or_else(|| {
        Error::new(
            Code::Internal,
            format!(
                "Clickdial cannot make itself the app for tel: and callto: links: the \
                 xdg-utils tools are missing. {MISSING_TOOLS}"
            ),
        )
    })?;
    let exe = std::fs::canonicalize(exe).map_err(|_| {
        Error::new(
            Code::Internal,
            "Clickdial could not find its own program file, so it cannot register for \
             links. Reinstall Clickdial and try again.",
        )
    })?;
    let id = match installed_entry(d, &exe) {
        Some(id) => id,
        None => {
            write_own_entry(d, &link_program(&exe))?;
            OWN_ID.to_string()
        }
    };
    for scheme in SCHEMES {
        let mut cmd = d.command(&xdg_mime);
        cmd.args(["default", &id, &mime(scheme)]);
        let why = match run(cmd) {
            Ok(r) if r.ok => continue,
            Ok(r) => first_line(&r.stderr).unwrap_or_else(|| "it reported an error".into()),
            Err(why) => why,
        };
        return Err(Error::new(
            Code::Internal,
            format!(
                "Clickdial could not make itself the app for {scheme}: links: xdg-mime \
                 failed ({why})."
            ),
        ));
    }
    let status = status(d, &exe);
    if status.is_default {
        Ok(status)
    } else {
        Err(Error::new(
            Code::Internal,
            format!(
                "Clickdial asked the system to open tel: and callto: links with it, but it \
                 did not take: {} Choose Clickdial for these links in your desktop's \
                 default apps settings, or ask your administrator.",
                status.summary
            ),
        ))
    }
}

pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
    if let Some(gio) = d.find_tool("gio") {
        let mut cmd = d.command(&gio);
        cmd.args(["open", url]);
        start_opener(cmd, "gio")
    } else if let Some(xdg_open) = d.find_tool("xdg-open") {
        let mut cmd = d.command(&xdg_open);
        cmd.arg(url);
        start_opener(cmd, "xdg-open")
    } else {
        Err(Error::new(
            Code::Internal,
            format!("The computer has no tool to open links with. {MISSING_TOOLS}"),
        ))
    }
}

/// A desktop id as a file name: no path, no surprises.
fn valid_id(id: &str) -> bool {
    id.ends_with(".desktop") && !id.contains('/') && !id.starts_with('.')
}

/// `applications` folders in the order the desktop searches them.
fn app_dirs(d: &Desktop) -> impl Iterator<Item = PathBuf> + '_ {
    std::iter::once(&d.data_home)
        .chain(&d.data_dirs)
        .map(|p| p.join("applications"))
}

/// The entry for a desktop id (ids of entries in subfolders, `vendor-app.desktop`, are
/// not looked up: Clickdial's never are, so such an entry just shows as not ours).
fn find_entry(d: &Desktop, id: &str) -> Option<Entry> {
    app_dirs(d).find_map(|dir| Entry::read(&dir.join(id)))
}

/// An installed entry of ours (e.g. the .deb's `/usr/share/applications/Clickdial.desktop`)
/// that lists both schemes and that xdg-mime can use: its program unquoted (Debian 12's
/// xdg-mime cannot read a quoted one) and found. One running exactly `exe` is preferred.
fn installed_entry(d: &Desktop, exe: &Path) -> Option<String> {
    let mut by_name = None;
    for dir in app_dirs(d) {
        let Ok(list) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = list.flatten().map(|e| e.path()).collect();
        paths.sort(); // a stable choice between several
        for path in paths {
            let Some(id) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !valid_id(id) || id == OWN_ID {
                continue; // our own entry is rewritten each time, to follow `exe`
            }
            let Some(e) = Entry::read(&path) else {
                continue;
            };
            let usable = e.exec_unquoted
                && SCHEMES.iter().all(|s| e.mime_types.contains(&mime(s)))
                && e.program().is_some_and(|p| resolve(d, &p).is_some());
            if !usable {
                continue;
            }
            let runs = e.program().and_then(|p| resolve(d, &p));
            if runs.as_deref() == Some(exe) || runs == Some(link_program(exe)) {
                return Some(id.to_string());
            }
            if by_name.is_none() && e.is_ours(exe) {
                by_name = Some(id.to_string());
            }
        }
    }
    by_name
}

/// A program from an Exec line as the desktop would find it: absolute, or on the PATH.
fn resolve(d: &Desktop, program: &Path) -> Option<PathBuf> {
    let found = if program.is_absolute() {
        is_executable(program).then(|| program.to_path_buf())
    } else if program.components().count() == 1 {
        program.to_str().and_then(|name| d.find_tool(name))
    } else {
        None
    }?;
    std::fs::canonicalize(&found).ok()
}

fn write_own_entry(d: &Desktop, exe: &Path) -> Result<(), Error> {
    let exe = exe.to_str().ok_or_else(|| {
        Error::new(
            Code::Internal,
            "Clickdial's folder name has characters the desktop cannot use for links. Move \
             Clickdial to a folder with a plain name and try again.",
        )
    })?;
    let dir = d.data_home.join("applications");
    let text = format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Clickdial\n\
         Comment=Dials tel: and callto: links\n\
         Exec={} %u\n\
         Terminal=false\n\
         NoDisplay=true\n\
         MimeType=x-scheme-handler/tel;x-scheme-handler/callto;\n",
        exec_arg(exe)
    );
    // Written aside, then renamed: the desktop never reads half a file.
    let tmp = dir.join(format!(".{OWN_ID}.tmp"));
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&tmp, text))
        .and_then(|_| std::fs::rename(&tmp, dir.join(OWN_ID)))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::new(
                Code::Storage,
                format!(
                    "Clickdial could not save its link settings in {}: {e}.",
                    dir.display()
                ),
            )
        })?;
    // Refreshes the desktop's cache of which apps take which links; optional.
    if let Some(tool) = d.find_tool("update-desktop-database") {
        let mut cmd = d.command(&tool);
        cmd.arg(&dir);
        let _ = run(cmd);
    }
    Ok(())
}

/// The parts of a desktop entry the doctor needs.
#[derive(Debug)]
struct Entry {
    name: Option<String>,
    /// Exec split into arguments (escapes undone); empty without Exec.
    exec: Vec<String>,
    /// Whether the program in Exec is written without quotes.
    exec_unquoted: bool,
    mime_types: Vec<String>,
}

impl Entry {
    fn read(path: &Path) -> Option<Entry> {
        let bytes = std::fs::read(path).ok()?;
        Some(Entry::parse(&String::from_utf8_lossy(&bytes)))
    }

    fn parse(text: &str) -> Entry {
        let mut e = Entry {
            name: None,
            exec: Vec::new(),
            exec_unquoted: false,
            mime_types: Vec::new(),
        };
        let mut in_main = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_main = line == "[Desktop Entry]";
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if !in_main {
                continue;
            }
            let value = unescape_string(value.trim());
            match key.trim() {
                "Name" => e.name = Some(value),
                "Exec" => {
                    e.exec_unquoted = !value.trim_start().starts_with('"');
                    e.exec = split_exec(&value);
                }
                "MimeType" => {
                    e.mime_types = value
                        .split(';')
                        .filter(|m| !m.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                _ => {}
            }
        }
        e
    }

    /// The program Exec runs (`%%` is a literal `%`).
    fn program(&self) -> Option<PathBuf> {
        self.exec
            .first()
            .map(|p| PathBuf::from(p.replace("%%", "%")))
    }

    /// Runs `exe` (same canonical path) or a program named `clickdial`.
    fn is_ours(&self, exe: &Path) -> bool {
        let Some(program) = self.program() else {
            return false;
        };
        program
            .file_name()
            .is_some_and(|n| PROGRAM_NAMES.iter().any(|p| n == *p))
            || (program.is_absolute() && std::fs::canonicalize(&program).is_ok_and(|p| p == exe))
    }
}

/// Characters that make an Exec argument need quotes (Desktop Entry spec, "The Exec key").
const RESERVED: &[char] = &[
    ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')',
    '`',
];

/// One Exec argument as written in the file (here and in the login entry, `autostart`). Quoted only when it must be (Debian 12's
/// xdg-mime cannot read a quoted program); then the string escapes (`\\`, `\n`, ...) are
/// applied on top, as the spec layers them.
pub(crate) fn exec_arg(arg: &str) -> String {
    let arg = arg.replace('%', "%%");
    let quoted = if arg.contains(RESERVED) {
        let mut q = String::from("\"");
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    } else {
        arg
    };
    quoted
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

/// Undoes the escapes of a `string` value: `\s \n \t \r \\`.
fn unescape_string(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Splits an (unescaped) Exec value into arguments: spaces separate, `"..."` quotes, and
/// inside quotes a backslash escapes `"`, `` ` ``, `$` and `\`.
pub(super) fn split_exec(v: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => args.extend(cur.take()),
            '"' => {
                let arg = cur.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(n @ ('"' | '`' | '$' | '\\')) => arg.push(n),
                            Some(n) => {
                                arg.push('\\');
                                arg.push(n);
                            }
                            None => arg.push('\\'),
                        },
                        _ => arg.push(q),
                    }
                }
            }
            _ => cur.get_or_insert_with(String::new).push(c),
        }
    }
    args.extend(cur);
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_round_trips_through_the_file_format() {
        let cases = [
            ("/opt/clickdial/clickdial", "/opt/clickdial/clickdial"),
            ("/home/a b/clickdial", "\"/home/a b/clickdial\""),
            ("/x/50%/clickdial", "/x/50%%/clickdial"),
            (
                "/x/a\"b$c`d\\e/clickdial",
                "\"/x/a\\\\\"b\\\\$c\\\\`d\\\\\\\\e/clickdial\"",
            ),
        ];
        for (path, written) in cases {
            assert_eq!(exec_arg(path), written, "{path}");
            let line = format!("[Desktop Entry]\nExec={written} %u\n");
            let e = Entry::parse(&line);
            assert_eq!(e.program(), Some(PathBuf::from(path)), "{line}");
            assert_eq!(e.exec.get(1).map(String::as_str), Some("%u"));
            assert_eq!(e.exec_unquoted, !written.starts_with('"'));
        }
    }

    #[test]
    fn parse_reads_only_the_main_group_and_survives_junk() {
        let e = Entry::parse(
            "garbage\n[Desktop Action new]\nExec=other\n[Desktop Entry]\nName = Fire fox\n\
             Exec=firefox %u\nName[de]=Feuerfuchs\nMimeType=text/html;x-scheme-handler/tel;\n\
             Exec\n=\n",
        );
        assert_eq!(e.name.as_deref(), Some("Fire fox"));
        assert_eq!(e.exec, ["firefox", "%u"]);
        assert_eq!(e.mime_types, ["text/html", "x-scheme-handler/tel"]);
        assert!(split_exec("\"unterminated \\").len() == 1);
        assert!(Entry::parse("").program().is_none());
    }
}
