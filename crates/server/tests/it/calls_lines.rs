//! Phone lines: an admin says whose each channel or extension is, and the calls report
//! counts that person — their calls, talk time, and the case their call led to with how
//! it went (solved by them, delighted).

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staff::{set_passwords, StaffSession};

/// An answered call at `t0() + minutes(at)`: 4 s of ring, 36 s of talk.
fn answered(id: &str, caller: &str, at: i64, by: &str) -> Value {
    let start = t0() + minutes(at);
    json!({
        "call_id": id,
        "caller": caller,
        "callee": "2000",
        "answered_by": by,
        "arrived_at": start.to_rfc3339(),
        "answered_at": (start + seconds(4)).to_rfc3339(),
        "ended_at": (start + seconds(40)).to_rfc3339(),
        "disposition": "answered",
    })
}

async fn set_line(app: &TestApp, token: &str, line: &str, person: Value) -> Resp {
    app.post(
        token,
        "/api/v1/phone-lines",
        &json!({"line": line, "person_id": person}),
    )
    .await
}

#[tokio::test]
async fn admins_map_lines_to_people_and_bad_lines_are_refused() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = set_line(&app, &org.manager.token, "PJSIP/201", json!(org.front1.id)).await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let r = set_line(&app, &app.admin_token, "  ", json!(org.front1.id)).await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("line"));
    let r = set_line(&app, &app.admin_token, "PJSIP/201", json!(999_999)).await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("person_id"));
    let listed = app.get(&app.admin_token, "/api/v1/phone-lines").await;
    assert_eq!(listed.body, json!([]), "refused changes changed nothing");

    // A channel as Asterisk writes it loses the call's suffix.
    let r = set_line(
        &app,
        &app.admin_token,
        "PJSIP/201-0000002a",
        json!(org.front1.id),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["line"].as_str(), r.body["changed"].as_bool()),
        (Some("PJSIP/201"), Some(true))
    );
    let again = set_line(&app, &app.admin_token, "pjsip/201", json!(org.front1.id)).await;
    assert_eq!(
        again.body["changed"], false,
        "capitals do not make another line"
    );
    let listed = app.get(&org.front2.token, "/api/v1/phone-lines").await;
    assert_eq!(
        listed.body,
        json!([{"line": "PJSIP/201", "person_id": org.front1.id, "person_name": "Fran Front"}])
    );
    // Handing the line to someone else moves it; null frees it.
    set_line(&app, &app.admin_token, "PJSIP/201", json!(org.front2.id)).await;
    let listed = app.get(&app.admin_token, "/api/v1/phone-lines").await;
    assert_eq!(listed.body[0]["person_id"], org.front2.id);
    let freed = set_line(&app, &app.admin_token, "PJSIP/201", Value::Null).await;
    assert_eq!(freed.body["changed"], true);
    let listed = app.get(&app.admin_token, "/api/v1/phone-lines").await;
    assert_eq!(listed.body, json!([]));
}

#[tokio::test]
async fn the_report_counts_the_person_on_the_line_and_the_case_their_call_led_to() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = set_line(&app, &app.admin_token, "PJSIP/201", json!(org.front1.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Ann (the intake's customer, +44 20 7946 0000) calls; Fran answers on her line, in the
    // spelling of the telephone system. Someone else calls an unmapped line.
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({"calls": [
                answered("L-1", "+442079460000", -10, "pjsip/201"),
                answered("L-2", "+447700900555", -8, "PJSIP/202"),
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Fran takes the call: a phone case for Ann (the caller's record gains her email),
    // solved by Fran and rated 5.
    let mut intake = intake("Charged twice");
    intake["channel"] = json!("phone");
    let opened = app.post(&org.front1.token, "/api/v1/cases", &intake).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let id = opened.body["id"].as_i64().unwrap();
    app.advance(minutes(5));
    app.act_ok(
        &org.front1,
        id,
        "solve",
        &json!({"resolution": "Refunded.", "road": 1, "learned": "Refunds by phone work"}),
    )
    .await;
    let token = app.customer_token_of(id).await;
    let rated = app
        .send(
            app.request(Method::POST, &format!("/api/v1/cases/{id}/rating?token={token}"))
                .json(&json!({"score": 5, "delighted_by": "Fixed while I waited", "would_recommend": true})),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.text);

    let month = t0().format("%Y-%m").to_string();
    let r = app
        .get(
            &org.manager.token,
            &format!("/api/v1/reports/calls?month={month}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ops = r.body["operators"].as_array().unwrap();
    let fran = ops
        .iter()
        .find(|o| o["person"] == org.front1.id)
        .expect("Fran counted");
    assert_eq!(fran["lines"], json!(["pjsip/201"]));
    assert_eq!(
        [
            &fran["answered"],
            &fran["cases"],
            &fran["solved_by_them"],
            &fran["passed_up"],
            &fran["rated"],
            &fran["delighted"]
        ],
        [1, 1, 1, 0, 1, 1],
        "{fran}"
    );
    let other = ops
        .iter()
        .find(|o| o["lines"] == json!(["PJSIP/202"]))
        .unwrap();
    assert_eq!(
        (other["person"].clone(), other["cases"].clone()),
        (Value::Null, json!(0))
    );
    assert_eq!(r.body["names"][org.front1.id.to_string()], "Fran Front");

    // The page says it in words, and the admin page frees the line.
    let admin = app.admin_id().await;
    set_passwords(&app, &[org.manager.id, admin]).await;
    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager
        .get_text(&format!("/staff/reports/calls?month={month}"))
        .await;
    assert!(
        page.contains("<td>1</td><td>1</td><td>0</td><td>1 of 1 rated</td>"),
        "{page}"
    );
    // The case shows the call that led to it, answered by Fran by name.
    let case_page = manager.get_text(&format!("/staff/cases/{id}")).await;
    assert!(
        case_page.contains("+442079460000 to 2000: answered after 4 s by Fran Front"),
        "{case_page}"
    );
    let session = StaffSession::sign_in(&app, admin).await;
    let lines = session.get_text("/staff/admin/phone-lines").await;
    assert!(
        lines.contains("<td><code>PJSIP/201</code></td><td>Fran Front</td>"),
        "{lines}"
    );
    let refused = session
        .post("/staff/admin/phone-lines/set")
        .form(&[
            ("csrf", session.csrf.as_str()),
            ("line", ""),
            ("person", &org.front2.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("line: is required"));
    let freed = session
        .post("/staff/admin/phone-lines/free")
        .form(&[("csrf", session.csrf.as_str()), ("line", "PJSIP/201")])
        .send()
        .await
        .unwrap();
    let after = session.follow(freed).await;
    assert!(
        after.contains("PJSIP/201 is no longer anyone&#39;s line."),
        "{after}"
    );
    assert!(after.contains("No lines yet"), "{after}");
}
