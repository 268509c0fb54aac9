//! Sliding windows over the whole stored history. A window is a whole number of the
//! organisation's local calendar days (`[organisation] timezone`, see [`Calendar`]) and ends at
//! a local midnight, so the same items give the same windows (and the same judgements)
//! whether they were imported in one go a year later or lived through day by day, and a
//! window shown as "3–30 Nov" holds exactly the contacts of those days as staff count them.
//! Pure.

use chrono::{Duration, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Seconds in a day of 24 hours (a local day is 23 or 25 hours when the clocks change).
pub const DAY: i64 = 86_400;

/// `NaiveDate::num_days_from_ce` of 1 January 1970: local day numbers count from it.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// The organisation's calendar days: local midnights in its time zone, so windows and the
/// digest's chart bars are the days people see on their calendars, across clock changes.
/// Answers from a table for the instants it was built to cover and computes others.
#[derive(Clone, Debug)]
pub struct Calendar {
    tz: Tz,
    /// Local day number (days since 1 Jan 1970 in the zone) of `midnights[0]`.
    first_day: i64,
    /// The first second of each local day from `first_day` on.
    midnights: Vec<i64>,
}

impl Calendar {
    /// The calendar of `tz`, without a table.
    pub fn new(tz: Tz) -> Self {
        Self {
            tz,
            first_day: 0,
            midnights: Vec::new(),
        }
    }

    /// The calendar of `tz` with a table for the days from `days_back` days before `from`
    /// to the day after `to`: what the pattern rules ask about a history.
    pub fn covering(tz: Tz, from: i64, to: i64, days_back: u32) -> Self {
        Self::new(tz).covering_also(from, to, days_back)
    }

    /// This calendar with its table grown, when it must be, to hold every day
    /// [`Calendar::covering`] would for `from`, `to` and `days_back`: the answers are the
    /// same, and a daemon's later passes compute no day twice.
    pub fn covering_also(self, from: i64, to: i64, days_back: u32) -> Self {
        let plain = Self::new(self.tz);
        let mut first = plain.day_number(from.min(to)) - i64::from(days_back) - 1;
        let mut last = plain.day_number(from.max(to)) + 2;
        if !self.midnights.is_empty() {
            let held_last = self.first_day + self.midnights.len() as i64 - 1;
            if first >= self.first_day && last <= held_last {
                return self;
            }
            first = first.min(self.first_day);
            last = last.max(held_last);
        }
        Self {
            tz: self.tz,
            first_day: first,
            midnights: (first..=last).map(|d| plain.compute_midnight(d)).collect(),
        }
    }

    /// The time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The local day holding `t`, as days since 1 January 1970.
    pub fn day_number(&self, t: i64) -> i64 {
        if let Some(i) = self.table_index(t) {
            return self.first_day + i as i64;
        }
        let at = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
        let offset = self
            .tz
            .offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc();
        (t + i64::from(offset)).div_euclid(DAY)
    }

    /// The local date holding `t`.
    pub fn date(&self, t: i64) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt((self.day_number(t) + EPOCH_DAYS_FROM_CE) as i32)
            .unwrap_or_default()
    }

    /// The first second of local day number `day`.
    pub fn midnight(&self, day: i64) -> i64 {
        usize::try_from(day - self.first_day)
            .ok()
            .and_then(|i| self.midnights.get(i).copied())
            .unwrap_or_else(|| self.compute_midnight(day))
    }

    /// The end of the local day holding `t`: the end of the first window that contains `t`.
    pub fn day_end(&self, t: i64) -> i64 {
        self.midnight(self.day_number(t) + 1)
    }

    /// The window of `days` local days that ends at the local midnight `end`.
    pub fn window_ending(&self, end: i64, days: u32) -> Window {
        Window {
            start: self.midnight(self.day_number(end) - i64::from(days)),
            end,
        }
    }

    /// Local days from `start` up to `end` (both local midnights, or `end` within a day,
    /// which then counts whole).
    pub fn days_between(&self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        self.day_number(end - 1) - self.day_number(start) + 1
    }

    /// How many of `times` (Unix seconds) fall on each local day from `start` up to `end`,
    /// oldest first: the bars of a contact chart.
    pub fn per_day(&self, times: &[i64], start: i64, end: i64) -> Vec<u32> {
        let days = usize::try_from(self.days_between(start, end)).unwrap_or(0);
        let first = self.day_number(start);
        let mut counts = vec![0u32; days];
        for &t in times.iter().filter(|&&t| t >= start && t < end) {
            if let Some(c) = usize::try_from(self.day_number(t) - first)
                .ok()
                .and_then(|day| counts.get_mut(day))
            {
                *c += 1;
            }
        }
        counts
    }

    /// `i` with `midnights[i] <= t < midnights[i + 1]`, when the table covers `t`.
    fn table_index(&self, t: i64) -> Option<usize> {
        let (first, last) = (*self.midnights.first()?, *self.midnights.last()?);
        (t >= first && t < last).then(|| self.midnights.partition_point(|&m| m <= t) - 1)
    }

    fn compute_midnight(&self, day: i64) -> i64 {
        let Some(date) = i32::try_from(day + EPOCH_DAYS_FROM_CE)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
        else {
            return day * DAY;
        };
        let start = date.and_time(chrono::NaiveTime::MIN);
        // A few zones move their clocks at midnight: that day starts at the first local
        // time that exists, and after a repeated hour at the earlier of the two.
        (0..=16)
            .find_map(|quarter| {
                self.tz
                    .from_local_datetime(&(start + Duration::minutes(15 * quarter)))
                    .earliest()
            })
            .map_or(day * DAY, |t| t.timestamp())
    }
}

