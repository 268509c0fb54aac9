//! The sections of `tidings.toml`. Every field has a doc comment and a default, so an empty
//! file is a working configuration (SQLite, drop folder, HTTP on loopback).

use crate::ingest::imap::config::ImapAccountConfig;
use crate::outbound::config::SmtpConfig;
use serde::Deserialize;
use std::path::PathBuf;

/// The whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the contact log is kept.
    pub store: StoreConfig,
    /// Health, readiness and metrics endpoints.
    pub http: HttpConfig,
    /// Log output.
    pub log: LogConfig,
    /// Who the organisation is: its name and the domains its staff mail from.
    pub organisation: OrganisationConfig,
    /// The folder of `.eml` files watched for new mail.
    pub dropfolder: DropFolderConfig,
    /// IMAP mailboxes.
    pub imap: ImapConfig,
    /// Telephone call logs: region, time zone, own numbers and column mappings.
    pub calls: crate::ingest::calls::CallsConfig,
    /// Advisory flag rules.
    pub flags: FlagsConfig,
    /// The weekly digest.
    pub digest: DigestConfig,
    /// Outbound mail server; required to send digests.
    pub smtp: Option<SmtpConfig>,
}

/// `[store]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `sqlite://PATH` (embedded default; the file is created) or `postgres://…` (scale-out).
    pub url: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/tidings.db".to_string(),
        }
    }
}

/// `[http]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Listen address for `/healthz`, `/readyz` and `/metrics`.
    pub listen: String,
    /// Set to false to run without the HTTP server.
    pub enabled: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_string(),
            enabled: true,
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `[log]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `tidings=debug,sqlx=warn`; `RUST_LOG` wins if set.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_string(),
        }
    }
}

/// `[organisation]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganisationConfig {
    /// The organisation's name, shown in digests.
    pub name: String,
    /// Mail domains of staff. Addresses at these domains (and their subdomains) are staff,
    /// never customers.
    pub staff_domains: Vec<String>,
}

impl Default for OrganisationConfig {
    fn default() -> Self {
        Self {
            name: "Tidings".to_string(),
            staff_domains: vec!["example.org".to_string()],
        }
    }
}

/// `[dropfolder]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DropFolderConfig {
    /// Watch the folder at all.
    pub enabled: bool,
    /// Folder of `.eml` files. Each file is moved to `processed/` under it once stored.
    pub path: PathBuf,
    /// Seconds between scans in the daemon.
    pub poll_interval_secs: u64,
}

impl Default for DropFolderConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: PathBuf::from("data/inbox/mail"),
            poll_interval_secs: 5,
        }
    }
}

/// `[imap]`
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImapConfig {
    /// Mailbox accounts, each with its folders (`[[imap.accounts]]`).
    pub accounts: Vec<ImapAccountConfig>,
}

/// `[flags]`
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlagsConfig {
    /// The `contact-volume` pattern.
    pub contact_volume: ContactVolumeConfig,
}

/// `[flags.contact_volume]`: raised when a customer's contacts in the window reach an absolute
/// threshold *and* exceed a percentile of all customers who made contact in that window.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactVolumeConfig {
    /// Evaluate this rule at all.
    pub enabled: bool,
    /// Length of the sliding window, in days.
    pub window_days: u32,
    /// Absolute threshold: at least this many inbound contacts in the window.
    pub min_contacts: u32,
    /// Population percentile (0–100) the count must exceed.
    pub percentile: f64,
    /// Days until a raised flag expires.
    pub expiry_days: u32,
}

impl Default for ContactVolumeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_days: 28,
            min_contacts: 10,
            percentile: 95.0,
            expiry_days: 90,
        }
    }
}

/// `[digest]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// Send digests from the daemon on the schedule.
    pub enabled: bool,
    /// Cron expression with seconds (`sec min hour day-of-month month day-of-week`), UTC.
    pub schedule: String,
    /// Managers who receive the digest.
    pub recipients: Vec<DigestRecipient>,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule: "0 0 7 * * Mon".to_string(),
            recipients: Vec::new(),
        }
    }
}

/// One digest recipient (`[[digest.recipients]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestRecipient {
    /// Name used in the greeting.
    pub name: Option<String>,
    /// Email address.
    pub email: String,
}
