//! The binary's edges found in review: `config check` rejects unusable values and warns about
//! placeholders; errors print each cause once; read commands never create a store.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::tidings_in as tidings;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check(dir: &Path, config: &str) -> Output {
    std::fs::write(dir.join("t.toml"), config).unwrap();
    tidings(dir, &["--config", "t.toml", "config", "check"])
}

const STAFF: &str = "[organisation]\nstaff_domains = [\"fire.example\"]\n";

#[test]
fn config_check_rejects_unusable_values_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[flags.contact_volume]\nmin_contacts = [6, 0, 25]\n",
            "flags.contact_volume.min_contacts[1]",
        ),
        ("[flags]\nexpiry_days = 0\n", "flags.expiry_days"),
        (
            "[flags]\nwindow_days = [0, 30, 90]\n",
            "flags.window_days[0]",
        ),
        (
            "[log]\nlevel = \"verbose\"\n",
            "trace, debug, info, warn, error, off",
        ),
        (
            "[smtp]\nusername = \"u\"\npassword_file = \"missing-pw\"\n",
            "smtp.password_file",
        ),
    ];
    for (text, want) in cases {
        let out = check(dir.path(), &format!("{STAFF}{text}"));
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert!(
            err.contains(want) && err.contains("t.toml"),
            "{text}: {err}"
        );
    }
    let err = stderr(&check(
        dir.path(),
        &format!("{STAFF}[smtp]\nusername = \"u\"\npassword_file = \"missing-pw\"\n"),
    ));
    assert!(err.contains("missing-pw does not exist"), "{err}");
}

#[test]
fn config_check_warns_about_the_placeholder_staff_domain_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(dir.path(), "");
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning")
            && err.contains("example.org")
            && err.contains(
                "every staff member would count as a customer: set your staff mail domains"
            ),
        "{err}"
    );
    let out = check(dir.path(), STAFF);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

const UNREACHABLE_IMAP: &str = "[http]\nenabled = false\n[dropfolder]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n[[imap.accounts]]\nname = \"down\"\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\nusername = \"u\"\npassword = \"p\"\n";

#[test]
fn a_one_shot_failure_prints_each_cause_once_and_promises_no_retry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        format!("{STAFF}{UNREACHABLE_IMAP}"),
    )
    .unwrap();
    let out = tidings(dir.path(), &["--config", "t.toml", "run", "--once"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("tidings: "), "{err}");
    assert_eq!(
        last.matches("cannot connect to IMAP server").count(),
        1,
        "{last}"
    );
    assert_eq!(last.matches("refused").count(), 1, "{last}");
    assert!(
        !err.contains("retries") && !err.contains("retrying"),
        "{err}"
    );
}

#[test]
fn an_unreachable_database_in_a_one_shot_command_promises_no_retry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        format!(
            "{STAFF}[http]\nenabled = false\n[store]\nurl = \"postgres://u:p@127.0.0.1:1/db\"\n"
        ),
    )
    .unwrap();
    let out = tidings(dir.path(), &["--config", "t.toml", "run", "--once"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot open the database"), "{err}");
    assert_eq!(err.matches("cannot open the database").count(), 1, "{err}");
    assert!(!err.contains("retries"), "{err}");
}

#[test]
fn logs_written_to_a_pipe_hold_no_colour_escapes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        format!("{STAFF}{UNREACHABLE_IMAP}"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir.path())
        .args(["--config", "t.toml", "run", "--once"])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.lines().count() > 1, "expected log lines: {err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn importing_a_file_that_is_not_mbox_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        format!("{STAFF}[http]\nenabled = false\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("letter.eml"),
        "From: a@b.example\nSubject: hello\n\nbody\n",
    )
    .unwrap();
    let out = tidings(
        dir.path(),
        &["--config", "t.toml", "import", "mbox", "letter.eml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("letter.eml") && err.contains("does not start with a `From ` line"),
        "{err}"
    );
}

