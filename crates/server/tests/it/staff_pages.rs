//! The staff pages as a member of staff's browser uses them: signing in with a password
//! (`/staff/sign-in`), the session cookie and its CSRF token, changing the password, my
//! cases, the case page with only the actions the case rules allow (docs/design.md §2), files,
//! escaping and the sign-in rate limit.

use crate::common;

use common::browser::{csrf_of, Browser, Page};
use common::html::*;
use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use roadone_server::passwords;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SESSION_COOKIE: &str = "roadone_staff";
const PASSWORD: &str = "correct horse battery";

const FRONT1: &str = "fran.front@example.com";
const FRONT2: &str = "finn.front@example.com";
const LEAD: &str = "leo.lead@example.com";
const MANAGER: &str = "mona.manager@example.com";

// --- a browser -------------------------------------------------------------------------

impl Page {
    /// The problem a refused form shows at the top of the page.
    fn problem(&self) -> Option<String> {
        let marker = "<p class=\"problem\" role=\"alert\">";
        let start = self.text.find(marker)? + marker.len();
        let end = self.text[start..].find("</p>")?;
        Some(unescape(&self.text[start..start + end]))
    }

    /// The message of a page: the problem on a form, or the error page's text.
    fn says(&self) -> String {
        self.problem().unwrap_or_else(|| unescape(&self.text))
    }
}

impl Browser {
    fn staff(app: &TestApp) -> Browser {
        Browser::keeping(app, SESSION_COOKIE, None)
    }

    /// Another browser that carries this cookie (a copied, stolen or planted one).
    fn staff_with_cookie(app: &TestApp, cookie: Option<String>) -> Browser {
        Browser::keeping(app, SESSION_COOKIE, cookie)
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.post(
            "/staff/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Whether this browser is signed in: my cases, or a redirect to the sign-in page.
    async fn signed_in(&mut self) -> bool {
        let page = self.get("/staff/cases").await;
        match page.status {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => {
                assert!(
                    page.location().starts_with("/staff/sign-in"),
                    "{}",
                    page.location()
                );
                false
            }
            other => panic!("my cases answered {other}: {}", page.text),
        }
    }

    /// The CSRF token of this browser's session (from a page with forms).
    async fn csrf(&mut self) -> String {
        let page = self.get("/staff/cases").await;
        assert_eq!(page.status, StatusCode::OK, "signed in: {}", page.text);
        csrf_of(&page)
    }
}

/// A browser signed in as `email`.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut browser = Browser::staff(app);
    let page = browser.sign_in(email, password).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{email} signs in: {}",
        page.text
    );
    assert_eq!(page.location(), "/staff/cases");
    assert!(
        browser.cookie.is_some(),
        "a session cookie: {:?}",
        page.headers
    );
    browser
}

// --- reading pages ---------------------------------------------------------------------

/// The case ids a page links to (`/staff/cases/{id}`), in page order.
fn linked_cases(page: &Page) -> Vec<i64> {
    attributes(&page.text, "href")
        .iter()
        .filter_map(|h| h.strip_prefix("/staff/cases/"))
        .filter_map(|rest| rest.split(['/', '?', '#']).next()?.parse().ok())
        .collect()
}

/// The actions (`solve`, `take`, …) the forms of case `id`'s page post to.
fn offered(page: &Page, id: i64) -> Vec<String> {
    let prefix = format!("/staff/cases/{id}/");
    attributes(&page.text, "action")
        .iter()
        .filter_map(|a| a.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

/// The offered actions that move or answer the case (internal notes aside: anyone on
/// staff may add one).
fn moves(page: &Page, id: i64) -> Vec<String> {
    offered(page, id)
        .into_iter()
        .filter(|a| ["solve", "pass-up", "take", "upgrade", "reply"].contains(&a.as_str()))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// --- the server and its people ---------------------------------------------------------

/// A server whose public limits are raised, so that tests of other behaviour are not cut
/// short; the limit itself is tested below.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|c| {
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 1000;
    })
    .await
}

/// Gives each of `people` the password (hashed once: argon2 is slow in debug builds).
async fn set_password(app: &TestApp, people: &[&Member], password: &str) {
    let hash = passwords::hash(password.into())
        .await
        .expect("a strong enough password");
    for person in people {
        app.store
            .set_password_hash(person.id, &hash)
            .await
            .expect("set the password");
    }
}

/// Opens a billing case as `by` through the API with `body` as the customer's words.
async fn open_with_body(app: &TestApp, by: &Member, subject: &str, body: &str) -> i64 {
    let mut intake = intake(subject);
    intake["body"] = json!(body);
    let r = app.post(&by.token, "/api/v1/cases", &intake).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().expect("a case id")
}

