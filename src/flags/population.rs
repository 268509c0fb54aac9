//! The population every `contact-volume` window is compared with: for each window length and
//! each local day a window can end on, how many customers made each number of inbound
//! contacts in it ("compared to that of other customers" as a number).
//!
//! Built once from the whole history, then kept up to date contact by contact, so a pass
//! over a few new items re-judges only their customers' windows against figures that are
//! exactly what a pass over the whole history would compute: the windows a new contact lies
//! in move that customer's count from one bar of the histogram to the next, and a new day at
//! either end of the history gets its histograms counted from every customer's days. Holds
//! the local day numbers of every inbound contact (4 bytes each) and, per window length, one
//! histogram per day of the history. Pure.

use super::windows::{Calendar, Histogram};
use super::Contact;
use std::collections::HashMap;

/// New days at the ends of the history beyond this are counted by building again, which is
/// cheaper than counting every customer's days for each new day.
const EXTEND_DAYS: i64 = 31;

/// The figures of the customers in contact in one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Population {
    /// Customers with at least one inbound contact in the window.
    pub size: u64,
    /// The median of their counts.
    pub median: f64,
    /// The value of the asked-for percentile of their counts.
    pub percentile_value: f64,
}

/// Every window's population, for the window lengths of the rule.
#[derive(Clone, Debug, Default)]
pub struct Populations {
    /// Window lengths in days.
    lengths: Vec<u32>,
    /// The percentile (0–100) every window's figures give.
    percentile: f64,
    /// Local day numbers of each customer's inbound contacts, ascending.
    days: HashMap<i64, Vec<i32>>,
    /// The first and last local day with an inbound contact: windows end on these days and
    /// those between, as a sweep over the history does.
    span: Option<(i64, i64)>,
    /// Per length (in `lengths` order): the histogram of the window whose last day is
    /// `span.0 + i`, at `i`.
    histograms: Vec<Vec<Histogram>>,
    /// The figures of each histogram, kept beside it (a rule asks for them on every day of
    /// every customer it judges).
    figures: Vec<Vec<Population>>,
}

impl Populations {
    /// The populations of the inbound `contacts`, for windows of `lengths` days of
    /// `calendar`, with the `percentile` (0–100) of their counts. No lengths, nothing kept.
    pub fn of(contacts: &[Contact], lengths: &[u32], percentile: f64, calendar: &Calendar) -> Self {
        if lengths.is_empty() {
            return Self::default();
        }
        let mut days: HashMap<i64, Vec<i32>> = HashMap::new();
        for c in contacts.iter().filter(|c| c.inbound) {
            days.entry(c.customer_id)
                .or_default()
                .push(day32(calendar.day_number(c.at)));
        }
        for list in days.values_mut() {
            list.sort_unstable();
        }
        let mut out = Self {
            lengths: lengths.to_vec(),
            percentile,
            days,
            ..Self::default()
        };
        out.build();
        out
    }

    /// The first and last local day with an inbound contact.
    pub fn span(&self) -> Option<(i64, i64)> {
        self.span
    }

