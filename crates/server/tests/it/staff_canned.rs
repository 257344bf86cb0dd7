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

async fn edit(s: &StaffSession, id: &str, title: &str, body: &str) -> reqwest::Response {
    let fields = [
        ("csrf", s.csrf.as_str()),
        ("action", "edit"),
        ("id", id),
        ("title", title),
        ("body", body),
        ("category", "billing"),
    ];
    s.post("/staff/canned").form(&fields).send().await.unwrap()
}

/// The id of the reply titled `title` on the canned replies page.
fn id_of(page: &str, title: &str) -> String {
    let at = page
        .find(&format!("<summary>Change “{title}”</summary>"))
        .unwrap_or_else(|| panic!("{title} can be changed: {page}"));
    page[at..]
        .split("name=\"id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("its id")
        .to_string()
}

#[tokio::test]
async fn a_canned_reply_is_corrected_by_whoever_may_keep_it_and_a_bad_change_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    set_passwords(&app, &[org.manager.id, org.front1.id]).await;
    let mona = StaffSession::sign_in(&app, org.manager.id).await;
    add(
        &mona,
        "Refund on its way",
        "Hello {customer_name}, soon.",
        "billing",
        true,
    )
    .await;
    let page = unescape(&mona.get_text("/staff/canned").await);
    let reply = id_of(&page, "Refund on its way");

    let r = edit(
        &mona,
        &reply,
        "Your refund",
        "Hello {customer_name}, it left today. {my_name}",
    )
    .await;
    let page = unescape(&mona.follow(r).await);
    assert!(page.contains("“Your refund” is changed."), "{page}");
    assert!(!page.contains("Refund on its way"));

    let typo = edit(&mona, &reply, "Your refund", "Hello {custmer}").await;
    let page = unescape(&mona.follow(typo).await);
    assert!(
        page.contains("Not changed:") && page.contains("{custmer} is not a placeholder"),
        "{page}"
    );
    assert!(page.contains("it left today"), "the text stays as it was");

    // Frontline uses shared replies but does not change them.
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let hers = unescape(&fran.get_text("/staff/canned").await);
    assert!(
        !hers.contains("<summary>Change “Your refund”"),
        "no form offered: {hers}"
    );
    let refused = edit(&fran, &reply, "Mine now", "Hi").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let started = unescape(
        &fran
            .get_text(&format!("/staff/cases/{id}?canned={reply}"))
            .await,
    );
    assert!(
        started.contains(">Hello Ann Customer, it left today. Fran Front</textarea>"),
        "the corrected text starts the reply: {started}"
    );
}
