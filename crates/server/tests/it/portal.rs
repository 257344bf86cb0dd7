//! The public web as a customer's browser uses it: the form to write in (`/contact`) and
//! the portal (`/portal`) with its emailed single-use sign-in links, sessions, CSRF
//! tokens and rate limits; and the headers and escaping every page relies on
//! (docs/design.md §2.1, §2.8, §4).
//!
//! Signing in needs the mailed link, so those tests run a real SMTP sink (aiosmtpd) and
//! skip loudly without it, like `mail.rs`.

use crate::common;

use chrono::{DateTime, Utc};
use common::browser::{csrf_of, Browser, Page};
use common::html::*;
use common::smtp_sink::{body, header, links_in, SmtpSink};
use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use roadone_server::Config;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::time::{Duration as StdDuration, Instant};

const SESSION_COOKIE: &str = "roadone_portal";
const EVIL: &str = "http://evil.example";

// --- a browser -------------------------------------------------------------------------

impl Browser {
    fn portal(app: &TestApp) -> Browser {
        Browser::keeping(app, SESSION_COOKIE, None)
    }

    /// Another browser that carries this one's session cookie (a copied or stolen cookie).
    fn portal_with_cookie(app: &TestApp, cookie: Option<String>) -> Browser {
        Browser::keeping(app, SESSION_COOKIE, cookie)
    }
}

// --- reading pages ---------------------------------------------------------------------

/// The case ids a page links to (`/portal/cases/{id}`).
fn linked_cases(page: &Page) -> BTreeSet<i64> {
    attributes(&page.text, "href")
        .iter()
        .filter_map(|h| h.strip_prefix("/portal/cases/"))
        .filter_map(|rest| rest.split(['/', '?', '#']).next()?.parse().ok())
        .collect()
}

/// The attachment links on a case page.
fn file_links(page: &Page) -> Vec<String> {
    attributes(&page.text, "href")
        .into_iter()
        .filter(|h| h.contains("/attachments/"))
        .collect()
}

/// The time as the portal shows it to customers.
fn shown(t: DateTime<Utc>) -> String {
    t.format("%a %-d %b %Y, %H:%M UTC").to_string()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The headers every public page carries.
fn assert_page_headers(what: &str, page: &Page) {
    let csp = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what} has a Content-Security-Policy: {:?}", page.headers));
    assert!(
        csp.contains("frame-ancestors 'none'") || csp.contains("sandbox"),
        "{what}'s CSP forbids framing or sandboxes the content: {csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}'s CSP allows no inline script: {csp}"
    );
    assert_eq!(
        page.header("x-frame-options").as_deref(),
        Some("DENY"),
        "{what} cannot be framed"
    );
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what} leaks no URL (it may hold a case token) to links out"
    );
}

// --- files a customer sends ------------------------------------------------------------

/// A small PDF-like document; `tag` makes each one's content (and so its digest) unique.
fn pdf(tag: &str) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Title (".to_vec();
    bytes.extend_from_slice(tag.as_bytes());
    bytes.extend_from_slice(b") >> endobj\n");
    // Every byte value once, so any text conversion on the way would show.
    bytes.extend((0..=255u8).collect::<Vec<_>>());
    bytes.extend_from_slice(b"\r\n\0\n%%EOF\n");
    bytes
}

/// A PNG signature and a little more.
fn png(tag: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.extend_from_slice(tag.as_bytes());
    bytes.extend((0..=255u8).rev().collect::<Vec<_>>());
    bytes
}

fn file(name: &str, bytes: Vec<u8>, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .expect("a valid MIME type")
}

// --- the server and its people ---------------------------------------------------------

/// A server that mails through `sink`. The public limits are raised so that tests of
/// other behaviour are not cut short; the limits themselves are tested below.
async fn spawn_mailing(sink: &SmtpSink) -> TestApp {
    spawn_mailing_with(sink, |_| {}).await
}

async fn spawn_mailing_with(sink: &SmtpSink, configure: impl FnOnce(&mut Config)) -> TestApp {
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    TestApp::spawn_with(move |c| {
        c.smtp_relay = Some(relay);
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 1000;
        configure(c);
    })
    .await
}

/// A case opened by staff for the customer `email`; returns its id and the customer's token.
async fn staff_case(app: &TestApp, by: &Member, email: &str, subject: &str) -> (i64, String) {
    let r = app
        .post(
            &by.token,
            "/api/v1/cases",
            &json!({
                "customer": {"email": email, "name": format!("Customer {email}")},
                "category": "billing",
                "subject": subject,
                "body": format!("{subject}: please help."),
                "channel": "email",
                "facts": {"account_number": "AC-1001"}
            }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "opening {subject:?}: {}",
        r.text
    );
    (
        r.body["id"].as_i64().expect("a case id"),
        app.customer_token_of(r.body["id"].as_i64().expect("a case id"))
            .await,
    )
}

/// The owner of the case (form cases go round the frontline) solves it.
async fn solve(app: &TestApp, org: &Org, id: i64) {
    let owner = app.case(id).await["owner"].as_i64().expect("an owner");
    let by = [
        &org.front1,
        &org.front2,
        &org.lead,
        &org.manager,
        &org.vp,
        &org.ceo,
    ]
    .into_iter()
    .find(|m| m.id == owner)
    .unwrap_or_else(|| panic!("the owner {owner} is one of the organisation"));
    app.act_ok(
        by,
        id,
        "solve",
        &json!({"resolution": "Refunded the duplicate charge.", "road": 1, "learned": "Retries double-bill."}),
    )
    .await;
}

/// How many cases the staff API knows.
async fn case_count(app: &TestApp) -> usize {
    let r = app.get(&app.admin_token, "/api/v1/cases?limit=1000").await;
    assert_eq!(r.status, StatusCode::OK, "listing cases: {}", r.text);
    r.body.as_array().expect("a list of cases").len()
}

/// The data of the case's events of `kind`.
async fn events_of(app: &TestApp, id: i64, kind: &str) -> Vec<Value> {
    app.events(id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["data"].clone())
        .collect()
}

// --- writing in ------------------------------------------------------------------------

/// A case opened through the form: its id, its token, and the page the form led to.
struct WrittenIn {
    id: i64,
    token: String,
    page_path: String,
}

/// The billing form filled in as a customer would, with `files`.
fn billing_form(name: &str, email: &str, description: &str, files: Vec<Part>) -> Form {
    let mut form = Form::new()
        .text("name", name.to_string())
        .text("email", email.to_string())
        .text("fact_account_number", "AC-2002")
        .text("subject", "")
        .text("description", description.to_string());
    for part in files {
        form = form.part("file", part);
    }
    form
}

/// Sends a filled form that must open a case: a 303 to the case page with its token.
async fn write_in(browser: &mut Browser, form: Form) -> WrittenIn {
    let sent = browser.post_multipart("/contact/billing", form).await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "a good form leads to the new case's page: {}",
        sent.text
    );
    let page_path = sent.location();
    let rest = page_path
        .strip_prefix("/portal/cases/")
        .unwrap_or_else(|| panic!("the form leads to a case page, not {page_path}"));
    let (id, query) = rest.split_once('?').expect("the case page has a query");
    let token = query
        .split('&')
        .find_map(|p| p.strip_prefix("token="))
        .unwrap_or_else(|| panic!("the case page carries the case token: {page_path}"))
        .to_string();
    WrittenIn {
        id: id.parse().expect("a numeric case id"),
        token,
        page_path,
    }
}

