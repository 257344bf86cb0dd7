//! Who is looking at the portal: a customer signed in by an emailed link (a session
//! cookie whose digest is stored), or nobody. Forms of a signed-in customer carry a CSRF
//! token derived from the session, so another site cannot post in their name.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::session::{check_csrf, PORTAL};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// How long an emailed sign-in link works.
pub const LINK_MINUTES: i64 = 30;

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub customer_id: i64,
    pub session_hash: Vec<u8>,
    pub csrf: String,
}

/// The portal's visitor: signed in or not.
pub struct Visitor(pub Option<SignedIn>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Visitor> {
        let Some(hash) = PORTAL.presented(&parts.headers) else {
            return Ok(Visitor(None));
        };
        Ok(Visitor(state.customer_session(&hash).await?.map(
            |customer_id| SignedIn {
                customer_id,
                csrf: PORTAL.csrf_token(&state.secret, &hash),
                session_hash: hash,
            },
        )))
    }
}

impl SignedIn {
    /// Refuses a form that does not carry this session's token.
    pub fn check_csrf(&self, presented: Option<&str>) -> AppResult<()> {
        check_csrf(&self.csrf, presented)
    }
}
