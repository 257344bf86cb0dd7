//! A message from staff or a customer: JSON `{"body": …}`, or `multipart/form-data` with
//! a `body` field and any number of `file` fields. Files are stored (and fsynced) before
//! the event that mentions them is written.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::extract::{parse_json, JsonBytes};
use crate::http::upload::UploadForm;
use crate::http::views::MessageRequest;
use axum::extract::{FromRequest, Request};
use bytes::Bytes;

pub use crate::http::upload::MAX_UPLOAD_BYTES;

/// The files are read but not stored: the handler stores them once the rules accept the
/// message (`AppState::act_with_files`), so a refused or unauthorised post leaves nothing.
pub struct MessageBody {
    pub body: String,
    pub files: Vec<(String, Bytes)>,
}

impl FromRequest<AppState> for MessageBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        if !UploadForm::is_form(&req) {
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
                files: Vec::new(),
            });
        }
        let form = UploadForm::read(req, state).await?;
        form.only(|n| n == "body", "send `body` and `file` fields")?;
        let body = form.text("body").unwrap_or_default().to_string();
        Ok(MessageBody {
            body,
            files: form.files,
        })
    }
}
