//! `contact-volume`: a customer's inbound contacts in a window reach an absolute threshold
//! *and* exceed a percentile of every customer who made contact in that same window — so
//! "disproportionate compared to other customers" is a number, and a busy week for everyone
//! raises nothing.
//!
//! Windows of each configured length slide a day at a time over the whole history (see
//! `windows`); a run of overlapping windows that fire is one pattern, raised at its strongest
//! window. When windows of several lengths fire over the same time, the shortest one is
//! raised: it shows the pattern most precisely, and a reviewer sees it once.

use super::windows::{episodes, Calendar, Episode, Histogram, Hit};
use super::{count, short, Contact, Description, FlagFigures, PatternDraft};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// Population figures of one window position.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Population {
    size: u64,
    median: f64,
    percentile_value: f64,
}

/// The drafts for every pattern whose windows hold at least one new contact. `contacts`
/// may hold outbound and inbound items in any order; only inbound ones count. Windows are
/// whole days of `calendar`.
pub fn drafts(contacts: &[Contact], rule: &Rule, calendar: &Calendar) -> Vec<PatternDraft> {
    let mut inbound: Vec<&Contact> = contacts.iter().filter(|c| c.inbound).collect();
    if inbound.is_empty() {
        return Vec::new();
    }
    inbound.sort_by_key(|c| (c.at, c.item_id));
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut ids: Vec<i64> = Vec::new();
    let dense: Vec<usize> = inbound
        .iter()
        .map(|c| {
            *index.entry(c.customer_id).or_insert_with(|| {
                ids.push(c.customer_id);
                ids.len() - 1
            })
        })
        .collect();
    let mut all: Vec<Episode<Population>> = Vec::new();
    for &(days, min) in &rule.windows {
        let population = Sweep {
            events: &inbound,
            dense: &dense,
            ids: &ids,
        };
        all.extend(episodes(population.hits(
            calendar,
            days,
            min,
            rule.percentile,
        )));
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
    let mut by_customer: HashMap<i64, Vec<&Contact>> = HashMap::new();
    for c in &inbound {
        by_customer.entry(c.customer_id).or_default().push(c);
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

/// The inbound contacts a window slides over.
struct Sweep<'a> {
    /// Inbound contacts in time order.
    events: &'a [&'a Contact],
    /// `dense[i]` is event i's customer index.
    dense: &'a [usize],
    /// `ids[index]` is that customer's id.
    ids: &'a [i64],
}

impl Sweep<'_> {
    /// Slides windows of `days` local days over the events one day at a time, and returns
    /// the windows that fire and hold a new contact of that customer.
    fn hits(
        &self,
        calendar: &Calendar,
        days: u32,
        min: u32,
        percentile: f64,
    ) -> Vec<Hit<Population>> {
        let Sweep { events, dense, ids } = *self;
        let mut counts = vec![0usize; ids.len()];
        let mut fresh = vec![0usize; ids.len()];
        let mut above: HashSet<usize> = HashSet::new();
        let mut histogram = Histogram::default();
        let mut fresh_in_window = 0usize;
        let (mut added, mut removed) = (0usize, 0usize);
        let min = min as usize;
        let mut hits = Vec::new();
        let first = calendar.day_end(events[0].at);
        let last = calendar.day_end(events[events.len() - 1].at);
        let mut end = first;
        while end <= last {
            let window = calendar.window_ending(end, days);
            while added < events.len() && events[added].at < end {
                let c = dense[added];
                histogram.moved(counts[c], counts[c] + 1);
                counts[c] += 1;
                if counts[c] == min {
                    above.insert(c);
                }
                if events[added].is_new {
                    fresh[c] += 1;
                    fresh_in_window += 1;
                }
                added += 1;
            }
            while removed < added && events[removed].at < window.start {
                let c = dense[removed];
                histogram.moved(counts[c], counts[c] - 1);
                if counts[c] == min {
                    above.remove(&c);
                }
                counts[c] -= 1;
                if events[removed].is_new {
                    fresh[c] -= 1;
                    fresh_in_window -= 1;
                }
                removed += 1;
            }
            if fresh_in_window > 0 && !above.is_empty() {
                let value = histogram.percentile(percentile).unwrap_or(f64::MAX);
                let population = Population {
                    size: histogram.population(),
                    median: histogram.percentile(50.0).unwrap_or(0.0),
                    percentile_value: value,
                };
                for &c in &above {
                    if fresh[c] > 0 && counts[c] as f64 > value {
                        hits.push(Hit {
                            customer_id: ids[c],
                            topic: 0,
                            window,
                            strength: counts[c] as i64,
                            data: population,
                        });
                    }
                }
            }
            end = calendar.day_end(end);
        }
        hits
    }
}

#[cfg(test)]
#[path = "contact_volume_tests.rs"]
mod tests;
