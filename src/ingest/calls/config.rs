//! `[calls]` and `[[calls.formats]]`: the call-log drop folder, the default format and
//! column mappings for telephone systems without a built-in preset. The region for national
//! numbers, the local time zone and the organisation's own numbers are `[organisation]` keys,
//! shared with the other channels.

use super::CallContext;
use crate::domain::PhoneNumber;
use serde::Deserialize;

/// `[calls]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallsConfig {
    /// Watch the call-log folder at all.
    pub enabled: bool,
    /// Folder of call-log exports (`.csv`, subfolders included). Each file is moved to
    /// `processed/<date>/` (or `failed/<date>/` when nothing in it could be read) once stored.
    pub path: std::path::PathBuf,
    /// Seconds between scans of the folder in the daemon.
    pub poll_interval_secs: u64,
    /// A file is read only once it has not changed for this many seconds (exports are often
    /// written slowly); write under a temporary name and rename to avoid the wait.
    pub stable_secs: u64,
    /// Asterisk writes `Master.csv` times in UTC (`usegmtime=yes` in `cdr.conf`).
    pub asterisk_gmt: bool,
    /// Format used when none is given: `auto`, `asterisk`, `export`, `teams`, `3cx` or the name
    /// of a `[[calls.formats]]` entry.
    pub format: String,
    /// Column mappings for call logs no preset reads.
    pub formats: Vec<CallFormat>,
}

impl Default for CallsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: std::path::PathBuf::from("data/inbox/calls"),
            poll_interval_secs: 10,
            stable_secs: 2,
            asterisk_gmt: false,
            format: "auto".to_string(),
            formats: Vec::new(),
        }
    }
}

/// `[[calls.formats]]`: a named column mapping for one telephone system's CSV export.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CallFormat {
    /// The name used with `--format NAME` and recorded with each call.
    pub name: String,
    /// Whether the first line names the columns (default true). Without a header, columns
    /// are given by position.
    #[serde(default = "default_true")]
    pub has_header: bool,
    /// The cell separator, one character (default `,`; `;` and `\t` are common).
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// Which column holds each field: a header name (`start = "Date Time"`) or a 1-based
    /// position (`start = 3`).
    pub columns: ColumnMap,
    /// A chrono `strftime` layout for times (`%d/%m/%Y %H:%M:%S`); with separate `date` and
    /// `time` columns it reads `"<date> <time>"`. Default: the layouts every preset accepts.
    #[serde(default)]
    pub time_format: Option<String>,
    /// Time zone (IANA name) of times written without an offset; default
    /// `[organisation] timezone`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Extra words for directions (`inbound = ["IN"]`), matched ignoring case, tried before
    /// the usual words.
    #[serde(default)]
    pub direction_values: DirectionValues,
    /// Extra words for results (`missed = ["NA"]`), matched ignoring case, tried before the
    /// usual words.
    #[serde(default)]
    pub result_values: ResultValues,
}

fn default_true() -> bool {
    true
}

fn default_delimiter() -> String {
    ",".to_string()
}

/// A column by header name or by 1-based position.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum ColumnRef {
    /// 1-based position.
    Position(usize),
    /// Header name as written (compared ignoring case, spaces, `_` and `-`).
    Name(String),
}

/// Where each field of a call is. `start` (or `date` and `time`) and at least one of
/// `caller`/`called` are required.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    /// The system's call id.
    pub call_id: Option<ColumnRef>,
    /// Start date and time in one cell.
    pub start: Option<ColumnRef>,
    /// Start date, when date and time are separate cells.
    pub date: Option<ColumnRef>,
    /// Start time, when date and time are separate cells.
    pub time: Option<ColumnRef>,
    /// Inbound / outbound / internal (inferred from the numbers when absent).
    pub direction: Option<ColumnRef>,
    /// The calling number.
    pub caller: Option<ColumnRef>,
    /// The called number.
    pub called: Option<ColumnRef>,
    /// The staff member (agent) who handled the call.
    pub agent: Option<ColumnRef>,
    /// The staff member's extension.
    pub extension: Option<ColumnRef>,
    /// Talk time (`h:mm:ss`, `mm:ss` or seconds).
    pub duration: Option<ColumnRef>,
    /// How the call ended.
    pub result: Option<ColumnRef>,
    /// A recording path or id.
    pub recording: Option<ColumnRef>,
}

