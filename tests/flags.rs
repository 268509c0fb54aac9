//! Advisory flags end to end, through the real binary: a historical year of mail imported
//! from a Maildir, `run --once`, the flags export (a contact-volume flag with its own past
//! window; a safety item flag with its sentence), the immediate safety alert at the real SMTP
//! sink, the review lifecycle (note required and guard-checked; a dismissed flag is not
//! raised again by `flags recompute`), and `digest preview` changing nothing. Runs on SQLite
//! and on PostgreSQL.
#![allow(clippy::unwrap_used)] // a failed step should fail the test with its error

mod common;

use common::{succeeded, tidings_in, Services};
use std::path::Path;
use std::time::Duration;

/// 1 January 2025, 00:00 UTC.
const YEAR_START: i64 = 1_735_689_600;
const BURST: &str = "pat.burst@home.example";
const THREAT: &str = "lee.waiting@home.example";

fn eml(n: usize, from: &str, to: &str, subject: &str, at: i64, body: &str) -> String {
    let date = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc2822();
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <flags-{n}-{at}@home.example>\r\n\r\n{body}\r\n"
    )
}

/// A year of ordinary mail from 30 residents, ten messages in four days in March from one
/// customer, and a threat from another an hour ago.
fn write_maildir(root: &Path) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let mut n = 0;
    let mut put = |from: &str, subject: &str, at: i64, body: &str| {
        let text = eml(n, from, "station@fire.example", subject, at, body);
        std::fs::write(root.join("cur").join(format!("{n}.flags:2,")), text).unwrap();
        n += 1;
    };
    let topics = [
        "Smoke alarm fitting",
        "Hydrant check",
        "Open day",
        "Bonfire advice",
    ];
    for r in 0..30 {
        for k in 0..4 {
            let day = (r * 12 + k * 90) % 365;
            let at = YEAR_START + day * 86_400 + 10 * 3600;
            put(
                &format!("resident{r}@mail.example.net"),
                topics[k as usize],
                at,
                "Could you let me know when someone is free to help with this? Thank you.",
            );
        }
    }
    for i in 0..10 {
        let at = YEAR_START + (70 + i / 3) * 86_400 + (9 + i % 3) * 3600;
        put(
            BURST,
            &format!("Fence by the station, message {i}"),
            at,
            "The fence is still broken.",
        );
    }
    let now = chrono::Utc::now().timestamp();
    put(
        THREAT,
        "Still waiting",
        now - 3600,
        "I have asked about the hydrant four times. If nobody fixes it I will come to the station and hurt someone.",
    );
}

