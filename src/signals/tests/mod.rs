//! Scan specifications: for each kind, sentences that must fire and sentences that must not.

use super::*;

mod demands;
mod eval;
mod language_review;
mod safety;
mod scan;

/// The kinds `scan` raises for `text` with the shipped lexicon and `seniors`.
fn kinds_with(text: &str, seniors: &[&str]) -> Vec<SignalKind> {
    let seniors: Vec<String> = seniors.iter().map(|s| (*s).to_owned()).collect();
    scan(text, Lexicon::builtin(), &seniors)
        .into_iter()
        .map(|s| s.kind)
        .collect()
}

/// Asserts that every text raises `kind`.
fn must_fire(kind: SignalKind, texts: &[&str]) {
    for text in texts {
        assert!(
            kinds_with(text, &[]).contains(&kind),
            "{kind} should fire on {text:?}"
        );
    }
}

/// Asserts that no text raises `kind`.
fn must_not_fire(kind: SignalKind, texts: &[&str]) {
    for text in texts {
        let raised = scan(text, Lexicon::builtin(), &[]);
        assert!(
            !raised.iter().any(|s| s.kind == kind),
            "{kind} should not fire on {text:?}: {raised:?}"
        );
    }
}
