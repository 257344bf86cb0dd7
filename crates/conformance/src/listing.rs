//! Checks of the case list: filters, order and paging.

use crate::{hours, ids, list, load, minutes, person, solve, t0, Fixture};
use roadone_domain::{CaseId, CaseStatus};
use roadone_store::records::*;
use roadone_store::Store;
use std::collections::BTreeSet;

/// Filters combine; open cases come first by escalation deadline; limit and offset page.
pub async fn list_cases<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let (f1, f2) = (fx.frontline.id, fx.frontline2.id);
    let c1 = fx
        .open(
            &store,
            f1,
            "billing",
            "alice@example.com",
            "Printer on fire",
            t0() + hours(2),
        )
        .await;
    let c2 = fx
        .open(
            &store,
            f2,
            "billing",
            "bob@shop.test",
            "Refund for order 7",
            t0(),
        )
        .await;
    let c3 = fx
        .open(
            &store,
            f1,
            "delivery",
            "carol@example.org",
            "Login fails",
            t0() + hours(1),
        )
        .await;
    let c4 = fx
        .open(
            &store,
            f1,
            "billing",
            "dave@example.com",
            "Double charge",
            t0() + minutes(30),
        )
        .await;
    let c4 = fx
        .act(&store, c4.id, solve(), person(f1), t0() + hours(3))
        .await;
    let c5 = fx
        .open(
            &store,
            f2,
            "delivery",
            "erin@other.net",
            "Box crushed",
            t0() + minutes(10),
        )
        .await;
    let c5 = fx
        .act(&store, c5.id, solve(), person(f2), t0() + hours(4))
        .await;

    let filter = |f: CaseFilter| CaseFilter { limit: 100, ..f };
    let all = list(&store, filter(CaseFilter::default())).await;
    assert_eq!(all.len(), 5, "list_cases: five cases exist");
    assert_eq!(
        ids(&all[..3]),
        vec![c2.id, c3.id, c1.id],
        "list_cases: open cases come first, by escalates_at ascending"
    );
    let solved: BTreeSet<CaseId> = ids(&all[3..]).into_iter().collect();
    assert_eq!(
        solved,
        BTreeSet::from([c4.id, c5.id]),
        "list_cases: solved cases come after the open ones"
    );
    for head in &all {
        assert_eq!(
            head,
            &load(&store, head.id).await.head,
            "list_cases: a listed head equals the stored head"
        );
    }

    let by_owner = list(
        &store,
        filter(CaseFilter {
            owner: Some(f1),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&by_owner),
        vec![c3.id, c1.id, c4.id],
        "list_cases: filter by owner"
    );
    let open = list(
        &store,
        filter(CaseFilter {
            status: Some(CaseStatus::Open),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&open),
        vec![c2.id, c3.id, c1.id],
        "list_cases: filter by status open"
    );
    let done = list(
        &store,
        filter(CaseFilter {
            status: Some(CaseStatus::Solved),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&done).into_iter().collect::<BTreeSet<_>>(),
        solved,
        "list_cases: filter by status solved"
    );
    let delivery = list(
        &store,
        filter(CaseFilter {
            category: Some("delivery".into()),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&delivery),
        vec![c3.id, c5.id],
        "list_cases: filter by category"
    );
    let mine_open = list(
        &store,
        filter(CaseFilter {
            owner: Some(f1),
            status: Some(CaseStatus::Open),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&mine_open),
        vec![c3.id, c1.id],
        "list_cases: owner and status combine"
    );
    let of_bob = list(
        &store,
        filter(CaseFilter {
            customer_id: Some(c2.customer_id),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(ids(&of_bob), vec![c2.id], "list_cases: filter by customer");

    let text = |t: &str| {
        filter(CaseFilter {
            text: Some(t.to_string()),
            ..CaseFilter::default()
        })
    };
    let cases: [(&str, Vec<CaseId>, &str); 7] = [
        ("printer", vec![c1.id], "a subject substring, lower case"),
        ("PRINTER ON", vec![c1.id], "a subject substring, upper case"),
        ("order 7", vec![c2.id], "a subject substring with a space"),
        (
            "EXAMPLE.COM",
            vec![c1.id, c4.id],
            "a customer email substring, any case",
        ),
        ("shop", vec![c2.id], "a customer email substring"),
        ("%", vec![], "a LIKE wildcard is matched literally"),
        ("_", vec![], "a LIKE wildcard is matched literally"),
    ];
    for (query, expected, what) in cases {
        let found = list(&store, text(query)).await;
        assert_eq!(
            ids(&found),
            expected,
            "list_cases: text {query:?} must match {what}"
        );
    }
    let both = list(
        &store,
        CaseFilter {
            owner: Some(f1),
            text: Some("example".into()),
            limit: 100,
            ..CaseFilter::default()
        },
    )
    .await;
    assert_eq!(
        ids(&both),
        vec![c3.id, c1.id, c4.id],
        "list_cases: text and owner combine"
    );

    let page = |limit: u32, offset: u32| CaseFilter {
        status: Some(CaseStatus::Open),
        limit,
        offset,
        ..CaseFilter::default()
    };
    assert_eq!(
        ids(&list(&store, page(2, 0)).await),
        vec![c2.id, c3.id],
        "list_cases: limit 2"
    );
    assert_eq!(
        ids(&list(&store, page(2, 2)).await),
        vec![c1.id],
        "list_cases: limit 2 offset 2"
    );
    assert_eq!(
        ids(&list(&store, page(1, 1)).await),
        vec![c3.id],
        "list_cases: limit 1 offset 1"
    );
    assert!(
        list(&store, page(10, 10)).await.is_empty(),
        "list_cases: an offset past the end is empty"
    );
}
