//! Renders the weekly digest (subject, plain text, HTML) from a [`DigestView`].
//!
//! Pure: no I/O, no clock, no database. Shows figures, thresholds, context notes,
//! counter-evidence and an item flag's matched sentence, never whole messages. Every interpolated string is HTML-escaped in the HTML part. The wording
//! describes contact patterns only; `tests/templates_guard.rs` runs `crate::guard` over the
//! output.
//!
//! Submodules: `text` (the plain-text part), `html` (the HTML part and escaping), `chart`
//! (the per-day contact chart) and `wording` (phrases, counts and dates both parts share).

mod chart;
mod html;
mod text;
mod wording;

use chrono::DateTime;
use chrono_tz::Tz;
use html::html;
use text::text;
use wording::{count, date_range};

/// Everything one manager's digest shows for one period. Times are in the organisation's
/// time zone (`[organisation] timezone`): dates shown are its calendar days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestView {
    /// Shown in the subject and heading, e.g. "Tidings" or the configured organisation name.
    pub organisation: String,
    /// The manager's name for the greeting, if known.
    pub recipient_name: Option<String>,
    /// Start of the period (inclusive).
    pub period_start: DateTime<Tz>,
    /// End of the period (exclusive).
    pub period_end: DateTime<Tz>,
    /// Flags raised in the period.
    pub new_flags: Vec<DigestFlag>,
    /// All open flags for this manager's areas, not only new ones.
    pub open_flags_total: usize,
    /// Contact-log totals for the period.
    pub totals: PeriodTotals,
}

/// One advisory flag as the digest shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestFlag {
    /// The flag's id, as used on the review page.
    pub flag_id: i64,
    /// Flag kind, e.g. `contact-volume`.
    pub kind: String,
    /// Stable customer reference.
    pub customer_key: String,
    /// The customer's display name, if known.
    pub customer_name: Option<String>,
    /// One neutral sentence, e.g. "23 contacts in 28 days".
    pub summary: String,
    /// Label → value, e.g. ("contacts in window", "23").
    pub figures: Vec<(String, String)>,
    /// The threshold that fired, e.g. "at least 10 contacts and above the 95th percentile".
    pub threshold: String,
    /// Start of the counting window.
    pub window_start: DateTime<Tz>,
    /// End of the counting window (exclusive).
    pub window_end: DateTime<Tz>,
    /// When the flag was raised.
    pub raised_at: DateTime<Tz>,
    /// When the flag expires unless reviewed.
    pub expires_at: DateTime<Tz>,
    /// State, e.g. `open`.
    pub state: String,
    /// Support and communication-needs notes shown beside the flag; may be empty.
    pub context: Vec<String>,
    /// For an item flag: the matched sentence (the customer's own words, masked by the
    /// guard), never the whole message.
    pub sentence: Option<String>,
    /// For a pattern flag: the organisation's own late or missing replies in the window.
    pub counter_evidence: Vec<String>,
    /// Contacts per day over the window, oldest first, for the chart.
    pub daily_counts: Vec<u32>,
    /// Link to the flag's review page, if the HTTP UI has a public URL.
    pub review_url: Option<String>,
}

/// Contact-log totals for the digest period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodTotals {
    /// Items (emails, calls, letters, notes) logged in the period.
    pub items_in_period: u64,
    /// Distinct customers those items are linked to.
    pub customers_in_period: u64,
    /// Items that could not be read and are kept in quarantine.
    pub quarantined_in_period: u64,
}

/// The digest ready to hand to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDigest {
    /// Subject line (one line).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body with inline CSS.
    pub html: String,
}

/// Renders subject, plain text and HTML for `view`.
pub fn render(view: &DigestView) -> RenderedDigest {
    RenderedDigest {
        subject: subject(view),
        text: text(view),
        html: html(view),
    }
}

