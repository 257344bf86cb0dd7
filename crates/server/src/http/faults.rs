//! Routes that misbehave on purpose, for the tests of the HTTP layers (`http::layers`): a
//! handler that panics and one that is slow. Only a `fault-injection` build has them.

use crate::app::AppState;
use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use std::time::Duration;

async fn panic() -> &'static str {
    panic!("a fault injected into an HTTP handler")
}

async fn sleep(Path(ms): Path<u64>) -> &'static str {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "slept"
}

/// Under `/api/`, answered in JSON (outside `/api/v1`, which the OpenAPI document covers).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/faults/panic", get(panic))
        .route("/api/faults/sleep/{ms}", get(sleep))
}

/// A page that panics, answered with the error page.
pub fn page_routes() -> Router<AppState> {
    Router::new().route("/faults/panic", get(panic))
}
