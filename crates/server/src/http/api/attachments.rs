use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::download::{file_response, guarded, read};
use crate::http::extract::bearer;
use crate::http::extract::case_in_path as load;
use crate::http::extract::ApiQuery;
use crate::http::views::ErrorBody;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use roadone_domain::AttachmentRef;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// One attachment of a case, exactly as stored. Staff (bearer token) or the case's
/// customer (their case token) only; always served as a download that cannot run in
/// the browser: `Content-Disposition: attachment`, `nosniff`, `CSP: sandbox`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{sha256}",
    params(("id" = i64, Path), ("sha256" = String, Path), ("token" = Option<String>, Query, description = "The customer's case token, when not staff")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    Path((id, sha)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    parts: Parts,
) -> AppResult<Response> {
    let attachment = authorised(&state, &id, &sha, q, &parts).await?;
    file_response(&state, attachment).await
}

/// An HTML attachment (a mail's HTML body) made safe to show: only an allow-list of
/// tags and attributes survives, no script, no style, no form, no image or anything else
/// that would fetch from elsewhere; served under a CSP that would block it anyway.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{sha256}/sanitised",
    params(("id" = i64, Path), ("sha256" = String, Path), ("token" = Option<String>, Query, description = "The customer's case token, when not staff")),
    responses((status = 200, description = "The sanitised HTML", content_type = "text/html"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sanitised(
    State(state): State<AppState>,
    Path((id, sha)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    parts: Parts,
) -> AppResult<Response> {
    let attachment = authorised(&state, &id, &sha, q, &parts).await?;
    let is_html = attachment.content_type.starts_with("text/html")
        || [".html", ".htm"]
            .iter()
            .any(|ext| attachment.name.to_lowercase().ends_with(ext));
    if !is_html {
        return Err(AppError::invalid(
            "sha256",
            format!("{:?} is not an HTML document", attachment.name),
        ));
    }
    let bytes = read(&state, &attachment).await?;
    let html = crate::mail::html::sanitise(&String::from_utf8_lossy(&bytes));
    let mut response = guarded(
        html.into_bytes(),
        HeaderValue::from_static("text/html; charset=utf-8"),
        "sandbox; default-src 'none'; img-src data:",
    );
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// The attachment `sha` of case `id`, if the caller is staff or holds the case's token.
/// A wrong token, a missing case and a file not on this case all look the same.
async fn authorised(
    state: &AppState,
    id: &str,
    sha: &str,
    q: TokenQuery,
    parts: &Parts,
) -> AppResult<AttachmentRef> {
    let presented = bearer(parts).map(str::to_string);
    // The same check as every other route: a deactivated person's token is refused at
    // once, even while the token itself is still cached.
    let staff = match &presented {
        Some(t) => match crate::http::extract::Staff::from_token(state, t).await {
            Ok(_) => true,
            Err(AppError::Unauthorized(_)) => false,
            Err(e) => return Err(e),
        },
        None => false,
    };
    let customer_token = q.token.or(presented);
    if !staff && customer_token.is_none() {
        return Err(AppError::Unauthorized(
            "a staff token or the customer's case link is needed".into(),
        ));
    }
    let hidden = || AppError::NotFound(format!("attachment {sha} of case {id}"));
    let (stored, case) = load(state, id).await.map_err(|e| match e {
        AppError::NotFound(_) => hidden(),
        other => other,
    })?;
    // A customer gets only the files of what they can see (never those of a note).
    if !staff
        && !crate::http::views::CustomerCaseView::of(&stored, &case)
            .messages
            .iter()
            .flat_map(|m| m.files.iter())
            .any(|f| f.sha256 == sha)
    {
        return Err(hidden());
    }
    if !staff
        && !customer_token
            .as_deref()
            .is_some_and(|t| crate::tokens::same_secret(t, &stored.head.customer_token))
    {
        return Err(hidden());
    }
    stored
        .events
        .iter()
        .flat_map(|e| e.body.attachments())
        .find(|a| a.sha256 == sha)
        .cloned()
        .ok_or_else(hidden)
}
