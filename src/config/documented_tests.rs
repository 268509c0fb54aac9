//! `config/tidings.toml` says it lists every key: each field of every config struct must
//! appear there, as a key line (commented out or not) inside its own section.

use super::sections::{
    AlertsConfig, Config, ContactVolumeConfig, DigestConfig, DigestRecipient, DropFolderConfig,
    FlagsConfig, HttpConfig, LogConfig, OrganisationConfig, RepeatTopicConfig, SignalsConfig,
    StaffSpreadConfig, StoreConfig,
};
use crate::ingest::imap::config::{FolderConfig, ImapAccountConfig};
use crate::outbound::config::SmtpConfig;
use serde::de::{self, Deserialize, Visitor};
use std::cell::Cell;

/// A deserializer that answers nothing, but records the field names serde asks a struct for.
struct FieldNames<'a>(&'a Cell<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("field names only"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(fields);
        Err(de::Error::custom("field names only"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

fn fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let names = Cell::new(&[][..]);
    let _ = T::deserialize(FieldNames(&names));
    assert!(
        !names.get().is_empty(),
        "{} has no fields",
        std::any::type_name::<T>()
    );
    names.get()
}

/// The lines of the section headed `[name]` or `[[name]]` (commented out or not), up to the
/// next header.
fn section<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let header = |line: &str| {
        let line = line.trim_start_matches('#').trim();
        line.starts_with('[')
            .then(|| line.trim_matches(['[', ']']).to_string())
    };
    let mut lines = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if let Some(h) = header(line) {
            if inside && h != name {
                break;
            }
            inside = h == name;
            continue;
        }
        if inside {
            lines.push(line);
        }
    }
    lines
}

fn documents_key(lines: &[&str], key: &str) -> bool {
    lines.iter().any(|line| {
        let line = line.trim_start_matches('#').trim_start();
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
            || line.contains(&format!("{{ {key} =")) // an inline table, e.g. recipients
            || line.contains(&format!(", {key} ="))
    })
}

#[test]
fn the_shipped_config_lists_every_accepted_key_in_its_section() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tidings.toml");
    let text = std::fs::read_to_string(&path).expect("config/tidings.toml is readable");
    let sections: &[(&str, &[&str])] = &[
        ("store", fields::<StoreConfig>()),
        ("http", fields::<HttpConfig>()),
        ("log", fields::<LogConfig>()),
        ("organisation", fields::<OrganisationConfig>()),
        ("dropfolder", fields::<DropFolderConfig>()),
        ("calls", fields::<crate::ingest::calls::CallsConfig>()),
        (
            "calls.formats",
            fields::<crate::ingest::calls::CallFormat>(),
        ),
        ("letters", fields::<crate::ingest::letters::LettersConfig>()),
        (
            "letters.limits",
            fields::<crate::ingest::letters::ScanLimits>(),
        ),
        ("flags", fields::<FlagsConfig>()),
        ("flags.contact_volume", fields::<ContactVolumeConfig>()),
        ("flags.staff_spread", fields::<StaffSpreadConfig>()),
        ("flags.repeat_topic", fields::<RepeatTopicConfig>()),
        ("flags.signals", fields::<SignalsConfig>()),
        ("alerts", fields::<AlertsConfig>()),
        ("digest", fields::<DigestConfig>()),
        ("digest", fields::<DigestRecipient>()),
        ("routing", fields::<crate::routing::RoutingConfig>()),
        ("smtp", fields::<SmtpConfig>()),
        ("imap.accounts", fields::<ImapAccountConfig>()),
        ("imap.accounts.folders", fields::<FolderConfig>()),
    ];
    let mut missing = Vec::new();
    for (name, keys) in sections {
        let lines = section(&text, name);
        // Keys that are sub-tables are checked as their own sections.
        for key in keys.iter().filter(|k| {
            ![
                "folders",
                "formats",
                "limits",
                "contact_volume",
                "staff_spread",
                "repeat_topic",
                "signals",
            ]
            .contains(*k)
        }) {
            if !documents_key(&lines, key) {
                missing.push(format!("[{name}] {key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in config/tidings.toml: {missing:?}"
    );
}

#[test]
fn every_top_level_section_is_checked() {
    let checked = [
        "store",
        "http",
        "log",
        "organisation",
        "dropfolder",
        "imap",
        "calls",
        "letters",
        "flags",
        "alerts",
        "digest",
        "routing",
        "smtp",
    ];
    assert_eq!(fields::<Config>(), checked);
}

#[test]
fn a_key_outside_its_section_does_not_count() {
    let text = "[smtp]\n# port = 25\n[[imap.accounts]]\nname = \"x\"\n";
    assert!(documents_key(&section(text, "smtp"), "port"));
    assert!(!documents_key(&section(text, "imap.accounts"), "port"));
}