fn write_config(dir: &Path, services: &Services, store_url: &str, alerts: &str) {
    std::fs::create_dir_all(dir.join("drop")).unwrap();
    let text = format!(
        r#"
[store]
url = "{store_url}"
[http]
enabled = false
[organisation]
name = "Test Fire and Rescue"
staff_domains = ["fire.example"]
[dropfolder]
path = "{drop}"
[calls]
enabled = false
[letters]
enabled = false
[digest]
enabled = false
[alerts]
safety_contacts = ["{alerts}"]
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
from = "Tidings <tidings@fire.example>"
"#,
        drop = dir.join("drop").display(),
        smtp_port = services.smtp_port,
    );
    std::fs::write(dir.join("t.toml"), text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--config", "t.toml"];
    all.extend_from_slice(args);
    succeeded(&tidings_in(dir, &all))
}

fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn flags(dir: &Path) -> Vec<serde_json::Value> {
    jsonl(&run(dir, &["export", "flags", "--format", "jsonl"]))
}

fn customer_key(dir: &Path, address: &str) -> String {
    jsonl(&run(dir, &["export", "customers", "--format", "jsonl"]))
        .into_iter()
        .find(|c| {
            c["identifiers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i.as_str() == Some(&format!("email:{address}")))
        })
        .unwrap_or_else(|| panic!("a customer for {address}"))["customer_key"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn story(store_url: String) {
    let services = Services::from_env();
    let dir = tempfile::tempdir().unwrap();
    let alerts = format!("{}@fire.example", common::unique_name("safety"));
    write_config(dir.path(), &services, &store_url, &alerts);
    let maildir = dir.path().join("archive");
    write_maildir(&maildir);
    run(
        dir.path(),
        &["import", "maildir", maildir.to_str().unwrap()],
    );
    let once = run(dir.path(), &["run", "--once"]);
    assert!(once.contains("1 safety alert(s) queued"), "{once}");

    // The burst of March 2025 is a contact-volume flag with its own past window, and its
    // evidence is exactly the ten contacts it counts.
    let burst = customer_key(dir.path(), BURST);
    let all = flags(dir.path());
    let volume: Vec<_> = all
        .iter()
        .filter(|f| f["kind"] == "contact-volume" && f["customer_key"] == burst.as_str())
        .collect();
    assert_eq!(volume.len(), 1, "{all:#?}");
    let flag = volume[0];
    assert_eq!(flag["subject"], burst.as_str());
    assert_eq!(flag["state"], "open");
    assert!(
        flag["window_start"]
            .as_str()
            .unwrap()
            .starts_with("2025-03"),
        "{flag}"
    );
    assert!(
        flag["window_end"].as_str().unwrap() < "2026-01-01",
        "{flag}"
    );
    assert_eq!(flag["figures"]["contacts"], 10);
    assert_eq!(flag["evidence"].as_array().unwrap().len(), 10);
    // Nobody else's ordinary year is flagged for volume.
    assert_eq!(
        all.iter().filter(|f| f["kind"] == "contact-volume").count(),
        1,
        "{all:#?}"
    );

    // The threat is a safety item flag on the item, with the matched sentence.
    let threat = customer_key(dir.path(), THREAT);
    let safety: Vec<_> = all.iter().filter(|f| f["kind"] == "safety").collect();
    assert_eq!(safety.len(), 1, "{all:#?}");
    assert_eq!(safety[0]["customer_key"], threat.as_str());
    assert_eq!(safety[0]["subject"], safety[0]["item_ref"]);
    assert!(
        safety[0]["sentence"]
            .as_str()
            .unwrap()
            .contains("hurt someone"),
        "{}",
        safety[0]
    );

    // The alert went out at once, to the safety contacts, through the real SMTP server.
    common::wait_for(
        "the safety alert at the SMTP sink",
        Duration::from_secs(20),
        || !common::smtp_messages_for(&services.smtp_dir, &alerts).is_empty(),
    );
    let mail = &common::smtp_messages_for(&services.smtp_dir, &alerts)[0];
    assert!(mail.contains("hurt someone"), "{mail}");
    assert!(mail.contains(&threat), "{mail}");
    tidings::guard::check_free_text("alert", mail).unwrap();

    // Review: a note is required and must describe, not label; a reviewed flag stays reviewed.
    let id = flag["flag_id"].as_i64().unwrap().to_string();
    let labelled = tidings_in(
        dir.path(),
        &[
            "--config",
            "t.toml",
            "flags",
            "dismiss",
            &id,
            "--note",
            "a vexatious customer",
            "--by",
            "jo",
        ],
    );
    assert!(!labelled.status.success());
    assert!(String::from_utf8_lossy(&labelled.stderr).contains("Describe the behaviour"));
    let note = "Looked at the ten emails: one broken fence, answered on 17 March.";
    let dismissed = run(
        dir.path(),
        &["flags", "dismiss", &id, "--note", note, "--by", "jo"],
    );
    assert!(dismissed.contains("dismissed by jo"), "{dismissed}");
    let again = tidings_in(
        dir.path(),
        &["--config", "t.toml", "flags", "ack", &id, "--note", "again"],
    );
    assert!(
        !again.status.success(),
        "a reviewed flag is not reviewed again"
    );
    let safety_id = safety[0]["flag_id"].as_i64().unwrap().to_string();
    run(
        dir.path(),
        &[
            "flags",
            "ack",
            &safety_id,
            "--note",
            "Passed to health and safety lead.",
        ],
    );

    // Judging the whole history again raises nothing new on the same evidence.
    let before = flags(dir.path()).len();
    let recompute = run(dir.path(), &["flags", "recompute"]);
    assert!(
        recompute.contains("0 item flag(s) and 0 pattern flag(s) raised"),
        "{recompute}"
    );
    let after = flags(dir.path());
    assert_eq!(after.len(), before, "{after:#?}");
    let reviewed = after
        .iter()
        .find(|f| f["flag_id"] == flag["flag_id"])
        .unwrap();
    assert_eq!(reviewed["state"], "dismissed");
    assert_eq!(reviewed["reviewed_by"], "jo");
    assert_eq!(reviewed["review_note"], note);

    // `flags show` explains the flag in words; `digest preview` changes nothing.
    let shown = run(dir.path(), &["flags", "show", &id]);
    assert!(shown.contains("10 contacts in 7 days"), "{shown}");
    assert!(shown.contains("Evidence:"), "{shown}");
    let preview = run(dir.path(), &["digest", "preview"]);
    assert!(preview.contains("Safety"), "{preview}");
    assert!(preview.contains("hurt someone"), "{preview}");
    tidings::guard::check_free_text("preview", &preview).unwrap();
    assert_eq!(flags(dir.path()), after, "digest preview changes nothing");
    let context = run(dir.path(), &["export", "context"]);
    assert!(
        context.starts_with("subject,customer_key,kind,sentence"),
        "{context}"
    );
}

#[tokio::test]
async fn flags_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    story(format!("sqlite://{}/tidings.db", dir.path().display())).await;
}

#[tokio::test]
async fn flags_story_on_postgres() {
    let services = Services::from_env();
    story(common::fresh_pg_database(&services.pg_admin_url).await).await;
}
