//! `Postcode`: a UK postcode in its canonical form (`L1 8JQ`, `SW1A 1AA`).

use super::DomainError;
use std::fmt;

/// A UK postcode, upper case with one space before the inward code. Made only by
/// [`Postcode::parse`] (exact shape) or [`Postcode::parse_ocr`] (shape fixes the usual OCR
/// confusions).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Postcode(String);

/// Letter (`A`) or digit (`9`) at each position, for the six outward-code shapes.
const OUTWARD_SHAPES: [&str; 6] = ["A9", "A99", "AA9", "AA99", "A9A", "AA9A"];

impl Postcode {
    /// Checks a postcode as written: case and spacing are free (`l18jq`, `L1  8JQ`), the
    /// letters and digits must be where the format puts them.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        Self::from_compact(&compact).ok_or_else(|| DomainError::InvalidPostcode {
            input: input.chars().take(20).collect(),
        })
    }

    /// Like [`Postcode::parse`], but where the format fixes that a position holds a letter or
    /// a digit, the look-alikes OCR confuses (`O`/`0`, `I`/`1`, `S`/`5`, `B`/`8`, `Z`/`2`) are
    /// read as what the position needs. Tries each outward shape; the first that fits wins.
    pub fn parse_ocr(input: &str) -> Result<Self, DomainError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if let Some(p) = Self::from_compact(&compact) {
            return Ok(p);
        }
        let chars: Vec<char> = compact.chars().collect();
        if (5..=7).contains(&chars.len()) {
            let outward_len = chars.len() - 3;
            for shape in OUTWARD_SHAPES.iter().filter(|s| s.len() == outward_len) {
                let pattern = format!("{shape}9AA");
                let fixed: Option<String> = chars
                    .iter()
                    .zip(pattern.chars())
                    .map(|(c, want)| coerce(*c, want))
                    .collect();
                if let Some(p) = fixed.as_deref().and_then(Self::from_compact) {
                    return Ok(p);
                }
            }
        }
        Err(DomainError::InvalidPostcode {
            input: input.chars().take(20).collect(),
        })
    }

    fn from_compact(compact: &str) -> Option<Self> {
        if compact == "GIR0AA" {
            return Some(Self("GIR 0AA".to_string()));
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return None;
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let fits = |text: &str, shape: &str| {
            text.len() == shape.len()
                && text.chars().zip(shape.chars()).all(|(c, s)| match s {
                    'A' => c.is_ascii_uppercase(),
                    _ => c.is_ascii_digit(),
                })
        };
        let inward_ok = fits(inward, "9AA")
            // The inward letters never use C, I, K, M, O or V.
            && !inward[1..].chars().any(|c| "CIKMOV".contains(c));
        // A final letter of the outward code is one of a few (W1A, EC1V).
        let final_letter_ok = match (outward.len(), outward.as_bytes().last()) {
            (3, Some(c)) if c.is_ascii_uppercase() => "ABCDEFGHJKPSTUW".contains(*c as char),
            (4, Some(c)) if c.is_ascii_uppercase() => "ABEHMNPRVWXY".contains(*c as char),
            _ => true,
        };
        let outward_ok = final_letter_ok
            && OUTWARD_SHAPES.iter().any(|s| fits(outward, s))
            // Q, V and X are never first; I, J and Z never second.
            && !outward.starts_with(['Q', 'V', 'X'])
            && !(outward.len() > 1
                && outward.as_bytes()[1].is_ascii_uppercase()
                && "IJZ".contains(outward.as_bytes()[1] as char));
        (inward_ok && outward_ok).then(|| Self(format!("{outward} {inward}")))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code (`L1` of `L1 8JQ`): the area and district.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }
}

/// Reads `c` as the kind `want` (`A` letter, `9` digit) needs, undoing OCR look-alikes.
fn coerce(c: char, want: char) -> Option<char> {
    let to_digit = |c: char| match c {
        'O' | 'Q' | 'D' => Some('0'),
        'I' | 'L' | '|' => Some('1'),
        'Z' => Some('2'),
        'S' => Some('5'),
        'G' => Some('6'),
        'B' => Some('8'),
        c if c.is_ascii_digit() => Some(c),
        _ => None,
    };
    let to_letter = |c: char| match c {
        '0' => Some('O'),
        '1' => Some('I'),
        '2' => Some('Z'),
        '5' => Some('S'),
        '8' => Some('B'),
        '6' => Some('G'),
        c if c.is_ascii_uppercase() => Some(c),
        _ => None,
    };
    match want {
        'A' => to_letter(c),
        _ => to_digit(c),
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_whatever_the_spacing_and_case() {
        for (written, canonical) in [
            ("L1 8JQ", "L1 8JQ"),
            ("l18jq", "L1 8JQ"),
            ("SW1A 1AA", "SW1A 1AA"),
            ("sw1a1aa", "SW1A 1AA"),
            ("M60  2LA", "M60 2LA"),
            ("CH41 1AB", "CH41 1AB"),
            ("W1A 0AX", "W1A 0AX"),
            ("GIR 0AA", "GIR 0AA"),
        ] {
            assert_eq!(Postcode::parse(written).expect(written).as_str(), canonical);
        }
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        for bad in [
            "", "L1", "12345", "LL1 8J", "L1 8JQQ", "L1 JQ8", "QA1 1AA", "L1 8CI",
        ] {
            assert!(Postcode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ocr_confusions_are_undone_where_the_shape_decides() {
        assert_eq!(
            Postcode::parse_ocr("LI 8JQ").expect("fixable").as_str(),
            "L1 8JQ"
        );
        assert_eq!(
            Postcode::parse_ocr("SWIA IAA").expect("fixable").as_str(),
            "SW1A 1AA"
        );
        assert_eq!(
            Postcode::parse_ocr("M6O 2LA").expect("fixable").as_str(),
            "M60 2LA"
        );
        assert_eq!(
            Postcode::parse_ocr("L1 BJQ").expect("fixable").as_str(),
            "L1 8JQ"
        );
        assert_eq!(
            Postcode::parse_ocr("CH4I 1A8").expect("fixable").as_str(),
            "CH41 1AB"
        );
        assert!(Postcode::parse_ocr("hello").is_err());
    }

    #[test]
    fn outward_code() {
        assert_eq!(
            Postcode::parse("SW1A 1AA").expect("valid").outward(),
            "SW1A"
        );
    }
}