async fn solve_by_api(app: &TestApp, by: &Member, id: i64) {
    app.act_ok(
        by,
        id,
        "solve",
        &json!({"resolution": "Done.", "road": 2, "learned": "Nothing new."}),
    )
    .await;
}

/// Posts one action from the case page and expects it refused: a 4xx page that says why,
/// with nothing recorded on the case. Returns the page.
async fn refused_action(
    app: &TestApp,
    browser: &mut Browser,
    id: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let before = app.case(id).await;
    let page = browser
        .post(&format!("/staff/cases/{id}/{action}"), fields)
        .await;
    assert!(
        page.status.is_client_error(),
        "{action} is refused with a 4xx, got {}: {}",
        page.status,
        page.text
    );
    assert!(
        page.header("content-type")
            .is_some_and(|v| v.starts_with("text/html")),
        "a refusal is a page: {:?}",
        page.headers
    );
    assert_eq!(
        app.case(id).await,
        before,
        "a refused {action} changes nothing on the case"
    );
    page
}

// --- tests: signing in -----------------------------------------------------------------

#[tokio::test]
async fn a_link_to_a_case_lands_on_the_case_through_the_sign_in_page() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let case = format!("/staff/cases/{id}");
    let mut browser = Browser::staff(&app);

    let page = browser.get(&case).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let sign_in = page.location().to_string();
    assert_eq!(
        sign_in,
        format!("/staff/sign-in?next=%2Fstaff%2Fcases%2F{id}")
    );
    let form = browser.get(&sign_in).await;
    assert!(
        unescape(&form.text).contains(&format!("name=\"next\" value=\"{case}\"")),
        "the form carries where to go: {}",
        form.text
    );
    let wrong = browser
        .post(
            "/staff/sign-in",
            &[
                ("email", FRONT1),
                ("password", "not it at all"),
                ("next", &case),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        unescape(&wrong.text).contains(&format!("value=\"{case}\"")),
        "a wrong password keeps where to go"
    );
    let page = browser
        .post(
            "/staff/sign-in",
            &[("email", FRONT1), ("password", PASSWORD), ("next", &case)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(
        page.location(),
        case,
        "signed in, on the case the link named"
    );
    assert_eq!(browser.get(&case).await.status, StatusCode::OK);

    // Anywhere but a page of this server's staff side is not followed.
    for elsewhere in [
        "https://evil.example/staff/cases",
        "//evil.example/staff/cases",
        "/staff/\\evil.example",
        "/portal",
        "/staff/sign-out",
    ] {
        let mut other = Browser::staff(&app);
        let page = other
            .post(
                "/staff/sign-in",
                &[
                    ("email", FRONT1),
                    ("password", PASSWORD),
                    ("next", elsewhere),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{elsewhere}: {}",
            page.text
        );
        assert_eq!(
            page.location(),
            "/staff/cases",
            "{elsewhere} is not followed"
        );
    }
}

#[tokio::test]
async fn signing_in_with_the_right_password_sets_a_locked_down_session_cookie() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let mut browser = Browser::staff(&app);

    for (path, sent_to) in [
        ("/staff", "/staff/sign-in"),
        ("/staff/cases", "/staff/sign-in?next=%2Fstaff%2Fcases"),
        ("/staff/password", "/staff/sign-in?next=%2Fstaff%2Fpassword"),
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}: {}", page.text);
        assert_eq!(page.location(), sent_to, "{path} without a session");
    }
    let form = browser.get("/staff/sign-in").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(
        attributes(&form.text, "action").contains(&"/staff/sign-in".to_string()),
        "the sign-in form posts to /staff/sign-in: {}",
        form.text
    );

    let page = browser.sign_in(FRONT1, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(page.location(), "/staff/cases");
    let set = page
        .set_cookie()
        .unwrap_or_else(|| panic!("a session cookie: {:?}", page.headers));
    let attrs: Vec<String> = set
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    // Path=/: the portal must see a staff session to refuse a staff member's rating.
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "the session cookie is {wanted}: {set}"
        );
    }
    let value = page.session_cookie().expect("the cookie's value");
    assert!(
        value.len() >= 20,
        "the session cookie is a long random secret: {set}"
    );

    let cases = browser.get("/staff/cases").await;
    assert_eq!(cases.status, StatusCode::OK, "{}", cases.text);
    assert!(
        cases.text.contains("Fran Front"),
        "the page names who is signed in: {}",
        cases.text
    );
    let home = browser.get("/staff").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/staff/cases");
    let form = browser.get("/staff/sign-in").await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "signed in already");
    assert_eq!(form.location(), "/staff/cases");

    // The address is matched whatever its case.
    let mut other = Browser::staff(&app);
    let page = other.sign_in("Fran.Front@EXAMPLE.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(other.signed_in().await);
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_and_no_password_all_get_the_same_401() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;

    let attempts = [
        ("a wrong password", FRONT1, "correct horse battery!"),
        ("an empty password", FRONT1, ""),
        ("an unknown email", "nobody@example.com", PASSWORD),
        ("a person without a password", FRONT2, PASSWORD),
        ("a person without a password, nothing typed", FRONT2, ""),
    ];
    let mut pages = Vec::new();
    for (what, email, password) in attempts {
        let mut browser = Browser::staff(&app);
        let page = browser.sign_in(email, password).await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{what} is refused: {}",
            page.text
        );
        assert!(
            page.set_cookie().is_none() && browser.cookie.is_none(),
            "{what} sets no cookie: {:?}",
            page.headers
        );
        let problem = page
            .problem()
            .unwrap_or_else(|| panic!("{what}: the page says what went wrong: {}", page.text));
        assert!(
            problem.contains("do not match"),
            "{what}: the page says the two do not match: {problem}"
        );
        assert!(!browser.signed_in().await, "{what} signs nobody in");
        // The page echoes the address typed; apart from that, all are the same.
        pages.push((what, page.text.replace(email, "EMAIL")));
    }
    for (what, text) in &pages[1..] {
        assert_eq!(
            text, &pages[0].1,
            "{what} gets exactly the page a wrong password gets (no user enumeration)"
        );
    }
}

