//! Getting staff in, in a real browser (Debian's headless Chromium over WebDriver): an
//! administrator adds a colleague who gets the invitation by mail, chooses a password and
//! lands signed in; someone who forgot their password asks for a link from the sign-in
//! page; and the new pages fit a phone's screen. Every screen is saved under
//! `target/screenshots/`. Skips loudly without chromium and chromedriver, or without
//! aiosmtpd for the mailed links, unless `ROADONE_TEST_REQUIRE_ALL=1`.

use crate::browser::{browser, css, screenshot, sign_in, sign_out, start_driver, xpath};
use crate::common;

use common::smtp_sink::{links_in, SmtpSink};
use common::staff::{self, set_passwords, PASSWORD};
use common::*;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// A server whose mail goes to `sink`, a real SMTP server.
async fn spawn_mailing(sink: &SmtpSink) -> TestApp {
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    TestApp::spawn_with(move |c| {
        c.smtp_relay = Some(relay);
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 1000;
    })
    .await
}

/// The password links (paths) mailed to `email`, once there are `n` of them.
async fn mailed_links(app: &TestApp, sink: &SmtpSink, email: &str, n: usize) -> Vec<String> {
    for _ in 0..500 {
        let links = links_in(&sink.messages(), email, &app.url, "/staff/password/");
        if links.len() >= n {
            return links;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{n} password link(s) mailed to {email}");
}

/// Waits until the header says `name` is signed in (the sign-out button names them).
async fn signed_in_as(c: &Client, name: &str) {
    xpath(
        c,
        &format!("//header//button[normalize-space(.)='Sign out {name}']"),
    )
    .await;
}

/// The path the browser is on.
async fn path_of(c: &Client) -> String {
    c.current_url().await.expect("a URL").path().to_string()
}

/// The whole page's text, header included.
async fn text_of_body(c: &Client) -> String {
    css(c, "body").await.text().await.expect("the page's text")
}

/// Types `password` into both fields of the choose-password page and submits.
async fn choose(c: &Client, password: &str) {
    css(c, "#new").await.send_keys(password).await.unwrap();
    css(c, "#repeat").await.send_keys(password).await.unwrap();
    css(c, "main form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

/// Signs in through the sign-in page with `password` (not the harness's).
async fn sign_in_with(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&format!("{}/staff/sign-in", app.url)).await.unwrap();
    css(c, "#email").await.send_keys(email).await.unwrap();
    css(c, "#password").await.send_keys(password).await.unwrap();
    css(c, "main button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invited_colleague_sets_a_password_and_lands_signed_in() {
    let Some(driver) = start_driver() else {
        return;
    };
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin]).await;
    let c = browser(&driver).await;

    // The administrator adds Nia, with the invitation ticked as it comes.
    sign_in(&c, &app, &staff::email_of(&app, admin).await).await;
    xpath(
        &c,
        "//header//button[starts-with(normalize-space(.), 'Sign out')]",
    )
    .await;
    c.goto(&format!("{}/staff/admin/people", app.url))
        .await
        .unwrap();
    css(&c, "#new-name")
        .await
        .send_keys("Nia New")
        .await
        .unwrap();
    css(&c, "#new-email")
        .await
        .send_keys("nia@example.com")
        .await
        .unwrap();
    css(&c, "#new-role")
        .await
        .select_by_value("frontline")
        .await
        .unwrap();
    let invite = css(
        &c,
        "form[action='/staff/admin/people/add'] input[name=invite]",
    )
    .await;
    assert!(
        invite.is_selected().await.unwrap(),
        "the invitation is ticked by default"
    );
    screenshot(&c, "accounts-01-add-a-person").await;
    css(
        &c,
        "form[action='/staff/admin/people/add'] button[type=submit]",
    )
    .await
    .click()
    .await
    .unwrap();
    let notice = css(&c, ".notice").await.text().await.unwrap();
    assert!(
        notice.contains(
            "Nia New was added; an invitation to choose a password was mailed to nia@example.com"
        ),
        "{notice}"
    );
    let row = xpath(&c, "//li[strong[text()='Nia New']]").await;
    let row = row.text().await.unwrap();
    assert!(
        row.contains("invited, the link works until"),
        "the list says an invitation waits: {row}"
    );
    screenshot(&c, "accounts-02-added-and-invited").await;
    let link = mailed_links(&app, &sink, "nia@example.com", 1)
        .await
        .remove(0);
    sign_out(&c).await;

    // Nia opens the mailed link.
    c.goto(&format!("{}{link}", app.url)).await.unwrap();
    xpath(&c, "//h1[text()='Welcome, Nia New']").await;
    screenshot(&c, "accounts-03-welcome").await;

    // A password too short: the field asks for 10 characters, and Chromium itself holds
    // the form back (the field has `minlength`), so nothing reaches the server yet.
    let hint = css(&c, "label[for=new]").await.text().await.unwrap();
    assert!(hint.contains("at least 10 characters"), "{hint}");
    choose(&c, "short").await;
    let too_short = c
        .execute(
            "const f = document.getElementById('new'); \
             return [f.validity.tooShort, f.validationMessage];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        too_short[0],
        json!(true),
        "the browser finds the password too short: {too_short}"
    );
    assert_eq!(path_of(&c).await, link, "still on the page of the link");
    screenshot(&c, "accounts-04-too-short-in-the-browser").await;

    // Where the browser does not check (or it is switched off), the server says the same
    // next to the field, tied to it for screen readers.
    c.execute(
        "document.querySelector('main form').noValidate = true;",
        vec![],
    )
    .await
    .unwrap();
    css(&c, "main form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let error = css(&c, "#password-error").await.text().await.unwrap();
    assert!(error.contains("at least 10 characters"), "{error}");
    let field = css(&c, "#new").await;
    assert_eq!(
        field.attr("aria-describedby").await.unwrap().as_deref(),
        Some("password-error"),
        "the error is tied to its field"
    );
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        c.find(Locator::Css("header form button")).await.is_err(),
        "nobody is signed in yet"
    );
    screenshot(&c, "accounts-05-too-short-from-the-server").await;

    // A good password, twice: Nia lands on her cases, signed in.
    let nias = "Nia's own long password";
    choose(&c, nias).await;
    signed_in_as(&c, "Nia New").await;
    assert_eq!(path_of(&c).await, "/staff/cases");
    let page = text_of_body(&c).await;
    assert!(page.contains("Nia New"), "the page is Nia's: {page}");
    screenshot(&c, "accounts-06-signed-in").await;

    // The link worked once.
    sign_out(&c).await;
    c.goto(&format!("{}{link}", app.url)).await.unwrap();
    xpath(&c, "//h1[text()='This link no longer works']").await;
    screenshot(&c, "accounts-07-link-spent").await;

    // And the password she chose is hers.
    sign_in_with(&c, &app, "nia@example.com", nias).await;
    signed_in_as(&c, "Nia New").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn forgot_password_from_the_sign_in_page() {
    let Some(driver) = start_driver() else {
        return;
    };
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = spawn_mailing(&sink).await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let email = staff::email_of(&app, org.front1.id).await;
    let c = browser(&driver).await;

    c.goto(&format!("{}/staff/sign-in", app.url)).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Forgot your password?"))
        .await
        .expect("the link on the sign-in page")
        .click()
        .await
        .unwrap();
    xpath(&c, "//h1[text()='Forgot your password?']").await;
    assert_eq!(path_of(&c).await, "/staff/forgot-password");
    css(&c, "#email").await.send_keys(&email).await.unwrap();
    screenshot(&c, "accounts-11-forgot-password").await;
    css(&c, "main form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    xpath(&c, "//h1[text()='Check your mail']").await;
    let sent = css(&c, "main [role=status]").await.text().await.unwrap();
    assert!(sent.contains(&email), "names the address typed: {sent}");
    screenshot(&c, "accounts-12-check-your-mail").await;

    // Fran follows the mailed link and chooses a new password.
    let link = mailed_links(&app, &sink, &email, 1).await.remove(0);
    c.goto(&format!("{}{link}", app.url)).await.unwrap();
    xpath(&c, "//h1[text()='Choose a new password']").await;
    let intro = css(&c, "main p").await.text().await.unwrap();
    assert!(intro.contains(&email), "says who signs in: {intro}");
    screenshot(&c, "accounts-13-choose-a-new-password").await;
    let new = "a brand new long password";
    choose(&c, new).await;
    signed_in_as(&c, "Fran Front").await;
    assert_eq!(path_of(&c).await, "/staff/cases");
    screenshot(&c, "accounts-14-signed-in-again").await;

    // Out and in again: the old password is gone, the new one works.
    sign_out(&c).await;
    sign_in_with(&c, &app, &email, PASSWORD).await;
    let problem = css(&c, "main .problem").await.text().await.unwrap();
    assert!(!problem.is_empty(), "the old password is refused");
    assert!(
        c.find(Locator::Css("header form button")).await.is_err(),
        "not signed in with the old password"
    );
    screenshot(&c, "accounts-15-old-password-refused").await;
    sign_in_with(&c, &app, &email, new).await;
    signed_in_as(&c, "Fran Front").await;
    assert_eq!(path_of(&c).await, "/staff/cases");
    c.close().await.unwrap();
}

/// How wide the page is against the window: `scrollWidth`, `innerWidth` and `clientWidth`
/// (the window less a vertical scrollbar, when the page has one).
async fn widths(c: &Client) -> (i64, i64, i64) {
    let w = c
        .execute(
            "const d = document.documentElement; \
             return [d.scrollWidth, window.innerWidth, d.clientWidth];",
            vec![],
        )
        .await
        .expect("the widths");
    let px = |i: usize| w[i].as_i64().expect("a width in pixels");
    (px(0), px(1), px(2))
}

/// Saves the page and asserts it has no horizontal scroll: no wider than the window, nor
/// than the part of it beside a vertical scrollbar (which `innerWidth` counts in).
async fn fits(c: &Client, page: &str, shot: &str) {
    screenshot(c, shot).await;
    let (scroll, inner, client) = widths(c).await;
    eprintln!("{page}: scrollWidth {scroll} px, innerWidth {inner} px, clientWidth {client} px");
    assert!(
        scroll <= inner && scroll <= client,
        "{page} scrolls sideways on a phone: {scroll} px wide in a window of {inner} px \
         ({client} px beside the scrollbar)"
    );
}

#[tokio::test]
async fn new_pages_fit_a_phone() {
    let Some(driver) = start_driver() else {
        return;
    };
    // No relay: the invitation's link comes back in the answer.
    let app = TestApp::spawn().await;
    let admin = app.admin_id().await;
    set_passwords(&app, &[admin]).await;
    let pia = app.person("Pia Phone", "frontline", None).await;
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/invite", pia.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.body["mailed"], false, "{}", r.text);
    let link = r.body["link"].as_str().expect("the link").to_string();
    let c = browser(&driver).await;
    c.set_window_size(390, 844).await.unwrap();

    c.goto(&format!("{}/staff/sign-in", app.url)).await.unwrap();
    xpath(&c, "//h1[text()='Sign in']").await;
    fits(&c, "/staff/sign-in", "accounts-21-phone-sign-in").await;

    c.goto(&format!("{}/staff/forgot-password", app.url))
        .await
        .unwrap();
    xpath(&c, "//h1[text()='Forgot your password?']").await;
    fits(
        &c,
        "/staff/forgot-password",
        "accounts-22-phone-forgot-password",
    )
    .await;

    c.goto(&link).await.unwrap();
    xpath(&c, "//h1[text()='Welcome, Pia Phone']").await;
    fits(
        &c,
        "the choose-password page",
        "accounts-23-phone-choose-password",
    )
    .await;

    sign_in(&c, &app, &staff::email_of(&app, admin).await).await;
    xpath(
        &c,
        "//header//button[starts-with(normalize-space(.), 'Sign out')]",
    )
    .await;
    c.goto(&format!("{}/staff/admin/people", app.url))
        .await
        .unwrap();
    xpath(&c, "//h1[text()='People and the hierarchy']").await;
    fits(&c, "/staff/admin/people", "accounts-24-phone-admin-people").await;

    // The same page right after adding someone it could not mail: the link to pass on,
    // in a field to copy, is the longest thing on it.
    css(&c, "#new-name")
        .await
        .send_keys("Quin Quick")
        .await
        .unwrap();
    css(&c, "#new-email")
        .await
        .send_keys("quin@example.com")
        .await
        .unwrap();
    css(
        &c,
        "form[action='/staff/admin/people/add'] button[type=submit]",
    )
    .await
    .click()
    .await
    .unwrap();
    css(&c, "#pass-on-link").await;
    fits(
        &c,
        "/staff/admin/people with a link to pass on",
        "accounts-25-phone-admin-people-pass-on",
    )
    .await;
    // This session's pages for every person: their zone, the shortcuts, canned replies.
    for (path, heading, shot) in [
        (
            "/staff/time-zone",
            "Your time zone",
            "accounts-26-phone-time-zone",
        ),
        (
            "/staff/shortcuts",
            "Keyboard shortcuts",
            "accounts-27-phone-shortcuts",
        ),
        (
            "/staff/canned",
            "Canned replies",
            "accounts-28-phone-canned",
        ),
    ] {
        c.goto(&format!("{}{path}", app.url)).await.unwrap();
        xpath(&c, &format!("//h1[text()='{heading}']")).await;
        fits(&c, path, shot).await;
    }
    c.close().await.unwrap();
}