    /// Takes in new inbound contacts: `(customer, local day number)`.
    pub fn add(&mut self, new: &[(i64, i64)]) {
        if self.lengths.is_empty() || new.is_empty() {
            return;
        }
        let mut by_customer: HashMap<i64, Vec<i32>> = HashMap::new();
        for &(customer, day) in new {
            by_customer.entry(customer).or_default().push(day32(day));
        }
        for (customer, fresh) in &mut by_customer {
            fresh.sort_unstable();
            let list = self.days.entry(*customer).or_default();
            list.extend_from_slice(fresh);
            list.sort_unstable();
        }
        let (lo, hi) = new.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &(_, d)| {
            (lo.min(d), hi.max(d))
        });
        let Some((first, last)) = self.span else {
            self.build();
            return;
        };
        let (new_first, new_last) = (first.min(lo), last.max(hi));
        if (first - new_first) + (new_last - last) > EXTEND_DAYS {
            self.build();
            return;
        }
        for (customer, fresh) in &by_customer {
            let all = &self.days[customer];
            for (li, &length) in self.lengths.iter().enumerate() {
                let length = i64::from(length);
                let from = first.max(i64::from(fresh[0]));
                let to = last.min(i64::from(fresh[fresh.len() - 1]) + length - 1);
                for day in from..=to {
                    let after = in_window(all, day, length);
                    let before = after - in_window(fresh, day, length);
                    if before != after {
                        let i = (day - first) as usize;
                        self.histograms[li][i].moved(before, after);
                        self.figures[li][i] = figures(&self.histograms[li][i], self.percentile);
                    }
                }
            }
        }
        for li in 0..self.lengths.len() {
            let earlier: Vec<Histogram> = (new_first..first)
                .map(|day| self.counted(li, day))
                .collect();
            let later: Vec<Histogram> = (last + 1..=new_last)
                .map(|day| self.counted(li, day))
                .collect();
            let figured = |h: &[Histogram]| -> Vec<Population> {
                h.iter().map(|h| figures(h, self.percentile)).collect()
            };
            let (before, after) = (figured(&earlier), figured(&later));
            let kept = std::mem::take(&mut self.histograms[li]);
            self.histograms[li] = earlier.into_iter().chain(kept).chain(later).collect();
            let kept = std::mem::take(&mut self.figures[li]);
            self.figures[li] = before.into_iter().chain(kept).chain(after).collect();
        }
        self.span = Some((new_first, new_last));
    }

    /// The population of the window of `length` days whose last local day is `last_day`;
    /// `None` outside the history.
    pub fn at(&self, length: u32, last_day: i64) -> Option<Population> {
        let li = self.lengths.iter().position(|&l| l == length)?;
        let (first, last) = self.span?;
        if last_day < first || last_day > last {
            return None;
        }
        Some(self.figures[li][(last_day - first) as usize])
    }

    /// Counts every window from the days: one sweep per length over the contacts in day
    /// order, each contact entering a window on its day and leaving it `length` days later.
    fn build(&mut self) {
        let mut events: Vec<(i32, u32)> =
            Vec::with_capacity(self.days.values().map(Vec::len).sum());
        for (dense, list) in self.days.values().enumerate() {
            events.extend(list.iter().map(|&d| (d, dense as u32)));
        }
        events.sort_unstable();
        self.span = match (events.first(), events.last()) {
            (Some(a), Some(b)) => Some((i64::from(a.0), i64::from(b.0))),
            _ => None,
        };
        let Some((first, last)) = self.span else {
            self.histograms = vec![Vec::new(); self.lengths.len()];
            self.figures = vec![Vec::new(); self.lengths.len()];
            return;
        };
        self.histograms = self
            .lengths
            .iter()
            .map(|&length| {
                let mut counts = vec![0usize; self.days.len()];
                let mut histogram = Histogram::default();
                let (mut entered, mut left) = (0usize, 0usize);
                (first..=last)
                    .map(|day| {
                        while entered < events.len() && i64::from(events[entered].0) <= day {
                            let c = events[entered].1 as usize;
                            histogram.moved(counts[c], counts[c] + 1);
                            counts[c] += 1;
                            entered += 1;
                        }
                        while left < entered && i64::from(events[left].0) <= day - i64::from(length)
                        {
                            let c = events[left].1 as usize;
                            histogram.moved(counts[c], counts[c] - 1);
                            counts[c] -= 1;
                            left += 1;
                        }
                        histogram.clone()
                    })
                    .collect()
            })
            .collect();
        self.figures = self
            .histograms
            .iter()
            .map(|days| days.iter().map(|h| figures(h, self.percentile)).collect())
            .collect();
    }

    /// The histogram of one window, counted from every customer's days.
    fn counted(&self, li: usize, last_day: i64) -> Histogram {
        let length = i64::from(self.lengths[li]);
        let mut h = Histogram::default();
        for list in self.days.values() {
            let n = in_window(list, last_day, length);
            if n > 0 {
                h.moved(0, n);
            }
        }
        h
    }
}

