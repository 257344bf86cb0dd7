use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::Staff;
use crate::http::views::ErrorBody;
use crate::mail::inbound::{self, InboundResult};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use roadone_domain::Capability;

/// Largest raw message taken in over HTTP (attachments included).
pub const MAX_MESSAGE_BYTES: usize = 26 * 1024 * 1024;

/// Takes in one raw email (RFC 5322), as the SMTP listener does: a reply lands on its
/// case, automatic mail is recorded but never answered, a new sender opens a case.
#[utoipa::path(post, path = "/api/v1/inbound/email", security(("bearer" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    responses((status = 201, description = "A case was opened", body = InboundResult),
        (status = 200, description = "Added to a case, or ignored (see `outcome`)", body = InboundResult),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn email(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<(StatusCode, Json<InboundResult>)> {
    staff.require(Capability::Administer, "deliver inbound mail")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json")
        || content_type.starts_with("multipart/form-data")
    {
        return Err(AppError::BadRequest {
            code: "unsupported_media_type",
            message: "send the raw message as the body with Content-Type: message/rfc822".into(),
            field: None,
        });
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "a message may be at most {MAX_MESSAGE_BYTES} bytes"
            ))
        } else {
            AppError::BadRequest {
                code: "unreadable_body",
                message: e.body_text(),
                field: None,
            }
        }
    })?;
    let result = inbound::receive(&state, &body).await?;
    let status = if result.outcome == "opened" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(result)))
}
