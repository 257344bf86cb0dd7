//! Every refused request gets the fitting status and `{"error": {code, message, field}}`
//! naming the problem, and changes nothing (docs/design.md §6). `TestApp::refused` compares
//! everything readable (people, categories, every case and its events) before and after.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// The organisation and one open case owned by the first frontline.
async fn setup() -> (TestApp, Org, i64) {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    (app, org, id)
}

fn open_case(app: &TestApp, by: &Member, body: &Value) -> reqwest::RequestBuilder {
    app.authed(Method::POST, "/api/v1/cases", &by.token)
        .json(body)
}

fn action(
    app: &TestApp,
    by: &Member,
    id: i64,
    action: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    app.authed(
        Method::POST,
        &format!("/api/v1/cases/{id}/{action}"),
        &by.token,
    )
    .json(body)
}

fn solve(road: Value) -> Value {
    json!({"resolution": "Refunded.", "road": road, "learned": "Double billing on retry."})
}

#[tokio::test]
async fn malformed_json_is_400() {
    let (app, org, id) = setup().await;
    let bad = |path: &str| {
        app.authed(Method::POST, path, &org.front1.token)
            .header("Content-Type", "application/json")
            .body(r#"{"customer": {"email": "ann@example.com"}, "subject": "#)
    };
    let e = app
        .refused(bad("/api/v1/cases"), StatusCode::BAD_REQUEST, None)
        .await;
    assert_eq!(e["code"], "malformed_json");
    assert!(
        e["message"].as_str().unwrap_or_default().contains("JSON"),
        "{e}"
    );
    let e = app
        .refused(
            bad(&format!("/api/v1/cases/{id}/pass-up")),
            StatusCode::BAD_REQUEST,
            None,
        )
        .await;
    assert_eq!(e["code"], "malformed_json");
    // Broken off after a field of the wrong type: still unreadable, so still a 400.
    let truncated = app
        .authed(
            Method::POST,
            &format!("/api/v1/cases/{id}/solve"),
            &org.front1.token,
        )
        .header("Content-Type", "application/json")
        .body(r#"{"road": "one", "resolution": "Refun"#);
    let e = app.refused(truncated, StatusCode::BAD_REQUEST, None).await;
    assert_eq!(e["code"], "malformed_json");
    let empty = app
        .authed(Method::POST, "/api/v1/cases", &org.front1.token)
        .header("Content-Type", "application/json");
    app.refused(empty, StatusCode::BAD_REQUEST, None).await;
}

#[tokio::test]
async fn wrong_content_type_is_400() {
    let (app, org, id) = setup().await;
    let body = serde_json::to_string(&intake("As plain text")).expect("json");
    let as_text = app
        .authed(Method::POST, "/api/v1/cases", &org.front1.token)
        .header("Content-Type", "text/plain")
        .body(body.clone());
    let e = app.refused(as_text, StatusCode::BAD_REQUEST, None).await;
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Content-Type: application/json"),
        "{e}"
    );
    let as_form = app
        .authed(
            Method::POST,
            &format!("/api/v1/cases/{id}/solve"),
            &org.front1.token,
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("resolution=Refunded&road=1&learned=x");
    app.refused(as_form, StatusCode::BAD_REQUEST, None).await;
    let no_type = app
        .authed(Method::POST, "/api/v1/cases", &org.front1.token)
        .body(body);
    app.refused(no_type, StatusCode::BAD_REQUEST, None).await;
}

#[tokio::test]
async fn missing_subject_is_422_naming_subject() {
    let (app, org, _) = setup().await;
    let mut body = intake("x");
    body.as_object_mut().expect("an object").remove("subject");
    let e = app
        .refused(
            open_case(&app, &org.front1, &body),
            UNPROCESSABLE,
            Some("subject"),
        )
        .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("subject"),
        "{e}"
    );

    // A missing field inside an object, or in another request, is named just as precisely.
    let mut body = intake("Callback offered");
    body["realtime"] = json!({"reason": "customer on a train"});
    app.refused(
        open_case(&app, &org.front1, &body),
        UNPROCESSABLE,
        Some("realtime.offered"),
    )
    .await;
    let mut body = intake("No customer");
    body.as_object_mut().expect("an object").remove("customer");
    app.refused(
        open_case(&app, &org.front1, &body),
        UNPROCESSABLE,
        Some("customer"),
    )
    .await;

    // A blank subject is as good as none.
    let e = app
        .refused(
            open_case(&app, &org.front1, &intake("   ")),
            UNPROCESSABLE,
            Some("subject"),
        )
        .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("subject"),
        "{e}"
    );
}

