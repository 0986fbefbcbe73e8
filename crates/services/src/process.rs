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
/// only), and keeps EGL out of this process when nothing in it draws with OpenGL
/// ([`no_egl_here`]). Call first thing in `main`, before any thread starts (changing the
/// environment is not thread-safe).
pub fn tune_webkit() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let chosen = tuning(|name| std::env::var_os(name).is_some());
    for (name, value) in &chosen {
        std::env::set_var(name, value);
    }
    let _ = TUNED.set(chosen.into_iter().map(|(name, _)| name).collect());
    #[cfg(target_os = "linux")]
    if egl_unused(|name| std::env::var(name).ok()) {
        no_egl_here();
    }
}

/// Whether nothing in the window's process draws with OpenGL, given the environment `var`
/// reads: WebKit's DMA-BUF renderer is off (set to anything but `0`, as WebKit reads it), and
/// GTK opens an X11 display. Under Wayland, WebKit's UI side may need EGL for itself, so it is
/// left alone there.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn egl_unused(var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let dmabuf_off = var("WEBKIT_DISABLE_DMABUF_RENDERER").is_some_and(|v| v != "0");
    let backend = var("GDK_BACKEND").unwrap_or_default();
    let x11 = if backend.is_empty() || backend == "*" {
        set("DISPLAY") && !set("WAYLAND_DISPLAY")
    } else {
        backend.starts_with("x11")
    };
    dmabuf_off && x11
}

/// Keeps Mesa's driver (and the 35 MB LLVM it links) out of the window's process.
///
/// WebKit's UI side opens an EGL display for one thing on X11: to learn which GPU render node
/// to hand the page's process (`drmMainDevice`), which draws with it. Opening it loads the
/// driver, whose LLVM is relocated for the process: 8 MB of its own, plus its share of LLVM's
/// code. Telling WebKit the node instead (`WEBKIT_WEB_RENDER_DEVICE_FILE`) skips the display
/// but also what builds WebKit's view of the desktop's settings, so the page then missed the
/// dark theme, the font and its size (WebKitGTK 2.50).
///
/// So WebKit still asks, and EGL answers "no display": glvnd (the EGL every current
/// distribution ships) reads its list of drivers once per process, at the first EGL call, from
/// `__EGL_VENDOR_LIBRARY_FILENAMES` when set. That call is made here with the list empty, then
/// the variable is put back as it was, so the page's process (and anything else started) finds
/// its driver as usual and picks its GPU itself. Without glvnd this changes nothing.
#[cfg(target_os = "linux")]
fn no_egl_here() {
    const VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
    const EGL_EXTENSIONS: i32 = 0x3055;
    let users = std::env::var_os(VENDORS);
    std::env::set_var(VENDORS, "/dev/null");
    // SAFETY: libEGL is WebKit's own dependency, already loaded; `eglQueryString` with no
    // display and EGL_EXTENSIONS has the C signature given here and returns a static string or
    // null, which is not read.
    unsafe {
        let egl = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW);
        if !egl.is_null() {
            let query = libc::dlsym(egl, c"eglQueryString".as_ptr());
            if !query.is_null() {
                let query: extern "C" fn(*mut libc::c_void, i32) -> *const libc::c_char =
                    std::mem::transmute(query);
                query(std::ptr::null_mut(), EGL_EXTENSIONS);
            }
        }
    }
    match users {
        Some(value) => std::env::set_var(VENDORS, value),
        None => std::env::remove_var(VENDORS),
    }
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
    fn egl_is_kept_out_only_with_the_dmabuf_renderer_off_on_x11() {
        fn env<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
            move |name| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        }
        let off = ("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        assert!(super::egl_unused(env(&[off, ("DISPLAY", ":0")])));
        // Any value but 0 turns the renderer off, as WebKit reads it.
        assert!(super::egl_unused(env(&[
            ("WEBKIT_DISABLE_DMABUF_RENDERER", ""),
            ("DISPLAY", ":0")
        ])));
        assert!(!super::egl_unused(env(&[
            ("WEBKIT_DISABLE_DMABUF_RENDERER", "0"),
            ("DISPLAY", ":0")
        ])));
        assert!(!super::egl_unused(env(&[("DISPLAY", ":0")])));
        // Wayland (GTK's first choice when it can), unless GTK is told X11.
        let both = [off, ("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")];
        assert!(!super::egl_unused(env(&both)));
        assert!(super::egl_unused(env(&[
            off,
            ("DISPLAY", ":0"),
            ("WAYLAND_DISPLAY", "wayland-0"),
            ("GDK_BACKEND", "x11")
        ])));
        assert!(!super::egl_unused(env(&[
            off,
            ("DISPLAY", ":0"),
            ("GDK_BACKEND", "wayland,x11")
        ])));
        assert!(super::egl_unused(env(&[
            off,
            ("DISPLAY", ":0"),
            ("WAYLAND_DISPLAY", ""),
            ("GDK_BACKEND", "*")
        ])));
        assert!(!super::egl_unused(env(&[off])));
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