// --- signing in ------------------------------------------------------------------------

/// The sign-in links (paths) mailed to `email` so far.
fn links_to(app: &TestApp, sink: &SmtpSink, email: &str) -> Vec<String> {
    links_in(&sink.messages(), email, &app.url, "/portal/sign-in/")
}

/// How many mails the sink holds for `email`.
fn mails_to(sink: &SmtpSink, email: &str) -> usize {
    sink.messages()
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains(email)))
        .count()
}

/// Asks for a sign-in link for `email` and returns it (its path) from the mail.
async fn mailed_link(app: &TestApp, sink: &SmtpSink, email: &str) -> String {
    let before = links_to(app, sink, email);
    let asked = Browser::portal(app)
        .post("/portal/sign-in", &[("email", email)])
        .await;
    assert_eq!(
        asked.status,
        StatusCode::OK,
        "asking for a link: {}",
        asked.text
    );
    assert!(
        asked.text.contains("Check your mail"),
        "the customer is told to look in their mail: {}",
        asked.text
    );
    // The link is mailed before the answer; the sink may still be writing it out.
    let started = Instant::now();
    loop {
        let now = links_to(app, sink, email);
        if let Some(new) = now.iter().find(|l| !before.contains(l)) {
            return new.clone();
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(10),
            "a sign-in link is mailed to {email}: {:?}",
            sink.messages()
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Presses the button behind a sign-in link; the browser then holds the session cookie.
async fn redeem(browser: &mut Browser, link: &str) {
    let signed = browser.post(link, &[]).await;
    assert_eq!(
        signed.status,
        StatusCode::SEE_OTHER,
        "a fresh link signs in: {}",
        signed.text
    );
    assert_eq!(
        signed.location(),
        "/portal",
        "signing in leads to the cases"
    );
    assert!(
        signed.session_cookie().is_some_and(|c| !c.is_empty()),
        "signing in sets the session cookie: {:?}",
        signed.headers
    );
}

/// A browser signed in as `email` by the mailed link.
async fn sign_in(app: &TestApp, sink: &SmtpSink, email: &str) -> Browser {
    let link = mailed_link(app, sink, email).await;
    let mut browser = Browser::portal(app);
    redeem(&mut browser, &link).await;
    browser
}

/// The signed-in customer's list of cases, which must be shown.
async fn own_cases(browser: &mut Browser) -> Page {
    let page = browser.get("/portal").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("Signed in as"),
        "a signed-in customer sees their cases, not the sign-in form: {}",
        page.text
    );
    page
}

// --- tests: the form -------------------------------------------------------------------

#[tokio::test]
async fn a_customer_writes_in_with_two_files_and_sees_the_reference_and_the_promise() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/categories",
            &json!({"key": "delivery", "name": "Delivery", "checklist": [],
                    "manager": org.manager.id, "executive": org.vp.id}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "a second category: {}",
        r.text
    );
    let mut browser = Browser::portal(&app);

    let list = browser.get("/contact").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let links = attributes(&list.text, "href");
    for (name, href) in [
        ("Billing", "/contact/billing"),
        ("Delivery", "/contact/delivery"),
    ] {
        assert!(
            list.text.contains(name) && links.iter().any(|l| l == href),
            "the categories page offers {name} at {href}: {}",
            list.text
        );
    }

    let form = browser.get("/contact/billing").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    for (label, field) in [
        ("Account number", "fact_account_number"),
        ("Invoice number", "fact_invoice_number"),
    ] {
        assert!(
            form.text.contains(label) && form.text.contains(&format!("name=\"{field}\"")),
            "the billing form asks for its checklist fact {label:?} as {field}: {}",
            form.text
        );
    }

    let invoice = pdf("invoice March");
    let photo = png("screenshot");
    let sent = browser
        .post_multipart(
            "/contact/billing",
            Form::new()
                .text("name", "Ada Lovelace")
                .text("email", "ada@example.com")
                .text("fact_invoice_number", "INV-77")
                .text(
                    "description",
                    "I was charged twice for March.\nSee the files.",
                )
                .part(
                    "file",
                    file("invoice.pdf", invoice.clone(), "application/pdf"),
                )
                .part("file", file("screen.png", photo.clone(), "image/png")),
        )
        .await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "the form answers with a redirect to the case page: {}",
        sent.text
    );
    let location = sent.location();
    let id: i64 = location
        .strip_prefix("/portal/cases/")
        .and_then(|r| r.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the redirect goes to a case page: {location}"));
    let case = app.case(id).await;
    let token = app.customer_token_of(id).await;
    let _ = &case;
    assert_eq!(
        location,
        format!("/portal/cases/{id}?token={token}&new=1"),
        "the redirect carries the case's own token and marks the case as new"
    );

    // The staff see a web case with the fact given and the required one missing.
    assert_eq!(case["channel"], "web", "a case from the form is a web case");
    assert_eq!(case["customer"]["email"], "ada@example.com");
    assert_eq!(case["customer"]["name"], "Ada Lovelace");
    assert_eq!(
        case["subject"], "I was charged twice for March.",
        "without a subject the first line of the description is the subject"
    );
    let opened = &case["events"][0]["data"];
    assert_eq!(
        opened["facts"],
        json!({"invoice_number": "INV-77"}),
        "the fact the customer gave is recorded"
    );
    assert_eq!(
        opened["missing_facts"],
        json!(["account_number"]),
        "a required fact left empty is listed as missing for the owner to ask"
    );
    let stored: Vec<(String, String, u64)> = opened["attachments"]
        .as_array()
        .expect("the opening event lists the files")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().expect("a file name").to_string(),
                a["sha256"].as_str().expect("a digest").to_string(),
                a["size"].as_u64().expect("a size"),
            )
        })
        .collect();
    assert_eq!(
        stored,
        vec![
            (
                "invoice.pdf".to_string(),
                sha256_hex(&invoice),
                invoice.len() as u64
            ),
            (
                "screen.png".to_string(),
                sha256_hex(&photo),
                photo.len() as u64
            ),
        ],
        "both files are kept, exactly, with their names"
    );

    // The page the customer lands on: the reference and the promised time.
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let reference = case["ref"].as_str().expect("a reference");
    assert!(reference.starts_with("RD-"), "reference {reference}");
    assert!(
        page.text.contains(reference),
        "the new case's page shows the reference {reference}: {}",
        page.text
    );
    let promised = shown(time(&case["promised_by"]));
    assert!(
        page.text.contains("We promise an answer by") && page.text.contains(&promised),
        "the new case's page promises a time ({promised}): {}",
        page.text
    );
    assert!(
        page.text.contains("I was charged twice for March."),
        "the page shows what the customer wrote: {}",
        page.text
    );
    assert!(
        !page.text.contains("mailed you"),
        "with no mail relay set, no mail is claimed: {}",
        page.text
    );

    // Each file downloads from the page's own link, byte for byte and safely.
    let links = file_links(&page);
    assert_eq!(links.len(), 2, "the page links both files: {}", page.text);
    for (name, bytes) in [("invoice.pdf", &invoice), ("screen.png", &photo)] {
        let sha = sha256_hex(bytes);
        let link = links
            .iter()
            .find(|l| l.contains(&sha))
            .unwrap_or_else(|| panic!("a link to {name} ({sha}) in {links:?}"));
        let got = browser.get(link).await;
        assert_eq!(
            got.status,
            StatusCode::OK,
            "downloading {name}: {}",
            got.text
        );
        assert!(
            got.bytes == *bytes,
            "{name} comes back byte for byte ({} bytes sent, {} received)",
            bytes.len(),
            got.bytes.len()
        );
        let disposition = got.header("content-disposition").unwrap_or_default();
        assert!(
            disposition.starts_with("attachment") && disposition.contains(name),
            "{name} is served as a download under its name: {disposition:?}"
        );
        assert_eq!(
            got.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "the browser must not guess {name}'s type"
        );
        let csp = got.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("sandbox"),
            "{name} cannot run as a page: CSP {csp:?}"
        );
    }
}

