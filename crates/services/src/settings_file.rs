//! The one owner of the settings file shared by the window and the CLI.
//!
//! Every change goes the same way: take an exclusive lock (a sibling `.lock` file, so renames
//! never break it), re-read the file, apply the change to what is on disk now, validate, write
//! a uniquely named temporary file, fsync it, rename it over the old one, fsync the folder.
//! No process ever writes back a copy it read earlier, so a `clickdial login` while the window
//! is open is never undone by the window, and thirty writers at once all land.
//!
//! Readers take no lock: a rename is atomic, so they see the old file or the new one, whole.
//! A file that cannot be read (not JSON, not ours, from a newer version) is moved aside under
//! the lock, never deleted, and the user is told once.
//!
//! The format stays the one tauri-plugin-store wrote in earlier versions (`{"settings": …}`),
//! so an existing file keeps working and unknown top-level keys are kept.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use clickdial_core::settings::{Settings, SETTINGS_KEY};
use serde_json::{Map, Value};

/// The settings file's name inside the app's data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// What a read found.
// Returned and matched at once, never stored in bulk: boxing the settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Missing,
    Found(Settings),
    /// Not JSON, not ours, or from a newer version.
    Unreadable,
    /// The file is there but could not be read just now (permissions, I/O error); never
    /// moved aside or overwritten, since nothing is wrong with its contents.
    Failed(String),
}

impl Read {
    /// The settings to use: what was found, else defaults.
    pub fn settings(self) -> Settings {
        match self {
            Read::Found(s) => s,
            Read::Missing | Read::Unreadable | Read::Failed(_) => Settings::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SettingsFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file as it is now, changing nothing.
    pub fn read(&self) -> Read {
        match std::fs::read(&self.path) {
            Ok(bytes) => parse(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Read::Missing,
            Err(e) => Read::Failed(io_message("read your settings", &e)),
        }
    }

    /// Reads the file for a process that is starting: an unreadable file is moved aside (under
    /// the lock, so no writer is in the middle of it) and the notice says where it went.
    pub fn load(&self) -> (Settings, Option<String>) {
        match self.read() {
            Read::Found(s) => (s, None),
            Read::Missing => (Settings::default(), None),
            Read::Failed(message) => (Settings::default(), Some(message)),
            Read::Unreadable => match self.with_lock(|| self.set_aside_if_unreadable()) {
                Ok((settings, notice)) => (settings, notice),
                Err(message) => (Settings::default(), Some(message)),
            },
        }
    }

    /// Identifies the file's current version; any write changes it (a rename makes a new file).
    /// A running app compares stamps to notice another process's change cheaply.
    pub fn stamp(&self) -> Option<Stamp> {
        let m = std::fs::metadata(&self.path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&m),
        })
    }

    /// Applies `change` to the settings on disk now and saves them (only if they changed).
    /// Returns the saved settings, what `change` returned, and a notice when an unreadable file
    /// had to be moved aside.
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> T) -> Result<Updated<T>, String> {
        self.update_with(false, change)
    }

    /// Like [`update`](Self::update), but always writes, so every process sees a new version
    /// (a new sign-in to the same account changes no setting, only the secret).
    pub fn replace<T>(
        &self,
        change: impl FnOnce(&mut Settings) -> T,
    ) -> Result<Updated<T>, String> {
        self.update_with(true, change)
    }

    fn update_with<T>(
        &self,
        force: bool,
        change: impl FnOnce(&mut Settings) -> T,
    ) -> Result<Updated<T>, String> {
        self.with_lock(|| {
            let (current, notice) = self.set_aside_if_unreadable()?;
            let mut next = current.clone();
            let value = change(&mut next);
            next.validate()?;
            if force || next != current {
                self.write(&next)?;
            }
            Ok(Updated {
                settings: next,
                value,
                notice,
                stamp: self.stamp(),
            })
        })
    }

