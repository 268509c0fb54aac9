//! Telephone numbers and email addresses in letter text, tolerant of the ways people write
//! them (`Tel: 0151 496 0123`, `+44 (0)7700 900123`, `07700-900-123`) and of the spaces OCR
//! puts around `@` and dots (`ann . jones @ example . org`).

use crate::domain::{EmailAddress, PhoneNumber};
use regex::Regex;
use std::sync::OnceLock;

fn phone_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // `+` or a leading 0, then digits, brackets and hyphens, a dot or one space only
        // when a digit follows (so "0123 ... 0151" is two numbers, not one).
        Regex::new(r"(?:\+|\(?\b0)(?:[0-9()\-]|\.[0-9]| [0-9(])+")
            .expect("the phone pattern is valid")
    })
}

/// The line with digit look-alikes read as digits inside number-like words (`O151` →
/// `0151`, `9OO456` → `900456`); other words are left alone.
fn digits_fixed(line: &str) -> String {
    line.split_whitespace()
        .map(|word| {
            let numberish = word.chars().any(|c| c.is_ascii_digit())
                && word
                    .chars()
                    .all(|c| c.is_ascii_digit() || "OoIl()+-.:,".contains(c));
            if numberish {
                word.chars()
                    .map(|c| match c {
                        'O' | 'o' => '0',
                        'I' | 'l' => '1',
                        c => c,
                    })
                    .collect()
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn email_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"[A-Za-z0-9][A-Za-z0-9._%+\-]*(?: ?\. ?[A-Za-z0-9_%+\-]+)* ?@ ?[A-Za-z0-9\-]+(?: ?\. ?[A-Za-z0-9\-]+)+",
        )
        .expect("the email pattern is valid")
    })
}

/// Telephone numbers in `text`, in E.164, in the order written, each once. National
/// numbers are read in `region`. Digit look-alikes inside a number (`O` for `0`, `l` for `1`)
/// are read as digits.
pub fn phones(text: &str, region: &str) -> Vec<PhoneNumber> {
    let mut out: Vec<PhoneNumber> = Vec::new();
    for line in text.lines() {
        let line = digits_fixed(line);
        for m in phone_pattern().find_iter(&line) {
            let written = m.as_str().trim_end_matches(['(', '-', ' ']);
            let count = written.chars().filter(char::is_ascii_digit).count();
            // UK numbers have 10 or 11 digits nationally, 12 with the country code.
            if !(10..=13).contains(&count) {
                continue;
            }
            if let Ok(phone) = PhoneNumber::parse(written, region) {
                if !out.contains(&phone) {
                    out.push(phone);
                }
            }
        }
    }
    out
}

/// Email addresses in `text`, lower case, in the order written, each once.
pub fn emails(text: &str) -> Vec<EmailAddress> {
    let mut out: Vec<EmailAddress> = Vec::new();
    for line in text.lines() {
        for m in email_pattern().find_iter(line) {
            let compact: String = m.as_str().chars().filter(|c| *c != ' ').collect();
            if let Ok(email) = EmailAddress::parse(&compact.to_lowercase()) {
                if !out.contains(&email) {
                    out.push(email);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(text: &str) -> Vec<String> {
        phones(text, "GB").iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn reads_uk_numbers_in_the_usual_shapes() {
        assert_eq!(e164("Tel: 0151 496 0123"), ["+441514960123"]);
        assert_eq!(e164("Mobile: 07700 900123"), ["+447700900123"]);
        assert_eq!(e164("call +44 (0)7700 900456 or"), ["+447700900456"]);
        assert_eq!(e164("Telephone (0151) 496-0789."), ["+441514960789"]);
        assert_eq!(
            e164("Tel 0161 496 0000\nMob 07700 900999"),
            ["+441614960000", "+447700900999"]
        );
    }

    #[test]
    fn digit_look_alikes_inside_a_number_are_digits() {
        assert_eq!(e164("Tel: O151 496 O123"), ["+441514960123"]);
    }

    #[test]
    fn dates_references_and_sums_are_not_numbers() {
        assert!(e164("12/03/2025 and 2025-03-12, ref 123456, £1,250.00").is_empty());
    }

    #[test]
    fn each_number_once() {
        assert_eq!(e164("0151 496 0123 ... 0151 496 0123").len(), 1);
    }

    #[test]
    fn emails_with_and_without_ocr_spaces() {
        let found: Vec<String> =
            emails("Email: Ann.Jones@Example.org\nor ann.jones @ example . com.")
                .iter()
                .map(|e| e.to_string())
                .collect();
        assert_eq!(found, ["ann.jones@example.org", "ann.jones@example.com"]);
    }
}
