//! Getting staff in without the server's shell: an administrator invites a new person by
//! mail, anyone who forgot their password asks for a link, the link lets them choose one
//! and signs them in; and an administrator corrects a person's name, email and role.
//!
//! The mailed links need a real SMTP sink (aiosmtpd); those tests skip loudly without it.

use crate::common;

use common::browser::Browser;
use common::html::unescape;
use common::smtp_sink::{body, header, links_in, SmtpSink};
use common::staff::{self, set_passwords, StaffSession, PASSWORD};
use common::*;
use reqwest::StatusCode;

const STAFF_COOKIE: &str = "roadone_staff";

async fn spawn_mailing(sink: &SmtpSink) -> TestApp {
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    TestApp::spawn_with(move |c| {
        c.smtp_relay = Some(relay);
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 1000;
    })
    .await
}

/// The password links (paths) in the mails `sink` holds for `email`.
fn links_to(app: &TestApp, sink: &SmtpSink, email: &str) -> Vec<String> {
    links_in(&sink.messages(), email, &app.url, "/staff/password/")
}

async fn wait_for_links(app: &TestApp, sink: &SmtpSink, email: &str, n: usize) -> Vec<String> {
    for _ in 0..500 {
        let links = links_to(app, sink, email);
        if links.len() >= n {
            return links;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{n} password link(s) mailed to {email}");
}

async fn add_person(admin: &StaffSession, name: &str, email: &str, invite: bool) -> String {
    let mut fields = vec![
        ("csrf", admin.csrf.as_str()),
        ("name", name),
        ("email", email),
        ("role", "frontline"),
        ("reports_to", ""),
    ];
    if invite {
        fields.push(("invite", "yes"));
    }
    let r = admin
        .post("/staff/admin/people/add")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "adding {name}");
    admin.follow(r).await
}

async fn person_id(app: &TestApp, email: &str) -> i64 {
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn admin_session(app: &TestApp) -> StaffSession {
    let admin = app.admin_id().await;
    set_passwords(app, &[admin]).await;
    StaffSession::sign_in(app, admin).await
}

#[tokio::test]
async fn an_invited_person_chooses_a_password_with_the_mailed_link_and_is_signed_in() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let admin = admin_session(&app).await;
    let page = add_person(&admin, "Nia New", "nia@example.com", true).await;
    assert!(
        page.contains(
            "Nia New was added; an invitation to choose a password was mailed to nia@example.com"
        ),
        "{page}"
    );
    assert!(
        page.contains("invited, the link works until"),
        "the list says an invitation waits"
    );
    let link = wait_for_links(&app, &sink, "nia@example.com", 1)
        .await
        .remove(0);
    let mail = sink
        .messages()
        .into_iter()
        .find(|m| header(m, "To").is_some_and(|t| t.contains("nia@example.com")))
        .unwrap();
    assert!(
        header(&mail, "Subject").is_some_and(|s| s.contains("invited you")),
        "{mail}"
    );
    assert!(
        header(&mail, "Content-Type").is_some_and(|c| c.contains("charset=utf-8")),
        "{mail}"
    );
    assert!(body(&mail).contains(&format!("{}/staff/sign-in", app.url)));

    let mut browser = Browser::keeping(&app, STAFF_COOKIE, None);
    let form = browser.get(&link).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("Welcome, Nia New"), "{}", form.text);
    let differ = browser
        .post(
            &link,
            &[("new", PASSWORD), ("repeat", "something else entirely")],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        differ.text.contains("The two passwords differ"),
        "{}",
        differ.text
    );
    assert!(
        differ.text.contains("aria-describedby=\"password-error\""),
        "the error is tied to its field"
    );
    let short = browser
        .post(&link, &[("new", "short"), ("repeat", "short")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.text.contains("at least 10 characters"),
        "{}",
        short.text
    );
    assert!(browser.cookie.is_none(), "nobody is signed in yet");

    let done = browser
        .post(&link, &[("new", PASSWORD), ("repeat", PASSWORD)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.location(), "/staff/cases");
    let cases = browser.get("/staff/cases").await;
    assert_eq!(
        cases.status,
        StatusCode::OK,
        "signed in with the new password"
    );
    assert!(cases.text.contains("Nia New"), "the page is Nia's");

    let again = Browser::keeping(&app, STAFF_COOKIE, None).get(&link).await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert!(again.text.contains("This link no longer works"));
    let nia = person_id(&app, "nia@example.com").await;
    StaffSession::sign_in(&app, nia).await; // with the password she chose
    let list = admin.get_text("/staff/admin/people").await;
    let row = &list[list.find("<strong>Nia New</strong>").unwrap()..];
    assert!(
        row[..row.find("</span>").unwrap()].contains("can sign in"),
        "{row}"
    );
}

#[tokio::test]
async fn a_resent_invitation_replaces_the_first() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let admin = admin_session(&app).await;
    add_person(&admin, "Olu Other", "olu@example.com", true).await;
    let first = wait_for_links(&app, &sink, "olu@example.com", 1)
        .await
        .remove(0);
    let olu = person_id(&app, "olu@example.com").await;
    let r = admin
        .post("/staff/admin/people/invite")
        .form(&[("csrf", admin.csrf.as_str()), ("id", &olu.to_string())])
        .send()
        .await
        .unwrap();
    let page = admin.follow(r).await;
    assert!(
        page.contains("an invitation to choose a password was mailed"),
        "{page}"
    );
    let links = wait_for_links(&app, &sink, "olu@example.com", 2).await;
    let second = links
        .iter()
        .find(|l| **l != first)
        .expect("a new link")
        .clone();
    let mut browser = Browser::keeping(&app, STAFF_COOKIE, None);
    assert_eq!(
        browser.get(&first).await.status,
        StatusCode::GONE,
        "the first is spent"
    );
    assert_eq!(
        browser.get(&second).await.status,
        StatusCode::OK,
        "the second works"
    );
}

#[tokio::test]
async fn forgot_password_mails_only_real_people_and_answers_everyone_alike() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let old_session = StaffSession::sign_in(&app, org.front1.id).await;
    let email = staff::email_of(&app, org.front1.id).await;

    let mut anon = Browser::keeping(&app, STAFF_COOKIE, None);
    let sign_in = anon.get("/staff/sign-in").await;
    assert!(sign_in.text.contains("href=\"/staff/forgot-password\""));
    let known = anon
        .post("/staff/forgot-password", &[("email", &email)])
        .await;
    let unknown = anon
        .post("/staff/forgot-password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(
        known.text.replace(&email, "X"),
        unknown.text.replace("nobody@example.com", "X"),
        "the answer does not tell who works here"
    );
    let link = wait_for_links(&app, &sink, &email, 1).await.remove(0);
    let mailed = sink.settled().await;
    assert!(
        !mailed
            .iter()
            .any(|m| header(m, "To").is_some_and(|t| t.contains("nobody@example.com"))),
        "nothing is mailed to an address that is nobody's"
    );
    let bad = anon
        .post("/staff/forgot-password", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text.contains("is not an email address")
            && bad.text.contains("value=\"not an address\""),
        "the error names the problem and keeps what was typed: {}",
        bad.text
    );

    let new = "a brand new long password";
    let mut browser = Browser::keeping(&app, STAFF_COOKIE, None);
    let form = browser.get(&link).await;
    assert!(form.text.contains("Choose a new password"), "{}", form.text);
    let done = browser.post(&link, &[("new", new), ("repeat", new)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let stale = old_session.get("/staff/cases").send().await.unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::SEE_OTHER,
        "the new password signed the old session out"
    );
    let old = anon
        .post(
            "/staff/sign-in",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    let fresh = anon
        .post("/staff/sign-in", &[("email", &email), ("password", new)])
        .await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "the new one signs in");
}

#[tokio::test]
async fn without_a_relay_the_admin_is_given_the_link_to_pass_on_once() {
    let app = TestApp::spawn().await;
    let admin = admin_session(&app).await;
    let page = unescape(&add_person(&admin, "Pat Post", "pat@example.com", true).await);
    assert!(page.contains("the invitation was not mailed"), "{page}");
    let prefix = format!("value=\"{}/staff/password/", app.url);
    let at = page.find(&prefix).expect("the link, in a copyable field");
    let link: String = page[at + "value=\"".len() + app.url.len()..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let mut browser = Browser::keeping(&app, STAFF_COOKIE, None);
    let form = browser.get(&link).await;
    assert!(form.text.contains("Welcome, Pat Post"), "{}", form.text);
    let later = unescape(&admin.get_text("/staff/admin/people").await);
    assert!(
        !later.contains(&link),
        "the link is shown once, not on every visit"
    );
    let forged = admin
        .get_text("/staff/admin/people?done=Your+account+is+suspended")
        .await;
    assert!(
        !forged.contains("Your account is suspended"),
        "text in a link is never shown as the server's notice"
    );
}

#[tokio::test]
async fn the_admin_corrects_a_person_and_the_last_admin_keeps_the_role() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = admin_session(&app).await;
    let edit = |id: i64, name: &str, email: &str, role: &str| {
        let (id, name, email, role) = (
            id.to_string(),
            name.to_string(),
            email.to_string(),
            role.to_string(),
        );
        let csrf = admin.csrf.clone();
        admin
            .post("/staff/admin/people/edit")
            .form(&[
                ("csrf", csrf),
                ("id", id),
                ("name", name),
                ("email", email),
                ("role", role),
            ])
            .send()
    };
    let r = edit(
        org.front1.id,
        "Frances Front",
        "frances@example.com",
        "staff",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(admin.follow(r).await.contains("Frances Front was saved."));
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    let fran = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == org.front1.id)
        .unwrap()
        .clone();
    assert_eq!(
        (
            fran["name"].as_str(),
            fran["email"].as_str(),
            fran["role"].as_str()
        ),
        (
            Some("Frances Front"),
            Some("frances@example.com"),
            Some("staff")
        )
    );
    let lead_email = staff::email_of(&app, org.lead.id).await;
    let taken = edit(org.front1.id, "Frances Front", &lead_email, "staff")
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(taken.text().await.unwrap().contains(&lead_email));
    let me = app.admin_id().await;
    let admin_email = staff::email_of(&app, me).await;
    let demoted = edit(me, "The Admin", &admin_email, "manager")
        .await
        .unwrap();
    assert_eq!(demoted.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demoted
        .text()
        .await
        .unwrap()
        .contains("last active administrator"));
    let odd = edit(
        org.front1.id,
        "Frances Front",
        "frances@example.com",
        "boss",
    )
    .await
    .unwrap();
    assert_eq!(odd.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let after = app.get(&app.admin_token, "/api/v1/people").await;
    assert_eq!(
        after.body, people.body,
        "refused corrections change nothing"
    );
}
