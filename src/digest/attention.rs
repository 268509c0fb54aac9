//! The digest's arrangements and health sections: contact arrangements due or overdue for
//! review, proactive contacts due, and a health line (items in quarantine, sources that have
//! not synced, outbox dead letters) so managers can trust the figures. Rendered as text and
//! escaped HTML and added after the flag sections. Pure: values in, text out.

use chrono::NaiveDate;

/// An arrangement a manager should act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrangementDue {
    /// The arrangement's number.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// The customer's key.
    pub customer_key: String,
    /// What is due, e.g. "review due 1 February 2027" or "proactive contact due since …".
    pub what: String,
}

/// What the health line reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Items waiting in quarantine.
    pub quarantined: usize,
    /// Sources that have not synced in the last day.
    pub stale_sources: Vec<String>,
    /// Outbox messages given up on.
    pub dead_letters: i64,
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "review due DATE" / "review was due DATE (lapsed)".
pub fn review_due(review_on: NaiveDate, lapsed: bool) -> String {
    if lapsed {
        format!("review was due {}; lapsed, not renewed", date(review_on))
    } else {
        format!("review due {}", date(review_on))
    }
}

/// "proactive contact due since DATE".
pub fn proactive_due(due: NaiveDate) -> String {
    format!("proactive contact due since {}", date(due))
}

fn health_sentence(h: &Health) -> String {
    let sources = if h.stale_sources.is_empty() {
        "every source synced in the last day".to_owned()
    } else {
        format!("not synced in the last day: {}", h.stale_sources.join(", "))
    };
    let quarantined = match h.quarantined {
        1 => "1 item waiting".to_owned(),
        n => format!("{n} items waiting"),
    };
    let undelivered = match h.dead_letters {
        1 => "1 outbound message".to_owned(),
        n => format!("{n} outbound messages"),
    };
    format!("Health: {quarantined} in quarantine; {sources}; {undelivered} could not be delivered.")
}

/// The sections as plain text.
pub fn text(due: &[ArrangementDue], health: &Health) -> String {
    let mut out = String::from("\nContact arrangements needing action\n");
    if due.is_empty() {
        out.push_str("None this week.\n");
    }
    for d in due {
        out.push_str(&format!(
            "- #{} {} for customer {}: {}\n",
            d.id, d.kind, d.customer_key, d.what
        ));
    }
    out.push('\n');
    out.push_str(&health_sentence(health));
    out.push('\n');
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sections as HTML (every value escaped).
pub fn html(due: &[ArrangementDue], health: &Health) -> String {
    let mut out = String::from(
        "<h2 style=\"font-size:16px;margin:24px 0 8px\">Contact arrangements needing action</h2>\n",
    );
    if due.is_empty() {
        out.push_str("<p>None this week.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for d in due {
            out.push_str(&format!(
                "<li>#{} {} for customer {}: {}</li>\n",
                d.id,
                escape(&d.kind),
                escape(&d.customer_key),
                escape(&d.what)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<p style=\"color:#555\">{}</p>\n",
        escape(&health_sentence(health))
    ));
    out
}

/// Adds the sections to a rendered digest: text before the closing lines' end, HTML before
/// the closing `</div>` of the body.
pub fn add_to(
    rendered: &mut super::render::RenderedDigest,
    due: &[ArrangementDue],
    health: &Health,
) {
    rendered.text.push_str(&text(due, health));
    let block = html(due, health);
    match rendered.html.rfind("</div>") {
        Some(at) => rendered.html.insert_str(at, &block),
        None => rendered.html.push_str(&block),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due() -> Vec<ArrangementDue> {
        vec![ArrangementDue {
            id: 4,
            kind: "single-point-of-contact".to_owned(),
            customer_key: "c-0123456789ab".to_owned(),
            what: review_due(NaiveDate::from_ymd_opt(2027, 2, 1).expect("date"), false),
        }]
    }

    #[test]
    fn the_sections_name_arrangements_and_health_without_labels() {
        let health = Health {
            quarantined: 2,
            stale_sources: vec!["imap:enquiries/INBOX".to_owned()],
            dead_letters: 1,
        };
        let t = text(&due(), &health);
        assert!(t.contains(
            "#4 single-point-of-contact for customer c-0123456789ab: review due 1 February 2027"
        ));
        assert!(t.contains("2 items waiting in quarantine; not synced in the last day: imap:enquiries/INBOX; 1 outbound message could"));
        assert!(crate::guard::check_free_text("digest", &t).is_ok());
        let h = html(&due(), &Health::default());
        assert!(h.contains("<li>#4 single-point-of-contact"));
        assert!(h.contains("every source synced in the last day"));
    }

    #[test]
    fn html_values_are_escaped_and_the_block_goes_inside_the_body() {
        let mut rendered = super::super::render::RenderedDigest {
            subject: "s".to_owned(),
            text: "t\n".to_owned(),
            html: "<html><body><div>flags</div>\n</body></html>\n".to_owned(),
        };
        let health = Health {
            stale_sources: vec!["<script>".to_owned()],
            ..Health::default()
        };
        add_to(&mut rendered, &[], &health);
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(rendered.html.find("Contact arrangements") < rendered.html.find("</div>"));
        assert!(rendered.text.contains("None this week."));
    }
}
