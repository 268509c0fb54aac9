//! The HTTP server: `/healthz` (the process is up), `/readyz` (the store answers) and
//! `/metrics` (Prometheus text). The review API and UI will join these routes.

use crate::store::Store;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// The application's routes.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(store)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(store): State<Store>) -> impl IntoResponse {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!("Readiness check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
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
            let response = router(store.clone())
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

        let response = router(store)
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
}
