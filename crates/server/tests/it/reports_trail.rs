//! The monthly trail over HTTP: the figures of a small story, CSV that spreadsheets cannot
//! turn into formulas, who may read it, bad parameters, and the page with its chart.

use crate::common;

use common::staff;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staff::{set_passwords, StaffSession};

fn solve() -> Value {
    json!({"resolution": "Refunded.", "road": 2, "learned": "Double billing on retry."})
}

fn row(report: &Value, id: i64) -> &Value {
    report["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"] == id)
        .unwrap_or_else(|| panic!("person {id} is in the trail: {report}"))
}

/// Fran passes a case up after 10 minutes and Leo solves it 15 minutes later: a quick
/// catch. Finn holds his own case an hour and solves it.
async fn story(app: &TestApp, org: &Org) {
    let a = app.open_case_id(&org.front1, "Charged twice").await;
    app.advance(minutes(10));
    app.act_ok(
        &org.front1,
        a,
        "pass-up",
        &json!({"reason": "refunds are above me"}),
    )
    .await;
    app.advance(minutes(15));
    app.act_ok(&org.lead, a, "solve", &solve()).await;
    let b = app.open_case_id(&org.front2, "Wrong address").await;
    app.advance(hours(1));
    app.act_ok(&org.front2, b, "solve", &solve()).await;
}

#[tokio::test]
async fn the_trail_counts_what_each_person_did() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    story(&app, &org).await;
    let r = app
        .get(&org.manager.token, "/api/v1/reports/trail?month=2025-03")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["month"], "2025-03");
    assert_eq!(r.body["sorted_by"], "solves");

    let fran = row(&r.body, org.front1.id);
    assert_eq!(fran["name"], "Fran Front");
    assert_eq!(fran["received"]["intake"], 1);
    assert_eq!(fran["passed_up"], 1);
    assert_eq!(fran["solved"], 0);
    assert_eq!(fran["buck_passing_index"], 1.0);
    assert_eq!(
        fran["quick_catches"], 1,
        "Leo solved it 15 minutes after the pass"
    );
    assert_eq!(fran["held_median_seconds"], 600);

    let leo = row(&r.body, org.lead.id);
    assert_eq!(leo["received"]["pass_up"], 1);
    assert_eq!(leo["solved"], 1);
    assert_eq!(leo["held_median_seconds"], 900);
    assert_eq!(leo["buck_passing_index"], 0.0);

    let finn = row(&r.body, org.front2.id);
    assert_eq!(finn["solved"], 1);
    assert_eq!(finn["held_median_seconds"], 3600);

    let by_buck = app
        .get(
            &org.manager.token,
            "/api/v1/reports/trail?month=2025-03&sort=buck_passing",
        )
        .await;
    assert_eq!(by_buck.body["people"][0]["person"], org.front1.id);

    let april = app
        .get(&org.manager.token, "/api/v1/reports/trail?month=2025-04")
        .await;
    assert_eq!(april.body["people"], json!([]), "nothing happened in April");
}

#[tokio::test]
async fn csv_is_one_row_per_person_and_never_a_formula() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let sneaky = app
        .person(
            "=HYPERLINK(\"http://evil\")",
            "frontline",
            Some(org.lead.id),
        )
        .await;
    app.open_case_id(&sneaky, "Hello").await;
    story(&app, &org).await;
    let r = app
        .send(app.authed(
            Method::GET,
            "/api/v1/reports/trail?month=2025-03&format=csv",
            &org.manager.token,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = r.text.lines().collect();
    assert!(lines[0].starts_with("person,name,role,received_intake"));
    assert_eq!(lines.len(), 1 + 4, "a header and four people: {}", r.text);
    let evil = lines
        .iter()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the sneaky person's row");
    assert!(
        evil.contains("\"'=HYPERLINK"),
        "the formula is defused with a leading quote: {evil}"
    );
    assert!(lines.iter().any(|l| l.contains(",Fran Front,frontline,1,")));
}

#[tokio::test]
async fn only_managers_executives_and_admins_read_it_and_bad_parameters_are_named() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    for who in [&org.front1, &org.lead] {
        let r = app
            .get(&who.token, "/api/v1/reports/trail?month=2025-03")
            .await;
        expect_error(&r, StatusCode::FORBIDDEN, None);
    }
    for who in [&org.manager.token, &org.vp.token, &app.admin_token] {
        let r = app.get(who, "/api/v1/reports/trail?month=2025-03").await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let bad = [
        ("/api/v1/reports/trail", "month"),
        ("/api/v1/reports/trail?month=2025-13", "month"),
        ("/api/v1/reports/trail?month=March", "month"),
        ("/api/v1/reports/trail?month=2025-03&sort=wins", "sort"),
        ("/api/v1/reports/trail?month=2025-03&format=xml", "format"),
    ];
    for (path, field) in bad {
        let r = app.get(&org.manager.token, path).await;
        expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
}

#[tokio::test]
async fn the_page_shows_the_table_the_chart_and_offers_the_csv() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    story(&app, &org).await;
    set_passwords(&app, &[org.manager.id, org.front1.id]).await;
    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager.get_text("/staff/reports/trail?month=2025-03").await;
    assert!(page.contains("The trail of 2025-03"));
    assert!(page.contains("<svg"), "the chart is drawn");
    assert!(page.contains("Fran Front") && page.contains("Leo Lead"));
    assert!(page.contains("href=\"/staff/reports/trail.csv?month=2025-03"));
    let csv = manager
        .get("/staff/reports/trail.csv?month=2025-03")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains("Fran Front"));
    let bad = manager
        .get("/staff/reports/trail?month=2025-99")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let frontline = StaffSession::sign_in(&app, org.front1.id).await;
    let refused = frontline
        .get("/staff/reports/trail?month=2025-03")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
