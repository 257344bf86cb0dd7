//! The telephony status callback (Twilio's form): signed callbacks kept once by call and
//! sequence number and put together in order however they arrive; forged, unsigned and
//! stale ones refused; a missed call through it opens a case like any other.

use crate::common::*;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const TOKEN: &str = "twilio-auth-token-for-tests";
const PATH: &str = "/api/v1/calls/twilio";

async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.twilio_auth_token = Some(TOKEN.into())).await
}

/// A callback's fields at `t0() + seconds(at)`.
fn callback(sid: &str, sequence: i64, status: &str, at: i64) -> Vec<(String, String)> {
    let stamp = (t0() + seconds(at)).to_rfc2822();
    let mut f = vec![
        ("CallSid", sid.to_string()),
        ("CallStatus", status.to_string()),
        ("From", "+447700900777".to_string()),
        ("To", "+442071838750".to_string()),
        ("Direction", "inbound".to_string()),
        ("Timestamp", stamp),
        ("SequenceNumber", sequence.to_string()),
    ];
    if status == "completed" {
        f.push(("CallDuration", "60".to_string()));
    }
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn signature(app: &TestApp, token: &str, fields: &[(String, String)]) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    let url = format!(
        "{}{PATH}",
        app.state.config().public_url.trim_end_matches('/')
    );
    mac.update(url.as_bytes());
    for (k, v) in &sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn post(app: &TestApp, fields: &[(String, String)], signature: Option<&str>) -> Resp {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let mut r = app
        .request(Method::POST, PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(s) = signature {
        r = r.header("x-twilio-signature", s);
    }
    app.send(r).await
}

async fn signed(app: &TestApp, fields: &[(String, String)]) -> Resp {
    let s = signature(app, TOKEN, fields);
    post(app, fields, Some(&s)).await
}

async fn report(app: &TestApp) -> Value {
    let month = t0().format("%Y-%m");
    let r = app
        .get(
            &app.admin_token,
            &format!("/api/v1/reports/calls?month={month}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test]
async fn callbacks_out_of_order_make_one_call_once_it_is_complete() {
    let app = app().await;
    app.org().await;
    app.set_clock(minutes(5));
    // The end first, then the ringing, then the answer: ring 8 s, talk 60 s.
    let end = callback("CA1", 2, "completed", 68);
    assert_eq!(signed(&app, &end).await.status, StatusCode::NO_CONTENT);
    assert_eq!(report(&app).await["offered"], 0, "not complete yet");
    let ringing = callback("CA1", 0, "ringing", 0);
    assert_eq!(signed(&app, &ringing).await.status, StatusCode::NO_CONTENT);
    let answered = callback("CA1", 1, "in-progress", 8);
    assert_eq!(signed(&app, &answered).await.status, StatusCode::NO_CONTENT);
    let r = report(&app).await;
    assert_eq!(
        (r["offered"].as_i64(), r["answered"].as_i64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["ring"]["p50_seconds"], 8.0, "{r}");
    assert_eq!(r["operators"][0]["talk_seconds"], 60.0, "{r}");
    // A retry of a callback already kept changes nothing.
    assert_eq!(signed(&app, &answered).await.status, StatusCode::NO_CONTENT);
    assert_eq!(report(&app).await["offered"], 1);
}

#[tokio::test]
async fn a_missed_call_through_the_callback_opens_a_case() {
    let app = app().await;
    app.org().await;
    app.set_clock(minutes(2));
    signed(&app, &callback("CA2", 0, "ringing", 0)).await;
    let r = signed(&app, &callback("CA2", 1, "no-answer", 30)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let cases = app
        .get(&app.admin_token, "/api/v1/cases?q=Missed%20call")
        .await;
    let list = cases.body.as_array().expect("cases").clone();
    assert_eq!(list.len(), 1, "{}", cases.text);
    assert_eq!(list[0]["subject"], "Missed call from +447700900777");
}

#[tokio::test]
async fn forged_unsigned_stale_and_malformed_callbacks_are_refused() {
    let app = app().await;
    app.org().await;
    let fields = callback("CA3", 0, "ringing", 0);
    let forged = signature(&app, "another-token", &fields);
    let r = post(&app, &fields, Some(&forged)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("does not match"), "{}", r.text);
    let r = post(&app, &fields, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("not signed"), "{}", r.text);
    // Signed, but its Timestamp is half an hour from the server's clock: a replay.
    app.set_clock(minutes(30));
    let r = signed(&app, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("stale"), "{}", r.text);
    app.set_clock(minutes(0));
    let mut bad = callback("CA3", 0, "ringing", 0);
    bad[1].1 = "picked-up".into();
    let r = signed(&app, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["error"]["field"], "CallStatus", "{}", r.text);
    // None of it was kept.
    assert_eq!(report(&app).await["offered"], 0);
}

#[tokio::test]
async fn without_an_auth_token_the_callback_is_off() {
    let app = TestApp::spawn().await;
    let fields = callback("CA4", 0, "ringing", 0);
    let r = post(&app, &fields, Some("anything")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(r.text.contains("twilio_auth_token"), "{}", r.text);
}
