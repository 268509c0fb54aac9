//! The immediate alert for a `safety` item flag, sent to `[alerts] safety_contacts` through
//! the outbox under the health and safety procedure (not held for the weekly digest). It
//! carries the figures and the matched sentence — never the whole message — with any
//! labelling phrase in the sentence masked, and the whole rendered text is checked by the
//! guard before it is queued. Pure.

use super::item_signal::ItemDraft;
use crate::guard::{check_free_text, mask, LabelError};
use crate::store::NewOutboxMessage;
use chrono::DateTime;

/// What the alert says about the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafetyItem<'a> {
    /// Item id (the alert's Message-ID is derived from it, so it is queued once).
    pub item_id: i64,
    /// The item's reference (`tidings items show REF`).
    pub item_ref: &'a str,
    /// The customer's key.
    pub customer_key: &'a str,
    /// `email`, `call`, `letter` or `note`.
    pub channel: &'a str,
    /// When it arrived.
    pub occurred_at: i64,
}

/// The alert message for `draft` (a `safety` draft) about `item`, to `contacts`, with a
/// Message-ID at `domain`. Fails when the rendered text would carry a labelling word.
pub fn safety_alert(
    item: &SafetyItem,
    draft: &ItemDraft,
    contacts: &[String],
    organisation: &str,
    domain: &str,
) -> Result<NewOutboxMessage, LabelError> {
    let when = DateTime::from_timestamp(item.occurred_at, 0)
        .map(|d| d.format("%e %b %Y %H:%M UTC").to_string())
        .unwrap_or_default();
    let subject = format!(
        "{}: safety alert, {} of {}",
        organisation.trim(),
        item.channel,
        when.trim()
    );
    let body_text =
        format!(
        "{article} {channel} logged by Tidings contains words that read as a threat of violence. \
Please follow the health and safety procedure: a person decides what, if anything, to do.\n\
\n\
Matched sentence (the customer's own words):\n  \"{sentence}\"\n\
\n\
Item:      {item_ref} ({channel}, {when})\n\
Customer:  {customer}\n\
Figures:   {sentences} matching sentence(s); lexicon entry {entry} ({language})\n\
\n\
Show the item: tidings items show {item_ref}\n\
Review the flag: tidings flags list --kind safety\n\
\n\
Sent automatically by Tidings. This is an advisory observation about one item, not a \
judgement about anyone.\n",
        article = if item.channel.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" },
        channel = item.channel,
        sentence = mask(&draft.sentence),
        item_ref = item.item_ref,
        when = when.trim(),
        customer = item.customer_key,
        sentences = draft.figures.sentences,
        entry = draft.figures.entry,
        language = draft.figures.language,
    );
    check_free_text("safety alert subject", &subject)?;
    check_free_text("safety alert", &body_text)?;
    Ok(NewOutboxMessage {
        message_id: format!("safety-{}@{domain}", item.item_id),
        purpose: "safety-alert".to_string(),
        recipients: contacts.join(", "),
        subject,
        body_text,
        body_html: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::item_signal::Figures;
    use crate::signals::SignalKind;

    fn draft(sentence: &str) -> ItemDraft {
        ItemDraft {
            kind: SignalKind::Safety,
            sentence: sentence.into(),
            figures: Figures {
                kind: "safety".into(),
                sentences: 1,
                entry: "en-harm".into(),
                language: "en".into(),
            },
        }
    }

    const ITEM: SafetyItem<'static> = SafetyItem {
        item_id: 42,
        item_ref: "email:abc",
        customer_key: "c-0123456789ab",
        channel: "email",
        occurred_at: 1_764_000_000,
    };

    #[test]
    fn the_alert_carries_the_sentence_and_figures_with_a_stable_id() {
        let m = safety_alert(
            &ITEM,
            &draft("I will hurt someone."),
            &["hs@fire.example".into()],
            "Test FRS",
            "fire.example",
        )
        .expect("the test input is valid");
        assert_eq!(m.message_id, "safety-42@fire.example");
        assert_eq!(m.recipients, "hs@fire.example");
        assert!(m.body_text.contains("\"I will hurt someone.\""));
        assert!(m.body_text.contains("tidings items show email:abc"));
        assert!(m.subject.starts_with("Test FRS: safety alert"));
    }

    #[test]
    fn a_labelling_word_in_the_sentence_is_masked() {
        let m = safety_alert(
            &ITEM,
            &draft("They called me vexatious so I will hurt them."),
            &["hs@fire.example".into()],
            "Test FRS",
            "fire.example",
        )
        .expect("the test input is valid");
        assert!(m.body_text.contains("called me […] so"), "{}", m.body_text);
    }
}
