//! `contact-volume`: a customer's inbound contacts in a window reach an absolute threshold
//! *and* exceed a percentile of every customer who made contact in that same window — so
//! "disproportionate compared to other customers" is a number, and a busy week for everyone
//! raises nothing.
//!
//! Windows of each configured length slide a day at a time over the whole history (see
//! `windows`); a run of overlapping windows that fire is one pattern, raised at its strongest
//! window. When windows of several lengths fire over the same time, the shortest one is
//! raised: it shows the pattern most precisely, and a reviewer sees it once.

use super::population::{in_window, Population, Populations};
use super::windows::{episodes, Calendar, Episode, Hit};
use super::{count, short, Contact, Description, FlagFigures, PatternDraft};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The kind's name.
pub const KIND: &str = "contact-volume";

/// What a `contact-volume` flag counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Inbound contacts in the window.
    pub contacts: i64,
    /// Window length in days.
    pub window_days: i64,
    /// Those contacts by channel.
    pub by_channel: BTreeMap<String, i64>,
    /// Distinct staff members those contacts reached.
    pub distinct_staff: i64,
    /// Customers with contact in the same window.
    pub population: u64,
    /// The median of their counts.
    pub population_median: f64,
    /// The value of the configured percentile of their counts.
    pub population_percentile_value: f64,
    /// The absolute threshold for this window length.
    pub min_contacts: u32,
    /// The percentile the count had to exceed.
    pub percentile: f64,
}

impl FlagFigures for Figures {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn describe(&self) -> Description {
        let channels = self
            .by_channel
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        Description {
            title: "Contact volume",
            summary: format!(
                "{} in {} days, reaching {}; the median customer with contact in the same days made {}",
                count(self.contacts, "contact", "contacts"),
                self.window_days,
                count(self.distinct_staff, "staff member", "staff members"),
                short(self.population_median)
            ),
            figures: vec![
                ("contacts in window".into(), self.contacts.to_string()),
                ("window (days)".into(), self.window_days.to_string()),
                ("by channel".into(), channels),
                ("distinct staff reached".into(), self.distinct_staff.to_string()),
                ("customers in contact in the same days".into(), self.population.to_string()),
                ("contacts by the median customer".into(), short(self.population_median)),
                (
                    format!("contacts at the {} percentile of customers", ordinal(self.percentile)),
                    short(self.population_percentile_value),
                ),
            ],
            threshold: format!(
                "at least {} contacts in {} days and above the {} percentile of customers with contact in the window",
                self.min_contacts,
                self.window_days,
                ordinal(self.percentile)
            ),
            strength: self.contacts,
        }
    }

    fn threshold(&self) -> serde_json::Value {
        serde_json::json!({"min_contacts": self.min_contacts, "percentile": self.percentile, "window_days": self.window_days})
    }
}

/// "95th", "1st", "2nd", "3rd", "11th".
pub fn ordinal(p: f64) -> String {
    let n = p.round() as i64;
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The rule's settings: each window length with its absolute threshold, and the percentile.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// (window days, minimum contacts), shortest first or in any order.
    pub windows: Vec<(u32, u32)>,
    /// The population percentile (0–100) a count must exceed.
    pub percentile: f64,
}

