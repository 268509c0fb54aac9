//! Population figures: percentiles of contact counts, so "disproportionate compared to other
//! customers" is a number. Pure functions.

/// The `p`-th percentile (0–100) of `values` by linear interpolation between closest ranks
/// (the common "type 7" definition). `None` for an empty population.
pub fn percentile(values: &[i64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let p = p.clamp(0.0, 100.0) / 100.0;
    let rank = p * (sorted.len() - 1) as f64;
    let lower = rank.floor() as usize;
    let upper = rank.ceil() as usize;
    let fraction = rank - lower as f64;
    let (lo, hi) = (sorted[lower] as f64, sorted[upper] as f64);
    Some(lo + (hi - lo) * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_between_ranks() {
        assert_eq!(percentile(&[], 95.0), None);
        assert_eq!(percentile(&[7], 95.0), Some(7.0));
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 50.0), Some(3.0));
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), Some(2.5));
        let p95 = percentile(&[1, 1, 1, 1, 1, 1, 1, 2, 12], 95.0).expect("non-empty");
        assert!((p95 - 8.0).abs() < 1e-9, "{p95}");
    }

    #[test]
    fn percentile_ignores_input_order() {
        assert_eq!(percentile(&[5, 1, 3], 100.0), Some(5.0));
        assert_eq!(percentile(&[5, 1, 3], 0.0), Some(1.0));
    }
}
