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

/// The variables this process set for itself alone ([`set_for_this_process`]).
static OWN: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// Sets `vars` for this process (and the libraries' helper processes it starts, such as
/// WebKit's), but not for the programs it starts on the user's behalf ([`untuned`]). Call once,
/// first thing in `main`, before any thread starts (changing the environment is not
/// thread-safe).
pub fn set_for_this_process(vars: &[(&'static str, &'static str)]) {
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    let _ = OWN.set(vars.iter().map(|(name, _)| *name).collect());
}

/// Takes what [`set_for_this_process`] set out of `command`'s environment, so the program gets
/// the user's.
pub fn untuned(command: &mut std::process::Command) {
    for name in OWN.get().map(Vec::as_slice).unwrap_or_default() {
        command.env_remove(name);
    }
}

#[cfg(test)]
mod own_env_tests {
    #[test]
    fn programs_started_get_the_users_environment() {
        let own = super::OWN.get_or_init(|| vec!["JSC_useJIT"]);
        let mut command = std::process::Command::new("true");
        super::untuned(&mut command);
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(&removed, own);
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
