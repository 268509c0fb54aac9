//! One side of a call as the log wrote it: a withheld caller, an extension, the
//! organisation's own line, or a customer's number in E.164.
//!
//! GB numbers in the common written forms take a fast path (no libphonenumber parse per row);
//! everything else goes through [`PhoneNumber::parse`], remembered per file.

use crate::domain::PhoneNumber;
use std::collections::HashMap;

/// Words call logs write instead of a number the network did not pass on.
const WITHHELD: &[&str] = &[
    "withheld",
    "anonymous",
    "private",
    "unavailable",
    "unknown",
    "restricted",
    "blocked",
    "number withheld",
    "private number",
    "not available",
];

/// What one number cell says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// Empty, or a withheld/anonymous/private caller: no number to link by.
    Withheld,
    /// An internal extension (2–6 digits), with a name if the log wrote `Name (2101)`.
    Extension(String, Option<String>),
    /// One of the organisation's own numbers (switchboard, queues).
    Own(PhoneNumber),
    /// Anybody else's number.
    External(PhoneNumber),
}

impl Side {
    /// Whether this side is the organisation's (an extension or an own line).
    pub(crate) fn is_staff(&self) -> bool {
        matches!(self, Side::Extension(..) | Side::Own(_))
    }

    /// The canonical form used in fingerprints.
    pub(crate) fn canonical(&self) -> &str {
        match self {
            Side::Withheld => "",
            Side::Extension(ext, _) => ext,
            Side::Own(p) | Side::External(p) => p.as_str(),
        }
    }
}

