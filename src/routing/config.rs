//! `[routing]`: forwarding inbound mail under contact arrangements.

use serde::Deserialize;

/// `[routing]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingConfig {
    /// Forward and copy inbound mail under contact arrangements at all.
    pub enabled: bool,
    /// Words and phrases that make a message read as a complaint (case-insensitive, whole
    /// words; a trailing `*` matches any ending, `complain*`).
    pub complaint_cues: Vec<String>,
    /// Where a copy of anything that reads as a complaint goes, from a customer under any
    /// arrangement. Without it, no complaint copies are sent (`config check` warns).
    pub complaints_mailbox: Option<String>,
    /// Most forwards of one customer's mail in any hour; later ones are recorded as
    /// `rate-limit` and not sent (a safety copy still goes).
    pub max_forwards_per_hour: u32,
    /// Mail sent longer ago than this (a backfill of old mail) is never forwarded.
    pub max_age_hours: u32,
    /// Days before a review date that the nominated person is reminded.
    pub review_reminder_days: u32,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            complaint_cues: super::cues::default_cues(),
            complaints_mailbox: None,
            max_forwards_per_hour: 20,
            max_age_hours: 72,
            review_reminder_days: 14,
        }
    }
}