#[tokio::test]
async fn a_form_with_a_missing_or_bad_field_comes_back_naming_the_problem_and_opens_no_case() {
    let app = TestApp::spawn().await;
    app.org().await;
    let mut browser = Browser::portal(&app);
    let before = case_count(&app).await;

    type Fields<'a> = Vec<(&'a str, &'a str)>;
    let good: Fields = vec![
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("fact_account_number", "AC-2002"),
        ("description", "I was charged twice."),
    ];
    let without = |field: &str| -> Vec<(&str, &str)> {
        good.iter().copied().filter(|(n, _)| *n != field).collect()
    };
    let with = |field: &'static str, value: &'static str| -> Vec<(&str, &str)> {
        let mut f = without(field);
        f.push((field, value));
        f
    };
    let cases: Vec<(&str, Fields, &str)> = vec![
        (
            "a missing email",
            without("email"),
            "please give an email address",
        ),
        (
            "a blank email",
            with("email", "   "),
            "please give an email address",
        ),
        (
            "an invalid email",
            with("email", "ada at example"),
            "is not an email address we can write to",
        ),
        (
            "an empty description",
            with("description", ""),
            "please describe the problem",
        ),
        (
            "a missing name",
            without("name"),
            "please tell us your name",
        ),
    ];
    for (what, fields, problem) in cases {
        // Both encodings a browser may use.
        let mut multipart = Form::new();
        for (n, v) in &fields {
            multipart = multipart.text(n.to_string(), v.to_string());
        }
        for page in [
            browser.post("/contact/billing", &fields).await,
            browser.post_multipart("/contact/billing", multipart).await,
        ] {
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "a form with {what} is sent back: {}",
                page.text
            );
            assert!(
                page.is_html(),
                "the problem is shown as a page: {:?}",
                page.headers
            );
            assert!(
                page.text.contains(problem),
                "the page says what is wrong with {what} ({problem:?}): {}",
                page.text
            );
            assert!(
                page.text.contains("<form") && page.text.contains("aria-invalid=\"true\""),
                "the form comes back with the field marked: {}",
                page.text
            );
        }
    }
    assert_eq!(
        case_count(&app).await,
        before,
        "no refused form opened a case"
    );

    let unknown = browser.get("/contact/no-such-thing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    let unknown = browser.post("/contact/no-such-thing", &good).await;
    assert_eq!(
        unknown.status,
        StatusCode::NOT_FOUND,
        "a form for an unknown category is not found: {}",
        unknown.text
    );
    assert!(
        unknown.is_html(),
        "the 404 is a page: {:?}",
        unknown.headers
    );
    assert_eq!(case_count(&app).await, before, "and opens no case");
}

#[tokio::test]

async fn a_form_with_an_unknown_field_or_an_overlong_fact_comes_back_naming_it() {
    let app = TestApp::spawn().await;
    app.org().await;
    let mut browser = Browser::portal(&app);
    let before = case_count(&app).await;
    let long = "9".repeat(501);
    for (what, extra, problem) in [
        (
            "an unknown field",
            ("favourite_colour", "teal"),
            "this form has no such field",
        ),
        (
            "an account number of 501 characters",
            ("fact_account_number", long.as_str()),
            "please keep this under 500 characters",
        ),
    ] {
        let page = browser
            .post(
                "/contact/billing",
                &[
                    ("name", "Ada Lovelace"),
                    ("email", "ada@example.com"),
                    ("description", "I was charged twice."),
                    extra,
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a form with {what} is sent back: {}",
            page.text
        );
        assert!(
            page.text.contains(problem) && page.text.contains(extra.0),
            "the page names {} and its problem ({problem:?}): {}",
            extra.0,
            page.text
        );
    }
    assert_eq!(
        case_count(&app).await,
        before,
        "no refused form opened a case"
    );
}

// --- tests: isolation ------------------------------------------------------------------

#[tokio::test]
async fn a_signed_in_customer_sees_and_touches_only_their_own_cases_and_files() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let mut anon = Browser::portal(&app);
    let ada_1 = write_in(
        &mut anon,
        billing_form(
            "Ada",
            "ada@example.com",
            "Ada's first problem",
            vec![file("ada.pdf", pdf("ada"), "application/pdf")],
        ),
    )
    .await;
    let (ada_2, _) = staff_case(
        &app,
        &org.front1,
        "ada@example.com",
        "Ada's phoned-in problem",
    )
    .await;
    let bob_1 = write_in(
        &mut anon,
        billing_form(
            "Bob",
            "bob@example.com",
            "Bob's private problem",
            vec![file("bob.pdf", pdf("bob"), "application/pdf")],
        ),
    )
    .await;
    let (bob_2, _) = staff_case(
        &app,
        &org.front1,
        "bob@example.com",
        "Bob's phoned-in problem",
    )
    .await;
    solve(&app, &org, bob_1.id).await;
    let bob_sha = sha256_hex(&pdf("bob"));
    let ada_sha = sha256_hex(&pdf("ada"));
    let bob_before = [app.case(bob_1.id).await, app.case(bob_2).await];

    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let csrf = csrf_of(&own_cases(&mut ada).await);

    // Her list: her cases, none of Bob's.
    let list = own_cases(&mut ada).await;
    assert_eq!(
        linked_cases(&list),
        BTreeSet::from([ada_1.id, ada_2]),
        "Ada's list links exactly her cases: {}",
        list.text
    );
    for id in [ada_1.id, ada_2] {
        let reference = app.case(id).await["ref"].as_str().unwrap().to_string();
        assert!(list.text.contains(&reference), "{reference} is listed");
    }
    assert!(
        unescape(&list.text).contains("Ada's first problem")
            && unescape(&list.text).contains("Ada's phoned-in problem"),
        "her subjects are listed: {}",
        list.text
    );
    for id in [bob_1.id, bob_2] {
        let reference = app.case(id).await["ref"].as_str().unwrap().to_string();
        assert!(
            !list.text.contains(&reference) && !list.text.contains("Bob"),
            "nothing of Bob's case {reference} is on Ada's list: {}",
            list.text
        );
    }

    // Guessing ids: her own open, everyone else's looks exactly like a missing case.
    let missing = ada.get("/portal/cases/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
    for id in 1..=bob_2 + 2 {
        let page = ada.get(&format!("/portal/cases/{id}")).await;
        if id == ada_1.id || id == ada_2 {
            assert_eq!(
                page.status,
                StatusCode::OK,
                "Ada opens her case {id}: {}",
                page.text
            );
        } else {
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "Ada cannot open case {id}: {}",
                page.text
            );
            assert_eq!(
                page.text, missing.text,
                "someone else's case {id} looks like a case that does not exist"
            );
            assert!(!page.text.contains("Bob"), "{}", page.text);
        }
    }

    // Files: Bob's file is not reachable through her case, her token, or his case.
    let a = ada_1.id;
    let b = bob_1.id;
    let tries = [
        format!("/portal/cases/{a}/attachments/{bob_sha}"),
        format!(
            "/portal/cases/{a}/attachments/{bob_sha}?token={}",
            ada_1.token
        ),
        format!("/portal/cases/{b}/attachments/{bob_sha}"),
        format!(
            "/portal/cases/{b}/attachments/{bob_sha}?token={}",
            ada_1.token
        ),
        format!("/portal/cases/{b}/attachments/{ada_sha}"),
    ];
    for path in &tries {
        let got = ada.get(path).await;
        assert_eq!(
            got.status,
            StatusCode::NOT_FOUND,
            "Ada cannot fetch {path}: {}",
            got.text
        );
        assert!(
            !got.bytes.windows(8).any(|w| w == b"%PDF-1.4"),
            "no file content comes back for {path}"
        );
    }
    let own = ada
        .get(&format!("/portal/cases/{a}/attachments/{ada_sha}"))
        .await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "her own file downloads: {}",
        own.text
    );
    assert_eq!(own.bytes, pdf("ada"), "her own file comes back exactly");

    // Her case token opens her case only.
    let mut with_token = Browser::portal(&app);
    for id in [b, bob_2] {
        let page = with_token
            .get(&format!("/portal/cases/{id}?token={}", ada_1.token))
            .await;
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "Ada's case token does not open case {id}: {}",
            page.text
        );
    }

    // Writing on or rating Bob's cases: not found, and nothing changes.
    for id in [b, bob_2] {
        let reply = ada
            .post_multipart(
                &format!("/portal/cases/{id}/reply"),
                Form::new()
                    .text("csrf", csrf.clone())
                    .text("body", "Ada writes on Bob's case")
                    .part(
                        "file",
                        file("x.pdf", pdf("ada-intrudes"), "application/pdf"),
                    ),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "Ada cannot write on case {id}: {}",
            reply.text
        );
        let reply = with_token
            .post(
                &format!("/portal/cases/{id}/reply?token={}", ada_1.token),
                &[("body", "Ada writes on Bob's case")],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "Ada's token cannot write on case {id}: {}",
            reply.text
        );
        let rating = [
            ("csrf", csrf.as_str()),
            ("score", "1"),
            ("delighted_by", ""),
            ("would_recommend", "no"),
        ];
        let rate = ada
            .post(&format!("/portal/cases/{id}/rating"), &rating)
            .await;
        assert_eq!(
            rate.status,
            StatusCode::NOT_FOUND,
            "Ada cannot rate case {id}: {}",
            rate.text
        );
        let rate = with_token
            .post(
                &format!("/portal/cases/{id}/rating?token={}", ada_1.token),
                &rating[1..],
            )
            .await;
        assert_eq!(
            rate.status,
            StatusCode::NOT_FOUND,
            "Ada's token cannot rate case {id}: {}",
            rate.text
        );
    }
    assert_eq!(
        [app.case(b).await, app.case(bob_2).await],
        bob_before,
        "Bob's cases are exactly as they were"
    );
}

