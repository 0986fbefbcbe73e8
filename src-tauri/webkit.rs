//! The WebKit behind the window, tuned for a small form that mostly waits: what Clickdial
//! sets before GTK and WebKit start, and keeping EGL out of the window's process. Window-only:
//! the command line and the tray keeper load no WebKit.

/// What Clickdial sets for the WebKit behind its window, unless the user set it already. Only for
/// Clickdial's own processes: programs it starts (`gio`, `xdg-open`, a browser opened by them)
/// get the environment the user had (`clickdial_services::process::untuned`).
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
pub fn tune() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let chosen = tuning(|name| std::env::var_os(name).is_some());
    clickdial_services::process::set_for_this_process(&chosen);
    #[cfg(target_os = "linux")]
    if egl_unused(|name| std::env::var(name).ok(), std::path::Path::exists) {
        no_egl_here();
    }
}

/// Whether nothing in the window's process draws with OpenGL, given the environment `var`
/// reads and whether a file `exists`: WebKit's DMA-BUF renderer is off (set to anything but
/// `0`, as WebKit reads it), and GTK opens an X11 display. Under Wayland, WebKit's UI side may
/// need EGL for itself, so it is left alone there.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn egl_unused(
    var: impl Fn(&str) -> Option<String>,
    exists: impl Fn(&std::path::Path) -> bool,
) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let dmabuf_off = var("WEBKIT_DISABLE_DMABUF_RENDERER").is_some_and(|v| v != "0");
    // Where GTK's Wayland backend would connect: libwayland's `wayland-0` when no display is
    // named. A dead socket makes GTK fall back to X11; it is counted as Wayland all the same.
    let wayland = set("WAYLAND_DISPLAY")
        || set("WAYLAND_SOCKET")
        || var("XDG_RUNTIME_DIR").is_some_and(|dir| {
            !dir.is_empty() && exists(&std::path::Path::new(&dir).join("wayland-0"))
        });
    let x11 = set("DISPLAY");
    // GTK 3 tries the backends `GDK_BACKEND` lists, in order (`*`: its own order, Wayland
    // first), and takes the first that opens.
    let backends = var("GDK_BACKEND").filter(|b| !b.is_empty());
    let opens_x11 = backends
        .as_deref()
        .unwrap_or("*")
        .split(',')
        .find_map(|backend| match backend {
            "*" if wayland => Some(false),
            "*" | "x11" if x11 => Some(true),
            "wayland" if wayland => Some(false),
            _ => None,
        })
        .unwrap_or(false);
    dmabuf_off && opens_x11
}

/// Keeps Mesa's driver (and the 35 MB LLVM it links) out of the window's process.
///
/// WebKit's UI side opens an EGL display for one thing on X11: to learn which GPU render node
/// to hand the page's process (`drmMainDevice`). Opening it loads the driver, whose LLVM is
/// relocated for the process: 8 MB of its own, plus its share of LLVM's code. Telling WebKit
/// the node instead (`WEBKIT_WEB_RENDER_DEVICE_FILE`) skips the display but also what builds
/// WebKit's view of the desktop's settings, so the page then missed the dark theme, the font
/// and its size (WebKitGTK 2.50).
///
/// So WebKit still asks, and EGL answers "no display": glvnd (the EGL loader of most
/// distributions) reads its list of drivers once per process, at the first EGL call that needs
/// one, from `__EGL_VENDOR_LIBRARY_FILENAMES` when set. That call is made here with the list
/// empty, then the variable is put back as it was, so the page's process (and anything else
/// started) finds its driver as usual. The page's process is then given no render node; with
/// the DMA-BUF renderer off it opens a surfaceless EGL display, which picks the GPU itself.
/// Without glvnd this changes nothing.
#[cfg(target_os = "linux")]
fn no_egl_here() {
    const VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
    const EGL_EXTENSIONS: i32 = 0x3055;
    type QueryString = unsafe extern "C" fn(*mut libc::c_void, i32) -> *const libc::c_char;
    let users = std::env::var_os(VENDORS);
    std::env::set_var(VENDORS, "/dev/null");
    // SAFETY: libEGL is normally loaded already (GStreamer's GL library, which WebKit links,
    // needs it); if not, this loads it, and the handle is never closed, so glvnd keeps the list
    // it read. `eglQueryString(EGLDisplay, EGLint)` has the C signature of `QueryString`; with no
    // display it returns a static string or null, which is not read.
    unsafe {
        let egl = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW);
        if !egl.is_null() {
            let query: Option<QueryString> =
                std::mem::transmute(libc::dlsym(egl, c"eglQueryString".as_ptr()));
            if let Some(query) = query {
                query(std::ptr::null_mut(), EGL_EXTENSIONS);
            }
        }
    }
    match users {
        Some(value) => std::env::set_var(VENDORS, value),
        None => std::env::remove_var(VENDORS),
    }
}

