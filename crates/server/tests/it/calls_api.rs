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