#[tokio::test]
async fn signing_in_replaces_any_session_the_browser_had_before() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.front2], PASSWORD).await;

    // Signing in again while signed in: the earlier session ends.
    let mut browser = signed_in(&app, FRONT1, PASSWORD).await;
    let old = browser.cookie.clone();
    let mut copy = Browser::staff_with_cookie(&app, old.clone());
    assert!(copy.signed_in().await, "a copy of a live cookie works");
    let page = browser.sign_in(FRONT1, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(
        page.set_cookie().is_some(),
        "a new session cookie: {:?}",
        page.headers
    );
    assert_ne!(browser.cookie, old, "the session is a new one");
    assert!(browser.signed_in().await, "the new session works");
    assert!(
        !copy.signed_in().await,
        "the session from before signing in ended"
    );

    // The same when the earlier session was someone else's.
    let mut shared = signed_in(&app, FRONT2, PASSWORD).await;
    let mut finns = Browser::staff_with_cookie(&app, shared.cookie.clone());
    let page = shared.sign_in(FRONT1, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(!finns.signed_in().await, "Finn's session ended");
    let mine = shared.get("/staff/cases").await;
    assert!(mine.text.contains("Fran Front"), "{}", mine.text);

    // A cookie planted before signing in is never adopted.
    let planted = "0123456789abcdef0123456789abcdef".to_string();
    let mut victim = Browser::staff_with_cookie(&app, Some(planted.clone()));
    assert!(!victim.signed_in().await);
    let page = victim.sign_in(FRONT1, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(victim.cookie.is_some());
    assert_ne!(victim.cookie.as_deref(), Some(planted.as_str()));
    let mut attacker = Browser::staff_with_cookie(&app, Some(planted));
    assert!(
        !attacker.signed_in().await,
        "the planted cookie is not signed in"
    );
    assert!(victim.signed_in().await);
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let mut browser = signed_in(&app, FRONT1, PASSWORD).await;
    app.advance(hours(11) + minutes(59));
    assert!(browser.signed_in().await, "still within the working day");
    app.advance(minutes(2));
    assert!(
        !browser.signed_in().await,
        "twelve hours later: sign in again"
    );
}

// --- tests: signing out ----------------------------------------------------------------

#[tokio::test]
async fn signing_out_needs_the_csrf_token_and_ends_the_session_even_for_a_copy() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let mut browser = signed_in(&app, FRONT1, PASSWORD).await;
    let mut second = signed_in(&app, FRONT1, PASSWORD).await;
    let csrf = browser.csrf().await;
    let others = second.csrf().await;
    assert_ne!(csrf, others, "each session has its own token");

    for (what, fields) in [
        ("no token", vec![]),
        (
            "a wrong token",
            vec![("csrf", "00000000000000000000000000000000")],
        ),
        ("another session's token", vec![("csrf", others.as_str())]),
    ] {
        let page = browser.post("/staff/sign-out", &fields).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "signing out with {what} is refused: {}",
            page.text
        );
        assert!(page.set_cookie().is_none(), "{what}: the cookie stays");
        assert!(browser.signed_in().await, "{what}: the session still works");
    }

    let copy_of_cookie = browser.cookie.clone();
    let page = browser.post("/staff/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(page.location(), "/staff/sign-in");
    let set = page.set_cookie().expect("the cookie is cleared");
    assert_eq!(
        page.session_cookie().as_deref(),
        Some(""),
        "the cookie is emptied: {set}"
    );
    assert!(
        set.to_ascii_lowercase().contains("path=/"),
        "the cleared cookie is the session's own: {set}"
    );
    assert!(!browser.signed_in().await);
    let mut copy = Browser::staff_with_cookie(&app, copy_of_cookie);
    assert!(
        !copy.signed_in().await,
        "a copy of the cookie no longer works"
    );
    assert!(second.signed_in().await, "another session is not touched");
}

// --- tests: changing the password ------------------------------------------------------

#[tokio::test]
async fn changing_the_password_checks_it_then_ends_every_session() {
    const NEW: &str = "a much better passphrase";
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let mut browser = signed_in(&app, FRONT1, PASSWORD).await;
    let mut laptop = signed_in(&app, FRONT1, PASSWORD).await;
    let form = browser.get("/staff/password").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let csrf = csrf_of(&form);

    for (what, fields, says) in [
        (
            "a wrong current password",
            [
                ("current", "not my password at all"),
                ("new", NEW),
                ("repeat", NEW),
            ],
            "current",
        ),
        (
            "two different new passwords",
            [
                ("current", PASSWORD),
                ("new", NEW),
                ("repeat", "a much better passphrasE"),
            ],
            "repeat",
        ),
        (
            "a new password that is too short",
            [("current", PASSWORD), ("new", "short"), ("repeat", "short")],
            "10 characters",
        ),
    ] {
        let mut fields = fields.to_vec();
        fields.push(("csrf", csrf.as_str()));
        let page = browser.post("/staff/password", &fields).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what} is refused: {}",
            page.text
        );
        let problem = page
            .problem()
            .unwrap_or_else(|| panic!("{what}: the page says why: {}", page.text));
        assert!(problem.contains(says), "{what}: {problem}");
        assert!(browser.signed_in().await, "{what}: still signed in");
    }
    let page = browser
        .post(
            "/staff/password",
            &[("current", PASSWORD), ("new", NEW), ("repeat", NEW)],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "a change without the CSRF token is refused: {}",
        page.text
    );
    // Nothing was changed: the old password still signs in.
    let mut third = signed_in(&app, FRONT1, PASSWORD).await;

    let page = browser
        .post(
            "/staff/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", NEW),
                ("repeat", NEW),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(
        page.location().starts_with("/staff/sign-in"),
        "back to signing in: {}",
        page.location()
    );
    assert!(!browser.signed_in().await, "this session ended");
    assert!(!laptop.signed_in().await, "the laptop's session ended");
    assert!(!third.signed_in().await, "every session ended");

    let old = Browser::staff(&app).sign_in(FRONT1, PASSWORD).await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works: {}",
        old.text
    );
    signed_in(&app, FRONT1, NEW).await;
}

