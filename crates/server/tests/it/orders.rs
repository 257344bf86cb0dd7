//! Orders over HTTP (`POST /api/v1/orders`): a batch is stored once and counted, sending
//! it again changes nothing, an order id sent again with other details is a conflict and
//! the stored order is kept, one bad order refuses the whole batch (naming
//! `orders[i].field`) and stores nothing, batch sizes, who may send, malformed bodies.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn order(id: &str, customer: &str, at: &str, amount: &str, currency: &str) -> Value {
    json!({
        "order_id": id,
        "customer": customer,
        "ordered_at": at,
        "amount": amount,
        "currency": currency,
    })
}

fn batch(orders: &[Value]) -> Value {
    json!({ "orders": orders })
}

/// Sends a batch as the admin; it must be a 200. Returns the result body.
async fn send_ok(app: &TestApp, orders: &[Value]) -> Value {
    let r = app
        .post(&app.admin_token, "/api/v1/orders", &batch(orders))
        .await;
    assert_eq!(r.status, StatusCode::OK, "sending orders: {}", r.text);
    assert!(r.is_json(), "{:?}", r.headers);
    r.body
}

fn outcome(added: u64, already_known: u64, conflicts: &[(usize, &str)]) -> Value {
    json!({
        "added": added,
        "already_known": already_known,
        "conflicts": conflicts
            .iter()
            .map(|(index, id)| json!({"index": index, "order_id": id}))
            .collect::<Vec<_>>(),
    })
}

fn three() -> Vec<Value> {
    vec![
        order("G-1", "ann@example.com", "2025-02-25", "10.00", "EUR"),
        order("G-2", "C-42", "2025-02-26T14:30:00+02:00", "-3.99", "EUR"),
        order(
            "G-3",
            "bob@example.com",
            "2025-03-01T08:00:00Z",
            "1200",
            "usd",
        ),
    ]
}

#[tokio::test]
async fn a_batch_is_stored_and_counted_and_sending_it_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = send_ok(&app, &three()).await;
    assert_eq!(first, outcome(3, 0, &[]));

    let again = send_ok(&app, &three()).await;
    assert_eq!(again, outcome(0, 3, &[]), "a batch sent again is all known");

    // The same orders written differently are the same orders: the amount with another
    // number of decimals, the time as RFC 3339 in UTC, the currency in another case, the
    // email in another case (customers' emails ignore case).
    let same = vec![
        order(
            "G-1",
            "ANN@Example.com",
            "2025-02-25T00:00:00Z",
            "10",
            "eur",
        ),
        order("G-2", " C-42 ", "2025-02-26T12:30:00Z", "-3.990", "EUR"),
        order("G-3", "bob@example.com", "2025-03-01", "1200.00", "USD"),
    ];
    // "-3.990" has three decimals: refused. Send the rest.
    let r = app
        .post(&app.admin_token, "/api/v1/orders", &batch(&same))
        .await;
    expect_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("orders[1].amount"),
    );
    let same = vec![
        same[0].clone(),
        order("G-2", " C-42 ", "2025-02-26T12:30:00Z", "-3.99", "EUR"),
    ];
    assert_eq!(send_ok(&app, &same).await, outcome(0, 2, &[]));
    // G-3 at another time of the day is not the same order.
    let other_time = order("G-3", "bob@example.com", "2025-03-01", "1200.00", "USD");
    assert_eq!(
        send_ok(&app, &[other_time]).await,
        outcome(0, 0, &[(0, "G-3")])
    );

    // New and known orders mixed: each counted once.
    let mut mixed = three();
    mixed.insert(1, order("G-4", "C-42", "2025-03-02", "0.07", "EUR"));
    assert_eq!(send_ok(&app, &mixed).await, outcome(1, 3, &[]));
}

