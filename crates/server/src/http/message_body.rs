//! A message from staff or a customer: JSON `{"body": …}`, or `multipart/form-data` with
//! a `body` field and any number of `file` fields. Files are stored (and fsynced) before
//! the event that mentions them is written.

use crate::app::AppState;
use crate::attachments::AttachmentError;
use crate::error::AppError;
use crate::http::extract::{parse_json, JsonBytes};
use crate::http::views::MessageRequest;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use roadone_domain::AttachmentRef;

/// The whole upload may hold several files of up to the per-file limit each.
pub const MAX_UPLOAD_BYTES: usize = 110 * 1024 * 1024;

pub struct MessageBody {
    pub body: String,
    pub attachments: Vec<AttachmentRef>,
}

impl FromRequest<AppState> for MessageBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
            // Files may be large; text sent as JSON is held to the API's usual limit.
            if bytes.len() > crate::http::MAX_BODY_BYTES {
                return Err(AppError::TooLarge(format!(
                    "the body is larger than {} bytes",
                    crate::http::MAX_BODY_BYTES
                )));
            }
            let m: MessageRequest = parse_json(&bytes)?;
            return Ok(MessageBody {
                body: m.body,
                attachments: Vec::new(),
            });
        }
        let mut form =
            Multipart::from_request(req, state)
                .await
                .map_err(|e| AppError::BadRequest {
                    code: "unreadable_form",
                    message: e.body_text(),
                    field: None,
                })?;
        let mut body = String::new();
        let mut files = Vec::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::TooLarge(format!(
                        "the upload is larger than {MAX_UPLOAD_BYTES} bytes; each file may be at most {} bytes",
                        state.attachments.limit()
                    )))
                }
                Err(e) => return Err(AppError::BadRequest { code: "unreadable_form", message: e.body_text(), field: None }),
            };
            let name = field.name().unwrap_or_default().to_string();
            match name.as_str() {
                "body" => {
                    body = field
                        .text()
                        .await
                        .map_err(|e| AppError::invalid("body", e.body_text()))?
                }
                "file" | "files" | "attachment" => {
                    let file_name = field.file_name().unwrap_or("attachment").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| AppError::invalid("file", e.body_text()))?;
                    if bytes.len() as u64 > state.attachments.limit() {
                        return Err(AppError::TooLarge(format!(
                            "{file_name:?} is {} bytes; an attachment may be at most {} bytes",
                            bytes.len(),
                            state.attachments.limit()
                        )));
                    }
                    files.push((file_name, bytes));
                }
                other => {
                    return Err(AppError::invalid(
                        other,
                        "unknown form field: send `body` and `file` fields",
                    ))
                }
            }
        }
        let store = state.attachments.clone();
        let attachments = tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .map(|(name, bytes)| store.put(&name, &bytes))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| match e {
            AttachmentError::TooLarge { .. } => AppError::TooLarge(e.to_string()),
            AttachmentError::Io(e) => AppError::Internal(format!("storing an attachment: {e}")),
        })?;
        Ok(MessageBody { body, attachments })
    }
}
