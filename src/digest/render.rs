//! Renders the weekly digest (subject, plain text, HTML) from a [`DigestView`].
//!
//! Pure: no I/O, no clock, no database. Shows figures, thresholds and context notes, never
//! message content. Every interpolated string is HTML-escaped in the HTML part. The wording
//! describes contact patterns only; `tests/templates_guard.rs` runs `crate::guard` over the
//! output.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// Everything one manager's digest shows for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestView {
    /// Shown in the subject and heading, e.g. "Tidings" or the configured organisation name.
    pub organisation: String,
    /// The manager's name for the greeting, if known.
    pub recipient_name: Option<String>,
    /// Start of the period (inclusive).
    pub period_start: DateTime<Utc>,
    /// End of the period (exclusive).
    pub period_end: DateTime<Utc>,
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
    pub window_start: DateTime<Utc>,
    /// End of the counting window (exclusive).
    pub window_end: DateTime<Utc>,
    /// When the flag was raised.
    pub raised_at: DateTime<Utc>,
    /// When the flag expires unless reviewed.
    pub expires_at: DateTime<Utc>,
    /// State, e.g. `open`.
    pub state: String,
    /// Support and communication-needs notes shown beside the flag; may be empty.
    pub context: Vec<String>,
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

/// The explanation at the top of every digest with flags.
const ABOUT: &str = "Advisory flags are observations about patterns of contact, raised \
automatically so that a person can look at them. They are not judgements about anyone and \
change nothing on their own. Any decision is made by people at a case conference, on the \
evidence, after considering vulnerability, support and communication needs. Each flag expires \
on the date shown. This digest shows figures only, never message content.";

/// Most marks in a chart; longer windows are grouped into several days per mark.
const MAX_BARS: usize = 60;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

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

