//! The daemon against the real Dovecot: IDLE brings new mail into the log within seconds;
//! a Dovecot restart is survived by reconnecting on its own; SIGTERM stops it cleanly.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tidings::store::Store;

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Fay <fay@home.example>\r\nTo: desk@fire.example\r\nSubject: Live {n}\r\nMessage-ID: <live-{n}@home.example>\r\n\r\nbody {n}\r\n"
    )
    .into_bytes()
}

async fn item_count(url: &str) -> usize {
    match Store::connect(url).await {
        Ok(store) => {
            let n = store.export_items().await.map(|i| i.len()).unwrap_or(0);
            store.close().await;
            n
        }
        Err(_) => 0,
    }
}

async fn wait_items(url: &str, want: usize, timeout: Duration) -> Duration {
    let started = Instant::now();
    while item_count(url).await < want {
        assert!(
            started.elapsed() < timeout,
            "waited {timeout:?} for {want} item(s)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn idle_delivers_new_mail_and_the_daemon_survives_a_server_restart() {
    let s = common::Services::from_env();
    let user = common::unique_name("live");
    let mut conn = common::imap_login(&s, &user).await;
    conn.append("INBOX", &message(0)).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = \"{url}\"\n[http]\nenabled = false\n[dropfolder]\nenabled = false\n[calls]\nenabled = false\n[letters]\nenabled = false\n\
             [[imap.accounts]]\nname = \"live\"\nhost = \"{}\"\nport = {}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{}\"\n\
             idle = true\npoll_interval_secs = 600\ntimeout_secs = 10\n",
            s.imap_host, s.imap_port, s.imap_password
        ),
    )
    .unwrap();
    let daemon = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // The backfill, then IDLE: a new message arrives without waiting for the 10-minute poll.
    wait_items(&url, 1, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    conn.append("INBOX", &message(1)).await.unwrap();
    let latency = wait_items(&url, 2, Duration::from_secs(20)).await;
    eprintln!("IDLE: APPEND to stored in {latency:?}");
    let _ = conn.logout().await;

    // Dovecot restarts under the daemon; mail sent meanwhile still arrives, once.
    let restarted = Command::new(&s.dovecot_restart).status().unwrap();
    assert!(restarted.success());
    let mut conn = common::imap_login(&s, &user).await;
    conn.append("INBOX", &message(2)).await.unwrap();
    conn.append("INBOX", &message(3)).await.unwrap();
    wait_items(&url, 4, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(item_count(&url).await, 4);

    // SIGTERM: in-flight work finishes and the daemon exits 0.
    common::stop_with_sigterm(daemon);
}
