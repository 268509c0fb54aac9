//! End to end, against the real services `scripts/test` starts: messages APPENDed to Dovecot
//! → `tidings run --once` → the export lists each exactly once, linked to the right
//! customer; a second run adds nothing; the digest reaches the SMTP server with the
//! high-volume pattern and its figures, and without labelling words. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::Services;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const HIGH_VOLUME: &str = "sam.sender@home.example";
const HIGH_VOLUME_COUNT: usize = 12;

fn message(n: usize, from: &str, to: &str, subject: &str, at: i64) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc2822();
    format!(
        "From: Resident {n} <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <e2e-{n}-{at}@home.example>\r\n\r\nHello, this is message {n}.\r\n"
    )
    .into_bytes()
}

/// Appends the test mailbox and returns (message-id → sender) for the readable messages.
async fn fill_mailbox(services: &Services, user: &str) -> HashMap<String, String> {
    let mut conn = common::imap_login(services, user).await;
    let now = chrono::Utc::now().timestamp();
    let mut expected = HashMap::new();
    let mut n = 0;
    let staff = [
        "desk@fire.example",
        "chief@fire.example",
        "safety@fire.example",
    ];
    for sender in 0..8 {
        for _ in 0..=(sender % 2) {
            let from = format!("resident{sender}@home.example");
            let bytes = message(
                n,
                &from,
                staff[n % 3],
                "Smoke alarm",
                now - 3600 * (n as i64 + 1),
            );
            conn.append("INBOX", &bytes).await.unwrap();
            expected.insert(
                format!("e2e-{n}-{}@home.example", now - 3600 * (n as i64 + 1)),
                from,
            );
            n += 1;
        }
    }
    for i in 0..HIGH_VOLUME_COUNT {
        let at = now - 1800 * (i as i64 + 1);
        conn.append(
            "INBOX",
            &message(
                n,
                HIGH_VOLUME,
                staff[i % 3],
                "Hydrant outside number 12",
                at,
            ),
        )
        .await
        .unwrap();
        expected.insert(
            format!("e2e-{n}-{at}@home.example"),
            HIGH_VOLUME.to_string(),
        );
        n += 1;
    }
    // No usable sender: kept, unlinked, for a person to link — not dropped, not quarantined.
    conn.append(
        "INBOX",
        b"Subject: no sender here\r\nMessage-ID: <nosender@x>\r\n\r\nbody\r\n",
    )
    .await
    .unwrap();
    // Bad input: not a message at all. It must be quarantined, not dropped, and not block
    // the rest.
    conn.append("INBOX", b"this is not an email message\r\n")
        .await
        .unwrap();
    conn.logout().await.unwrap();
    expected
}

