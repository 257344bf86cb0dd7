//! Two servers on one store: what an administrator changes on one is in force on the
//! other within a second, without a restart — a person, a category, a rule.

use crate::common;
use common::staff;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use staff::{set_passwords, StaffSession};
use std::time::{Duration, Instant};

/// Asks `seen` every 20 ms until it says yes; how long that took (at most 5 s).
async fn until<F, Fut>(what: &str, mut seen: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if seen().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the second server never saw {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_on_one_server_is_in_force_on_the_other_within_a_second() {
    let first = TestApp::spawn().await;
    let (second, second_state) = first.second_server().await;
    let on_second = second.url();
    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(format!("{on_second}{path}"))
            .bearer_auth(&first.admin_token)
            .send()
    };

    // A person added on the first server.
    let exec = first.person("Vera Vice", "executive", None).await;
    let took = until("the new person", || async {
        let people: Value = get("/api/v1/people").await.unwrap().json().await.unwrap();
        people
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == exec.id)
    })
    .await;
    assert!(took < Duration::from_secs(1), "a person took {took:?}");

    // A category added on the first server: the second opens cases in it.
    let r = first
        .post(
            &first.admin_token,
            "/api/v1/categories",
            &json!({"key": "returns", "name": "Returns", "checklist": [], "manager": exec.id, "executive": exec.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let front = first.person("Finn Front", "frontline", Some(exec.id)).await;
    let intake = json!({"customer": {"email": "ann@example.com"}, "category": "returns", "subject": "A return"});
    let took = until("the new category", || async {
        client
            .post(format!("{on_second}/api/v1/cases"))
            .bearer_auth(&front.token)
            .json(&intake)
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::CREATED
    })
    .await;
    assert!(took < Duration::from_secs(1), "a category took {took:?}");

    // A rule changed on the first server's pages: the second escalates by it.
    let admin = first.admin_id().await;
    set_passwords(&first, &[admin]).await;
    let session = StaffSession::sign_in(&first, admin).await;
    let saved = session
        .post("/staff/admin/rules")
        .form(&[("csrf", session.csrf.as_str()), ("escalate_after", "2h")])
        .send()
        .await
        .unwrap();
    assert!(
        saved.status().is_redirection() || saved.status().is_success(),
        "saving the rule: {}",
        saved.status()
    );
    let took = until("the new rule", || async {
        let r = client
            .post(format!("{on_second}/api/v1/cases"))
            .bearer_auth(&front.token)
            .json(&intake)
            .send()
            .await
            .unwrap();
        let case: Value = r.json().await.unwrap();
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(case[k].as_str().unwrap()).unwrap();
        at("escalates_at") - at("opened_at") == chrono::Duration::hours(2)
    })
    .await;
    assert!(took < Duration::from_secs(1), "a rule took {took:?}");
    assert_eq!(
        second_state.rules().escalate_after,
        chrono::Duration::hours(2)
    );
    second.stop().await;
}
