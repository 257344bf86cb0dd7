//! What every request goes through, whatever its route: a request id (kept from the
//! client when it is sane, made up otherwise, and sent back), a tracing span that names
//! it, a time limit, and a handler's panic turned into a 500 instead of a dropped
//! connection. The answers are the project's own: `http::error` for the API, the error
//! page for the pages.

use crate::app::AppState;
use crate::error::AppError;
use crate::web::pages::WebError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// The header that carries the request id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// A client's request id is kept only if it is short and plain, so that it cannot forge
/// log lines or bloat them: 1 to 128 letters, digits and `-_.:/+=@`.
fn sane_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(b))
}

/// Drops a client's request id that is not sane (or comes more than once), so that
/// `SetRequestId` makes up a new one.
pub async fn drop_odd_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let mut given = headers.get_all(REQUEST_ID).iter();
    let keep = match (given.next(), given.next()) {
        (Some(one), None) => sane_request_id(one),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove(REQUEST_ID);
    }
    request
}

/// The span of one request: method, route and request id, nothing from its body or
/// headers. The route is the pattern (`/portal/sign-in/{link}`) when one matched, since
/// some paths carry a secret; the literal path only for a path that matched no route.
pub fn request_span(request: &Request) -> tracing::Span {
    let path = match request.extensions().get::<MatchedPath>() {
        Some(route) => route.as_str(),
        None => request.uri().path(),
    };
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path, request_id = id)
}

/// Paths answered in JSON; everything else is a page.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Each request is answered within `http_request_timeout`, its body included. When the
/// time runs out before the client sent the whole body the client was slow (408, as a
/// slowloris gets); when the body was in, we were (503, try again). Only the time to the
/// response's head counts: a long download goes on after it.
pub async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config.http_request_timeout;
    let api = is_api(request.uri().path());
    let received = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| Body::new(Watched::new(body, received.clone())));
    let Ok(response) = tokio::time::timeout(limit, next.run(request)).await else {
        let seconds = limit.as_secs_f64();
        let error = if received.load(Ordering::Acquire) {
            // Logged at error level by `http::error`, as every 5xx is.
            AppError::Unavailable(format!("no answer within {seconds} seconds; try again"))
        } else {
            tracing::warn!("the request was not received within {seconds} s; answered 408");
            AppError::RequestTimeout(format!(
                "the request was not received within {seconds} seconds"
            ))
        };
        return if api {
            error.into_response()
        } else {
            crate::web::pages::page_headers(WebError(error).into_response()).await
        };
    };
    response
}

/// A request body that says when it has been read to its end.
struct Watched {
    inner: Body,
    /// Set with `fetch_or`: `tests/architecture.rs` reads any `.store` as the data store.
    received: Arc<AtomicBool>,
}

impl Watched {
    fn new(inner: Body, received: Arc<AtomicBool>) -> Watched {
        if inner.is_end_stream() {
            received.fetch_or(true, Ordering::Release);
        }
        Watched { inner, received }
    }
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.received.fetch_or(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// What a panic said, when it said it with a string.
fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// A panic in an API handler: a 500 with the JSON error body, logged (inside the
/// request's span, so with its request id) by `http::error`.
pub fn api_panic(panic: Box<dyn Any + Send + 'static>) -> Response {
    AppError::Internal(format!("a handler panicked: {}", panic_message(&*panic))).into_response()
}

/// A panic in a page's handler: the error page, logged the same way.
pub fn page_panic(panic: Box<dyn Any + Send + 'static>) -> Response {
    WebError(AppError::Internal(format!(
        "a page panicked: {}",
        panic_message(&*panic)
    )))
    .into_response()
}
