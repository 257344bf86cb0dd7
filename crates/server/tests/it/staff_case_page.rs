//! The case page as a workspace: the conversation with the composer, and beside it where
//! the case stands, the realtime promise, the customer and the facts — which can be
//! supplied or corrected later, the old value kept — and actions that say who gets the
//! case.

use crate::common;

use common::html::unescape;
use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_fact_missing_at_intake_is_supplied_later_and_corrected_with_the_old_value_kept() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut body = intake("Charged twice");
    body["facts"] = json!({});
    body["missing_facts"] = json!(["account_number"]);
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    set_passwords(&app, &[org.front1.id, org.front2.id]).await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let before = unescape(&fran.get_text(&format!("/staff/cases/{id}")).await);
    assert!(
        before.contains(
            "<dt>Account number</dt><dd class=\"missing\">the customer did not have it</dd>"
        ),
        "{before}"
    );

    let supply = |value: &str, key: &str| {
        fran.post(&format!("/staff/cases/{id}/fact"))
            .form(&[("csrf", fran.csrf.as_str()), ("key", key), ("value", value)])
            .send()
    };
    let r = supply("AC-1001", "account_number").await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let page = unescape(&fran.get_text(&format!("/staff/cases/{id}")).await);
    assert!(
        page.contains("<dt>Account number</dt><dd>AC-1001</dd>"),
        "{page}"
    );
    assert!(
        !page.contains("the customer did not have it"),
        "no longer missing"
    );
    assert!(
        page.contains("Fact supplied: account number is AC-1001"),
        "in the trail"
    );

    let r = supply("AC-1010", "account_number").await.unwrap();
    assert!(r.status().is_redirection());
    let events = app.events(id).await;
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "fact_supplied");
    assert_eq!(last["data"]["previous"], "AC-1001", "the old value is kept");
    assert_eq!(last["data"]["value"], "AC-1010");

    let same = supply("AC-1010", "account_number").await.unwrap();
    assert_eq!(same.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&same.text().await.unwrap())
        .contains("The value is what the Account number says already."));
    let unknown = supply("x", "shoe_size").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let finn = StaffSession::sign_in(&app, org.front2.id).await;
    let not_his = finn
        .post(&format!("/staff/cases/{id}/fact"))
        .form(&[
            ("csrf", finn.csrf.as_str()),
            ("key", "account_number"),
            ("value", "AC-9"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        not_his.status().is_client_error(),
        "only the owner or above"
    );
    let after = app.events(id).await;
    assert_eq!(after.len(), events.len(), "refusals change nothing");

    // The same over the API, naming the field.
    let r = app
        .post(
            &org.lead.token,
            &format!("/api/v1/cases/{id}/facts"),
            &json!({"key": "invoice_number", "value": "INV-7"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &org.lead.token,
            &format!("/api/v1/cases/{id}/facts"),
            &json!({"key": "invoice_number", "value": "  "}),
        )
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("value"));
}

#[tokio::test]
async fn the_page_shows_the_promise_names_the_upgrade_recipient_and_an_escalation_as_such() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut body = intake("Card blocked abroad");
    body["channel"] = json!("phone");
    body["realtime"] =
        json!({"offered": true, "reason": "we call her back at 15:00 before her flight"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    set_passwords(&app, &[org.front1.id, org.vp.id]).await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let page = unescape(&fran.get_text(&format!("/staff/cases/{id}")).await);
    assert!(
        page.contains(
            "Realtime help was offered</strong>: we call her back at 15:00 before her flight"
        ),
        "{page}"
    );
    assert!(
        page.contains("Upgrade to Mona Manager</button>")
            && page.contains("Mona Manager owns Billing"),
        "the upgrade says who gets the case: {page}"
    );
    let conversation = page.find("id=\"timeline\"").expect("the conversation");
    let composer = page.find("Reply to the customer").expect("the composer");
    let sidebar = page.find("class=\"sidebar\"").expect("the side panel");
    assert!(
        conversation < composer && composer < sidebar,
        "conversation first, composer below it"
    );

    app.set_clock(chrono::Duration::hours(21));
    app.sweep().await;
    app.sweep().await;
    let vp = StaffSession::sign_in(&app, org.vp.id).await;
    let hers = unescape(&vp.get_text(&format!("/staff/cases/{id}")).await);
    assert!(
        hers.contains(
            "ago: the executive's 20 hours are behind it, and it is Victor Vp's to finish"
        ),
        "{hers}"
    );
    assert!(
        !hers.contains("overdue"),
        "the executive is not told she is overdue: {hers}"
    );
}

#[tokio::test]
async fn a_refusal_is_a_sentence_at_its_field_and_what_was_typed_stays() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    set_passwords(&app, &[org.front1.id, org.front2.id]).await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let r = fran
        .post(&format!("/staff/cases/{id}/solve"))
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("resolution", "Refunded the second charge of £12.50."),
            ("learned", "Retries charge twice."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = unescape(&r.text().await.unwrap());
    assert!(
        page.contains(
            "<p class=\"error\" id=\"solve-error\">Choose the road this case took (1 to 4).</p>"
        ),
        "the sentence, at the solve form: {page}"
    );
    assert!(
        !page.contains("got 0") && !page.contains("road: road"),
        "no field paths"
    );
    assert!(
        page.contains("aria-describedby=\"solve-error\""),
        "the road's choices point at it"
    );
    assert!(
        page.contains(">Refunded the second charge of £12.50.</textarea>")
            && page.contains(">Retries charge twice.</textarea>"),
        "what was typed is still there: {page}"
    );
    let finn = StaffSession::sign_in(&app, org.front2.id).await;
    let r = finn
        .post(&format!("/staff/cases/{id}/reply"))
        .form(&[("csrf", finn.csrf.as_str()), ("body", "Hello from Finn")])
        .send()
        .await
        .unwrap();
    let page = unescape(&r.text().await.unwrap());
    assert!(
        page.contains("Only Fran Front, who owns this case, may do this."),
        "people by name, never an id: {page}"
    );
    assert!(!page.contains("(person "), "{page}");
}
