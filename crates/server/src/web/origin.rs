//! Where a posted form came from. Forms that act for a signed-in person carry a CSRF
//! token; the forms that sign someone in cannot, so they check the browser's word on
//! the form's origin instead.

use crate::app::AppState;
use crate::error::AppError;
use axum::http::request::Parts;

/// Posts must come from our own pages: a browser says where a form came from
/// (`Sec-Fetch-Site`, `Origin`), and another site's form is refused.
pub fn same_origin(parts: &Parts, public_origin: &str) -> Result<(), AppError> {
    let refused = || {
        AppError::Forbidden(
            "this form came from another site; open the portal and try again".into(),
        )
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("sec-fetch-site").as_deref() == Some("cross-site") {
        return Err(refused());
    }
    // `Origin: null` is what a browser sends for a form on a page with
    // `Referrer-Policy: no-referrer` (ours); such posts rely on `Sec-Fetch-Site` and tokens.
    let Some(origin) = header("origin").filter(|o| o != "null") else {
        return Ok(());
    };
    let origin = origin.trim_end_matches('/');
    let ours = public_origin.trim_end_matches('/');
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    // Our public URL's origin, or the host asked for (when no proxy rewrites it).
    let same = origin.eq_ignore_ascii_case(ours)
        || header("host").is_some_and(|host| origin_host.eq_ignore_ascii_case(&host));
    if same {
        Ok(())
    } else {
        Err(refused())
    }
}

/// A form posted without a session (signing in, asking for a link, writing in): it must
/// come from our own pages and within the sender's limit; then it is read.
pub async fn public_form(
    state: &AppState,
    ip: std::net::IpAddr,
    request: axum::extract::Request,
) -> Result<crate::http::upload::UploadForm, AppError> {
    let (parts, body) = request.into_parts();
    same_origin(&parts, &public_origin(state))?;
    state.limits.check_ip(ip)?;
    crate::http::upload::UploadForm::read(axum::extract::Request::from_parts(parts, body), state)
        .await
}

/// `scheme://host[:port]` of the configured public URL.
pub fn public_origin(state: &AppState) -> String {
    url::Url::parse(&state.config.public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}