#[test]
fn read_commands_in_a_directory_without_a_database_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &["export", "items"],
        &["status"],
        &["quarantine", "list"],
        &["digest", "preview"],
    ];
    for args in commands {
        let out = tidings(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("no Tidings database at data/tidings.db: run `tidings run` or `tidings migrate` first, or pass --config"),
            "{args:?}: {err}"
        );
        assert!(!dir.path().join("data").exists(), "{args:?} created data/");
    }
    let out = tidings(dir.path(), &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tidings(dir.path(), &["export", "items"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A directory whose drop folder held one file that is not an email message, now quarantined as
/// entry 1.
fn one_quarantined_message() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        format!("{STAFF}[http]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("data/inbox/mail")).unwrap();
    std::fs::write(
        dir.path().join("data/inbox/mail/not-a-message.eml"),
        "The boiler is still broken.\nNobody has come.\n",
    )
    .unwrap();
    let out = tidings(dir.path(), &["--config", "t.toml", "run", "--once"]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--config", "t.toml"];
    all.extend_from_slice(args);
    tidings(dir, &all)
}

#[test]
fn the_quarantine_reason_names_real_commands() {
    let dir = one_quarantined_message();
    let list =
        String::from_utf8_lossy(&run(dir.path(), &["quarantine", "list"]).stdout).into_owned();
    assert!(list.starts_with("1\t"), "{list}");
    assert!(
        list.contains("`tidings quarantine retry ID`")
            && list.contains("`tidings quarantine dismiss ID --note TEXT`"),
        "{list}"
    );
    assert!(!list.contains("by hand"), "{list}");
}

#[test]
fn retrying_an_entry_that_does_not_exist_fails() {
    let dir = one_quarantined_message();
    let out = run(dir.path(), &["quarantine", "retry", "99"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no quarantine entry 99"),
        "{}",
        stderr(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("released"));
}

#[test]
fn a_dismissed_entry_records_who_when_and_why_and_leaves_the_open_list() {
    let dir = one_quarantined_message();
    let no_note = run(dir.path(), &["quarantine", "dismiss", "1"]);
    assert_eq!(no_note.status.code(), Some(2), "--note is required");
    let label = run(
        dir.path(),
        &[
            "quarantine",
            "dismiss",
            "1",
            "--note",
            "sent by a vexatious customer",
        ],
    );
    assert_eq!(label.status.code(), Some(1));
    assert!(
        stderr(&label).contains("note contains"),
        "{}",
        stderr(&label)
    );
    let missing = run(
        dir.path(),
        &["quarantine", "dismiss", "99", "--note", "duplicate"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no quarantine entry 99"),
        "{}",
        stderr(&missing)
    );

    let note = "Sender rang; the same text arrived by post and is logged";
    let out = run(
        dir.path(),
        &[
            "quarantine",
            "dismiss",
            "1",
            "--note",
            note,
            "--by",
            "j.okafor",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let open =
        String::from_utf8_lossy(&run(dir.path(), &["quarantine", "list"]).stdout).into_owned();
    assert!(open.contains("the quarantine is empty"), "{open}");
    let all = String::from_utf8_lossy(&run(dir.path(), &["quarantine", "list", "--all"]).stdout)
        .into_owned();
    assert!(all.starts_with("1\t"), "{all}");
    assert!(
        all.contains("dismissed 20") && all.contains(&format!("by j.okafor: {note}")),
        "{all}"
    );
    let status = String::from_utf8_lossy(&run(dir.path(), &["status"]).stdout).into_owned();
    assert!(status.contains("quarantined 0"), "{status}");
    let again = run(
        dir.path(),
        &["quarantine", "dismiss", "1", "--note", "again"],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("was dismissed by j.okafor"),
        "{}",
        stderr(&again)
    );
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn the_daemon_is_not_ready_while_its_only_source_fails() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    std::fs::write(
        dir.path().join("t.toml"),
        format!(
            "{STAFF}[http]\nlisten = \"{addr}\"\n[dropfolder]\nenabled = false\n\
             [calls]\nenabled = false\n[letters]\nenabled = false\n\
             [[imap.accounts]]\nname = \"down\"\nhost = \"127.0.0.1\"\nport = 1\n\
             security = \"plain\"\nusername = \"u\"\npassword = \"p\"\n"
        ),
    )
    .unwrap();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir.path())
        .args(["--config", "t.toml", "run"])
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        last = http_get(&addr, "/readyz");
        if last
            .as_deref()
            .is_some_and(|r| r.starts_with("HTTP/1.0 503"))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let response = last.unwrap_or_default();
    assert!(response.starts_with("HTTP/1.0 503"), "{response}");
    assert!(
        response.contains("not ready: every source failed its last attempt")
            && response.contains("source imap:down failing since 20"),
        "{response}"
    );
}
