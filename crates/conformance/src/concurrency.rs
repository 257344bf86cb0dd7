//! Checks of racing appends and racing opens.

use crate::{
    claim_timers, everything, hours, list, load, minutes, person, seconds, t0, Fixture, LEASE,
    SERVER,
};
use roadone_domain::{CaseId, Command, EventBody};
use roadone_store::records::*;
use roadone_store::Store;
use roadone_store::StoreError;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Of 50 racing appends at the same version, exactly one wins.
pub async fn concurrent_appends<S: Store>(store: S) {
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let head = fx
        .open(
            &*store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Racing",
            t0(),
        )
        .await;
    let stored = load(&*store, head.id).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let command = Command::SendMessage {
            body: format!("message {i}"),
            attachments: vec![],
        };
        let mut append = fx.append_for(
            &stored.events,
            &command,
            person(fx.frontline.id),
            t0() + minutes(1),
        );
        append.case_id = head.id;
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.append(append).await }));
    }
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap_or_else(|e| panic!("concurrent_appends: task {i} panicked: {e}")) {
            Ok(head) => winners.push((i, head)),
            Err(StoreError::VersionConflict { expected: 1, actual: 2, .. }) => {}
            Err(e) => panic!("concurrent_appends: a losing append must fail with VersionConflict {{ expected: 1, actual: 2 }}, got {e:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "concurrent_appends: exactly one of 50 racing appends must succeed, {} did",
        winners.len()
    );
    let (winner, won) = &winners[0];
    assert_eq!(won.version, 2);
    let after = load(&*store, head.id).await;
    assert_eq!(
        after.events.len(),
        2,
        "concurrent_appends: the log must hold exactly one appended event"
    );
    assert_eq!(after.head.version, 2);
    match &after.events[1].body {
        EventBody::MessageSent { body, .. } => {
            assert_eq!(
                body,
                &format!("message {winner}"),
                "concurrent_appends: the stored event must be the winner's"
            )
        }
        other => {
            panic!("concurrent_appends: the appended event must be message_sent, got {other:?}")
        }
    }
}

/// 200 racing opens all succeed, with distinct ids and one customer per email.
pub async fn concurrent_opens<S: Store>(store: S) {
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let mut tasks = Vec::new();
    for i in 0..200i64 {
        let email = format!("customer{}@example.com", i % 20);
        let by = if i % 2 == 0 {
            fx.frontline.id
        } else {
            fx.frontline2.id
        };
        let new = fx.new_case(
            by,
            &fx.intake("billing", &email, &format!("Concurrent {i}")),
            t0() + seconds(i),
        );
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            (i, email, store.open_case(new).await)
        }));
    }
    let mut heads = Vec::new();
    for task in tasks {
        let (i, email, result) = task
            .await
            .unwrap_or_else(|e| panic!("concurrent_opens: a task panicked: {e}"));
        match result {
            Ok(OpenOutcome::Created(head)) => {
                assert_eq!(
                    head.subject,
                    format!("Concurrent {i}"),
                    "concurrent_opens: a reply must describe its own case"
                );
                heads.push((email, head));
            }
            other => panic!("concurrent_opens: open {i} must be Created, got {other:?}"),
        }
    }
    let distinct: BTreeSet<CaseId> = heads.iter().map(|(_, h)| h.id).collect();
    assert_eq!(
        distinct.len(),
        200,
        "concurrent_opens: 200 opens must get 200 distinct ids"
    );
    let tokens: BTreeSet<&str> = heads
        .iter()
        .map(|(_, h)| h.customer_token.as_str())
        .collect();
    assert_eq!(tokens.len(), 200);
    let mut customers: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (email, head) in &heads {
        customers
            .entry(email.as_str())
            .or_default()
            .insert(head.customer_id);
    }
    assert_eq!(customers.len(), 20);
    for (email, ids) in &customers {
        assert_eq!(
            ids.len(),
            1,
            "concurrent_opens: all cases of {email} must share one customer, got {ids:?}"
        );
    }
    let customer_ids: BTreeSet<i64> = customers.values().flatten().copied().collect();
    assert_eq!(
        customer_ids.len(),
        20,
        "concurrent_opens: 20 emails must be 20 customers"
    );

    let all = list(&*store, everything()).await;
    assert_eq!(
        all.len(),
        200,
        "concurrent_opens: list_cases must show all 200 cases"
    );
    for (_, head) in &heads {
        let stored = load(&*store, head.id).await;
        assert_eq!(
            &stored.head, head,
            "concurrent_opens: case {} must read back as opened",
            head.id
        );
        assert_eq!(stored.events.len(), 1);
    }

    // Refused opens racing with good ones (they may share a commit) harm nobody and leave nothing.
    let taken = heads[0].1.customer_token.clone();
    let mut tasks = Vec::new();
    for i in 0..40i64 {
        let mut new = fx.new_case(
            fx.frontline.id,
            &fx.intake("delivery", "mixed@example.com", &format!("Mixed {i}")),
            t0() + hours(1),
        );
        if i % 2 == 1 {
            new.customer_token = taken.clone();
        }
        let store = store.clone();
        tasks.push(tokio::spawn(async move { (i, store.open_case(new).await) }));
    }
    for task in tasks {
        let (i, result) = task
            .await
            .unwrap_or_else(|e| panic!("concurrent_opens: a task panicked: {e}"));
        match (i % 2, result) {
            (0, Ok(OpenOutcome::Created(_))) | (1, Err(_)) => {}
            (0, other) => panic!("concurrent_opens: open {i} with a fresh token must be Created, got {other:?}"),
            (_, other) => panic!("concurrent_opens: open {i} reusing a customer token must be refused, got {other:?}"),
        }
    }
    let all = list(&*store, everything()).await;
    assert_eq!(
        all.len(),
        220,
        "concurrent_opens: 200 + 20 cases must exist after 20 refused opens"
    );
    let acks = store
        .claim_outbox(SERVER, t0() + hours(2), LEASE, 1000)
        .await
        .unwrap_or_else(|e| panic!("concurrent_opens: {e}"));
    assert_eq!(
        acks.len(),
        220,
        "concurrent_opens: one acknowledgment per created case, none for refused ones"
    );
    let timers = claim_timers(&*store, t0() + hours(100), 1000).await;
    assert_eq!(
        timers.len(),
        660,
        "concurrent_opens: three timers per created case, none for refused ones"
    );
}
