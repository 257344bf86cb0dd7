//! The one place where errors become HTTP responses: `{"error": {code, message, field}}`
//! with the fitting status. Internal details are logged, never returned.

use crate::error::AppError;
use crate::http::views::{ErrorBody, ErrorDetail};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roadone_domain::ErrorKind;
use roadone_store::StoreError;

impl AppError {
    /// Status, code, message and field: shared by the JSON API and the HTML pages.
    pub(crate) fn parts(&self) -> (StatusCode, &'static str, String, Option<String>) {
        match self {
            AppError::Domain(e) => {
                let status = match e.kind() {
                    ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorKind::Forbidden => StatusCode::FORBIDDEN,
                    ErrorKind::Conflict => StatusCode::CONFLICT,
                    ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, e.code(), e.to_string(), e.field())
            }
            AppError::Store(e) => match e {
                StoreError::VersionConflict { .. } => (
                    StatusCode::CONFLICT,
                    "changed_meanwhile",
                    e.to_string(),
                    None,
                ),
                StoreError::CaseNotFound(_) => {
                    (StatusCode::NOT_FOUND, "not_found", e.to_string(), None)
                }
                StoreError::Duplicate { field, .. } => (
                    StatusCode::CONFLICT,
                    "duplicate",
                    e.to_string(),
                    Some(field.to_string()),
                ),
                StoreError::UnknownPerson { field, .. } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_person",
                    e.to_string(),
                    Some(field.to_string()),
                ),
                StoreError::Invalid { field, .. } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    e.to_string(),
                    Some(field.to_string()),
                ),
                StoreError::Conflict(_) => {
                    (StatusCode::CONFLICT, "conflict", e.to_string(), None)
                }
                StoreError::IdempotencyMismatch => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    e.to_string(),
                    Some("Idempotency-Key".into()),
                ),
                StoreError::DiskFull(_) => (
                    StatusCode::INSUFFICIENT_STORAGE,
                    "disk_full",
                    "the server's disk is full, so nothing was saved; please try again in a few minutes".into(),
                    None,
                ),
                StoreError::Unavailable(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the store is unavailable; retry".into(),
                    None,
                ),
                StoreError::Corrupt(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".into(),
                    None,
                ),
            },
            AppError::Unauthorized(m) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", m.clone(), None)
            }
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone(), None),
            AppError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
                None,
            ),
            AppError::BadRequest {
                code,
                message,
                field,
            } => (
                StatusCode::BAD_REQUEST,
                code,
                message.clone(),
                field.clone(),
            ),
            AppError::Invalid {
                code,
                message,
                field,
            } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                message.clone(),
                field.clone(),
            ),
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m.clone(), None),
            AppError::RequestTimeout(m) => {
                (StatusCode::REQUEST_TIMEOUT, "request_timeout", m.clone(), None)
            }
            AppError::TooMany { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                message.clone(),
                None,
            ),
            AppError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                m.clone(),
                None,
            ),
            AppError::DiskFull(m) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "disk_full",
                m.clone(),
                None,
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error".into(),
                None,
            ),
        }
    }
}

impl AppError {
    /// Seconds a rate-limited client should wait (the `Retry-After` header).
    pub(crate) fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooMany { retry_after, .. } => Some(*retry_after),
            AppError::Store(StoreError::DiskFull(_)) | AppError::DiskFull(_) => Some(60),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = self.parts();
        if status.is_server_error() {
            tracing::error!("{status}: {self:?}");
        }
        let mut response = (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: code.to_string(),
                    message,
                    field,
                },
            }),
        )
            .into_response();
        let retry_after = self.retry_after();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
