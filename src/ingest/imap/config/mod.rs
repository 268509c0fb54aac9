//! Configuration of one IMAP account (`[[imap.accounts]]`) and its folders, with the checks and
//! secret resolution the client needs. Owns no I/O beyond reading secret files and running the
//! operator's token command at connect time.
//!
//! `credentials` resolves the password or OAuth 2 token for each connect.

mod credentials;

use super::client::{Endpoint, SinceDate};
use crate::config::Secret;
use crate::domain::Direction;
use serde::Deserialize;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One shared mailbox Tidings reads from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapAccountConfig {
    /// Stable id of the account, used in checkpoints and logs: `[a-z0-9_-]+`. Never rename it.
    pub name: String,
    /// Host name (or IP address) of the IMAP server; also the name checked in its certificate.
    pub host: String,
    /// TCP port. Default by `security`: 993 for `tls`, 143 for `starttls` and `plain`.
    #[serde(default)]
    pub port: Option<u16>,
    /// Transport security: `tls` (implicit TLS), `starttls` or `plain`.
    #[serde(default = "default_security")]
    pub security: Security,
    /// Allows `security = "plain"` to a host other than the loopback interface.
    #[serde(default)]
    pub allow_insecure: bool,
    /// Extra trust anchor (PEM), e.g. a private CA; Mozilla's roots are always trusted.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Login name, usually the mailbox address.
    pub username: String,
    /// Password for `auth = "password"`; prefer `password_file`.
    #[serde(default)]
    pub password: Option<Secret>,
    /// File holding the password (trailing whitespace trimmed), e.g. `/run/secrets/imap`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// How to authenticate: `password` (IMAP LOGIN) or `xoauth2` (Microsoft 365, Google).
    #[serde(default)]
    pub auth: AuthMethod,
    /// For `xoauth2`: a file holding a current access token, re-read on every connect.
    #[serde(default)]
    pub oauth2_token_file: Option<PathBuf>,
    /// For `xoauth2`: a shell command (run with `sh -c`) printing a current access token; used
    /// when `oauth2_token_file` is not set.
    #[serde(default)]
    pub oauth2_token_command: Option<String>,
    /// Seconds between polls when IDLE is off or unsupported.
    #[serde(default = "default_poll_interval_secs")]
    pub poll_interval_secs: u64,
    /// Use IMAP IDLE for new mail within seconds (falls back to polling if unsupported).
    #[serde(default = "default_true")]
    pub idle: bool,
    /// Read/write timeout in seconds on every command and every server response.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Most UIDs asked for in one `UID FETCH`.
    #[serde(default = "default_fetch_batch_messages")]
    pub fetch_batch_messages: usize,
    /// Most bytes (sum of RFC822.SIZE) asked for in one `UID FETCH`; at least one message.
    #[serde(default = "default_fetch_batch_bytes")]
    pub fetch_batch_bytes: u64,
    /// Larger messages are fetched as headers only and quarantined.
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u64,
    /// Reads only messages the server received (INTERNALDATE) on or after this date,
    /// `YYYY-MM-DD`, e.g. `since = "2025-01-01"`; older ones are skipped for good (the
    /// checkpoint moves past them). Default: all history. `tidings run --since` overrides it.
    #[serde(default)]
    pub since: Option<SinceDate>,
    /// Folders to read. Default: `INBOX`, inbound.
    #[serde(default = "default_folders")]
    pub folders: Vec<FolderConfig>,
}

/// One folder of an account.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FolderConfig {
    /// Folder name as the server lists it (non-ASCII names in modified UTF-7, e.g. `&AMk-t&AOk-`).
    pub name: String,
    /// `inbound` (customers write in) or `outbound` (Sent folders: staff replies).
    #[serde(default = "default_direction")]
    pub direction: FolderDirection,
}

/// Transport security of an IMAP connection.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAPS, port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before login (port 143).
    Starttls,
    /// No encryption: loopback only unless `allow_insecure = true`.
    Plain,
}

/// How Tidings authenticates to the server.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// IMAP `LOGIN` with username and password.
    #[default]
    Password,
    /// SASL `XOAUTH2` with an OAuth 2 access token.
    Xoauth2,
}

/// Direction of the mail in a folder, as configured.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FolderDirection {
    /// Mail from customers.
    Inbound,
    /// Mail sent by staff.
    Outbound,
}