#[tokio::test]
async fn the_same_order_id_with_other_details_is_a_conflict_and_the_stored_order_is_kept() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    // Ann's case, opened and solved on 2025-03-03: with a 7-day window her "before" is
    // 2025-02-24..03-02 and her "after" 2025-03-04..03-10.
    let case = app.open_case_id(&org.front1, "Charged twice").await;
    app.advance(minutes(20));
    app.act_ok(
        &org.front1,
        case,
        "solve",
        &json!({"resolution": "Refunded.", "road": 2, "learned": "Retries bill twice."}),
    )
    .await;

    let o1 = order("O-1", "ann@example.com", "2025-02-25", "10.00", "EUR");
    let o2 = order("O-2", "ann@example.com", "2025-03-05", "20.00", "EUR");
    assert_eq!(
        send_ok(&app, &[o1.clone(), o2.clone()]).await,
        outcome(2, 0, &[])
    );

    // O-1 again with another amount, between a new order and a known one.
    let o1_more = order("O-1", "ann@example.com", "2025-02-25", "99.00", "EUR");
    let o3 = order("O-3", "ann@example.com", "2025-02-26", "5.00", "EUR");
    assert_eq!(
        send_ok(&app, &[o3.clone(), o1_more.clone(), o2.clone()]).await,
        outcome(1, 1, &[(1, "O-1")])
    );

    // Any other detail is a conflict too: the currency, the time, the customer.
    let o2_usd = order("O-2", "ann@example.com", "2025-03-05", "20.00", "USD");
    let o2_later = order("O-2", "ann@example.com", "2025-03-06", "20.00", "EUR");
    let o2_bob = order("O-2", "bob@example.com", "2025-03-05", "20.00", "EUR");
    assert_eq!(
        send_ok(&app, &[o2_usd, o2_later, o2_bob]).await,
        outcome(0, 0, &[(0, "O-2"), (1, "O-2"), (2, "O-2")])
    );

    // The same id twice in one batch: the first is stored, the second is the conflict.
    let n1 = order("N-1", "ann@example.com", "2025-03-06", "10.00", "EUR");
    let n1_more = order("N-1", "ann@example.com", "2025-03-06", "11.00", "EUR");
    assert_eq!(
        send_ok(&app, &[n1.clone(), n1_more.clone()]).await,
        outcome(1, 0, &[(1, "N-1")])
    );

    // The stored orders are the first ones: sent exactly again they are known, and the
    // conflicting versions still conflict.
    assert_eq!(
        send_ok(&app, &[o1.clone(), o2.clone(), n1.clone()]).await,
        outcome(0, 3, &[])
    );
    assert_eq!(
        send_ok(&app, &[o1_more, n1_more]).await,
        outcome(0, 0, &[(0, "O-1"), (1, "N-1")])
    );

    // And customer math adds the stored amounts: before = O-1 10.00 + O-3 5.00, after =
    // O-2 20.00 + N-1 10.00, all in EUR (the USD version of O-2 was never stored). Two
    // customers who started buying earlier give Ann's case someone to compare with.
    send_ok(
        &app,
        &[
            order("P-1", "P-1", "2025-02-01", "7.00", "EUR"),
            order("P-2", "P-2", "2025-02-02", "8.00", "EUR"),
        ],
    )
    .await;
    app.set_clock(hours(8 * 24));
    let r = app
        .get(
            &org.manager.token,
            "/api/v1/reports/customer-math?window_days=7",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["currency"], "EUR");
    assert_eq!(r.body["other_currencies"], json!([]), "{}", r.text);
    assert_eq!(r.body["cases_compared"], 1, "{}", r.text);
    let fran = &r.body["by_solver"][0];
    assert_eq!(fran["key"], org.front1.id.to_string());
    assert_eq!(fran["before"], 1500.0, "{}", r.text);
    assert_eq!(fran["after"], 3000.0, "{}", r.text);
}

