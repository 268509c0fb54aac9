//! `tidings bench`: end-to-end throughput runs that print figures (recorded in
//! docs/benchmarks.md). Each run builds its own input and a fresh store; nothing is asserted.

use crate::ingest::archive::{self, ImportReport};
use crate::ingest::imap::client::{Credentials, ImapConnection};
use crate::ingest::imap::config::ImapAccountConfig;
use crate::ingest::imap::source::ImapSource;
use crate::ingest::Funnel;
use crate::store::Store;
use std::path::Path;
use std::time::Instant;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Setting up input failed.
    #[error("benchmark set-up failed: {0}")]
    Setup(String),
    /// The measured run failed.
    #[error("benchmark run failed: {0}")]
    Run(String),
}

fn setup<E: std::fmt::Display>(e: E) -> BenchError {
    BenchError::Setup(e.to_string())
}

/// Peak resident memory of this process so far (VmHWM), in MB, where the OS reports it.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

async fn fresh_store(url: Option<&str>, dir: &Path) -> Result<Store, BenchError> {
    let url = url.map_or_else(
        || format!("sqlite://{}/bench.db", dir.display()),
        str::to_string,
    );
    Store::open(&url).await.map_err(setup)
}

/// Generates `messages` typical messages as a Maildir and imports them into a fresh store.
pub async fn maildir(messages: usize, store_url: Option<&str>) -> Result<ImportReport, BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).map_err(setup)?;
    }
    let now = chrono::Utc::now().timestamp();
    for m in crate::sample::typical(messages, now, 42) {
        let name = format!("{}.bench:2,S", m.file_name.trim_end_matches(".eml"));
        std::fs::write(maildir.join("cur").join(name), &m.bytes).map_err(setup)?;
    }
    let store = fresh_store(store_url, dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let (count, items) = archive::maildir_messages(&maildir, "maildir").map_err(setup)?;
    let report = archive::import(&funnel, items, Some(count))
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    store.close().await;
    println!(
        "bench maildir: {} messages in {:.2} s = {:.0} msgs/s into {:?} (stored {}, duplicates {}, quarantined {}); peak RSS {:.0} MB",
        report.read,
        report.seconds,
        report.rate(),
        store.kind(),
        report.outcome.stored,
        report.outcome.duplicates,
        report.outcome.quarantined,
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    Ok(report)
}

/// Settings of `tidings bench imap`.
#[derive(Clone, Debug)]
pub struct ImapBench {
    /// Messages the mailbox should hold.
    pub messages: usize,
    /// Store URL (None: fresh SQLite).
    pub store_url: Option<String>,
    /// Server host.
    pub host: String,
    /// Plain IMAP port.
    pub port: u16,
    /// User.
    pub user: String,
    /// Password.
    pub password: String,
}

/// Fills the account's INBOX up to `messages` (APPEND), then times a full backfill into a
/// fresh store, and — when `mbsync` is installed — `mbsync` downloading the same mailbox.
pub async fn imap(b: &ImapBench) -> Result<(), BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let account: ImapAccountConfig = toml::from_str(&format!(
        "name = \"bench\"\nhost = \"{}\"\nport = {}\nsecurity = \"plain\"\nusername = \"{}\"\npassword = \"{}\"\nidle = false\nfetch_batch_messages = 2000\n",
        b.host, b.port, b.user, b.password
    ))
    .map_err(setup)?;
    let credentials = Credentials::Password {
        user: b.user.clone(),
        password: crate::config::Secret::new(b.password.clone()),
    };
    let mut conn = ImapConnection::connect(&account.endpoint(), &credentials)
        .await
        .map_err(setup)?;
    let state = conn.examine("INBOX").await.map_err(setup)?;
    let have = state.exists as usize;
    if have < b.messages {
        let started = Instant::now();
        let now = chrono::Utc::now().timestamp();
        for m in crate::sample::typical(b.messages - have, now, have as u64 + 1) {
            conn.append("INBOX", &m.bytes).await.map_err(setup)?;
        }
        println!(
            "bench imap: appended {} messages in {:.1} s",
            b.messages - have,
            started.elapsed().as_secs_f64()
        );
    }
    let total = conn.examine("INBOX").await.map_err(setup)?.exists;
    let _ = conn.logout().await;

    let store = fresh_store(b.store_url.as_deref(), dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let started = Instant::now();
    let outcome = ImapSource::new(account, funnel)
        .sync_once()
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let secs = started.elapsed().as_secs_f64();
    let ours = f64::from(total) / secs;
    store.close().await;
    println!(
        "bench imap: tidings backfilled {total} messages in {secs:.2} s = {ours:.0} msgs/s into {:?} (stored {}, duplicates {}, quarantined {}); peak RSS {:.0} MB",
        store.kind(),
        outcome.stored,
        outcome.duplicates,
        outcome.quarantined,
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    if let Some(theirs) = mbsync(b, dir.path()) {
        let rate = f64::from(total) / theirs;
        println!("bench imap: mbsync downloaded {total} messages in {theirs:.2} s = {rate:.0} msgs/s; tidings ÷ mbsync = {:.2}", ours / rate);
    }
    Ok(())
}

/// Times `mbsync` pulling the same INBOX into a fresh Maildir (on tmpfs when `/dev/shm`
/// exists, without fsync, as the yardstick in PERFORMANCE.md); None when unavailable.
fn mbsync(b: &ImapBench, dir: &Path) -> Option<f64> {
    let shm = tempfile::tempdir_in("/dev/shm").ok();
    let target = shm
        .as_ref()
        .map_or(dir, |d| d.path())
        .join("mbsync-maildir");
    std::fs::create_dir_all(&target).ok()?;
    let rc = dir.join("mbsyncrc");
    std::fs::write(
        &rc,
        format!(
            "FSync no\n\nIMAPAccount bench\nHost {}\nPort {}\nUser {}\nPass {}\nSSLType None\nAuthMechs LOGIN\n\n\
             IMAPStore remote\nAccount bench\n\nMaildirStore local\nPath {}/\nInbox {}/INBOX\n\n\
             Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX\nSync Pull\nCreate Near\nExpunge None\nSyncState *\n",
            b.host,
            b.port,
            b.user,
            b.password,
            target.display(),
            target.display()
        ),
    )
    .ok()?;
    let started = Instant::now();
    let status = std::process::Command::new("mbsync")
        .arg("-q")
        .arg("-c")
        .arg(&rc)
        .arg("bench")
        .status();
    match status {
        Ok(s) if s.success() => Some(started.elapsed().as_secs_f64()),
        Ok(s) => {
            println!("bench imap: mbsync failed ({s}); no yardstick this run");
            None
        }
        Err(_) => {
            println!("bench imap: mbsync not found (apt-get install isync); no yardstick this run");
            None
        }
    }
}
