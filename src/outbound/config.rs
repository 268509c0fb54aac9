//! The `[smtp]` section: where outbound mail (digests, forwarded mail, alerts) is relayed.
//!
//! ```toml
//! [smtp]
//! host = "127.0.0.1"
//! port = 25                  # default by security: 465 tls, 587 starttls, 25 plain
//! security = "plain"         # plain | starttls | tls
//! username = "tidings"       # optional; with password or password_file
//! password_file = "/run/secrets/smtp"
//! from = "Tidings <tidings@example.org>"
//! timeout_secs = 30
//! ca_file = "/etc/tidings/relay-ca.pem"   # optional extra CA (PEM) for tls/starttls
//! ```
//! Owns parsing and validation only; connecting is `outbound::smtp`.

use std::{net::IpAddr, path::PathBuf};

use serde::Deserialize;

use crate::config::Secret;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// No TLS: only for a relay on the same host or a trusted internal network.
    Plain,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    Starttls,
    /// TLS from the first byte, "implicit TLS" (usually port 465).
    Tls,
}

impl SmtpSecurity {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Plain => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

/// The `[smtp]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name or IP address of the SMTP server; with TLS it must match its certificate.
    #[serde(default = "default_host")]
    pub host: String,

    /// TCP port; when unset, 465 for `tls`, 587 for `starttls` and 25 for `plain`.
    #[serde(default = "default_port")]
    pub port: Option<u16>,

    /// How the connection is secured: `plain`, `starttls` or `tls`.
    #[serde(default = "default_security")]
    pub security: SmtpSecurity,

    /// User name for SMTP AUTH; needs `password` or `password_file`.
    #[serde(default = "default_username")]
    pub username: Option<String>,

    /// Password for SMTP AUTH; prefer `password_file` or `TIDINGS_SMTP__PASSWORD`.
    #[serde(default = "default_password")]
    pub password: Option<Secret>,

    /// File holding the SMTP AUTH password (trailing newline ignored).
    #[serde(default = "default_password_file")]
    pub password_file: Option<PathBuf>,

    /// The From address of every message Tidings sends, e.g. `Tidings <tidings@example.org>`.
    #[serde(default = "default_from")]
    pub from: String,

    /// Seconds allowed for connecting and for each SMTP command.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,

    /// Extra CA certificate(s), PEM, trusted for `tls` and `starttls` besides the built-in
    /// Mozilla roots; for a relay with a private CA.
    #[serde(default = "default_ca_file")]
    pub ca_file: Option<PathBuf>,
}

fn default_host() -> String {
    "127.0.0.1".to_owned()
}
fn default_port() -> Option<u16> {
    None
}
fn default_security() -> SmtpSecurity {
    SmtpSecurity::Plain
}
fn default_username() -> Option<String> {
    None
}
fn default_password() -> Option<Secret> {
    None
}
fn default_password_file() -> Option<PathBuf> {
    None
}
fn default_from() -> String {
    "Tidings <tidings@localhost>".to_owned()
}
fn default_timeout_secs() -> u64 {
    30
}
fn default_ca_file() -> Option<PathBuf> {
    None
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: default_host(),
            port: default_port(),
            security: default_security(),
            username: default_username(),
            password: default_password(),
            password_file: default_password_file(),
            from: default_from(),
            timeout_secs: default_timeout_secs(),
            ca_file: default_ca_file(),
        }
    }
}

/// A problem with one key of the `[smtp]` section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("smtp.{key}: {problem}")]
pub struct SmtpConfigError {
    /// The key at fault, e.g. `from`.
    pub key: &'static str,
    /// What is wrong and what to do about it.
    pub problem: String,
}

fn invalid(key: &'static str, problem: impl Into<String>) -> SmtpConfigError {
    SmtpConfigError {
        key,
        problem: problem.into(),
    }
}

impl SmtpConfig {
    /// The port to connect to: `port`, or the usual one for `security`.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }

