//! "Not a customer case": spam that got past the filter ends from its page without a
//! solve; its reminders and its escalation stop, the filter learns from it, the mark is
//! counted on the trail, and a manager can undo it: open again on the deadline it had.

use crate::common;

use common::html::unescape;
use common::inbound::{deliver, raw_mail};
use common::staff::{set_passwords, StaffSession};
use common::{count_kind, expect_error, hours, TestApp};
use reqwest::StatusCode;
use roadone_domain::junk;
use serde_json::{json, Value};

const SUBJECT: &str = "Life insurance for pennies a day";
const BODY: &str = "Exclusive offer: life insurance, pennies a day, act now.\r\n";
const SENDER: &str = "offers@pennies.example";

/// What the filter has learned of this message's words: (junk, customer) messages taught.
async fn taught(app: &TestApp) -> (u64, u64) {
    let tokens = junk::tokens(SUBJECT, Some(SENDER), BODY)
        .into_iter()
        .collect();
    let (filter, _) = app.store.junk_counts(tokens).await.unwrap();
    (filter.junk_messages, filter.customer_messages)
}

fn trail_row(trail: &Value, person: i64) -> Value {
    trail["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"] == person)
        .cloned()
        .unwrap_or_else(|| panic!("person {person} is not on the trail: {trail}"))
}