// --- tests: my cases -------------------------------------------------------------------

#[tokio::test]
async fn my_cases_lists_my_open_cases_most_urgent_first_with_the_time_left() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.manager], PASSWORD).await;

    // a escalates at +20 h; b is opened at +1 h, solved, and reopened at +3 h (so at
    // +23 h); c is opened at +2 h (+22 h). Most urgent first is a, c, b: neither the
    // order of ids nor that of the last change.
    let a = app.open_case_id(&org.front1, "Invoice missing").await;
    app.advance(hours(1));
    let b = app.open_case_id(&org.front1, "Printer refund").await;
    let customer = app.customer_token_of(b).await;
    solve_by_api(&app, &org.front1, b).await;
    app.advance(hours(1));
    let c = app.open_case_id(&org.front1, "Duplicate payment").await;
    let theirs = app.open_case_id(&org.front2, "Finn's own case").await;
    let solved = app.open_case_id(&org.front1, "An old question").await;
    solve_by_api(&app, &org.front1, solved).await;
    app.advance(hours(1));
    let wrote = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{b}/customer-messages?token={customer}"),
            )
            .json(&json!({"body": "It is still broken."})),
        )
        .await;
    assert_eq!(wrote.status, StatusCode::OK, "{}", wrote.text);
    app.advance(hours(1));
    app.act_ok(
        &org.front1,
        a,
        "messages",
        &json!({"body": "Looking into it."}),
    )
    .await;
    let deadline = |v: Value| time(&v["escalates_at"]);
    assert!(
        deadline(app.case(a).await) < deadline(app.case(c).await)
            && deadline(app.case(c).await) < deadline(app.case(b).await),
        "the fixture is as described"
    );

    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let page = fran.get("/staff/cases").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        linked_cases(&page),
        [a, c, b],
        "my open cases, the least time left first: {}",
        page.text
    );
    let lefts: Vec<usize> = ["16 h 0 min left", "18 h 0 min left", "19 h 0 min left"]
        .iter()
        .map(|l| {
            page.text
                .find(l)
                .unwrap_or_else(|| panic!("the countdown {l:?} is shown: {}", page.text))
        })
        .collect();
    assert!(
        lefts.windows(2).all(|w| w[0] < w[1]),
        "each case shows its own time left"
    );
    assert!(
        !unescape(&page.text).contains("Finn's own case"),
        "another person's case is not mine: {}",
        page.text
    );
    assert!(!page.text.contains("An old question"), "solved is not open");

    let page = fran.get("/staff/cases?state=solved").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(linked_cases(&page), [solved]);
    let page = fran.get("/staff/cases?state=all").await;
    assert_eq!(linked_cases(&page), [a, c, b, solved]);
    let page = fran.get("/staff/cases?q=PRINTER").await;
    assert_eq!(
        linked_cases(&page),
        [b],
        "the search filters by subject: {}",
        page.text
    );
    let page = fran.get("/staff/cases?q=duplicate&state=all").await;
    assert_eq!(linked_cases(&page), [c]);
    let page = fran.get("/staff/cases?q=zebra").await;
    assert_eq!(linked_cases(&page), Vec::<i64>::new());

    let page = fran.get("/staff/cases?state=bogus").await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown state is refused: {}",
        page.text
    );
    assert!(
        page.says().contains("open, solved, junk or all"),
        "{}",
        page.text
    );
    let page = fran.get("/staff/cases?who=all").await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "frontline do not see everyone's cases: {}",
        page.text
    );
    assert!(!page.text.contains("Finn"), "{}", page.text);

    let mut mona = signed_in(&app, MANAGER, PASSWORD).await;
    let page = mona.get("/staff/cases").await;
    assert_eq!(linked_cases(&page), Vec::<i64>::new(), "Mona owns none");
    let page = mona.get("/staff/cases?who=all").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let all = linked_cases(&page);
    assert_eq!(all.len(), 4, "every open case: {all:?}");
    for id in [a, b, c, theirs] {
        assert!(all.contains(&id), "case {id} is listed: {all:?}");
    }
    assert!(
        page.text.contains("Finn Front") && page.text.contains("Fran Front"),
        "with their owners: {}",
        page.text
    );
}

