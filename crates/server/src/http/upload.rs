//! A submitted form with files: `multipart/form-data` (any number of file fields) or, for
//! forms without files, `application/x-www-form-urlencoded`. Everything is read into
//! memory first, so a caller can check the form (its CSRF token, its fields) before a
//! single file is written; then `store_files` writes and fsyncs them.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use bytes::Bytes;
use roadone_domain::AttachmentRef;

/// The whole upload may hold several files of up to the per-file limit each.
pub const MAX_UPLOAD_BYTES: usize = 110 * 1024 * 1024;

/// The names a file field may have.
pub const FILE_FIELDS: &[&str] = &["file", "files", "attachment"];

#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text fields in the order sent; a name may repeat.
    pub fields: Vec<(String, String)>,
    /// File name as the browser sent it, and the content.
    pub files: Vec<(String, Bytes)>,
}

fn unreadable(message: String) -> AppError {
    AppError::BadRequest {
        code: "unreadable_form",
        message,
        field: None,
    }
}

impl UploadForm {
    /// The first value of a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a field that repeats (checkboxes of the same name).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A text field trimmed, `None` when absent or blank.
    pub fn given(&self, name: &str) -> Option<String> {
        self.text(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// Whether the request body is a form this reader understands.
    pub fn is_form(req: &Request) -> bool {
        req.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.starts_with("multipart/form-data")
                    || v.starts_with("application/x-www-form-urlencoded")
            })
    }

    pub async fn read(req: Request, state: &AppState) -> AppResult<UploadForm> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|e| match e.status() {
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                        AppError::TooLarge("the form is too large".into())
                    }
                    _ => unreadable(e.body_text()),
                })?;
            let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .map_err(|e| unreadable(format!("the form cannot be read: {e}")))?;
            return Ok(UploadForm {
                fields,
                files: Vec::new(),
            });
        }
        if !content_type.starts_with("multipart/form-data") {
            return Err(AppError::BadRequest {
                code: "unsupported_media_type",
                message: "send multipart/form-data or application/x-www-form-urlencoded".into(),
                field: None,
            });
        }
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| unreadable(e.body_text()))?;
        let mut form = UploadForm::default();
        let limit = state.attachments.limit();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::TooLarge(format!(
                        "the upload is larger than {MAX_UPLOAD_BYTES} bytes; each file may be at most {limit} bytes"
                    )))
                }
                Err(e) => return Err(unreadable(e.body_text())),
            };
            let name = field.name().unwrap_or_default().to_string();
            if FILE_FIELDS.contains(&name.as_str()) {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::invalid(&name, e.body_text()))?;
                // A browser sends an empty, nameless part for a file input left empty.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if bytes.len() as u64 > limit {
                    return Err(AppError::TooLarge(format!(
                        "{file_name:?} is {} bytes; an attachment may be at most {limit} bytes",
                        bytes.len()
                    )));
                }
                let file_name = if file_name.is_empty() {
                    "attachment".to_string()
                } else {
                    file_name
                };
                form.files.push((file_name, bytes));
            } else {
                let value = field
                    .text()
                    .await
                    .map_err(|e| AppError::invalid(&name, e.body_text()))?;
                form.fields.push((name, value));
            }
        }
        Ok(form)
    }

    /// Refuses a field this form does not have, naming it.
    pub fn only(&self, known: impl Fn(&str) -> bool, hint: &str) -> AppResult<()> {
        match self.fields.iter().find(|(n, _)| !known(n)) {
            Some((name, _)) => Err(AppError::invalid(
                name,
                format!("unknown form field: {hint}"),
            )),
            None => Ok(()),
        }
    }

    /// Writes the files to the attachment store (each fsynced) and returns their refs.
    pub async fn store_files(
        state: &AppState,
        files: Vec<(String, Bytes)>,
    ) -> AppResult<Vec<AttachmentRef>> {
        state.store_files(files).await
    }
}
