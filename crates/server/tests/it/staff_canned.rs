//! Canned replies: a manager shares one for a category, anyone keeps their own, and on a
//! case page one click starts the reply with it, its placeholders filled in.

use crate::common;

use common::html::unescape;
use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::StatusCode;

async fn add(
    s: &StaffSession,
    title: &str,
    body: &str,
    category: &str,
    shared: bool,
) -> reqwest::Response {
    let mut fields = vec![
        ("csrf", s.csrf.as_str()),
        ("action", "add"),
        ("title", title),
        ("body", body),
        ("category", category),
    ];
    if shared {
        fields.push(("shared", "yes"));
    }
    s.post("/staff/canned").form(&fields).send().await.unwrap()
}

#[tokio::test]
async fn a_canned_reply_starts_the_reply_with_the_case_filled_in() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    set_passwords(&app, &[org.manager.id, org.front1.id, org.front2.id]).await;
    let mona = StaffSession::sign_in(&app, org.manager.id).await;
    let r = add(
        &mona,
        "Refund on its way",
        "Hello {customer_name}, the refund for {reference} is on its way. {my_name}",
        "billing",
        true,
    )
    .await;
    let page = unescape(&mona.follow(r).await);
    assert!(
        page.contains("“Refund on its way” is ready to use"),
        "{page}"
    );
    let typo = add(&mona, "Typo", "Hello {custmer_name}", "", true).await;
    let page = unescape(&mona.follow(typo).await);
    assert!(
        page.contains("Not kept:") && page.contains("{custmer_name} is not a placeholder"),
        "{page}"
    );

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let r = add(&fran, "My sign-off", "Thanks, {my_name}", "", false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let not_hers = add(&fran, "Shared by frontline", "Hi", "", true).await;
    assert_eq!(
        not_hers.status(),
        StatusCode::FORBIDDEN,
        "frontline keeps only their own"
    );

    let case_page = unescape(&fran.get_text(&format!("/staff/cases/{id}")).await);
    let options: Vec<String> = case_page
        .split("id=\"canned\" name=\"canned\">")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .unwrap_or_else(|| panic!("a chooser: {case_page}"))
        .split("<option value=\"")
        .skip(1)
        .map(|o| o.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(options.len(), 2, "the shared one and her own: {case_page}");
    let refund = options
        .iter()
        .find(|o| case_page.contains(&format!("<option value=\"{o}\">Refund on its way")))
        .expect("the shared reply")
        .clone();
    let started = unescape(
        &fran
            .get_text(&format!("/staff/cases/{id}?canned={refund}"))
            .await,
    );
    assert!(
        started.contains(&format!(
            ">Hello Ann Customer, the refund for RD-{id:06} is on its way. Fran Front</textarea>"
        )),
        "the reply starts with it, filled in: {started}"
    );
    let finn = StaffSession::sign_in(&app, org.front2.id).await;
    let list = unescape(&finn.get_text("/staff/canned").await);
    assert!(
        list.contains("Refund on its way") && !list.contains("My sign-off"),
        "{list}"
    );
}
