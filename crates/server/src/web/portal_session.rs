//! Who is looking at the portal: a customer signed in by an emailed link (a session
//! cookie whose digest is stored), or nobody. Forms of a signed-in customer carry a CSRF
//! token derived from the session, so another site cannot post in their name.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const COOKIE: &str = "roadone_portal";
/// How long a portal session lasts.
pub const SESSION_DAYS: i64 = 14;
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
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(COOKIE) else {
            return Ok(Visitor(None));
        };
        let hash = tokens::digest(cookie.value());
        let now = state.clock.now();
        Ok(Visitor(
            state
                .store
                .customer_session(&hash, now)
                .await?
                .map(|customer_id| SignedIn {
                    customer_id,
                    csrf: csrf_token(&state.secret, &hash),
                    session_hash: hash,
                }),
        ))
    }
}

/// The CSRF token of a session: a MAC of its digest, so nothing more needs storing.
pub fn csrf_token(secret: &[u8], session_hash: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"portal-csrf:");
    mac.update(session_hash);
    hex::encode(&mac.finalize().into_bytes()[..16])
}

impl SignedIn {
    /// Refuses a form that does not carry this session's token.
    pub fn check_csrf(&self, presented: Option<&str>) -> AppResult<()> {
        match presented {
            Some(t) if tokens::same_secret(t, &self.csrf) => Ok(()),
            _ => Err(AppError::Forbidden(
                "this form is out of date or came from another site: reload the page and try again"
                    .into(),
            )),
        }
    }
}

/// The cookie that carries a new session; `Secure` whenever the site is served over HTTPS.
pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path("/portal")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.public_url.starts_with("https://"))
        .max_age(cookie::time::Duration::days(SESSION_DAYS))
        .build()
}

/// Clears the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/portal").build()
}
