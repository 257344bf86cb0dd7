//! Delight experiments through the API: admins set one up and run it; each new customer in
//! scope is placed by the hash and keeps their arm; treated customers' cases go to the
//! team; a telephone system asks whom to ring.

use crate::common::*;
use inbound::mail_in;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn settings(team: &[i64], fraction: f64, channels: &[&str]) -> Value {
    json!({
        "name": "Delight desk",
        "hypothesis": "Customers served by people who care come back and buy more",
        "team": team,
        "fraction": fraction,
        "channels": channels,
        "planned_start": (t0() - hours(1)).to_rfc3339(),
        "planned_end": (t0() + hours(24 * 90)).to_rfc3339(),
        "monthly_cost": 4000,
        "currency": "EUR",
    })
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

async fn step(app: &TestApp, key: &str, step: &str) -> Resp {
    app.post(
        &app.admin_token,
        &format!("/api/v1/experiments/{key}/steps"),
        &json!({ "step": step }),
    )
    .await
}

async fn create(app: &TestApp, key: &str, body: Value) -> Resp {
    app.post(
        &app.admin_token,
        "/api/v1/experiments",
        &with(body, "key", json!(key)),
    )
    .await
}

async fn lookup(app: &TestApp, customer: i64) -> Resp {
    app.get(
        &app.admin_token,
        &format!("/api/v1/experiments/assignment?experiment=delight&customer={customer}"),
    )
    .await
}

async fn ask(app: &TestApp, token: &str, query: &str) -> Resp {
    app.get(token, &format!("/api/v1/experiments/assignment?{query}"))
        .await
}

fn treated(key: &str, customer: i64, fraction: f64) -> bool {
    roadone_domain::assignment::bucket(key, &customer.to_string()) < fraction
}

#[tokio::test]
async fn admins_set_up_and_run_experiments_and_bad_settings_change_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let good = settings(&[org.front2.id], 0.01, &["email"]);
    let r = app
        .post(
            &org.manager.token,
            "/api/v1/experiments",
            &with(good.clone(), "key", json!("delight")),
        )
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let refusals = [
        (
            with(good.clone(), "team", json!([])),
            "team",
            "at least one person",
        ),
        (
            with(good.clone(), "fraction", json!(1.5)),
            "fraction",
            "less than 1",
        ),
        (
            with(good.clone(), "fraction", json!(0)),
            "fraction",
            "more than 0",
        ),
        (
            with(good.clone(), "team", json!([app.admin_id().await])),
            "team",
            "may not own cases",
        ),
        (
            with(good.clone(), "channels", json!(["fax"])),
            "channels",
            "not a channel",
        ),
        (
            with(good.clone(), "categories", json!(["nope"])),
            "categories",
            "no category",
        ),
        (
            with(good.clone(), "planned_end", json!("2020-01-01")),
            "planned_end",
            "after",
        ),
        (
            with(good.clone(), "key", json!("Delight Desk")),
            "key",
            "lowercase",
        ),
    ];
    for (body, field, words) in refusals {
        let body = if body["key"].is_null() {
            with(body, "key", json!("delight"))
        } else {
            body
        };
        let r = app
            .post(&app.admin_token, "/api/v1/experiments", &body)
            .await;
        let e = expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{field}: {e}"
        );
    }
    let listed = app.get(&app.admin_token, "/api/v1/experiments").await;
    assert_eq!(listed.body, json!([]), "refused settings stored nothing");

    let r = create(&app, "delight", good.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (r.body["state"].as_str(), r.body["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    let again = create(&app, "delight", good.clone()).await;
    expect_error(&again, StatusCode::CONFLICT, Some("key"));
    let r = step(&app, "delight", "start").await;
    assert_eq!(r.body["state"], "running", "{}", r.text);
    expect_error(
        &step(&app, "delight", "start").await,
        StatusCode::CONFLICT,
        None,
    );
    expect_error(
        &step(&app, "delight", "fly").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("step"),
    );

    // Another one over the same customers cannot start while this one is live.
    let r = create(&app, "rival", good.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let e = expect_error(
        &step(&app, "rival", "start").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("channels"),
    );
    assert!(
        e["message"].as_str().unwrap().contains("\"delight\""),
        "{e}"
    );
    // One on another channel can.
    let phone_only = with(good.clone(), "channels", json!(["phone"]));
    let r = app
        .authed(Method::PUT, "/api/v1/experiments/rival", &app.admin_token)
        .json(&with(phone_only, "expected_version", json!(1)));
    let r = app.send(r).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["version"], 1, "a draft changes in place");
    assert_eq!(step(&app, "rival", "start").await.body["state"], "running");

    // A started one's change is a new version; a stale one is refused.
    let change = |version: i64, fraction: f64| {
        app.authed(Method::PUT, "/api/v1/experiments/delight", &app.admin_token)
            .json(&with(
                settings(&[org.front2.id], fraction, &["email"]),
                "expected_version",
                json!(version),
            ))
    };
    let r = app.send(change(1, 0.02)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["versions"][0]["settings"]["fraction"], 0.01);
    let stale = app.send(change(1, 0.03)).await;
    expect_error(&stale, StatusCode::CONFLICT, None);
    let unversioned = app
        .authed(Method::PUT, "/api/v1/experiments/delight", &app.admin_token)
        .json(&good);
    expect_error(
        &app.send(unversioned).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("expected_version"),
    );

    for s in ["pause", "resume", "end"] {
        let r = step(&app, "delight", s).await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
    }
    let shown = app
        .get(&org.front1.token, "/api/v1/experiments/delight")
        .await;
    let kinds: Vec<&str> = shown.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["created", "started", "changed", "paused", "resumed", "ended"]
    );
    expect_error(
        &step(&app, "delight", "resume").await,
        StatusCode::CONFLICT,
        None,
    );
    let missing = app.get(&app.admin_token, "/api/v1/experiments/nope").await;
    expect_error(&missing, StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn treated_customers_go_to_the_team_and_keep_their_arm() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = create(&app, "delight", settings(&[org.front2.id], 0.5, &["email"])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Before it starts, nobody is placed: mail goes round as usual.
    let (_, _, early) = mail_in(&app, "early@example.org", 0).await;
    step(&app, "delight", "start").await;
    let mut customers = Vec::new();
    for i in 0..24 {
        let sender = format!("buyer{i}@example.org");
        let (_, owner, customer) = mail_in(&app, &sender, 1).await;
        let is_treated = treated("delight", customer, 0.5);
        if is_treated {
            assert_eq!(owner, org.front2.id, "a treated customer goes to the team");
        } else {
            assert_ne!(owner, org.front2.id, "a control customer goes elsewhere");
        }
        customers.push((sender, customer, is_treated));
    }
    let arms: Vec<bool> = customers.iter().map(|c| c.2).collect();
    assert!(
        arms.contains(&true) && arms.contains(&false),
        "24 customers at 50% fell in one arm: {arms:?}"
    );
    let early_arm = lookup(&app, early).await;
    assert_eq!(
        early_arm.body["stored"], false,
        "the customer who wrote before the start was not placed: {}",
        early_arm.text
    );

    // The fraction changes (a new version): those placed keep their arm.
    let r = app
        .send(
            app.authed(Method::PUT, "/api/v1/experiments/delight", &app.admin_token)
                .json(&with(
                    settings(&[org.front2.id], 0.0001, &["email"]),
                    "expected_version",
                    json!(1),
                )),
        )
        .await;
    assert_eq!(r.body["version"], 2, "{}", r.text);
    let app = app.stop().await.restart().await;
    let (sender, customer, _) = customers.iter().find(|c| c.2).expect("a treated one");
    let (_, owner, again) = mail_in(&app, sender, 2).await;
    assert_eq!(again, *customer);
    assert_eq!(
        owner, org.front2.id,
        "a stored arm outlives a change and a restart"
    );
    let r = lookup(&app, *customer).await;
    assert_eq!(
        (r.body["arm"].as_str(), r.body["stored"].as_bool()),
        (Some("treated"), Some(true)),
        "{}",
        r.text
    );

    // The team's only member leaves: the case goes as every case goes, the customer
    // stays treated (intention to treat).
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/deactivate", org.front2.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (_, owner, _) = mail_in(&app, sender, 3).await;
    assert_eq!(owner, org.front1.id);
    assert_eq!(lookup(&app, *customer).await.body["arm"], "treated");
}

#[tokio::test]
async fn a_telephone_system_asks_whom_to_ring() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/phone-lines",
            &json!({"line": "PJSIP/201", "person_id": org.front1.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let none = ask(&app, &org.front2.token, "phone=%2B442079460001").await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert!(none.body["experiment"].is_null());
    assert!(none.body["reason"]
        .as_str()
        .unwrap()
        .contains("ring as usual"));

    create(&app, "calls", settings(&[org.front1.id], 0.5, &["phone"])).await;
    step(&app, "calls", "start").await;
    // Callers become customers when their calls are recorded.
    let calls: Vec<Value> = (0..16)
        .map(|i| {
            let at = t0() + minutes(i);
            json!({
                "call_id": format!("c{i}"),
                "caller": format!("+4420794600{i:02}"),
                "callee": "2000",
                "arrived_at": at.to_rfc3339(),
                "ended_at": (at + seconds(30)).to_rfc3339(),
                "disposition": "no_answer",
            })
        })
        .collect();
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({ "calls": calls }),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let mut seen = (false, false);
    for i in 0..16 {
        let r = ask(
            &app,
            &org.front2.token,
            &format!("phone=%2B4420794600{i:02}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let customer = r.body["customer_id"].as_i64().expect("a known caller");
        if treated("calls", customer, 0.5) {
            seen.0 = true;
            assert_eq!(r.body["arm"], "treated", "{}", r.text);
            assert_eq!(
                r.body["ring"],
                json!({"person_id": org.front1.id, "name": "Fran Front",
                       "email": "fran.front@example.com", "lines": ["PJSIP/201"]})
            );
        } else {
            seen.1 = true;
            assert_eq!(r.body["arm"], "control");
            assert!(r.body["ring"].is_null());
        }
    }
    assert_eq!(seen, (true, true), "16 callers at 50% fell in one arm");
    let stranger = ask(&app, &org.front2.token, "phone=%2B442079460999").await;
    assert!(stranger.body["arm"].is_null(), "{}", stranger.text);
    assert!(stranger.body["reason"]
        .as_str()
        .unwrap()
        .contains("not a customer yet"));
    expect_error(
        &ask(&app, &org.front2.token, "phone=call-me").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("phone"),
    );
    expect_error(
        &ask(&app, &org.front2.token, "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("phone"),
    );
    expect_error(
        &ask(&app, &org.front2.token, "customer=999999").await,
        StatusCode::NOT_FOUND,
        None,
    );
}
