//! Changing the hierarchy over the API: moving people (it stays a tree) and deactivating
//! them (their open cases pass up, each as an event; they can no longer act).

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_admin_moves_a_person_and_the_hierarchy_stays_a_tree() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_token.clone();
    let r = app
        .post(
            &admin,
            &format!("/api/v1/people/{}/move", org.front2.id),
            &json!({"reports_to": org.manager.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["reports_to"], org.manager.id);
    // front2's pass-up now goes straight to the manager.
    let id = app.open_case_id(&org.front2, "Moved").await;
    let after = app
        .act_ok(
            &org.front2,
            id,
            "pass-up",
            &json!({"reason": "need a manager"}),
        )
        .await;
    assert_eq!(after["owner"], org.manager.id);

    let cycle = app
        .post(
            &admin,
            &format!("/api/v1/people/{}/move", org.manager.id),
            &json!({"reports_to": org.front1.id}),
        )
        .await;
    let e = expect_error(&cycle, StatusCode::UNPROCESSABLE_ENTITY, Some("reports_to"));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("cannot also be above"),
        "{e}"
    );
    let itself = app
        .post(
            &admin,
            &format!("/api/v1/people/{}/move", org.lead.id),
            &json!({"reports_to": org.lead.id}),
        )
        .await;
    expect_error(
        &itself,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("reports_to"),
    );
    let not_admin = app
        .post(
            &org.manager.token,
            &format!("/api/v1/people/{}/move", org.front1.id),
            &json!({"reports_to": org.manager.id}),
        )
        .await;
    expect_error(&not_admin, StatusCode::FORBIDDEN, None);
    let people = app.get(&admin, "/api/v1/people").await;
    let manager = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == org.manager.id)
        .unwrap()
        .clone();
    assert_eq!(
        manager["reports_to"], org.vp.id,
        "refused moves changed nothing"
    );
}

#[tokio::test]
async fn deactivating_a_person_passes_their_open_cases_up_and_locks_them_out() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let a = app.open_case_id(&org.front1, "First").await;
    let b = app.open_case_id(&org.front1, "Second").await;
    let solved = app.open_case_id(&org.front1, "Done").await;
    app.act_ok(
        &org.front1,
        solved,
        "solve",
        &json!({"resolution": "ok", "road": 2, "learned": "x"}),
    )
    .await;
    let before_solved = app.events(solved).await.len();

    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/deactivate", org.front1.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["person"]["active"], false);
    let mut passed: Vec<i64> = r.body["passed_up"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    passed.sort();
    assert_eq!(
        passed,
        vec![a, b],
        "both open cases moved, the solved one did not"
    );
    for id in [a, b] {
        let case = app.case(id).await;
        assert_eq!(case["owner"], org.lead.id, "to the manager above");
        let last = app.events(id).await.last().unwrap().clone();
        assert_eq!(last["kind"], "passed_up");
        assert_eq!(last["actor"]["type"], "system");
        assert!(
            last["data"]["reason"]
                .as_str()
                .unwrap()
                .contains("was deactivated"),
            "{last}"
        );
    }
    assert_eq!(app.events(solved).await.len(), before_solved);

    let locked = app.get(&org.front1.token, "/api/v1/cases").await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "a deactivated person's token no longer works"
    );
}

#[tokio::test]
async fn only_an_admin_deactivates_and_never_the_last_admin() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = app
        .post(
            &org.manager.token,
            &format!("/api/v1/people/{}/deactivate", org.front1.id),
            &json!({}),
        )
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let admin_id = app.admin_id().await;
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{admin_id}/deactivate"),
            &json!({}),
        )
        .await;
    let e = expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("id"));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("last active administrator"),
        "{e}"
    );
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/people/99999/deactivate",
            &json!({}),
        )
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn an_admin_issues_lists_and_revokes_api_tokens() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let admin = app.admin_token.clone();
    let r = app
        .post(
            &admin,
            "/api/v1/tokens",
            &json!({"person": org.front1.id, "label": "shop sync"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_string();
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&token, "/api/v1/cases").await.status,
        StatusCode::OK
    );

    let list = app.get(&admin, "/api/v1/tokens").await;
    let listed = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["label"], "shop sync");
    assert_eq!(listed["person"], org.front1.id);
    assert!(!list.text.contains(&token), "the list never shows a token");

    let r = app
        .post(&admin, &format!("/api/v1/tokens/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get(&token, "/api/v1/cases").await.status,
        StatusCode::UNAUTHORIZED,
        "revoked: refused at once"
    );
    let again = app
        .post(
            &admin,
            &format!("/api/v1/tokens/{}/revoke", "0".repeat(64)),
            &json!({}),
        )
        .await;
    expect_error(&again, StatusCode::NOT_FOUND, None);

    for (body, field) in [
        (json!({"person": org.front1.id, "label": " "}), "label"),
        (json!({"person": 99999, "label": "x"}), "person"),
    ] {
        let r = app.post(&admin, "/api/v1/tokens", &body).await;
        expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
    let r = app
        .post(
            &org.manager.token,
            "/api/v1/tokens",
            &json!({"person": org.manager.id, "label": "mine"}),
        )
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let r = app.get(&org.manager.token, "/api/v1/tokens").await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
}

#[tokio::test]
async fn an_admin_corrects_and_invites_people_over_the_api() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let patch = |token: &str, id: i64, body: serde_json::Value| {
        app.client
            .patch(format!("{}/api/v1/people/{id}", app.url))
            .bearer_auth(token)
            .json(&body)
    };
    let r = app
        .send(patch(
            &app.admin_token,
            org.front1.id,
            json!({"name": "Frances Front"}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Frances Front");
    assert_eq!(r.body["role"], "frontline", "what is left out stays");
    let r = app
        .send(patch(
            &org.manager.token,
            org.front1.id,
            json!({"name": "Nope"}),
        ))
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let r = app
        .send(patch(
            &app.admin_token,
            org.front1.id,
            json!({"role": "boss"}),
        ))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("role"));
    let admin = app.admin_id().await;
    let r = app
        .send(patch(&app.admin_token, admin, json!({"role": "manager"})))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("role"));

    // No relay in this test server: the answer carries the link to pass on.
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/invite", org.front2.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["mailed"], false);
    let link = r.body["link"].as_str().expect("the link");
    assert!(
        link.starts_with(&format!("{}/staff/password/", app.url)),
        "{link}"
    );
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the link opens the page to choose a password"
    );
    let r = app
        .post(
            &org.manager.token,
            &format!("/api/v1/people/{}/invite", org.front2.id),
            &json!({}),
        )
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
}
