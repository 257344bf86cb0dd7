//! What the portal's and the staff pages' sessions share: a random cookie whose SHA-256
//! digest is stored, a lifetime, and a CSRF token derived from the session (a MAC of its
//! digest, so nothing more needs storing).

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use roadone_store::NewSession;
use sha2::Sha256;

pub struct SessionKind {
    pub cookie: &'static str,
    /// The cookie is only sent below this path.
    pub path: &'static str,
    pub lifetime_hours: i64,
    /// Keeps one kind's CSRF tokens from being valid for the other.
    csrf_label: &'static [u8],
}

pub const PORTAL: SessionKind = SessionKind {
    cookie: "roadone_portal",
    path: "/portal",
    lifetime_hours: 14 * 24,
    csrf_label: b"portal-csrf:",
};

/// Sent everywhere on the site, not only below `/staff`, so that the portal can tell a
/// staff member using a customer's link (and refuse their rating).
pub const STAFF: SessionKind = SessionKind {
    cookie: "roadone_staff",
    path: "/",
    lifetime_hours: 12,
    csrf_label: b"staff-csrf:",
};

impl SessionKind {
    /// The digest of the session cookie a request carries, if any.
    pub fn presented(&self, headers: &HeaderMap) -> Option<Vec<u8>> {
        CookieJar::from_headers(headers)
            .get(self.cookie)
            .map(|c| tokens::digest(c.value()))
    }

    /// A new session from `now`: the cookie's secret, and what the store keeps of it.
    pub fn start(&self, now: DateTime<Utc>) -> (String, NewSession) {
        let secret = tokens::new_token();
        let session = NewSession {
            hash: tokens::digest(&secret),
            created_at: now,
            expires_at: now + Duration::hours(self.lifetime_hours),
        };
        (secret, session)
    }

    pub fn csrf_token(&self, secret: &[u8], session_hash: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(self.csrf_label);
        mac.update(session_hash);
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The cookie that carries a new session; `Secure` whenever the site is served over
    /// HTTPS, never readable by scripts, not sent with other sites' posts.
    pub fn cookie(&self, state: &AppState, secret: String) -> Cookie<'static> {
        Cookie::build((self.cookie, secret))
            .path(self.path)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(state.config.public_url.starts_with("https://"))
            .max_age(cookie::time::Duration::hours(self.lifetime_hours))
            .build()
    }

    /// Clears the session cookie.
    pub fn removal(&self) -> Cookie<'static> {
        Cookie::build((self.cookie, "")).path(self.path).build()
    }
}

/// Refuses a form that does not carry the session's CSRF token.
pub fn check_csrf(expected: &str, presented: Option<&str>) -> AppResult<()> {
    match presented {
        Some(t) if tokens::same_secret(t, expected) => Ok(()),
        _ => Err(AppError::Forbidden(
            "this form is out of date or came from another site: reload the page and try again"
                .into(),
        )),
    }
}
