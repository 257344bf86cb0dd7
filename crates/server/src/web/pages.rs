//! Server-rendered HTML: templates built into the binary (minijinja, HTML-escaped by
//! default), the error page, and the headers every page carries.

use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::Environment;
use std::sync::LazyLock;

const BUILT_IN: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../templates/web/layout.html"),
    ),
    (
        "contact_categories.html",
        include_str!("../../templates/web/contact_categories.html"),
    ),
    (
        "contact_form.html",
        include_str!("../../templates/web/contact_form.html"),
    ),
    (
        "portal_sign_in.html",
        include_str!("../../templates/web/portal_sign_in.html"),
    ),
    (
        "portal_link_sent.html",
        include_str!("../../templates/web/portal_link_sent.html"),
    ),
    (
        "portal_confirm.html",
        include_str!("../../templates/web/portal_confirm.html"),
    ),
    (
        "portal_cases.html",
        include_str!("../../templates/web/portal_cases.html"),
    ),
    (
        "portal_case.html",
        include_str!("../../templates/web/portal_case.html"),
    ),
    (
        "staff/layout.html",
        include_str!("../../templates/web/staff/layout.html"),
    ),
    (
        "staff/sign_in.html",
        include_str!("../../templates/web/staff/sign_in.html"),
    ),
    (
        "staff/password.html",
        include_str!("../../templates/web/staff/password.html"),
    ),
    (
        "staff/security.html",
        include_str!("../../templates/web/staff/security.html"),
    ),
    (
        "staff/sign_in_code.html",
        include_str!("../../templates/web/staff/sign_in_code.html"),
    ),
    (
        "staff/admin_people.html",
        include_str!("../../templates/web/staff/admin_people.html"),
    ),
    (
        "staff/admin_tokens.html",
        include_str!("../../templates/web/staff/admin_tokens.html"),
    ),
    (
        "staff/forgot_password.html",
        include_str!("../../templates/web/staff/forgot_password.html"),
    ),
    (
        "staff/reset_sent.html",
        include_str!("../../templates/web/staff/reset_sent.html"),
    ),
    (
        "staff/link_spent.html",
        include_str!("../../templates/web/staff/link_spent.html"),
    ),
    (
        "staff/choose_password.html",
        include_str!("../../templates/web/staff/choose_password.html"),
    ),
    (
        "staff/confirm.html",
        include_str!("../../templates/web/staff/confirm.html"),
    ),
    (
        "staff/report_customer_math.html",
        include_str!("../../templates/web/staff/report_customer_math.html"),
    ),
    (
        "staff/reports_nav.html",
        include_str!("../../templates/web/staff/reports_nav.html"),
    ),
    (
        "staff/report_delight.html",
        include_str!("../../templates/web/staff/report_delight.html"),
    ),
    (
        "staff/report_roads.html",
        include_str!("../../templates/web/staff/report_roads.html"),
    ),
    (
        "staff/report_trail.html",
        include_str!("../../templates/web/staff/report_trail.html"),
    ),
    (
        "staff/admin_nav.html",
        include_str!("../../templates/web/staff/admin_nav.html"),
    ),
    (
        "staff/admin_categories.html",
        include_str!("../../templates/web/staff/admin_categories.html"),
    ),
    (
        "staff/admin_category.html",
        include_str!("../../templates/web/staff/admin_category.html"),
    ),
    (
        "staff/admin_settings.html",
        include_str!("../../templates/web/staff/admin_settings.html"),
    ),
];

pub const STYLESHEET: &str = include_str!("../../templates/web/roadone.css");

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // A misspelt or forgotten value is an error, not an empty spot on the page;
    // `{% if x %}` may still ask whether an optional value was given.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    for (name, source) in BUILT_IN {
        // Built in and covered by tests: a broken template is a build we never ship.
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("built-in page template {name}: {e}"));
    }
    env
});

/// Renders a page; `.html` templates escape every value unless marked safe.
pub fn render(name: &str, context: minijinja::Value) -> Result<Html<String>, AppError> {
    PAGES
        .get_template(name)
        .and_then(|t| t.render(context))
        .map(Html)
        .map_err(|e| AppError::Internal(format!("page {name}: {e}")))
}

/// Renders a typed page (askama): every value it shows is a field the compiler checked.
pub fn html<T: askama::Template>(page: &T) -> Result<Html<String>, AppError> {
    page.render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("page: {e}")))
}

/// A time as customers read it.
pub fn when(t: DateTime<Utc>) -> String {
    t.format("%a %-d %b %Y, %H:%M UTC").to_string()
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
