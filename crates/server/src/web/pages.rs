//! Server-rendered HTML: typed templates built into the binary (askama, HTML-escaped by
//! default), the error page, and the headers every page carries.

use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

pub const STYLESHEET: &str = include_str!("../../templates/web/roadone.css");

/// Renders a typed page (askama): every value it shows is a field the compiler checked.
pub fn html<T: askama::Template>(page: &T) -> Result<Html<String>, AppError> {
    page.render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("page: {e}")))
}

/// A file size as people read it.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[derive(askama::Template)]
#[template(path = "web/error.html")]
struct ErrorPage<'a> {
    /// Error pages speak English: the reasons they give come from the server in English.
    t: crate::languages::Words,
    back: &'a str,
    title: &'a str,
    message: &'a str,
    status: u16,
}

/// An error shown as a page, with the status the JSON API would give it.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl<E: Into<AppError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

pub type WebResult<T> = Result<T, WebError>;

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, _code, message, _field) = self.0.parts();
        if status.is_server_error() {
            tracing::error!("{status}: {:?}", self.0);
        }
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::TOO_MANY_REQUESTS => "Please slow down",
            StatusCode::PAYLOAD_TOO_LARGE => "Too large",
            StatusCode::FORBIDDEN => "Not allowed",
            s if s.is_server_error() => "Something went wrong on our side",
            _ => "That did not work",
        };
        let page = ErrorPage {
            t: crate::languages::Words::default(),
            back: "/portal",
            title,
            message: &message,
            status: status.as_u16(),
        };
        let body = html(&page)
            .map(|h| h.0)
            .unwrap_or_else(|_| format!("{status}: {message}"));
        let mut response = (status, Html(body)).into_response();
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Headers on every page: nothing from elsewhere runs or loads, the page is not framed,
/// links out do not leak the URL (it may hold a case token), personal pages are not cached.
pub async fn page_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    // A download keeps its own, stricter `sandbox` policy.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The one stylesheet, cacheable.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}
