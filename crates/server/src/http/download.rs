//! Stored files sent back to a browser, the same way for the API and the pages: as
//! downloads that cannot run in the browser, whoever asked for them.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use roadone_domain::AttachmentRef;

/// RFC 5987 encoding of a file name for `filename*=UTF-8''…`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A file response the browser may not sniff, run or cache.
pub(crate) fn guarded(bytes: Vec<u8>, content_type: HeaderValue, csp: &'static str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// The bytes of a stored attachment.
pub(crate) async fn read(state: &AppState, attachment: &AttachmentRef) -> AppResult<Vec<u8>> {
    let sha = attachment.sha256.clone();
    let files = state.attachments.clone();
    let wanted = sha.clone();
    tokio::task::spawn_blocking(move || files.get(&wanted))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("reading attachment {sha}: {e}")))?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "attachment {sha} is referenced but missing from the store"
            ))
        })
}

/// A stored file as a download that cannot run in the browser:
/// `Content-Disposition: attachment`, `nosniff`, `CSP: sandbox`, never cached.
pub async fn file_response(state: &AppState, attachment: AttachmentRef) -> AppResult<Response> {
    let bytes = read(state, &attachment).await?;
    let ascii: String = attachment
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(&attachment.name)
    );
    let mut response = guarded(
        bytes,
        HeaderValue::from_str(&attachment.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        "sandbox",
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(response)
}
