//! The labelled set and the precision/recall computed over it.

use super::*;

#[test]
fn the_shipped_labelled_set_meets_the_quality_target() {
    let cases = labelled_set().expect("the shipped labelled set parses");
    let lexicon = Lexicon::builtin();
    for (at, case) in cases.iter().enumerate() {
        let raised: Vec<_> = scan(&case.text, lexicon, &case.seniors);
        let mut kinds: Vec<&str> = raised.iter().map(|s| s.kind.as_str()).collect();
        kinds.dedup();
        let mut expected: Vec<&str> = case.kinds.iter().map(String::as_str).collect();
        expected.sort_by_key(|k| SignalKind::parse(k));
        kinds.sort_by_key(|k| SignalKind::parse(k));
        kinds.dedup();
        if kinds != expected {
            eprintln!("case {}: expected {expected:?}, got {raised:#?}", at + 1);
        }
    }
    for score in evaluate(&cases, lexicon) {
        eprintln!(
            "{}: p={:.2} r={:.2} {score:?}",
            score.kind,
            score.precision(),
            score.recall()
        );
        assert!(score.precision() >= 0.9, "{score:?}");
        assert!(score.recall() >= 0.95, "{score:?}");
    }
}