fn write_config(
    dir: &Path,
    services: &Services,
    store_url: &str,
    user: &str,
    manager: &str,
) -> std::path::PathBuf {
    let path = dir.join("tidings.toml");
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
[[imap.accounts]]
name = "e2e"
host = "{host}"
port = {port}
security = "plain"
username = "{user}"
password = "{password}"
[digest]
schedule = "0 0 7 * * Mon"
recipients = [{{ name = "Service Manager", email = "{manager}" }}]
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
from = "Tidings <tidings@fire.example>"
"#,
        drop = dir.join("drop").display(),
        host = services.imap_host,
        port = services.imap_port,
        password = services.imap_password,
        smtp_port = services.smtp_port,
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn tidings(config: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tidings {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn end_to_end(store_url: String) {
    let services = Services::from_env();
    let user = common::unique_name("e2e");
    let manager = format!("{}@fire.example", common::unique_name("manager"));
    let expected = fill_mailbox(&services, &user).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &services, &store_url, &user, &manager);

    let first = tidings(&config, &["run", "--once"]);
    assert!(
        first.contains(&format!("stored {} new item(s)", expected.len() + 1)),
        "{first}"
    );

    // Every readable message exactly once, linked to its sender's customer.
    let mut items = jsonl(&tidings(&config, &["export", "items", "--format", "jsonl"]));
    let unlinked = items
        .iter()
        .position(|i| i["item_ref"] == "nosender@x")
        .expect("the message without a sender is kept");
    let unlinked = items.remove(unlinked);
    assert!(unlinked["customer_key"].is_null(), "{unlinked}");
    assert!(tidings(&config, &["links", "review"]).contains("nosender@x"));
    assert_eq!(items.len(), expected.len());
    let refs: HashSet<&str> = items
        .iter()
        .map(|i| i["item_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), expected.len());
    let mut key_of_sender: HashMap<String, String> = HashMap::new();
    for item in &items {
        let sender = &expected[item["item_ref"].as_str().unwrap()];
        assert_eq!(item["counterpart"].as_str(), Some(sender.as_str()));
        assert_eq!(item["direction"], "inbound");
        let key = item["customer_key"].as_str().unwrap().to_string();
        assert_eq!(
            key_of_sender
                .entry(sender.clone())
                .or_insert_with(|| key.clone()),
            &key,
            "one customer per sender"
        );
        assert!(
            !item["staff"].as_array().unwrap().is_empty(),
            "staff reached are recorded"
        );
    }
    assert_eq!(
        key_of_sender.values().collect::<HashSet<_>>().len(),
        9,
        "nine senders, nine customers"
    );

    // The unreadable message is quarantined with its reason.
    let quarantine = tidings(&config, &["quarantine", "list"]);
    assert_eq!(quarantine.lines().count(), 1, "{quarantine}");
    assert!(quarantine.contains("not an email message"), "{quarantine}");

    // A second pass adds nothing.
    let second = tidings(&config, &["run", "--once"]);
    assert!(second.contains("stored 0 new item(s)"), "{second}");
    assert_eq!(
        jsonl(&tidings(&config, &["export", "items", "--format", "jsonl"])).len(),
        expected.len() + 1
    );

    // One contact-volume flag, for the high-volume sender, with its evidence. (Writing about
    // one hydrant to three staff members is also a staff-spread pattern.)
    let all = jsonl(&tidings(&config, &["export", "flags", "--format", "jsonl"]));
    let flags: Vec<_> = all
        .iter()
        .filter(|f| f["kind"] == "contact-volume")
        .collect();
    assert_eq!(flags.len(), 1, "{all:?}");
    assert_eq!(flags[0]["subject"], flags[0]["customer_key"]);
    assert_eq!(
        flags[0]["customer_key"].as_str(),
        Some(key_of_sender[HIGH_VOLUME].as_str())
    );
    assert_eq!(flags[0]["figures"]["contacts"], HIGH_VOLUME_COUNT);
    assert_eq!(
        flags[0]["evidence"].as_array().unwrap().len(),
        HIGH_VOLUME_COUNT
    );

    // The digest arrived once, with the pattern and its figures and no labelling words.
    common::wait_for(
        "the digest at the SMTP sink",
        Duration::from_secs(20),
        || !common::smtp_messages_for(&services.smtp_dir, &manager).is_empty(),
    );
    let digests = common::smtp_messages_for(&services.smtp_dir, &manager);
    assert_eq!(digests.len(), 1, "sent once across two runs");
    let parsed = mail_parser::MessageParser::default()
        .parse(digests[0].as_bytes())
        .unwrap();
    let digest = format!(
        "{}\n{}\n{}",
        parsed.subject().unwrap_or_default(),
        parsed.body_text(0).unwrap_or_default(),
        parsed.body_html(0).unwrap_or_default()
    );
    let digest = &digest;
    assert!(digest.contains("contact-volume"), "{digest}");
    assert!(digest.contains(&key_of_sender[HIGH_VOLUME]), "{digest}");
    assert!(digest.contains(&HIGH_VOLUME_COUNT.to_string()), "{digest}");
    tidings::guard::check_free_text("digest", digest).unwrap();
}

#[tokio::test]
async fn end_to_end_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    end_to_end(format!("sqlite://{}/tidings.db", dir.path().display())).await;
}

#[tokio::test]
async fn end_to_end_on_postgres() {
    let services = Services::from_env();
    end_to_end(common::fresh_pg_database(&services.pg_admin_url).await).await;
}