#[tokio::test]
async fn internal_events_such_as_a_pass_up_reason_never_reach_the_customers_page() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &json!({"reason": "INTERNAL refund is above my limit"}),
    )
    .await;
    app.act_ok(
        &org.lead,
        id,
        "messages",
        &json!({"body": "We are refunding the second payment today."}),
    )
    .await;
    assert_eq!(
        kinds(&app.events(id).await),
        ["opened", "passed_up", "message_sent"],
        "the case holds an internal pass-up between the customer's and our message"
    );

    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let signed_in = ada.get(&format!("/portal/cases/{id}")).await;
    let by_token = Browser::portal(&app)
        .get(&format!("/portal/cases/{id}?token={token}"))
        .await;
    for (how, page) in [("signed in", signed_in), ("by the case link", by_token)] {
        assert_eq!(page.status, StatusCode::OK, "{how}: {}", page.text);
        assert!(
            page.text
                .contains("We are refunding the second payment today."),
            "{how}, the customer sees our message: {}",
            page.text
        );
        for secret in ["INTERNAL", "above my limit", "Leo Lead", "Fran Front"] {
            assert!(
                !page.text.contains(secret),
                "{how}, the customer's page never shows {secret:?} (internal): {}",
                page.text
            );
        }
    }
}

// --- tests: the emailed link -----------------------------------------------------------

#[tokio::test]
async fn a_sign_in_link_survives_a_mail_scanners_get_and_then_works_exactly_once() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, _) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let link = mailed_link(&app, &sink, "ada@example.com").await;
    let mail = sink
        .messages()
        .into_iter()
        .find(|m| header(m, "To").is_some_and(|t| t.contains("ada@example.com")))
        .expect("the mail");
    assert!(
        body(&mail).contains(&format!("{}{link}", app.url)),
        "the mail holds the full link on this server's public address: {}",
        body(&mail)
    );

    // A mail scanner (or the customer) opening the link gets a button, not a session.
    let mut scanner = Browser::portal(&app);
    for _ in 0..2 {
        let confirm = scanner.get(&link).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text);
        assert_eq!(
            confirm.session_cookie(),
            None,
            "opening the link does not sign in: {:?}",
            confirm.headers
        );
        assert!(
            attributes(&confirm.text, "action").contains(&link)
                && confirm.text.contains("method=\"post\"")
                && confirm.text.contains("<button"),
            "the link's page is a button that posts the link: {}",
            confirm.text
        );
        assert!(
            !confirm.text.contains("Charged twice"),
            "the link's page shows no cases: {}",
            confirm.text
        );
    }
    let home = scanner.get("/portal").await;
    assert!(
        !home.text.contains("Signed in as") && !home.text.contains("Charged twice"),
        "the scanner is not signed in: {}",
        home.text
    );

    // The customer presses the button: signed in, her case listed.
    let mut ada = Browser::portal(&app);
    redeem(&mut ada, &link).await;
    let list = own_cases(&mut ada).await;
    assert_eq!(linked_cases(&list), BTreeSet::from([id]), "{}", list.text);
    assert!(list.text.contains("Charged twice"), "{}", list.text);

    // The same link again, from anywhere: refused, no session.
    for browser in [&mut Browser::portal(&app), &mut ada] {
        let again = browser.post(&link, &[]).await;
        assert_eq!(
            again.status,
            StatusCode::BAD_REQUEST,
            "a used link does not sign in twice: {}",
            again.text
        );
        assert!(again.is_html(), "{:?}", again.headers);
        assert!(
            again.text.contains("already used"),
            "the page says the link was used: {}",
            again.text
        );
        assert!(
            again.session_cookie().is_none_or(|c| c.is_empty()),
            "a used link sets no session: {:?}",
            again.headers
        );
    }
}

