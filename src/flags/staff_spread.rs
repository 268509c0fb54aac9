//! `staff-spread`: one topic raised with several different staff members within a window —
//! the policy's "the same issue raised with a number of different staff". Shared mailboxes
//! and role addresses are places, not staff members, and never count.
//!
//! For each customer and topic, the window of the configured length ending after each
//! contact's day is judged; overlapping windows that fire are one pattern, raised at the
//! window reaching the most staff.

use super::windows::{episodes, Calendar, Hit, Window};
use super::{count, Contact, Description, FlagFigures, PatternDraft};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The kind's name.
pub const KIND: &str = "staff-spread";

/// What a `staff-spread` flag counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Distinct staff members reached about the topic in the window.
    pub distinct_staff: i64,
    /// Inbound contacts about the topic in the window.
    pub contacts: i64,
    /// Window length in days.
    pub window_days: i64,
    /// The threshold.
    pub min_staff: u32,
}

impl FlagFigures for Figures {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn describe(&self) -> Description {
        Description {
            title: "One topic raised with several staff",
            summary: format!(
                "One topic raised with {} in {} days, in {}",
                count(
                    self.distinct_staff,
                    "staff member",
                    "different staff members"
                ),
                self.window_days,
                count(self.contacts, "contact", "contacts")
            ),
            figures: vec![
                (
                    "distinct staff reached about the topic".into(),
                    self.distinct_staff.to_string(),
                ),
                ("contacts about the topic".into(), self.contacts.to_string()),
                ("window (days)".into(), self.window_days.to_string()),
            ],
            threshold: format!(
                "one topic raised with at least {} different staff members within {} days",
                self.min_staff, self.window_days
            ),
            strength: self.distinct_staff,
        }
    }

    fn threshold(&self) -> serde_json::Value {
        serde_json::json!({"min_staff": self.min_staff, "window_days": self.window_days})
    }
}

/// The rule's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Window length in days.
    pub window_days: u32,
    /// At least this many distinct staff members about one topic.
    pub min_staff: u32,
}

/// The drafts for every pattern whose windows hold at least one new contact.
pub fn drafts(contacts: &[Contact], rule: Rule, calendar: &Calendar) -> Vec<PatternDraft> {
    let mut groups: BTreeMap<(i64, u64), Vec<&Contact>> = BTreeMap::new();
    for c in contacts.iter().filter(|c| c.inbound) {
        groups.entry((c.customer_id, c.topic)).or_default().push(c);
    }
    let mut hits = Vec::new();
    for ((customer_id, topic), mut items) in groups {
        items.sort_by_key(|c| (c.at, c.item_id));
        if !items.iter().any(|c| c.is_new) {
            continue;
        }
        let mut ends: Vec<i64> = items.iter().map(|c| calendar.day_end(c.at)).collect();
        ends.dedup();
        for end in ends {
            let window = calendar.window_ending(end, rule.window_days);
            let inside: Vec<&Contact> = items
                .iter()
                .copied()
                .filter(|c| window.contains(c.at))
                .collect();
            if !inside.iter().any(|c| c.is_new) {
                continue;
            }
            let staff: HashSet<i64> = inside
                .iter()
                .flat_map(|c| c.staff.iter().copied())
                .collect();
            if staff.len() >= rule.min_staff as usize {
                hits.push(Hit {
                    customer_id,
                    topic,
                    window,
                    strength: staff.len() as i64,
                    data: inside.iter().map(|c| c.item_id).collect::<Vec<i64>>(),
                });
            }
        }
    }
    // Two topics of one customer peaking in the same window are one flag (the database
    // keeps one open flag per customer, kind and window): the one reaching more staff.
    let mut best: HashMap<(i64, Window), PatternDraft> = HashMap::new();
    for ep in episodes(hits) {
        let figures = Figures {
            distinct_staff: ep.peak.strength,
            contacts: ep.peak.data.len() as i64,
            window_days: i64::from(rule.window_days),
            min_staff: rule.min_staff,
        };
        let draft = PatternDraft::new(
            ep.peak.customer_id,
            ep.peak.window,
            ep.span,
            &figures,
            ep.peak.data,
        );
        let slot = best
            .entry((draft.customer_id, draft.window))
            .or_insert_with(|| draft.clone());
        if draft.strength > slot.strength {
            *slot = draft;
        }
    }
    let mut out: Vec<PatternDraft> = best.into_values().collect();
    out.sort_by_key(|d| (d.customer_id, d.window));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::testing::{inbound, utc};
    use crate::flags::windows::DAY;

    const RULE: Rule = Rule {
        window_days: 30,
        min_staff: 3,
    };

    #[test]
    fn one_topic_raised_with_three_staff_in_a_month_is_raised() {
        let contacts = vec![
            inbound(1, 7, 100, 0, &[11]),
            inbound(2, 7, 110, 0, &[12]),
            inbound(3, 7, 120, 0, &[13]),
        ];
        let d = drafts(&contacts, RULE, &utc());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].kind, KIND);
        assert_eq!(d[0].figures["distinct_staff"], 3);
        assert_eq!(d[0].evidence, vec![1, 2, 3]);
        assert_eq!(d[0].window, utc().window_ending(121 * DAY, 30));
    }

    #[test]
    fn the_same_staff_member_again_is_not_spread() {
        let contacts: Vec<Contact> = (0..6).map(|i| inbound(i, 7, 100 + i, 0, &[11])).collect();
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn different_topics_are_not_one_topic() {
        let mut contacts = vec![
            inbound(1, 7, 100, 0, &[11]),
            inbound(2, 7, 101, 0, &[12]),
            inbound(3, 7, 102, 0, &[13]),
        ];
        contacts[2].topic = 99;
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn staff_reached_months_apart_are_not_within_the_window() {
        let contacts = vec![
            inbound(1, 7, 100, 0, &[11]),
            inbound(2, 7, 150, 0, &[12]),
            inbound(3, 7, 200, 0, &[13]),
        ];
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn shared_mailboxes_are_not_staff() {
        // Items to a shared mailbox reach no staff member.
        let contacts = vec![
            inbound(1, 7, 100, 0, &[]),
            inbound(2, 7, 101, 0, &[]),
            inbound(3, 7, 102, 0, &[11]),
            inbound(4, 7, 103, 0, &[12]),
        ];
        assert!(drafts(&contacts, RULE, &utc()).is_empty());
    }

    #[test]
    fn describe_says_how_many_staff() {
        let contacts = vec![
            inbound(1, 7, 100, 0, &[11]),
            inbound(2, 7, 101, 0, &[12, 13]),
        ];
        let d = drafts(&contacts, RULE, &utc());
        let words = crate::flags::describe(KIND, &d[0].figures.to_string())
            .expect("the test input is valid");
        assert_eq!(
            words.summary,
            "One topic raised with 3 different staff members in 30 days, in 2 contacts"
        );
    }
}
