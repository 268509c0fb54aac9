//! Scores customer links against a truth: which items really belong to the same person.
//! Pure scoring functions ([`pairwise`], [`bcubed`]) over `item_ref → person` and
//! `item_ref → customer_key`, and [`report`], which joins a truth file with the store's
//! exported items. An item whose truth has no person belongs to no customer: linking it to a
//! customer is an error (a false pair with every other item of that customer).

use super::corpus::TruthItem;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Precision, recall and their harmonic mean, each in 0..=1.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Of what was joined, the share that truly belongs together.
    pub precision: f64,
    /// Of what truly belongs together, the share that was joined.
    pub recall: f64,
    /// 2PR / (P + R); 0 when both are 0.
    pub f1: f64,
}

impl Scores {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// Pairs of items: truly the same person, given the same customer, and both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PairCounts {
    /// Pairs that share a person in the truth.
    pub true_pairs: u64,
    /// Pairs that share a customer key.
    pub predicted_pairs: u64,
    /// Pairs that share both.
    pub correct_pairs: u64,
}

/// `count` choose 2.
fn pairs(count: usize) -> u64 {
    let n = count as u64;
    n * n.saturating_sub(1) / 2
}

/// Truth items found in `predicted`: `(person, customer key)` for each.
fn joined<'a>(
    truth: &'a [(String, Option<String>)],
    predicted: &'a HashMap<String, Option<String>>,
) -> Vec<(Option<&'a str>, Option<&'a str>)> {
    truth
        .iter()
        .filter_map(|(item, person)| {
            predicted
                .get(item)
                .map(|key| (person.as_deref(), key.as_deref()))
        })
        .collect()
}

/// Counts pairs over the truth items present in `predicted` (others are not scored).
pub fn pair_counts(
    truth: &[(String, Option<String>)],
    predicted: &HashMap<String, Option<String>>,
) -> PairCounts {
    let mut by_person: HashMap<&str, usize> = HashMap::new();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut by_both: HashMap<(&str, &str), usize> = HashMap::new();
    for (person, key) in joined(truth, predicted) {
        if let Some(p) = person {
            *by_person.entry(p).or_default() += 1;
        }
        if let Some(k) = key {
            *by_key.entry(k).or_default() += 1;
        }
        if let (Some(p), Some(k)) = (person, key) {
            *by_both.entry((p, k)).or_default() += 1;
        }
    }
    let sum = |counts: &mut dyn Iterator<Item = usize>| counts.map(pairs).sum();
    PairCounts {
        true_pairs: sum(&mut by_person.values().copied()),
        predicted_pairs: sum(&mut by_key.values().copied()),
        correct_pairs: sum(&mut by_both.values().copied()),
    }
}

/// Pairwise precision and recall: pairs of items given the same customer that truly share a
/// person, over all pairs given the same customer (precision) and over all pairs that truly
/// share a person (recall). With no pairs to judge, that measure is 1 (nothing wrong).
pub fn pairwise(
    truth: &[(String, Option<String>)],
    predicted: &HashMap<String, Option<String>>,
) -> Scores {
    let c = pair_counts(truth, predicted);
    let ratio = |num: u64, den: u64| {
        if den == 0 {
            1.0
        } else {
            num as f64 / den as f64
        }
    };
    Scores::new(
        ratio(c.correct_pairs, c.predicted_pairs),
        ratio(c.correct_pairs, c.true_pairs),
    )
}

/// Per-item B-cubed `(precision, recall)` for the truth items present in `predicted`, in
/// truth order. An item without a person or without a customer is alone in that clustering.
pub fn bcubed_items(
    truth: &[(String, Option<String>)],
    predicted: &HashMap<String, Option<String>>,
) -> Vec<(f64, f64)> {
    let rows = joined(truth, predicted);
    let mut by_person: HashMap<&str, usize> = HashMap::new();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut by_both: HashMap<(&str, &str), usize> = HashMap::new();
    for (person, key) in &rows {
        if let Some(p) = person {
            *by_person.entry(p).or_default() += 1;
        }
        if let Some(k) = key {
            *by_key.entry(k).or_default() += 1;
        }
        if let (Some(p), Some(k)) = (person, key) {
            *by_both.entry((p, k)).or_default() += 1;
        }
    }
    rows.iter()
        .map(|(person, key)| {
            let cluster = key.map_or(1, |k| by_key[k]);
            let class = person.map_or(1, |p| by_person[p]);
            let overlap = match (person, key) {
                (Some(p), Some(k)) => by_both[&(*p, *k)],
                _ => 1,
            };
            (
                overlap as f64 / cluster as f64,
                overlap as f64 / class as f64,
            )
        })
        .collect()
}