fn default_security() -> Security {
    Security::Tls
}
fn default_true() -> bool {
    true
}
fn default_poll_interval_secs() -> u64 {
    60
}
fn default_timeout_secs() -> u64 {
    60
}
fn default_fetch_batch_messages() -> usize {
    1000
}
fn default_fetch_batch_bytes() -> u64 {
    8 * 1024 * 1024
}
fn default_max_message_bytes() -> u64 {
    50 * 1024 * 1024
}
fn default_direction() -> FolderDirection {
    FolderDirection::Inbound
}
fn default_folders() -> Vec<FolderConfig> {
    vec![FolderConfig {
        name: "INBOX".to_string(),
        direction: FolderDirection::Inbound,
    }]
}

impl FolderConfig {
    /// The domain direction of items read from this folder.
    pub fn direction(&self) -> Direction {
        match self.direction {
            FolderDirection::Inbound => Direction::Inbound,
            FolderDirection::Outbound => Direction::Outbound,
        }
    }
}

impl ImapAccountConfig {
    /// Checks the account; the error names the key to fix.
    pub fn validate(&self) -> Result<(), String> {
        let at = format!("imap.accounts {:?}", self.name);
        let name_ok = !self.name.is_empty()
            && self
                .name
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'));
        if !name_ok {
            return Err(format!(
                "{at}: `name` must be non-empty and use only a-z, 0-9, '_' and '-'"
            ));
        }
        if self.host.trim().is_empty() {
            return Err(format!(
                "{at}: `host` is empty; set the IMAP server's host name"
            ));
        }
        if self.port == Some(0) {
            return Err(format!("{at}: `port` must be 1-65535"));
        }
        if self.username.is_empty() {
            return Err(format!("{at}: `username` is empty; set the login name"));
        }
        if self.security == Security::Plain && !self.allow_insecure && !is_loopback(&self.host) {
            return Err(format!(
                "{at}: `security = \"plain\"` sends the password unencrypted to {:?}; use \
                 \"tls\" or \"starttls\", or set `allow_insecure = true` if you accept that",
                self.host
            ));
        }
        match self.auth {
            AuthMethod::Password => {
                match (&self.password, &self.password_file) {
                    (None, None) => {
                        return Err(format!(
                            "{at}: `auth = \"password\"` needs `password` or `password_file`"
                        ))
                    }
                    (Some(_), Some(_)) => {
                        return Err(format!(
                            "{at}: set only one of `password` and `password_file`"
                        ))
                    }
                    _ => {}
                }
                if self.oauth2_token_file.is_some() || self.oauth2_token_command.is_some() {
                    return Err(format!(
                        "{at}: `oauth2_token_file`/`oauth2_token_command` need `auth = \"xoauth2\"`"
                    ));
                }
            }
            AuthMethod::Xoauth2 => {
                if self.oauth2_token_file.is_none() && self.oauth2_token_command.is_none() {
                    return Err(format!(
                        "{at}: `auth = \"xoauth2\"` needs `oauth2_token_file` or \
                         `oauth2_token_command`"
                    ));
                }
                if self.password.is_some() || self.password_file.is_some() {
                    return Err(format!(
                        "{at}: `password`/`password_file` are not used with `auth = \"xoauth2\"`; \
                         remove them"
                    ));
                }
            }
        }
        for (key, value) in [
            ("poll_interval_secs", self.poll_interval_secs),
            ("timeout_secs", self.timeout_secs),
            ("fetch_batch_messages", self.fetch_batch_messages as u64),
            ("fetch_batch_bytes", self.fetch_batch_bytes),
            ("max_message_bytes", self.max_message_bytes),
        ] {
            if value == 0 {
                return Err(format!("{at}: `{key}` must be greater than 0"));
            }
        }
        if self.folders.is_empty() {
            return Err(format!(
                "{at}: `folders` is empty; list at least one folder"
            ));
        }
        let mut seen = HashSet::new();
        for folder in &self.folders {
            if folder.name.is_empty() || !folder.name.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(format!(
                    "{at}: folder name {:?} must be non-empty printable ASCII (write non-ASCII \
                     names in modified UTF-7 as the server lists them)",
                    folder.name
                ));
            }
            if !seen.insert(folder.name.as_str()) {
                return Err(format!("{at}: folder {:?} is listed twice", folder.name));
            }
        }
        Ok(())
    }

    /// The port to use: `port` if set, else 993 for TLS and 143 otherwise.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::Starttls | Security::Plain => 143,
        })
    }

    /// Where and how to connect.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            account: self.name.clone(),
            host: self.host.clone(),
            port: self.port(),
            security: self.security,
            ca_file: self.ca_file.clone(),
            timeout: Duration::from_secs(self.timeout_secs),
        }
    }
}

