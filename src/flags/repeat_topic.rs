//! `repeat-topic`: a topic raised again after the organisation responded on it — the policy's
//! "continuing to raise the same issue after it has been responded to". A response is an
//! outbound item on the topic (a reply from a Sent folder, an outbound call, a letter sent).
//!
//! For each customer and topic, contacts after the first response are repeats; the window
//! ending after each repeat's day is judged, and overlapping windows that fire are one
//! pattern, raised at the window with the most repeats. The evidence is the repeats and the
//! responses they followed.

use super::windows::{episodes, Calendar, Hit, Window};
use super::{count, Contact, Description, FlagFigures, PatternDraft};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind's name.
pub const KIND: &str = "repeat-topic";

/// What a `repeat-topic` flag counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Inbound contacts on the topic after a response, in the window.
    pub repeats: i64,
    /// The organisation's responses on the topic those followed (in the window, or the
    /// latest one before it).
    pub responses: i64,
    /// Window length in days.
    pub window_days: i64,
    /// The threshold.
    pub min_repeats: u32,
}

impl FlagFigures for Figures {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn describe(&self) -> Description {
        Description {
            title: "Topic raised again after a response",
            summary: format!(
                "One topic raised {} in {} days after {} on it",
                count(self.repeats, "more time", "more times"),
                self.window_days,
                count(self.responses, "response", "responses")
            ),
            figures: vec![
                (
                    "contacts on the topic after a response".into(),
                    self.repeats.to_string(),
                ),
                ("responses on the topic".into(), self.responses.to_string()),
                ("window (days)".into(), self.window_days.to_string()),
            ],
            threshold: format!(
                "one topic raised at least {} times after a response within {} days",
                self.min_repeats, self.window_days
            ),
            strength: self.repeats,
        }
    }

    fn threshold(&self) -> serde_json::Value {
        serde_json::json!({"min_repeats": self.min_repeats, "window_days": self.window_days})
    }
}

/// The rule's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Window length in days.
    pub window_days: u32,
    /// At least this many contacts on the topic after a response.
    pub min_repeats: u32,
}

/// The drafts for every pattern whose windows hold at least one new contact.
pub fn drafts(contacts: &[Contact], rule: Rule, calendar: &Calendar) -> Vec<PatternDraft> {
    let mut groups: BTreeMap<(i64, u64), Vec<&Contact>> = BTreeMap::new();
    for c in contacts {
        groups.entry((c.customer_id, c.topic)).or_default().push(c);
    }
    let mut hits = Vec::new();
    for ((customer_id, topic), mut items) in groups {
        items.sort_by_key(|c| (c.at, c.item_id));
        let Some(first_response) = items.iter().find(|c| !c.inbound).map(|c| c.at) else {
            continue;
        };
        let repeats: Vec<&Contact> = items
            .iter()
            .copied()
            .filter(|c| c.inbound && c.at > first_response)
            .collect();
        if !repeats.iter().any(|c| c.is_new) {
            continue;
        }
        let mut ends: Vec<i64> = repeats.iter().map(|c| calendar.day_end(c.at)).collect();
        ends.dedup();
        for end in ends {
            let window = calendar.window_ending(end, rule.window_days);
            let inside: Vec<&Contact> = repeats
                .iter()
                .copied()
                .filter(|c| window.contains(c.at))
                .collect();
            if inside.len() < rule.min_repeats as usize || !inside.iter().any(|c| c.is_new) {
                continue;
            }
            let last_repeat = inside.last().map_or(end, |c| c.at);
            let mut responses: Vec<i64> = items
                .iter()
                .filter(|c| !c.inbound && window.contains(c.at) && c.at < last_repeat)
                .map(|c| c.item_id)
                .collect();
            if responses.is_empty() {
                let before = items.iter().rfind(|c| !c.inbound && c.at < window.start);
                responses.extend(before.map(|c| c.item_id));
            }
            hits.push(Hit {
                customer_id,
                topic,
                window,
                strength: inside.len() as i64,
                data: (
                    inside.iter().map(|c| c.item_id).collect::<Vec<i64>>(),
                    responses,
                ),
            });
        }
    }
    let mut best: BTreeMap<(i64, Window), PatternDraft> = BTreeMap::new();
    for ep in episodes(hits) {
        let (repeats, responses) = ep.peak.data;
        let figures = Figures {
            repeats: repeats.len() as i64,
            responses: responses.len() as i64,
            window_days: i64::from(rule.window_days),
            min_repeats: rule.min_repeats,
        };
        let mut evidence = repeats;
        evidence.extend(responses);
        evidence.sort_unstable();
        let draft = PatternDraft::new(
            ep.peak.customer_id,
            ep.peak.window,
            ep.span,
            &figures,
            evidence,
        );
        let slot = best
            .entry((draft.customer_id, draft.window))
            .or_insert_with(|| draft.clone());
        if draft.strength > slot.strength {
            *slot = draft;
        }
    }
    best.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::testing::{inbound, outbound, utc};

    const RULE: Rule = Rule {
        window_days: 90,
        min_repeats: 3,
    };

    #[test]
    fn raised_again_three_times_after_a_reply_is_raised_with_the_reply_as_evidence() {
        let contacts = vec![
            inbound(1, 7, 100, 0, &[]),
            outbound(2, 7, 102, 0),
            inbound(3, 7, 103, 0, &[]),
            inbound(4, 7, 110, 0, &[]),
            inbound(5, 7, 120, 0, &[]),
        ];
        let d = drafts(&contacts, RULE, &utc());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].figures["repeats"], 3);
        assert_eq!(d[0].figures["responses"], 1);
        assert_eq!(d[0].evidence, vec![2, 3, 4, 5]);
    }

    #[test]
    fn contacts_before_any_response_are_not_repeats() {
        // Four contacts and no reply yet: that is silence from the organisation, shown as
        // counter-evidence, never a repeat.
        let contacts: Vec<Contact> = (0..4).map(|i| inbound(i, 7, 100 + i, 0, &[])).collect();
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn a_single_follow_up_after_a_reply_is_ordinary() {
        let contacts = vec![
            inbound(1, 7, 100, 0, &[]),
            outbound(2, 7, 101, 0),
            inbound(3, 7, 102, 0, &[]),
        ];
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn a_reply_on_another_topic_is_not_a_response() {
        let mut reply = outbound(2, 7, 101, 0);
        reply.topic = 5;
        let contacts = vec![
            inbound(1, 7, 100, 0, &[]),
            reply,
            inbound(3, 7, 102, 0, &[]),
            inbound(4, 7, 103, 0, &[]),
            inbound(5, 7, 104, 0, &[]),
        ];
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn describe_counts_repeats_and_responses() {
        let contacts = vec![
            outbound(2, 7, 102, 0),
            inbound(3, 7, 103, 0, &[]),
            inbound(4, 7, 104, 0, &[]),
            inbound(5, 7, 105, 0, &[]),
        ];
        let d = drafts(&contacts, RULE, &utc());
        let words = crate::flags::describe(KIND, &d[0].figures.to_string())
            .expect("the test input is valid");
        assert_eq!(
            words.summary,
            "One topic raised 3 more times in 90 days after 1 response on it"
        );
    }
}