// --- tests: the case page and its actions ----------------------------------------------

#[tokio::test]
async fn the_case_page_offers_only_the_actions_the_rules_allow() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.front2, &org.manager], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let path = format!("/staff/cases/{id}");

    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let page = fran.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let actions = offered(&page, id);
    for action in ["solve", "pass-up", "upgrade", "reply"] {
        assert!(
            actions.contains(&action.to_string()),
            "the owner may {action}: {actions:?}"
        );
    }
    assert!(
        !actions.contains(&"take".to_string()),
        "the owner cannot take their own case: {actions:?}"
    );
    let token = csrf_of(&page);
    for form in attributes(&page.text, "value")
        .iter()
        .filter(|v| v.len() == token.len() && v.chars().all(|c| c.is_ascii_hexdigit()))
    {
        assert_eq!(form, &token, "every form carries the session's token");
    }

    let mut mona = signed_in(&app, MANAGER, PASSWORD).await;
    let page = mona.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let actions = offered(&page, id);
    assert!(
        actions.contains(&"take".to_string()),
        "a manager above the owner may take: {actions:?}"
    );
    for action in ["solve", "pass-up", "upgrade"] {
        assert!(
            !actions.contains(&action.to_string()),
            "only the owner may {action}: {actions:?}"
        );
    }

    let mut finn = signed_in(&app, FRONT2, PASSWORD).await;
    let page = finn.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        moves(&page, id),
        Vec::<String>::new(),
        "a peer may not move or answer the case"
    );

    solve_by_api(&app, &org.front1, id).await;
    let page = fran.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let actions = offered(&page, id);
    for action in ["solve", "pass-up", "take", "upgrade"] {
        assert!(
            !actions.contains(&action.to_string()),
            "a solved case cannot be {action}: {actions:?}"
        );
    }
    let page = mona.get(&path).await;
    assert!(
        !offered(&page, id).contains(&"take".to_string()),
        "a solved case cannot be taken"
    );
}

