//! `POST /api/v1/calls`: a batch stored once (sent again: known; with other details: a
//! conflict), every bad call named by its index and field with nothing stored, and only
//! integration (admin) tokens may send.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn answered(id: &str, caller: &str) -> Value {
    json!({
        "call_id": id,
        "caller": caller,
        "caller_name": "Ada Caller",
        "callee": "2000",
        "answered_by": "SIP/2000",
        "arrived_at": "2026-03-02T09:15:00Z",
        "answered_at": "2026-03-02T09:15:04Z",
        "ended_at": "2026-03-02T09:20:04Z",
        "disposition": "answered",
    })
}

fn abandoned(id: &str) -> Value {
    json!({
        "call_id": id,
        "caller": "+447700900456",
        "callee": "2000",
        "arrived_at": "2026-03-02T09:30:00Z",
        "ended_at": "2026-03-02T09:30:41Z",
        "disposition": "abandoned",
    })
}

#[tokio::test]
async fn a_batch_is_stored_once_and_a_changed_call_is_a_conflict() {
    let app = TestApp::spawn().await;
    let calls = json!({"calls": [answered("T-1", "+447700900123"), abandoned("T-2")]});
    let r = app.post(&app.admin_token, "/api/v1/calls", &calls).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"added": 2, "already_known": 0, "conflicts": [], "missed_call_cases": 0, "calls_on_open_cases": 0})
    );
    let mut changed = abandoned("T-2");
    changed["callee"] = json!("2001");
    let again = json!({"calls": [answered("T-1", "+447700900123"), changed]});
    let r = app.post(&app.admin_token, "/api/v1/calls", &again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"added": 0, "already_known": 1, "conflicts": [{"index": 1, "call_id": "T-2"}], "missed_call_cases": 0, "calls_on_open_cases": 0})
    );
}

#[tokio::test]
async fn a_bad_call_is_named_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let bad = |key: &str, value: Value| {
        let mut call = answered("B-1", "+447700900123");
        if value.is_null() {
            call.as_object_mut().unwrap().remove(key);
        } else {
            call[key] = value;
        }
        json!({"calls": [abandoned("B-0"), call]})
    };
    for (body, field, says) in [
        (
            bad("disposition", json!("hung up")),
            "calls[1].disposition",
            "not one of",
        ),
        (
            bad("answered_at", Value::Null),
            "calls[1].answered_at",
            "required for an answered call",
        ),
        (
            bad("arrived_at", json!("yesterday")),
            "calls[1].arrived_at",
            "RFC 3339",
        ),
        (
            bad("ended_at", json!("2026-03-02T09:00:00Z")),
            "calls[1].ended_at",
            "before it starts",
        ),
        (bad("call_id", json!(" ")), "calls[1].call_id", "required"),
        (
            bad("rang_at", json!("2026-03-02T09:14:00Z")),
            "calls[1].rang_at",
            "between the call's arrival and its answer",
        ),
        (
            bad("recording_url", json!("javascript:alert(1)")),
            "calls[1].recording_url",
            "http or https",
        ),
        (
            bad("recording_url", json!("/recordings/1.wav")),
            "calls[1].recording_url",
            "not a URL",
        ),
        (json!({"calls": []}), "calls", "1 to 10000"),
    ] {
        let r = app.post(&app.admin_token, "/api/v1/calls", &body).await;
        let e = expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert!(
            e["message"].as_str().unwrap().contains(says),
            "{field}: {e}"
        );
    }
    let mut rang = abandoned("B-2");
    rang["answered_at"] = json!("2026-03-02T09:30:05Z");
    let r = app
        .post(&app.admin_token, "/api/v1/calls", &json!({"calls": [rang]}))
        .await;
    let e = expect_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("calls[0].answered_at"),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("abandoned has no answer time"),
        "{e}"
    );
    // Nothing of the refused batches was kept: the first call is new now.
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({"calls": [abandoned("B-0")]}),
        )
        .await;
    assert_eq!(r.body["added"], 1, "{}", r.text);
    // Only integration (admin) tokens send calls.
    let r = app
        .post(
            &org.manager.token,
            "/api/v1/calls",
            &json!({"calls": [abandoned("B-9")]}),
        )
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
}

#[tokio::test]
async fn the_first_ring_and_the_recording_are_kept_and_the_customer_page_links_the_recording() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut call = answered("R-1", "+447700900123");
    call["rang_at"] = json!("2026-03-02T09:15:01Z");
    call["recording_url"] = json!("https://recordings.example.com/R-1.wav?sig=a&b=1");
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({"calls": [call.clone()]}),
        )
        .await;
    assert_eq!(r.body["added"], 1, "{}", r.text);
    let stored = app.store.calls_by_id(vec!["R-1".into()]).await.unwrap();
    assert_eq!(
        stored[0].call.rang_at.map(|t| t.to_rfc3339()),
        Some("2026-03-02T09:15:01+00:00".into())
    );
    // The same call again is known; another recording is another call's details.
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({"calls": [call.clone()]}),
        )
        .await;
    assert_eq!(r.body["already_known"], 1, "{}", r.text);
    call["recording_url"] = json!("https://recordings.example.com/other.wav");
    let r = app
        .post(&app.admin_token, "/api/v1/calls", &json!({"calls": [call]}))
        .await;
    assert_eq!(r.body["conflicts"][0]["call_id"], "R-1", "{}", r.text);

    let customer = stored[0].customer_id.expect("the caller is a customer");
    staff::set_passwords(&app, &[org.manager.id]).await;
    let session = staff::StaffSession::sign_in(&app, org.manager.id).await;
    let page = session
        .get_text(&format!("/staff/customers/{customer}"))
        .await;
    assert!(
        page.contains(
            "<a href=\"https://recordings.example.com/R-1.wav?sig=a&#38;b=1\" rel=\"noreferrer\">recording</a>"
        ),
        "{page}"
    );
}
