//! Advisory flag rules. A flag is a neutral observation about a contact *pattern*, raised
//! for a person to review, with its figures, window, threshold and evidence. It is never a
//! label on the customer and it expires.

use super::count::percentile;
use crate::config::ContactVolumeConfig;
use crate::domain::UnixTime;
use crate::store::{ContactCount, FlagDraft, FlagWrite, Store, StoreError};
use serde_json::json;

/// The flag kind for a high contact volume.
pub const CONTACT_VOLUME: &str = "contact-volume";

/// What one evaluation pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlagPass {
    /// Customers with contact in the window.
    pub population: usize,
    /// New flags raised.
    pub raised: usize,
    /// Open flags refreshed with new figures.
    pub refreshed: usize,
}

/// Pure rule: which customers' counts exceed both the absolute threshold and the population
/// percentile. Returns drafts with figures and the threshold that fired.
pub fn contact_volume_drafts(
    counts: &[ContactCount],
    config: &ContactVolumeConfig,
    window_start: UnixTime,
    window_end: UnixTime,
) -> Vec<FlagDraft> {
    let values: Vec<i64> = counts.iter().map(|c| c.contacts).collect();
    let Some(pct) = percentile(&values, config.percentile) else {
        return Vec::new();
    };
    let median = percentile(&values, 50.0).unwrap_or(0.0);
    counts
        .iter()
        .filter(|c| c.contacts >= i64::from(config.min_contacts) && (c.contacts as f64) > pct)
        .map(|c| FlagDraft {
            customer_id: c.customer_id,
            kind: CONTACT_VOLUME.to_string(),
            window_start,
            window_end,
            figures: json!({
                "contacts": c.contacts,
                "distinct_staff": c.distinct_staff,
                "window_days": config.window_days,
                "population": counts.len(),
                "population_median": round2(median),
                "population_percentile_value": round2(pct),
            }),
            threshold: json!({
                "min_contacts": config.min_contacts,
                "percentile": config.percentile,
            }),
            expires_at: window_end + i64::from(config.expiry_days) * 86_400,
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Runs the contact-volume rule over the window ending at `now` and records the flags.
pub async fn evaluate(
    store: &Store,
    config: &ContactVolumeConfig,
    now: UnixTime,
) -> Result<FlagPass, StoreError> {
    if !config.enabled {
        return Ok(FlagPass::default());
    }
    let window_start = now - i64::from(config.window_days) * 86_400;
    // Items dated slightly in the future (clock skew) still count.
    let window_end = now + 86_400;
    let counts = store.contact_counts(window_start, window_end).await?;
    let mut pass = FlagPass {
        population: counts.len(),
        ..FlagPass::default()
    };
    for draft in contact_volume_drafts(&counts, config, window_start, window_end) {
        let evidence: Vec<i64> = store
            .contact_items(draft.customer_id, window_start, window_end)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        match store.record_flag(&draft, &evidence).await? {
            FlagWrite::Raised(id) => {
                pass.raised += 1;
                crate::telemetry::events::flag_raised(id, CONTACT_VOLUME, &draft.figures);
            }
            FlagWrite::Refreshed(_) => pass.refreshed += 1,
            FlagWrite::AlreadyReviewed(_) => {}
        }
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(values: &[i64]) -> Vec<ContactCount> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| ContactCount {
                customer_id: i as i64 + 1,
                contacts: *v,
                distinct_staff: 1,
            })
            .collect()
    }

    #[test]
    fn flags_only_above_both_threshold_and_percentile() {
        let config = ContactVolumeConfig::default();
        let drafts = contact_volume_drafts(&counts(&[1, 2, 1, 3, 1, 2, 1, 1, 25]), &config, 0, 100);
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].customer_id, 9);
        assert_eq!(drafts[0].figures["contacts"], 25);
        assert_eq!(drafts[0].threshold["min_contacts"], 10);
    }

    #[test]
    fn high_population_wide_volume_raises_nothing() {
        // Everyone at 12: above the absolute threshold but not above the percentile.
        let config = ContactVolumeConfig::default();
        assert!(contact_volume_drafts(&counts(&[12; 20]), &config, 0, 100).is_empty());
    }

    #[test]
    fn below_absolute_threshold_raises_nothing() {
        let config = ContactVolumeConfig::default();
        assert!(contact_volume_drafts(&counts(&[1, 1, 1, 1, 9]), &config, 0, 100).is_empty());
    }

    #[test]
    fn flags_expire() {
        let config = ContactVolumeConfig::default();
        let d = &contact_volume_drafts(&counts(&[1, 1, 30]), &config, 0, 1000)[0];
        assert_eq!(d.expires_at, 1000 + 90 * 86_400);
    }
}
