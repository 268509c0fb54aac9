//! Context cues: what a reviewer should see beside any flag on an item — that the customer may
//! need support (disability, illness, mental health, bereavement, caring, frailty, distress)
//! or has communication needs (a language other than English, large print, an interpreter,
//! easy read, BSL, braille). Cues are never flags and never raise one; they exist so that
//! vulnerability and language needs are considered.

use whatlang::Lang;

use super::lexicon::Lexicon;
use super::normalise::View;
use super::{own_words, quote, sentence_spans};

/// Own words shorter than this (in characters) are too short to detect a language reliably.
const MIN_DETECT_CHARS: usize = 60;

/// Own words with fewer words than this are too short to detect a language reliably.
const MIN_DETECT_WORDS: usize = 10;

/// The id reported for a language detected from the text itself.
pub const DETECTED_LANGUAGE: &str = "detected-language";

/// The kinds of context cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextKind {
    /// Disability, illness, mental health, bereavement, caring, frailty or distress.
    SupportConsideration = 0,
    /// A language other than English, or an accessibility request.
    CommunicationNeeds = 1,
}

impl ContextKind {
    /// Every kind.
    pub const ALL: [ContextKind; 2] = [
        ContextKind::SupportConsideration,
        ContextKind::CommunicationNeeds,
    ];

    /// The kebab-case name used in lexicon files, the store and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::SupportConsideration => "support-consideration",
            ContextKind::CommunicationNeeds => "communication-needs",
        }
    }
}

impl std::fmt::Display for ContextKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One context cue found in an item's own words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Context {
    /// What kind of cue.
    pub kind: ContextKind,
    /// The sentence it was found in, as written (about 300 characters at most); for a detected
    /// language, the first sentence in that language.
    pub sentence: String,
    /// What matched, as written; for a detected language, its English name ("Polish").
    pub cue: String,
    /// The lexicon entry id, or [`DETECTED_LANGUAGE`].
    pub entry: String,
    /// The entry's language; for a detected language, its ISO 639-3 code (`pol`).
    pub language: String,
}

/// The context cues in the customer's own words of `text`, with the shipped lexicon.
pub fn context(text: &str) -> Vec<Context> {
    context_with(text, Lexicon::builtin())
}

/// The context cues in the customer's own words of `text`: at most one per kind and sentence
/// from `lexicon`, then each language other than English detected in the own words (as a
/// whole or in a paragraph long enough to tell).
pub fn context_with(text: &str, lexicon: &Lexicon) -> Vec<Context> {
    let own = own_words(text);
    let spans = sentence_spans(&own);
    let plain = View::plain(&own, &spans, &[]);
    let mut cues: Vec<(usize, Context)> = Vec::new();
    for kind in ContextKind::ALL {
        for hit in lexicon.context(kind).hits(&plain) {
            if cues
                .iter()
                .any(|(s, c)| *s == hit.span_index && c.kind == kind)
            {
                continue;
            }
            let range = plain.original_range(hit.range);
            let span = &spans[hit.span_index];
            cues.push((
                hit.span_index,
                Context {
                    kind,
                    sentence: quote(&own[span.clone()], range.start.saturating_sub(span.start)),
                    cue: own.get(range).unwrap_or_default().to_owned(),
                    entry: hit.compiled.entry.id.clone(),
                    language: hit.compiled.entry.language.clone(),
                },
            ));
        }
    }
    cues.sort_by_key(|(span, cue)| (*span, cue.kind));
    let mut out: Vec<Context> = cues.into_iter().map(|(_, cue)| cue).collect();
    for (lang, passage) in other_languages(&own) {
        let sentence = sentence_spans(passage)
            .first()
            .map(|s| quote(&passage[s.clone()], 0))
            .unwrap_or_default();
        out.push(Context {
            kind: ContextKind::CommunicationNeeds,
            sentence,
            cue: lang.eng_name().to_owned(),
            entry: DETECTED_LANGUAGE.to_owned(),
            language: lang.code().to_owned(),
        });
    }
    out
}

/// Whether the plain view of some own words carries a support-consideration cue.
pub(crate) fn has_support(plain: &View, lexicon: &Lexicon) -> bool {
    let set = lexicon.context(ContextKind::SupportConsideration);
    set.set.is_match(&plain.text) && !set.hits(plain).is_empty()
}

/// Each language other than English that the own words (or one of their paragraphs) are
/// reliably written in, once, with the passage it was detected in.
fn other_languages(own: &str) -> Vec<(Lang, &str)> {
    let mut found: Vec<(Lang, &str)> = Vec::new();
    let passages = std::iter::once(own).chain(own.split("\n\n").filter(|p| p.len() < own.len()));
    for passage in passages {
        let long_enough = passage.chars().filter(|c| c.is_alphabetic()).count() >= MIN_DETECT_CHARS
            && passage.split_whitespace().count() >= MIN_DETECT_WORDS;
        if !long_enough {
            continue;
        }
        if let Some(info) = whatlang::detect(passage) {
            let lang = info.lang();
            if info.is_reliable() && lang != Lang::Eng && !found.iter().any(|(l, _)| *l == lang) {
                found.push((lang, passage.trim()));
            }
        }
    }
    found
}

#[cfg(test)]
#[path = "tests/context.rs"]
mod tests;
