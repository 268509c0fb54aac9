//! UK postcodes in OCR text: candidates found tolerantly (`LI 8JQ`, `CH4I 5A8`, `L18JQ`), then
//! checked and corrected by [`Postcode::parse_ocr`].

use crate::domain::Postcode;
use std::ops::Range;

/// A postcode found in a line, with the byte range it occupied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The corrected postcode.
    pub postcode: Postcode,
    /// Where it was written in the line.
    pub span: Range<usize>,
}

/// The UK postcode areas (the letters that start a postcode).
const AREAS: [&str; 121] = [
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E",
    "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "HA", "HD", "HG", "HP", "HR", "HS", "HU",
    "HX", "IG", "IP", "IV", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN", "LS", "LU",
    "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH",
    "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP",
    "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA",
    "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

/// A postcode from OCR'd text whose area is a real one. `1`, `I` or `|` at the start is also
/// tried as `L` (`19 1AD` → `L9 1AD`, `130 4YD` → `L30 4YD`): `parse_ocr` alone would read it
/// as `I`, and no postcode area starts with `I` but `IG`, `IP` and `IV`.
fn checked(compact: &str) -> Option<Postcode> {
    let real_area = |p: &Postcode| {
        let area: String = p
            .outward()
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        AREAS.contains(&area.as_str())
    };
    if let Some(p) = Postcode::parse_ocr(compact).ok().filter(real_area) {
        return Some(p);
    }
    let rest = compact.get(1..)?;
    compact
        .starts_with(['1', 'I', '|'])
        .then(|| {
            Postcode::parse_ocr(&format!("L{rest}"))
                .ok()
                .filter(real_area)
        })
        .flatten()
}

/// Upper-case letters, digits and the `|` OCR reads for `1`: what a written postcode holds.
fn plausible_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '|')
}

fn has_digit(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
}

/// Whitespace-separated tokens with their byte ranges, trailing `,` `.` `;` left off.
fn tokens(line: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                let word = line[s..i].trim_end_matches([',', '.', ';']);
                out.push((word, s..s + word.len()));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// The postcodes written in one line, left to right.
pub fn find_in_line(line: &str) -> Vec<Found> {
    let words = tokens(line);
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (a, ra) = &words[i];
        // "L1 8JQ": an outward code of 2–4 and an inward code of 3.
        if let Some((b, rb)) = words.get(i + 1) {
            if (2..=4).contains(&a.len())
                && b.len() == 3
                && plausible_token(a)
                && plausible_token(b)
                && has_digit(&format!("{a}{b}"))
            {
                if let Some(postcode) = checked(&format!("{a}{b}")) {
                    found.push(Found {
                        postcode,
                        span: ra.start..rb.end,
                    });
                    i += 2;
                    continue;
                }
            }
        }
        // "L18JQ": the space lost.
        let letters = a.chars().filter(char::is_ascii_uppercase).count();
        if (5..=7).contains(&a.len()) && plausible_token(a) && has_digit(a) && letters >= 2 {
            if let Some(postcode) = checked(a) {
                found.push(Found {
                    postcode,
                    span: ra.clone(),
                });
            }
        }
        i += 1;
    }
    found
}

/// The line with the postcode's text taken out and the rest tidied (`Liverpool L1 8JQ` →
/// `Liverpool`).
pub fn without(line: &str, found: &Found) -> String {
    let rest = format!("{} {}", &line[..found.span.start], &line[found.span.end..]);
    rest.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches([',', ' '])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(line: &str) -> Option<String> {
        find_in_line(line)
            .first()
            .map(|f| f.postcode.as_str().to_string())
    }

    #[test]
    fn finds_postcodes_as_written() {
        assert_eq!(first("L1 8JQ").as_deref(), Some("L1 8JQ"));
        assert_eq!(first("Birkenhead CH41 5AB").as_deref(), Some("CH41 5AB"));
        assert_eq!(first("Manchester, M60 2LA.").as_deref(), Some("M60 2LA"));
        assert_eq!(first("SW1A 1AA").as_deref(), Some("SW1A 1AA"));
    }

    #[test]
    fn undoes_ocr_look_alikes_where_the_format_fixes_the_kind() {
        assert_eq!(first("LI 8JQ").as_deref(), Some("L1 8JQ"));
        assert_eq!(first("CH4I 5A8").as_deref(), Some("CH41 5AB"));
        assert_eq!(first("M6O 2LA").as_deref(), Some("M60 2LA"));
        assert_eq!(first("L18JQ").as_deref(), Some("L1 8JQ"));
    }

    #[test]
    fn a_leading_one_is_read_as_l_when_no_area_fits_otherwise() {
        assert_eq!(first("19 1AD.").as_deref(), Some("L9 1AD"));
        assert_eq!(first("Bootle 130 4YD").as_deref(), Some("L30 4YD"));
        assert_eq!(first("IG1 1AA").as_deref(), Some("IG1 1AA"));
    }

    #[test]
    fn ordinary_words_and_numbers_are_not_postcodes() {
        for line in [
            "is 5th",
            "Yours sincerely",
            "THE END",
            "Tel: 0151 496 0123",
            "Mobile 07700 900123",
            "12 March 2025",
            "Ref FS12345",
        ] {
            assert_eq!(first(line), None, "{line:?}");
        }
    }

    #[test]
    fn the_rest_of_the_line_is_kept() {
        let line = "Liverpool, L1 8JQ";
        let found = &find_in_line(line)[0];
        assert_eq!(without(line, found), "Liverpool");
        let line = "L1 8JQ";
        assert_eq!(without(line, &find_in_line(line)[0]), "");
    }
}
