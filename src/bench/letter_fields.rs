//! Field accuracy for `tidings bench letters`: the sender's name, postcode, phones and emails
//! of each labelled letter as Tidings extracts them, beside a naive baseline that runs plain
//! regexes over the bare tool text (no OCR corrections, no address-block or signature logic).

use crate::domain::{EmailAddress, PersonName, PhoneNumber, Postcode};
use crate::ingest::letters::LetterFields;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// The fields compared, in report order.
pub const FIELDS: [&str; 4] = ["sender_name", "postcode", "phones", "emails"];

/// The four compared fields of one letter, as text in the labels' form (name key, postcode
/// `OUT IN`, E.164 phones, lower-case emails; lists sorted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compared {
    /// The sender's name key ([`PersonName::key`]).
    pub sender_name: Option<String>,
    /// The sender's postcode.
    pub postcode: Option<String>,
    /// The sender's phone numbers, E.164, sorted.
    pub phones: Vec<String>,
    /// The sender's email addresses, sorted.
    pub emails: Vec<String>,
}

impl Compared {
    /// What Tidings extracted.
    pub fn of_fields(fields: &LetterFields) -> Self {
        Self {
            sender_name: fields.sender_name.as_ref().map(PersonName::key),
            postcode: fields.postcode.as_ref().map(ToString::to_string),
            phones: sorted(fields.phones.iter().map(ToString::to_string)),
            emails: sorted(fields.emails.iter().map(ToString::to_string)),
        }
    }

    /// What a letter's `NNN.expected.json` says.
    pub fn of_labels(expected: &Value) -> Self {
        let list = |field: &str| {
            sorted(
                expected[field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string)),
            )
        };
        Self {
            sender_name: expected["sender_name"]
                .as_str()
                .and_then(|n| PersonName::parse(n).ok())
                .map(|n| n.key()),
            postcode: expected["postcode"].as_str().map(str::to_string),
            phones: list("phones"),
            emails: list("emails"),
        }
    }

    /// Whether `field` (one of [`FIELDS`]) equals the other's.
    pub fn same(&self, other: &Self, field: &str) -> bool {
        match field {
            "sender_name" => self.sender_name == other.sender_name,
            "postcode" => self.postcode == other.postcode,
            "phones" => self.phones == other.phones,
            "emails" => self.emails == other.emails,
            _ => false,
        }
    }

    /// Whether the labels hold a value for `field`.
    pub fn has(&self, field: &str) -> bool {
        match field {
            "sender_name" => self.sender_name.is_some(),
            "postcode" => self.postcode.is_some(),
            "phones" => !self.phones.is_empty(),
            "emails" => !self.emails.is_empty(),
            _ => false,
        }
    }
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b").expect("a valid regex")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+44\s?(?:\(0\)\s?)?|\b0)\d(?:[ -]?\d){8,9}\b").expect("a valid regex")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("a valid regex")
});
static VALEDICTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(yours|kind regards|best regards|best wishes|regards)\b")
        .expect("a valid regex")
});

/// The naive baseline: the first postcode-shaped token anywhere in the text (as printed,
/// not corrected), every phone-shaped and email-shaped match anywhere (phones normalised to
/// E.164 by the same [`PhoneNumber::parse`] so the comparison is of finding, not formatting),
/// and as the name the first non-empty line after a valediction ("Yours …", "Kind regards").
pub fn naive(text: &str) -> Compared {
    let postcode = POSTCODE
        .captures(text)
        .map(|c| format!("{} {}", &c[1], &c[2]))
        .and_then(|p| Postcode::parse(&p).ok())
        .map(|p| p.to_string());
    let phones = sorted(
        PHONE
            .find_iter(text)
            .filter_map(|m| PhoneNumber::parse(m.as_str(), "GB").ok())
            .map(|p| p.to_string()),
    );
    let emails = sorted(
        EMAIL
            .find_iter(text)
            .filter_map(|m| EmailAddress::parse(m.as_str()).ok())
            .map(|e| e.to_string()),
    );
    let mut lines = text.lines().skip_while(|l| !VALEDICTION.is_match(l));
    lines.next();
    let sender_name = lines
        .find(|l| !l.trim().is_empty())
        .and_then(|l| PersonName::parse(l.trim()).ok())
        .map(|n| n.key());
    Compared {
        sender_name,
        postcode,
        phones,
        emails,
    }
}

/// Right answers per field over a set of letters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Letters compared.
    pub letters: usize,
    /// Per field (in [`FIELDS`] order): letters right.
    pub right: [usize; 4],
    /// Per field: letters whose labels hold a value.
    pub present: [usize; 4],
    /// One line per wrong field: file, field, found, expected.
    pub misses: Vec<String>,
}

impl Tally {
    /// Adds one letter's comparison.
    pub fn add(&mut self, file: &str, found: &Compared, expected: &Compared) {
        self.letters += 1;
        for (i, field) in FIELDS.iter().enumerate() {
            if expected.has(field) {
                self.present[i] += 1;
            }
            if found.same(expected, field) {
                self.right[i] += 1;
            } else {
                self.misses.push(format!(
                    "{file} {field}: found {}, expected {}",
                    show(found, field),
                    show(expected, field)
                ));
            }
        }
    }

    /// Share of letters right for field `i`.
    pub fn accuracy(&self, i: usize) -> f64 {
        self.right[i] as f64 / self.letters.max(1) as f64
    }
}

fn show(c: &Compared, field: &str) -> String {
    match field {
        "sender_name" => format!("{:?}", c.sender_name),
        "postcode" => format!("{:?}", c.postcode),
        "phones" => format!("{:?}", c.phones),
        _ => format!("{:?}", c.emails),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARE: &str = "Ann Jones\n14 Acacia Avenue\nWallasey\nCH44 7HX\nTel: 0151 496 0123\n\
        ann.jones@example.org\n\nChief Fire Officer\nBridle Road\nBootle\nL30 4YD\n\n\
        Dear Chief Fire Officer,\nThank you.\n\nYours sincerely,\n\nAnn Jones\n";

    #[test]
    fn the_naive_baseline_takes_the_first_match_and_the_signature_line() {
        let found = naive(BARE);
        assert_eq!(found.postcode.as_deref(), Some("CH44 7HX"));
        assert_eq!(found.phones, vec!["+441514960123".to_string()]);
        assert_eq!(found.emails, vec!["ann.jones@example.org".to_string()]);
        assert_eq!(
            found.sender_name,
            PersonName::parse("Ann Jones").ok().map(|n| n.key())
        );
    }

    #[test]
    fn the_naive_baseline_does_not_correct_ocr_misreadings() {
        // "CH44 7HX" read with a letter O for the zero-like digit is not a postcode to a regex.
        let found = naive("CHO4 7HX\nTel: 0151 496 O123\n");
        assert_eq!(found.postcode, None);
        assert!(found.phones.is_empty());
    }

    #[test]
    fn a_tally_counts_each_field_and_names_the_misses() {
        let expected = Compared::of_labels(&serde_json::json!({
            "sender_name": "Ann Jones", "postcode": "CH44 7HX",
            "phones": ["+441514960123"], "emails": []
        }));
        let mut found = expected.clone();
        found.postcode = Some("L30 4YD".to_string());
        let mut tally = Tally::default();
        tally.add("001.png", &found, &expected);
        assert_eq!(tally.right, [1, 0, 1, 1]);
        assert_eq!(tally.present, [1, 1, 1, 0]);
        assert_eq!(tally.misses.len(), 1);
        assert!(
            tally.misses[0].contains("001.png postcode"),
            "{:?}",
            tally.misses
        );
    }
}