#[tokio::test]
async fn one_bad_order_refuses_the_whole_batch_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let good = three();
    let with = |i: usize, key: &str, value: Value| {
        let mut orders = good.clone();
        orders[i][key] = value;
        orders
    };
    let without = |i: usize, key: &str| {
        let mut orders = good.clone();
        orders[i].as_object_mut().unwrap().remove(key);
        orders
    };
    let bad: Vec<(Vec<Value>, &str)> = vec![
        (with(2, "amount", json!("1.234")), "orders[2].amount"),
        (with(0, "amount", json!("12,50")), "orders[0].amount"),
        (with(1, "amount", json!("")), "orders[1].amount"),
        (with(1, "amount", json!("1e5")), "orders[1].amount"),
        (
            with(0, "ordered_at", json!("2025-02-30")),
            "orders[0].ordered_at",
        ),
        (
            with(1, "ordered_at", json!("05/03/2025")),
            "orders[1].ordered_at",
        ),
        (
            with(2, "ordered_at", json!("yesterday")),
            "orders[2].ordered_at",
        ),
        (with(1, "currency", json!("EURO")), "orders[1].currency"),
        (with(2, "currency", json!("E1")), "orders[2].currency"),
        (with(2, "customer", json!("")), "orders[2].customer"),
        (with(0, "customer", json!("   ")), "orders[0].customer"),
        (with(1, "order_id", json!("")), "orders[1].order_id"),
        (
            with(0, "order_id", json!("x".repeat(201))),
            "orders[0].order_id",
        ),
        (with(1, "colour", json!("red")), "orders[1].colour"),
        (without(2, "currency"), "orders[2].currency"),
        (with(0, "amount", json!(12.5)), "orders[0].amount"),
    ];
    for (orders, field) in bad {
        let r = app
            .post(&app.admin_token, "/api/v1/orders", &batch(&orders))
            .await;
        let error = expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "the message names the field: {error}"
        );
    }
    // An unknown field beside "orders" is refused too.
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/orders",
            &json!({"orders": good, "dry_run": true}),
        )
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("dry_run"));

    // None of the good orders of the refused batches was stored: all are new now.
    assert_eq!(send_ok(&app, &good).await, outcome(3, 0, &[]));
}

#[tokio::test]
async fn empty_and_oversized_batches_are_refused_on_orders() {
    let app = TestApp::spawn().await;
    let r = app
        .post(&app.admin_token, "/api/v1/orders", &json!({"orders": []}))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("orders"));
    let r = app
        .post(&app.admin_token, "/api/v1/orders", &json!({}))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("orders"));
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/orders",
            &json!({"orders": "G-1"}),
        )
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("orders"));

    // Realistic orders, as a shop would send them.
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                order(
                    &format!("SHOP-2025-{i:07}"),
                    &format!("customer.{:05}@example.com", i % 3000),
                    &format!("2025-02-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i % 24, i % 60),
                    &format!("{}.{:02}", 1 + i % 500, i % 100),
                    "EUR",
                )
            })
            .collect()
    };
    let too_many = many(10_001);
    let r = app
        .post(&app.admin_token, "/api/v1/orders", &batch(&too_many))
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("orders"));

    // 10,000 is allowed, and none of them was stored by the refused batch.
    let most = many(10_000);
    assert_eq!(send_ok(&app, &most).await, outcome(10_000, 0, &[]));
    // The one more is new; the rest known.
    let r = send_ok(&app, &too_many[9_990..]).await;
    assert_eq!(r, outcome(1, 10, &[]));
}

#[tokio::test]
async fn only_admin_tokens_send_orders() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    for who in [
        &org.ceo,
        &org.vp,
        &org.manager,
        &org.lead,
        &org.front1,
        &org.front2,
    ] {
        let r = app
            .post(&who.token, "/api/v1/orders", &batch(&three()))
            .await;
        expect_error(&r, StatusCode::FORBIDDEN, None);
    }
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/orders")
                .json(&batch(&three())),
        )
        .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, None);
    let r = app
        .post("not-a-token", "/api/v1/orders", &batch(&three()))
        .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, None);
    // Nothing was stored by the refused requests.
    assert_eq!(send_ok(&app, &three()).await, outcome(3, 0, &[]));
}

#[tokio::test]
async fn a_malformed_body_is_a_400() {
    let app = TestApp::spawn().await;
    let truncated = r#"{"orders": [{"order_id": "G-1", "customer": "ann@example.com", "ordered_at": "2025-02-25", "amount": "10.00""#;
    let r = app
        .send(
            app.authed(Method::POST, "/api/v1/orders", &app.admin_token)
                .header("content-type", "application/json")
                .body(truncated),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, None);
    // Broken even after an unknown field: still a 400, not a 422.
    let r = app
        .send(
            app.authed(Method::POST, "/api/v1/orders", &app.admin_token)
                .header("content-type", "application/json")
                .body(r#"{"colour": "red", "orders": [}"#),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, None);
    // Not JSON at all.
    let r = app
        .send(
            app.authed(Method::POST, "/api/v1/orders", &app.admin_token)
                .header("content-type", "text/csv")
                .body("order_id,customer,ordered_at,amount,currency\n"),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, None);
    assert_eq!(send_ok(&app, &three()).await, outcome(3, 0, &[]));
}