/// The figures of one window's histogram.
fn figures(h: &Histogram, percentile: f64) -> Population {
    Population {
        size: h.population(),
        median: h.percentile(50.0).unwrap_or(0.0),
        percentile_value: h.percentile(percentile).unwrap_or(f64::MAX),
    }
}

/// How many of the ascending `days` fall in the window of `length` days ending on `last_day`.
pub fn in_window(days: &[i32], last_day: i64, length: i64) -> usize {
    let upto = days.partition_point(|&d| i64::from(d) <= last_day);
    let before = days.partition_point(|&d| i64::from(d) <= last_day - length);
    upto - before
}

/// A local day number as stored: days since 1970 fit an `i32` until the year 5.8 million.
fn day32(day: i64) -> i32 {
    i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::testing::{inbound, utc};

    /// Contacts of customers 1..=n on scattered days, deterministic.
    fn history(n: i64, per: i64, seed: u64) -> Vec<Contact> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as i64
        };
        let mut out = Vec::new();
        let mut id = 0;
        for customer in 1..=n {
            for _ in 0..(1 + next() % per) {
                id += 1;
                out.push(inbound(id, customer, 100 + next() % 200, next() % 24, &[]));
            }
        }
        out
    }

    fn same(a: &Populations, b: &Populations, lengths: &[u32]) {
        assert_eq!(a.span(), b.span());
        let (first, last) = a.span().expect("the histories are not empty");
        for &length in lengths {
            for day in first - 2..=last + 2 {
                assert_eq!(a.at(length, day), b.at(length, day), "{length} {day}");
            }
        }
    }

    #[test]
    fn taking_in_new_contacts_gives_the_figures_of_counting_everything_again() {
        let cal = utc();
        let lengths = [7, 30, 90];
        let all = history(60, 12, 7);
        // New contacts inside the history, and on days before and after it.
        let (old, mut new): (Vec<Contact>, Vec<Contact>) =
            all.iter().cloned().partition(|c| c.item_id % 5 != 0);
        let mut kept = Populations::of(&old, &lengths, 95.0, &cal);
        let (first, last) = kept.span().expect("the history is not empty");
        new.push(inbound(10_000, 3, first - 3, 1, &[]));
        new.push(inbound(10_001, 61, last + 2, 1, &[]));
        let pairs: Vec<(i64, i64)> = new
            .iter()
            .map(|c| (c.customer_id, cal.day_number(c.at)))
            .collect();
        kept.add(&pairs);
        let everything: Vec<Contact> = old.into_iter().chain(new).collect();
        same(
            &kept,
            &Populations::of(&everything, &lengths, 95.0, &cal),
            &lengths,
        );
    }

    #[test]
    fn a_new_day_far_from_the_history_builds_again_with_the_same_figures() {
        let cal = utc();
        let lengths = [7];
        let old = history(20, 5, 3);
        let mut kept = Populations::of(&old, &lengths, 95.0, &cal);
        kept.add(&[(4, 900)]);
        let mut everything = old;
        everything.push(inbound(50_000, 4, 900, 0, &[]));
        same(
            &kept,
            &Populations::of(&everything, &lengths, 95.0, &cal),
            &lengths,
        );
    }

    #[test]
    fn a_window_counts_the_customers_with_contact_in_it() {
        let cal = utc();
        let contacts = vec![
            inbound(1, 1, 10, 0, &[]),
            inbound(2, 1, 11, 0, &[]),
            inbound(3, 2, 11, 0, &[]),
            inbound(4, 3, 30, 0, &[]),
        ];
        let p = Populations::of(&contacts, &[7], 50.0, &cal);
        let day11 = p.at(7, 11).expect("day 11 is in the history");
        assert_eq!((day11.size, day11.median), (2, 1.5));
        assert_eq!(p.at(7, 30).map(|x| x.size), Some(1));
        assert_eq!(p.at(7, 9), None, "before the first contact");
        assert_eq!(p.at(30, 11), None, "not a configured length");
    }
}
