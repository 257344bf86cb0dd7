//! Checks of what reports read: events in a window, orders and case outcomes.

use crate::{hours, pass_up, solve, t0, Fixture};
use chrono::{DateTime, Utc};
use roadone_domain::{Actor, CaseId, Command, EventKind};
use roadone_store::records::*;
use roadone_store::Store;

/// Reports read the whole history (of the kinds asked for) of each case active in a
/// window: the start is inclusive, the end exclusive, and quiet cases are left out.
pub async fn report_events<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let from = t0() + hours(24);
    let to = from + hours(24);
    // Opened before the window and passed up exactly at its start: in, with its opening.
    let before = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "a@example.com",
            "Before",
            t0(),
        )
        .await;
    f.act(&store, before.id, pass_up(), p(f.frontline.id), from)
        .await;
    // Opened inside, with a note (a kind not asked for) and solved after the window.
    let inside = f
        .open(
            &store,
            f.frontline2.id,
            "delivery",
            "b@example.com",
            "Inside",
            from + hours(2),
        )
        .await;
    f.act(
        &store,
        inside.id,
        Command::AddNote {
            body: "called back".into(),
            attachments: vec![],
        },
        p(f.frontline2.id),
        from + hours(3),
    )
    .await;
    f.act(
        &store,
        inside.id,
        solve(),
        p(f.frontline2.id),
        to + hours(5),
    )
    .await;
    // Quiet in the window: opened before it and solved exactly at its end.
    let quiet = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "c@example.com",
            "Quiet",
            t0(),
        )
        .await;
    f.act(&store, quiet.id, solve(), p(f.frontline.id), to)
        .await;

    let kinds = vec![EventKind::Opened, EventKind::PassedUp, EventKind::Solved];
    let got = store
        .events_of_active_cases(from, to, kinds)
        .await
        .unwrap_or_else(|e| panic!("report_events: events_of_active_cases failed: {e}"));
    let seen: Vec<(CaseId, &str)> = got
        .iter()
        .map(|(c, e)| (*c, e.body.kind().as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (before.id, "opened"),
            (before.id, "passed_up"),
            (inside.id, "opened"),
            (inside.id, "solved"),
        ],
        "report_events: the asked-for events of the active cases, whole histories, by case then seq; \
         the start is inclusive, the end exclusive, other kinds and quiet cases left out"
    );
    let none = store
        .events_of_active_cases(from, to, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("report_events: with no kinds: {e}"));
    assert!(none.is_empty(), "report_events: no kinds asked, no events");
}

