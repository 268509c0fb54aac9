//! Shared helpers for integration tests that talk to the real test services.
//!
//! `scripts/test` starts a private Dovecot, an SMTP sink and PostgreSQL
//! (`scripts/services/up`) and exports their settings as `TIDINGS_TEST_*` variables; this
//! module reads them and gives each test something of its own: a unique IMAP user or folder, a
//! fresh PostgreSQL database, the sink's messages for one recipient. See docs/testing.md.
//!
//! Each test file opts in with `mod common;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor, PgConnection};

/// Runs the real `tidings` binary in `dir` with `args`, without the caller's
/// `TIDINGS_CONFIG` or `RUST_LOG`, and returns what it printed.
pub fn tidings_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
        .current_dir(dir)
        .args(args)
        .env_remove("TIDINGS_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("the tidings binary runs")
}

/// The standard output of a command that must succeed; its output is shown when it fails.
pub fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Where the test services listen, as written by `scripts/services/up` to its env file.
#[derive(Debug, Clone)]
pub struct Services {
    /// IMAP host (always 127.0.0.1).
    pub imap_host: String,
    /// Plain IMAP port (STARTTLS offered; plaintext LOGIN allowed).
    pub imap_port: u16,
    /// IMAPS (implicit TLS) port; the certificate is for `localhost` and `127.0.0.1`.
    pub imaps_port: u16,
    /// PEM file of the private CA that signed the IMAPS certificate.
    pub imap_ca: PathBuf,
    /// Password (and XOAUTH2/OAUTHBEARER token) accepted for every user name.
    pub imap_password: String,
    /// Script that restarts the private Dovecot; takes `restart` (default), `stop` or `start`.
    pub dovecot_restart: PathBuf,
    /// The private Dovecot's configuration, for `doveadm -c <conf> …`.
    pub dovecot_conf: PathBuf,
    /// SMTP sink port (no TLS; AUTH PLAIN/LOGIN accepted with any credentials, never required).
    pub smtp_port: u16,
    /// Directory where the sink stores each received message as `<n>-<uuid>.eml`.
    pub smtp_dir: PathBuf,
    /// Admin URL of PostgreSQL (`postgres` database); use [`fresh_pg_database`] per test.
    pub pg_admin_url: String,
}

impl Services {
    /// Reads the services' settings from the `TIDINGS_TEST_*` environment variables.
    ///
    /// # Panics
    /// When a variable is missing or malformed: integration tests run under `scripts/test`,
    /// or by hand after `source /tmp/tidings-services/env`.
    pub fn from_env() -> Services {
        Services {
            imap_host: var("TIDINGS_TEST_IMAP_HOST"),
            imap_port: port("TIDINGS_TEST_IMAP_PORT"),
            imaps_port: port("TIDINGS_TEST_IMAPS_PORT"),
            imap_ca: var("TIDINGS_TEST_IMAP_CA").into(),
            imap_password: var("TIDINGS_TEST_IMAP_PASSWORD"),
            dovecot_restart: var("TIDINGS_TEST_DOVECOT_RESTART").into(),
            dovecot_conf: var("TIDINGS_TEST_DOVECOT_CONF").into(),
            smtp_port: port("TIDINGS_TEST_SMTP_PORT"),
            smtp_dir: var("TIDINGS_TEST_SMTP_DIR").into(),
            pg_admin_url: var("TIDINGS_TEST_PG_URL"),
        }
    }

    /// Runs the Dovecot restart script with `action` (`restart`, `stop` or `start`) and waits
    /// for it; `start`/`restart` return once both IMAP ports accept connections. Stopping
    /// drops every open IMAP connection (of every test: prefer a dedicated test binary).
    pub fn dovecot(&self, action: &str) {
        let status = std::process::Command::new(&self.dovecot_restart)
            .arg(action)
            .status()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.dovecot_restart.display()));
        assert!(
            status.success(),
            "{} {action} failed: {status}",
            self.dovecot_restart.display()
        );
    }
}

fn var(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: run integration tests with `scripts/test` (it starts the test \
             services), or by hand: `scripts/services/up && source /tmp/tidings-services/env`"
        ),
    }
}