/// The mean of per-item scores; 1 for no items.
fn mean(items: &[(f64, f64)]) -> Scores {
    if items.is_empty() {
        return Scores::new(1.0, 1.0);
    }
    let n = items.len() as f64;
    Scores::new(
        items.iter().map(|s| s.0).sum::<f64>() / n,
        items.iter().map(|s| s.1).sum::<f64>() / n,
    )
}

/// B-cubed precision and recall: for each item, the share of its customer's items that are
/// truly its person's, and the share of its person's items that got its customer; averaged
/// over items.
pub fn bcubed(
    truth: &[(String, Option<String>)],
    predicted: &HashMap<String, Option<String>>,
) -> Scores {
    mean(&bcubed_items(truth, predicted))
}

/// How one situation (a truth `note`) fared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NoteScores {
    /// Items with this note found in the store.
    pub items: usize,
    /// Of those, items given a customer.
    pub linked: usize,
    /// B-cubed over these items (against the whole clustering).
    pub bcubed: Scores,
}

/// Per-note counts while joining.
#[derive(Default)]
struct NoteTally {
    items: usize,
    linked: usize,
    scores: Vec<(f64, f64)>,
}

/// Everything `tidings eval links` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LinkReport {
    /// Lines in the truth.
    pub truth_items: usize,
    /// Truth items found in the store by `item_ref`.
    pub found: usize,
    /// Truth items not in the store.
    pub missing: usize,
    /// Up to ten missing references, to look for in `tidings quarantine list`.
    pub missing_examples: Vec<String>,
    /// Items in the store.
    pub store_items: usize,
    /// Store items whose reference is not in the truth.
    pub store_items_not_in_truth: usize,
    /// Distinct people among the found items.
    pub people: usize,
    /// Distinct customer keys among the found items.
    pub customers: usize,
    /// Pairwise scores.
    pub pairwise: Scores,
    /// The pair counts behind them.
    pub pairs: PairCounts,
    /// B-cubed scores.
    pub bcubed: Scores,
    /// Found items that belong to no customer.
    pub non_customer_items: usize,
    /// Of those, items given a customer anyway.
    pub non_customer_linked: usize,
    /// Found items that belong to a person but were given no customer.
    pub customer_items_unlinked: usize,
    /// By truth note, sorted.
    pub by_note: BTreeMap<String, NoteScores>,
}