#[tokio::test]
async fn a_sign_in_link_expires_after_thirty_minutes() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let first = mailed_link(&app, &sink, "ada@example.com").await;
    let second = mailed_link(&app, &sink, "ada@example.com").await;
    assert_ne!(first, second, "each request mails a new link");

    app.advance(minutes(29));
    redeem(&mut Browser::portal(&app), &first).await;

    app.advance(minutes(2));
    let mut late = Browser::portal(&app);
    let expired = late.post(&second, &[]).await;
    assert_eq!(
        expired.status,
        StatusCode::BAD_REQUEST,
        "a link 31 minutes old does not sign in: {}",
        expired.text
    );
    assert!(
        expired.text.contains("30 minutes"),
        "the page says how long a link works: {}",
        expired.text
    );
    assert_eq!(late.cookie, None, "no session for an expired link");
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;

    let unknown = Browser::portal(&app)
        .post("/portal/sign-in", &[("email", "nobody@example.com")])
        .await;
    // A known address afterwards: once its mail is in, the unknown one would be too.
    let known = Browser::portal(&app)
        .post("/portal/sign-in", &[("email", "ada@example.com")])
        .await;
    let started = Instant::now();
    while mails_to(&sink, "ada@example.com") == 0 {
        assert!(
            started.elapsed() < StdDuration::from_secs(10),
            "Ada's link was mailed"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert_eq!(unknown.status, known.status, "{}", unknown.text);
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(
        unknown.text.replace("nobody@example.com", "ADDRESS"),
        known.text.replace("ada@example.com", "ADDRESS"),
        "an unknown address gets the very same page as a customer's"
    );
    assert!(unknown.text.contains("Check your mail"), "{}", unknown.text);
    assert_eq!(
        mails_to(&sink, "nobody@example.com"),
        0,
        "no mail goes to an address we have no cases for"
    );
    assert_eq!(sink.messages().len(), 1, "only Ada's link was mailed");
}

#[tokio::test]
async fn signing_out_ends_the_session_even_for_a_copy_of_the_cookie() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, _) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let copied = ada.cookie.clone();
    let csrf = csrf_of(&own_cases(&mut ada).await);

    let out = ada.post("/portal/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.text);
    assert_eq!(out.location(), "/portal");
    assert_eq!(
        out.session_cookie().as_deref(),
        Some(""),
        "signing out clears the cookie: {:?}",
        out.headers
    );
    assert_eq!(ada.cookie, None);

    let mut old = Browser::portal_with_cookie(&app, copied);
    let home = old.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(
        home.text.contains("Mail me a sign-in link") && !home.text.contains("Charged twice"),
        "the old cookie shows the sign-in form, not the cases: {}",
        home.text
    );
    let case = old.get(&format!("/portal/cases/{id}")).await;
    assert_eq!(
        case.status,
        StatusCode::UNAUTHORIZED,
        "the old cookie does not open the case: {}",
        case.text
    );
    assert!(!case.text.contains("Charged twice"), "{}", case.text);
}

#[tokio::test]
async fn a_session_ends_after_fourteen_days() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;

    app.advance(hours(13 * 24));
    let list = own_cases(&mut ada).await;
    assert!(list.text.contains("Charged twice"), "{}", list.text);

    app.advance(hours(2 * 24));
    let home = ada.get("/portal").await;
    assert!(
        home.text.contains("Mail me a sign-in link") && !home.text.contains("Charged twice"),
        "after fourteen days the customer signs in again: {}",
        home.text
    );
}

// --- tests: forms from elsewhere -------------------------------------------------------

#[tokio::test]
async fn a_signed_in_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (open, _) = staff_case(&app, &org.front1, "ada@example.com", "Still open").await;
    let (solved, _) = staff_case(&app, &org.front1, "ada@example.com", "Solved one").await;
    solve(&app, &org, solved).await;
    staff_case(&app, &org.front1, "bob@example.com", "Bob's").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let mut bob = sign_in(&app, &sink, "bob@example.com").await;
    let csrf = csrf_of(&own_cases(&mut ada).await);
    let bobs_csrf = csrf_of(&own_cases(&mut bob).await);
    assert_ne!(csrf, bobs_csrf, "each session has its own token");
    let before = [app.case(open).await, app.case(solved).await];

    let wrong = "0".repeat(csrf.len());
    for (what, token) in [
        ("no token", None),
        ("a made-up token", Some(wrong.as_str())),
        ("another session's token", Some(bobs_csrf.as_str())),
        ("an empty token", Some("")),
    ] {
        let mut reply = Form::new().text("body", "Forged message");
        let mut rating = vec![
            ("score", "1"),
            ("delighted_by", "forged"),
            ("would_recommend", "no"),
        ];
        let mut sign_out: Vec<(&str, &str)> = vec![];
        if let Some(t) = token {
            reply = reply.text("csrf", t.to_string());
            rating.push(("csrf", t));
            sign_out.push(("csrf", t));
        }
        let refused = [
            (
                "a reply",
                ada.post_multipart(&format!("/portal/cases/{open}/reply"), reply)
                    .await,
            ),
            (
                "a rating",
                ada.post(&format!("/portal/cases/{solved}/rating"), &rating)
                    .await,
            ),
            ("signing out", ada.post("/portal/sign-out", &sign_out).await),
        ];
        for (action, page) in refused {
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{action} with {what} is refused: {}",
                page.text
            );
            assert!(page.is_html(), "{:?}", page.headers);
            assert!(
                page.session_cookie().is_none(),
                "{action} with {what} leaves the cookie alone: {:?}",
                page.headers
            );
        }
    }
    assert_eq!(
        [app.case(open).await, app.case(solved).await],
        before,
        "no forged form changed a case"
    );
    own_cases(&mut ada).await;

    // With the right token the same forms work.
    let ok = ada
        .post_multipart(
            &format!("/portal/cases/{open}/reply"),
            Form::new()
                .text("body", "Real message")
                .text("csrf", csrf.clone()),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(
        events_of(&app, open, "customer_replied").await.len(),
        1,
        "the real reply is recorded"
    );
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (open, token) = staff_case(&app, &org.front1, "ada@example.com", "Still open").await;
    let (solved, _) = staff_case(&app, &org.front1, "ada@example.com", "Solved one").await;
    solve(&app, &org, solved).await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let csrf = csrf_of(&own_cases(&mut ada).await);
    let before = [app.case(open).await, app.case(solved).await];
    let link = mailed_link(&app, &sink, "ada@example.com").await;
    let mails = sink.messages().len();

    for (name, value) in [("Origin", EVIL), ("Sec-Fetch-Site", "cross-site")] {
        let reply = ada
            .request(Method::POST, &format!("/portal/cases/{open}/reply"))
            .header(name, value)
            .form(&[("body", "From elsewhere"), ("csrf", &csrf)]);
        let by_token = ada
            .request(
                Method::POST,
                &format!("/portal/cases/{open}/reply?token={token}"),
            )
            .header(name, value)
            .form(&[("body", "From elsewhere")]);
        let rating = ada
            .request(Method::POST, &format!("/portal/cases/{solved}/rating"))
            .header(name, value)
            .form(&[("score", "1"), ("would_recommend", "no"), ("csrf", &csrf)]);
        let sign_out = ada
            .request(Method::POST, "/portal/sign-out")
            .header(name, value)
            .form(&[("csrf", &csrf)]);
        let ask = Browser::portal(&app)
            .request(Method::POST, "/portal/sign-in")
            .header(name, value)
            .form(&[("email", "ada@example.com")]);
        let redeem_link = Browser::portal(&app)
            .request(Method::POST, &link)
            .header(name, value);
        for (action, request) in [
            ("a signed-in reply", reply),
            ("a reply by the case link", by_token),
            ("a rating", rating),
            ("signing out", sign_out),
            ("asking for a link", ask),
            ("using a link", redeem_link),
        ] {
            let page = Browser::portal(&app).send(request).await;
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{action} with {name}: {value} is refused: {}",
                page.text
            );
            assert!(
                page.session_cookie().is_none(),
                "{action} from elsewhere touches no cookie: {:?}",
                page.headers
            );
        }
    }
    assert_eq!(
        [app.case(open).await, app.case(solved).await],
        before,
        "nothing posted from elsewhere changed a case"
    );
    assert_eq!(
        sink.messages().len(),
        mails,
        "no link was mailed for a request from elsewhere"
    );
    own_cases(&mut ada).await;

    // The link refused from elsewhere was not used up; our own origin is welcome.
    let mut fresh = Browser::portal(&app);
    let signed = fresh
        .send(
            fresh
                .request(Method::POST, &link)
                .header("Origin", app.url.as_str())
                .header("Sec-Fetch-Site", "same-origin"),
        )
        .await;
    assert_eq!(
        signed.status,
        StatusCode::SEE_OTHER,
        "the link still works from our own page: {}",
        signed.text
    );
    let reply = ada
        .request(Method::POST, &format!("/portal/cases/{open}/reply"))
        .header("Origin", app.url.as_str())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("body", "From the portal itself"), ("csrf", &csrf)]);
    let reply = ada.send(reply).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
}

