//! Scores the store's flags against a flags truth file (`flags-truth.jsonl` from
//! `tidings eval flags-corpus`, or your own labels): precision and recall per kind, and how
//! many customers with `support-consideration` context were given a `language-review` flag
//! (the target is none). Reads the store only; never changes it.

use crate::eval::corpus::flagged::FlagTruth;
use crate::store::Store;
use anyhow::Context;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Precision and recall of one kind.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KindResult {
    /// The kind.
    pub kind: String,
    /// Expected and raised.
    pub true_positives: usize,
    /// Raised, not expected.
    pub false_positives: usize,
    /// Expected, not raised.
    pub false_negatives: usize,
}

impl KindResult {
    /// TP / (TP + FP); 1 when nothing was raised.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// TP / (TP + FN); 1 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The whole score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FlagsReport {
    /// Per kind, in name order.
    pub kinds: Vec<KindResult>,
    /// Customers with support context given a `language-review` flag.
    pub support_context_language_review: usize,
}

/// Reads a truth file.
pub fn read_truth(path: &Path) -> anyhow::Result<Vec<FlagTruth>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the flags truth {}; check the path",
            path.display()
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| {
                format!(
                    "{} line {}: not a flags truth line {{\"kind\", \"subject\"}}",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect()
}

/// Scores `expected` (kind, subject) pairs against `raised` ones.
pub fn score(
    expected: &[(String, String)],
    raised: &[(String, String)],
    support_language: usize,
) -> FlagsReport {
    let expected: HashSet<&(String, String)> = expected.iter().collect();
    let raised: HashSet<&(String, String)> = raised.iter().collect();
    let mut kinds: BTreeMap<String, KindResult> = BTreeMap::new();
    fn entry<'m>(kinds: &'m mut BTreeMap<String, KindResult>, kind: &str) -> &'m mut KindResult {
        kinds.entry(kind.to_string()).or_insert_with(|| KindResult {
            kind: kind.to_string(),
            true_positives: 0,
            false_positives: 0,
            false_negatives: 0,
        })
    }
    for pair in &raised {
        let r = entry(&mut kinds, &pair.0);
        if expected.contains(pair) {
            r.true_positives += 1;
        } else {
            r.false_positives += 1;
        }
    }
    for pair in expected.difference(&raised) {
        entry(&mut kinds, &pair.0).false_negatives += 1;
    }
    FlagsReport {
        kinds: kinds.into_values().collect(),
        support_context_language_review: support_language,
    }
}

/// Reads the store's flags as (kind, subject) pairs — the item reference for an item flag,
/// the customer's first email address for a pattern flag — and scores them against `truth`.
pub async fn report(store: &Store, truth: &[FlagTruth]) -> anyhow::Result<FlagsReport> {
    let addresses: HashMap<String, String> = store
        .export_customers()
        .await?
        .into_iter()
        .filter_map(|c| {
            let address = c
                .identifiers
                .iter()
                .find_map(|i| i.strip_prefix("email:"))?
                .to_string();
            Some((c.customer_key, address))
        })
        .collect();
    let flags = store.flags(None, true).await?;
    let raised: Vec<(String, String)> = flags
        .iter()
        .map(|f| {
            let subject = match &f.item_ref {
                Some(item) => item.clone(),
                None => addresses
                    .get(&f.customer_key)
                    .cloned()
                    .unwrap_or_else(|| f.customer_key.clone()),
            };
            (f.kind.clone(), subject)
        })
        .collect();
    let supported: HashSet<String> = store
        .export_context()
        .await?
        .into_iter()
        .filter(|c| c.kind == "support-consideration")
        .map(|c| c.customer_key)
        .collect();
    let support_language = flags
        .iter()
        .filter(|f| f.kind == "language-review" && supported.contains(&f.customer_key))
        .map(|f| f.customer_key.as_str())
        .collect::<HashSet<_>>()
        .len();
    let expected: Vec<(String, String)> = truth
        .iter()
        .map(|t| (t.kind.clone(), t.subject.clone()))
        .collect();
    Ok(score(&expected, &raised, support_language))
}

/// The report as aligned lines.
pub fn render_text(report: &FlagsReport) -> String {
    let mut out = String::from("kind                     TP  FP  FN  precision  recall\n");
    for k in &report.kinds {
        out.push_str(&format!(
            "{:<24} {:>3} {:>3} {:>3}  {:>9.3}  {:>6.3}\n",
            k.kind,
            k.true_positives,
            k.false_positives,
            k.false_negatives,
            k.precision(),
            k.recall()
        ));
    }
    out.push_str(&format!(
        "customers with support-consideration context given a language-review flag: {}\n",
        report.support_context_language_review
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, s)| (k.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn precision_and_recall_per_kind() {
        let expected = pairs(&[("safety", "a"), ("safety", "b"), ("contact-volume", "x@e")]);
        let raised = pairs(&[
            ("safety", "a"),
            ("safety", "c"),
            ("contact-volume", "x@e"),
            ("contact-volume", "x@e"),
        ]);
        let r = score(&expected, &raised, 0);
        let safety = r.kinds.iter().find(|k| k.kind == "safety").expect("scored");
        assert_eq!(
            (
                safety.true_positives,
                safety.false_positives,
                safety.false_negatives
            ),
            (1, 1, 1)
        );
        assert!((safety.precision() - 0.5).abs() < 1e-9);
        let volume = r
            .kinds
            .iter()
            .find(|k| k.kind == "contact-volume")
            .expect("scored");
        assert_eq!((volume.precision(), volume.recall()), (1.0, 1.0));
    }
}
