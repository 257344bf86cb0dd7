//! Checks of finding events and cases: the event feed and full-text search.

use crate::{hours, ids, t0, Fixture};
use roadone_domain::{Actor, CaseId, Command, Customer, PersonId};
use roadone_store::records::*;
use roadone_store::Store;

/// Events by kind, newest first, narrowed by category, by whom they moved the case to,
/// and to the open cases someone owns now.
pub async fn event_feed<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "a@example.com",
            "A",
            t0(),
        )
        .await;
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "b@example.com",
            "B",
            t0(),
        )
        .await;
    let c = fx
        .open(
            &store,
            fx.frontline2.id,
            "billing",
            "c@example.com",
            "C",
            t0(),
        )
        .await;
    fx.act(
        &store,
        a.id,
        Command::Upgrade {
            reason: "policy".into(),
        },
        p(fx.frontline.id),
        t0() + hours(1),
    )
    .await;
    fx.act(
        &store,
        b.id,
        Command::Upgrade {
            reason: "refund".into(),
        },
        p(fx.frontline.id),
        t0() + hours(2),
    )
    .await;
    let solve = Command::Solve {
        resolution: "Refunded".into(),
        road: 2,
        learned: "Refunds are slow".into(),
    };
    fx.act(
        &store,
        b.id,
        solve.clone(),
        p(fx.manager.id),
        t0() + hours(3),
    )
    .await;
    fx.act(&store, c.id, solve, p(fx.frontline2.id), t0() + hours(4))
        .await;
    let feed = |filter: EventFilter| {
        let store = &store;
        async move {
            store
                .events(filter)
                .await
                .unwrap_or_else(|e| panic!("event_feed: events failed: {e}"))
                .into_iter()
                .map(|(head, event)| (head.id, event.body.kind().as_str()))
                .collect::<Vec<_>>()
        }
    };
    let kinds = |k: &[&str]| {
        k.iter()
            .map(|s| {
                s.parse::<roadone_domain::EventKind>()
                    .expect("a kind of event")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved"]),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved"), (b.id, "solved")],
        "event_feed: every solution, newest first"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved"]),
            category: Some("billing".into()),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved")],
        "event_feed: one category's"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["upgraded", "escalated"]),
            to: Some(fx.manager.id),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(b.id, "upgraded"), (a.id, "upgraded")],
        "event_feed: what reached the manager"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["upgraded"]),
            to: Some(fx.manager.id),
            open_and_owned_by: Some(fx.manager.id),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(a.id, "upgraded")],
        "event_feed: only what the manager still has open"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved", "upgraded"]),
            since: Some(t0() + hours(3)),
            limit: 1,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved")],
        "event_feed: since and limit"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["upgraded", "solved"]),
            customer_id: Some(a.customer_id),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(a.id, "upgraded")],
        "event_feed: one customer's cases only"
    );
    assert!(
        store
            .events(EventFilter {
                limit: 10,
                ..EventFilter::default()
            })
            .await
            .is_err(),
        "event_feed: no kind named is refused"
    );
}

/// Full-text search finds a case by any word said on it — subject, body, the customer,
/// facts, later messages and notes, the resolution — by word starts, ignoring accents.
pub async fn full_text_search<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let customer = Customer {
        email: Some("zoe.marchetti@example.org".into()),
        name: Some("Zoë Marchetti".into()),
        phone: Some("+39 055 123456".into()),
        external_id: None,
        language: None,
    };
    let mut intake = fx.intake_from("billing", customer, "Invoice in the wrong currency");
    intake.body = "The invoice shows dollars; my account is in euros.".into();
    let a = match store
        .open_case(fx.new_case(fx.frontline.id, &intake, t0()))
        .await
    {
        Ok(OpenOutcome::Created(h)) => h,
        other => panic!("full_text_search: opening failed: {other:?}"),
    };
    let b = fx
        .open(
            &store,
            fx.frontline2.id,
            "delivery",
            "bob@example.com",
            "Parcel never came",
            t0(),
        )
        .await;
    fx.act(
        &store,
        b.id,
        Command::AddNote {
            body: "Courier confirms the van was stolen".into(),
            attachments: vec![],
        },
        p(fx.frontline2.id),
        t0() + hours(1),
    )
    .await;
    fx.act(
        &store,
        b.id,
        Command::Solve {
            resolution: "Sent a replacement by kestrel express".into(),
            road: 2,
            learned: "Insure parcels above 100".into(),
        },
        p(fx.frontline2.id),
        t0() + hours(2),
    )
    .await;
    let search = |words: &str, owner: Option<PersonId>| {
        let store = &store;
        let words = words.to_string();
        async move {
            ids(&store
                .list_cases(CaseFilter {
                    search: Some(words.clone()),
                    owner,
                    limit: 100,
                    ..CaseFilter::default()
                })
                .await
                .unwrap_or_else(|e| panic!("full_text_search: {words:?} failed: {e}")))
        }
    };
    for (words, expected, what) in [
        ("currency", vec![a.id], "a word of the subject"),
        ("EUROS", vec![a.id], "a word of the body, any case"),
        ("zoe", vec![a.id], "the customer's name, accents ignored"),
        ("marchetti@example", vec![a.id], "the customer's address"),
        ("ACC-1001", vec![a.id], "a fact"),
        (
            "stolen van",
            vec![b.id],
            "words of a later note, in any order",
        ),
        ("kestr", vec![b.id], "the start of a word of the resolution"),
        ("insure", vec![b.id], "what was learned"),
        (
            "currency stolen",
            vec![],
            "every word must appear on the same case",
        ),
        ("nothing-like-this", vec![], "no match"),
    ] {
        assert_eq!(
            search(words, None).await,
            expected,
            "full_text_search: {words:?} must find {what}"
        );
    }
    assert_eq!(
        search("invoice", Some(fx.frontline2.id)).await,
        Vec::<CaseId>::new(),
        "full_text_search: combines with the other filters"
    );
    assert_eq!(
        search(" \"* - ", None).await.len(),
        2,
        "full_text_search: no word at all filters nothing (and breaks nothing)"
    );
}
