//! Item signals: what a single item's own words say that a person may want to review —
//! swearing or abuse aimed at staff, threats, demands for a senior officer, unreasonable
//! deadlines, recording — and the context shown beside them (support needs, communication
//! needs). Signals are advisory evidence about one item, never a label on a person; turning
//! them into flags (windows, thresholds, expiry) is the flag stage's job.
//!
//! Pure code: text in, values out; no I/O, no logging of the text.
//!
//! The "aimed at staff" rule for `language-review`: insults and discriminatory terms always
//! fire. General swearing (entries marked `distress_exempt`) fires too, except when the
//! item's own words carry a `support-consideration` cue ("I'm terrified", "since my husband
//! died", "I can't cope") *and* the sentence is not aimed at staff or the service — it has no
//! second person ("you", "your", "you lot") and names no staff, crew, officer, station or
//! service. So "I'm f***ing terrified" in a message about a fire at home is distress and
//! raises nothing, while "your f***ing crew took an hour" still fires.

mod context;
mod eval;
mod lexicon;
mod normalise;
mod own_words;
mod sentences;

use std::cmp::Reverse;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

pub use context::{context, context_with, Context, ContextKind};
pub use eval::{evaluate, labelled_set, parse_labelled, EvalError, KindScore, LabelledCase};
pub use lexicon::{Entry, Lexicon, LexiconError};
pub use own_words::own_words;
pub use sentences::{sentence_spans, sentences};

use normalise::View;

/// Longest sentence quoted in a signal, in characters; longer ones are cut around the term.
const MAX_SENTENCE_CHARS: usize = 300;

/// The kinds of item signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// Swearing, insults or discriminatory terms aimed at staff.
    LanguageReview = 0,
    /// A threat of violence: alert at once under the health and safety procedure.
    Safety = 1,
    /// A demand that a named senior officer personally deals with the matter.
    SeniorOfficerRequest = 2,
    /// An unreasonable deadline for a non-emergency matter.
    UrgencyDemand = 3,
    /// Recording of calls or meetings.
    RecordingMention = 4,
}

impl SignalKind {
    /// Every kind, in the order signals are reported.
    pub const ALL: [SignalKind; 5] = [
        SignalKind::LanguageReview,
        SignalKind::Safety,
        SignalKind::SeniorOfficerRequest,
        SignalKind::UrgencyDemand,
        SignalKind::RecordingMention,
    ];

    /// The kebab-case name used in lexicon files, the store and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::LanguageReview => "language-review",
            SignalKind::Safety => "safety",
            SignalKind::SeniorOfficerRequest => "senior-officer-request",
            SignalKind::UrgencyDemand => "urgency-demand",
            SignalKind::RecordingMention => "recording-mention",
        }
    }

    /// The kind named `name` (the kebab-case name).
    pub fn parse(name: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for SignalKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing an item's own words say that a person may want to review.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Signal {
    /// What kind of signal.
    pub kind: SignalKind,
    /// The sentence it was found in, as written (cut to about 300 characters around the term).
    pub sentence: String,
    /// What matched, as written.
    pub term: String,
    /// The id of the lexicon entry that matched.
    pub entry: String,
    /// The language of that entry.
    pub language: String,
}

/// The signals in the customer's own words of `text` (see [`own_words`]), at most one per
/// kind and sentence, in sentence order. `seniors` are the names and roles of senior staff
/// from the staff directory ("Dana Chief", "Head of Prevention"), which `{senior}` in a
/// `senior-officer-request` entry matches alongside the lexicon's senior roles.
pub fn scan(text: &str, lexicon: &Lexicon, seniors: &[String]) -> Vec<Signal> {
    scan_own_words(&own_words(text), lexicon, seniors, &SignalKind::ALL)
}

/// [`scan`] of text that is already the customer's own words (from [`own_words`]), for some
/// kinds only: routing reads the own words once for complaint cues and the `safety` kind.
pub fn scan_own_words(
    own: &str,
    lexicon: &Lexicon,
    seniors: &[String],
    kinds: &[SignalKind],
) -> Vec<Signal> {
    let spans = sentence_spans(own);
    if spans.is_empty() {
        return Vec::new();
    }
    let plain = View::plain(own, &spans, seniors);
    let skeleton = View::skeleton(own, &spans);
    let support = context::has_support(&plain, lexicon);
    // Per sentence and kind, the match that starts first (the longest of those).
    let mut best: Vec<(usize, SignalKind, Range<usize>, Signal)> = Vec::new();
    for &kind in kinds {
        let set = lexicon.signal(kind);
        let view = if set.obfuscated { &skeleton } else { &plain };
        for hit in set.hits(view) {
            if set.obfuscated && !is_plausible_word(&view.text[hit.range.clone()]) {
                continue;
            }
            let entry = &hit.compiled.entry;
            if entry.distress_exempt && support && !is_aimed_at_staff(&plain, hit.span_index) {
                continue;
            }
            let term = view.original_range(hit.range);
            let key = (term.start, Reverse(term.end));
            let slot = best
                .iter()
                .position(|(s, k, _, _)| *s == hit.span_index && *k == kind);
            if slot.is_some_and(|at| (best[at].2.start, Reverse(best[at].2.end)) <= key) {
                continue;
            }
            let span = &spans[hit.span_index];
            let signal = Signal {
                kind,
                sentence: quote(&own[span.clone()], term.start.saturating_sub(span.start)),
                term: own.get(term.clone()).unwrap_or_default().to_owned(),
                entry: entry.id.clone(),
                language: entry.language.clone(),
            };
            let found = (hit.span_index, kind, term, signal);
            match slot {
                Some(at) => best[at] = found,
                None => best.push(found),
            }
        }
    }
    best.sort_by_key(|(span, kind, _, _)| (*span, *kind));
    best.into_iter().map(|(_, _, _, signal)| signal).collect()
}

/// A skeleton match must start with a real letter and hold at least two ("****" is not a
/// word).
fn is_plausible_word(skeleton: &str) -> bool {
    skeleton.chars().next().is_some_and(char::is_alphabetic)
        && skeleton.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Second person, or staff and the service named: see the module documentation.
static AIMED_AT_STAFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)\b(?:
            you|your|yours|yourself|yourselves|you're|ye|yous|youse|u|ur
          | staff|crews?|officers?|firefighters?|firemen|operators?|call\s+handlers?
          | stations?|service|brigade|council|department|managers?|management|director
          | chief|control\s+room|people\s+there|them\s+lot|that\s+lot
        )\b",
    )
    .expect("a constant pattern, compiled in a unit test")
});

/// Whether sentence `span_index` of the plain view is aimed at staff or the service.
fn is_aimed_at_staff(plain: &View, span_index: usize) -> bool {
    plain
        .span_index
        .iter()
        .position(|i| *i == span_index)
        .is_some_and(|at| AIMED_AT_STAFF.is_match(plain.sentence(at)))
}

/// The sentence as written, cut to about [`MAX_SENTENCE_CHARS`] around `term` when longer.
pub(crate) fn quote(sentence: &str, term_at: usize) -> String {
    if sentence.chars().count() <= MAX_SENTENCE_CHARS {
        return sentence.to_owned();
    }
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    let centre = chars.partition_point(|(at, _)| *at < term_at);
    let from = centre.saturating_sub(MAX_SENTENCE_CHARS / 3);
    let to = (from + MAX_SENTENCE_CHARS).min(chars.len());
    let from = to.saturating_sub(MAX_SENTENCE_CHARS);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(chars[from..to].iter().map(|(_, c)| *c));
    if to < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