fn text(view: &DigestView) -> String {
    let mut lines = vec![
        format!("{} weekly digest", view.organisation.trim()),
        format!("{} (UTC)", date_range(view.period_start, view.period_end)),
        String::new(),
        greeting(view),
        String::new(),
    ];
    if view.new_flags.is_empty() {
        lines.push("No new flags were raised in this period.".to_owned());
    } else {
        lines.extend(wrap(ABOUT, 72));
        lines.push(String::new());
        lines.push(format!(
            "This period: {} for review.",
            count(view.new_flags.len(), "new flag", "new flags")
        ));
    }
    lines.push(open_line(view));
    lines.push(totals_line(&view.totals));
    for (n, flag) in view.new_flags.iter().enumerate() {
        lines.push(String::new());
        lines.push("─".repeat(60));
        flag_text(&mut lines, n + 1, flag);
    }
    lines.push(String::new());
    lines.push(footer(view));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn flag_text(lines: &mut Vec<String>, n: usize, flag: &DigestFlag) {
    lines.push(format!(
        "{n}. {} — {}",
        kind_title(&flag.kind),
        customer(flag)
    ));
    lines.push(format!("   {}", flag.summary));
    lines.push(format!(
        "   Flag #{} · {} · {}",
        flag.flag_id, flag.kind, flag.state
    ));
    lines.push(format!(
        "   Window:     {}",
        date_range(flag.window_start, flag.window_end)
    ));
    lines.push(format!("   Threshold:  {}", flag.threshold));
    if !flag.figures.is_empty() {
        lines.push("   Figures:".to_owned());
        let width = flag
            .figures
            .iter()
            .map(|(label, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        for (label, value) in &flag.figures {
            lines.push(format!("     {label:<width$}  {value}"));
        }
    }
    if let Some(chart) = Chart::new(flag) {
        lines.push(format!("   Contacts per day: {}", chart.caption()));
        lines.push(format!("     {}", chart.sparkline()));
    }
    if flag.context.is_empty() {
        lines.push("   Context:    none recorded".to_owned());
    } else {
        lines.push("   Context:".to_owned());
        for note in &flag.context {
            lines.push(format!("     - {note}"));
        }
    }
    lines.push(format!(
        "   Raised {}; expires {}",
        day(flag.raised_at),
        day(flag.expires_at)
    ));
    if let Some(url) = &flag.review_url {
        lines.push(format!("   Review:     {url}"));
    }
}

fn html(view: &DigestView) -> String {
    let mut h = String::with_capacity(4096 + view.new_flags.len() * 4096);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!("<title>{}</title></head>\n", esc(&subject(view))));
    h.push_str("<body style=\"margin:0;padding:0;background:#f4f5f7;\">\n");
    h.push_str(
        "<div style=\"max-width:680px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,\
         sans-serif;font-size:15px;line-height:1.5;color:#1f2933;\">\n",
    );
    h.push_str(&format!(
        "<h1 style=\"font-size:20px;margin:0 0 4px;\">{} weekly digest</h1>\n",
        esc(view.organisation.trim())
    ));
    h.push_str(&format!(
        "<p style=\"margin:0 0 16px;color:#52606d;\">{} (UTC)</p>\n",
        esc(&date_range(view.period_start, view.period_end))
    ));
    h.push_str(&format!("<p>{}</p>\n", esc(&greeting(view))));
    if view.new_flags.is_empty() {
        h.push_str("<p><strong>No new flags were raised in this period.</strong></p>\n");
    } else {
        h.push_str(&format!(
            "<div style=\"background:#e8f0fe;border-left:4px solid #3b6ea5;padding:12px 16px;\
             margin:16px 0;\">{}</div>\n",
            esc(ABOUT)
        ));
        h.push_str(&format!(
            "<p>This period: <strong>{}</strong> for review.</p>\n",
            esc(&count(view.new_flags.len(), "new flag", "new flags"))
        ));
    }
    h.push_str(&format!(
        "<p style=\"color:#52606d;\">{}<br>{}</p>\n",
        esc(&open_line(view)),
        esc(&totals_line(&view.totals))
    ));
    for (n, flag) in view.new_flags.iter().enumerate() {
        flag_html(&mut h, n + 1, flag);
    }
    h.push_str(&format!(
        "<p style=\"margin-top:24px;font-size:13px;color:#7b8794;\">{}</p>\n",
        esc(&footer(view))
    ));
    h.push_str("</div>\n</body></html>\n");
    h
}

const TH: &str = "text-align:left;vertical-align:top;padding:6px 12px;width:34%;\
                  color:#52606d;font-weight:normal;border-top:1px solid #e4e7eb;";
const TD: &str = "vertical-align:top;padding:6px 12px;border-top:1px solid #e4e7eb;";

fn row(h: &mut String, label: &str, value_html: &str) {
    h.push_str(&format!(
        "<tr><th scope=\"row\" style=\"{TH}\">{}</th><td style=\"{TD}\">{value_html}</td></tr>\n",
        esc(label)
    ));
}

fn flag_html(h: &mut String, n: usize, flag: &DigestFlag) {
    h.push_str(
        "<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;\
         background:#ffffff;border:1px solid #d9e2ec;margin:0 0 20px;\">\n",
    );
    h.push_str(&format!(
        "<tr><th colspan=\"2\" style=\"text-align:left;background:#f0f4f8;padding:10px 12px;\
         font-size:16px;\">{n}. {} — {}</th></tr>\n",
        esc(&kind_title(&flag.kind)),
        esc(&customer(flag))
    ));
    h.push_str(&format!(
        "<tr><td colspan=\"2\" style=\"padding:10px 12px;font-weight:bold;\">{}</td></tr>\n",
        esc(&flag.summary)
    ));
    let id = format!("#{} · {} · {}", flag.flag_id, flag.kind, flag.state);
    row(h, "Flag", &esc(&id));
    row(
        h,
        "Window",
        &esc(&date_range(flag.window_start, flag.window_end)),
    );
    row(h, "Threshold", &esc(&flag.threshold));
    for (label, value) in &flag.figures {
        row(h, label, &format!("<strong>{}</strong>", esc(value)));
    }
    if let Some(chart) = Chart::new(flag) {
        row(h, "Contacts per day", &chart.html());
    }
    let context = if flag.context.is_empty() {
        "none recorded".to_owned()
    } else {
        flag.context
            .iter()
            .map(|note| esc(note))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    row(h, "Context", &context);
    row(h, "Raised", &esc(&day(flag.raised_at)));
    row(h, "Expires", &esc(&day(flag.expires_at)));
    if let Some(url) = &flag.review_url {
        let link = if is_web_url(url) {
            format!(
                "<a href=\"{0}\" style=\"color:#3b6ea5;\">Review this flag</a>",
                esc(url)
            )
        } else {
            esc(url)
        };
        row(h, "Review", &link);
    }
    h.push_str("</table>\n");
}

/// A per-day contact chart, grouped so that it has at most [`MAX_BARS`] marks.
struct Chart {
    bars: Vec<u32>,
    days_per_bar: usize,
    first_day: NaiveDate,
    max: u32,
    total: u64,
}

impl Chart {
    fn new(flag: &DigestFlag) -> Option<Self> {
        if flag.daily_counts.is_empty() {
            return None;
        }
        let days_per_bar = flag.daily_counts.len().div_ceil(MAX_BARS);
        let bars: Vec<u32> = flag
            .daily_counts
            .chunks(days_per_bar)
            .map(|chunk| chunk.iter().fold(0u32, |sum, c| sum.saturating_add(*c)))
            .collect();
        Some(Self {
            max: bars.iter().copied().max().unwrap_or(0),
            total: flag.daily_counts.iter().map(|c| u64::from(*c)).sum(),
            bars,
            days_per_bar,
            first_day: flag.window_start.date_naive(),
        })
    }

    fn caption(&self) -> String {
        let unit = if self.days_per_bar == 1 {
            "each mark is one day".to_owned()
        } else {
            format!("each mark is {} days", self.days_per_bar)
        };
        format!(
            "{} in total, highest {} ({unit})",
            count_u64(self.total, "contact", "contacts"),
            self.max
        )
    }

    fn sparkline(&self) -> String {
        self.bars
            .iter()
            .map(|&v| {
                if v == 0 || self.max == 0 {
                    '·'
                } else {
                    let level = (u64::from(v) * 8).div_ceil(u64::from(self.max));
                    let index = usize::try_from(level.saturating_sub(1)).unwrap_or(7).min(7);
                    SPARKS[index]
                }
            })
            .collect()
    }

    fn bar_label(&self, index: usize, value: u32) -> String {
        let offset = i64::try_from(index * self.days_per_bar).unwrap_or(0);
        let start = self.first_day + Duration::days(offset);
        let days = i64::try_from(self.days_per_bar).unwrap_or(1);
        let when = if days == 1 {
            start.format("%-d %b").to_string()
        } else {
            let end = start + Duration::days(days - 1);
            format!("{}–{}", start.format("%-d %b"), end.format("%-d %b"))
        };
        format!(
            "{when}: {}",
            count_u64(u64::from(value), "contact", "contacts")
        )
    }

    fn html(&self) -> String {
        const HEIGHT: u32 = 40;
        let mut h = format!(
            "<table role=\"img\" aria-label=\"{}\" style=\"border-collapse:collapse;\"><tr>",
            esc(&format!("Contacts per day: {}", self.caption()))
        );
        for (i, &v) in self.bars.iter().enumerate() {
            let (px, colour) = if v == 0 || self.max == 0 {
                (1, "#d9e2ec")
            } else {
                ((v.saturating_mul(HEIGHT) / self.max).max(2), "#3b6ea5")
            };
            h.push_str(&format!(
                "<td title=\"{}\" style=\"vertical-align:bottom;height:{HEIGHT}px;padding:0 1px 0 0;\">\
                 <div style=\"width:6px;height:{px}px;background:{colour};\"></div></td>",
                esc(&self.bar_label(i, v))
            ));
        }
        h.push_str(&format!(
            "</tr></table><div style=\"font-size:12px;color:#7b8794;\">{}</div>",
            esc(&self.caption())
        ));
        h
    }
}

fn greeting(view: &DigestView) -> String {
    match view.recipient_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("Hello {name},"),
        _ => "Hello,".to_owned(),
    }
}

fn open_line(view: &DigestView) -> String {
    match view.open_flags_total {
        0 => "No flags are open.".to_owned(),
        1 => "1 flag is open in total, including new ones.".to_owned(),
        n => format!("{n} flags are open in total, including new ones."),
    }
}

fn totals_line(totals: &PeriodTotals) -> String {
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

fn footer(view: &DigestView) -> String {
    let org = view.organisation.trim();
    if org.eq_ignore_ascii_case("tidings") || org.is_empty() {
        "Sent automatically by Tidings. Dates are in UTC.".to_owned()
    } else {
        format!("Sent automatically by Tidings for {org}. Dates are in UTC.")
    }
}

fn kind_title(kind: &str) -> String {
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

fn customer(flag: &DigestFlag) -> String {
    match flag.customer_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("{name} (customer {})", flag.customer_key),
        _ => format!("customer {}", flag.customer_key),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    count_u64(u64::try_from(n).unwrap_or(u64::MAX), one, many)
}

fn count_u64(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// "23–29 Nov 2026", "28 Nov – 4 Dec 2026", "28 Dec 2026 – 3 Jan 2027" for `[start, end)`.
fn date_range(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
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

fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Wraps `text` at word boundaries to lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("valid test date")
    }

    fn flag() -> DigestFlag {
        DigestFlag {
            flag_id: 17,
            kind: "contact-volume".to_owned(),
            customer_key: "C-1001".to_owned(),
            customer_name: Some("Alex Example".to_owned()),
            summary: "23 contacts in 28 days".to_owned(),
            figures: vec![
                ("contacts in window".to_owned(), "23".to_owned()),
                ("population 95th percentile".to_owned(), "4".to_owned()),
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
        }
    }

    fn view(flags: Vec<DigestFlag>) -> DigestView {
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
            assert!(part.contains("population 95th percentile"));
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
    fn chart_scales_to_the_highest_day() {
        let d = render(&view(vec![flag()]));
        assert!(d.text.contains("·▁▂▄█"), "{}", d.text);
        assert!(d
            .text
            .contains("15 contacts in total, highest 8 (each mark is one day)"));
        assert_eq!(d.html.matches("vertical-align:bottom").count(), 5);
        assert!(d.html.contains("height:40px;background:#3b6ea5"));
        assert!(d.html.contains("title=\"6 Nov: 8 contacts\""));

        let mut long = flag();
        long.daily_counts = vec![1; 90];
        let chart = Chart::new(&long).expect("non-empty counts");
        assert_eq!(chart.days_per_bar, 2);
        assert_eq!(chart.bars.len(), 45);
        assert!(chart.caption().contains("each mark is 2 days"));
        long.daily_counts.clear();
        assert!(Chart::new(&long).is_none());
    }

    #[test]
    fn html_escapes_every_interpolated_string() {
        let mut f = flag();
        f.customer_name = Some("<script>alert('x')</script>".to_owned());
        f.summary = "a & b".to_owned();
        f.figures = vec![("<b>".to_owned(), "\"1\"".to_owned())];
        f.context = vec!["<img src=x>".to_owned()];
        f.review_url = Some("javascript:alert(1)".to_owned());
        let mut v = view(vec![f]);
        v.organisation = "O'Brien & <Co>".to_owned();
        v.recipient_name = Some("<i>Jo</i>".to_owned());
        let d = render(&v);
        assert!(!d.html.contains("<script>"));
        assert!(!d.html.contains("<img"));
        assert!(!d.html.contains("<i>Jo"));
        assert!(!d.html.contains("<b>"));
        assert!(!d.html.contains("href=\"javascript"));
        assert!(d
            .html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(d.html.contains("a &amp; b"));
        assert!(d.html.contains("&quot;1&quot;"));
        assert!(d
            .html
            .contains("O&#39;Brien &amp; &lt;Co&gt; weekly digest"));
        assert!(d.text.contains("<script>"), "plain text is not escaped");
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