    /// Under the lock: the current settings, moving an unreadable file aside. A file that could
    /// not be read at all, or not be moved, is an error: nothing is written over it.
    fn set_aside_if_unreadable(&self) -> Result<(Settings, Option<String>), String> {
        match self.read() {
            Read::Found(s) => Ok((s, None)),
            Read::Missing => Ok((Settings::default(), None)),
            Read::Failed(message) => Err(message),
            Read::Unreadable => {
                let aside = move_aside(&self.path)
                    .map_err(|e| io_message("keep your unreadable settings file aside", &e))?;
                Ok((Settings::default(), Some(moved_aside_notice(&aside))))
            }
        }
    }

    fn with_lock<T>(&self, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
        let dir = self.dir();
        std::fs::create_dir_all(&dir).map_err(|e| io_message("create the settings folder", &e))?;
        let lock_path = sibling(&self.path, ".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_message("open the settings lock", &e))?;
        lock.lock()
            .map_err(|e| io_message("lock the settings file", &e))?;
        let result = f();
        let _ = lock.unlock();
        result
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Writes through a uniquely named temporary file, fsynced, then renamed into place.
    fn write(&self, settings: &Settings) -> Result<(), String> {
        // Keep the other top-level keys of the file (the store plugin's format allows them).
        let mut file = std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
            .unwrap_or_default();
        file.insert(
            SETTINGS_KEY.to_string(),
            serde_json::to_value(settings).map_err(|e| e.to_string())?,
        );
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        let tmp = sibling(
            &self.path,
            &format!(
                ".{}.{}.tmp",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ),
        );
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            replace(&tmp, &self.path)?;
            // The rename itself must survive a crash: sync the folder (not possible on Windows).
            #[cfg(unix)]
            File::open(self.dir())?.sync_all()?;
            Ok::<(), std::io::Error>(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io_message("save your settings", &e));
        }
        Ok(())
    }
}

/// Renames `from` over `to`. Windows refuses (access denied) while another program has `to`
/// open, even sharing it, unless the file system takes POSIX renames (NTFS on Windows 10 and
/// later does; FAT on a USB stick, older Windows and wine do not): another Clickdial process
/// reading it, a virus scanner or a backup tool. Such a hold is brief, so the rename is tried
/// again for up to a second (under the settings lock) before the save fails.
fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        use std::time::{Duration, Instant};
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            match std::fs::rename(from, to) {
                Err(e)
                    if e.kind() == std::io::ErrorKind::PermissionDenied
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                done => return done,
            }
        }
    }
    #[cfg(not(windows))]
    std::fs::rename(from, to)
}

/// One version of the settings file, see [`SettingsFile::stamp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

/// The result of [`SettingsFile::update`].
#[derive(Debug)]
pub struct Updated<T> {
    pub settings: Settings,
    pub value: T,
    pub notice: Option<String>,
    /// The file's version right after this change (see [`SettingsFile::stamp`]).
    pub stamp: Option<Stamp>,
}

