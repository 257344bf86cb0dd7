//! Handlers of `/api/v1`.

pub mod attachments;
pub mod calls;
pub mod cases;
pub mod categories;
pub mod customer;
pub mod experiments;
pub mod health;
pub mod inbound;
pub mod orders;
pub mod people;
pub mod phone_lines;
pub mod reports;
pub mod tokens;

use crate::error::AppError;
use axum::http::Uri;

pub async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("route {}", uri.path()))
}
