//! Every outbound template is checked by the labelling-words guard: the weekly digest is
//! rendered populated (every flag kind, figures, context, charts) and empty, and
//! `tidings::guard::check_free_text` must accept its subject, text and HTML.
//!
//! When a new outbound template is added (forward cover line, review reminder, safety alert),
//! render it here too.

use chrono::{DateTime, Duration, TimeZone};
use chrono_tz::{Europe::London, Tz};
use tidings::digest::render::{render, DigestFlag, DigestView, PeriodTotals, RenderedDigest};
use tidings::guard::check_free_text;

const KINDS: &[&str] = &[
    "contact-volume",
    "staff-spread",
    "repeat-topic",
    "language-review",
    "safety",
    "senior-officer-request",
    "urgency-demand",
    "recording-mention",
];

fn monday() -> DateTime<Tz> {
    London
        .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .single()
        .expect("a valid date")
}

fn flag(n: usize, kind: &str) -> DigestFlag {
    let raised = monday() + Duration::days(6);
    DigestFlag {
        flag_id: i64::try_from(n).expect("small") + 100,
        kind: kind.to_owned(),
        customer_key: format!("C-{:04}", n),
        customer_name: (n % 2 == 0).then(|| format!("Sam Example {n}")),
        summary: format!("{} contacts in 28 days", 10 + n),
        figures: vec![
            ("contacts in window".to_owned(), (10 + n).to_string()),
            (
                "contacts at the 95th percentile of customers".to_owned(),
                "4".to_owned(),
            ),
            ("distinct staff reached".to_owned(), "5".to_owned()),
            (
                "channels".to_owned(),
                "email 12, phone 6, letter 2".to_owned(),
            ),
        ],
        threshold: "at least 10 contacts and above the 95th percentile".to_owned(),
        window_start: raised - Duration::days(28),
        window_end: raised,
        raised_at: raised,
        expires_at: raised + Duration::days(90),
        state: "open".to_owned(),
        context: if n % 3 == 0 {
            vec![]
        } else {
            vec![
                "Recently bereaved; mentioned caring for a parent".to_owned(),
                "Asked for large-print letters".to_owned(),
                "First language Polish; interpreter requested".to_owned(),
            ]
        },
        daily_counts: (0..28)
            .map(|d| u32::try_from((d * 7 + n) % 5).expect("small"))
            .collect(),
        review_url: Some(format!("https://tidings.example.org/flags/{}", 100 + n)),
        sentence: (n % 2 == 1)
            .then(|| "I want the Chief Fire Officer to ring me today.".to_owned()),
        counter_evidence: vec![
            "4 of 12 inbound contacts in the window were answered within 5 days".to_owned(),
            "6 with no reply from us recorded".to_owned(),
        ],
    }
}

fn view(flags: Vec<DigestFlag>) -> DigestView {
    DigestView {
        organisation: "Anyshire Fire and Rescue Service".to_owned(),
        recipient_name: Some("Jo Manager".to_owned()),
        period_start: monday(),
        period_end: monday() + Duration::days(7),
        open_flags_total: flags.len() + 3,
        new_flags: flags,
        totals: PeriodTotals {
            items_in_period: 1_204,
            customers_in_period: 388,
            quarantined_in_period: 3,
        },
    }
}

fn assert_clean(name: &str, digest: &RenderedDigest) {
    for (part, text) in [
        ("subject", &digest.subject),
        ("text", &digest.text),
        ("html", &digest.html),
    ] {
        if let Err(e) = check_free_text(&format!("{name}.{part}"), text) {
            panic!("the {name} template labels a person: {e}");
        }
    }
}

#[test]
fn populated_digest_passes_the_guard() {
    let flags = KINDS
        .iter()
        .enumerate()
        .map(|(n, kind)| flag(n, kind))
        .collect();
    let digest = render(&view(flags));
    assert!(digest.subject.contains("8 new flags for review"));
    assert_clean("digest", &digest);
}

#[test]
fn empty_digest_passes_the_guard() {
    let digest = render(&view(vec![]));
    assert!(digest.subject.ends_with("no new flags"));
    assert_clean("digest", &digest);
}

#[test]
fn digest_without_names_passes_the_guard() {
    let mut v = view(vec![flag(1, "contact-volume")]);
    v.recipient_name = None;
    v.organisation = "Tidings".to_owned();
    v.new_flags[0].review_url = None;
    assert_clean("digest", &render(&v));
}

#[test]
fn safety_alert_passes_the_guard_even_when_the_sentence_carries_a_label() {
    use tidings::flags::alert::{safety_alert, SafetyItem};
    use tidings::flags::item_signal::{Figures, ItemDraft};
    let item = SafetyItem {
        item_id: 7,
        item_ref: "email:x@home.example",
        customer_key: "c-0123456789ab",
        channel: "email",
        occurred_at: monday().timestamp(),
    };
    let draft = ItemDraft {
        kind: tidings::signals::SignalKind::Safety,
        sentence: "You lot call me a persistent complainer, so I will hurt someone.".to_owned(),
        figures: Figures {
            kind: "safety".to_owned(),
            sentences: 1,
            entry: "en-safety-harm".to_owned(),
            language: "en".to_owned(),
        },
    };
    let m = safety_alert(
        &item,
        &draft,
        &["hs@fire.example".to_owned()],
        "Test Fire and Rescue",
        "fire.example",
    )
    .expect("the sentence is masked, so the alert passes");
    check_free_text("alert.subject", &m.subject).expect("no labelling word");
    check_free_text("alert.text", &m.body_text).expect("no labelling word");
    assert!(
        m.body_text
            .contains("call me a […], so I will hurt someone"),
        "{}",
        m.body_text
    );
}

#[test]
fn every_flag_kind_is_described_in_neutral_words() {
    use tidings::flags::describe;
    let figures = [
        (
            "contact-volume",
            r#"{"contacts":14,"window_days":7,"by_channel":{"email":10,"call":4},"distinct_staff":3,"population":120,"population_median":1.0,"population_percentile_value":3.0,"min_contacts":6,"percentile":95.0}"#,
        ),
        (
            "staff-spread",
            r#"{"distinct_staff":4,"contacts":6,"window_days":30,"min_staff":3}"#,
        ),
        (
            "repeat-topic",
            r#"{"repeats":5,"responses":2,"window_days":90,"min_repeats":3}"#,
        ),
    ];
    let items = KINDS.iter().skip(3).map(|k| {
        (
            *k,
            format!(r#"{{"kind":"{k}","sentences":1,"entry":"e","language":"en"}}"#),
        )
    });
    for (kind, text) in figures
        .iter()
        .map(|(k, t)| (*k, (*t).to_owned()))
        .chain(items)
    {
        let words = describe(kind, &text).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let all = format!(
            "{} {} {} {:?}",
            words.title, words.summary, words.threshold, words.figures
        );
        check_free_text(kind, &all).expect("no labelling word");
    }
}
