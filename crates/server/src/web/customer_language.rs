//! The language of a customer's page: the one they chose at the foot of our pages (a
//! cookie on their browser), else the one on their profile, else the first their browser
//! asks for that we speak, else English. Choosing while signed in to the portal also sets
//! the profile's, so the mail we send them follows.

use crate::app::AppState;
use crate::languages::{Language, Words};
use crate::web::client_ip::ClientIp;
use crate::web::pages::WebResult;
use crate::web::portal_session::Visitor;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::convert::Infallible;

const COOKIE: &str = "roadone_language";

/// What a request says of the language its reader wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked {
    chosen: Option<Language>,
    browser: Option<Language>,
}

impl<S: Send + Sync> FromRequestParts<S> for Asked {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Asked, Infallible> {
        let chosen = CookieJar::from_headers(&parts.headers)
            .get(COOKIE)
            .and_then(|c| Language::from_code(c.value()));
        let browser = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language);
        Ok(Asked { chosen, browser })
    }
}

impl Asked {
    /// The language for a reader whose profile says `profile`.
    pub fn with_profile(self, profile: Option<Language>) -> Language {
        self.chosen.or(profile).or(self.browser).unwrap_or_default()
    }

    /// The language for a reader we do not know.
    pub fn words(self) -> Words {
        Words::new(self.with_profile(None))
    }

    /// The language a new customer's profile starts with: what this browser asked for.
    pub fn for_profile(self) -> Option<Language> {
        self.chosen.or(self.browser)
    }
}

/// Where a language choice may send the reader back to: one of our own pages only.
fn back_to(back: Option<String>) -> String {
    back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/portal".into())
}

/// `POST /language`: remembers the choice on this browser for a year (and on the profile
/// of a signed-in customer), then goes back to the page it was made on.
pub async fn choose(
    State(state): State<AppState>,
    Visitor(visitor): Visitor,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let code = form.given("language").unwrap_or_default();
    if let Some(signed_in) = &visitor {
        state
            .set_customer_language(signed_in.customer_id, &code)
            .await?;
    }
    let Some(language) = Language::from_code(&code) else {
        return Err(crate::error::AppError::invalid(
            "language",
            format!("we do not write in {code:?}"),
        )
        .into());
    };
    let cookie = Cookie::build((COOKIE, language.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(cookie::time::Duration::days(365))
        .build();
    Ok((jar.add(cookie), Redirect::to(&back_to(form.given("back")))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_beats_the_profile_which_beats_the_browser() {
        let asked = |chosen, browser| Asked { chosen, browser };
        let fr = Some(Language::French);
        let en = Some(Language::English);
        assert_eq!(asked(fr, en).with_profile(en), Language::French);
        assert_eq!(asked(None, en).with_profile(fr), Language::French);
        assert_eq!(asked(None, fr).with_profile(None), Language::French);
        assert_eq!(asked(None, None).with_profile(None), Language::English);
    }

    #[test]
    fn the_way_back_stays_on_our_site() {
        assert_eq!(
            back_to(Some("/portal/cases/3?token=x".into())),
            "/portal/cases/3?token=x"
        );
        assert_eq!(back_to(Some("//evil.example/".into())), "/portal");
        assert_eq!(back_to(Some("https://evil.example/".into())), "/portal");
        assert_eq!(back_to(Some("/\\evil.example".into())), "/portal");
        assert_eq!(back_to(None), "/portal");
    }
}
