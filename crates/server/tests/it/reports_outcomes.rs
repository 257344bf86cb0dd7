//! Delight and the road mix over HTTP: what a manager reads after a month of solved and
//! rated cases, as JSON, CSV and pages.

use crate::common;

use common::staff;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staff::{set_passwords, StaffSession};

/// Opens, solves on `road` with `learned`, and has the customer rate it.
async fn solved_and_rated(
    app: &TestApp,
    by: &Member,
    road: u8,
    learned: &str,
    rating: Option<(u8, &str, bool)>,
) -> i64 {
    let opened = app.open_case(by, "Charged twice").await;
    let id = opened["id"].as_i64().unwrap();
    app.advance(minutes(20));
    app.act_ok(
        by,
        id,
        "solve",
        &json!({"resolution": "Refunded.", "road": road, "learned": learned}),
    )
    .await;
    if let Some((score, delighted_by, recommend)) = rating {
        let token = app.customer_token_of(id).await;
        app.advance(minutes(30));
        let r = app
            .send(
                app.request(Method::POST, &format!("/api/v1/cases/{id}/rating?token={token}"))
                    .json(&json!({"score": score, "delighted_by": delighted_by, "would_recommend": recommend})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    id
}

async fn story(app: &TestApp, org: &Org) -> i64 {
    let delighted = solved_and_rated(
        app,
        &org.front1,
        2,
        "Refunds are faster by phone",
        Some((5, "She stayed on the line until it was done", true)),
    )
    .await;
    solved_and_rated(
        app,
        &org.front2,
        4,
        "They wanted a discount",
        Some((2, "", false)),
    )
    .await;
    solved_and_rated(app, &org.front1, 3, "Show the export button", None).await;
    delighted
}

#[tokio::test]
async fn delight_names_the_top_scores_and_counts_ratings_per_person() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let delighted = story(&app, &org).await;
    let r = app
        .get(&org.manager.token, "/api/v1/reports/delight?month=2025-03")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["overall"]["n"], 2);
    assert_eq!(r.body["overall"]["scores"], json!([0, 1, 0, 0, 1]));
    assert_eq!(r.body["overall"]["recommend_rate"], 0.5);
    let fran = &r.body["by_solver"][org.front1.id.to_string()];
    assert_eq!(fran["n"], 1);
    assert_eq!(fran["mean"], 5.0);
    assert_eq!(r.body["names"][org.front1.id.to_string()], "Fran Front");
    let top: &Value = &r.body["delighted"][0];
    assert_eq!(top["case_id"], delighted);
    assert_eq!(
        top["delighted_by"],
        "She stayed on the line until it was done"
    );
    assert_eq!(top["road"], 2);
    assert_eq!(r.body["delighted"].as_array().unwrap().len(), 1);

    let csv = app
        .send(app.authed(
            Method::GET,
            "/api/v1/reports/delight?month=2025-03&format=csv",
            &org.manager.token,
        ))
        .await;
    assert!(csv.text.starts_with("grouping,key,name,n,score_1"));
    assert!(
        csv.text.contains(",Fran Front,1,0,0,0,0,1,5.00,1,1.000"),
        "{}",
        csv.text
    );

    for who in [&org.front1, &org.lead] {
        let r = app
            .get(&who.token, "/api/v1/reports/delight?month=2025-03")
            .await;
        expect_error(&r, StatusCode::FORBIDDEN, None);
    }
    let r = app
        .get(&org.manager.token, "/api/v1/reports/delight?month=03-2025")
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("month"));
}

#[tokio::test]
async fn the_road_mix_counts_solves_per_month_and_category_and_lists_what_was_learned() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    story(&app, &org).await;
    let r = app
        .get(
            &org.manager.token,
            "/api/v1/reports/roads?from=2025-02&to=2025-03",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["by_month"]["2025-02"], json!({}));
    assert_eq!(
        r.body["by_month"]["2025-03"]["billing"]["roads"],
        json!([0, 1, 1, 1])
    );
    assert_eq!(r.body["by_month"]["2025-03"]["billing"]["solved"], 3);
    let learned: Vec<&str> = r.body["learned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["learned"].as_str().unwrap())
        .collect();
    assert_eq!(
        learned,
        vec![
            "Show the export button",
            "They wanted a discount",
            "Refunds are faster by phone"
        ],
        "newest first"
    );

    let bad = [
        ("/api/v1/reports/roads?to=2025-03", "from"),
        ("/api/v1/reports/roads?from=2025-04&to=2025-03", "to"),
        ("/api/v1/reports/roads?from=2023-01&to=2025-03", "to"),
        (
            "/api/v1/reports/roads?from=2025-01&to=2025-03&format=pdf",
            "format",
        ),
    ];
    for (path, field) in bad {
        let r = app.get(&org.manager.token, path).await;
        expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
}

#[tokio::test]
async fn the_pages_show_the_words_the_mix_and_offer_csv() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    story(&app, &org).await;
    set_passwords(&app, &[org.manager.id, org.front1.id]).await;
    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager
        .get_text("/staff/reports/delight?month=2025-03")
        .await;
    assert!(page.contains("She stayed on the line until it was done"));
    assert!(page.contains("<svg"));
    assert!(page.contains("Fran Front"));
    let page = manager
        .get_text("/staff/reports/roads?from=2025-01&to=2025-03")
        .await;
    assert!(page.contains("Refunds are faster by phone"));
    assert!(page.contains("<svg"));
    for path in [
        "/staff/reports/delight.csv?month=2025-03",
        "/staff/reports/roads.csv?from=2025-01&to=2025-03",
    ] {
        let r = manager.get(path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
    }
    let frontline = StaffSession::sign_in(&app, org.front1.id).await;
    for path in ["/staff/reports/delight", "/staff/reports/roads"] {
        let r = frontline.get(path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
}
