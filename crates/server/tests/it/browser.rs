//! The whole story in a real browser (Debian's headless Chromium over WebDriver): a
//! frontline person takes a call and passes the case up; the manager solves it with the
//! road and what was learned; the customer reads the resolution through their case link
//! and rates it; the administrator moves a person in the tree. Every screen is saved under
//! `target/screenshots/`. Skips loudly without chromium and chromedriver, unless
//! `ROADONE_TEST_REQUIRE_ALL=1`.

use crate::common;

use common::staff;

use common::smtp_sink::free_port;
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_driver() -> Option<Driver> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let message = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver): SKIPPING the browser test";
        if std::env::var("ROADONE_TEST_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!("{message}, but ROADONE_TEST_REQUIRE_ALL=1");
        }
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver { child, port })
}

pub(crate) async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]
        }),
    );
    // chromedriver is on loopback: plain HTTP, no TLS stack needed.
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in chromium")
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshots directory");
    dir
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).expect("saved");
}

pub(crate) async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector} is on the page: {e}"))
}

/// Waits for what only the next page has: the old page is still there for a moment
/// after a click, so waiting for something both have would race the form's answer.
pub(crate) async fn xpath(c: &Client, path: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(path))
        .await
        .unwrap_or_else(|e| panic!("{path} is on the page: {e}"))
}

pub(crate) async fn text_of_page(c: &Client) -> String {
    css(c, "main").await.text().await.expect("the page's text")
}

pub(crate) async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&format!("{}/staff/sign-in", app.url)).await.unwrap();
    css(c, "#email").await.send_keys(email).await.unwrap();
    css(c, "#password")
        .await
        .send_keys(staff::PASSWORD)
        .await
        .unwrap();
    css(c, "main button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    css(c, "table.cases, main p").await;
}

pub(crate) async fn sign_out(c: &Client) {
    css(c, "header form button").await.click().await.unwrap();
    css(c, "#password").await;
}