/// True for `localhost` and loopback IP addresses (`127.0.0.0/8`, `::1`).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(super) fn parse(toml_text: &str) -> Result<ImapAccountConfig, String> {
        toml::from_str(toml_text).map_err(|e| e.to_string())
    }

    pub(super) const MINIMAL: &str = r#"
        name = "enquiries"
        host = "imap.example.org"
        username = "enquiries@example.org"
        password = "pw"
    "#;

    #[test]
    fn full_example_parses_and_validates() {
        let account = parse(
            r#"
            name = "enquiries"
            host = "imap.example.org"
            port = 993
            security = "tls"
            ca_file = "/path/ca.pem"
            username = "enquiries@example.org"
            password_file = "/run/secrets/imap"
            auth = "password"
            poll_interval_secs = 60
            idle = true
            timeout_secs = 60
            fetch_batch_messages = 1000
            fetch_batch_bytes = 33554432
            max_message_bytes = 52428800
            since = "2025-01-01"
            [[folders]]
            name = "INBOX"
            direction = "inbound"
            [[folders]]
            name = "Sent"
            direction = "outbound"
            "#,
        )
        .unwrap();
        account.validate().unwrap();
        assert_eq!(account.folders[1].direction(), Direction::Outbound);
        assert_eq!(account.endpoint().port, 993);
        assert_eq!(
            account.since.map(|d| d.imap()).as_deref(),
            Some("1-Jan-2025")
        );
    }

    #[test]
    fn defaults_apply() {
        let account = parse(MINIMAL).unwrap();
        account.validate().unwrap();
        assert_eq!(account.security, Security::Tls);
        assert_eq!(account.port(), 993);
        assert_eq!(account.folders, default_folders());
        assert_eq!(account.auth, AuthMethod::Password);
        assert_eq!(account.fetch_batch_bytes, 8 * 1024 * 1024);
        assert_eq!(account.max_message_bytes, 52_428_800);
        assert!(account.idle);
        let starttls = parse(&format!("{MINIMAL}\nsecurity = \"starttls\"")).unwrap();
        assert_eq!(starttls.port(), 143);
    }

    #[test]
    fn since_must_be_a_past_iso_date() {
        assert_eq!(parse(MINIMAL).unwrap().since, None);
        for (value, expected) in [("2025-13-01", "YYYY-MM-DD"), ("2999-01-01", "future")] {
            let err = parse(&format!("{MINIMAL}\nsince = \"{value}\"")).unwrap_err();
            assert!(err.contains(expected) && err.contains("since"), "{err}");
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = parse(&format!("{MINIMAL}\npasword = \"x\"")).unwrap_err();
        assert!(err.contains("pasword"), "{err}");
    }

    #[test]
    fn validation_names_the_key() {
        let cases = [
            ("name = \"Enquiries\"", "`name`"),
            ("security = \"plain\"", "allow_insecure"),
            ("auth = \"xoauth2\"", "oauth2_token_file"),
            ("password_file = \"/x\"", "only one of"),
            ("timeout_secs = 0", "`timeout_secs`"),
        ];
        for (extra, expected) in cases {
            let text = match extra.strip_prefix("name = ") {
                Some(name) => MINIMAL.replace("\"enquiries\"", name),
                None => format!("{MINIMAL}\n{extra}"),
            };
            let err = parse(&text).unwrap().validate().unwrap_err();
            assert!(err.contains(expected), "{extra}: {err}");
        }
    }

    #[test]
    fn plain_is_allowed_on_loopback_or_when_insecure_is_accepted() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]"] {
            let text = MINIMAL.replace("imap.example.org", host);
            let account = parse(&format!("{text}\nsecurity = \"plain\"")).unwrap();
            account.validate().unwrap();
        }
        let account = parse(&format!(
            "{MINIMAL}\nsecurity = \"plain\"\nallow_insecure = true"
        ))
        .unwrap();
        account.validate().unwrap();
    }
}
