//! Two-step sign-in over HTTP: turned on only by a right code, a right password then
//! opens no session until the second step, a wrong or reused code is refused and signs
//! nobody in, tries are limited, the step expires, recovery codes work once, a password
//! set with a link still asks for the code, and an administrator can take the factor away.

use crate::common;

use common::html::unescape;
use common::staff::{self, set_passwords, StaffSession, PASSWORD};
use common::*;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use roadone_domain::Clock;

/// The code an authenticator app shows at `at` for the secret a page showed as text:
/// computed here with totp-rs itself, not with the server's own rules.
pub(crate) fn code_at(secret_text: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let secret = totp_rs::Secret::Encoded(secret_text.replace(' ', ""))
        .to_bytes()
        .expect("the page shows base32");
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some("Roadone".into()),
        "someone".into(),
    )
    .expect("an RFC 6238 secret")
    .generate(at.timestamp() as u64)
}

/// The text between `start` and the next `end` in `page`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = page.find(start)? + start.len();
    Some(&page[from..from + page[from..].find(end)?])
}

/// The secret the security page shows for typing by hand.
pub(crate) fn secret_in(page: &str) -> String {
    between(page, "id=\"secret\">", "</code>")
        .unwrap_or_else(|| panic!("the page shows the secret: {page}"))
        .to_string()
}

/// The recovery codes a page shows once.
pub(crate) fn recovery_codes_in(page: &str) -> Vec<String> {
    page.split("<li><code class=\"copyable\">")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_string())
        .collect()
}

/// Turns two-step sign-in on for the signed-in `session`: the secret and recovery codes.
async fn turn_on(app: &TestApp, session: &StaffSession) -> (String, Vec<String>) {
    let begin = session
        .post("/staff/security/begin")
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(begin.status(), StatusCode::SEE_OTHER);
    let page = session.get_text("/staff/security").await;
    assert!(page.contains("<svg"), "a QR code to scan: {page}");
    let secret = secret_in(&page);
    let on = session
        .post("/staff/security/confirm")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("current", PASSWORD),
            ("code", &code_at(&secret, app.clock.now())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), StatusCode::OK);
    let page = on.text().await.unwrap();
    let codes = recovery_codes_in(&page);
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once: {page}");
    (secret, codes)
}

/// A browser going through the sign-in: its pending sign-in and its session cookies.
struct Visitor {
    client: reqwest::Client,
    base: String,
    pending: Option<String>,
    session: Option<String>,
}

fn cookie_in(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v[name.len() + 1..].split(';').next().unwrap().to_string())
}

impl Visitor {
    fn new(app: &TestApp) -> Visitor {
        Visitor {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.url.clone(),
            pending: None,
            session: None,
        }
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut request = self.client.post(format!("{}{path}", self.base)).form(form);
        if let Some(p) = &self.pending {
            request = request.header(COOKIE, format!("roadone_pending={p}"));
        }
        let r = request.send().await.unwrap();
        if let Some(p) = cookie_in(&r, "roadone_pending") {
            self.pending = Some(p).filter(|p| !p.is_empty());
        }
        if let Some(s) = cookie_in(&r, "roadone_staff") {
            self.session = Some(s).filter(|s| !s.is_empty());
        }
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, unescape(&r.text().await.unwrap()))
    }

    async fn password(&mut self, email: &str, password: &str) -> (StatusCode, String, String) {
        self.post(
            "/staff/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    async fn code(&mut self, code: &str) -> (StatusCode, String, String) {
        self.post("/staff/sign-in/code", &[("code", code)]).await
    }

    /// Whether the session cookie it holds opens a staff page.
    async fn signed_in(&self) -> bool {
        let Some(s) = &self.session else {
            return false;
        };
        let r = self
            .client
            .get(format!("{}/staff/cases", self.base))
            .header(COOKIE, format!("roadone_staff={s}"))
            .send()
            .await
            .unwrap();
        r.status() == StatusCode::OK
    }
}

