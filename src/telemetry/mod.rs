//! Logs and metrics. `init` installs the tracing subscriber (text or JSON) and the Prometheus
//! recorder; `events` is the one place each notable event writes its log line and metric.

pub mod events;

use crate::config::{LogConfig, LogFormat};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs logging to stderr (coloured only when stderr is a terminal, so redirected logs
/// hold no escape codes) and the metrics recorder. Safe to call more than once (later
/// calls are no-ops), so tests can build the app repeatedly.
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    prometheus();
}

/// The Prometheus handle rendering `/metrics`, installing the recorder on first use.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| {
            let handle = PrometheusBuilder::new().install_recorder().ok();
            if handle.is_some() {
                events::describe();
            }
            handle
        })
        .as_ref()
}
