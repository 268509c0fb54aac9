//! Reading the config file, applying `TIDINGS_<SECTION>__<KEY>` overrides and checking the
//! result. Every error names the file or variable and the key, and says what to change.

use super::Config;
use crate::domain::EmailAddress;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The path used when neither `--config` nor `TIDINGS_CONFIG` is given.
pub const DEFAULT_PATH: &str = "config/tidings.toml";

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The named file could not be read.
    #[error("cannot read config file {path}: {source}; check the path given with --config or TIDINGS_CONFIG")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown or mistyped key.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line, column and key.
        message: String,
    },
    /// An environment override could not be applied.
    #[error("environment variable {var}: {message}")]
    Env {
        /// The variable.
        var: String,
        /// What is wrong.
        message: String,
    },
    /// A value is well-formed TOML but not usable.
    #[error("config {origin}: key `{key}`: {message}")]
    Invalid {
        /// The file (and overrides) the value came from.
        origin: String,
        /// The dotted key.
        key: String,
        /// What is wrong and what to use instead.
        message: String,
    },
}

/// Loads the configuration from `path` (or the default path, which may be absent), applies
/// environment overrides from `env`, and checks every value.
pub fn load(
    path: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let (origin, text) = match path {
        Some(p) => (p.to_path_buf(), read(p)?),
        None => {
            let p = PathBuf::from(DEFAULT_PATH);
            let text = if p.exists() { read(&p)? } else { String::new() };
            (p, text)
        }
    };
    let parse_err = |e: toml::de::Error| ConfigError::Parse {
        path: origin.clone(),
        message: e.to_string().trim().replace('\n', " "),
    };
    // Parse the file on its own first so its errors carry line and column.
    let mut config: Config = toml::from_str(&text).map_err(parse_err)?;
    let overrides: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("TIDINGS_") && k.contains("__"))
        .collect();
    if !overrides.is_empty() {
        let mut table: toml::Table = toml::from_str(&text).map_err(parse_err)?;
        for (var, value) in &overrides {
            apply_override(&mut table, var, value)?;
        }
        config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Env {
                var: overrides
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                message: e.to_string().trim().replace('\n', " "),
            })?;
    }
    validate(&config, &origin.display().to_string())?;
    Ok(config)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `TIDINGS_FLAGS__STAFF_SPREAD__MIN_STAFF=5` sets `flags.staff_spread.min_staff`.
/// The value is read as TOML (number, boolean, array) when it parses as one, else as a string.
fn apply_override(table: &mut toml::Table, var: &str, raw: &str) -> Result<(), ConfigError> {
    let path: Vec<String> = var["TIDINGS_".len()..]
        .split("__")
        .map(str::to_ascii_lowercase)
        .collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::Env {
            var: var.to_string(),
            message: "empty key segment; use TIDINGS_<SECTION>__<KEY>".to_string(),
        });
    }
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    let (last, parents) = path.split_last().ok_or_else(|| ConfigError::Env {
        var: var.to_string(),
        message: "no key given".to_string(),
    })?;
    let mut node = table;
    for segment in parents {
        let entry = node
            .entry(segment.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = entry.as_table_mut().ok_or_else(|| ConfigError::Env {
            var: var.to_string(),
            message: format!("`{segment}` is not a section"),
        })?;
    }
    node.insert(last.clone(), value);
    Ok(())
}