/// A frontline person with a password and two-step sign-in on, and the session they
/// turned it on in (it stays open).
struct TwoStep {
    id: i64,
    email: String,
    secret: String,
    codes: Vec<String>,
    session: StaffSession,
}

async fn with_two_step(app: &TestApp, org: &Org) -> TwoStep {
    let id = org.front1.id;
    set_passwords(app, &[id]).await;
    let session = StaffSession::sign_in(app, id).await;
    let (secret, codes) = turn_on(app, &session).await;
    TwoStep {
        id,
        email: staff::email_of(app, id).await,
        secret,
        codes,
        session,
    }
}

#[tokio::test]
async fn nothing_is_on_until_a_right_code_and_then_a_password_alone_opens_no_session() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let session = StaffSession::sign_in(&app, org.front1.id).await;
    let off = session.get_text("/staff/security").await;
    assert!(off.contains("Turn on two-step sign-in"), "{off}");
    session
        .post("/staff/security/begin")
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let waiting = session.get_text("/staff/security").await;
    let secret = secret_in(&waiting);
    let wrong = session
        .post("/staff/security/confirm")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("current", PASSWORD),
            ("code", "000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = unescape(&wrong.text().await.unwrap());
    assert!(
        page.contains("aria-describedby=\"code-error\"")
            && page.contains("id=\"code-error\">The code is not the one your app shows now"),
        "the refusal in words at its field: {page}"
    );
    // Not on: the password alone still signs in.
    let email = staff::email_of(&app, org.front1.id).await;
    let mut v = Visitor::new(&app);
    let (status, location, _) = v.password(&email, PASSWORD).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/cases")
    );
    assert!(v.signed_in().await);

    // A right code turns it on and shows the recovery codes once.
    let on = session
        .post("/staff/security/confirm")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("current", PASSWORD),
            ("code", &code_at(&secret, app.clock.now())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), StatusCode::OK);
    assert_eq!(recovery_codes_in(&on.text().await.unwrap()).len(), 10);
    let later = session.get_text("/staff/security").await;
    assert!(later.contains("10 recovery codes are left"), "{later}");
    assert!(
        recovery_codes_in(&later).is_empty() && !later.contains(&secret),
        "neither the codes nor the secret are shown again"
    );

    // Now the password opens no session, only the second step.
    let mut v = Visitor::new(&app);
    let (status, location, _) = v.password(&email, PASSWORD).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/sign-in/code")
    );
    assert!(v.session.is_none() && v.pending.is_some(), "no session yet");

    // A wrong code: refused at its field, nobody signed in.
    let (status, _, page) = v.code("123456").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("aria-describedby=\"code-error\"")
            && page.contains("The code is not the one your app shows now"),
        "{page}"
    );
    assert!(v.session.is_none() && !v.signed_in().await);
    let (status, _, page) = v.code("not a code").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("should be the 6 digits your app shows"),
        "{page}"
    );

    // The code that turned it on was used: refused, even within its 30 seconds.
    let (status, _, page) = v.code(&code_at(&secret, app.clock.now())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The code was used already"), "{page}");
    assert!(v.session.is_none());

    // The next one signs in, once.
    app.clock.advance(chrono::Duration::seconds(30));
    let code = code_at(&secret, app.clock.now());
    let (status, location, _) = v.code(&code).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/cases")
    );
    assert!(v.signed_in().await, "signed in after the second step");
    let mut again = Visitor::new(&app);
    again.password(&email, PASSWORD).await;
    let (status, _, page) = again.code(&code).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code works once"
    );
    assert!(page.contains("used already"), "{page}");
    assert!(again.session.is_none());
}

