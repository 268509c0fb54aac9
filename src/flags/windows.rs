//! Sliding windows over the whole stored history. A window is `[end - length, end)` and ends
//! on a UTC day boundary, so the same items give the same windows (and the same judgements)
//! whether they were imported in one go a year later or lived through day by day. Pure.

use std::collections::HashMap;

/// Seconds in a day: windows step by one day.
pub const DAY: i64 = 86_400;

/// A span of time, `[start, end)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Window {
    /// First second inside the window.
    pub start: i64,
    /// First second after the window.
    pub end: i64,
}

impl Window {
    /// The window of `days` days that ends at `end`.
    pub fn ending(end: i64, days: u32) -> Self {
        Self {
            start: end - i64::from(days) * DAY,
            end,
        }
    }

    /// Whether `t` falls inside.
    pub fn contains(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }

    /// Whether the two spans share at least one second.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Length in whole days.
    pub fn days(&self) -> i64 {
        (self.end - self.start) / DAY
    }
}

/// The end of the UTC day holding `t`: the end of the first window that contains `t`.
pub fn day_end(t: i64) -> i64 {
    (t.div_euclid(DAY) + 1) * DAY
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

    #[test]
    fn windows_end_on_day_boundaries() {
        assert_eq!(day_end(0), DAY);
        assert_eq!(day_end(DAY - 1), DAY);
        assert_eq!(day_end(DAY), 2 * DAY);
        assert_eq!(day_end(-1), 0);
        let w = Window::ending(10 * DAY, 7);
        assert_eq!((w.start, w.days()), (3 * DAY, 7));
        assert!(w.contains(3 * DAY) && !w.contains(10 * DAY));
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
            window: Window::ending(end_day * DAY, days),
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
        assert_eq!(eps[0].peak.window, Window::ending(11 * DAY, 7));
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