// --- tests: replies and ratings --------------------------------------------------------

#[tokio::test]
async fn a_customer_replies_with_a_file_signed_in_or_by_the_case_link() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let page = ada.get(&format!("/portal/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let csrf = csrf_of(&page);
    assert!(
        attributes(&page.text, "action").contains(&format!("/portal/cases/{id}/reply")),
        "the case page has a reply form: {}",
        page.text
    );

    let statement = pdf("bank statement");
    let sent = ada
        .post_multipart(
            &format!("/portal/cases/{id}/reply"),
            Form::new()
                .text("csrf", csrf)
                .text("body", "Here is my bank statement.")
                .part(
                    "file",
                    file("statement.pdf", statement.clone(), "application/pdf"),
                ),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    assert_eq!(sent.location(), format!("/portal/cases/{id}#latest"));

    let scan = png("scan");
    let mut by_link = Browser::portal(&app);
    let sent = by_link
        .post_multipart(
            &format!("/portal/cases/{id}/reply?token={token}"),
            Form::new().part("file", file("scan.png", scan.clone(), "image/png")),
        )
        .await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "a file alone is a reply too: {}",
        sent.text
    );
    assert_eq!(
        sent.location(),
        format!("/portal/cases/{id}?token={token}#latest"),
        "the case link keeps its token"
    );

    let replies = events_of(&app, id, "customer_replied").await;
    assert_eq!(
        replies.len(),
        2,
        "both replies are on the case: {replies:?}"
    );
    assert_eq!(replies[0]["body"], "Here is my bank statement.");
    assert_eq!(replies[0]["attachments"][0]["name"], "statement.pdf");
    assert_eq!(
        replies[0]["attachments"][0]["sha256"],
        sha256_hex(&statement)
    );
    assert_eq!(replies[1]["body"], "");
    assert_eq!(replies[1]["attachments"][0]["name"], "scan.png");
    assert_eq!(replies[1]["attachments"][0]["sha256"], sha256_hex(&scan));
    let events = app.events(id).await;
    assert!(
        events
            .iter()
            .filter(|e| e["kind"] == "customer_replied")
            .all(|e| e["actor"] == json!({"type": "customer"})),
        "the customer is the actor: {events:?}"
    );

    // The page shows the message and serves the file back exactly.
    let page = by_link
        .get(&format!("/portal/cases/{id}?token={token}"))
        .await;
    assert!(
        page.text.contains("Here is my bank statement."),
        "{}",
        page.text
    );
    let link = file_links(&page)
        .into_iter()
        .find(|l| l.contains(&sha256_hex(&statement)))
        .unwrap_or_else(|| panic!("the statement is linked: {}", page.text));
    let got = by_link.get(&link).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    assert_eq!(
        got.bytes, statement,
        "the statement comes back byte for byte"
    );
}

#[tokio::test]
async fn a_reply_to_a_solved_case_reopens_it() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    solve(&app, &org, id).await;
    assert_eq!(app.case(id).await["state"], "solved");

    let mut browser = Browser::portal(&app);
    let page = browser
        .get(&format!("/portal/cases/{id}?token={token}"))
        .await;
    assert!(
        page.text.contains("Refunded the duplicate charge.") && page.text.contains("Solved"),
        "the solved case shows the resolution: {}",
        page.text
    );
    let sent = browser
        .post(
            &format!("/portal/cases/{id}/reply?token={token}"),
            &[("body", "It happened again.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let case = app.case(id).await;
    assert_eq!(case["state"], "open", "the reply reopened the case");
    assert_eq!(
        case["owner"], org.front1.id,
        "it goes back to whoever solved it"
    );
    assert_eq!(
        kinds(&app.events(id).await),
        ["opened", "solved", "customer_replied", "reopened"]
    );
}

#[tokio::test]
async fn an_empty_reply_is_sent_back_and_records_nothing() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;
    let csrf = csrf_of(&ada.get(&format!("/portal/cases/{id}")).await);
    let before = app.case(id).await;

    let signed_in = ada
        .post_multipart(
            &format!("/portal/cases/{id}/reply"),
            Form::new()
                .text("csrf", csrf)
                .text("body", "   \n  ")
                // What a browser sends for a file input left empty.
                .part("file", Part::bytes(Vec::new()).file_name("")),
        )
        .await;
    let by_link = Browser::portal(&app)
        .post(
            &format!("/portal/cases/{id}/reply?token={token}"),
            &[("body", "")],
        )
        .await;
    for (how, page) in [("signed in", signed_in), ("by the case link", by_link)] {
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{how}, an empty reply is sent back: {}",
            page.text
        );
        assert!(
            page.text.contains("write a message or attach a file"),
            "{how}, the page says what is missing: {}",
            page.text
        );
    }
    assert_eq!(app.case(id).await, before, "nothing was recorded");
}

#[tokio::test]
async fn a_customer_rates_a_solved_case_once() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut ada = sign_in(&app, &sink, "ada@example.com").await;

    let open = ada.get(&format!("/portal/cases/{id}")).await;
    assert!(
        !attributes(&open.text, "action").contains(&format!("/portal/cases/{id}/rating")),
        "an open case offers no rating: {}",
        open.text
    );
    let csrf = csrf_of(&open);
    let rating = [
        ("csrf", csrf.as_str()),
        ("score", "5"),
        ("delighted_by", "Fast and kind."),
        ("would_recommend", "yes"),
    ];
    let early = ada
        .post(&format!("/portal/cases/{id}/rating"), &rating)
        .await;
    assert!(
        early.status.is_client_error(),
        "an open case cannot be rated: {} {}",
        early.status,
        early.text
    );

    solve(&app, &org, id).await;
    let solved = ada.get(&format!("/portal/cases/{id}")).await;
    assert!(
        attributes(&solved.text, "action").contains(&format!("/portal/cases/{id}/rating")),
        "a solved case asks for a rating: {}",
        solved.text
    );
    let rated = ada
        .post(&format!("/portal/cases/{id}/rating"), &rating)
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.text);
    assert_eq!(rated.location(), format!("/portal/cases/{id}#rating"));
    assert_eq!(
        events_of(&app, id, "rated").await,
        vec![json!({"score": 5, "delighted_by": "Fast and kind.", "would_recommend": true})],
        "the rating is recorded as given"
    );
    let page = ada.get(&format!("/portal/cases/{id}")).await;
    assert!(
        page.text.contains("5 out of 5")
            && !attributes(&page.text, "action").contains(&format!("/portal/cases/{id}/rating")),
        "the page thanks for the rating instead of asking again: {}",
        page.text
    );

    // A second rating, signed in or by the link, is refused.
    let again = ada
        .post(&format!("/portal/cases/{id}/rating"), &rating)
        .await;
    let again_by_link = Browser::portal(&app)
        .post(
            &format!("/portal/cases/{id}/rating?token={token}"),
            &[("score", "1"), ("would_recommend", "no")],
        )
        .await;
    for page in [again, again_by_link] {
        assert!(
            page.status.is_client_error(),
            "a case is rated once: {} {}",
            page.status,
            page.text
        );
    }
    assert_eq!(
        events_of(&app, id, "rated").await.len(),
        1,
        "still exactly one rating"
    );
}

