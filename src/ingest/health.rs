//! How each configured source's last attempt went, for `/readyz`: the daemon is ready while
//! the store answers and at least one source (or no source at all) is healthy.
//!
//! Sources record each attempt here; nothing is persisted (a restart starts all healthy).

use crate::domain::UnixTime;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The last-attempt state of every source, shared between the sources and the HTTP server.
/// Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SourceHealth {
    sources: Arc<Mutex<BTreeMap<String, SourceState>>>,
}

/// One source's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceState {
    /// When the current run of failures began; None while the last attempt succeeded (or
    /// none has finished yet).
    pub failing_since: Option<UnixTime>,
    /// The last failure's message, while failing.
    pub last_error: Option<String>,
}

/// A source whose last attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingSource {
    /// The source name.
    pub source: String,
    /// When its failures began.
    pub since: UnixTime,
    /// Its last error.
    pub error: String,
}

impl SourceHealth {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `source` is configured, healthy until its first attempt says otherwise.
    pub fn register(&self, source: &str) {
        self.with(|m| {
            m.entry(source.to_string()).or_default();
        });
    }

    /// Records a successful attempt: the source is healthy again.
    pub fn succeeded(&self, source: &str) {
        self.with(|m| {
            m.insert(source.to_string(), SourceState::default());
        });
    }

    /// Records a failed attempt at `now`; `failing_since` keeps the start of the failures.
    pub fn failed(&self, source: &str, error: &dyn std::fmt::Display, now: UnixTime) {
        self.with(|m| {
            let state = m.entry(source.to_string()).or_default();
            state.failing_since.get_or_insert(now);
            state.last_error = Some(error.to_string());
        });
    }

    /// The sources whose last attempt failed, by name.
    pub fn failing(&self) -> Vec<FailingSource> {
        self.with(|m| {
            m.iter()
                .filter_map(|(source, s)| {
                    Some(FailingSource {
                        source: source.clone(),
                        since: s.failing_since?,
                        error: s.last_error.clone().unwrap_or_default(),
                    })
                })
                .collect()
        })
    }

    /// True when at least one source is configured and every one failed its last attempt.
    pub fn all_failing(&self) -> bool {
        self.with(|m| !m.is_empty() && m.values().all(|s| s.failing_since.is_some()))
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, SourceState>) -> T) -> T {
        let mut map = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_source_configured_is_not_all_failing() {
        assert!(!SourceHealth::new().all_failing());
    }

    #[test]
    fn all_failing_only_when_every_source_failed_its_last_attempt() {
        let health = SourceHealth::new();
        health.register("imap:a");
        health.register("dropfolder");
        health.failed("imap:a", &"connection refused", 100);
        assert!(!health.all_failing(), "the drop folder has not failed");
        health.failed("dropfolder", &"permission denied", 160);
        assert!(health.all_failing());
        health.failed("imap:a", &"timed out", 200);
        assert_eq!(
            health.failing()[1],
            FailingSource {
                source: "imap:a".to_string(),
                since: 100,
                error: "timed out".to_string()
            },
            "failing_since keeps the first failure, the error is the last"
        );
        health.succeeded("imap:a");
        assert!(!health.all_failing());
        assert_eq!(health.failing().len(), 1);
    }
}
