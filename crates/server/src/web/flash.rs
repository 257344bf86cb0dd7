//! One-time notices after a form (post/redirect/get): the notice travels in a short-lived
//! cookie signed by the server and is cleared by the page that shows it. Never in the URL,
//! where anyone could write a link that shows their words as the server's.

use crate::app::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderName;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const COOKIE: &str = "roadone_flash";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What the next page says once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub notice: String,
    /// Something to copy (a link to pass on by hand), with what it is.
    pub copy: Option<(String, String)>,
}

impl Flash {
    pub fn notice(text: impl Into<String>) -> Flash {
        Flash {
            notice: text.into(),
            copy: None,
        }
    }
}

fn mac(state: &AppState, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(state.secret()).expect("HMAC takes any key length");
    mac.update(b"flash:");
    mac.update(payload.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// Redirects to `path`, whose page will show `flash` once.
pub fn redirect(state: &AppState, path: &str, flash: Flash) -> Response {
    let json = serde_json::to_vec(&flash).unwrap_or_default();
    let payload = B64.encode(json);
    let value = format!("{payload}.{}", mac(state, &payload));
    let cookie = Cookie::build((COOKIE, value))
        .path("/staff")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config().public_url.starts_with("https://"))
        .max_age(cookie::time::Duration::minutes(5))
        .build();
    (
        AppendHeaders([(SET_COOKIE, cookie.to_string())]),
        Redirect::to(path),
    )
        .into_response()
}

/// The notice this request carries, if any and if the server signed it.
pub struct Flashed(pub Option<Flash>);

impl Flashed {
    pub fn notice(&self) -> Option<String> {
        self.0.as_ref().map(|f| f.notice.clone())
    }

    /// The header that clears a shown notice, so a reload does not show it again.
    pub fn clearing(&self) -> AppendHeaders<Vec<(HeaderName, String)>> {
        let mut headers = Vec::new();
        if self.0.is_some() {
            let removal = Cookie::build((COOKIE, ""))
                .path("/staff")
                .max_age(cookie::time::Duration::ZERO)
                .build();
            headers.push((SET_COOKIE, removal.to_string()));
        }
        AppendHeaders(headers)
    }

    /// `page` with the notice cleared.
    pub fn shown(&self, page: Response) -> Response {
        (self.clearing(), page).into_response()
    }
}

impl FromRequestParts<AppState> for Flashed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let flash = jar.get(COOKIE).and_then(|c| {
            let (payload, signature) = c.value().split_once('.')?;
            let expected = mac(state, payload);
            if !crate::tokens::same_secret(signature, &expected) {
                return None;
            }
            serde_json::from_slice(&B64.decode(payload).ok()?).ok()
        });
        Ok(Flashed(flash))
    }
}
