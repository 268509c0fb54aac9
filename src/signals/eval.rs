//! A labelled set of messages and the precision and recall of each signal kind over it: the
//! measure behind the quality target "precision ≥ 0.9, recall ≥ 0.95; no language flag on
//! polite-but-distressed messages". The shipped set is `src/signals/labelled.toml`; the
//! `tidings eval flags` command can run the same function over a larger private set.

use serde::Deserialize;

use super::{scan, Lexicon, SignalKind};

/// The shipped labelled set.
const LABELLED: &str = include_str!("labelled.toml");

/// One labelled message.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledCase {
    /// The message body as received (quotes and signatures included).
    pub text: String,
    /// Senior staff names passed to [`scan`].
    #[serde(default)]
    pub seniors: Vec<String>,
    /// The signal kinds a reviewer expects (kebab-case names); empty for none.
    #[serde(default)]
    pub kinds: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledFile {
    case: Vec<LabelledCase>,
}

/// A labelled set that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The file is not a labelled set.
    #[error("labelled set {file} cannot be read: {reason}. It needs [[case]] tables with text and optionally seniors and kinds")]
    Format {
        /// The file.
        file: String,
        /// What the TOML parser said.
        reason: String,
    },
    /// A case names a kind that is not a signal kind.
    #[error("labelled set {file}, case {case}: unknown signal kind \"{kind}\"; use language-review, safety, senior-officer-request, urgency-demand or recording-mention")]
    UnknownKind {
        /// The file.
        file: String,
        /// The case number, from 1.
        case: usize,
        /// The kind as written.
        kind: String,
    },
}

/// How one signal kind did over a labelled set (counted per message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindScore {
    /// The kind.
    pub kind: SignalKind,
    /// Messages labelled with the kind that raised it.
    pub true_positives: usize,
    /// Messages not labelled with the kind that raised it.
    pub false_positives: usize,
    /// Messages labelled with the kind that did not raise it.
    pub false_negatives: usize,
}

impl KindScore {
    /// The share of raised signals that were expected (1 when none were raised).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// The share of expected signals that were raised (1 when none were expected).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The shipped labelled set.
pub fn labelled_set() -> Result<Vec<LabelledCase>, EvalError> {
    parse_labelled("src/signals/labelled.toml", LABELLED)
}

/// The labelled set in `text` (TOML with `[[case]]` tables); `file` names it in errors.
pub fn parse_labelled(file: &str, text: &str) -> Result<Vec<LabelledCase>, EvalError> {
    let parsed: LabelledFile = toml::from_str(text).map_err(|e| EvalError::Format {
        file: file.to_owned(),
        reason: e.message().to_owned(),
    })?;
    for (at, case) in parsed.case.iter().enumerate() {
        if let Some(kind) = case.kinds.iter().find(|k| SignalKind::parse(k).is_none()) {
            return Err(EvalError::UnknownKind {
                file: file.to_owned(),
                case: at + 1,
                kind: kind.clone(),
            });
        }
    }
    Ok(parsed.case)
}

/// Scans every case with `lexicon` and scores each signal kind, in [`SignalKind::ALL`] order.
pub fn evaluate(cases: &[LabelledCase], lexicon: &Lexicon) -> Vec<KindScore> {
    let mut scores: Vec<KindScore> = SignalKind::ALL
        .iter()
        .map(|&kind| KindScore {
            kind,
            true_positives: 0,
            false_positives: 0,
            false_negatives: 0,
        })
        .collect();
    for case in cases {
        let raised = scan(&case.text, lexicon, &case.seniors);
        for score in &mut scores {
            let expected = case.kinds.iter().any(|k| k == score.kind.as_str());
            let got = raised.iter().any(|s| s.kind == score.kind);
            match (expected, got) {
                (true, true) => score.true_positives += 1,
                (false, true) => score.false_positives += 1,
                (true, false) => score.false_negatives += 1,
                (false, false) => {}
            }
        }
    }
    scores
}
