//! The HTTP server: `/healthz` (the process is up), `/readyz` (the store answers and not every
//! source is failing) and `/metrics` (Prometheus text). The review API and UI will join these
//! routes.

use crate::ingest::health::SourceHealth;
use crate::store::Store;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// What the handlers share.
#[derive(Clone)]
struct AppState {
    store: Store,
    health: SourceHealth,
}

/// The application's routes; `/readyz` reads the sources' last attempts from `health`.
pub fn router(store: Store, health: SourceHealth) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(AppState { store, health })
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready (200) when the store answers and at least one source, or no source at all, is
/// healthy; otherwise 503 saying what fails and since when. Failing sources are listed either
/// way.
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if let Err(e) = state.store.ping().await {
        tracing::warn!("Readiness check failed: {e}");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: store unavailable\n".to_string(),
        );
    }
    let mut lines = String::new();
    for f in state.health.failing() {
        let since = chrono::DateTime::from_timestamp(f.since, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        lines.push_str(&format!(
            "source {} failing since {since}: {}\n",
            f.source, f.error
        ));
    }
    if state.health.all_failing() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: every source failed its last attempt\n{lines}"),
        )
    } else {
        (StatusCode::OK, format!("ready\n{lines}"))
    }
}

async fn metrics() -> impl IntoResponse {
    let body = crate::telemetry::prometheus()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn health_and_ready_answer_with_a_working_store() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url).await.expect("store");
        for (path, want) in [("/healthz", "ok"), ("/readyz", "ready")] {
            let response = router(store.clone(), SourceHealth::new())
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("response");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            assert!(String::from_utf8_lossy(&body).contains(want), "{path}");
        }
    }

    #[tokio::test]
    async fn metrics_render_recorded_events_in_prometheus_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url).await.expect("store");
        crate::telemetry::prometheus().expect("the Prometheus recorder installs");
        crate::telemetry::events::imap_uid_committed("imap:metrics-test/INBOX", 42);
        crate::telemetry::events::outbox_sent("<metrics-test@tidings.example>");

        let response = router(store, SourceHealth::new())
            .oneshot(
                Request::get("/metrics")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[header::CONTENT_TYPE].clone();
        assert_eq!(content_type, "text/plain; version=0.0.4");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("# TYPE tidings_source_last_uid gauge"),
            "{text}"
        );
        assert!(
            text.contains("tidings_source_last_uid{source=\"imap:metrics-test/INBOX\"} 42"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE tidings_outbox_sent_total counter"),
            "{text}"
        );
        assert!(
            text.contains("# HELP tidings_outbox_sent_total Outbox messages delivered."),
            "{text}"
        );
    }

    async fn ready(health: &SourceHealth) -> (StatusCode, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url).await.expect("store");
        let response = router(store, health.clone())
            .oneshot(
                Request::get("/readyz")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn not_ready_when_every_source_failed_its_last_attempt() {
        let health = SourceHealth::new();
        health.register("imap:enquiries");
        health.register("dropfolder");
        health.failed("imap:enquiries", &"connection refused", 1_750_000_000);
        let (status, body) = ready(&health).await;
        assert_eq!(status, StatusCode::OK, "the drop folder is healthy: {body}");
        assert!(
            body.contains(
                "source imap:enquiries failing since 2025-06-15T15:06:40+00:00: connection refused"
            ),
            "{body}"
        );

        health.failed("dropfolder", &"permission denied", 1_750_000_060);
        let (status, body) = ready(&health).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.starts_with("not ready: every source failed"), "{body}");
        assert!(
            body.contains(
                "source dropfolder failing since 2025-06-15T15:07:40+00:00: permission denied"
            ),
            "{body}"
        );

        health.succeeded("imap:enquiries");
        assert_eq!(ready(&health).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn ready_with_no_source_configured() {
        let (status, body) = ready(&SourceHealth::new()).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready\n"));
    }
}
