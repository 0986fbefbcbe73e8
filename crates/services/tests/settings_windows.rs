//! The settings file's one writer under Windows' rules, which differ from Linux's: a file can
//! only be replaced while every program holding it open allows that (FILE_SHARE_DELETE), and the
//! lock is LockFileEx. Run under wine by scripts/test-windows.sh; the writer's general rules
//! (thirty concurrent writers, no stale write-back, unreadable files kept aside) are its unit
//! tests, which run there too.
#![cfg(windows)]

use std::io::Read as _;
use std::os::windows::fs::OpenOptionsExt;

use clickdial_services::settings_file::{Read, SettingsFile, SETTINGS_FILE};

const FILE_SHARE_READ: u32 = 0x1;

fn settings() -> (tempfile::TempDir, SettingsFile) {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::new(dir.path().join(SETTINGS_FILE));
    file.update(|s| s.region = "GB".into()).unwrap();
    (dir, file)
}

/// Files beside the settings other than the settings and its lock: a temporary file left over.
fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != SETTINGS_FILE && !n.ends_with(".lock"))
        .collect()
}

/// Another Clickdial process reading the file, or a virus scanner glancing at it, holds it open
/// for a moment (sharing it, as Rust opens files). Where Windows cannot rename over an open
/// file (FAT, older Windows, wine), the save waits for it instead of failing; where it can
/// (NTFS on Windows 10 and later), it does not even wait. Either way the reader keeps the
/// version it opened and the next read sees the new one.
#[test]
fn a_reader_holding_the_file_for_a_moment_does_not_fail_a_save() {
    let (dir, file) = settings();
    let mut held = std::fs::File::open(file.path()).unwrap();
    let reader = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut old = String::new();
        held.read_to_string(&mut old).unwrap();
        old
    });
    file.update(|s| s.region = "US".into()).unwrap();
    let Read::Found(now) = file.read() else {
        panic!("the saved file must read")
    };
    assert_eq!(now.region, "US");
    let old = reader.join().unwrap();
    assert!(old.contains("\"GB\""), "{old}");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A program that keeps the file open without allowing it to be replaced (an editor, a stuck
/// backup tool): after a second the save fails with a sentence, the file keeps its contents,
/// no temporary file is left, and once that program lets go the next save works.
#[test]
fn a_program_holding_the_file_shut_gets_a_plain_error_and_nothing_is_lost() {
    let (dir, file) = settings();
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(file.path())
        .unwrap();
    let err = file
        .update(|s| s.region = "US".into())
        .expect_err("Windows refuses to replace a file held without delete sharing");
    assert!(err.contains("settings"), "says what failed: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let Read::Found(kept) = file.read() else {
        panic!("the file must still read")
    };
    assert_eq!(kept.region, "GB", "nothing was lost");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    drop(held);
    file.update(|s| s.region = "US".into()).unwrap();
    let Read::Found(now) = file.read() else {
        panic!("the saved file must read")
    };
    assert_eq!(now.region, "US");
}