#[tokio::test]
async fn an_action_the_rules_forbid_is_refused_with_a_reason_and_records_nothing() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.front2], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let mut finn = signed_in(&app, FRONT2, PASSWORD).await;
    let finns = finn.csrf().await;
    let frans = fran.csrf().await;

    let page = refused_action(&app, &mut finn, id, "take", &[("csrf", &finns)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text);
    assert!(
        page.problem()
            .is_some_and(|p| p.contains("Only someone above Fran Front may take this case.")),
        "the page says only someone above the owner may take it: {}",
        page.text
    );
    let page = refused_action(
        &app,
        &mut finn,
        id,
        "solve",
        &[
            ("csrf", &finns),
            ("resolution", "Refunded."),
            ("road", "2"),
            ("learned", "Nothing."),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text);
    assert!(
        page.problem()
            .is_some_and(|p| p.contains("Only Fran Front, who owns this case, may do this.")),
        "the page says only the owner, by name, may solve it: {}",
        page.text
    );
    let page = refused_action(
        &app,
        &mut finn,
        id,
        "pass-up",
        &[("csrf", &finns), ("reason", "Not mine.")],
    )
    .await;
    assert!(page
        .problem()
        .is_some_and(|p| p.contains("Only Fran Front, who owns this case")));

    let page = refused_action(&app, &mut fran, id, "take", &[("csrf", &frans)]).await;
    assert!(
        page.problem()
            .is_some_and(|p| p.contains("Fran Front owns this case already.")),
        "the page says they own it already: {}",
        page.text
    );

    // The CSRF token is checked before anything else.
    for (what, token) in [
        ("no token", None),
        ("a wrong token", Some("00000000000000000000000000000000")),
        ("another session's token", Some(finns.as_str())),
    ] {
        for action in ["upgrade", "pass-up", "solve"] {
            let mut fields = vec![
                ("reason", "Because."),
                ("resolution", "Refunded."),
                ("road", "2"),
                ("learned", "Nothing."),
            ];
            if let Some(t) = token {
                fields.push(("csrf", t));
            }
            let page = refused_action(&app, &mut fran, id, action, &fields).await;
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{action} with {what} is refused: {}",
                page.text
            );
        }
        let form = Form::new()
            .text("body", "Hello")
            .part("file", Part::bytes(b"hi".to_vec()).file_name("a.txt"));
        let form = match token {
            Some(t) => form.text("csrf", t.to_string()),
            None => form,
        };
        let before = app.case(id).await;
        let page = fran
            .post_multipart(&format!("/staff/cases/{id}/reply"), form)
            .await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "a reply with {what} is refused: {}",
            page.text
        );
        assert_eq!(app.case(id).await, before);
    }

    // An action that does not exist, on a case that does not exist.
    let page = fran
        .post(&format!("/staff/cases/{id}/delete"), &[("csrf", &frans)])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
    let page = fran.get("/staff/cases/999999").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
    assert_eq!(kinds(&app.events(id).await), ["opened"]);
}

#[tokio::test]
async fn passing_up_and_solving_from_the_case_page() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.lead], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let path = format!("/staff/cases/{id}");

    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let page = fran.get(&path).await;
    assert!(
        page.text
            .contains(&format!("<option value=\"{}\" selected>", org.lead.id)),
        "the pass-up form suggests Fran's manager, the lead: {}",
        page.text
    );
    let csrf = csrf_of(&page);
    let page = fran
        .post(
            &format!("{path}/pass-up"),
            &[("csrf", &csrf), ("reason", "needs a refund approval")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert!(page.location().starts_with(&path), "{}", page.location());
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "passed_up"]);
    assert_eq!(events[1]["actor"], person_actor(org.front1.id));
    assert_eq!(
        events[1]["data"],
        json!({"from": org.front1.id, "to": org.lead.id, "reason": "needs a refund approval"})
    );
    assert_eq!(app.case(id).await["owner"], org.lead.id);

    let mut leo = signed_in(&app, LEAD, PASSWORD).await;
    let page = leo.get(&path).await;
    assert!(
        offered(&page, id).contains(&"solve".to_string()),
        "the new owner may solve: {}",
        page.text
    );
    assert!(
        unescape(&page.text).contains("needs a refund approval"),
        "the timeline shows why it was passed up: {}",
        page.text
    );
    let csrf = csrf_of(&page);
    for (what, road, resolution, says) in [
        ("road 9", "9", "Refunded the duplicate.", "road"),
        ("no road", "", "Refunded the duplicate.", "road"),
        ("an empty resolution", "2", "   ", "resolution"),
    ] {
        let page = refused_action(
            &app,
            &mut leo,
            id,
            "solve",
            &[
                ("csrf", &csrf),
                ("resolution", resolution),
                ("road", road),
                ("learned", "Retries double-bill."),
            ],
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {}",
            page.text
        );
        let problem = page
            .problem()
            .unwrap_or_else(|| panic!("{what}: the page says why: {}", page.text));
        assert!(problem.contains(says), "{what} is named: {problem}");
        assert!(
            offered(&page, id).contains(&"solve".to_string()),
            "{what}: the form is there to try again"
        );
    }
    let page = leo
        .post(
            &format!("{path}/solve"),
            &[
                ("csrf", &csrf),
                ("resolution", "Refunded the duplicate."),
                ("road", "2"),
                ("learned", "Retries double-bill."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "passed_up", "solved"]);
    assert_eq!(events[2]["actor"], person_actor(org.lead.id));
    assert_eq!(events[2]["data"]["road"], 2);
    assert_eq!(events[2]["data"]["resolution"], "Refunded the duplicate.");
    assert_eq!(events[2]["data"]["learned"], "Retries double-bill.");
    assert_eq!(app.case(id).await["state"], "solved");
}

