//! `tidings bench`: end-to-end throughput runs that print figures (recorded in
//! docs/benchmarks.md). Each run builds its own input and a fresh store; nothing is asserted.

use crate::ingest::archive::{self, ImportReport};
use crate::ingest::imap::client::ImapConnection;
use crate::ingest::imap::config::ImapAccountConfig;
use crate::ingest::imap::source::ImapSource;
use crate::ingest::Funnel;
use crate::store::Store;
use std::path::Path;
use std::time::Instant;

pub mod calls;
pub mod flags;
pub mod idle_route;
pub mod letter_fields;
pub mod letters;
pub mod routing;

pub use calls::{calls, CallShape, CallsFigures};
pub use flags::{flags, FlagsFigures};
pub use letters::{letters, LettersFigures};
pub use routing::{routing, RoutingFigures};

/// Size of the attachment in `--large` messages.
const LARGE_BYTES: usize = 25 * 1024 * 1024;

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

/// Resets the peak resident memory (VmHWM) to the current resident size, so the next
/// [`peak_rss_mb`] reports the peak of what follows; does nothing where the OS does not allow it.
pub fn reset_peak_rss() {
    // Linux: writing 5 to clear_refs resets the peak RSS of the process.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn fresh_store(url: Option<&str>, dir: &Path) -> Result<Store, BenchError> {
    let url = url.map_or_else(
        || format!("sqlite://{}/bench.db", dir.display()),
        str::to_string,
    );
    Store::open(&url).await.map_err(setup)
}

