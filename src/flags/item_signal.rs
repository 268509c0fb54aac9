//! Item flags: what one inbound item's own words say that a person may want to review —
//! `language-review`, `safety`, `senior-officer-request`, `urgency-demand`,
//! `recording-mention` — from the signal lexicon (`crate::signals`). One flag per item and
//! kind, keyed by the item, with the first matched sentence; the item is its evidence.
//! Context cues (`support-consideration`, `communication-needs`) are returned beside the
//! flags and stored as context, never as flags.

use super::{count, Description, FlagFigures};
use crate::signals::{Context, Signal, SignalKind};
use serde::{Deserialize, Serialize};

/// What an item flag records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// The kind, e.g. `safety`.
    pub kind: String,
    /// Sentences of the item's own words that matched this kind.
    pub sentences: i64,
    /// The lexicon entry that matched first.
    pub entry: String,
    /// That entry's language.
    pub language: String,
}

impl FlagFigures for Figures {
    fn kind(&self) -> &'static str {
        SignalKind::parse(&self.kind).map_or("item", SignalKind::as_str)
    }

    fn describe(&self) -> Description {
        let (title, what) = match SignalKind::parse(&self.kind) {
            Some(SignalKind::LanguageReview) => (
                "Language to review",
                "swearing, insults or discriminatory terms aimed at staff",
            ),
            Some(SignalKind::Safety) => (
                "Safety",
                "a threat of violence (health and safety procedure)",
            ),
            Some(SignalKind::SeniorOfficerRequest) => (
                "Request for a senior officer",
                "a demand that a named senior officer deals with it personally",
            ),
            Some(SignalKind::UrgencyDemand) => (
                "Request for urgency",
                "a deadline for a matter that is not an emergency",
            ),
            Some(SignalKind::RecordingMention) => {
                ("Mention of recording", "recording calls or meetings")
            }
            None => ("Item to review", "a lexicon match"),
        };
        Description {
            title,
            summary: format!(
                "{} of one item's own words read as {what}",
                count(self.sentences, "sentence", "sentences")
            ),
            figures: vec![
                ("matching sentences".into(), self.sentences.to_string()),
                ("lexicon entry".into(), self.entry.clone()),
                ("lexicon language".into(), self.language.clone()),
            ],
            threshold: format!(
                "a `{}` lexicon entry matched in the customer's own words",
                self.kind
            ),
            strength: self.sentences,
        }
    }

    fn threshold(&self) -> serde_json::Value {
        serde_json::json!({"lexicon": self.kind, "entry": self.entry})
    }
}

/// One item flag a scan wants raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDraft {
    /// The kind.
    pub kind: SignalKind,
    /// The first matched sentence, as written (about 300 characters at most).
    pub sentence: String,
    /// The figures.
    pub figures: Figures,
}

/// One flag per kind found in `signals`, with the first sentence of that kind.
pub fn drafts(signals: &[Signal]) -> Vec<ItemDraft> {
    let mut out: Vec<ItemDraft> = Vec::new();
    for signal in signals {
        match out.iter_mut().find(|d| d.kind == signal.kind) {
            Some(d) => d.figures.sentences += 1,
            None => out.push(ItemDraft {
                kind: signal.kind,
                sentence: signal.sentence.clone(),
                figures: Figures {
                    kind: signal.kind.as_str().to_string(),
                    sentences: 1,
                    entry: signal.entry.clone(),
                    language: signal.language.clone(),
                },
            }),
        }
    }
    out.sort_by_key(|d| d.kind);
    out
}

/// One context note per kind found in `cues`, with the first sentence of that kind.
pub fn context_notes(cues: &[Context]) -> Vec<Context> {
    let mut out: Vec<Context> = Vec::new();
    for cue in cues {
        if !out.iter().any(|c| c.kind == cue.kind) {
            out.push(cue.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::{context, scan, ContextKind, Lexicon};

    fn flags_of(text: &str) -> Vec<ItemDraft> {
        drafts(&scan(text, Lexicon::builtin(), &["Dana Chief".to_string()]))
    }

    #[test]
    fn a_threat_is_a_safety_flag_with_its_sentence() {
        let d = flags_of(
            "I have asked four times. If nobody comes I will come down there and hurt someone.",
        );
        let safety: Vec<_> = d.iter().filter(|d| d.kind == SignalKind::Safety).collect();
        assert_eq!(safety.len(), 1, "{d:?}");
        assert!(
            safety[0].sentence.contains("hurt someone"),
            "{}",
            safety[0].sentence
        );
    }

    #[test]
    fn fire_service_vocabulary_and_civil_complaint_raise_nothing() {
        for text in [
            "The smoke was killing us and your crew attacked the kitchen fire quickly. Thank you.",
            "Dear Chief Fire Officer, I am very unhappy with how long the repair is taking.",
            "No rush, it is not urgent, but could someone look at the hydrant?",
        ] {
            assert!(flags_of(text).is_empty(), "{text}: {:?}", flags_of(text));
        }
    }

    #[test]
    fn one_flag_per_kind_counting_its_sentences() {
        let d = flags_of("I will hurt you. I will burn the station down.");
        let safety = d
            .iter()
            .find(|d| d.kind == SignalKind::Safety)
            .expect("safety");
        assert_eq!(safety.figures.sentences, 2);
        assert_eq!(d.iter().filter(|d| d.kind == SignalKind::Safety).count(), 1);
    }

    #[test]
    fn context_is_one_note_per_kind_and_never_a_flag() {
        let text =
            "Since my husband died I can't cope with the letters. I am terrified of another fire.";
        let notes = context_notes(&context(text));
        assert_eq!(
            notes
                .iter()
                .filter(|c| c.kind == ContextKind::SupportConsideration)
                .count(),
            1
        );
        assert!(flags_of(text).is_empty());
    }

    #[test]
    fn describe_uses_neutral_words() {
        let d = flags_of("I will hurt you.");
        let words = crate::flags::describe(
            "safety",
            &serde_json::to_string(&d[0].figures).expect("the test input is valid"),
        )
        .expect("the test input is valid");
        assert_eq!(words.title, "Safety");
        assert!(
            words
                .summary
                .starts_with("1 sentence of one item's own words"),
            "{}",
            words.summary
        );
    }
}
