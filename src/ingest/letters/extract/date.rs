//! The date written on a letter: `12 March 2025`, `12th March 2025`, `March 12, 2025`,
//! `12/03/2025` (UK day first), `12.03.25`, `2025-03-12`.

use chrono::NaiveDate;
use regex::Regex;
use std::sync::OnceLock;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    let i = MONTHS.iter().position(|m| lower.starts_with(m))?;
    Some(i as u32 + 1)
}

fn patterns() -> &'static [Regex; 4] {
    static RE: OnceLock<[Regex; 4]> = OnceLock::new();
    RE.get_or_init(|| {
        let month = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
        let build = |p: String| Regex::new(&p).expect("date patterns are valid");
        [
            // 12 March 2025, 12th March, 2025
            build(format!(r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{month}\.?,?\s+(\d{{4}})\b")),
            // March 12, 2025
            build(format!(r"(?i)\b{month}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")),
            // 2025-03-12
            build(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b".to_string()),
            // 12/03/2025, 12.03.25, 12-03-2025
            build(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b".to_string()),
        ]
    })
}

/// Every date in `line`, in the order of the patterns above.
fn dates_in(line: &str) -> Vec<NaiveDate> {
    let [day_month, month_day, iso, numeric] = patterns();
    let mut out = Vec::new();
    let num = |s: &str| s.parse::<u32>().ok();
    for c in day_month.captures_iter(line) {
        if let (Some(d), Some(m), Some(y)) = (num(&c[1]), month_number(&c[2]), num(&c[3])) {
            out.extend(NaiveDate::from_ymd_opt(y as i32, m, d));
        }
    }
    for c in month_day.captures_iter(line) {
        if let (Some(m), Some(d), Some(y)) = (month_number(&c[1]), num(&c[2]), num(&c[3])) {
            out.extend(NaiveDate::from_ymd_opt(y as i32, m, d));
        }
    }
    for c in iso.captures_iter(line) {
        if let (Some(y), Some(m), Some(d)) = (num(&c[1]), num(&c[2]), num(&c[3])) {
            out.extend(NaiveDate::from_ymd_opt(y as i32, m, d));
        }
    }
    for c in numeric.captures_iter(line) {
        if let (Some(d), Some(m), Some(y)) = (num(&c[1]), num(&c[2]), num(&c[3])) {
            let year = if c[3].len() == 2 { 2000 + y } else { y };
            out.extend(NaiveDate::from_ymd_opt(year as i32, m, d));
        }
    }
    out
}

/// The letter's date: a line that is only a date (or `Date: …`) among `header` lines wins;
/// then the first date in the header; then the first date anywhere in `all`.
pub fn letter_date(header: &[&str], all: &[&str]) -> Option<NaiveDate> {
    let own_line = header.iter().find_map(|line| {
        let bare = line
            .trim()
            .trim_start_matches("Date:")
            .trim_start_matches("Dated:")
            .trim();
        let found = dates_in(bare);
        let date_only = bare.split_whitespace().count() <= 4 && !bare.contains(':');
        (date_only && found.len() == 1).then(|| found[0])
    });
    own_line
        .or_else(|| header.iter().find_map(|l| dates_in(l).into_iter().next()))
        .or_else(|| all.iter().find_map(|l| dates_in(l).into_iter().next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(line: &str) -> Option<String> {
        letter_date(&[line], &[line]).map(|d| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn written_forms_uk_day_first() {
        for line in [
            "12 March 2025",
            "12th March 2025",
            "12th March, 2025",
            "12 Mar 2025",
            "March 12, 2025",
            "12/03/2025",
            "12.03.25",
            "2025-03-12",
            "Date: 12 March 2025",
            "Wednesday 12 March 2025",
        ] {
            assert_eq!(date(line).as_deref(), Some("2025-03-12"), "{line:?}");
        }
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        assert_eq!(date("31/02/2025"), None);
        assert_eq!(date("45 March 2025"), None);
        assert_eq!(date("no date here"), None);
    }

    #[test]
    fn the_header_date_line_wins_over_dates_in_the_body() {
        let header = ["14 Acacia Avenue", "3 February 2025"];
        let all = ["On 1 January 2025 the alarm went off", "3 February 2025"];
        let found = letter_date(&header, &all).expect("a date");
        assert_eq!(found.format("%Y-%m-%d").to_string(), "2025-02-03");
        let body_only = letter_date(&[], &all).expect("a date");
        assert_eq!(body_only.format("%Y-%m-%d").to_string(), "2025-01-01");
    }
}