fn parse(bytes: &[u8]) -> Read {
    // A JSON object whose settings value, if any, is one we understand.
    match serde_json::from_slice::<Map<String, Value>>(bytes) {
        Ok(mut file) => match file.remove(SETTINGS_KEY) {
            None => Read::Found(Settings::default()),
            Some(v) => Settings::from_stored(v).map_or(Read::Unreadable, Read::Found),
        },
        Err(_) => Read::Unreadable,
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn io_message(what: &str, e: &std::io::Error) -> String {
    format!(
        "Clickdial could not {what} ({e}). Check that your home folder is writable and not full."
    )
}

/// Renames `path` to a name of its own (a second bad file never replaces the first one kept).
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let aside = sibling(path, &format!(".unreadable-{stamp}-{}", &tag[..8]));
    std::fs::rename(path, &aside).map(|()| aside)
}

fn moved_aside_notice(aside: &Path) -> String {
    format!(
        "Your settings could not be read, so Clickdial started with default settings. \
         Your saved sign-in is untouched. The old file was kept as {}.",
        aside.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> (tempfile::TempDir, SettingsFile) {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::new(dir.path().join("sub").join(SETTINGS_FILE));
        (dir, f)
    }

    #[test]
    fn update_re_reads_the_file_instead_of_writing_back_a_stale_copy() {
        let (_d, f) = file();
        let stale = f.load().0;
        f.update(|s| s.region = "US".into()).unwrap();
        // Another writer's change, based on what is on disk, keeps the first one.
        let saved = f
            .update(|s| s.last_agent = Some("A1".into()))
            .unwrap()
            .settings;
        assert_eq!(saved.region, "US");
        assert_eq!(saved.last_agent.as_deref(), Some("A1"));
        assert_ne!(stale, saved);
        assert_eq!(f.read(), Read::Found(saved));
    }

    #[test]
    fn invalid_changes_are_refused_and_nothing_is_written() {
        let (_d, f) = file();
        f.update(|s| s.region = "GB".into()).unwrap();
        let before = std::fs::read(f.path()).unwrap();
        let err = f.update(|s| s.region = "Narnia".into()).unwrap_err();
        assert!(err.contains("region code"), "{err}");
        assert_eq!(std::fs::read(f.path()).unwrap(), before);
    }

    #[test]
    fn an_unreadable_file_is_moved_aside_with_its_bytes() {
        let (_d, f) = file();
        std::fs::create_dir_all(f.path().parent().unwrap()).unwrap();
        std::fs::write(f.path(), b"{not json").unwrap();
        let (s, notice) = f.load();
        assert_eq!(s, Settings::default());
        let notice = notice.unwrap();
        assert!(notice.contains("could not be read"), "{notice}");
        let kept = std::fs::read_dir(f.path().parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_string_lossy().contains(".unreadable-"))
            .unwrap();
        assert_eq!(std::fs::read(kept.path()).unwrap(), b"{not json");
        assert!(notice.contains(&kept.path().display().to_string()));
    }

    #[test]
    fn other_top_level_keys_are_kept_and_no_temp_files_remain() {
        let (_d, f) = file();
        std::fs::create_dir_all(f.path().parent().unwrap()).unwrap();
        std::fs::write(f.path(), br#"{"window": {"w": 1}}"#).unwrap();
        f.update(|s| s.region = "AE".into()).unwrap();
        let v: Value = serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap();
        assert_eq!(v["window"]["w"], 1);
        assert_eq!(v["settings"]["region"], "AE");
        let names: Vec<String> = std::fs::read_dir(f.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_file_that_cannot_be_read_is_neither_moved_nor_overwritten() {
        let (_d, f) = file();
        // A folder where the file should be: reading fails, but nothing is wrong with "it".
        std::fs::create_dir_all(f.path()).unwrap();
        assert!(matches!(f.read(), Read::Failed(_)));
        let err = f.update(|s| s.region = "US".into()).unwrap_err();
        assert!(err.contains("could not read your settings"), "{err}");
        assert!(f.path().is_dir(), "left where it was");
        let (s, notice) = f.load();
        assert_eq!(s, Settings::default());
        assert!(notice.is_some());
    }

    #[test]
    fn two_bad_files_are_both_kept() {
        let (_d, f) = file();
        let dir = f.path().parent().unwrap().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        for bad in [&b"first"[..], b"second"] {
            std::fs::write(f.path(), bad).unwrap();
            f.update(|s| s.region = "GB".into()).unwrap();
        }
        let kept = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".unreadable-")
            })
            .count();
        assert_eq!(kept, 2);
    }

    #[test]
    fn thirty_concurrent_writers_all_land() {
        let (_d, f) = file();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(30));
        let handles: Vec<_> = (0..30)
            .map(|i| {
                // Each writer has its own handle on the file, as separate processes do.
                let f = SettingsFile::new(f.path());
                let b = barrier.clone();
                std::thread::spawn(move || {
                    b.wait();
                    f.update(|s| {
                        s.last_caller_by_agent
                            .insert(format!("agent-{i}"), format!("91806500{i:04}"))
                    })
                    .map(|_| ())
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let Read::Found(s) = f.read() else {
            panic!("the file must be readable")
        };
        assert_eq!(s.last_caller_by_agent.len(), 30);
    }
}