fn validate(config: &Config, origin: &str) -> Result<(), ConfigError> {
    let invalid = |key: &str, message: String| ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        message,
    };
    let url = &config.store.url;
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        return Err(invalid(
            "store.url",
            format!("{url:?} is neither sqlite://PATH nor postgres://…"),
        ));
    }
    cron::Schedule::from_str(&config.digest.schedule).map_err(|e| {
        invalid(
            "digest.schedule",
            format!(
                "{:?} is not a cron expression ({e}); use six fields with seconds, e.g. \"0 0 7 * * Mon\"",
                config.digest.schedule
            ),
        )
    })?;
    for (i, r) in config.digest.recipients.iter().enumerate() {
        EmailAddress::parse(&r.email)
            .map_err(|e| invalid(&format!("digest.recipients[{i}].email"), e.to_string()))?;
    }
    check_flags(&config.flags).map_err(|(key, message)| invalid(&key, message))?;
    for (i, address) in config.alerts.safety_contacts.iter().enumerate() {
        EmailAddress::parse(address)
            .map_err(|e| invalid(&format!("alerts.safety_contacts[{i}]"), e.to_string()))?;
    }
    check_log_level(&config.log.level).map_err(|m| invalid("log.level", m))?;
    for (i, domain) in config.organisation.staff_domains.iter().enumerate() {
        if domain.is_empty() || domain.contains('@') || domain.contains(' ') {
            return Err(invalid(
                &format!("organisation.staff_domains[{i}]"),
                format!("{domain:?} is not a domain name such as \"example.org\""),
            ));
        }
    }
    let mut names = std::collections::HashSet::new();
    for (i, account) in config.imap.accounts.iter().enumerate() {
        account
            .validate()
            .map_err(|m| invalid(&format!("imap.accounts[{i}]"), m))?;
        for (key, file) in [
            ("password_file", &account.password_file),
            ("ca_file", &account.ca_file),
            ("oauth2_token_file", &account.oauth2_token_file),
        ] {
            must_exist(file.as_deref())
                .map_err(|m| invalid(&format!("imap.accounts[{i}].{key}"), m))?;
        }
        if !names.insert(account.name.clone()) {
            return Err(invalid(
                &format!("imap.accounts[{i}].name"),
                format!(
                    "{:?} is used by two accounts; names must be unique",
                    account.name
                ),
            ));
        }
    }
    if !config.digest.recipients.is_empty() && config.smtp.is_none() {
        return Err(invalid(
            "smtp",
            "digest recipients are configured but there is no [smtp] section to send through; add one".to_string(),
        ));
    }
    if let Some(smtp) = &config.smtp {
        smtp.validate()
            .map_err(|m| invalid("smtp", m.to_string()))?;
        for (key, file) in [
            ("password_file", &smtp.password_file),
            ("ca_file", &smtp.ca_file),
        ] {
            must_exist(file.as_deref()).map_err(|m| invalid(&format!("smtp.{key}"), m))?;
        }
    }
    Ok(())
}

/// The levels a `[log] level` directive may name.
const LOG_LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];

