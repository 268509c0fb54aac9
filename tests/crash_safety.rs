//! Crash safety: `kill -9` of `tidings run --once` at several points during a backfill, then
//! a run to completion — every message is stored exactly once.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

const MESSAGES: usize = 3000;

#[tokio::test]
async fn kill_9_during_backfill_loses_nothing_and_duplicates_nothing() {
    let s = common::Services::from_env();
    let user = common::unique_name("crash");
    let mut conn = common::imap_login(&s, &user).await;
    let now = chrono::Utc::now().timestamp();
    for m in tidings::sample::typical(MESSAGES, now, 99) {
        conn.append("INBOX", &m.bytes).await.unwrap();
    }
    conn.logout().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = \"sqlite://{}/t.db\"\n[http]\nenabled = false\n[dropfolder]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n\
             [[imap.accounts]]\nname = \"crash\"\nhost = \"{}\"\nport = {}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{}\"\nfetch_batch_messages = 100\n",
            dir.path().display(),
            s.imap_host,
            s.imap_port,
            s.imap_password
        ),
    )
    .unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--config")
            .arg(&config)
            .args(["run", "--once"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // Deterministic "random" kill points, from just after start to well into the backfill.
    let mut rng = tidings::sample::Rng::new(2026);
    for _ in 0..8 {
        let mut child = run();
        std::thread::sleep(Duration::from_millis(30 + rng.below(400)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let status = run().wait().unwrap();
    assert!(status.success());

    let out = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--config")
        .arg(&config)
        .args(["export", "items", "--format", "jsonl"])
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), MESSAGES, "every message stored exactly once");
    let refs: HashSet<&str> = items
        .iter()
        .map(|i| i["item_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), MESSAGES);
}