/// The drafts for every pattern whose windows hold at least one new contact. `contacts`
/// may hold outbound and inbound items in any order (only inbound ones count) and may be
/// every customer's or only some customers': each customer's windows are judged against
/// `populations`, which count every customer (built with the rule's percentile). Windows are
/// whole days of `calendar`.
pub fn drafts(
    contacts: &[Contact],
    populations: &Populations,
    rule: &Rule,
    calendar: &Calendar,
) -> Vec<PatternDraft> {
    let mut by_customer: BTreeMap<i64, Vec<&Contact>> = BTreeMap::new();
    for c in contacts.iter().filter(|c| c.inbound) {
        by_customer.entry(c.customer_id).or_default().push(c);
    }
    let Some(span) = populations.span() else {
        return Vec::new();
    };
    let mut all: Vec<Episode<Population>> = Vec::new();
    for (&customer_id, items) in &mut by_customer {
        if !items.iter().any(|c| c.is_new) {
            continue;
        }
        items.sort_by_key(|c| (c.at, c.item_id));
        let days: Vec<i32> = items
            .iter()
            .map(|c| i32::try_from(calendar.day_number(c.at)).unwrap_or(i32::MAX))
            .collect();
        let fresh: Vec<bool> = items.iter().map(|c| c.is_new).collect();
        let customer = Customer {
            id: customer_id,
            days: &days,
            fresh: &fresh,
        };
        for &(length, min) in &rule.windows {
            all.extend(episodes(customer.hits(
                populations,
                span,
                (length, min),
                calendar,
            )));
        }
    }
    // The shortest window that shows a pattern is the one raised.
    all.sort_by_key(|e| (e.peak.customer_id, e.peak.window.days(), e.peak.window.end));
    let mut kept: Vec<Episode<Population>> = Vec::new();
    for ep in all {
        let shadowed = kept.iter().any(|k| {
            k.peak.customer_id == ep.peak.customer_id
                && k.peak.window.days() < ep.peak.window.days()
                && k.span.overlaps(&ep.span)
        });
        if !shadowed {
            kept.push(ep);
        }
    }
    kept.into_iter()
        .map(|ep| {
            let window = ep.peak.window;
            let items: Vec<&Contact> = by_customer[&ep.peak.customer_id]
                .iter()
                .copied()
                .filter(|c| window.contains(c.at))
                .collect();
            let mut by_channel = BTreeMap::new();
            let mut staff = HashSet::new();
            for c in &items {
                *by_channel.entry(c.channel.to_string()).or_insert(0) += 1;
                staff.extend(c.staff.iter().copied());
            }
            let min_contacts = rule
                .windows
                .iter()
                .find(|(d, _)| i64::from(*d) == window.days())
                .map_or(0, |(_, m)| *m);
            let figures = Figures {
                contacts: items.len() as i64,
                window_days: window.days(),
                by_channel,
                distinct_staff: staff.len() as i64,
                population: ep.peak.data.size,
                population_median: round2(ep.peak.data.median),
                population_percentile_value: round2(ep.peak.data.percentile_value),
                min_contacts,
                percentile: rule.percentile,
            };
            PatternDraft::new(
                ep.peak.customer_id,
                window,
                ep.span,
                &figures,
                items.iter().map(|c| c.item_id).collect(),
            )
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One customer's inbound contacts in time order, as local day numbers.
struct Customer<'a> {
    id: i64,
    days: &'a [i32],
    /// `fresh[i]`: contact i was stored after the last pass.
    fresh: &'a [bool],
}

impl Customer<'_> {
    /// The windows of `length` days (ending on a day of the history `span`) that hold a new
    /// contact, at least `min` contacts, and more than the populations' percentile of every
    /// customer in contact in the same days. Days where the count cannot fire are skipped.
    fn hits(
        &self,
        populations: &Populations,
        span: (i64, i64),
        (length, min): (u32, u32),
        calendar: &Calendar,
    ) -> Vec<Hit<Population>> {
        let (days, min, len) = (self.days, min as usize, i64::from(length));
        let mut hits = Vec::new();
        if days.len() < min.max(1) {
            return hits;
        }
        let fresh_days: Vec<i32> = days
            .iter()
            .zip(self.fresh)
            .filter(|(_, f)| **f)
            .map(|(d, _)| *d)
            .collect();
        let (Some(&first_fresh), Some(&last_fresh)) = (fresh_days.first(), fresh_days.last())
        else {
            return hits;
        };
        let mut day = i64::from(first_fresh).max(span.0);
        let stop = (i64::from(last_fresh) + len - 1).min(span.1);
        while day <= stop {
            let upto = days.partition_point(|&d| i64::from(d) <= day);
            let count = in_window(days, day, len);
            if count < min {
                // The count only grows when the next contact enters.
                match days.get(upto) {
                    Some(&next) => day = (day + 1).max(i64::from(next)),
                    None => break,
                }
                continue;
            }
            if in_window(&fresh_days, day, len) == 0 {
                match fresh_days.get(fresh_days.partition_point(|&d| i64::from(d) <= day)) {
                    Some(&next) => day = i64::from(next),
                    None => break,
                }
                continue;
            }
            if let Some(population) = populations.at(length, day) {
                if count as f64 > population.percentile_value {
                    hits.push(Hit {
                        customer_id: self.id,
                        topic: 0,
                        window: calendar.window_ending(calendar.midnight(day + 1), length),
                        strength: count as i64,
                        data: population,
                    });
                }
            }
            day += 1;
        }
        hits
    }
}

#[cfg(test)]
#[path = "contact_volume_tests.rs"]
mod tests;
