//! The staff pages, live, in a real browser (Debian's headless Chromium over WebDriver):
//! an open case page shows the customer's reply without a reload (what was being typed
//! stays), says who else has the case open, and the list says a new case came in. The
//! page's strict CSP lets the script run and connect. Screens are saved under
//! `target/screenshots/`. Skips loudly without chromium and chromedriver, unless
//! `ROADONE_TEST_REQUIRE_ALL=1`.

use crate::browser::{browser, css, screenshot, sign_in, start_driver, text_of_page};
use crate::common;

use common::staff::{self, set_passwords, StaffSession};
use common::*;
use fantoccini::Client;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

/// However long anything here may take to show; longer is a failure.
const WITHIN: Duration = Duration::from_secs(5);

/// The text of `selector` once `wanted` accepts it, polled until [`WITHIN`] passes.
async fn shows(c: &Client, selector: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WITHIN;
    loop {
        let text = css(c, selector).await.text().await.unwrap_or_default();
        if wanted(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{selector} did not change as expected within {WITHIN:?}; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn value_of(c: &Client, selector: &str) -> String {
    css(c, selector)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_case_page_shows_a_customer_reply_and_a_colleague_without_a_reload() {
    let Some(driver) = start_driver() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id, org.lead.id]).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let c = browser(&driver).await;
    sign_in(&c, &app, &staff::email_of(&app, org.front1.id).await).await;
    c.goto(&format!("{}/staff/cases/{id}", app.url))
        .await
        .unwrap();
    css(&c, "#timeline").await;
    // Half a reply typed, and a mark on this very page: a reload would lose both.
    css(&c, "#reply-body")
        .await
        .send_keys("Dear Ann, I am looking")
        .await
        .unwrap();
    c.execute("window.roadoneTestMark = 'same page';", vec![])
        .await
        .unwrap();

    // The customer answers through their link.
    let token = app.customer_token_of(id).await;
    let reply = "The second charge is on my statement of 4 March.";
    let wrote = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={token}"),
            )
            .json(&json!({ "body": reply })),
        )
        .await;
    assert_eq!(wrote.status, StatusCode::OK, "{}", wrote.text);

    let timeline = shows(&c, "#timeline", |t| t.contains(reply)).await;
    assert!(timeline.contains("The customer wrote"), "{timeline}");
    let notice = shows(&c, "#live", |t| t.contains("New activity")).await;
    assert!(notice.contains("New activity on this case"), "{notice}");
    let mark = c
        .execute("return window.roadoneTestMark || null;", vec![])
        .await
        .unwrap();
    assert_eq!(mark, json!("same page"), "the page was not reloaded");
    assert_eq!(
        value_of(&c, "#reply-body").await,
        "Dear Ann, I am looking",
        "what was being typed stays"
    );
    screenshot(&c, "live-01-new-activity").await;

    // A colleague opens the same case: the page names them, and forgets them when they go.
    let leo = StaffSession::sign_in(&app, org.lead.id).await;
    let leos_page = leo
        .get(&format!("/staff/live/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(leos_page.status(), StatusCode::OK);
    let notice = shows(&c, "#live", |t| t.contains("Also here")).await;
    assert!(notice.contains("Also here: Leo Lead"), "{notice}");
    screenshot(&c, "live-02-also-here").await;
    drop(leos_page);
    shows(&c, "#live", |t| !t.contains("Also here")).await;

    // The list of cases: a new case is announced, the table stays as it was.
    c.goto(&format!("{}/staff/cases", app.url)).await.unwrap();
    // Once the script follows the list (a case opened between the page's making and the
    // stream's start would not be announced):
    css(&c, "#live[data-newest]").await;
    let before = css(&c, "table.cases").await.text().await.unwrap();
    app.open_case_id(&org.front1, "Parcel never came").await;
    let notice = shows(&c, "#live", |t| t.contains("A new case came in")).await;
    assert!(notice.contains("reload to see it"), "{notice}");
    assert_eq!(css(&c, "table.cases").await.text().await.unwrap(), before);
    screenshot(&c, "live-03-new-case").await;
    css(&c, "#live a").await.click().await.unwrap();
    shows(&c, "table.cases", |t| t.contains("Parcel never came")).await;
    assert!(text_of_page(&c).await.contains("Charged twice"));
    c.close().await.unwrap();
}