#[tokio::test]
async fn a_case_from_a_phone_call_to_a_rating_in_a_real_browser() {
    let Some(driver) = start_driver() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_id().await;
    staff::set_passwords(&app, &[org.front1.id, org.manager.id, admin]).await;
    let email = |id| {
        let app = &app;
        async move { staff::email_of(app, id).await }
    };
    let c = browser(&driver).await;

    // Frontline takes a call.
    sign_in(&c, &app, &email(org.front1.id).await).await;
    screenshot(&c, "01-my-cases-empty").await;
    c.goto(&format!("{}/staff/intake/billing", app.url))
        .await
        .unwrap();
    // A new caller: the lookup finds nobody, and says so.
    css(&c, "#find")
        .await
        .send_keys("ann.caller")
        .await
        .unwrap();
    css(&c, "form[role=search] button")
        .await
        .click()
        .await
        .unwrap();
    let found = xpath(&c, "//section[h2[@id='found-title']]").await;
    assert!(
        found.text().await.unwrap().contains("Nobody yet"),
        "an unknown caller is not found"
    );
    css(&c, "#name")
        .await
        .send_keys("Ann Caller")
        .await
        .unwrap();
    css(&c, "#email")
        .await
        .send_keys("ann.caller@example.com")
        .await
        .unwrap();
    css(&c, "#fact_account_number")
        .await
        .send_keys("AC-2041")
        .await
        .unwrap();
    css(&c, "#description")
        .await
        .send_keys("Charged twice for March\nShe has both receipts.")
        .await
        .unwrap();
    screenshot(&c, "02-phone-intake").await;
    css(&c, "main form[method=post] button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let reference = css(&c, ".promise .big").await.text().await.unwrap();
    assert!(
        reference.starts_with("RD-"),
        "the reference to read out: {reference}"
    );
    screenshot(&c, "03-read-the-promise").await;
    let id: i64 = reference.trim_start_matches("RD-").parse().unwrap();
    assert_eq!(app.case(id).await["owner"], org.front1.id);

    // ...and passes it up to the manager.
    c.goto(&format!("{}/staff/cases/{id}", app.url))
        .await
        .unwrap();
    css(&c, "form[action$='/pass-up']").await;
    c.find(Locator::XPath("//summary[text()='Pass up']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    css(&c, "#to")
        .await
        .select_by_value(&org.manager.id.to_string())
        .await
        .unwrap();
    css(&c, "#pass-reason")
        .await
        .send_keys("Refund above my limit")
        .await
        .unwrap();
    screenshot(&c, "04-pass-up").await;
    css(&c, "form[action$='/pass-up'] button")
        .await
        .click()
        .await
        .unwrap();
    xpath(&c, "//strong[starts-with(text(), 'Passed up by')]").await;
    assert_eq!(
        app.case(id).await["owner"],
        org.manager.id,
        "passed up to the manager"
    );
    sign_out(&c).await;

    // The manager solves it with the road and what was learned.
    sign_in(&c, &app, &email(org.manager.id).await).await;
    assert!(
        text_of_page(&c).await.contains("Charged twice for March"),
        "in the manager's cases"
    );
    screenshot(&c, "05-manager-cases").await;
    c.goto(&format!("{}/staff/cases/{id}", app.url))
        .await
        .unwrap();
    c.find(Locator::XPath("//summary[text()='Solve']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    css(&c, "#resolution")
        .await
        .send_keys("Refunded the second charge of 49.00 EUR.")
        .await
        .unwrap();
    css(&c, "input[name=road][value='2']")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#learned")
        .await
        .send_keys("The card processor retries on timeouts and charges twice.")
        .await
        .unwrap();
    screenshot(&c, "06-solve").await;
    css(&c, "form[action$='/solve'] button")
        .await
        .click()
        .await
        .unwrap();
    xpath(&c, "//strong[starts-with(text(), 'Solved (road 2')]").await;
    let events = app.events(id).await;
    let solved = events
        .iter()
        .find(|e| e["kind"] == "solved")
        .expect("solved");
    assert_eq!(solved["data"]["road"], 2);
    screenshot(&c, "07-solved-case").await;
    // The month's trail shows the pass and the solve.
    let month = app.now().format("%Y-%m").to_string();
    c.goto(&format!("{}/staff/reports/trail?month={month}", app.url))
        .await
        .unwrap();
    xpath(&c, "//h1[starts-with(text(), 'The trail of')]").await;
    let trail = text_of_page(&c).await;
    assert!(
        trail.contains("Fran Front") && trail.contains("Mona Manager"),
        "the trail names who passed and who solved: {trail}"
    );
    screenshot(&c, "07b-trail").await;
    sign_out(&c).await;

    // The customer opens their case link, reads the resolution, rates it.
    let link = format!(
        "{}/portal/cases/{id}?token={}",
        app.url,
        app.customer_token_of(id).await
    );
    c.goto(&link).await.unwrap();
    let page = text_of_page(&c).await;
    assert!(
        page.contains("Refunded the second charge"),
        "the resolution: {page}"
    );
    assert!(
        !page.contains("Refund above my limit"),
        "never the internal pass-up reason"
    );
    screenshot(&c, "08-customer-case").await;
    css(&c, "input[name=score][value='5']")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#delighted_by")
        .await
        .send_keys("Fixed within the hour")
        .await
        .unwrap();
    css(&c, "input[name=would_recommend][value='yes']")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#rating button").await.click().await.unwrap();
    let thanks = css(&c, "p#rating").await.text().await.unwrap();
    assert!(thanks.contains("5 out of 5"), "{thanks}");
    screenshot(&c, "09-customer-rated").await;
    let events = app.events(id).await;
    let rated = events.iter().find(|e| e["kind"] == "rated").expect("rated");
    assert_eq!(rated["data"]["delighted_by"], "Fixed within the hour");

    // The administrator moves Finn under the manager.
    sign_in(&c, &app, &email(admin).await).await;
    c.goto(&format!("{}/staff/admin/people", app.url))
        .await
        .unwrap();
    let finn = "//li[.//strong[text()='Finn Front']]";
    c.find(Locator::XPath(&format!("{finn}//summary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::XPath(&format!(
        "{finn}//select[@name='reports_to']"
    )))
    .await
    .unwrap()
    .select_by_value(&org.manager.id.to_string())
    .await
    .unwrap();
    screenshot(&c, "10-admin-move").await;
    c.find(Locator::XPath(&format!(
        "{finn}//form[contains(@action,'/move')]//button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let notice = css(&c, ".notice").await.text().await.unwrap();
    assert!(notice.contains("Finn Front was moved"), "{notice}");
    screenshot(&c, "11-admin-moved").await;
    let people = app.get(&app.admin_token, "/api/v1/people").await;
    let finn = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == org.front2.id)
        .unwrap()
        .clone();
    assert_eq!(finn["reports_to"], org.manager.id);

    // The case page on a phone's screen.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/staff/cases/{id}", app.url))
        .await
        .unwrap();
    css(&c, "#timeline-title").await;
    screenshot(&c, "12-case-on-a-phone").await;
    c.close().await.unwrap();
}
