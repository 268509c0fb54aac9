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
    /// The folder of telephone call-log exports, and column mappings.
    pub calls: crate::ingest::calls::CallsConfig,
    /// The folder of scanned letters, the OCR language and the scan limits.
    pub letters: crate::ingest::letters::LettersConfig,
    /// Advisory flag rules.
    pub flags: FlagsConfig,
    /// Immediate alerts.
    pub alerts: AlertsConfig,
    /// The weekly digest.
    pub digest: DigestConfig,
    /// Forwarding and copying inbound mail under contact arrangements.
    pub routing: crate::routing::RoutingConfig,
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
    /// The staff directory: a headed CSV with the columns
    /// `email,name,role,extensions,direct_dials,senior,service_area` (lists `;`-separated). It
    /// maps call extensions, direct dials and names, and letters' addressees, to staff.
    pub staff_directory: Option<PathBuf>,
    /// Role mailboxes (`enquiries@…`): places, not staff members. Mail to them reaches the
    /// organisation but no one person.
    pub shared_mailboxes: Vec<String>,
    /// The organisation's own telephone numbers (switchboard, queues), as dialled from
    /// outside: the organisation's side of a call, never a customer.
    pub own_numbers: Vec<String>,
    /// Region (ISO 3166 code) national telephone numbers are read in.
    pub region: String,
    /// Time zone (IANA name) of local times in call logs and of calendar days in digests.
    pub timezone: String,
    /// Mail providers whose addresses name no organisation (`export customers`
    /// `organisation_key` is derived from any other domain a customer writes from, and a full
    /// name at any other domain is a linking identifier, `name-domain`).
    pub webmail_domains: Vec<String>,
}

/// Common personal mail providers (UK and international).
const WEBMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "live.co.uk",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "aol.co.uk",
    "btinternet.com",
    "btopenworld.com",
    "sky.com",
    "talktalk.net",
    "virginmedia.com",
    "ntlworld.com",
    "blueyonder.co.uk",
    "tiscali.co.uk",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.co.uk",
    "mail.com",
    "zoho.com",
    "yandex.com",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
];

impl Default for OrganisationConfig {
    fn default() -> Self {
        Self {
            name: "Tidings".to_string(),
            staff_domains: vec!["example.org".to_string()],
            staff_directory: None,
            shared_mailboxes: Vec::new(),
            own_numbers: Vec::new(),
            region: "GB".to_string(),
            timezone: "Europe/London".to_string(),
            webmail_domains: WEBMAIL_DOMAINS.iter().map(|d| d.to_string()).collect(),
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
    /// A file is read only once it has not changed for this many seconds (a slow copy from a
    /// share); write under a temporary name and rename to avoid the wait.
    pub stable_secs: u64,
}

impl Default for DropFolderConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: PathBuf::from("data/inbox/mail"),
            poll_interval_secs: 5,
            stable_secs: 2,
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

/// `[flags]`: advisory flags, their windows and expiry (docs/flags.md says why each default).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlagsConfig {
    /// Sliding window lengths, in days, that pattern flags are counted over.
    pub window_days: Vec<u32>,
    /// Days until a raised flag expires and is deleted.
    pub expiry_days: u32,
    /// Counter-evidence: a reply from the organisation later than this many days after an
    /// inbound contact counts as late; none at all as missing.
    pub reply_days: u32,
    /// The `contact-volume` pattern.
    pub contact_volume: ContactVolumeConfig,
    /// The `staff-spread` pattern.
    pub staff_spread: StaffSpreadConfig,
    /// The `repeat-topic` pattern.
    pub repeat_topic: RepeatTopicConfig,
    /// The item flags and context read from each item's own words.
    pub signals: SignalsConfig,
}

impl Default for FlagsConfig {
    fn default() -> Self {
        Self {
            window_days: vec![7, 30, 90],
            expiry_days: 90,
            reply_days: 5,
            contact_volume: ContactVolumeConfig::default(),
            staff_spread: StaffSpreadConfig::default(),
            repeat_topic: RepeatTopicConfig::default(),
            signals: SignalsConfig::default(),
        }
    }
}

/// `[flags.contact_volume]`: raised when a customer's inbound contacts in a window reach an
/// absolute threshold *and* exceed a percentile of all customers who made contact in that
/// window.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactVolumeConfig {
    /// Evaluate this rule at all.
    pub enabled: bool,
    /// Absolute threshold for each window of `[flags] window_days`, in the same order: at
    /// least this many inbound contacts in the window.
    pub min_contacts: Vec<u32>,
    /// Population percentile (0–100) the count must exceed.
    pub percentile: f64,
}

impl Default for ContactVolumeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_contacts: vec![6, 12, 25],
            percentile: 95.0,
        }
    }
}

/// `[flags.staff_spread]`: one topic raised with several different staff members within a
/// window.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffSpreadConfig {
    /// Evaluate this rule at all.
    pub enabled: bool,
    /// Length of the window, in days.
    pub window_days: u32,
    /// At least this many distinct staff members reached about one topic.
    pub min_staff: u32,
}

impl Default for StaffSpreadConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_days: 30,
            min_staff: 3,
        }
    }
}

/// `[flags.repeat_topic]`: a topic raised again after the organisation responded on it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepeatTopicConfig {
    /// Evaluate this rule at all.
    pub enabled: bool,
    /// Length of the window, in days.
    pub window_days: u32,
    /// At least this many inbound contacts on the topic after a response, within the window.
    pub min_repeats: u32,
}

impl Default for RepeatTopicConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_days: 90,
            min_repeats: 3,
        }
    }
}

/// `[flags.signals]`: item flags (`language-review`, `safety`, `senior-officer-request`,
/// `urgency-demand`, `recording-mention`) and context from each inbound item's own words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignalsConfig {
    /// Scan items at all.
    pub enabled: bool,
    /// Extra lexicon files (TOML, the shape of `config/lexicon/*.toml`) added to the
    /// shipped lexicons, e.g. for another language.
    pub lexicon_files: Vec<PathBuf>,
}

impl Default for SignalsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            lexicon_files: Vec::new(),
        }
    }
}

/// `[alerts]`: who is told at once about a `safety` item flag, and who receives a copy of
/// mail with a safety signal from a customer under an arrangement.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Email addresses of the health and safety contacts; alerts and copies go through the
    /// outbox and need the `[smtp]` section.
    pub safety_contacts: Vec<String>,
}

/// `[digest]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// Send digests from the daemon on the schedule.
    pub enabled: bool,
    /// Cron expression with seconds (`sec min hour day-of-month month day-of-week`), in
    /// `[organisation] timezone`.
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
