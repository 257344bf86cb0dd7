//! The one error type of the server's use cases. How each maps to HTTP is decided in
//! one place: `http::error`.

use roadone_domain::DomainError;
use roadone_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The request could not be read at all (malformed JSON, wrong content type).
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The request was read but a field is wrong.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("{0}")]
    TooLarge(String),
    /// The client took too long to send its request.
    #[error("{0}")]
    RequestTimeout(String),
    /// A rate limit: the client may try again after this many seconds.
    #[error("{message}")]
    TooMany { message: String, retry_after: u64 },
    /// Something we depend on (the mail relay) is down; the client may retry later.
    #[error("{0}")]
    Unavailable(String),
    /// There is no room on the disk for what was sent (the store's own full disk is
    /// `Store(DiskFull)`); nothing was kept.
    #[error("{0}")]
    DiskFull(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code: "invalid",
            message: format!("{field}: {}", message.into()),
            field: Some(field.into()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