fn port(name: &str) -> u16 {
    let value = var(name);
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}={value:?} is not a port number"))
}

/// A name no other test (in this or a concurrent run) uses: `prefix` lower-cased with anything
/// but ASCII letters, digits and `_` turned into `_` (at most 24 characters), then the process
/// id, a per-process counter and the time in nanoseconds. Fits PostgreSQL's 63-byte limit, and
/// works as an IMAP user or folder name.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{clean}_{}_{count}_{nanos}", std::process::id())
}

/// Creates an empty PostgreSQL database with a unique name and returns its URL (the admin URL
/// with the database swapped). The database is left behind; names never repeat.
///
/// # Panics
/// When PostgreSQL cannot be reached or refuses `CREATE DATABASE`.
pub async fn fresh_pg_database(admin_url: &str) -> String {
    let name = unique_name("tidings_test");
    let mut admin = PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {admin_url}: {e}"));
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    admin.close().await.ok();
    database_url(admin_url, &name)
}

/// `url` with its database (the path) replaced by `name`; a query string is kept.
pub fn database_url(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// The value of header `name` in a stored message's header block, unfolded, for exact
/// header checks.
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or(message);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The messages (full text, `X-Sink-*` headers first) the SMTP sink in `dir` received for
/// `rcpt`, oldest first. Recipients are compared case-insensitively against the envelope
/// recipients in each file's `X-Sink-Rcpt-To:` header.
pub fn smtp_messages_for(dir: &Path, rcpt: &str) -> Vec<String> {
    let wanted = rcpt.trim().to_ascii_lowercase();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "eml")
                    && !path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect(),
        Err(e) => panic!("reading the SMTP sink directory {}: {e}", dir.display()),
    };
    // `<n>-<uuid>.eml` with a zero-padded counter: name order is arrival order.
    files.sort();
    files
        .into_iter()
        .filter_map(|path| std::fs::read(&path).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .filter(|text| {
            text.lines()
                .take_while(|line| !line.trim_end().is_empty())
                .filter_map(|line| line.strip_prefix("X-Sink-Rcpt-To:"))
                .flat_map(|list| list.split(','))
                .any(|addr| addr.trim().to_ascii_lowercase() == wanted)
        })
        .collect()
}

/// Polls `f` every 50 ms until it returns true.
///
/// Blocks the calling thread, so in a `#[tokio::test]` the runtime (current-thread by default)
/// makes no progress meanwhile: use it for things other processes do (the SMTP sink, Dovecot,
/// a spawned daemon), not for work spawned on the test's own runtime.
///
/// # Panics
/// When `f` is still false after `timeout`; the message names `what`.
pub fn wait_for<F: FnMut() -> bool>(what: &str, timeout: Duration, mut f: F) {
    let start = Instant::now();
    loop {
        if f() {
            return;
        }
        if start.elapsed() >= timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Logs in to the test Dovecot over plain IMAP as `user` (any name works, password `secret`).
pub async fn imap_login(
    services: &Services,
    user: &str,
) -> tidings::ingest::imap::client::ImapConnection {
    use tidings::ingest::imap::client::{Credentials, Endpoint, ImapConnection};
    let endpoint = Endpoint {
        account: user.to_string(),
        host: services.imap_host.clone(),
        port: services.imap_port,
        security: tidings::ingest::imap::config::Security::Plain,
        ca_file: None,
        timeout: Duration::from_secs(60),
    };
    let credentials = Credentials::Password {
        user: user.to_string(),
        password: tidings::config::Secret::new(services.imap_password.clone()),
    };
    ImapConnection::connect(&endpoint, &credentials)
        .await
        .expect("log in to the test Dovecot; is scripts/services/up running?")
}

/// Stops a daemon with SIGTERM and asserts it exits 0 (in-flight work finishes first).
pub fn stop_with_sigterm(mut daemon: std::process::Child) {
    let pid = daemon.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs")
        .success());
    let status = daemon.wait().expect("the daemon is waited for");
    assert!(
        status.success(),
        "SIGTERM stops the daemon cleanly: {status:?}"
    );
}
