//! The scores on tiny hand-made clusterings.

use super::*;

/// Truth: a1 a2 a3 belong to person A, b1 b2 to B, n1 to nobody.
fn truth() -> Vec<(String, Option<String>)> {
    [
        ("a1", Some("A")),
        ("a2", Some("A")),
        ("a3", Some("A")),
        ("b1", Some("B")),
        ("b2", Some("B")),
        ("n1", None),
    ]
    .iter()
    .map(|(i, p)| (i.to_string(), p.map(str::to_string)))
    .collect()
}

fn predicted(pairs: &[(&str, Option<&str>)]) -> HashMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(i, k)| (i.to_string(), k.map(str::to_string)))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_perfect_linking_scores_one_everywhere() {
    let p = predicted(&[
        ("a1", Some("x")),
        ("a2", Some("x")),
        ("a3", Some("x")),
        ("b1", Some("y")),
        ("b2", Some("y")),
        ("n1", None),
    ]);
    assert_eq!(pairwise(&truth(), &p), Scores::new(1.0, 1.0));
    assert_eq!(bcubed(&truth(), &p), Scores::new(1.0, 1.0));
    assert_eq!(
        pair_counts(&truth(), &p),
        PairCounts {
            true_pairs: 4,
            predicted_pairs: 4,
            correct_pairs: 4
        }
    );
}

#[test]
fn merging_everything_keeps_recall_and_loses_precision() {
    let p = predicted(&[
        ("a1", Some("x")),
        ("a2", Some("x")),
        ("a3", Some("x")),
        ("b1", Some("x")),
        ("b2", Some("x")),
        ("n1", Some("x")),
    ]);
    let s = pairwise(&truth(), &p);
    // 15 pairs joined, 4 of them right.
    assert!(
        close(s.precision, 4.0 / 15.0) && close(s.recall, 1.0),
        "{s:?}"
    );
    let b = bcubed(&truth(), &p);
    // Each A item: 3/6; each B item: 2/6; the no-customer item: 1/6.
    assert!(
        close(
            b.precision,
            (3.0 * 3.0 / 6.0 + 2.0 * 2.0 / 6.0 + 1.0 / 6.0) / 6.0
        ),
        "{b:?}"
    );
    assert!(close(b.recall, 1.0));
}

#[test]
fn splitting_everything_keeps_precision_and_loses_recall() {
    let p = predicted(&[
        ("a1", Some("1")),
        ("a2", Some("2")),
        ("a3", None),
        ("b1", Some("4")),
        ("b2", Some("5")),
        ("n1", None),
    ]);
    let s = pairwise(&truth(), &p);
    assert!(
        close(s.precision, 1.0) && close(s.recall, 0.0) && close(s.f1, 0.0),
        "{s:?}"
    );
    let b = bcubed(&truth(), &p);
    assert!(close(b.precision, 1.0), "{b:?}");
    // A items 1/3 each, B items 1/2 each, the no-customer item 1.
    assert!(
        close(b.recall, (3.0 / 3.0 + 2.0 / 2.0 + 1.0) / 6.0),
        "{b:?}"
    );
}

#[test]
fn one_wrong_merge_costs_precision_only() {
    // b1 wrongly joined to A's customer.
    let p = predicted(&[
        ("a1", Some("x")),
        ("a2", Some("x")),
        ("a3", Some("x")),
        ("b1", Some("x")),
        ("b2", Some("y")),
        ("n1", None),
    ]);
    assert_eq!(
        pair_counts(&truth(), &p),
        PairCounts {
            true_pairs: 4,
            predicted_pairs: 6,
            correct_pairs: 3
        }
    );
    let s = pairwise(&truth(), &p);
    assert!(close(s.precision, 0.5) && close(s.recall, 0.75), "{s:?}");
    assert!(close(s.f1, 0.6), "{s:?}");
}

#[test]
fn a_non_customer_item_given_a_customer_is_a_false_pair_with_each_of_its_items() {
    let p = predicted(&[
        ("a1", Some("x")),
        ("a2", Some("x")),
        ("a3", Some("x")),
        ("b1", Some("y")),
        ("b2", Some("y")),
        ("n1", Some("x")),
    ]);
    let c = pair_counts(&truth(), &p);
    assert_eq!((c.predicted_pairs, c.correct_pairs), (7, 4));
    let b = bcubed_items(&truth(), &p);
    assert!(close(b[5].0, 1.0 / 4.0), "{b:?}");
}

#[test]
fn items_missing_from_the_store_are_not_scored_but_reported() {
    let p = predicted(&[("a1", Some("x")), ("a2", Some("x")), ("zz", Some("x"))]);
    assert_eq!(pairwise(&truth(), &p), Scores::new(1.0, 1.0));
    let items: Vec<TruthItem> = truth()
        .into_iter()
        .map(|(item_ref, person)| TruthItem {
            item_ref,
            channel: "email".into(),
            person,
            organisation: None,
            note: "direct".into(),
        })
        .collect();
    let store: Vec<(String, Option<String>)> = p.into_iter().collect();
    let r = report(&items, &store);
    assert_eq!((r.truth_items, r.found, r.missing), (6, 2, 4));
    assert_eq!(r.store_items_not_in_truth, 1);
    assert_eq!(r.by_note["direct"].items, 2);
    let text = render_text(&r);
    assert!(
        text.contains("found in the store                    2 (4 missing)"),
        "{text}"
    );
}

#[test]
fn a_truth_line_that_is_not_json_names_the_file_and_line() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("truth.jsonl");
    std::fs::write(&path, "{\"item_ref\":\"a\",\"channel\":\"call\",\"person\":null,\"organisation\":null,\"note\":\"x\"}\n\nnot json\n").expect("written");
    let e = read_truth(&path)
        .expect_err("line 3 is not JSON")
        .to_string();
    assert!(e.contains("truth.jsonl line 3"), "{e}");
}