#[tokio::test]
async fn road_as_string_is_422_naming_road() {
    let (app, org, id) = setup().await;
    let e = app
        .refused(
            action(&app, &org.front1, id, "solve", &solve(json!("1"))),
            UNPROCESSABLE,
            Some("road"),
        )
        .await;
    assert!(
        e["message"].as_str().unwrap_or_default().contains("road"),
        "{e}"
    );
}

#[tokio::test]
async fn road_outside_1_to_4_is_422_naming_road() {
    let (app, org, id) = setup().await;
    for road in [0, 5, -1] {
        let e = app
            .refused(
                action(&app, &org.front1, id, "solve", &solve(json!(road))),
                UNPROCESSABLE,
                Some("road"),
            )
            .await;
        assert!(
            e["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&road.to_string()),
            "{e}"
        );
    }
    // The same request with a real road is accepted: it was the road that was wrong.
    app.act_ok(&org.front1, id, "solve", &solve(json!(4))).await;
}

#[tokio::test]
async fn unknown_category_is_422_naming_category() {
    let (app, org, _) = setup().await;
    let mut body = intake("Wrong category");
    body["category"] = json!("shipping");
    let e = app
        .refused(
            open_case(&app, &org.front1, &body),
            UNPROCESSABLE,
            Some("category"),
        )
        .await;
    assert_eq!(e["code"], "unknown_category");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("shipping"),
        "{e}"
    );
}

#[tokio::test]
async fn missing_required_fact_is_422_naming_the_fact() {
    let (app, org, _) = setup().await;
    let mut body = intake("No account number");
    body["facts"] = json!({"invoice_number": "INV-9"});
    let e = app
        .refused(
            open_case(&app, &org.front1, &body),
            UNPROCESSABLE,
            Some("facts.account_number"),
        )
        .await;
    assert_eq!(e["code"], "missing_fact");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("account_number"),
        "{e}"
    );

    // A fact the customer did not have is marked so, and then the intake goes through.
    body["missing_facts"] = json!(["account_number"]);
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let events = app.events(r.body["id"].as_i64().expect("id")).await;
    assert_eq!(
        events[0]["data"]["missing_facts"],
        json!(["account_number"])
    );
}

#[tokio::test]
async fn realtime_offered_without_reason_is_422_naming_realtime_reason() {
    let (app, org, _) = setup().await;
    let mut body = intake("Offered a callback");
    body["realtime"] = json!({"offered": true});
    app.refused(
        open_case(&app, &org.front1, &body),
        UNPROCESSABLE,
        Some("realtime.reason"),
    )
    .await;
    body["realtime"] = json!({"offered": true, "reason": "  "});
    app.refused(
        open_case(&app, &org.front1, &body),
        UNPROCESSABLE,
        Some("realtime.reason"),
    )
    .await;
}