/// A span of time, `[start, end)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Window {
    /// First second inside the window.
    pub start: i64,
    /// First second after the window.
    pub end: i64,
}

impl Window {
    /// Whether `t` falls inside.
    pub fn contains(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }

    /// Whether the two spans share at least one second.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Length in days, to the nearest whole day (a window across a clock change is an hour
    /// shorter or longer than its days of 24 hours).
    pub fn days(&self) -> i64 {
        (self.end - self.start + DAY / 2).div_euclid(DAY)
    }
}

/// One window that fired for a customer (and, for topic rules, a topic).
#[derive(Clone, Debug, PartialEq)]
pub struct Hit<T> {
    /// Internal customer id.
    pub customer_id: i64,
    /// The topic, or 0 for rules that do not group by topic.
    pub topic: u64,
    /// The window.
    pub window: Window,
    /// The figure the rule compares windows by (the peak is the strongest window).
    pub strength: i64,
    /// The rule's own figures for this window.
    pub data: T,
}

/// A run of overlapping fired windows of one length for one customer and topic: one
/// pattern, shown once, at its strongest window (the earliest of equals).
#[derive(Clone, Debug, PartialEq)]
pub struct Episode<T> {
    /// The strongest window of the run.
    pub peak: Hit<T>,
    /// From the start of the first window to the end of the last.
    pub span: Window,
}

/// Groups hits into episodes: per customer, topic and window length, windows that overlap
/// the run so far join it.
pub fn episodes<T>(hits: Vec<Hit<T>>) -> Vec<Episode<T>> {
    let mut groups: HashMap<(i64, u64, i64), Vec<Hit<T>>> = HashMap::new();
    for hit in hits {
        groups
            .entry((hit.customer_id, hit.topic, hit.window.days()))
            .or_default()
            .push(hit);
    }
    let mut keys: Vec<_> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    for key in keys {
        let mut hits = groups.remove(&key).unwrap_or_default();
        hits.sort_by_key(|h| h.window.end);
        let mut current: Option<Episode<T>> = None;
        for hit in hits {
            match current.as_mut() {
                Some(ep) if hit.window.start < ep.span.end => {
                    ep.span.end = ep.span.end.max(hit.window.end);
                    if hit.strength > ep.peak.strength {
                        ep.peak = hit;
                    }
                }
                _ => {
                    if let Some(done) = current.take() {
                        out.push(done);
                    }
                    current = Some(Episode {
                        span: hit.window,
                        peak: hit,
                    });
                }
            }
        }
        out.extend(current);
    }
    out
}

