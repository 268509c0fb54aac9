//! The binary's edges: config errors name the key and the file; `--once` with an
//! unreachable server exits non-zero with a one-line reason; the drop folder and export work
//! on the embedded default with no server at all.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn tidings(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir)
        .args(args)
        .env_remove("TIDINGS_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn an_unknown_key_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[store]\nurl = \"sqlite://x.db\"\nretention = 3\n",
    )
    .unwrap();
    let out = tidings(dir.path(), &["--config", "bad.toml", "config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("retention") && err.contains("bad.toml"),
        "{err}"
    );
}

#[test]
fn once_with_an_unreachable_mailbox_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[http]\nenabled = false\n[dropfolder]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n[[imap.accounts]]\nname = \"down\"\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\nusername = \"u\"\npassword = \"p\"\n",
    )
    .unwrap();
    let out = tidings(dir.path(), &["--config", "t.toml", "run", "--once"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("tidings: ") && last.contains("down"),
        "{err}"
    );
}

#[test]
fn the_demo_inbox_gives_contacts_and_a_flag_with_no_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), "[http]\nenabled = false\n").unwrap();
    let out = tidings(
        dir.path(),
        &["--config", "t.toml", "run", "--once", "--demo"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    // The demo's one busy sender: fifteen contacts in ten days (contact-volume), about one
    // hydrant, to three different staff members (staff-spread).
    assert!(summary.contains("2 flag(s) raised"), "{summary}");
    let flags = tidings(dir.path(), &["--config", "t.toml", "export", "flags"]);
    let flags = String::from_utf8_lossy(&flags.stdout);
    let kinds: Vec<&str> = flags
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert_eq!(kinds.len(), 2, "{flags}");
    assert!(
        kinds.contains(&"contact-volume") && kinds.contains(&"staff-spread"),
        "{flags}"
    );
    // The drop folder was emptied into processed/ and a rerun stores nothing new.
    let again = tidings(
        dir.path(),
        &["--config", "t.toml", "run", "--once", "--demo"],
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("stored 0 new item(s)"));
    let csv = tidings(dir.path(), &["--config", "t.toml", "export", "items"]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.lines().next().is_some_and(|h| h.starts_with(
            "item_ref,channel,direction,occurred_at,customer_key,counterpart,staff,subject,thread_key,automated,"
        )),
        "{text}"
    );
    assert!(text.lines().count() > 45 + 40, "the demo's mail and calls");
    assert_eq!(text.lines().filter(|l| l.contains(",call,")).count(), 40);
    let preview = tidings(dir.path(), &["--config", "t.toml", "digest", "preview"]);
    let preview = String::from_utf8_lossy(&preview.stdout);
    assert!(preview.contains("contact-volume"), "{preview}");
    tidings::guard::check_free_text("preview", &preview).unwrap();
}

#[test]
fn a_missing_drop_folder_is_reported_not_created() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[http]\nenabled = false\n[letters]\nenabled = false\n[calls]\npath = \"nowhere/calls\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("data/inbox/mail")).unwrap();
    let out = tidings(dir.path(), &["--config", "t.toml", "run", "--once"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nowhere/calls") && err.contains("[calls] path"),
        "{err}"
    );
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn run_since_takes_a_past_iso_date() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), "[http]\nenabled = false\n").unwrap();
    for (value, expected) in [("2025-13-01", "YYYY-MM-DD"), ("2999-01-01", "future")] {
        let args = ["--config", "t.toml", "run", "--once", "--since", value];
        let out = tidings(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--since") && err.contains(expected), "{err}");
    }
}