/// Words a telephone system writes for each direction.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DirectionValues {
    /// Words for a call from a customer.
    pub inbound: Vec<String>,
    /// Words for a call to a customer.
    pub outbound: Vec<String>,
    /// Words for a call between staff.
    pub internal: Vec<String>,
}

/// Words a telephone system writes for each result.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ResultValues {
    /// Someone answered.
    pub answered: Vec<String>,
    /// Nobody answered.
    pub missed: Vec<String>,
    /// The line was busy.
    pub busy: Vec<String>,
    /// The caller reached voicemail.
    pub voicemail: Vec<String>,
    /// The call failed.
    pub failed: Vec<String>,
}

/// Why `[calls]` could not be used. Each message names the key and what to write.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallsConfigError {
    /// A time zone name is not in the IANA database.
    #[error("`{key}` = {value:?} is not a time zone; use an IANA name such as \"Europe/London\"")]
    BadTimezone {
        /// The key (`organisation.timezone` or `calls.formats[NAME].timezone`).
        key: String,
        /// The value given.
        value: String,
    },
    /// An own number is not a telephone number.
    #[error("`organisation.own_numbers` has {value:?}, which is not a telephone number ({why}); write it as dialled from outside, such as \"0151 496 0000\"")]
    BadOwnNumber {
        /// The value given.
        value: String,
        /// What was wrong.
        why: String,
    },
    /// A `[[calls.formats]]` entry cannot be used.
    #[error("[[calls.formats]] {name:?}: {why}")]
    BadFormat {
        /// The entry's name.
        name: String,
        /// What is wrong and what to write.
        why: String,
    },
}

/// Reads an IANA time zone name.
pub(crate) fn timezone(key: &str, value: &str) -> Result<chrono_tz::Tz, CallsConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| CallsConfigError::BadTimezone {
            key: key.to_string(),
            value: value.to_string(),
        })
}