#[tokio::test]
async fn a_reply_with_a_file_is_sent_and_the_file_comes_back_byte_for_byte() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let path = format!("/staff/cases/{id}");
    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let csrf = csrf_of(&fran.get(&path).await);

    let page = refused_action(
        &app,
        &mut fran,
        id,
        "reply",
        &[("csrf", &csrf), ("body", " ")],
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.text
    );
    assert!(page
        .problem()
        .is_some_and(|p| p.contains("The message is required.")));

    let mut pdf = b"%PDF-1.4\nrefund confirmation\n".to_vec();
    pdf.extend(0..=255u8);
    pdf.extend_from_slice(b"\r\n\0\n%%EOF\n");
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("body", "Here is the refund confirmation.")
        .part(
            "file",
            Part::bytes(pdf.clone())
                .file_name("refund.pdf")
                .mime_str("application/pdf")
                .expect("a MIME type"),
        );
    let page = fran.post_multipart(&format!("{path}/reply"), form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "message_sent"]);
    let sent = &events[1];
    assert_eq!(sent["actor"], person_actor(org.front1.id));
    assert_eq!(sent["data"]["body"], "Here is the refund confirmation.");
    let files = sent["data"]["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 1, "{sent}");
    assert_eq!(files[0]["name"], "refund.pdf");
    assert_eq!(files[0]["size"], pdf.len());
    let sha = sha256_hex(&pdf);
    assert_eq!(files[0]["sha256"], sha.as_str());

    let href = format!("{path}/attachments/{sha}");
    let page = fran.get(&path).await;
    assert!(
        attributes(&page.text, "href").contains(&href),
        "the case page links to the file: {}",
        page.text
    );
    let file = fran.get(&href).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text);
    assert_eq!(file.bytes, pdf, "the file comes back byte for byte");
    let disposition = file
        .header("content-disposition")
        .expect("a Content-Disposition");
    assert!(
        disposition.starts_with("attachment") && disposition.contains("refund.pdf"),
        "the file is downloaded, never shown inline: {disposition}"
    );

    let page = Browser::staff(&app).get(&href).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "no file without a session"
    );
    assert!(page.location().starts_with("/staff/sign-in"));
    let page = fran
        .get(&format!("{path}/attachments/{}", sha256_hex(b"other")))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
    let other = app.open_case_id(&org.front1, "Another case").await;
    let page = fran
        .get(&format!("/staff/cases/{other}/attachments/{sha}"))
        .await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "a file is served under its own case only: {}",
        page.text
    );
}

#[tokio::test]
async fn an_upgrade_from_the_case_page_goes_to_the_category_manager() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Wants to cancel").await;
    let path = format!("/staff/cases/{id}");
    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;
    let csrf = csrf_of(&fran.get(&path).await);

    let page = fran
        .post(
            &format!("{path}/upgrade"),
            &[("csrf", &csrf), ("reason", "pricing feedback, on the line")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "upgraded"]);
    assert_eq!(events[1]["actor"], person_actor(org.front1.id));
    assert_eq!(
        events[1]["data"],
        json!({"from": org.front1.id, "to": org.manager.id, "reason": "pricing feedback, on the line"})
    );
    assert_eq!(app.case(id).await["owner"], org.manager.id);
    let page = fran.get(&path).await;
    assert_eq!(
        moves(&page, id),
        Vec::<String>::new(),
        "no longer Fran's to move or answer"
    );
}

#[tokio::test]
async fn a_manager_takes_a_case_from_the_case_page() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.manager], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let path = format!("/staff/cases/{id}");
    let mut mona = signed_in(&app, MANAGER, PASSWORD).await;
    let csrf = csrf_of(&mona.get(&path).await);

    let page = mona.post(&format!("{path}/take"), &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "taken"]);
    assert_eq!(events[1]["actor"], person_actor(org.manager.id));
    assert_eq!(
        events[1]["data"],
        json!({"from": org.front1.id, "to": org.manager.id})
    );
    let page = mona.get(&path).await;
    let actions = moves(&page, id);
    assert!(
        actions.contains(&"solve".to_string()) && !actions.contains(&"take".to_string()),
        "Mona owns it now: {actions:?}"
    );
}

/// The files stored under the data directory's attachments.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| {
                        let path = e.path();
                        if path.is_dir() {
                            count(&path)
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(&app.state.config().attachments_dir())
}

#[tokio::test]

