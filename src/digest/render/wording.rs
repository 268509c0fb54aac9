//! Phrases both parts share: the explanation, greeting, totals, footer, flag kind titles,
//! counts with the right plural, and dates.

use super::{DigestFlag, DigestView, PeriodTotals};
use chrono::{DateTime, Datelike, Duration};
use chrono_tz::Tz;

/// The explanation at the top of every digest with flags.
pub(super) const ABOUT: &str = "Advisory flags are observations about patterns of contact, raised \
automatically so that a person can look at them. They are not judgements about anyone and \
change nothing on their own. Any decision is made by people at a case conference, on the \
evidence, after considering vulnerability, support and communication needs. Each flag expires \
on the date shown. This digest shows figures and, for a flag about one item, the one sentence that matched, never whole messages.";

pub(super) fn greeting(view: &DigestView) -> String {
    match view.recipient_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("Hello {name},"),
        _ => "Hello,".to_owned(),
    }
}

pub(super) fn open_line(view: &DigestView) -> String {
    match view.open_flags_total {
        0 => "No flags are open.".to_owned(),
        1 => "1 flag is open in total, including new ones.".to_owned(),
        n => format!("{n} flags are open in total, including new ones."),
    }
}

pub(super) fn totals_line(totals: &PeriodTotals) -> String {
    format!(
        "Contact log this period: {} from {}; {} in quarantine.",
        count_u64(totals.items_in_period, "item", "items"),
        count_u64(totals.customers_in_period, "customer", "customers"),
        count_u64(
            totals.quarantined_in_period,
            "unreadable item",
            "unreadable items"
        ),
    )
}

pub(super) fn footer(view: &DigestView) -> String {
    let org = view.organisation.trim();
    let zone = view.period_start.timezone().name();
    if org.eq_ignore_ascii_case("tidings") || org.is_empty() {
        format!("Sent automatically by Tidings. Dates are calendar days in {zone}.")
    } else {
        format!("Sent automatically by Tidings for {org}. Dates are calendar days in {zone}.")
    }
}

pub(super) fn kind_title(kind: &str) -> String {
    match kind {
        "contact-volume" => "Contact volume",
        "staff-spread" => "One topic raised with several staff",
        "repeat-topic" => "Topic raised again after a response",
        "language-review" => "Language to review",
        "safety" => "Safety",
        "senior-officer-request" => "Request for a senior officer",
        "urgency-demand" => "Request for urgency",
        "recording-mention" => "Mention of recording",
        other => other,
    }
    .to_owned()
}

pub(super) fn customer(flag: &DigestFlag) -> String {
    match flag.customer_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("{name} (customer {})", flag.customer_key),
        _ => format!("customer {}", flag.customer_key),
    }
}

pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    count_u64(u64::try_from(n).unwrap_or(u64::MAX), one, many)
}

pub(super) fn count_u64(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn day(at: DateTime<Tz>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// "23–29 Nov 2026", "28 Nov – 4 Dec 2026", "28 Dec 2026 – 3 Jan 2027" for `[start, end)`.
pub(super) fn date_range(start: DateTime<Tz>, end: DateTime<Tz>) -> String {
    let first = start.date_naive();
    let last = if end > start {
        (end - Duration::seconds(1)).date_naive()
    } else {
        first
    };
    if first == last {
        first.format("%-d %b %Y").to_string()
    } else if first.year() != last.year() {
        format!(
            "{} – {}",
            first.format("%-d %b %Y"),
            last.format("%-d %b %Y")
        )
    } else if first.month() != last.month() {
        format!("{} – {}", first.format("%-d %b"), last.format("%-d %b %Y"))
    } else {
        format!("{}–{}", first.format("%-d"), last.format("%-d %b %Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::date_range;
    use crate::digest::render::tests::at;

    #[test]
    fn date_ranges_read_naturally() {
        assert_eq!(
            date_range(at(2026, 11, 28), at(2026, 12, 5)),
            "28 Nov – 4 Dec 2026"
        );
        assert_eq!(
            date_range(at(2026, 12, 28), at(2027, 1, 4)),
            "28 Dec 2026 – 3 Jan 2027"
        );
        assert_eq!(
            date_range(at(2026, 11, 28), at(2026, 11, 29)),
            "28 Nov 2026"
        );
    }
}
