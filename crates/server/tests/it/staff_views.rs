//! What staff look at: the case list with its full-text search, and the feed for the
//! people who decide: what reached them by upgrade or escalation and
//! how long it has waited, and what was learned by category and road.

use crate::common;

use common::staff;

use common::html::unescape;
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use staff::{set_passwords, StaffSession};

#[tokio::test]
async fn a_manager_sees_what_waits_with_them_and_what_was_learned() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.manager.id, org.front1.id]).await;
    let upgraded = app
        .open_case_id(&org.front1, "Refund above the limit")
        .await;
    app.act_ok(
        &org.front1,
        upgraded,
        "upgrade",
        &json!({"reason": "above my refund limit"}),
    )
    .await;
    let solved = app
        .open_case_id(&org.front1, "Invoice in the wrong currency")
        .await;
    app.act_ok(
        &org.front1,
        solved,
        "solve",
        &json!({"resolution": "Reissued in EUR", "road": 1, "learned": "The invoice template ignores the account currency"}),
    )
    .await;
    let other = app.open_case_id(&org.front2, "Card declined").await;
    app.act_ok(
        &org.front2,
        other,
        "solve",
        &json!({"resolution": "Explained limits", "road": 3, "learned": "Customers do not find the card limits page"}),
    )
    .await;
    app.advance(hours(2));

    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager.get_text("/staff/feed").await;
    let waiting = page
        .split("id=\"waiting-title\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the waiting section");
    assert!(
        waiting.contains("Refund above the limit")
            && waiting.contains("above my refund limit")
            && waiting.contains("waiting 2 h 0 min"),
        "the upgrade, why, and how long it has waited: {waiting}"
    );
    assert!(
        page.contains("The invoice template ignores the account currency")
            && page.contains("Customers do not find the card limits page"),
        "both lessons are in the feed"
    );
    let road_3 = manager.get_text("/staff/feed?road=3").await;
    assert!(
        road_3.contains("Customers do not find the card limits page")
            && !road_3.contains("The invoice template ignores"),
        "filtered by road"
    );
    let bad = manager.get("/staff/feed?road=9").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Once the manager solves it, it no longer waits with them.
    app.act_ok(
        &org.manager,
        upgraded,
        "solve",
        &json!({"resolution": "Refunded", "road": 2, "learned": "The refund limit is too low for annual plans"}),
    )
    .await;
    let page = manager.get_text("/staff/feed").await;
    assert!(
        page.contains("Nothing upgraded or escalated to you is open"),
        "{page}"
    );
}

#[tokio::test]
async fn the_feed_is_for_managers_executives_and_admins_only() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id, org.lead.id, org.ceo.id]).await;
    for (who, allowed) in [
        (org.front1.id, false),
        (org.lead.id, false),
        (org.ceo.id, true),
    ] {
        let session = StaffSession::sign_in(&app, who).await;
        let status = session.get("/staff/feed").send().await.unwrap().status();
        let expected = if allowed {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "person {who}");
    }
}

#[tokio::test]
async fn the_case_list_searches_every_word_said_on_a_case() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let noted = app.open_case_id(&org.front1, "Charged twice").await;
    app.post(
        &org.front1.token,
        &format!("/api/v1/cases/{noted}/notes"),
        &json!({"body": "Processor ticket PX-4471 opened"}),
    )
    .await;
    app.open_case_id(&org.front1, "Refund please").await;
    let session = StaffSession::sign_in(&app, org.front1.id).await;
    let page = session.get_text("/staff/cases?q=px-4471").await;
    assert!(
        page.contains("Charged twice") && !page.contains("Refund please"),
        "a word of an internal note finds its case, and only it: {page}"
    );
    let api = app
        .get(&org.front1.token, "/api/v1/cases?search=processor%20tick")
        .await;
    let ids: Vec<i64> = api
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![noted],
        "the API's full-text search, by word starts"
    );
}

#[tokio::test]
async fn a_case_is_found_by_its_reference_however_it_is_read_out() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id, org.front2.id]).await;
    let mut ids = Vec::new();
    for subject in ["Parcel lost", "Charged twice", "Wrong size"] {
        ids.push(app.open_case_id(&org.front1, subject).await);
    }
    let wanted = ids[1];
    let reference = app.case(wanted).await["ref"].as_str().unwrap().to_string();
    let session = StaffSession::sign_in(&app, org.front1.id).await;
    for typed in [
        reference.clone(),
        reference.to_lowercase(),
        reference.replace('-', " "),
        format!("%23{wanted}"),
    ] {
        let page = session.get_text(&format!("/staff/cases?q={typed}")).await;
        assert!(
            page.contains("Charged twice") && !page.contains("Parcel lost"),
            "{typed:?} finds {reference} and only it: {page}"
        );
    }
    // A bare number may also be a word said on other cases: the case it names comes first.
    let page = unescape(&session.get_text(&format!("/staff/cases?q={wanted}")).await);
    let link = |id: i64| page.find(&format!("\"/staff/cases/{id}\""));
    let first = link(wanted).expect("the case the number names is listed");
    for other in [ids[0], ids[2]] {
        assert!(
            link(other).is_none_or(|at| at > first),
            "case {wanted} first: {page}"
        );
    }
    let api = app
        .get(
            &org.front1.token,
            &format!("/api/v1/cases?search={reference}"),
        )
        .await;
    let found: Vec<i64> = api
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(found, vec![wanted], "the API finds it by reference too");
    // A reference never shows a case the list would not: another frontline's "my cases".
    let other = StaffSession::sign_in(&app, org.front2.id).await;
    let page = other.get_text(&format!("/staff/cases?q={reference}")).await;
    assert!(!page.contains("Charged twice"), "not front2's case: {page}");
}

#[tokio::test]
async fn my_cases_show_my_reminders_and_how_long_ago_the_last_came() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id]).await;
    let idle = app.open_case_id(&org.front1, "Nobody touched this").await;
    app.advance(hours(2));
    let fresh = app.open_case_id(&org.front1, "Opened later").await;
    app.advance(hours(2) + minutes(1));
    app.sweep().await;
    app.advance(hours(1));
    let session = StaffSession::sign_in(&app, org.front1.id).await;
    let page = unescape(&session.get_text("/staff/cases").await);
    let row = |id: i64| {
        let start = page
            .find(&format!("\"/staff/cases/{id}\""))
            .unwrap_or_else(|| panic!("case {id} is listed: {page}"));
        let end = page[start..].find("</tr>").unwrap() + start;
        page[start..end].to_string()
    };
    assert!(
        row(idle).contains("1, last 1 h 0 min ago"),
        "the idle case shows its reminder: {}",
        row(idle)
    );
    assert!(
        !row(fresh).contains("last"),
        "the newer case has had none: {}",
        row(fresh)
    );
}