async fn post_form(staff: &StaffSession, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("csrf", staff.csrf.as_str())];
    form.extend_from_slice(fields);
    staff.post(path).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn a_junk_mark_from_the_case_page_stops_the_clock_and_a_manager_undoes_it() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = deliver(
        &app,
        &raw_mail(
            &[
                ("From", SENDER),
                ("To", "support@roadone.local"),
                ("Subject", SUBJECT),
            ],
            BODY,
        ),
    )
    .await;
    assert_eq!(
        r.body["outcome"], "opened",
        "the filter knows nothing yet: {}",
        r.text
    );
    let id = r.body["case_id"].as_i64().unwrap();
    let owner = app.case(id).await["owner"].as_i64().unwrap();
    let (owner_member, manager) = if owner == org.front1.id {
        (&org.front1, &org.lead)
    } else {
        (&org.front2, &org.lead)
    };
    set_passwords(&app, &[owner, manager.id]).await;
    let staff = StaffSession::sign_in(&app, owner).await;
    let page = staff.get_text(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("Mark as not a customer case"), "{page}");
    assert!(!page.contains("Undo the junk mark"), "{page}");

    app.advance(hours(2));
    let marked = post_form(
        &staff,
        &format!("/staff/cases/{id}/junk"),
        &[("reason", "insurance spam")],
    )
    .await;
    assert_eq!(marked.status(), StatusCode::SEE_OTHER);
    let page = unescape(&staff.follow(marked).await);
    assert!(
        page.contains("Not a customer case</span>: marked by") && page.contains("(insurance spam)"),
        "{page}"
    );
    assert!(
        page.contains("Marked not a customer case: insurance spam"),
        "the trail: {page}"
    );
    assert!(
        !page.contains("Mark as not a customer case"),
        "marked once: {page}"
    );
    assert!(
        !page.contains("Undo the junk mark"),
        "not by the one who marked it: {page}"
    );
    assert_eq!(
        taught(&app).await,
        (1, 0),
        "the mark taught the filter junk"
    );

    // Past the deadline: nobody is reminded and no executive gets it.
    app.advance(hours(22));
    app.sweep().await;
    let v = app.case(id).await;
    assert_eq!(v["state"], "junk");
    assert_eq!(v["escalated"], false);
    assert_eq!(v["owner"], owner);
    assert_eq!(v["junk_mark"]["by"], owner);
    assert_eq!(v["junk_mark"]["reason"], "insurance spam");
    let events = v["events"].as_array().unwrap();
    assert_eq!(count_kind(events, "tickled"), 0, "{events:?}");
    assert_eq!(count_kind(events, "escalated"), 0);
    assert!(v["solution"].is_null(), "a junk mark is not a solve");

    // The owner's list of open cases no longer has it; the junk list does.
    let open = app
        .get(&owner_member.token, "/api/v1/cases?owner=me&state=open")
        .await;
    assert!(open.body.as_array().unwrap().iter().all(|c| c["id"] != id));
    let junk_list = app
        .get(&owner_member.token, "/api/v1/cases?state=junk")
        .await;
    let ids: Vec<i64> = junk_list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id]);

    let trail = app
        .get(&org.manager.token, "/api/v1/reports/trail?month=2025-03")
        .await;
    let row = trail_row(&trail.body, owner);
    assert_eq!(
        (row["junk_marked"].as_i64(), row["solved"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(row["passed_up"], 0, "a mark is not a pass");

    // The owner may not take the mark back; their manager may. (A day has passed: both
    // sign in afresh.)
    let staff = StaffSession::sign_in(&app, owner).await;
    let refused = post_form(&staff, &format!("/staff/cases/{id}/undo-junk"), &[]).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "{:?}",
        refused.headers().get("location")
    );
    let lead = StaffSession::sign_in(&app, manager.id).await;
    let page = lead.get_text(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("Undo the junk mark"), "{page}");
    let undone = post_form(&lead, &format!("/staff/cases/{id}/undo-junk"), &[]).await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    let page = unescape(&lead.follow(undone).await);
    assert!(page.contains("Junk mark undone: open again with"), "{page}");
    assert_eq!(
        taught(&app).await,
        (0, 1),
        "the lesson is taken back, not doubled"
    );
    let v = app.case(id).await;
    assert_eq!(v["state"], "open");
    assert_eq!(v["owner"], owner);
    assert!(v["junk_mark"].is_null());

    // The deadline is the one it had: long past, so the next sweep escalates it.
    app.sweep().await;
    let v = app.case(id).await;
    assert_eq!(v["escalated"], true, "{v}");
    assert_eq!(v["owner"], org.vp.id);
    let trail = app
        .get(&org.manager.token, "/api/v1/reports/trail?month=2025-03")
        .await;
    assert_eq!(trail_row(&trail.body, owner)["junk_marks_undone"], 1);
}

#[tokio::test]
async fn a_junk_mark_is_refused_with_its_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    // Beside the owner, not above: refused.
    let r = app.act(&org.front2, id, "junk", &json!({})).await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let r = app
        .act(&org.front1, id, "junk", &json!({"reason": "x".repeat(201)}))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
    let r = app
        .act(&org.front1, id, "junk", &json!({"why": "spam"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(app.case(id).await["state"], "open", "nothing changed");
    let r = app.act(&org.lead, id, "junk/undo", &json!({})).await;
    expect_error(&r, StatusCode::CONFLICT, None);

    // Someone above the owner may mark it, with no body at all.
    let r = app
        .send(app.authed(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/junk"),
            &org.lead.token,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "junk");
    let r = app
        .act(
            &org.front1,
            id,
            "solve",
            &json!({"resolution": "x", "road": 2, "learned": "y"}),
        )
        .await;
    let body = expect_error(&r, StatusCode::CONFLICT, None);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a customer case"),
        "{body}"
    );

    // The customer is never told "junk": their view says closed, and writing reopens it.
    let token = app.customer_token_of(id).await;
    let view = app
        .send(app.request(
            reqwest::Method::GET,
            &format!("/api/v1/cases/{id}/customer-view?token={token}"),
        ))
        .await;
    assert_eq!(view.body["state"], "closed", "{}", view.text);
    let r = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={token}"),
            )
            .json(&json!({"body": "Hello? This is a real question."})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let v = app.case(id).await;
    assert_eq!(v["state"], "open");
    assert_eq!(v["owner"], org.front1.id);
}
