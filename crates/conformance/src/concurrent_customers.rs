//! Checks of racing writes that find or create one customer or one order.
//!
//! A customer is found by email (in any case) or external id, and created when new; an
//! order is stored once per id. Looking first and inserting after lets every racer that
//! looked before the first insert landed insert too: a second customer for the same
//! person, or, where a unique key stops it, a refused case. The write must be an upsert
//! on the unique key (or retry the lookup when the insert collides).

use crate::{hours, list, minutes, race, seconds, t0, Fixture};
use chrono::{DateTime, Utc};
use roadone_domain::Customer;
use roadone_store::records::*;
use roadone_store::Store;
use std::collections::BTreeSet;
use std::sync::Arc;

/// How many writers race for each new customer or order.
const RACERS: usize = 12;

/// The email of racer `i`, alternately as typed and in lower case: one person either way.
fn spelling(email: &str, i: usize) -> String {
    if i % 2 == 1 {
        email.to_lowercase()
    } else {
        email.to_string()
    }
}

async fn customer_id_by_email<S: Store>(check: &str, store: &S, email: &str) -> i64 {
    store
        .customer_by_email(email)
        .await
        .unwrap_or_else(|e| panic!("{check}: customer_by_email({email}) failed: {e}"))
        .unwrap_or_else(|| panic!("{check}: the raced customer {email} must exist"))
        .id
}

/// 12 cases opened at once for each of 8 new emails (and 8 at once for each of 4 new
/// external ids): every open succeeds, and each person is one customer holding all their
/// cases.
pub async fn concurrent_customer_upserts<S: Store>(store: S) {
    const CHECK: &str = "concurrent_customer_upserts";
    const EMAILS: usize = 8;
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let email = |n: usize| format!("Racer{n}@Example.com");

    let opened = race(CHECK, EMAILS * RACERS, |i| {
        let store = store.clone();
        let (n, racer) = (i % EMAILS, i / EMAILS);
        let intake = fx.intake(
            "delivery",
            &spelling(&email(n), racer),
            &format!("Race {i}"),
        );
        let new = fx.new_case(fx.frontline.id, &intake, t0());
        async move { (n, store.open_case(new).await) }
    })
    .await;
    let mut customers = vec![BTreeSet::new(); EMAILS];
    for (i, (n, outcome)) in opened.into_iter().enumerate() {
        match outcome {
            Ok(OpenOutcome::Created(head)) => {
                customers[n].insert(head.customer_id);
            }
            other => panic!(
                "{CHECK}: open {i}, racing for the new customer {}, must be Created, got {other:?}",
                email(n)
            ),
        }
    }
    for (n, ids) in customers.iter().enumerate() {
        assert_eq!(
            ids.len(),
            1,
            "{CHECK}: {RACERS} cases opened at once for {} must share one customer, got customers {ids:?}",
            email(n)
        );
        let id = *ids.first().expect("one customer");
        assert_eq!(
            customer_id_by_email(CHECK, &*store, &email(n).to_lowercase()).await,
            id,
            "{CHECK}: the customer found by email is the one holding the cases"
        );
        let theirs = list(
            &*store,
            CaseFilter {
                customer_id: Some(id),
                limit: 1000,
                ..CaseFilter::default()
            },
        )
        .await;
        assert_eq!(
            theirs.len(),
            RACERS,
            "{CHECK}: the customer of {} holds all {RACERS} cases opened for them",
            email(n)
        );
    }
    let distinct: BTreeSet<i64> = customers.iter().flatten().copied().collect();
    assert_eq!(
        distinct.len(),
        EMAILS,
        "{CHECK}: {EMAILS} emails are {EMAILS} customers"
    );

    // Callers known only by the shop's id for them.
    const EXTERNAL: usize = 4;
    let opened = race(CHECK, EXTERNAL * 8, |i| {
        let store = store.clone();
        let n = i % EXTERNAL;
        let customer = Customer {
            external_id: Some(format!("race-crm-{n}")),
            phone: Some(format!("+1 202 555 01{n:02}")),
            ..Customer::default()
        };
        let intake = fx.intake_from("delivery", customer, &format!("By id {i}"));
        let new = fx.new_case(fx.frontline.id, &intake, t0() + hours(1));
        async move { (n, store.open_case(new).await) }
    })
    .await;
    let mut customers = vec![BTreeSet::new(); EXTERNAL];
    for (i, (n, outcome)) in opened.into_iter().enumerate() {
        match outcome {
            Ok(OpenOutcome::Created(head)) => {
                customers[n].insert(head.customer_id);
            }
            other => panic!(
                "{CHECK}: open {i}, racing for the new external id race-crm-{n}, must be Created, got {other:?}"
            ),
        }
    }
    for (n, ids) in customers.iter().enumerate() {
        assert_eq!(
            ids.len(),
            1,
            "{CHECK}: 8 cases opened at once for external id race-crm-{n} must share one customer, got {ids:?}"
        );
        let id = *ids.first().expect("one customer");
        let record = store
            .customer(id)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: customer({id}) failed: {e}"));
        assert_eq!(
            record.and_then(|c| c.external_id),
            Some(format!("race-crm-{n}")),
            "{CHECK}: the customer keeps the external id it was raced for"
        );
    }
}

fn order(id: String, who: CustomerRef, at: DateTime<Utc>, cents: i64) -> NewOrder {
    NewOrder {
        order_id: id,
        customer: who,
        ordered_at: at,
        amount_cents: cents,
        currency: "EUR".into(),
    }
}

