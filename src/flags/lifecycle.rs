//! What a pattern draft does to the stored flags of the same customer and kind: raise a new
//! flag, refresh the open one of the same pattern, or leave things alone. Pure.
//!
//! - An open flag whose window overlaps the draft's pattern span is the same pattern: it is
//!   refreshed when the draft's window is stronger (more contacts, more staff, more repeats),
//!   so the flag always shows the pattern's strongest window and exactly its items.
//! - A flag a person acknowledged or dismissed is never raised again on the same evidence:
//!   a draft whose items are all in that flag's evidence is left alone. New contacts after
//!   the review make a new flag, which the reviewer sees beside the old decision.

use super::windows::Window;
use super::PatternDraft;
use std::collections::HashSet;

/// A stored pattern flag of the draft's customer and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Flag id.
    pub id: i64,
    /// `open`, `acknowledged` or `dismissed`.
    pub state: String,
    /// Its window.
    pub window: Window,
    /// Its figures' strength (see `Description::strength`).
    pub strength: i64,
    /// Its evidence items.
    pub evidence: HashSet<i64>,
}

/// What to do with a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Raise a new open flag.
    Raise,
    /// Replace the window, figures and evidence of this open flag.
    Refresh(i64),
    /// Nothing: the stored flag already shows this pattern as strongly, or a person has
    /// reviewed this evidence.
    Keep,
}

/// Decides what `draft` does, given the stored flags of its customer and kind.
pub fn decide(draft: &PatternDraft, stored: &[Stored]) -> Action {
    let same_length = |s: &&Stored| s.window.days() == draft.window.days();
    if stored
        .iter()
        .filter(same_length)
        .filter(|s| s.state != "open")
        .any(|s| draft.evidence.iter().all(|id| s.evidence.contains(id)))
    {
        return Action::Keep;
    }
    let open = stored
        .iter()
        .filter(same_length)
        .filter(|s| s.state == "open" && s.window.overlaps(&draft.span))
        .max_by_key(|s| (s.strength, std::cmp::Reverse(s.id)));
    match open {
        Some(s) if s.window == draft.window && s.evidence.len() == draft.evidence.len() => {
            if draft.evidence.iter().all(|id| s.evidence.contains(id)) {
                Action::Keep
            } else {
                Action::Refresh(s.id)
            }
        }
        Some(s) if draft.strength > s.strength || s.window == draft.window => Action::Refresh(s.id),
        Some(_) => Action::Keep,
        None => Action::Raise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::testing::utc;
    use crate::flags::windows::DAY;

    fn draft(end_day: i64, strength: i64, evidence: &[i64]) -> PatternDraft {
        let window = utc().window_ending(end_day * DAY, 7);
        PatternDraft {
            customer_id: 1,
            kind: "contact-volume",
            window,
            span: window,
            figures: serde_json::json!({}),
            threshold: serde_json::json!({}),
            strength,
            evidence: evidence.to_vec(),
        }
    }

    fn stored(id: i64, state: &str, end_day: i64, strength: i64, evidence: &[i64]) -> Stored {
        Stored {
            id,
            state: state.into(),
            window: utc().window_ending(end_day * DAY, 7),
            strength,
            evidence: evidence.iter().copied().collect(),
        }
    }

    #[test]
    fn a_new_pattern_is_raised() {
        assert_eq!(decide(&draft(10, 6, &[1, 2]), &[]), Action::Raise);
    }

    #[test]
    fn a_stronger_window_of_the_same_pattern_refreshes_the_open_flag() {
        let s = [stored(5, "open", 9, 6, &[1, 2])];
        assert_eq!(decide(&draft(10, 8, &[1, 2, 3]), &s), Action::Refresh(5));
        assert_eq!(decide(&draft(10, 5, &[2, 3]), &s), Action::Keep);
    }

    #[test]
    fn the_same_evidence_again_changes_nothing() {
        let s = [stored(5, "open", 10, 2, &[1, 2])];
        assert_eq!(decide(&draft(10, 2, &[1, 2]), &s), Action::Keep);
    }

    #[test]
    fn a_dismissed_flag_does_not_fire_again_on_the_same_evidence() {
        let s = [stored(5, "dismissed", 10, 3, &[1, 2, 3])];
        assert_eq!(decide(&draft(10, 3, &[1, 2, 3]), &s), Action::Keep);
        assert_eq!(decide(&draft(11, 2, &[2, 3]), &s), Action::Keep);
    }

    #[test]
    fn new_contacts_after_a_review_raise_a_new_flag() {
        let s = [stored(5, "acknowledged", 10, 3, &[1, 2, 3])];
        assert_eq!(decide(&draft(12, 3, &[2, 3, 4]), &s), Action::Raise);
    }

    #[test]
    fn windows_of_another_length_are_other_patterns() {
        let mut s = stored(5, "open", 10, 20, &[1, 2]);
        s.window = utc().window_ending(10 * DAY, 30);
        assert_eq!(decide(&draft(10, 6, &[1, 2]), &[s]), Action::Raise);
    }
}