async fn a_reply_the_rules_refuse_stores_none_of_its_files() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front2], PASSWORD).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let mut finn = signed_in(&app, FRONT2, PASSWORD).await;
    let csrf = finn.csrf().await;
    let (case_before, files_before) = (app.case(id).await, stored_files(&app));

    let form = Form::new()
        .text("csrf", csrf)
        .text("body", "Not my case, but here is a file.")
        .part(
            "file",
            Part::bytes(b"a file Finn may not send".to_vec()).file_name("finn.txt"),
        );
    let page = finn
        .post_multipart(&format!("/staff/cases/{id}/reply"), form)
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "only the owner or someone above may reply: {}",
        page.text
    );
    assert_eq!(
        app.case(id).await,
        case_before,
        "a refused reply records nothing"
    );
    assert_eq!(
        stored_files(&app),
        files_before,
        "a refused reply stores none of its files"
    );
}

// --- tests: escaping -------------------------------------------------------------------

#[tokio::test]
async fn what_a_customer_wrote_is_shown_escaped_on_the_staff_pages() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;
    let script = "<script>alert(1)</script>";
    // Escaped as either template engine writes it (named or numbered entities).
    let escaped = ["&lt;script&gt;alert(1)", "&#60;script&#62;alert(1)"];
    let shows = |text: &str, what: &str| {
        escaped
            .iter()
            .any(|e| text.contains(&format!("{what} {e}")))
    };
    let id = open_with_body(
        &app,
        &org.front1,
        &format!("Subject {script}"),
        &format!("Body {script}"),
    )
    .await;
    let mut fran = signed_in(&app, FRONT1, PASSWORD).await;

    let case = fran.get(&format!("/staff/cases/{id}")).await;
    let list = fran.get("/staff/cases").await;
    for (what, page) in [("the case page", &case), ("my cases", &list)] {
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        // The only scripts are the server's own files, never markup a customer wrote.
        assert!(
            page.text
                .match_indices("<script")
                .all(|(i, _)| page.text[i..].starts_with("<script src=\"/static/")),
            "{what} never carries the customer's markup as markup: {}",
            page.text
        );
        assert!(
            shows(&page.text, "Subject"),
            "{what} shows the subject as typed: {}",
            page.text
        );
        let csp = page
            .header("content-security-policy")
            .expect("a Content-Security-Policy");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{what} runs no inline script anyway: {csp}"
        );
        assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    }
    assert!(
        shows(&case.text, "Body"),
        "the case page shows the message as typed: {}",
        case.text
    );
    assert!(unescape(&case.text).contains(&format!("Body {script}")));
}

#[tokio::test]

async fn a_sign_in_posted_from_another_site_is_refused() {
    let app = spawn().await;
    let org = app.org().await;
    set_password(&app, &[&org.front1], PASSWORD).await;

    for (name, value) in [
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let mut browser = Browser::staff(&app);
        let request = browser
            .request(Method::POST, "/staff/sign-in")
            .header(name, value)
            .form(&[("email", FRONT1), ("password", PASSWORD)]);
        let page = browser.send(request).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "a sign-in with {name}: {value} is refused: {}",
            page.text
        );
        assert!(
            browser.cookie.is_none(),
            "a sign-in from elsewhere sets no session: {:?}",
            page.headers
        );
    }
    // From our own page it works.
    let mut browser = Browser::staff(&app);
    let request = browser
        .request(Method::POST, "/staff/sign-in")
        .header("Origin", app.url.as_str())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("email", FRONT1), ("password", PASSWORD)]);
    let page = browser.send(request).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
}

// --- tests: the rate limit -------------------------------------------------------------

#[tokio::test]
async fn a_fourth_sign_in_for_one_address_within_the_hour_waits() {
    let app = TestApp::spawn_with(|c| {
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 3;
    })
    .await;
    let org = app.org().await;
    set_password(&app, &[&org.front1, &org.front2], PASSWORD).await;

    for attempt in 1..=3 {
        let page = Browser::staff(&app)
            .sign_in(FRONT1, "guess number one")
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt} is checked: {}",
            page.text
        );
    }
    for email in [FRONT1, "FRAN.FRONT@example.com"] {
        let mut browser = Browser::staff(&app);
        let page = browser.sign_in(email, PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the fourth attempt for {email} within the hour waits, right password or not: {}",
            page.text
        );
        let wait: u64 = page
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a 429 says how long to wait: {:?}", page.headers));
        assert!(wait > 0, "Retry-After {wait}");
        assert!(
            page.says().contains("try again"),
            "the page says to try again later: {}",
            page.text
        );
        assert!(
            browser.cookie.is_none(),
            "no session while waiting: {:?}",
            page.headers
        );
    }
    signed_in(&app, FRONT2, PASSWORD).await;
}
