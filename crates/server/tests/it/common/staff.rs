//! A member of staff signed in to the staff pages: their session cookie and CSRF token,
//! and requests that carry them (redirects not followed, so tests see each answer).

// Each test binary uses a part of it.
#![allow(dead_code)]

use super::TestApp;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{RequestBuilder, StatusCode};

pub const PASSWORD: &str = "a long enough password";

pub struct StaffSession {
    pub client: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

/// Gives each of `ids` the password [`PASSWORD`] (hashed once).
pub async fn set_passwords(app: &TestApp, ids: &[i64]) {
    let hash = roadone_server::passwords::hash(PASSWORD.into())
        .await
        .expect("hash");
    for id in ids {
        app.store
            .set_password_hash(*id, &hash)
            .await
            .expect("set the password");
    }
}

pub async fn email_of(app: &TestApp, id: i64) -> String {
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    people
        .body
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["id"] == id)
        .expect("the person")["email"]
        .as_str()
        .expect("an email")
        .to_string()
}

/// The value of the first `name="csrf"` input of a page.
pub fn csrf_in(page: &str) -> Option<String> {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
}

impl StaffSession {
    /// Signs the person `id` in (their password must be [`PASSWORD`]).
    pub async fn sign_in(app: &TestApp, id: i64) -> StaffSession {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let email = email_of(app, id).await;
        let r = client
            .post(format!("{}/staff/sign-in", app.url))
            .form(&[("email", email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .expect("the server answers");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email} signs in");
        let cookie = r
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("roadone_staff="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        let mut session = StaffSession {
            client,
            base: app.url.clone(),
            cookie,
            csrf: String::new(),
        };
        let page = session.get_text("/staff/cases").await;
        session.csrf = csrf_in(&page).expect("a csrf token in the page");
        session
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
    }

    /// Follows a redirect as a browser would: to its `Location`, carrying the one-time
    /// notice cookie it set, if any.
    pub async fn follow(&self, redirect: reqwest::Response) -> String {
        assert!(
            redirect.status().is_redirection(),
            "a redirect, got {}",
            redirect.status()
        );
        let location = redirect.headers()[reqwest::header::LOCATION]
            .to_str()
            .expect("a Location")
            .to_string();
        self.get_text_with_flash(&location, flash_of(redirect.headers()).as_deref())
            .await
    }

    /// A page, carrying the one-time notice cookie `flash` (`name=value`) too.
    pub async fn get_text_with_flash(&self, path: &str, flash: Option<&str>) -> String {
        let cookies = match flash {
            Some(flash) => format!("{}; {flash}", self.cookie),
            None => self.cookie.clone(),
        };
        self.client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, cookies)
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("a body")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path)
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("a body")
    }
}

/// The one-time notice cookie (`name=value`) a redirect sets, if any.
pub fn flash_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("roadone_flash="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}