#[tokio::test]
async fn the_second_step_expires_and_tries_are_limited() {
    let app = TestApp::spawn().await;
    let TwoStep { email, secret, .. } = with_two_step(&app, &app.org().await).await;
    let mut v = Visitor::new(&app);
    v.password(&email, PASSWORD).await;
    app.clock.advance(chrono::Duration::minutes(6));
    let (status, _, page) = v.code(&code_at(&secret, app.clock.now())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(page.contains("Sign in again"), "{page}");
    assert!(v.session.is_none() && !v.signed_in().await);
    assert!(v.pending.is_none(), "the pending cookie is cleared");
    // Without a pending sign-in the page sends the browser back to the password.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/staff/sign-in/code", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/staff/sign-in");

    // Five wrong tries, then a wait, said at the field.
    let mut v = Visitor::new(&app);
    v.password(&email, PASSWORD).await;
    for _ in 0..5 {
        let (status, _, _) = v.code("000001").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _, page) = v.code(&code_at(&secret, app.clock.now())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(
        page.contains("id=\"code-error\">Too many wrong tries at the code; wait"),
        "{page}"
    );
    assert!(v.session.is_none(), "even a right code waits");
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_says_how_many_are_left() {
    let app = TestApp::spawn().await;
    let TwoStep { email, codes, .. } = with_two_step(&app, &app.org().await).await;
    let mut v = Visitor::new(&app);
    v.password(&email, PASSWORD).await;
    let (status, location, _) = v.code(&codes[3].to_uppercase()).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/security")
    );
    assert!(v.signed_in().await);
    let mut again = Visitor::new(&app);
    again.password(&email, PASSWORD).await;
    let (status, _, page) = again.code(&codes[3]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("was used already: each works once"), "{page}");
    assert!(again.session.is_none());
}

#[tokio::test]
async fn a_password_set_with_a_link_still_asks_for_the_code() {
    let app = TestApp::spawn().await;
    let TwoStep {
        id, email, secret, ..
    } = with_two_step(&app, &app.org().await).await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin]).await;
    let admin = StaffSession::sign_in(&app, admin).await;
    // No relay: the administrator is given the reset link to pass on.
    let sent = admin
        .post("/staff/admin/people/invite")
        .form(&[("csrf", admin.csrf.as_str()), ("id", &id.to_string())])
        .send()
        .await
        .unwrap();
    let page = unescape(&admin.follow(sent).await);
    let link = between(&page, &format!("value=\"{}", app.url), "\"")
        .expect("the link to pass on")
        .to_string();
    assert!(link.starts_with("/staff/password/"), "{link}");
    let new_password = "a brand new password";
    let mut v = Visitor::new(&app);
    let (status, location, _) = v
        .post(&link, &[("new", new_password), ("repeat", new_password)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/sign-in/code"),
        "the new password is set, the second step still to come"
    );
    assert!(v.session.is_none(), "no session from the link alone");
    app.clock.advance(chrono::Duration::seconds(30));
    let (status, _, _) = v.code(&code_at(&secret, app.clock.now())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(v.signed_in().await);
    let mut fresh = Visitor::new(&app);
    let (_, location, _) = fresh.password(&email, new_password).await;
    assert_eq!(location, "/staff/sign-in/code", "the new password asks too");
}

#[tokio::test]
async fn an_administrator_turns_off_a_lost_phone_after_confirming() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let TwoStep { id, email, .. } = with_two_step(&app, &org).await;
    let admin_id = app.admin_id().await;
    set_passwords(&app, &[admin_id, org.manager.id]).await;
    let admin = StaffSession::sign_in(&app, admin_id).await;
    let people = admin.get_text("/staff/admin/people").await;
    assert!(people.contains("two-step sign-in on"), "{people}");
    let target = id.to_string();
    let ask = admin
        .post("/staff/admin/people/reset-second-factor")
        .form(&[("csrf", admin.csrf.as_str()), ("id", &target)])
        .send()
        .await
        .unwrap();
    assert_eq!(ask.status(), StatusCode::OK, "a confirmation page first");
    let ask = unescape(&ask.text().await.unwrap());
    assert!(ask.contains("Turn off two-step sign-in for"), "{ask}");
    assert!(ask.contains("name=\"confirm\" value=\"yes\""), "{ask}");
    let mut v = Visitor::new(&app);
    let (_, location, _) = v.password(&email, PASSWORD).await;
    assert_eq!(
        location, "/staff/sign-in/code",
        "still on before the confirmation"
    );

    // Nobody else may, and not for themselves.
    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let refused = manager
        .post("/staff/admin/people/reset-second-factor")
        .form(&[
            ("csrf", manager.csrf.as_str()),
            ("id", &target),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let own = admin
        .post("/staff/admin/people/reset-second-factor")
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("id", &admin_id.to_string()),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another administrator's: not from the pages (one admin session must not be enough
    // to take over another admin's account), only on the server's shell.
    let other_admin = app.person("Otto Admin", "admin", None).await;
    let not_theirs = admin
        .post("/staff/admin/people/reset-second-factor")
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("id", &other_admin.id.to_string()),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
    let said = unescape(&not_theirs.text().await.unwrap());
    assert!(
        said.contains("Otto Admin is an administrator")
            && said.contains("roadone user two-step-off"),
        "{said}"
    );

    let done = admin
        .post("/staff/admin/people/reset-second-factor")
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("id", &target),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    let notice = unescape(&admin.follow(done).await);
    assert!(notice.contains("Two-step sign-in is off for"), "{notice}");
    let mut v = Visitor::new(&app);
    let (_, location, _) = v.password(&email, PASSWORD).await;
    assert_eq!(
        location, "/staff/cases",
        "the password alone signs in again"
    );
    assert!(v.signed_in().await);
}

#[tokio::test]
async fn turning_off_and_new_recovery_codes_need_the_current_password() {
    let app = TestApp::spawn().await;
    let TwoStep {
        email,
        codes: old_codes,
        session,
        ..
    } = with_two_step(&app, &app.org().await).await;
    for action in ["recovery-codes", "off"] {
        let wrong = session
            .post(&format!("/staff/security/{action}"))
            .form(&[
                ("csrf", session.csrf.as_str()),
                ("current", "not my password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        let page = unescape(&wrong.text().await.unwrap());
        assert!(
            page.contains("Your current password is not right."),
            "{action}: {page}"
        );
    }
    let new = session
        .post("/staff/security/recovery-codes")
        .form(&[("csrf", session.csrf.as_str()), ("current", PASSWORD)])
        .send()
        .await
        .unwrap();
    let new_codes = recovery_codes_in(&new.text().await.unwrap());
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    let mut v = Visitor::new(&app);
    v.password(&email, PASSWORD).await;
    let (status, _, _) = v.code(&old_codes[0]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "old codes stop working"
    );
    let off = session
        .post("/staff/security/off")
        .form(&[("csrf", session.csrf.as_str()), ("current", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    let mut v = Visitor::new(&app);
    let (_, location, _) = v.password(&email, PASSWORD).await;
    assert_eq!(location, "/staff/cases");
}

/// Turning it on asks for the password as well as a code, so that someone with only an
/// open session cannot enrol their own phone and lock the owner out.
#[tokio::test]
async fn turning_it_on_needs_the_password_too() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let session = StaffSession::sign_in(&app, org.front1.id).await;
    session
        .post("/staff/security/begin")
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let secret = secret_in(&session.get_text("/staff/security").await);
    // A right code without the password: someone with only this session cannot enrol
    // their own phone.
    let no_password = session
        .post("/staff/security/confirm")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("current", "not my password"),
            ("code", &code_at(&secret, app.clock.now())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = unescape(&no_password.text().await.unwrap());
    assert!(
        page.contains("aria-describedby=\"confirm-current-error\""),
        "said at the password field: {page}"
    );
    let page = session.get_text("/staff/security").await;
    assert!(page.contains("not on yet"), "nothing turned on: {page}");
}