fn subject(view: &DigestView) -> String {
    let flags = match view.new_flags.len() {
        0 => "no new flags".to_owned(),
        n => format!("{} for review", count(n, "new flag", "new flags")),
    };
    let line = format!(
        "{} weekly digest, {}: {flags}",
        view.organisation.trim(),
        date_range(view.period_start, view.period_end)
    );
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(super) fn at(y: i32, m: u32, d: u32) -> DateTime<Tz> {
        chrono_tz::Europe::London
            .with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("valid test date")
    }

    pub(super) fn flag() -> DigestFlag {
        DigestFlag {
            flag_id: 17,
            kind: "contact-volume".to_owned(),
            customer_key: "C-1001".to_owned(),
            customer_name: Some("Alex Example".to_owned()),
            summary: "23 contacts in 28 days".to_owned(),
            figures: vec![
                ("contacts in window".to_owned(), "23".to_owned()),
                (
                    "contacts at the 95th percentile of customers".to_owned(),
                    "4".to_owned(),
                ),
            ],
            threshold: "at least 10 contacts and above the 95th percentile".to_owned(),
            window_start: at(2026, 11, 2),
            window_end: at(2026, 11, 30),
            raised_at: at(2026, 11, 29),
            expires_at: at(2027, 2, 27),
            state: "open".to_owned(),
            context: vec![],
            daily_counts: vec![0, 1, 2, 4, 8],
            review_url: Some("https://tidings.example.org/flags/17".to_owned()),
            sentence: None,
            counter_evidence: vec![
                "3 of 10 inbound contacts in the window were answered within 5 days".to_owned(),
            ],
        }
    }

    pub(super) fn view(flags: Vec<DigestFlag>) -> DigestView {
        DigestView {
            organisation: "Tidings".to_owned(),
            recipient_name: Some("Jo".to_owned()),
            period_start: at(2026, 11, 23),
            period_end: at(2026, 11, 30),
            new_flags: flags,
            open_flags_total: 5,
            totals: PeriodTotals {
                items_in_period: 120,
                customers_in_period: 45,
                quarantined_in_period: 2,
            },
        }
    }

    fn guard_all(d: &RenderedDigest) {
        for (field, text) in [
            ("subject", &d.subject),
            ("text", &d.text),
            ("html", &d.html),
        ] {
            if let Err(e) = crate::guard::check_free_text(field, text) {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn subject_names_period_and_count() {
        let d = render(&view(vec![flag(), flag()]));
        assert_eq!(
            d.subject,
            "Tidings weekly digest, 23–29 Nov 2026: 2 new flags for review"
        );
        let one = render(&view(vec![flag()]));
        assert!(one.subject.ends_with(": 1 new flag for review"));
    }

    #[test]
    fn empty_digest_is_short() {
        let d = render(&view(vec![]));
        assert_eq!(
            d.subject,
            "Tidings weekly digest, 23–29 Nov 2026: no new flags"
        );
        assert!(d.text.contains("No new flags were raised in this period."));
        assert!(d.text.contains("5 flags are open in total"));
        assert!(!d.text.contains("case conference"));
        assert!(d.html.contains("No new flags were raised in this period."));
        assert!(d.text.lines().count() < 15);
        guard_all(&d);
    }

    #[test]
    fn flags_show_figures_context_and_explanation() {
        let mut f = flag();
        f.context = vec!["Prefers written contact in Welsh".to_owned()];
        let d = render(&view(vec![f, flag()]));
        for part in [&d.text, &d.html] {
            let part = &part.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(part.contains("case conference"));
            assert!(part.contains("not judgements about anyone"));
            assert!(part.contains("expires"));
            assert!(part.contains("23 contacts in 28 days"));
            assert!(part.contains("contacts at the 95th percentile of customers"));
            assert!(part.contains("Prefers written contact in Welsh"));
            assert!(part.contains("none recorded"));
            assert!(part.contains("27 Feb 2027"));
            assert!(part.contains("Alex Example (customer C-1001)"));
        }
        assert!(d
            .html
            .contains("href=\"https://tidings.example.org/flags/17\""));
        guard_all(&d);
    }

    #[test]
    fn subject_is_one_line() {
        let mut v = view(vec![]);
        v.organisation = "Evil\r\nBcc: x@example.org".to_owned();
        assert!(!render(&v).subject.contains(['\r', '\n']));
    }

    #[test]
    fn guard_passes_on_every_kind() {
        let kinds = [
            "contact-volume",
            "staff-spread",
            "repeat-topic",
            "language-review",
            "safety",
            "senior-officer-request",
            "urgency-demand",
            "recording-mention",
        ];
        let flags = kinds
            .iter()
            .map(|k| DigestFlag {
                kind: (*k).to_owned(),
                ..flag()
            })
            .collect();
        guard_all(&render(&view(flags)));
    }
}