/// Orders are stored once per id (sent again: known; changed: a conflict, not applied),
/// create the customers they name, and are read back by currency and time; case outcomes
/// give each case's opening owner, last solve and escalation, a reopened case as open.
pub async fn orders_and_outcomes<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let order = |id: &str, who: CustomerRef, at: DateTime<Utc>, cents: i64, cur: &str| NewOrder {
        order_id: id.into(),
        customer: who,
        ordered_at: at,
        amount_cents: cents,
        currency: cur.into(),
    };
    let ann = || CustomerRef::Email("ann@example.com".into());
    let batch = vec![
        order("o-1", ann(), t0(), 1250, "EUR"),
        order(
            "o-2",
            CustomerRef::ExternalId("shop-77".into()),
            t0() + hours(1),
            900,
            "EUR",
        ),
        order("o-3", ann(), t0() + hours(2), 4000, "USD"),
    ];
    let first = store
        .add_orders(batch.clone(), t0())
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: add_orders failed: {e}"));
    assert_eq!(
        (first.added, first.already_known, first.conflicts.clone()),
        (3, 0, vec![]),
        "orders_and_outcomes: three new orders are added"
    );
    let mut again = batch.clone();
    again.push(order("o-1", ann(), t0(), 9999, "EUR"));
    let second = store
        .add_orders(again, t0())
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: adding again failed: {e}"));
    assert_eq!(
        (second.added, second.already_known, second.conflicts.clone()),
        (0, 3, vec![3]),
        "orders_and_outcomes: the same orders again are known; o-1 with another amount is a conflict"
    );
    assert_eq!(
        store.order_currencies().await.unwrap(),
        vec![("EUR".to_string(), 2), ("USD".to_string(), 1)],
        "orders_and_outcomes: currencies by number of orders"
    );
    let eur = store
        .orders_in("EUR".into(), t0(), t0() + hours(1))
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: orders_in failed: {e}"));
    assert_eq!(
        eur.len(),
        1,
        "orders_and_outcomes: the end of the range is exclusive"
    );
    assert_eq!(
        eur[0].amount_cents, 1250,
        "orders_and_outcomes: o-1 kept its first amount"
    );
    let ann_id = store
        .customer_by_email("ann@example.com")
        .await
        .unwrap()
        .expect("orders_and_outcomes: an order creates its customer")
        .id;
    assert_eq!(eur[0].customer_id, ann_id);
    let ann_orders = store
        .customer_orders(ann_id)
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: customer_orders failed: {e}"));
    let summary: Vec<(String, u64, i64)> = ann_orders
        .iter()
        .map(|o| (o.currency.clone(), o.orders, o.total_cents))
        .collect();
    assert_eq!(
        summary,
        vec![("EUR".to_string(), 1, 1250), ("USD".to_string(), 1, 4000)],
        "orders_and_outcomes: a customer's orders, summed per currency, not another's"
    );
    assert_eq!(
        (ann_orders[1].first_at, ann_orders[1].last_at),
        (t0() + hours(2), t0() + hours(2)),
        "orders_and_outcomes: with the first and last order's times"
    );

    let p = |id| Actor::Person { id };
    let solved = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "ann@example.com",
            "Solved",
            t0(),
        )
        .await;
    f.act(
        &store,
        solved.id,
        pass_up(),
        p(f.frontline.id),
        t0() + hours(1),
    )
    .await;
    f.act(&store, solved.id, solve(), p(f.staff.id), t0() + hours(2))
        .await;
    let escalated = f
        .open(
            &store,
            f.frontline2.id,
            "delivery",
            "bob@example.com",
            "Late",
            t0(),
        )
        .await;
    f.act(
        &store,
        escalated.id,
        Command::Escalate,
        Actor::System,
        t0() + hours(20),
    )
    .await;
    let reopened = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "cy@example.com",
            "Again",
            t0(),
        )
        .await;
    f.act(
        &store,
        reopened.id,
        solve(),
        p(f.frontline.id),
        t0() + hours(1),
    )
    .await;
    let reply = Command::CustomerReply {
        body: "It broke again".into(),
        attachments: vec![],
    };
    f.act(&store, reopened.id, reply, Actor::Customer, t0() + hours(3))
        .await;
    let outcomes = store
        .case_outcomes()
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: case_outcomes failed: {e}"));
    let ids: Vec<CaseId> = outcomes.iter().map(|o| o.case_id).collect();
    assert_eq!(
        ids,
        vec![solved.id, escalated.id, reopened.id],
        "orders_and_outcomes: every case, by id"
    );
    let a = &outcomes[0];
    assert_eq!(
        a.customer_id, ann_id,
        "orders_and_outcomes: the case's customer is the buyer"
    );
    assert_eq!(a.category, "delivery");
    assert_eq!(a.opened_at, t0());
    assert_eq!(
        a.intake_owner, f.frontline.id,
        "orders_and_outcomes: who took it in"
    );
    assert_eq!(
        a.solved,
        Some((t0() + hours(2), f.staff.id, 2)),
        "orders_and_outcomes: solved when, by whom, on which road"
    );
    assert!(!a.escalated);
    assert!(outcomes[1].escalated && outcomes[1].solved.is_none());
    assert_eq!(
        outcomes[2].solved, None,
        "orders_and_outcomes: a case reopened since its solve is open"
    );
}