/// The flag rules' numbers: windows and thresholds of at least 1, one `min_contacts` per
/// window, a percentile between 0 and 100.
fn check_flags(flags: &crate::config::FlagsConfig) -> Result<(), (String, String)> {
    if flags.window_days.is_empty() {
        return Err((
            ("flags.window_days").to_string(),
            "is empty; list at least one window length in days, e.g. [7, 30, 90]".to_string(),
        ));
    }
    let cv = &flags.contact_volume;
    if cv.min_contacts.len() != flags.window_days.len() {
        return Err((
("flags.contact_volume.min_contacts").to_string(), format!(
                "has {} values for {} windows in flags.window_days; give one threshold per window, in the same order",
                cv.min_contacts.len(),
                flags.window_days.len()
            ),
        ));
    }
    if !(0.0..=100.0).contains(&cv.percentile) {
        return Err((
            ("flags.contact_volume.percentile").to_string(),
            "must be between 0 and 100".to_string(),
        ));
    }
    let mut numbers: Vec<(String, u32)> = vec![
        ("flags.expiry_days".to_string(), flags.expiry_days),
        ("flags.reply_days".to_string(), flags.reply_days),
        (
            "flags.staff_spread.window_days".to_string(),
            flags.staff_spread.window_days,
        ),
        (
            "flags.staff_spread.min_staff".to_string(),
            flags.staff_spread.min_staff,
        ),
        (
            "flags.repeat_topic.window_days".to_string(),
            flags.repeat_topic.window_days,
        ),
        (
            "flags.repeat_topic.min_repeats".to_string(),
            flags.repeat_topic.min_repeats,
        ),
    ];
    for (i, days) in flags.window_days.iter().enumerate() {
        numbers.push((format!("flags.window_days[{i}]"), *days));
    }
    for (i, min) in cv.min_contacts.iter().enumerate() {
        numbers.push((format!("flags.contact_volume.min_contacts[{i}]"), *min));
    }
    for (key, value) in numbers {
        if value == 0 {
            return Err((key, "is 0; it must be at least 1".to_string()));
        }
    }
    for (i, path) in flags.signals.lexicon_files.iter().enumerate() {
        if !path.is_file() {
            return Err((
                format!("flags.signals.lexicon_files[{i}]"),
                format!(
                    "{} is not a readable file; fix the path or remove it",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// A `[log] level` is a tracing filter: comma-separated directives, each a level (`info`) or
/// `target=level` (`tidings=debug`). A bare word that is not a level would silently be read
/// as a target name, so it is rejected.
fn check_log_level(filter: &str) -> Result<(), String> {
    let valid = LOG_LEVELS.join(", ");
    for directive in filter.split(',').map(str::trim) {
        let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
        if !LOG_LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{filter:?} is not a log filter: {directive:?} names no level; use one of {valid}, \
                 or target=level such as \"tidings=debug,sqlx=warn\""
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(filter)
        .map(|_| ())
        .map_err(|e| format!("{filter:?} is not a log filter ({e}); use one of {valid}"))
}

/// A file named in the config must be there when the config is loaded, not first missed at
/// the moment of connecting.
fn must_exist(file: Option<&Path>) -> Result<(), String> {
    match file {
        Some(path) if !path.is_file() => Err(format!(
            "file {} does not exist (or is not a file); create it or correct the path",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// The placeholder staff domain of the shipped config.
const PLACEHOLDER_DOMAIN: &str = "example.org";

/// Settings that load but are probably not what the operator wants; `tidings config check`
/// prints them and still succeeds.
pub fn warnings(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let domains = &config.organisation.staff_domains;
    if domains.is_empty() || domains.iter().any(|d| d == PLACEHOLDER_DOMAIN) {
        out.push(format!(
            "organisation.staff_domains is {domains:?}, the {PLACEHOLDER_DOMAIN} placeholder or \
             empty: every staff member would count as a customer: set your staff mail domains"
        ));
    }
    if config.smtp.is_some()
        && config.routing.enabled
        && config.routing.complaints_mailbox.is_none()
    {
        out.push(
            "routing.complaints_mailbox is not set: mail that reads as a complaint from a customer \
             under a contact arrangement is not copied to the complaints team; set it to their mailbox"
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    #[test]
    fn empty_file_gives_embedded_defaults() {
        let f = write("");
        let c = load(Some(f.path()), Vec::new()).expect("defaults load");
        assert_eq!(c.store.url, "sqlite://data/tidings.db");
        assert_eq!(c.http.listen, "127.0.0.1:8080");
    }

    #[test]
    fn unknown_key_is_named_with_the_file() {
        let f = write("[store]\nurll = \"x\"\n");
        let err = load(Some(f.path()), Vec::new()).expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.contains("urll"), "{msg}");
        assert!(msg.contains(&f.path().display().to_string()), "{msg}");
    }

    #[test]
    fn env_overrides_nested_keys_with_typed_values() {
        let f = write("[flags.staff_spread]\nmin_staff = 10\n");
        let env = vec![
            (
                "TIDINGS_FLAGS__STAFF_SPREAD__MIN_STAFF".to_string(),
                "3".to_string(),
            ),
            (
                "TIDINGS_STORE__URL".to_string(),
                "postgres://h/db".to_string(),
            ),
            ("UNRELATED".to_string(), "x".to_string()),
        ];
        let c = load(Some(f.path()), env).expect("overrides apply");
        assert_eq!(c.flags.staff_spread.min_staff, 3);
        assert_eq!(c.store.url, "postgres://h/db");
    }

    #[test]
    fn bad_cron_is_named() {
        let f = write("[digest]\nschedule = \"every monday\"\n");
        let msg = load(Some(f.path()), Vec::new())
            .expect_err("bad cron")
            .to_string();
        assert!(msg.contains("digest.schedule"), "{msg}");
    }

    fn invalid_message(text: &str) -> String {
        let f = write(text);
        match load(Some(f.path()), Vec::new()) {
            Err(e @ ConfigError::Invalid { .. }) => e.to_string(),
            other => panic!("{text:?} should be invalid, got {other:?}"),
        }
    }

    #[test]
    fn zero_counts_and_days_are_rejected_by_key() {
        for (text, key) in [
            ("[flags]\nexpiry_days = 0\n", "flags.expiry_days"),
            ("[flags]\nreply_days = 0\n", "flags.reply_days"),
            (
                "[flags]\nwindow_days = [7, 0, 90]\n",
                "flags.window_days[1]",
            ),
            (
                "[flags.contact_volume]\nmin_contacts = [0, 12, 25]\n",
                "flags.contact_volume.min_contacts[0]",
            ),
            (
                "[flags.staff_spread]\nmin_staff = 0\n",
                "flags.staff_spread.min_staff",
            ),
            (
                "[flags.repeat_topic]\nwindow_days = 0\n",
                "flags.repeat_topic.window_days",
            ),
        ] {
            let msg = invalid_message(text);
            assert!(msg.contains(key) && msg.contains("at least 1"), "{msg}");
        }
    }

    #[test]
    fn one_contact_volume_threshold_per_window() {
        let msg = invalid_message("[flags]\nwindow_days = [7, 30]\n");
        assert!(
            msg.contains("flags.contact_volume.min_contacts")
                && msg.contains("one threshold per window"),
            "{msg}"
        );
    }

    #[test]
    fn safety_contacts_must_be_addresses() {
        let msg = invalid_message("[alerts]\nsafety_contacts = [\"not an address\"]\n");
        assert!(msg.contains("alerts.safety_contacts[0]"), "{msg}");
    }

    #[test]
    fn a_log_level_that_is_no_level_names_the_valid_ones() {
        let msg = invalid_message("[log]\nlevel = \"verbose\"\n");
        assert!(
            msg.contains("log.level") && msg.contains("verbose"),
            "{msg}"
        );
        assert!(
            msg.contains("trace, debug, info, warn, error, off"),
            "{msg}"
        );
        let msg = invalid_message("[log]\nlevel = \"tidings=loud\"\n");
        assert!(msg.contains("tidings=loud"), "{msg}");
    }

    #[test]
    fn log_filters_with_targets_are_accepted() {
        for level in [
            "debug",
            "WARN",
            "tidings=debug,sqlx=warn",
            "info,tidings=trace",
        ] {
            let f = write(&format!("[log]\nlevel = {level:?}\n"));
            load(Some(f.path()), Vec::new()).expect("a valid filter loads");
        }
    }

    #[test]
    fn a_missing_password_file_is_named_with_its_key() {
        let smtp =
            invalid_message("[smtp]\nusername = \"u\"\npassword_file = \"/nonexistent/smtp-pw\"\n");
        assert!(
            smtp.contains("smtp.password_file") && smtp.contains("/nonexistent/smtp-pw"),
            "{smtp}"
        );
        let imap = invalid_message(
            "[[imap.accounts]]\nname = \"a\"\nhost = \"imap.example.net\"\n\
             username = \"u\"\npassword_file = \"/nonexistent/imap-pw\"\n",
        );
        assert!(
            imap.contains("imap.accounts[0].password_file")
                && imap.contains("/nonexistent/imap-pw"),
            "{imap}"
        );
    }

    #[test]
    fn an_existing_password_file_is_accepted() {
        let pw = write("secret\n");
        let f = write(&format!(
            "[smtp]\nusername = \"u\"\npassword_file = {:?}\n",
            pw.path().display().to_string()
        ));
        load(Some(f.path()), Vec::new()).expect("an existing password file loads");
    }

    #[test]
    fn the_placeholder_staff_domain_is_a_warning_not_an_error() {
        let f = write("");
        let config = load(Some(f.path()), Vec::new()).expect("defaults load");
        let warnings = warnings(&config);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("every staff member would count as a customer"),
            "{warnings:?}"
        );
        let f = write("[organisation]\nstaff_domains = [\"fire.example\"]\n");
        let config = load(Some(f.path()), Vec::new()).expect("loads");
        assert!(super::warnings(&config).is_empty());
    }

    #[test]
    fn routing_without_a_complaints_mailbox_is_a_warning_once_mail_can_be_sent() {
        let base =
            "[organisation]\nstaff_domains = [\"fire.example\"]\n[smtp]\nhost = \"127.0.0.1\"\n";
        let config = load(Some(write(base).path()), Vec::new()).expect("loads");
        let warnings = warnings(&config);
        assert!(
            warnings.len() == 1 && warnings[0].contains("routing.complaints_mailbox"),
            "{warnings:?}"
        );
        let with = format!("{base}[routing]\ncomplaints_mailbox = \"complaints@fire.example\"\n");
        let config = load(Some(write(&with).path()), Vec::new()).expect("loads");
        assert!(super::warnings(&config).is_empty());
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = load(Some(Path::new("/nonexistent/tidings.toml")), Vec::new());
        assert!(matches!(err, Err(ConfigError::Read { .. })));
    }
}

#[cfg(test)]
mod shipped_config {
    use super::*;

    #[test]
    fn the_shipped_config_file_parses_and_validates() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tidings.toml");
        let config = load(Some(&path), Vec::new()).expect("config/tidings.toml is valid");
        assert_eq!(config.store.url, "sqlite://data/tidings.db");
        assert!(config.dropfolder.enabled);
    }
}
