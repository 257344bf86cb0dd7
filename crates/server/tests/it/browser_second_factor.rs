//! Two-step sign-in in a real browser (Debian's headless Chromium over WebDriver): a
//! person turns it on from their password page (a QR code and the secret as text), signs
//! out, signs in with their password and a code made in this test from the secret the page
//! showed, then with a recovery code, which is refused the second time. Every screen is
//! saved under `target/screenshots/`. Skips loudly without chromium and chromedriver,
//! unless `ROADONE_TEST_REQUIRE_ALL=1`.

use crate::browser::{browser, css, screenshot, sign_in, sign_out, start_driver, xpath};
use crate::common;
use crate::staff_second_factor::code_at;

use common::staff::{self, set_passwords, PASSWORD};
use common::*;
use fantoccini::Client;
use roadone_domain::Clock;

async fn type_into(c: &Client, selector: &str, text: &str) {
    css(c, selector).await.send_keys(text).await.unwrap();
}

async fn submit(c: &Client, form: &str) {
    css(c, &format!("form[action='{form}'] button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
}

/// Email and password on the sign-in page; the second step comes next.
async fn password_step(c: &Client, app: &TestApp, email: &str) {
    c.goto(&format!("{}/staff/sign-in", app.url)).await.unwrap();
    type_into(c, "#email", email).await;
    type_into(c, "#password", PASSWORD).await;
    submit(c, "/staff/sign-in").await;
    xpath(c, "//h1[text()='Two-step sign-in']").await;
}

async fn path_of(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

#[tokio::test]
async fn two_step_sign_in_with_a_code_then_a_recovery_code_in_a_real_browser() {
    let Some(driver) = start_driver() else {
        return;
    };
    let app = TestApp::spawn_with(|c| {
        c.public_posts_per_ip_per_minute = 1000;
        c.public_posts_per_address_per_hour = 1000;
    })
    .await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let email = staff::email_of(&app, org.front1.id).await;
    let c = browser(&driver).await;

    // From the password page to the security page, and on.
    sign_in(&c, &app, &email).await;
    c.goto(&format!("{}/staff/password", app.url))
        .await
        .unwrap();
    css(&c, "a[href='/staff/security']")
        .await
        .click()
        .await
        .unwrap();
    xpath(&c, "//p[contains(., 'is off')]").await;
    screenshot(&c, "two-step-01-off").await;
    submit(&c, "/staff/security/begin").await;
    let qr = css(&c, "div.qr svg[role=img]").await;
    let size = qr.rectangle().await.unwrap();
    assert!(
        size.2 >= 200.0 && size.3 >= 200.0,
        "a QR code big enough to scan: {size:?}"
    );
    let secret = css(&c, "#secret").await.text().await.unwrap();
    assert_eq!(
        secret.replace(' ', "").len(),
        32,
        "160 bits in base32: {secret}"
    );
    screenshot(&c, "two-step-02-scan").await;

    // A wrong code first: said at the field, tied to it for screen readers.
    type_into(&c, "#code", "000000").await;
    type_into(&c, "#confirm-current", staff::PASSWORD).await;
    submit(&c, "/staff/security/confirm").await;
    let error = css(&c, "#code-error").await.text().await.unwrap();
    assert!(
        error.contains("is not the one your app shows now"),
        "{error}"
    );
    let field = css(&c, "#code").await;
    assert_eq!(
        field.attr("aria-describedby").await.unwrap().as_deref(),
        Some("code-error")
    );
    type_into(&c, "#code", &code_at(&secret, app.clock.now())).await;
    type_into(&c, "#confirm-current", staff::PASSWORD).await;
    submit(&c, "/staff/security/confirm").await;
    xpath(&c, "//h2[text()='Your recovery codes']").await;
    let mut codes = Vec::new();
    for code in c
        .find_all(fantoccini::Locator::Css("ol.recovery-codes code"))
        .await
        .unwrap()
    {
        codes.push(code.text().await.unwrap());
    }
    assert_eq!(codes.len(), 10, "{codes:?}");
    screenshot(&c, "two-step-03-recovery-codes").await;
    sign_out(&c).await;

    // The password alone opens nothing; the code from the app does.
    password_step(&c, &app, &email).await;
    assert_eq!(path_of(&c).await, "/staff/sign-in/code");
    c.goto(&format!("{}/staff/cases", app.url)).await.unwrap();
    css(&c, "#password").await;
    assert_eq!(path_of(&c).await, "/staff/sign-in", "not signed in yet");
    c.goto(&format!("{}/staff/sign-in/code", app.url))
        .await
        .unwrap();
    screenshot(&c, "two-step-04-asked-for-the-code").await;
    app.clock.advance(chrono::Duration::seconds(30));
    type_into(&c, "#code", &code_at(&secret, app.clock.now())).await;
    submit(&c, "/staff/sign-in/code").await;
    xpath(
        &c,
        "//header//button[starts-with(normalize-space(.), 'Sign out')]",
    )
    .await;
    assert_eq!(path_of(&c).await, "/staff/cases");
    sign_out(&c).await;

    // A recovery code, once; the page says how many are left.
    password_step(&c, &app, &email).await;
    type_into(&c, "#code", &codes[0]).await;
    submit(&c, "/staff/sign-in/code").await;
    let notice = css(&c, ".notice").await.text().await.unwrap();
    assert!(
        notice.contains("signed in with a recovery code; 9 recovery codes are left"),
        "{notice}"
    );
    assert_eq!(path_of(&c).await, "/staff/security");
    screenshot(&c, "two-step-05-signed-in-with-a-recovery-code").await;
    sign_out(&c).await;
    password_step(&c, &app, &email).await;
    type_into(&c, "#code", &codes[0]).await;
    submit(&c, "/staff/sign-in/code").await;
    let error = css(&c, "#code-error").await.text().await.unwrap();
    assert!(
        error.contains("was used already: each works once"),
        "{error}"
    );
    assert_eq!(
        path_of(&c).await,
        "/staff/sign-in/code",
        "still not signed in"
    );
    screenshot(&c, "two-step-06-recovery-code-used").await;
    c.close().await.unwrap();
}
