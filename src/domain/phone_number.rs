//! `PhoneNumber`: a telephone number normalised to E.164 (`+441514960123`).

use super::DomainError;
use std::fmt;

/// A telephone number in E.164 form. Made only by [`PhoneNumber::parse`] or
/// [`PhoneNumber::from_e164`]. A number that parses is kept even when it lies outside the
/// ranges known to be allocated: call logs and letters are evidence, not a validation form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PhoneNumber(String);

/// Digits in the longest E.164 number.
const MAX_DIGITS: usize = 15;
/// Fewer digits than this is an extension or a short code, not a customer's number.
const MIN_DIGITS: usize = 7;

impl PhoneNumber {
    /// Parses a number as written (`0151 496 0123`, `+44 (0)151 496 0123`,
    /// `0044 151 496 0123`, `(0151) 496 0123`, `441514960123`) into E.164. National numbers
    /// are read in `default_region` (an ISO 3166 code such as `GB`).
    pub fn parse(input: &str, default_region: &str) -> Result<Self, DomainError> {
        let invalid = |why: &str| DomainError::InvalidPhone {
            input: input.chars().take(60).collect(),
            why: why.to_string(),
        };
        let trimmed = input.trim();
        if trimmed
            .chars()
            .any(|c| c.is_alphabetic() && c != 'x' && c != 'X')
        {
            return Err(invalid("it contains letters"));
        }
        // `+44 (0)151…`: the bracketed trunk zero is written for national callers only.
        let cleaned = trimmed.replace("(0)", "");
        let digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < MIN_DIGITS {
            return Err(invalid("it has too few digits for a telephone number"));
        }
        if digits.len() > MAX_DIGITS + 2 {
            return Err(invalid("it has too many digits for a telephone number"));
        }
        let region: phonenumber::country::Id =
            default_region
                .trim()
                .to_ascii_uppercase()
                .parse()
                .map_err(|_| invalid("the default region is not a known ISO 3166 country code"))?;
        let international = cleaned.trim_start().starts_with('+') || digits.starts_with("00");
        let candidate = if international {
            format!("+{}", digits.trim_start_matches("00"))
        } else {
            digits.clone()
        };
        let mut parsed = phonenumber::parse(Some(region), &candidate).ok();
        // `441514960123`: the country code written without `+` or `00`.
        if let Some(code) = region_code(region) {
            let national_ok = parsed
                .as_ref()
                .is_some_and(|n| phonenumber::is_valid(n) || digits.starts_with('0'));
            if !international && !national_ok && digits.starts_with(&code.to_string()) {
                if let Ok(n) = phonenumber::parse(None, &format!("+{digits}")) {
                    if phonenumber::is_valid(&n) {
                        parsed = Some(n);
                    }
                }
            }
        }
        let parsed = parsed.ok_or_else(|| invalid("it is not a telephone number"))?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Self::from_e164(&e164).map_err(|_| invalid("it is not a telephone number"))
    }

    /// Accepts a number already in E.164 form (`+` and 7–15 digits), as stored.
    pub fn from_e164(input: &str) -> Result<Self, DomainError> {
        let digits = input.strip_prefix('+').unwrap_or("");
        if digits.len() < MIN_DIGITS
            || digits.len() > MAX_DIGITS
            || !digits.chars().all(|c| c.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(DomainError::InvalidPhone {
                input: input.chars().take(60).collect(),
                why: "E.164 is `+` then 7 to 15 digits".to_string(),
            });
        }
        Ok(Self(input.to_string()))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn region_code(region: phonenumber::country::Id) -> Option<u16> {
    phonenumber::metadata::DATABASE
        .by_id(region.as_ref())
        .map(|m| m.country_code())
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb(s: &str) -> String {
        PhoneNumber::parse(s, "GB")
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .to_string()
    }

    #[test]
    fn every_way_of_writing_a_uk_number_is_one_number() {
        for written in [
            "0151 496 0123",
            "+44 (0)151 496 0123",
            "0044 151 496 0123",
            "(0151) 496 0123",
            "441514960123",
            "+441514960123",
            "0151-496-0123",
        ] {
            assert_eq!(gb(written), "+441514960123", "{written}");
        }
    }

    #[test]
    fn mobiles_and_other_countries() {
        assert_eq!(gb("07700 900123"), "+447700900123");
        assert_eq!(gb("+33 1 23 45 67 89"), "+33123456789");
        assert_eq!(
            PhoneNumber::parse("(212) 555-0100", "US")
                .expect("valid")
                .as_str(),
            "+12125550100"
        );
    }

    #[test]
    fn numbers_outside_allocated_ranges_are_kept() {
        // 01632 960xxx is Ofcom's drama range: it parses, so it is kept.
        assert_eq!(gb("01632 960001"), "+441632960001");
    }

    #[test]
    fn extensions_words_and_junk_are_rejected() {
        for bad in [
            "",
            "2001",
            "anonymous",
            "Withheld",
            "12",
            "++",
            "1234567890123456789",
        ] {
            assert!(PhoneNumber::parse(bad, "GB").is_err(), "{bad:?}");
        }
        assert!(PhoneNumber::parse("0151 496 0123", "XX").is_err());
    }

    #[test]
    fn e164_round_trips() {
        let p = PhoneNumber::from_e164("+441514960123").expect("valid");
        assert_eq!(p.as_str(), "+441514960123");
        assert!(PhoneNumber::from_e164("441514960123").is_err());
        assert!(PhoneNumber::from_e164("+0123456789").is_err());
    }
}