/// An extension: 2 to 6 digits.
pub(crate) fn is_extension(text: &str) -> bool {
    (2..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// `Ext.2101`, `ext 2101`, `x2101` → `2101`.
fn strip_ext_prefix(text: &str) -> &str {
    let lower_prefix = |p: &str| {
        text.get(..p.len())
            .filter(|head| head.eq_ignore_ascii_case(p))
            .map(|_| text[p.len()..].trim_start())
    };
    lower_prefix("ext.")
        .or_else(|| lower_prefix("ext"))
        .or_else(|| lower_prefix("x"))
        .filter(|rest| is_extension(rest))
        .unwrap_or(text)
}

/// `Jane Smith (2101)` → (`2101`, `Jane Smith`).
fn named_extension(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_suffix(')')?;
    let (name, ext) = inner.rsplit_once('(')?;
    let name = name.trim();
    (is_extension(ext.trim()) && name.chars().any(char::is_alphabetic)).then(|| (ext.trim(), name))
}

/// E.164 for the GB forms call logs write most (`01514960123`, `+441514960123`,
/// `00441514960123`, `441514960123`, with spaces, dashes, brackets or `(0)`), without a
/// libphonenumber parse. `None` means "use the full parser".
fn fast_gb(text: &str) -> Option<PhoneNumber> {
    let mut buf = [0u8; 20];
    let mut n = 0;
    let bytes = text.as_bytes();
    let plus = bytes.first() == Some(&b'+');
    let mut i = usize::from(plus);
    while i < bytes.len() {
        match bytes[i] {
            b'(' if bytes.get(i + 1) == Some(&b'0') && bytes.get(i + 2) == Some(&b')') => i += 2,
            d @ b'0'..=b'9' => {
                *buf.get_mut(n)? = d;
                n += 1;
            }
            b' ' | b'-' | b'(' | b')' | b'.' => {}
            _ => return None,
        }
        i += 1;
    }
    let digits = std::str::from_utf8(&buf[..n]).ok()?;
    let national = match (plus, digits) {
        (true, d) => d.strip_prefix("44")?,
        (false, d) if d.starts_with("0044") => &d[4..],
        (false, d) if d.starts_with("44") && d.len() == 12 => &d[2..],
        (false, d) if d.starts_with('0') && !d.starts_with("00") => &d[1..],
        _ => return None,
    };
    // Geographic and mobile numbers: ten digits starting 1, 2, 3 or 7.
    if national.len() != 10 || !matches!(national.as_bytes()[0], b'1' | b'2' | b'3' | b'7') {
        return None;
    }
    PhoneNumber::from_e164(&format!("+44{national}")).ok()
}

/// Reads number cells for one file: region, own numbers and a memory of slow parses.
#[derive(Debug)]
pub(crate) struct NumberReader<'c> {
    region: &'c str,
    gb: bool,
    own: &'c [PhoneNumber],
    slow: HashMap<String, Result<PhoneNumber, String>>,
}

/// Most distinct slow-path numbers remembered per file.
const MEMORY: usize = 8192;

impl<'c> NumberReader<'c> {
    /// A reader for numbers written nationally in `region`.
    pub(crate) fn new(region: &'c str, own: &'c [PhoneNumber]) -> Self {
        Self {
            region,
            gb: region.trim().eq_ignore_ascii_case("GB"),
            own,
            slow: HashMap::new(),
        }
    }

    /// What a number cell says. `outbound` strips a leading `9` trunk-access prefix from a
    /// dialled number (`901514960123` is `01514960123`). The error says what was wrong.
    pub(crate) fn side(&mut self, raw: &str, outbound: bool) -> Result<Side, String> {
        let text = raw.trim().trim_matches('"').trim();
        if text.is_empty() || WITHHELD.iter().any(|w| text.eq_ignore_ascii_case(w)) {
            return Ok(Side::Withheld);
        }
        if let Some((ext, name)) = named_extension(text) {
            return Ok(Side::Extension(ext.to_string(), Some(name.to_string())));
        }
        let text = strip_ext_prefix(text);
        if is_extension(text) {
            return Ok(Side::Extension(text.to_string(), None));
        }
        let text = match text.strip_prefix('9') {
            Some(rest) if outbound && rest.starts_with('0') && rest.len() > 7 => rest,
            _ => text,
        };
        let phone = self.phone(text)?;
        Ok(if self.own.contains(&phone) {
            Side::Own(phone)
        } else {
            Side::External(phone)
        })
    }

    fn phone(&mut self, text: &str) -> Result<PhoneNumber, String> {
        if self.gb {
            if let Some(p) = fast_gb(text) {
                return Ok(p);
            }
        }
        if let Some(known) = self.slow.get(text) {
            return known.clone();
        }
        let parsed = PhoneNumber::parse(text, self.region).map_err(|e| e.to_string());
        if self.slow.len() >= MEMORY {
            self.slow.clear();
        }
        self.slow.insert(text.to_string(), parsed.clone());
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(raw: &str, outbound: bool) -> Side {
        NumberReader::new("GB", &[])
            .side(raw, outbound)
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn external(e164: &str) -> Side {
        Side::External(PhoneNumber::from_e164(e164).expect("valid"))
    }

    #[test]
    fn every_written_form_is_one_number() {
        for written in [
            "0151 496 0123",
            "+44 (0)151 496 0123",
            "0044 151 496 0123",
            "(0151) 496 0123",
            "441514960123",
            "+441514960123",
            "0151-496-0123",
        ] {
            assert_eq!(side(written, false), external("+441514960123"), "{written}");
        }
        assert_eq!(side("901514960123", true), external("+441514960123"));
        assert_eq!(side("907700900123", true), external("+447700900123"));
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_parser() {
        for written in [
            "0151 496 0123",
            "+44 (0)151 496 0123",
            "0044 151 496 0123",
            "(0151) 496 0123",
            "441514960123",
            "07700 900123",
            "020 7946 0123",
            "0113 496 0123",
        ] {
            let full = PhoneNumber::parse(written, "GB").expect("parses");
            assert_eq!(fast_gb(written), Some(full), "{written}");
        }
        assert_eq!(
            fast_gb("0800 123 4567"),
            None,
            "non-geographic numbers take the full parser"
        );
    }

    #[test]
    fn withheld_callers_have_no_number() {
        for raw in [
            "",
            "  ",
            "Withheld",
            "ANONYMOUS",
            "private",
            "Unavailable",
            "unknown",
        ] {
            assert_eq!(side(raw, false), Side::Withheld, "{raw:?}");
        }
    }

    #[test]
    fn extensions_in_their_written_forms() {
        assert_eq!(side("2101", false), Side::Extension("2101".into(), None));
        assert_eq!(
            side("Ext.2101", false),
            Side::Extension("2101".into(), None)
        );
        assert_eq!(
            side("Jane Smith (2101)", false),
            Side::Extension("2101".into(), Some("Jane Smith".into()))
        );
        assert!(!is_extension("1"));
        assert!(!is_extension("1234567"));
    }

    #[test]
    fn the_trunk_prefix_is_only_stripped_from_dialled_numbers() {
        let mut reader = NumberReader::new("GB", &[]);
        assert_ne!(
            reader.side("901514960123", false).ok(),
            Some(external("+441514960123"))
        );
    }

    #[test]
    fn own_numbers_are_the_organisation_side() {
        let own = [PhoneNumber::from_e164("+441514960000").expect("valid")];
        let mut reader = NumberReader::new("GB", &own);
        let side = reader.side("0151 496 0000", false).expect("parses");
        assert!(matches!(side, Side::Own(_)));
        assert!(side.is_staff());
    }

    #[test]
    fn junk_is_an_error_that_says_why() {
        let err = NumberReader::new("GB", &[])
            .side("call back later", false)
            .expect_err("not a number");
        assert!(err.contains("letters"), "{err}");
    }
}