impl CallFormat {
    /// Checks the entry: a usable name, a one-character delimiter, a time zone that exists, the
    /// required columns, positions from 1, and header names only when there is a header.
    pub fn validate(&self) -> Result<(), CallsConfigError> {
        let bad = |why: &str| CallsConfigError::BadFormat {
            name: self.name.clone(),
            why: why.to_string(),
        };
        let name = self.name.trim();
        if name.is_empty() || name != self.name {
            return Err(bad(
                "`name` must be a non-empty word without surrounding spaces",
            ));
        }
        if ["auto", "asterisk", "export", "teams", "3cx", "threecx"]
            .contains(&name.to_ascii_lowercase().as_str())
        {
            return Err(bad("`name` is a built-in preset's name; choose another"));
        }
        if self.delimiter.len() != 1 {
            return Err(bad(
                "`delimiter` must be one character such as \",\", \";\" or \"\\t\"",
            ));
        }
        if let Some(tz) = &self.timezone {
            timezone(&format!("calls.formats[{name}].timezone"), tz)?;
        }
        let c = &self.columns;
        if c.start.is_none() && !(c.date.is_some() && c.time.is_some()) {
            return Err(bad("`columns` needs `start`, or both `date` and `time`"));
        }
        if c.caller.is_none() && c.called.is_none() {
            return Err(bad("`columns` needs `caller` or `called` (or both)"));
        }
        let all = [
            &c.call_id,
            &c.start,
            &c.date,
            &c.time,
            &c.direction,
            &c.caller,
            &c.called,
            &c.agent,
            &c.extension,
            &c.duration,
            &c.result,
            &c.recording,
        ];
        for column in all.into_iter().flatten() {
            match column {
                ColumnRef::Position(0) => {
                    return Err(bad("column positions count from 1"));
                }
                ColumnRef::Name(_) if !self.has_header => {
                    return Err(bad(
                        "columns are named but `has_header = false`; give 1-based positions or set `has_header = true`",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl CallsConfig {
    /// The parsing context this section describes, with every value checked: national numbers
    /// read in `region`, local times in `timezone` (IANA), `own_numbers` as dialled from
    /// outside (the `[organisation]` keys of those names).
    pub fn context(
        &self,
        region: &str,
        timezone_name: &str,
        own_numbers: &[String],
    ) -> Result<CallContext, CallsConfigError> {
        let tz = timezone("organisation.timezone", timezone_name)?;
        let own_numbers = own_numbers
            .iter()
            .map(|n| {
                PhoneNumber::parse(n, region).map_err(|e| CallsConfigError::BadOwnNumber {
                    value: n.clone(),
                    why: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut names = std::collections::HashSet::new();
        for format in &self.formats {
            format.validate()?;
            if !names.insert(format.name.to_ascii_lowercase()) {
                return Err(CallsConfigError::BadFormat {
                    name: format.name.clone(),
                    why: "two entries have this name; names must be unique".to_string(),
                });
            }
        }
        Ok(CallContext {
            region: region.to_string(),
            tz,
            asterisk_gmt: self.asterisk_gmt,
            formats: self.formats.clone(),
            own_numbers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(toml_text: &str) -> CallsConfig {
        #[derive(Deserialize)]
        struct File {
            calls: CallsConfig,
        }
        toml::from_str::<File>(toml_text).expect("parses").calls
    }

    #[test]
    fn a_mapping_by_name_and_by_position_is_read_and_checked() {
        let c = calls(
            r#"
            [calls]
            [[calls.formats]]
            name = "mitel"
            columns = { start = "Date Time", caller = 2, called = "Dialled" }
            time_format = "%d/%m/%Y %H:%M:%S"
            direction_values = { inbound = ["IN"], outbound = ["OUT"] }
            result_values = { missed = ["NA"] }
            "#,
        );
        let ctx = c
            .context("GB", "Europe/London", &["0151 496 0000".into()])
            .expect("valid");
        assert_eq!(ctx.own_numbers[0].as_str(), "+441514960000");
        let f = &ctx.formats[0];
        assert!(f.has_header);
        assert_eq!(f.delimiter, ",");
        assert_eq!(f.columns.caller, Some(ColumnRef::Position(2)));
        assert_eq!(f.columns.start, Some(ColumnRef::Name("Date Time".into())));
        assert_eq!(f.result_values.missed, vec!["NA"]);
    }

    #[test]
    fn the_commented_mapping_in_the_example_config_is_valid() {
        let example = include_str!("../../../config/tidings.toml");
        let block: String = example
            .lines()
            .skip_while(|l| !l.starts_with("# [[calls.formats]]"))
            .take_while(|l| l.starts_with("# "))
            .map(|l| format!("{}\n", &l[2..]))
            .collect();
        assert!(
            block.contains("columns"),
            "the example mapping is in config/tidings.toml"
        );
        let c = calls(&format!("[calls]\n{block}"));
        let ctx = c
            .context("GB", "Europe/London", &[])
            .expect("the example mapping is valid");
        assert_eq!(ctx.formats[0].name, "mitel");
        assert_eq!(ctx.formats[0].columns.called, Some(ColumnRef::Position(4)));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct File {
            calls: CallsConfig,
        }
        let err = toml::from_str::<File>(
            "[[calls.formats]]\nname = \"x\"\ncolumns = { start = 1, caller = 2, colour = 3 }\n",
        )
        .expect_err("unknown column key");
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn bad_values_say_what_to_write() {
        let mut c = CallsConfig::default();
        assert!(matches!(
            c.context("GB", "Mars/Olympus", &[]),
            Err(CallsConfigError::BadTimezone { .. })
        ));
        assert!(matches!(
            c.context("GB", "Europe/London", &["switchboard".into()]),
            Err(CallsConfigError::BadOwnNumber { .. })
        ));
        c.formats = vec![CallFormat {
            name: "old-pbx".into(),
            has_header: false,
            delimiter: ";".into(),
            columns: ColumnMap {
                start: Some(ColumnRef::Name("When".into())),
                caller: Some(ColumnRef::Position(2)),
                ..ColumnMap::default()
            },
            time_format: None,
            timezone: None,
            direction_values: DirectionValues::default(),
            result_values: ResultValues::default(),
        }];
        let err = c
            .context("GB", "Europe/London", &[])
            .expect_err("named column without header")
            .to_string();
        assert!(err.contains("has_header"), "{err}");
        c.formats[0].columns.start = Some(ColumnRef::Position(0));
        let err = c
            .context("GB", "Europe/London", &[])
            .expect_err("position 0")
            .to_string();
        assert!(err.contains("count from 1"), "{err}");
        c.formats[0].columns.start = Some(ColumnRef::Position(1));
        c.formats[0].name = "teams".into();
        let err = c
            .context("GB", "Europe/London", &[])
            .expect_err("preset name")
            .to_string();
        assert!(err.contains("built-in"), "{err}");
    }
}