/// Orders imported at once: 12 batches naming one new buyer make one customer, a buyer
/// whose first case and first orders race is one customer too, and of 12 racing writes of
/// an order id exactly one stores it (the rest: known, or a conflict if they differ).
pub async fn concurrent_orders<S: Store>(store: S) {
    const CHECK: &str = "concurrent_orders";
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let orders_of = |customer_id: i64| {
        let store = store.clone();
        async move {
            let all = store
                .orders_in("EUR".into(), t0() - hours(1000), t0() + hours(1000))
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: orders_in failed: {e}"));
            all.into_iter()
                .filter(|o| o.customer_id == customer_id)
                .count()
        }
    };

    // One new buyer in 12 batches at once, each with its own order.
    let buyer = "Buyer@Example.com";
    let added = race(CHECK, RACERS, |i| {
        let store = store.clone();
        let batch = vec![order(
            format!("buy-{i}"),
            CustomerRef::Email(spelling(buyer, i)),
            t0() + minutes(i as i64),
            1000 + i as i64,
        )];
        async move { store.add_orders(batch, t0()).await }
    })
    .await;
    for (i, outcome) in added.into_iter().enumerate() {
        match outcome {
            Ok(OrdersOutcome { added: 1, .. }) => {}
            other => panic!(
                "{CHECK}: batch {i}, naming the new buyer {buyer}, must add its order, got {other:?}"
            ),
        }
    }
    let buyer_id = customer_id_by_email(CHECK, &*store, buyer).await;
    assert_eq!(
        orders_of(buyer_id).await,
        RACERS,
        "{CHECK}: {RACERS} batches at once for one new buyer must make one customer holding all {RACERS} orders"
    );

    // A new customer's first cases and first orders at once.
    let both = "Both@Example.com";
    let raced = race(CHECK, RACERS, |i| {
        let store = store.clone();
        // Each kind of write in both spellings; everything decided before the start.
        let email = spelling(both, i / 2);
        let batch = vec![order(
            format!("both-{i}"),
            CustomerRef::Email(email.clone()),
            t0(),
            500,
        )];
        let intake = fx.intake("delivery", &email, &format!("Both {i}"));
        let new = fx.new_case(fx.frontline.id, &intake, t0());
        async move {
            if i % 2 == 1 {
                match store.add_orders(batch, t0()).await {
                    Ok(OrdersOutcome { added: 1, .. }) => None,
                    other => panic!("{CHECK}: batch {i}, racing cases for a new customer, must add its order, got {other:?}"),
                }
            } else {
                match store.open_case(new).await {
                    Ok(OpenOutcome::Created(head)) => Some(head.customer_id),
                    other => panic!("{CHECK}: open {i}, racing orders for a new customer, must be Created, got {other:?}"),
                }
            }
        }
    })
    .await;
    let both_id = customer_id_by_email(CHECK, &*store, both).await;
    let of_cases: BTreeSet<i64> = raced.into_iter().flatten().collect();
    assert_eq!(
        of_cases,
        BTreeSet::from([both_id]),
        "{CHECK}: cases opened while orders for the same new email were stored must belong to its one customer"
    );
    assert_eq!(
        orders_of(both_id).await,
        RACERS / 2,
        "{CHECK}: orders stored while cases for the same new email were opened must belong to its one customer"
    );

    // Each of 4 order ids written 12 times at once, with two amounts between its racers.
    const IDS: usize = 4;
    let amount = |racer: usize| match racer % 3 {
        0 => 7000,
        _ => 7100,
    };
    let at = |k: usize| t0() + hours(2) + minutes(k as i64);
    let outcomes = race(CHECK, IDS * RACERS, |i| {
        let store = store.clone();
        let (k, racer) = (i % IDS, i / IDS);
        let batch = vec![order(
            format!("same-order-{k}"),
            CustomerRef::Email("Repeat@Example.com".into()),
            at(k),
            amount(racer),
        )];
        async move { (k, racer, store.add_orders(batch, t0()).await) }
    })
    .await;
    for k in 0..IDS {
        let mine: Vec<(usize, OrdersOutcome)> = outcomes
            .iter()
            .filter(|(of, _, _)| *of == k)
            .map(|(_, racer, o)| {
                let o = o.as_ref().cloned().unwrap_or_else(|e| {
                    panic!("{CHECK}: racing write {racer} of order same-order-{k} must not fail, got {e:?}")
                });
                (*racer, o)
            })
            .collect();
        let winners: Vec<usize> = mine
            .iter()
            .filter(|(_, o)| o.added == 1)
            .map(|(racer, _)| *racer)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "{CHECK}: of {RACERS} racing writes of order same-order-{k} exactly one stores it, {winners:?} did"
        );
        let winner = winners[0];
        let stored = store
            .orders_in("EUR".into(), at(k), at(k) + seconds(1))
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: orders_in failed: {e}"));
        assert_eq!(
            stored.iter().map(|o| o.amount_cents).collect::<Vec<_>>(),
            vec![amount(winner)],
            "{CHECK}: order same-order-{k} is stored once, as its one successful writer wrote it"
        );
        for (racer, outcome) in mine.iter().filter(|(racer, _)| *racer != winner) {
            let expected = if amount(*racer) == amount(winner) {
                (0, 1, vec![])
            } else {
                (0, 0, vec![0])
            };
            assert_eq!(
                (outcome.added, outcome.already_known, outcome.conflicts.clone()),
                expected,
                "{CHECK}: racing write {racer} of the stored order same-order-{k} must count as known if it is the same, as a conflict if not"
            );
        }
    }
}
