//! Process hygiene, called first thing by every Clickdial process, and finding Clickdial's
//! other program.

/// Another Clickdial program installed beside this one (`clickdial-window` beside `clickdial`,
/// and back), by its name without `.exe`; the bare name (found on `PATH`) if it is not there.
pub fn sibling(name: &str) -> std::path::PathBuf {
    let file = if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    };
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&file)))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| file.into())
}

/// Turns core dumps off for this process, so a crash never writes the token or password in
/// memory to disk (Linux: `PR_SET_DUMPABLE`, which also keeps other processes of the same user
/// from reading our memory through ptrace; elsewhere: a zero core-size limit).
pub fn harden() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
}

/// What Clickdial sets for the WebKit behind its window, unless the user set it already. Only for
/// Clickdial's own processes: programs it starts (`gio`, `xdg-open`, a browser opened by them)
/// get the environment the user had ([`untuned`]).
const WEBKIT_TUNING: &[(&str, &str)] = &[
    // The DMA-BUF renderer costs the page's process about 80 MB (185 MB against 105 MB, under
    // Xvfb) for nothing this small form needs. `0` brings it back.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // JavaScriptCore's JIT compilers: about 4 MB more across the app and the page's process for
    // scripts that are small and mostly wait for clicks; the interpreter keeps up, and no code
    // is generated at run time. `JSC_useJIT=true` brings them back.
    ("JSC_useJIT", "false"),
    // GTK's own OpenGL, which opening the display sets up (GLX: Mesa's driver, relocated for
    // this process) though nothing in this window draws with it, the DMA-BUF renderer being
    // off: 1.5 MB less in the app's process. `GDK_GL=` (empty) brings it back.
    ("GDK_GL", "disable"),
];

/// The names [`tune_webkit`] set (those the user had not).
static TUNED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// The entries of [`WEBKIT_TUNING`] whose variable `is_set` does not report as set.
fn tuning(is_set: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    WEBKIT_TUNING
        .iter()
        .copied()
        .filter(|(name, _)| !is_set(name))
        .collect()
}

/// Sets [`WEBKIT_TUNING`] for this process and the WebKit processes it starts (WebKitGTK: Linux
/// only). Call first thing in `main`, before any thread starts (changing the environment is not
/// thread-safe).
pub fn tune_webkit() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let chosen = tuning(|name| std::env::var_os(name).is_some());
    for (name, value) in &chosen {
        std::env::set_var(name, value);
    }
    let _ = TUNED.set(chosen.into_iter().map(|(name, _)| name).collect());
}

/// Takes [`tune_webkit`]'s settings out of `command`'s environment, so the program gets the
/// user's.
pub fn untuned(command: &mut std::process::Command) {
    for name in TUNED.get().map(Vec::as_slice).unwrap_or_default() {
        command.env_remove(name);
    }
}

#[cfg(test)]
mod tuning_tests {
    #[test]
    fn what_the_user_set_is_left_alone() {
        let all = super::tuning(|_| false);
        assert_eq!(all, super::WEBKIT_TUNING);
        let some = super::tuning(|name| name == "JSC_useJIT");
        assert_eq!(
            some,
            [
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("GDK_GL", "disable")
            ]
        );
        assert!(super::tuning(|_| true).is_empty());
    }

    #[test]
    fn programs_started_get_the_users_environment() {
        let tuned = super::TUNED.get_or_init(|| vec!["JSC_useJIT"]);
        let mut command = std::process::Command::new("true");
        super::untuned(&mut command);
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(&removed, tuned);
        assert!(!removed.is_empty());
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn harden_turns_dumps_off() {
        // (This test process is hardened too; that is harmless.)
        super::harden();
        // SAFETY: PR_GET_DUMPABLE takes plain integers.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit fills the struct we pass.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
    }
}