/// How many customers made each number of contacts in one window: the population the
/// percentile is taken over (customers with at least one contact).
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    /// `counts[k]` customers made `k` contacts; `counts[0]` is unused.
    counts: Vec<u64>,
    /// Customers with at least one contact.
    population: u64,
}

impl Histogram {
    /// A customer's count went from `from` to `to`.
    pub fn moved(&mut self, from: usize, to: usize) {
        if from > 0 {
            self.counts[from] -= 1;
            self.population -= 1;
        }
        if to > 0 {
            if self.counts.len() <= to {
                self.counts.resize(to + 1, 0);
            }
            self.counts[to] += 1;
            self.population += 1;
        }
    }

    /// Customers with at least one contact.
    pub fn population(&self) -> u64 {
        self.population
    }

    /// The `p`-th percentile (0–100) of the counts, by linear interpolation between closest
    /// ranks, as [`crate::pipeline::count::percentile`] computes it over the same values.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.population == 0 {
            return None;
        }
        let rank = p.clamp(0.0, 100.0) / 100.0 * (self.population - 1) as f64;
        let (lower, upper) = (rank.floor() as u64, rank.ceil() as u64);
        let (lo, hi) = (self.value_at(lower), self.value_at(upper));
        Some(lo + (hi - lo) * (rank - lower as f64))
    }

    /// The count at 0-based rank `rank` in ascending order.
    fn value_at(&self, rank: u64) -> f64 {
        let mut seen = 0;
        for (k, n) in self.counts.iter().enumerate().skip(1) {
            seen += n;
            if seen > rank {
                return k as f64;
            }
        }
        (self.counts.len().saturating_sub(1)) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::count::percentile;

    fn utc_at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        chrono::Utc
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid test time")
            .timestamp()
    }

    #[test]
    fn utc_windows_end_on_utc_midnights() {
        let utc = Calendar::new(Tz::UTC);
        assert_eq!(utc.day_end(0), DAY);
        assert_eq!(utc.day_end(DAY - 1), DAY);
        assert_eq!(utc.day_end(DAY), 2 * DAY);
        assert_eq!(utc.day_end(-1), 0);
        let w = utc.window_ending(10 * DAY, 7);
        assert_eq!((w.start, w.days()), (3 * DAY, 7));
        assert!(w.contains(3 * DAY) && !w.contains(10 * DAY));
    }

    #[test]
    fn a_grown_table_answers_as_a_table_built_for_the_whole_span() {
        let tz = chrono_tz::Europe::London;
        let (march, october) = (utc_at(2026, 3, 1, 12, 0), utc_at(2026, 10, 30, 12, 0));
        let kept = Calendar::covering(tz, march, march + 5 * DAY, 30);
        assert_eq!(
            kept.midnights.len(),
            31 + 5 + 2 + 1,
            "31 days back to 2 days on"
        );
        let same = kept.clone().covering_also(march + DAY, march + 2 * DAY, 7);
        assert_eq!(
            same.midnights, kept.midnights,
            "already held: nothing computed"
        );
        let grown = kept.covering_also(october, october, 30);
        let whole = Calendar::covering(tz, march, october, 30);
        assert_eq!(
            (grown.first_day, &grown.midnights),
            (whole.first_day, &whole.midnights)
        );
        for t in [march - 20 * DAY, utc_at(2026, 3, 29, 0, 30), october] {
            assert_eq!(grown.day_number(t), Calendar::new(tz).day_number(t));
        }
    }

    #[test]
    fn london_days_start_at_local_midnight_in_summer_and_winter() {
        let london = Calendar::new(chrono_tz::Europe::London);
        // 23:30 UTC on 14 July is 00:30 BST on 15 July: it belongs to 15 July.
        let late = utc_at(2026, 7, 14, 23, 30);
        assert_eq!(
            london.date(late),
            NaiveDate::from_ymd_opt(2026, 7, 15).expect("valid date")
        );
        assert_eq!(london.day_end(late), utc_at(2026, 7, 15, 23, 0));
        // In winter local midnight is UTC midnight.
        assert_eq!(
            london.day_end(utc_at(2026, 1, 14, 23, 30)),
            utc_at(2026, 1, 15, 0, 0)
        );
    }

    #[test]
    fn a_window_across_the_clock_change_is_whole_local_days() {
        let london = Calendar::new(chrono_tz::Europe::London);
        // Clocks go back at 02:00 BST on 25 October 2026: that day has 25 hours.
        let end = utc_at(2026, 10, 29, 0, 0); // midnight GMT, 29 Oct
        let w = london.window_ending(end, 7);
        assert_eq!(w.start, utc_at(2026, 10, 21, 23, 0)); // midnight BST, 22 Oct
        assert_eq!(w.end - w.start, 7 * DAY + 3600);
        assert_eq!(w.days(), 7);
        assert_eq!(london.days_between(w.start, w.end), 7);
        assert_eq!(london.days_between(w.start, w.start + 3600), 1);
    }

    #[test]
    fn per_day_counts_local_days() {
        let utc = Calendar::new(Tz::UTC);
        let start = 1_000 * DAY;
        let times = [
            start,
            start + 10,
            start + DAY,
            start + 3 * DAY - 1,
            start - 1,
        ];
        assert_eq!(utc.per_day(&times, start, start + 3 * DAY), vec![2, 1, 1]);
        // 23:30 UTC on 14 July is the next day in London.
        let london = Calendar::new(chrono_tz::Europe::London);
        let day = utc_at(2026, 7, 13, 23, 0);
        let times = [utc_at(2026, 7, 14, 12, 0), utc_at(2026, 7, 14, 23, 30)];
        assert_eq!(london.per_day(&times, day, day + 2 * DAY), vec![1, 1]);
    }

    #[test]
    fn the_table_gives_the_same_days_as_computing_them() {
        let from = utc_at(2026, 3, 1, 0, 0);
        let to = utc_at(2026, 11, 30, 0, 0);
        let table = Calendar::covering(chrono_tz::Europe::London, from, to, 90);
        let plain = Calendar::new(chrono_tz::Europe::London);
        let mut t = from - 90 * DAY;
        while t < to + 3 * DAY {
            assert_eq!(table.day_number(t), plain.day_number(t), "{t}");
            assert_eq!(table.day_end(t), plain.day_end(t), "{t}");
            t += 1_800;
        }
    }

    #[test]
    fn the_histogram_percentile_is_the_list_percentile() {
        let values = [1, 1, 1, 1, 1, 1, 1, 2, 12, 3, 3, 7];
        let mut h = Histogram::default();
        for v in values {
            h.moved(0, v as usize);
        }
        for p in [0.0, 50.0, 90.0, 95.0, 100.0] {
            assert_eq!(h.percentile(p), percentile(&values, p), "p{p}");
        }
        h.moved(12, 0);
        assert_eq!(h.population(), 11);
        assert_eq!(h.percentile(100.0), Some(7.0));
    }

    fn hit(end_day: i64, days: u32, strength: i64) -> Hit<()> {
        Hit {
            customer_id: 1,
            topic: 0,
            window: Calendar::new(Tz::UTC).window_ending(end_day * DAY, days),
            strength,
            data: (),
        }
    }

    #[test]
    fn overlapping_windows_are_one_episode_at_the_earliest_strongest_window() {
        let eps = episodes(vec![
            hit(10, 7, 6),
            hit(11, 7, 8),
            hit(12, 7, 8),
            hit(13, 7, 7),
        ]);
        assert_eq!(eps.len(), 1);
        assert_eq!(
            eps[0].peak.window,
            Calendar::new(Tz::UTC).window_ending(11 * DAY, 7)
        );
        assert_eq!(
            eps[0].span,
            Window {
                start: 3 * DAY,
                end: 13 * DAY
            }
        );
    }

    #[test]
    fn windows_that_do_not_overlap_are_separate_episodes() {
        let eps = episodes(vec![hit(10, 7, 6), hit(30, 7, 9)]);
        assert_eq!(eps.len(), 2);
    }

    #[test]
    fn window_lengths_are_separate_episodes() {
        let eps = episodes(vec![hit(10, 7, 6), hit(10, 30, 9)]);
        assert_eq!(eps.len(), 2);
    }
}