/// Generates `messages` typical messages as a Maildir and imports them into a fresh store.
pub async fn maildir(
    messages: usize,
    large: usize,
    store_url: Option<&str>,
) -> Result<ImportReport, BenchError> {
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
    for n in 0..large {
        let m = crate::sample::with_attachment(n, now, LARGE_BYTES);
        std::fs::write(
            maildir.join("cur").join(format!("large{n}.bench:2,S")),
            &m.bytes,
        )
        .map_err(setup)?;
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
    /// Typical messages the mailbox should hold.
    pub messages: usize,
    /// Messages with a 25 MB attachment added when filling.
    pub large: usize,
    /// Fill by writing files into this Maildir instead of APPEND.
    pub fill_maildir: Option<std::path::PathBuf>,
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

/// A plain-IMAP account for a benchmark (`settings` adds TOML keys) and a second connection
/// to it for setting up and appending.
async fn connect_account(
    settings: &str,
    (host, port, user, password): (&str, u16, &str, &str),
) -> Result<(ImapAccountConfig, ImapConnection), BenchError> {
    let account: ImapAccountConfig = toml::from_str(&format!(
        "{settings}host = \"{host}\"\nport = {port}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword = \"{password}\"\n"
    ))
    .map_err(setup)?;
    let credentials = account.credentials().await.map_err(BenchError::Setup)?;
    let conn = ImapConnection::connect(&account.endpoint(), &credentials)
        .await
        .map_err(setup)?;
    Ok((account, conn))
}

/// Fills the account's INBOX up to `messages` (APPEND), then times a full backfill into a
/// fresh store, and — when `mbsync` is installed — `mbsync` downloading the same mailbox.
pub async fn imap(b: &ImapBench) -> Result<(), BenchError> {
    let dir = tempfile::tempdir().map_err(setup)?;
    let (account, mut conn) = connect_account(
        "name = \"bench\"\nidle = false\nfetch_batch_messages = 2000\n",
        (&b.host, b.port, &b.user, &b.password),
    )
    .await?;
    let state = conn.examine("INBOX").await.map_err(setup)?;
    let have = state.exists as usize;
    if have < b.messages {
        let started = Instant::now();
        let now = chrono::Utc::now().timestamp();
        let mut messages: Vec<Vec<u8>> = Vec::new();
        for m in crate::sample::typical(b.messages - have, now, have as u64 + 1) {
            messages.push(m.bytes);
        }
        for n in 0..b.large {
            messages.push(crate::sample::with_attachment(n, now, LARGE_BYTES).bytes);
        }
        let count = messages.len();
        match &b.fill_maildir {
            Some(dir) => write_maildir(dir, messages).map_err(setup)?,
            None => {
                for m in messages {
                    conn.append("INBOX", &m).await.map_err(setup)?;
                }
            }
        }
        println!(
            "bench imap: added {count} messages in {:.1} s",
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
    // The link stage decides each batch's customers in the batch's own transaction (within
    // the backfill time); anything left waiting is decided after, timed on its own.
    let linking = Instant::now();
    let linked = crate::pipeline::identity::stage::run(&store)
        .await
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let link_secs = linking.elapsed().as_secs_f64();
    let with_links = f64::from(total) / (secs + link_secs);
    store.close().await;
    println!(
        "bench imap: tidings backfilled {total} messages in {secs:.2} s = {ours:.0} msgs/s into {:?} (stored {}, duplicates {}, quarantined {}); peak RSS {:.0} MB",
        store.kind(),
        outcome.stored,
        outcome.duplicates,
        outcome.quarantined,
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    println!(
        "bench imap: the link stage decided {} item(s) in the batches' transactions, then {} in {link_secs:.2} s; backfill and linking {:.2} s = {with_links:.0} msgs/s",
        outcome.linked.decided,
        linked.decided,
        secs + link_secs
    );
    if let Some(theirs) = mbsync(b, dir.path()) {
        let rate = f64::from(total) / theirs;
        println!(
            "bench imap: mbsync downloaded {total} messages in {theirs:.2} s = {rate:.0} msgs/s; tidings ÷ mbsync = {:.2} (backfill), {:.2} (backfill and linking)",
            ours / rate,
            with_links / rate
        );
    }
    Ok(())
}

/// Writes messages into `dir/cur` as the server's Maildir, owned like `dir`.
fn write_maildir(dir: &Path, messages: Vec<Vec<u8>>) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let owner = std::fs::metadata(dir)?;
    let cur = dir.join("cur");
    std::fs::create_dir_all(&cur)?;
    let stamp = chrono::Utc::now().timestamp();
    for (i, bytes) in messages.into_iter().enumerate() {
        let path = cur.join(format!("{stamp}.B{i}.tidings-bench:2,"));
        std::fs::write(&path, bytes)?;
        std::os::unix::fs::chown(&path, Some(owner.uid()), Some(owner.gid()))?;
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

/// Runs the IMAP source with IDLE against a fresh store and times, for each of `samples`
/// messages, APPEND (from a second connection) → item committed. Prints p50, p95 and max.
pub async fn idle(args: &crate::cli::IdleBenchArgs) -> Result<(), BenchError> {
    if let Some(port) = args.smtp_port {
        return idle_route::idle_route(args, port).await;
    }
    let dir = tempfile::tempdir().map_err(setup)?;
    let (account, mut conn) = connect_account(
        "name = \"idle\"\nidle = true\npoll_interval_secs = 600\n",
        (&args.host, args.port, &args.user, &args.password),
    )
    .await?;
    let store = fresh_store(None, dir.path()).await?;
    let funnel = Funnel::new(store.clone(), &["example.org".to_string()]);
    let cancel = tokio_util::sync::CancellationToken::new();
    let source = tokio::spawn(ImapSource::new(account, funnel).run(cancel.clone()));
    let source_name = crate::ingest::imap::source::source_name("idle", "INBOX");
    let ready = Instant::now();
    while store
        .checkpoint(&source_name)
        .await
        .map_err(setup)?
        .is_none()
    {
        if ready.elapsed().as_secs() > 60 {
            return Err(BenchError::Setup(
                "the source did not finish its first sync within 60 s".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (start_items, _, _) = store.counts().await.map_err(setup)?;
    let now = chrono::Utc::now().timestamp();
    let mut latencies = Vec::with_capacity(args.samples);
    for (i, m) in crate::sample::typical(args.samples, now, now as u64).enumerate() {
        // Let the source settle back into IDLE before the next message.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let started = Instant::now();
        conn.append("INBOX", &m.bytes).await.map_err(setup)?;
        loop {
            let (items, _, _) = store.counts().await.map_err(setup)?;
            if items > start_items + i as i64 {
                break;
            }
            if started.elapsed().as_secs() > 60 {
                return Err(BenchError::Run(format!(
                    "message {i} did not arrive within 60 s"
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        latencies.push(started.elapsed().as_secs_f64());
    }
    cancel.cancel();
    let _ = source.await;
    let _ = conn.logout().await;
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    println!(
        "bench idle: {} messages, APPEND → stored: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        latencies.len(),
        at(0.5) * 1000.0,
        at(0.95) * 1000.0,
        at(1.0) * 1000.0
    );
    Ok(())
}
