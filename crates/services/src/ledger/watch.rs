//! Waiting for another process to write the ledger, without polling it: on Linux an inotify
//! watch on the data folder (a commit writes the ledger's WAL file), elsewhere a short sleep.
//! A reader of the event log (`clickdial events --follow`) blocks here while nothing happens.

use std::path::Path;
use std::time::Duration;

/// How often a platform without a change notification looks again.
const POLL: Duration = Duration::from_millis(200);

pub struct Watch {
    #[cfg(target_os = "linux")]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Watch {
    /// Watches `dir`, the folder of the ledger file.
    pub fn new(dir: &Path) -> Watch {
        #[cfg(target_os = "linux")]
        {
            Watch { fd: inotify(dir) }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            Watch {}
        }
    }

    /// Returns soon after something in the folder is written, or after `timeout` (a reader
    /// looks anyway then, so a missed notification costs at most that).
    pub fn wait(&self, timeout: Duration) {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            use std::os::fd::AsRawFd;
            let mut pfd = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
            // SAFETY: one valid pollfd for the length given.
            let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
            if ready > 0 {
                // Drain what is queued (the fd is non-blocking); the content is not needed.
                let mut buf = [0u8; 4096];
                // SAFETY: reads into a buffer of the length given.
                while unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0
                {
                }
            }
            return;
        }
        std::thread::sleep(timeout.min(POLL));
    }
}

#[cfg(target_os = "linux")]
fn inotify(dir: &Path) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: plain syscalls; the fd is owned (closed on drop) from here on.
    unsafe {
        let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let owned = std::os::fd::OwnedFd::from_raw_fd(fd);
        let mask = libc::IN_MODIFY | libc::IN_CREATE | libc::IN_MOVED_TO | libc::IN_CLOSE_WRITE;
        (libc::inotify_add_watch(fd, path.as_ptr(), mask) >= 0).then_some(owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_write_ends_the_wait_and_silence_lasts_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let watch = Watch::new(dir.path());
        let started = Instant::now();
        watch.wait(Duration::from_millis(150));
        assert!(started.elapsed() >= Duration::from_millis(140));
        let path = dir.path().join("calls.sqlite3-wal");
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::write(path, b"x").unwrap();
        });
        let started = Instant::now();
        watch.wait(Duration::from_secs(10));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken by the write"
        );
        writer.join().unwrap();
    }
}