#[cfg(test)]
mod tests {
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
        let none = |_: &std::path::Path| false;
        let unused = |pairs: &[(&str, &str)]| super::egl_unused(env(pairs), none);
        let off = ("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        let x = ("DISPLAY", ":0");
        let wl = ("WAYLAND_DISPLAY", "wayland-0");
        assert!(unused(&[off, x]));
        // Any value but 0 turns the renderer off, as WebKit reads it.
        assert!(unused(&[("WEBKIT_DISABLE_DMABUF_RENDERER", ""), x]));
        assert!(!unused(&[("WEBKIT_DISABLE_DMABUF_RENDERER", "0"), x]));
        assert!(!unused(&[x]));
        // No display at all.
        assert!(!unused(&[off]));
        assert!(!unused(&[off, ("DISPLAY", "")]));
        // Wayland is GTK's first choice when it can connect...
        assert!(!unused(&[off, x, wl]));
        assert!(!unused(&[off, x, ("WAYLAND_SOCKET", "5")]));
        assert!(!unused(&[off, x, wl, ("GDK_BACKEND", "*")]));
        assert!(unused(&[
            off,
            x,
            ("WAYLAND_DISPLAY", ""),
            ("GDK_BACKEND", "*")
        ]));
        // ... through libwayland's default socket too, with no WAYLAND_DISPLAY.
        let run = [off, x, ("XDG_RUNTIME_DIR", "/run/user/1000")];
        assert!(unused(&run));
        let socket = |p: &std::path::Path| p == std::path::Path::new("/run/user/1000/wayland-0");
        assert!(!super::egl_unused(env(&run), socket));
        // GDK_BACKEND: tried in order, exact names only.
        assert!(unused(&[off, x, wl, ("GDK_BACKEND", "x11")]));
        assert!(unused(&[off, x, wl, ("GDK_BACKEND", "x11,wayland")]));
        assert!(!unused(&[off, x, wl, ("GDK_BACKEND", "wayland,x11")]));
        assert!(unused(&[off, x, ("GDK_BACKEND", "wayland,x11")]));
        assert!(!unused(&[off, wl, ("GDK_BACKEND", "x11,wayland")]));
        assert!(!unused(&[off, x, ("GDK_BACKEND", "x11foo")]));
        assert!(unused(&[off, x, ("GDK_BACKEND", "broadway,x11")]));
    }

    /// Run by [`the_users_driver_list_is_put_back`] in a process of its own: the environment
    /// is not changed while other tests run.
    // glvnd's driver list: Linux only, like `no_egl_here`.
    #[cfg(target_os = "linux")]
    #[test]
    #[ignore = "run by the_users_driver_list_is_put_back, in a process of its own"]
    fn no_egl_here_child() {
        super::no_egl_here();
        let after = std::env::var("__EGL_VENDOR_LIBRARY_FILENAMES");
        println!("after: {after:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_users_driver_list_is_put_back() {
        for (before, expected) in [
            (
                Some("/etc/glvnd/mine.json"),
                r#"after: Ok("/etc/glvnd/mine.json")"#,
            ),
            (None, "after: Err(NotPresent)"),
        ] {
            let mut child = std::process::Command::new(std::env::current_exe().unwrap());
            child
                .args(["--exact", "webkit::tests::no_egl_here_child"])
                .args(["--ignored", "--nocapture", "--test-threads=1"]);
            match before {
                Some(value) => child.env("__EGL_VENDOR_LIBRARY_FILENAMES", value),
                None => child.env_remove("__EGL_VENDOR_LIBRARY_FILENAMES"),
            };
            let out = child.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{stdout}");
            assert!(stdout.contains(expected), "{stdout}");
        }
    }
}