    /// Checks the section without touching the network or the file system.
    pub fn validate(&self) -> Result<(), SmtpConfigError> {
        let host = self.host.as_str();
        let ipv6 = host.parse::<IpAddr>().is_ok();
        if host.is_empty() || host.contains(char::is_whitespace) || (host.contains(':') && !ipv6) {
            return Err(invalid(
                "host",
                format!("{host:?} is not a host name or IP address (put the port in smtp.port)"),
            ));
        }
        if self.port == Some(0) {
            return Err(invalid("port", "must be between 1 and 65535"));
        }
        if self.timeout_secs == 0 {
            return Err(invalid("timeout_secs", "must be at least 1 second"));
        }
        if let Err(e) = self.from.parse::<lettre::message::Mailbox>() {
            return Err(invalid(
                "from",
                format!(
                    "{:?} is not a mail address ({e}); write e.g. \"Tidings <tidings@example.org>\"",
                    self.from
                ),
            ));
        }
        if self.password.is_some() && self.password_file.is_some() {
            return Err(invalid(
                "password_file",
                "set either password or password_file, not both",
            ));
        }
        let has_password = self.password.is_some() || self.password_file.is_some();
        match (&self.username, has_password) {
            (Some(user), _) if user.trim().is_empty() => {
                return Err(invalid(
                    "username",
                    "is empty; remove it to send without AUTH",
                ))
            }
            (Some(_), false) => {
                return Err(invalid(
                    "username",
                    "is set without password or password_file",
                ))
            }
            (None, true) => {
                return Err(invalid(
                    "username",
                    "is needed because a password or password_file is set",
                ))
            }
            _ => {}
        }
        if self.security == SmtpSecurity::Plain {
            if self.username.is_some() && !is_loopback(host) {
                return Err(invalid(
                    "security",
                    format!(
                        "is plain, so the password would cross the network unencrypted to {host}; \
                         use starttls or tls"
                    ),
                ));
            }
            if self.ca_file.is_some() {
                return Err(invalid(
                    "ca_file",
                    "only applies with security = \"starttls\" or \"tls\"",
                ));
            }
        }
        Ok(())
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> SmtpConfig {
        match toml::from_str::<SmtpConfig>(toml_text) {
            Ok(config) => config,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn defaults_are_a_local_relay() {
        let config = parse("");
        assert_eq!(config, SmtpConfig::default());
        assert_eq!(config.effective_port(), 25);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn full_example_parses() {
        let config = parse(
            r#"
            host = "smtp.example.org"
            security = "starttls"
            username = "tidings"
            password_file = "/run/secrets/smtp"
            from = "Tidings <tidings@example.org>"
            timeout_secs = 10
            ca_file = "/etc/tidings/ca.pem"
            "#,
        );
        assert_eq!(config.effective_port(), 587);
        assert_eq!(config.validate(), Ok(()));
        let tls = parse("security = \"tls\"");
        assert_eq!(tls.effective_port(), 465);
        assert_eq!(parse("port = 2525").effective_port(), 2525);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<SmtpConfig>("hots = \"x\"").is_err());
        assert!(toml::from_str::<SmtpConfig>("security = \"ssl\"").is_err());
    }

    #[test]
    fn password_is_redacted_in_debug() {
        let config = parse("username = \"u\"\npassword = \"hunter2\"");
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn validation_names_the_key() {
        let cases = [
            ("from = \"not an address\"", "from"),
            ("host = \"\"", "host"),
            ("port = 0", "port"),
            ("timeout_secs = 0", "timeout_secs"),
            ("username = \"u\"", "username"),
            ("password = \"p\"", "username"),
            (
                "username = \"u\"\npassword = \"p\"\npassword_file = \"/f\"",
                "password_file",
            ),
            (
                "host = \"smtp.example.org\"\nusername = \"u\"\npassword = \"p\"",
                "security",
            ),
            ("ca_file = \"/ca.pem\"", "ca_file"),
        ];
        for (toml_text, key) in cases {
            match parse(toml_text).validate() {
                Err(e) => {
                    assert_eq!(e.key, key, "{toml_text}");
                    assert!(e.to_string().starts_with(&format!("smtp.{key}: ")));
                }
                Ok(()) => panic!("{toml_text} should be invalid"),
            }
        }
        assert_eq!(
            parse("username = \"u\"\npassword = \"p\"").validate(),
            Ok(()),
            "AUTH over plain to a loopback relay is allowed"
        );
    }
}