#[tokio::test]
async fn a_rating_without_a_score_from_one_to_five_or_an_answer_is_sent_back() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let (id, token) = staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    solve(&app, &org, id).await;
    let before = app.case(id).await;
    let path = format!("/portal/cases/{id}/rating?token={token}");
    let mut browser = Browser::portal(&app);
    for (what, fields, problem) in [
        (
            "score 0",
            vec![("score", "0"), ("would_recommend", "yes")],
            "score",
        ),
        (
            "score 6",
            vec![("score", "6"), ("would_recommend", "yes")],
            "score",
        ),
        (
            "score -1",
            vec![("score", "-1"), ("would_recommend", "yes")],
            "score",
        ),
        (
            "score \"five\"",
            vec![("score", "five"), ("would_recommend", "yes")],
            "score",
        ),
        ("no score", vec![("would_recommend", "yes")], "score"),
        ("no recommendation", vec![("score", "4")], "recommend"),
        (
            "a recommendation of maybe",
            vec![("score", "4"), ("would_recommend", "maybe")],
            "recommend",
        ),
    ] {
        let page = browser.post(&path, &fields).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a rating with {what} is sent back: {}",
            page.text
        );
        assert!(
            page.text.contains(problem),
            "the page names the {problem} for {what}: {}",
            page.text
        );
    }
    assert_eq!(app.case(id).await, before, "no rating was recorded");

    let good = browser
        .post(&path, &[("score", "1"), ("would_recommend", "no")])
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert_eq!(
        events_of(&app, id, "rated").await,
        vec![json!({"score": 1, "delighted_by": "", "would_recommend": false})],
        "an unhappy rating counts as much as a happy one"
    );
}

// --- tests: rate limits ----------------------------------------------------------------

#[tokio::test]
async fn a_third_sign_in_request_for_an_address_within_the_hour_waits() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing_with(&sink, |c| c.public_posts_per_address_per_hour = 2).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    staff_case(&app, &org.front1, "bob@example.com", "Bob's").await;

    mailed_link(&app, &sink, "ada@example.com").await;
    mailed_link(&app, &sink, "ada@example.com").await;
    let third = Browser::portal(&app)
        .post("/portal/sign-in", &[("email", "ada@example.com")])
        .await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the third request within the hour is refused: {}",
        third.text
    );
    let wait: u64 = third
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a 429 says how long to wait: {:?}", third.headers));
    assert!(wait > 0, "Retry-After {wait}");
    assert!(
        third.is_html() && third.text.contains("try again"),
        "the page says to try again later: {}",
        third.text
    );
    assert_eq!(
        mails_to(&sink, "ada@example.com"),
        2,
        "only two links were mailed"
    );

    // Another address has its own allowance.
    mailed_link(&app, &sink, "bob@example.com").await;
}

#[tokio::test]
async fn a_fourth_form_from_one_network_within_the_minute_waits_and_opens_no_case() {
    let app = TestApp::spawn_with(|c| c.public_posts_per_ip_per_minute = 3).await;
    app.org().await;
    let mut browser = Browser::portal(&app);
    let before = case_count(&app).await;
    for n in 0..3 {
        write_in(
            &mut browser,
            billing_form(
                "Ada",
                &format!("ada{n}@example.com"),
                "Charged twice",
                vec![],
            ),
        )
        .await;
    }
    assert_eq!(case_count(&app).await, before + 3);
    let fourth = browser
        .post_multipart(
            "/contact/billing",
            billing_form("Ada", "ada3@example.com", "Charged twice", vec![]),
        )
        .await;
    assert_eq!(
        fourth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the fourth form within the minute is refused: {}",
        fourth.text
    );
    let wait: u64 = fourth
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a 429 says how long to wait: {:?}", fourth.headers));
    assert!(wait > 0, "Retry-After {wait}");
    assert_eq!(
        case_count(&app).await,
        before + 3,
        "the refused form opened no case"
    );
}

// --- tests: what every page promises ---------------------------------------------------

#[tokio::test]
async fn every_page_forbids_framing_foreign_content_and_referrers() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    let mut anon = Browser::portal(&app);
    let written = write_in(
        &mut anon,
        billing_form(
            "Ada",
            "ada@example.com",
            "Charged twice",
            vec![file("a.pdf", pdf("a"), "application/pdf")],
        ),
    )
    .await;
    let id = written.id;
    solve(&app, &org, id).await;
    let link = mailed_link(&app, &sink, "ada@example.com").await;

    let mut pages = vec![
        ("the categories page", anon.get("/contact").await),
        ("the form", anon.get("/contact/billing").await),
        ("an unknown category", anon.get("/contact/nope").await),
        (
            "a form sent back",
            anon.post("/contact/billing", &[("name", "Ada")]).await,
        ),
        ("the sign-in page", anon.get("/portal").await),
        (
            "the link-sent page",
            anon.post("/portal/sign-in", &[("email", "x@example.com")])
                .await,
        ),
        (
            "a bad address",
            anon.post("/portal/sign-in", &[("email", "x")]).await,
        ),
        ("the link's button", anon.get(&link).await),
        (
            "a case without access",
            anon.get(&format!("/portal/cases/{id}")).await,
        ),
        ("the new case's page", anon.get(&written.page_path).await),
        (
            "a case with a wrong token",
            anon.get(&format!("/portal/cases/{id}?token=nope")).await,
        ),
        (
            "a bad rating",
            anon.post(
                &format!("/portal/cases/{id}/rating?token={}", written.token),
                &[("score", "9")],
            )
            .await,
        ),
    ];
    let mut ada = Browser::portal(&app);
    pages.push(("signing in", ada.post(&link, &[]).await));
    pages.push(("a used link", anon.post(&link, &[]).await));
    let list = own_cases(&mut ada).await;
    let csrf = csrf_of(&list);
    pages.push(("the list of cases", list));
    let case = ada.get(&format!("/portal/cases/{id}")).await;
    let download = file_links(&case)
        .into_iter()
        .next()
        .expect("the case page links its file");
    pages.push(("the case page", case));
    pages.push(("a download", ada.get(&download).await));
    pages.push((
        "a refused reply",
        ada.post(&format!("/portal/cases/{id}/reply"), &[("body", "x")])
            .await,
    ));
    pages.push((
        "signing out",
        ada.post("/portal/sign-out", &[("csrf", &csrf)]).await,
    ));

    let mut statuses = BTreeSet::new();
    for (what, page) in &pages {
        statuses.insert(page.status.as_u16());
        assert_page_headers(what, page);
    }
    assert_eq!(
        statuses,
        BTreeSet::from([200, 303, 400, 401, 403, 404, 422]),
        "the pages checked cover every kind of answer"
    );
}

