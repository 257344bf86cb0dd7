//! Checks of instances and their claims, the backlog, and inbound mail taken in.

use crate::{hours, minutes, seconds, t0, Fixture, LEASE};
use roadone_store::records::*;
use roadone_store::Store;

fn instance(id: &str, node: &str) -> Instance {
    Instance {
        id: id.into(),
        node: node.into(),
    }
}

/// What a dead instance claimed comes free at once: when the same node starts again,
/// and when its heartbeat stops; a live instance's claims stay leased.
pub async fn instances<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let case = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "ann@example.com",
            "Claims",
            t0(),
        )
        .await;
    let at = t0() + seconds(1);
    let none = store
        .register_instance(instance("a-1", "node-a"), at)
        .await
        .unwrap_or_else(|e| panic!("instances: register: {e}"));
    assert_eq!(
        none,
        Released::default(),
        "instances: nothing to release at first"
    );
    store
        .register_instance(instance("b-1", "node-b"), at)
        .await
        .unwrap_or_else(|e| panic!("instances: register: {e}"));
    let claimed = store
        .claim_outbox("a-1", at, LEASE, 10)
        .await
        .unwrap_or_else(|e| panic!("instances: claim: {e}"));
    assert_eq!(claimed.len(), 1, "instances: the acknowledgment is claimed");
    assert!(
        store
            .claim_outbox("b-1", at, LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "instances: another instance cannot take a leased row"
    );

    // node-a crashes and starts again: its earlier instance's claim is released now,
    // not when the lease runs out.
    let later = at + seconds(2);
    let released = store
        .register_instance(instance("a-2", "node-a"), later)
        .await
        .unwrap_or_else(|e| panic!("instances: register again: {e}"));
    assert_eq!(
        released,
        Released {
            instances: 1,
            timers: 0,
            outbox: 1
        },
        "instances: a new instance on a node releases the claims of the earlier one"
    );
    let again = store.claim_outbox("a-2", later, LEASE, 10).await.unwrap();
    assert_eq!(
        again.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        vec![(claimed[0].id, 2)],
        "instances: the released row is claimable at once, as a second attempt"
    );

    // The timers of the case, claimed by b-1, whose heartbeat then stops.
    let due_at = t0() + hours(21);
    let timers = store
        .claim_due_timers("b-1", due_at, LEASE, 10)
        .await
        .unwrap_or_else(|e| panic!("instances: claim timers: {e}"));
    assert!(!timers.is_empty(), "instances: the case's timers are due");
    let fresh = store
        .heartbeat("a-2", due_at + seconds(5), minutes(1))
        .await
        .unwrap_or_else(|e| panic!("instances: heartbeat: {e}"));
    // b-1 beat last at `at`, long before: stale.
    assert_eq!(
        (fresh.instances, fresh.timers as usize),
        (1, timers.len()),
        "instances: a heartbeat releases the claims of instances whose heartbeat stopped"
    );
    let retaken = store
        .claim_due_timers("a-2", due_at + seconds(6), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(
        retaken.len(),
        timers.len(),
        "instances: released timers are claimable at once"
    );
    let quiet = store
        .heartbeat("a-2", due_at + seconds(10), minutes(1))
        .await
        .unwrap();
    assert_eq!(
        quiet,
        Released::default(),
        "instances: an instance never releases its own live claims"
    );
    let stopped = store
        .stop_instance("a-2", due_at + seconds(11))
        .await
        .unwrap_or_else(|e| panic!("instances: stop: {e}"));
    assert_eq!(
        (stopped.instances, stopped.timers as usize, stopped.outbox),
        (1, retaken.len(), 1),
        "instances: a clean stop releases what the instance held"
    );
    let _ = case;
}

/// The backlog counts unsent notifications (with the oldest) and due timers.
pub async fn backlog<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let empty = store
        .backlog(t0())
        .await
        .unwrap_or_else(|e| panic!("backlog: {e}"));
    assert_eq!(
        empty,
        Backlog::default(),
        "backlog: nothing waits in an empty store"
    );
    fx.open(
        &store,
        fx.frontline.id,
        "billing",
        "a@example.com",
        "One",
        t0(),
    )
    .await;
    fx.open(
        &store,
        fx.frontline.id,
        "billing",
        "b@example.com",
        "Two",
        t0() + minutes(5),
    )
    .await;
    let early = store.backlog(t0() + hours(1)).await.unwrap();
    assert_eq!(
        (early.outbox_pending, early.oldest_pending, early.timers_due),
        (2, Some(t0()), 0),
        "backlog: two acknowledgments wait, the oldest from the first case; no timer is due"
    );
    let row = store
        .claim_outbox("x", t0() + hours(1), LEASE, 1)
        .await
        .unwrap()
        .remove(0);
    store.outbox_sent(row.id, t0() + hours(1)).await.unwrap();
    let late = store.backlog(t0() + hours(21)).await.unwrap();
    assert_eq!(
        (late.outbox_pending, late.oldest_pending),
        (1, Some(t0() + minutes(5))),
        "backlog: a sent notification no longer waits"
    );
    assert!(
        late.timers_due >= 2,
        "backlog: both cases' escalations are due after 21 hours, got {late:?}"
    );
}

/// Inbound messages are remembered by sender and key, within a window.
pub async fn inbound_messages<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let case = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "c@example.com",
            "Mail",
            t0(),
        )
        .await;
    let record = |key: &str, at, case_id, outcome: &str| InboundRecord {
        sender: "c@example.com".into(),
        message_key: key.into(),
        received_at: at,
        case_id,
        outcome: outcome.into(),
    };
    assert_eq!(
        store
            .inbound_seen("c@example.com", "<m1@x>", t0() - hours(1))
            .await
            .unwrap_or_else(|e| panic!("inbound_messages: {e}")),
        None,
        "inbound_messages: nothing seen yet"
    );
    let first = record("<m1@x>", t0(), Some(case.id), "opened");
    store
        .record_inbound(first.clone())
        .await
        .unwrap_or_else(|e| panic!("inbound_messages: record: {e}"));
    assert_eq!(
        store
            .inbound_seen("c@example.com", "<m1@x>", t0() - hours(1))
            .await
            .unwrap(),
        Some(first),
        "inbound_messages: the message is remembered"
    );
    assert_eq!(
        store
            .inbound_seen("d@example.com", "<m1@x>", t0() - hours(1))
            .await
            .unwrap(),
        None,
        "inbound_messages: the same Message-ID from another sender is another message"
    );
    assert_eq!(
        store
            .inbound_seen("c@example.com", "<m1@x>", t0() + seconds(1))
            .await
            .unwrap(),
        None,
        "inbound_messages: outside the window it is forgotten"
    );
    store
        .record_inbound(record(
            "<m2@x>",
            t0() + minutes(1),
            Some(case.id),
            "replied",
        ))
        .await
        .unwrap();
    store
        .record_inbound(record("<m3@x>", t0() + minutes(2), None, "ignored"))
        .await
        .unwrap();
    assert_eq!(
        store
            .cases_opened_by_mail("c@example.com", t0())
            .await
            .unwrap(),
        (1, Some(case.id)),
        "inbound_messages: only messages that opened a case count as opened"
    );
    assert_eq!(
        store
            .cases_opened_by_mail("c@example.com", t0() + seconds(1))
            .await
            .unwrap(),
        (0, None),
        "inbound_messages: counted from `since`"
    );
}