/// Joins the truth with the store's items, `(item_ref, customer_key)` as `tidings export
/// items` gives them (the first item of a reference counts), and scores the links.
pub fn report(truth: &[TruthItem], items: &[(String, Option<String>)]) -> LinkReport {
    let mut predicted: HashMap<String, Option<String>> = HashMap::new();
    for (item_ref, key) in items {
        predicted
            .entry(item_ref.clone())
            .or_insert_with(|| key.clone());
    }
    let pairs_in: Vec<(String, Option<String>)> = truth
        .iter()
        .map(|t| (t.item_ref.clone(), t.person.clone()))
        .collect();
    let found: Vec<&TruthItem> = truth
        .iter()
        .filter(|t| predicted.contains_key(&t.item_ref))
        .collect();
    let key_of = |t: &TruthItem| predicted.get(&t.item_ref).and_then(Option::as_ref);
    let per_item = bcubed_items(&pairs_in, &predicted);
    let mut by_note: BTreeMap<String, NoteTally> = BTreeMap::new();
    for (t, score) in found.iter().zip(&per_item) {
        let entry = by_note.entry(t.note.clone()).or_default();
        entry.items += 1;
        entry.linked += usize::from(key_of(t).is_some());
        entry.scores.push(*score);
    }
    let truth_refs: std::collections::HashSet<&str> =
        truth.iter().map(|t| t.item_ref.as_str()).collect();
    let distinct = |values: Vec<&String>| {
        values
            .into_iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    LinkReport {
        truth_items: truth.len(),
        found: found.len(),
        missing: truth.len() - found.len(),
        missing_examples: truth
            .iter()
            .filter(|t| !predicted.contains_key(&t.item_ref))
            .take(10)
            .map(|t| t.item_ref.clone())
            .collect(),
        store_items: items.len(),
        store_items_not_in_truth: items
            .iter()
            .filter(|(item_ref, _)| !truth_refs.contains(item_ref.as_str()))
            .count(),
        people: distinct(found.iter().filter_map(|t| t.person.as_ref()).collect()),
        customers: distinct(found.iter().filter_map(|t| key_of(t)).collect()),
        pairwise: pairwise(&pairs_in, &predicted),
        pairs: pair_counts(&pairs_in, &predicted),
        bcubed: mean(&per_item),
        non_customer_items: found.iter().filter(|t| t.person.is_none()).count(),
        non_customer_linked: found
            .iter()
            .filter(|t| t.person.is_none() && key_of(t).is_some())
            .count(),
        customer_items_unlinked: found
            .iter()
            .filter(|t| t.person.is_some() && key_of(t).is_none())
            .count(),
        by_note: by_note
            .into_iter()
            .map(|(note, t)| {
                (
                    note,
                    NoteScores {
                        items: t.items,
                        linked: t.linked,
                        bcubed: mean(&t.scores),
                    },
                )
            })
            .collect(),
    }
}

/// The report as aligned lines.
pub fn render_text(r: &LinkReport) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| out.push_str(&format!("{label:<38}{value}\n"));
    line("truth items", r.truth_items.to_string());
    line(
        "found in the store",
        format!("{} ({} missing)", r.found, r.missing),
    );
    if !r.missing_examples.is_empty() {
        line("  missing, e.g.", r.missing_examples.join(" "));
    }
    line(
        "store items not in the truth",
        r.store_items_not_in_truth.to_string(),
    );
    line(
        "people / customers",
        format!("{} / {}", r.people, r.customers),
    );
    let scores = |s: &Scores| format!("P {:.3}  R {:.3}  F1 {:.3}", s.precision, s.recall, s.f1);
    line("pairwise", scores(&r.pairwise));
    line(
        "  pairs true / joined / both",
        format!(
            "{} / {} / {}",
            r.pairs.true_pairs, r.pairs.predicted_pairs, r.pairs.correct_pairs
        ),
    );
    line("B-cubed", scores(&r.bcubed));
    line(
        "non-customer items given a customer",
        format!("{} of {}", r.non_customer_linked, r.non_customer_items),
    );
    line(
        "customer items left unlinked",
        r.customer_items_unlinked.to_string(),
    );
    out.push_str("\nby situation (items, linked, B-cubed):\n");
    for (note, n) in &r.by_note {
        out.push_str(&format!(
            "  {note:<44}{:>5} {:>5}  {}\n",
            n.items,
            n.linked,
            scores(&n.bcubed)
        ));
    }
    out
}

/// Why a truth file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    /// The file could not be read.
    #[error("cannot read the truth file {path}: {source}; give the truth.jsonl written by `tidings eval corpus`")]
    Read {
        /// The path.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A line is not a truth object.
    #[error("{path} line {line}: {source}; each line must be a JSON object with item_ref, channel, person (string or null), organisation and note")]
    Line {
        /// The path.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        source: serde_json::Error,
    },
}

/// Reads a truth file: one JSON object per line, blank lines skipped.
pub fn read_truth(path: &Path) -> Result<Vec<TruthItem>, LinksError> {
    let text = std::fs::read_to_string(path).map_err(|source| LinksError::Read {
        path: path.display().to_string(),
        source,
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| LinksError::Line {
                path: path.display().to_string(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