#[tokio::test]
async fn solve_by_someone_other_than_the_owner_is_403() {
    let (app, org, id) = setup().await;
    let e = app
        .refused(
            action(&app, &org.front2, id, "solve", &solve(json!(1))),
            StatusCode::FORBIDDEN,
            None,
        )
        .await;
    assert_eq!(e["code"], "not_owner");
    // Not even the boss solves a case they do not own: they take it first.
    app.refused(
        action(&app, &org.lead, id, "solve", &solve(json!(1))),
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    app.refused(
        action(
            &app,
            &org.front2,
            id,
            "pass-up",
            &json!({"reason": "not mine"}),
        ),
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
}

#[tokio::test]
async fn pass_up_without_a_reason_is_422_naming_reason() {
    let (app, org, id) = setup().await;
    app.refused(
        action(&app, &org.front1, id, "pass-up", &json!({})),
        UNPROCESSABLE,
        Some("reason"),
    )
    .await;
    app.refused(
        action(&app, &org.front1, id, "pass-up", &json!({"reason": " "})),
        UNPROCESSABLE,
        Some("reason"),
    )
    .await;
}

#[tokio::test]
async fn pass_up_by_the_top_of_the_hierarchy_is_409() {
    let (app, org, _) = setup().await;
    let id = app
        .open_case_id(&org.ceo, "The CEO took this call himself")
        .await;
    let e = app
        .refused(
            action(
                &app,
                &org.ceo,
                id,
                "pass-up",
                &json!({"reason": "delegating"}),
            ),
            StatusCode::CONFLICT,
            None,
        )
        .await;
    assert_eq!(e["code"], "top_of_hierarchy");
}

#[tokio::test]
async fn pass_up_to_someone_below_or_sideways_is_422_naming_to() {
    let (app, org, id) = setup().await;
    // Sideways: to a peer.
    let e = app
        .refused(
            action(
                &app,
                &org.front1,
                id,
                "pass-up",
                &json!({"to": org.front2.id, "reason": "you do it"}),
            ),
            UNPROCESSABLE,
            Some("to"),
        )
        .await;
    assert_eq!(e["code"], "not_up");
    // To nobody that exists.
    app.refused(
        action(
            &app,
            &org.front1,
            id,
            "pass-up",
            &json!({"to": 999_999, "reason": "into the void"}),
        ),
        UNPROCESSABLE,
        Some("to"),
    )
    .await;
    // Down: the lead, owning it now, cannot hand it back to the frontline.
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &json!({"reason": "needs the lead"}),
    )
    .await;
    app.refused(
        action(
            &app,
            &org.lead,
            id,
            "pass-up",
            &json!({"to": org.front1.id, "reason": "back to you"}),
        ),
        UNPROCESSABLE,
        Some("to"),
    )
    .await;
}

#[tokio::test]
async fn take_by_someone_not_above_the_owner_is_403() {
    let (app, org, id) = setup().await;
    // A peer.
    let e = app
        .refused(
            action(&app, &org.front2, id, "take", &json!({})),
            StatusCode::FORBIDDEN,
            None,
        )
        .await;
    assert_eq!(e["code"], "not_above_owner");
    // Someone below the owner.
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &json!({"to": org.manager.id, "reason": "refund"}),
    )
    .await;
    app.refused(
        action(&app, &org.lead, id, "take", &json!({})),
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    app.refused(
        action(&app, &org.front1, id, "take", &json!({})),
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
}

#[tokio::test]
async fn score_outside_1_to_5_is_422_naming_score() {
    let (app, org, id) = setup().await;
    app.act_ok(&org.front1, id, "solve", &solve(json!(2))).await;
    let token = app.customer_token_of(id).await;
    let rate = |score: i64| {
        app.request(
            Method::POST,
            &format!("/api/v1/cases/{id}/rating?token={token}"),
        )
        .json(&json!({"score": score, "delighted_by": "", "would_recommend": true}))
    };
    let e = app.refused(rate(9), UNPROCESSABLE, Some("score")).await;
    assert!(
        e["message"].as_str().unwrap_or_default().contains('9'),
        "{e}"
    );
    app.refused(rate(0), UNPROCESSABLE, Some("score")).await;
    let r = app.send(rate(5)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a valid score is accepted: {}",
        r.text
    );
}

#[tokio::test]
async fn rating_needs_the_cases_own_customer_token() {
    let (app, org, id) = setup().await;
    app.act_ok(&org.front1, id, "solve", &solve(json!(2))).await;
    let other = app.open_case(&org.front2, "Another customer's case").await;
    let other_token = app.customer_token_of(other["id"].as_i64().unwrap()).await;
    let body = json!({"score": 5, "delighted_by": "", "would_recommend": true});
    let rate = |query: &str| {
        app.request(Method::POST, &format!("/api/v1/cases/{id}/rating{query}"))
            .json(&body)
    };

    app.refused(rate("?token=not-the-token"), StatusCode::NOT_FOUND, None)
        .await;
    app.refused(
        rate(&format!("?token={other_token}")),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    let e = app.refused(rate(""), StatusCode::UNAUTHORIZED, None).await;
    assert_eq!(e["code"], "unauthorized");
    // A staff token is not the customer's, and staff may not rate at all.
    let e = app
        .refused(
            rate("").bearer_auth(&org.front1.token),
            StatusCode::FORBIDDEN,
            None,
        )
        .await;
    assert!(
        e["message"].as_str().unwrap().contains("staff cannot rate"),
        "{e}"
    );
}

#[tokio::test]
async fn missing_or_bad_bearer_token_is_401() {
    let (app, org, id) = setup().await;
    let cases = |method: Method, path: &str| app.request(method, path);

    let r = app.send(cases(Method::GET, "/api/v1/cases")).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, None);
    assert_eq!(
        r.headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    app.refused(
        cases(Method::POST, "/api/v1/cases").json(&intake("No token")),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    app.refused(
        cases(Method::POST, &format!("/api/v1/cases/{id}/solve")).json(&solve(json!(1))),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;

    let e = app
        .refused(
            cases(Method::POST, "/api/v1/cases")
                .bearer_auth("not-a-real-token")
                .json(&intake("Bad token")),
            StatusCode::UNAUTHORIZED,
            None,
        )
        .await;
    assert_eq!(e["code"], "unauthorized");
    app.refused(
        cases(Method::POST, &format!("/api/v1/cases/{id}/solve"))
            .header("Authorization", format!("Basic {}", org.front1.token))
            .json(&solve(json!(1))),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    let r = app.get("garbage", &format!("/api/v1/cases/{id}")).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn only_admins_add_people() {
    let (app, org, _) = setup().await;
    let person = json!({"name": "Eve Intruder", "email": "eve@example.com", "role": "admin", "reports_to": null});
    for who in [&org.manager, &org.ceo, &org.front1] {
        let e = app
            .refused(
                app.authed(Method::POST, "/api/v1/people", &who.token)
                    .json(&person),
                StatusCode::FORBIDDEN,
                None,
            )
            .await;
        assert_eq!(e["code"], "forbidden");
    }
    let r = app.post(&app.admin_token, "/api/v1/people", &person).await;
    assert_eq!(r.status, StatusCode::CREATED, "the admin may: {}", r.text);
}

#[tokio::test]
async fn unknown_case_is_404() {
    let (app, org, id) = setup().await;
    let missing = id + 1000;
    let e = app
        .refused(
            app.authed(
                Method::GET,
                &format!("/api/v1/cases/{missing}"),
                &org.front1.token,
            ),
            StatusCode::NOT_FOUND,
            None,
        )
        .await;
    assert_eq!(e["code"], "not_found");
    app.refused(
        action(&app, &org.front1, missing, "solve", &solve(json!(1))),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    app.refused(
        action(&app, &org.vp, missing, "take", &json!({})),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_case_id_that_is_not_a_number_is_a_json_404() {
    let (app, org, _) = setup().await;
    let e = app
        .refused(
            app.authed(Method::GET, "/api/v1/cases/abc", &org.front1.token),
            StatusCode::NOT_FOUND,
            None,
        )
        .await;
    assert!(
        e["message"].as_str().unwrap_or_default().contains("abc"),
        "{e}"
    );
    app.refused(
        app.authed(Method::POST, "/api/v1/cases/abc/pass-up", &org.front1.token)
            .json(&json!({"reason": "x"})),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    // A path that is no route at all is a JSON 404 too.
    app.refused(
        app.authed(Method::GET, "/api/v1/nothing-here", &org.front1.token),
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_3_mb_body_is_413() {
    let (app, org, id) = setup().await;
    let mut body = intake("Huge");
    body["body"] = json!("x".repeat(3 * 1024 * 1024));
    let e = app
        .refused(
            open_case(&app, &org.front1, &body),
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        )
        .await;
    assert_eq!(e["code"], "too_large");
    let huge_reply = json!({"body": "y".repeat(3 * 1024 * 1024)});
    app.refused(
        action(&app, &org.front1, id, "messages", &huge_reply),
        StatusCode::PAYLOAD_TOO_LARGE,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_category_with_a_broken_fact_pattern_is_refused_naming_it() {
    let (app, org, _) = setup().await;
    let body = json!({
        "key": "orders", "name": "Orders",
        "checklist": [{"key": "order_id", "label": "Order", "required": true, "pattern": "order (\\d+"}],
        "manager": org.manager.id, "executive": org.vp.id,
    });
    let before = app.get(&app.admin_token, "/api/v1/categories").await.body;
    let r = app
        .post(&app.admin_token, "/api/v1/categories", &body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["error"]["field"], "checklist[0].pattern");
    assert_eq!(
        app.get(&app.admin_token, "/api/v1/categories").await.body,
        before
    );
    // A good one is kept and shown back.
    let mut good = body.clone();
    good["checklist"][0]["pattern"] = json!("(?i)order\\s*#?\\s*(\\d{6,})");
    let r = app
        .post(&app.admin_token, "/api/v1/categories", &good)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.body["checklist"][0]["pattern"],
        good["checklist"][0]["pattern"]
    );
}

/// Every file under the data directory's attachment store.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(&app.data_dir().join("attachments"))
}

#[tokio::test]
async fn a_refused_or_unauthorised_upload_leaves_no_file_behind() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let upload = || {
        reqwest::multipart::Form::new()
            .text("body", "see attached")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 never stored".to_vec())
                    .file_name("x.pdf"),
            )
    };
    let before = stored_files(&app);
    // A wrong case token: the customer route refuses before anything is written.
    let r = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token=wrong"),
            )
            .multipart(upload()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A person the rules do not let reply (neither the owner nor above them).
    let r = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/cases/{id}/messages"),
                &org.front2.token,
            )
            .multipart(upload()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        stored_files(&app),
        before,
        "no file was kept for a refused post"
    );
    // The owner's reply keeps its file.
    let r = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/cases/{id}/messages"),
                &org.front1.token,
            )
            .multipart(upload()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(stored_files(&app), before + 1);
}
