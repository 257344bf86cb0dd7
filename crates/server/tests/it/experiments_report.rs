//! The experiment report over HTTP: a run whose truth is plain (treated customers rate 5
//! and spend 60, control customers rate 4 and spend 50) reads back exactly, with the
//! sufficient statistics as CSV.

use crate::common::*;
use inbound::mail_in;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_plain_run_reads_back_with_its_differences_and_sums() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/experiments",
            &json!({
                "key": "delight", "name": "Delight desk", "team": [org.front2.id],
                "fraction": 0.5, "channels": ["email"],
                "planned_start": "2025-03-01", "planned_end": "2025-09-01",
                "monthly_cost": 100, "currency": "EUR",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.post(
        &app.admin_token,
        "/api/v1/experiments/delight/steps",
        &json!({"step": "start"}),
    )
    .await;
    let mut orders = Vec::new();
    let (mut treated, mut control) = (0, 0);
    for i in 0..30 {
        let sender = format!("buyer{i}@example.org");
        let (case, owner, _) = mail_in(&app, &sender, i).await;
        let is_treated = owner == org.front2.id;
        let who = if is_treated { &org.front2 } else { &org.front1 };
        app.act_ok(
            who,
            case,
            "solve",
            &json!({"resolution": "Sent again.", "road": 2, "learned": "Carrier lost it."}),
        )
        .await;
        let token = app.customer_token_of(case).await;
        let (score, words) = if is_treated {
            (5, "Tess listened and fixed it")
        } else {
            (4, "")
        };
        let r = app
            .post(
                "",
                &format!("/api/v1/cases/{case}/rating?token={token}"),
                &json!({"score": score, "delighted_by": words, "would_recommend": is_treated}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text);
        for (n, days, amount) in [(0, -10, 20), (1, 5, if is_treated { 60 } else { 50 })] {
            orders.push(json!({
                "order_id": format!("o{i}-{n}"), "customer": sender,
                "ordered_at": (t0() + hours(24 * days)).to_rfc3339(),
                "amount": amount.to_string(), "currency": "EUR",
            }));
        }
        if is_treated {
            treated += 1;
        } else {
            control += 1;
        }
    }
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/orders",
            &json!({ "orders": orders }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.advance(hours(24 * 31));

    let r = app
        .get(&org.manager.token, "/api/v1/experiments/delight/report")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let o = &r.body["overall"];
    assert_eq!(
        (
            o["treated_customers"].as_i64(),
            o["control_customers"].as_i64()
        ),
        (Some(treated), Some(control))
    );
    assert!(treated >= 10 && control >= 10, "{treated} / {control}");
    assert_eq!(r.body["health"]["ok"], true, "{}", r.body["health"]);
    assert_eq!(r.body["health"]["compliance"]["share"], 1.0);
    let figure = |metric: &str| -> Value {
        o["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == metric)
            .cloned()
            .unwrap_or_else(|| panic!("no {metric}"))
    };
    let rating = figure("rating");
    assert_eq!(
        (
            rating["test"].as_str(),
            rating["effect"]["absolute"].as_f64()
        ),
        (Some("delta"), Some(1.0))
    );
    assert_eq!(figure("recommend")["effect"]["treated"], 1.0);
    assert_eq!(o["sales"]["effect"]["absolute"], 10.0, "{}", o["sales"]);
    assert_eq!(o["sales_cuped"]["test"], "cuped");
    let quotes = r.body["quotes"].as_array().unwrap();
    assert!(
        quotes
            .iter()
            .all(|q| q["text"] == "Tess listened and fixed it" && q["arm"] == "treated"),
        "{quotes:?}"
    );
    assert!(!quotes.is_empty());
    // 10 more a customer, `treated` customers over the month run: against 100 of cost.
    assert_eq!(
        r.body["payback"]["verdict"], "pays_for_itself",
        "{}",
        r.body["payback"]
    );

    let csv = app
        .get(
            &org.manager.token,
            "/api/v1/experiments/delight/report?format=csv",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next(),
        Some("version,arm,metric,n,sum_y,sum_y2,sum_x,sum_x2,sum_xy")
    );
    let rating_row = format!(
        "all,treated,rating,{treated},{},{},{treated},{treated},{}",
        5 * treated,
        25 * treated,
        5 * treated
    );
    assert!(
        csv.text.lines().any(|l| l == rating_row),
        "{rating_row} in\n{}",
        csv.text
    );

    let r = app
        .get(&org.front1.token, "/api/v1/experiments/delight/report")
        .await;
    expect_error(&r, StatusCode::FORBIDDEN, None);
    let r = app
        .get(
            &org.manager.token,
            "/api/v1/experiments/delight/report?format=xml",
        )
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("format"));
    let r = app
        .get(&org.manager.token, "/api/v1/experiments/nope/report")
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, None);
}
