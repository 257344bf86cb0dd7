//! Who is using the staff pages: a person signed in with their password (a session
//! cookie whose digest is stored), or nobody. Every form carries a CSRF token derived
//! from the session.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hmac::{Hmac, Mac};
use roadone_domain::Person;
use sha2::Sha256;

pub const COOKIE: &str = "roadone_staff";
/// A working day and some: then sign in again.
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: Person,
    pub session_hash: Vec<u8>,
    pub csrf: String,
}

/// The staff visitor, if signed in.
pub struct MaybeSignedIn(pub Option<SignedIn>);

async fn lookup(parts: &Parts, state: &AppState) -> AppResult<Option<SignedIn>> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(COOKIE) else {
        return Ok(None);
    };
    let hash = tokens::digest(cookie.value());
    let Some(id) = state.store.staff_session(&hash, state.clock.now()).await? else {
        return Ok(None);
    };
    let snapshot = state.directory.snapshot();
    Ok(snapshot
        .person(id)
        .filter(|p| p.active)
        .cloned()
        .map(|person| SignedIn {
            person,
            csrf: csrf_token(&state.secret, &hash),
            session_hash: hash,
        }))
}

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        Ok(MaybeSignedIn(lookup(parts, state).await?))
    }
}

/// A page that needs a signed-in person sends anyone else to the sign-in page.
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match lookup(parts, state).await {
            Ok(Some(signed_in)) => Ok(signed_in),
            Ok(None) => Err(Redirect::to("/staff/sign-in").into_response()),
            Err(e) => Err(crate::web::pages::WebError(e).into_response()),
        }
    }
}

pub fn csrf_token(secret: &[u8], session_hash: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"staff-csrf:");
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

pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path("/staff")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.public_url.starts_with("https://"))
        .max_age(cookie::time::Duration::hours(SESSION_HOURS))
        .build()
}

pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/staff").build()
}
