//! What `scan` reads (only the own words) and what a signal quotes.

use super::*;

#[test]
fn quoted_staff_text_and_signatures_raise_nothing() {
    let text = "Can you tell me when the check is?\n\n\
                On Mon, 3 Jun 2024 at 10:15, Fire Safety <safety@fire.example> wrote:\n\
                > I will hurt you, you idiot. I demand the director deals with this personally.\n";
    assert!(kinds_with(text, &[]).is_empty());
    let text = "Thanks for the visit.\n-- \nJ Smith | I am recording this call | f*ck spam";
    assert!(kinds_with(text, &[]).is_empty());
    let text = "Fine.\n\n-----Original Message-----\nFrom: a\nYou have 24 hours.";
    assert!(kinds_with(text, &[]).is_empty());
}

#[test]
fn the_customers_own_words_above_a_quote_are_scanned() {
    let text = "You have 24 hours.\n\nOn Mon, 3 Jun 2024, Fire Safety wrote:\n> thanks";
    assert_eq!(kinds_with(text, &[]), [SignalKind::UrgencyDemand]);
}

#[test]
fn signals_come_in_sentence_order_one_per_kind_and_sentence() {
    let text = "I am recording this call. You have 24 hours, you have 24 hours! \
                I know where you live.";
    assert_eq!(
        kinds_with(text, &[]),
        [
            SignalKind::RecordingMention,
            SignalKind::UrgencyDemand,
            SignalKind::Safety
        ]
    );
}

#[test]
fn a_sentence_is_quoted_as_written() {
    let signals = scan(
        "Hello.\n  I’m recording   this call!  \nBye",
        Lexicon::builtin(),
        &[],
    );
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].sentence, "I’m recording   this call!");
    assert_eq!(signals[0].term, "I’m recording   this");
    assert_eq!(signals[0].entry, "en-recording-now");
}

#[test]
fn a_long_sentence_is_cut_to_about_300_characters_around_the_term() {
    let before = "and then the crew came round again ".repeat(20);
    let after = " and nobody ever wrote back to me about it".repeat(10);
    let text = format!("{before}I know where you live{after}");
    let signals = scan(&text, Lexicon::builtin(), &[]);
    assert_eq!(signals.len(), 1);
    let sentence = &signals[0].sentence;
    assert!(sentence.contains("I know where you live"), "{sentence}");
    assert!(
        sentence.starts_with('…') && sentence.ends_with('…'),
        "{sentence}"
    );
    assert!(
        sentence.chars().count() <= 302,
        "{}",
        sentence.chars().count()
    );
}

#[test]
fn empty_and_punctuation_only_text_raise_nothing() {
    assert!(kinds_with("", &[]).is_empty());
    assert!(kinds_with("!!! ... ???\n\n***", &[]).is_empty());
}

#[test]
fn an_added_entry_raises_its_kind() {
    let extra = r#"
        [[entry]]
        id = "local-threat"
        kind = "safety"
        language = "en"
        pattern = "i will set the dog on (you|your \\S+)"
    "#;
    let lexicon = Lexicon::with_extra(extra).expect("valid additions");
    let signals = scan("I will set the dog on your crew.", &lexicon, &[]);
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].entry, "local-threat");
    assert!(scan("I will set the dog on your crew.", Lexicon::builtin(), &[]).is_empty());
}

/// Not a check: run with `cargo test --release --lib timing -- --ignored --nocapture` to see
/// what a typical 2 KB message costs.
#[test]
#[ignore = "a timing loop, not a test"]
fn timing_of_a_typical_message() {
    let paragraph = "Dear Sir, I am writing again about the smoke alarm that the crew fitted \
                     last month. It keeps chirping at night and my neighbour says the battery \
                     is fine. Could somebody please come and look at it when they can? \
                     I have called twice and nobody has called me back yet.\n\n";
    let text = format!(
        "{}Kind regards\nMary\n\nOn Mon, 3 Jun 2024, Fire Safety wrote:\n> Thank you.",
        paragraph.repeat(8)
    );
    assert!(text.len() > 1800);
    let seniors = vec!["Dana Chief".to_owned(), "Head of Prevention".to_owned()];
    let lexicon = Lexicon::builtin();
    scan(&text, lexicon, &seniors);
    let runs = 2000;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(scan(&text, lexicon, &seniors));
    }
    let each = start.elapsed() / runs;
    eprintln!("scan of {} bytes: {each:?} per message", text.len());
}

#[test]
fn kinds_serialise_as_their_kebab_case_names() {
    for kind in SignalKind::ALL {
        let json = serde_json::to_value(kind).expect("serialises");
        assert_eq!(json, kind.as_str());
        assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
    }
    for kind in ContextKind::ALL {
        assert_eq!(
            serde_json::to_value(kind).expect("serialises"),
            kind.as_str()
        );
    }
}
