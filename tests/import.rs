//! `tidings import maildir|mbox`: archives go through the same funnel, so an archive that
//! overlaps another adds nothing twice, and unreadable messages are quarantined.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn tidings(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir)
        .args(["--config", "t.toml"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn message(n: usize) -> String {
    format!("From: Gil <gil{n}@home.example>\nTo: desk@example.org\nSubject: Archive {n}\nMessage-ID: <arch-{n}@home.example>\n\nFrom the archive, message {n}.\n")
}

#[test]
fn maildir_and_mbox_archives_share_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), "[http]\nenabled = false\n").unwrap();
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for n in 0..5 {
        std::fs::write(
            maildir.join("cur").join(format!("{n}.host:2,S")),
            message(n),
        )
        .unwrap();
    }
    std::fs::write(maildir.join("new").join("5.host"), message(5)).unwrap();
    std::fs::write(maildir.join(".Sent/cur").join("6.host:2,S"), message(6)).unwrap();
    std::fs::write(
        maildir.join("cur").join("7.host:2,"),
        "this is not an email\n",
    )
    .unwrap();

    let first = tidings(dir.path(), &["import", "maildir", "Maildir"]);
    assert!(
        first.contains("read 8 message(s)")
            && first.contains("stored 7")
            && first.contains("quarantined 1"),
        "{first}"
    );

    // An mbox holding messages 3..9 overlaps by four; its body lines starting "From " are
    // quoted as ">From ", which the reader undoes, so the fingerprints match.
    let mut mbox = String::new();
    for n in 3..10 {
        let quoted = message(n).replace("\nFrom the", "\n>From the");
        mbox.push_str(&format!(
            "From gil{n}@home.example Sat Nov 28 10:00:00 2026\n{quoted}\n"
        ));
    }
    std::fs::write(dir.path().join("old.mbox"), mbox).unwrap();
    let second = tidings(dir.path(), &["import", "mbox", "old.mbox"]);
    assert!(
        second.contains("read 7 message(s)")
            && second.contains("stored 3")
            && second.contains("already known 4"),
        "{second}"
    );

    let csv = tidings(dir.path(), &["export", "items"]);
    assert_eq!(csv.lines().count(), 1 + 10);
    let quarantine = tidings(dir.path(), &["quarantine", "list"]);
    assert_eq!(quarantine.lines().count(), 1, "{quarantine}");
}
