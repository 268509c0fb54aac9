//! The parts of a letter people write by formula: the "Dear …" line (whom it is addressed
//! to), the subject line ("Re: …"), the valediction ("Yours sincerely") and the signature
//! name under it.

use super::words::{is_name_like, ROLE_WORDS};
use crate::domain::PersonName;

/// Whom a letter is addressed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addressee {
    /// A person ("Dear Ms Okafor").
    Name(String),
    /// A role or office ("Dear Chief Fire Officer", "Dear Sir or Madam").
    Role(String),
}

impl Addressee {
    /// The text as written after "Dear".
    pub fn as_str(&self) -> &str {
        match self {
            Addressee::Name(s) | Addressee::Role(s) => s,
        }
    }
}

/// Whether the line opens the letter ("Dear …").
pub fn is_salutation(line: &str) -> bool {
    let lower = line.trim_start().to_lowercase();
    lower.starts_with("dear ") || lower == "dear"
}

/// Whether the line closes the letter ("Yours sincerely", "Kind regards").
pub fn is_valediction(line: &str) -> bool {
    let lower = line.trim().trim_end_matches([',', '.']).to_lowercase();
    const CLOSINGS: [&str; 10] = [
        "yours sincerely",
        "yours faithfully",
        "yours truly",
        "sincerely",
        "kind regards",
        "best regards",
        "regards",
        "best wishes",
        "with thanks",
        "many thanks",
    ];
    CLOSINGS
        .iter()
        .any(|c| lower == *c || (lower.starts_with(c) && lower.len() <= c.len() + 12))
}

/// Reads the addressee from a "Dear …" line: a role when it names an office or is the
/// generic "Sir or Madam", otherwise a name.
pub fn addressee(line: &str) -> Option<Addressee> {
    let rest = line.trim_start().get(4..)?.trim();
    let rest = rest.trim_end_matches([',', ':', ';', '.']).trim();
    if rest.is_empty() {
        return None;
    }
    let lower = rest.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let generic = [
        "sir",
        "madam",
        "sirs",
        "sir or madam",
        "sir/madam",
        "madam or sir",
    ];
    if generic.contains(&lower.as_str()) {
        return Some(Addressee::Role(rest.to_string()));
    }
    let titled = PersonName::parse(rest)
        .ok()
        .is_some_and(|n| n.title().is_some() && !n.family().is_empty());
    if titled && !words.iter().skip(1).any(|w| ROLE_WORDS.contains(w)) {
        return Some(Addressee::Name(rest.to_string()));
    }
    if words.iter().any(|w| ROLE_WORDS.contains(w)) {
        return Some(Addressee::Role(rest.to_string()));
    }
    Some(Addressee::Name(rest.to_string()))
}

/// The subject from a `Re:` / `Subject:` line, or failing that a `Ref:` line (not "Our ref"
/// or "Your ref", which are file references).
pub fn subject(lines: &[&str]) -> Option<String> {
    let value = |line: &str, labels: &[&str]| -> Option<String> {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        labels.iter().find_map(|label| {
            let rest = lower.strip_prefix(label)?;
            let sep = rest.trim_start().chars().next()?;
            if !matches!(sep, ':' | ';' | '.') {
                return None;
            }
            let skip = trimmed.len() - rest.trim_start().len() + 1;
            let text = trimmed
                .get(skip..)?
                .trim()
                .trim_end_matches(['.', ','])
                .trim();
            (!text.is_empty()).then(|| text.to_string())
        })
    };
    lines
        .iter()
        .find_map(|l| value(l, &["subject", "re"]))
        .or_else(|| lines.iter().find_map(|l| value(l, &["ref", "reference"])))
}

/// The signature name: the first name-like line among the few after the valediction.
pub fn signature(after_valediction: &[&str]) -> Option<PersonName> {
    after_valediction
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .find_map(|l| is_name_like(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dear_a_role_or_a_name() {
        assert_eq!(
            addressee("Dear Chief Fire Officer,"),
            Some(Addressee::Role("Chief Fire Officer".into()))
        );
        assert_eq!(
            addressee("Dear Sir or Madam"),
            Some(Addressee::Role("Sir or Madam".into()))
        );
        assert_eq!(
            addressee("Dear Ms Okafor,"),
            Some(Addressee::Name("Ms Okafor".into()))
        );
        assert_eq!(
            addressee("Dear Mr Patel"),
            Some(Addressee::Name("Mr Patel".into()))
        );
        assert_eq!(
            addressee("Dear Station Manager Hughes,"),
            Some(Addressee::Role("Station Manager Hughes".into()))
        );
        assert_eq!(
            addressee("Dear Priya,"),
            Some(Addressee::Name("Priya".into()))
        );
        assert_eq!(addressee("Dear"), None);
    }

    #[test]
    fn subject_lines() {
        assert_eq!(
            subject(&["Re: Smoke alarm fitting"]).as_deref(),
            Some("Smoke alarm fitting")
        );
        assert_eq!(
            subject(&["RE; Fire safety visit."]).as_deref(),
            Some("Fire safety visit")
        );
        assert_eq!(
            subject(&["Ref: FS/2025/114", "Subject: Hydrant on Mill Lane"]).as_deref(),
            Some("Hydrant on Mill Lane")
        );
        assert_eq!(
            subject(&["Ref: FS/2025/114"]).as_deref(),
            Some("FS/2025/114")
        );
        assert_eq!(subject(&["Re-inspection went well"]), None);
        assert_eq!(subject(&["Our ref: 123"]), None);
    }

    #[test]
    fn valedictions() {
        for line in [
            "Yours sincerely,",
            "Yours faithfully",
            "Kind regards",
            "Best wishes,",
        ] {
            assert!(is_valediction(line), "{line:?}");
        }
        assert!(!is_valediction(
            "Regards to the crew who came out on Tuesday night and helped"
        ));
    }

    #[test]
    fn signature_skips_scribbles_to_the_printed_name() {
        let name = signature(&["", "~ ww^ ~", "Ann Jones (Mrs)", "14 Acacia Avenue"])
            .expect("a signature name");
        assert_eq!(name.as_str(), "Ann Jones");
        let name = signature(&["Dr. Kwame Mensah"]).expect("a signature name");
        assert_eq!(name.family(), "Mensah");
        assert_eq!(signature(&["Enc. photographs", "cc: Councillor"]), None);
    }
}