#[tokio::test]
async fn what_a_customer_types_is_shown_escaped_never_run() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    app.org().await;
    let script = "<script>alert(1)</script>";
    let escaped = "&#60;script&#62;alert(1)";
    let mut eve = Browser::portal(&app);

    let sent_back = eve
        .post(
            "/contact/billing",
            &[
                ("name", script),
                ("email", "eve@example.com\"><script>alert(1)</script>"),
                ("fact_account_number", script),
                ("subject", script),
                ("description", script),
            ],
        )
        .await;
    let written = write_in(
        &mut eve,
        Form::new()
            .text("name", format!("Eve {script}"))
            .text("email", "eve@example.com")
            .text("fact_account_number", script)
            .text("subject", format!("Subject {script}"))
            .text("description", format!("Description {script}"))
            .part(
                "file",
                file(&format!("{script}.pdf"), pdf("eve"), "application/pdf"),
            ),
    )
    .await;
    let case_path = format!("/portal/cases/{}?token={}", written.id, written.token);
    let reply = eve
        .post(
            &format!("/portal/cases/{}/reply?token={}", written.id, written.token),
            &[("body", &format!("Reply {script}"))],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    let mut signed_in = sign_in(&app, &sink, "eve@example.com").await;

    let pages = [
        ("the form sent back", sent_back),
        ("the new case's page", eve.get(&written.page_path).await),
        ("the case page after a reply", eve.get(&case_path).await),
        ("the list of cases", own_cases(&mut signed_in).await),
        (
            "the sign-in form sent back",
            eve.post("/portal/sign-in", &[("email", script)]).await,
        ),
        (
            "an unknown category's page",
            eve.get("/contact/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
                .await,
        ),
    ];
    for (what, page) in &pages {
        assert!(
            !page.text.contains("<script"),
            "{what} never contains the customer's markup as markup: {}",
            page.text
        );
        assert!(
            page.text.contains(escaped),
            "{what} shows what was typed, escaped: {}",
            page.text
        );
    }
    let case_page = &pages[2].1.text;
    for typed in ["Subject", "Description", "Reply"] {
        assert!(
            case_page.contains(&format!("{typed} {escaped}")),
            "the case page shows the {typed} as typed: {case_page}"
        );
    }
}

#[tokio::test]
async fn with_the_relay_down_a_customers_address_still_gets_the_same_answer_as_a_strangers() {
    // A relay that is not there: the link cannot go out, but the page must not say so
    // only for customers (that would tell anyone who our customers are).
    let closed = common::smtp_sink::free_port();
    let app = TestApp::spawn_with(move |c| {
        c.smtp_relay = Some(format!("smtp://127.0.0.1:{closed}"));
        c.public_posts_per_ip_per_minute = 1000;
    })
    .await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let known = Browser::portal(&app)
        .post("/portal/sign-in", &[("email", "ada@example.com")])
        .await;
    let unknown = Browser::portal(&app)
        .post("/portal/sign-in", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.text);
    assert_eq!(
        known.text.replace("ada@example.com", "ADDRESS"),
        unknown.text.replace("nobody@example.com", "ADDRESS"),
        "the same page for a customer and a stranger"
    );
}

#[tokio::test]
async fn writing_in_with_someone_elses_address_does_not_rename_them() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Charged twice").await;
    let mut stranger = Browser::portal(&app);
    write_in(
        &mut stranger,
        billing_form(
            "Your account is locked, call +1 555 0100",
            "ada@example.com",
            "Hello",
            vec![],
        ),
    )
    .await;
    let link = mailed_link(&app, &sink, "ada@example.com").await;
    let greeting = sink
        .messages()
        .iter()
        .map(|m| body(m))
        .find(|b| b.contains(&link))
        .expect("the sign-in mail");
    assert!(
        greeting.contains("Hello Customer ada@example.com") && !greeting.contains("locked"),
        "Ada is still greeted by the name she gave, not by what a stranger typed: {greeting}"
    );
}

#[tokio::test]
async fn behind_a_proxy_that_rewrites_host_the_public_urls_origin_is_accepted() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing_with(&sink, |c| {
        c.public_url = "https://support.example.com".into();
    })
    .await;
    let mut browser = Browser::portal(&app);
    let request = browser
        .request(Method::POST, "/portal/sign-in")
        .header("Origin", "https://support.example.com")
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("email", "ada@example.com")]);
    let page = browser.send(request).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "a post from our public address is ours, whatever Host the proxy passes: {}",
        page.text
    );
    let request = browser
        .request(Method::POST, "/portal/sign-in")
        .header("Origin", "https://support.example.com.evil.example")
        .form(&[("email", "ada@example.com")]);
    assert_eq!(
        browser.send(request).await.status,
        StatusCode::FORBIDDEN,
        "a look-alike origin is not"
    );
}

#[tokio::test]
async fn cross_site_the_public_form_refuses_posts_from_another_site() {
    let app = TestApp::spawn().await;
    app.org().await;
    for (name, value) in [("Origin", EVIL), ("Sec-Fetch-Site", "cross-site")] {
        let mut browser = Browser::portal(&app);
        let request = browser
            .request(Method::POST, "/contact/billing")
            .header(name, value)
            .multipart(billing_form(
                "Eve",
                "eve@example.com",
                "Opened by another site",
                vec![],
            ));
        let sent = browser.send(request).await;
        assert_eq!(
            sent.status,
            StatusCode::FORBIDDEN,
            "{name}: {value}: {}",
            sent.text
        );
    }
    let cases = app.get(&app.admin_token, "/api/v1/cases").await;
    assert_eq!(
        cases.body.as_array().unwrap().len(),
        0,
        "no case was opened"
    );
    // The same form from our own pages still works.
    let mut browser = Browser::portal(&app);
    write_in(
        &mut browser,
        billing_form("Eve", "eve@example.com", "From our page", vec![]),
    )
    .await;
}

#[tokio::test]
async fn mail_loops_the_sign_in_mail_says_no_auto_responder_may_answer_it() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    staff_case(&app, &org.front1, "ada@example.com", "Anything").await;
    mailed_link(&app, &sink, "ada@example.com").await;
    let messages = sink.messages();
    let sign_in = messages
        .iter()
        .find(|m| body(m).contains("/portal/sign-in/"))
        .expect("the sign-in mail");
    assert_eq!(
        header(sign_in, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(header(sign_in, "Precedence").as_deref(), Some("bulk"));
    assert_eq!(
        header(sign_in, "X-Auto-Response-Suppress").as_deref(),
        Some("All")
    );
}

#[tokio::test]
async fn the_thank_you_page_says_it_mailed_only_when_mail_can_go() {
    for (relay, claimed) in [
        (None, false),
        (Some("smtp://127.0.0.1:9".to_string()), true),
    ] {
        let app = TestApp::spawn_with(|c| c.smtp_relay = relay.clone()).await;
        let org = app.org().await;
        let id = app.open_case_id(&org.front1, "Charged twice").await;
        let token = app.customer_token_of(id).await;
        let mut browser = Browser::portal(&app);
        let page = browser
            .get(&format!("/portal/cases/{id}?token={token}&new=1"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Thank you: we have your request"));
        assert_eq!(
            page.text.contains("We have mailed you this too."),
            claimed,
            "relay {relay:?}: {}",
            page.text
        );
    }
}
