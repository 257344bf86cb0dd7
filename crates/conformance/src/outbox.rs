//! Checks of the notification outbox: leases, retries and completion.

use crate::{claim_outbox, hours, minutes, pass_up, person, seconds, t0, Fixture, LEASE};
use roadone_domain::{CaseId, Notification, Recipient};
use roadone_store::Store;

/// Notifications are claimed with a lease, retried when asked, and never again once done.
pub async fn outbox<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Outbox A",
            t0(),
        )
        .await;
    let ack = Notification {
        recipient: Recipient::Customer,
        template: "acknowledgment".into(),
        event_seq: 1,
    };

    let rows = claim_outbox(&store, t0() + seconds(1)).await;
    assert_eq!(
        rows.len(),
        1,
        "outbox: opening a case must enqueue exactly the acknowledgment, got {rows:?}"
    );
    let row = rows[0].clone();
    assert_eq!(
        (row.case_id, &row.notification),
        (a.id, &ack),
        "outbox: the acknowledgment to the customer"
    );
    assert_eq!(row.attempts, 1, "outbox: the first claim is attempt 1");
    assert_eq!(
        row.created_at,
        t0(),
        "outbox: created_at is the time of the event"
    );
    assert!(
        claim_outbox(&store, t0() + seconds(2)).await.is_empty(),
        "outbox: a claimed row is leased"
    );

    let retry_at = t0() + minutes(10);
    store
        .outbox_failed(row.id, "smtp: connection refused", Some(retry_at), t0())
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + minutes(9)).await.is_empty(),
        "outbox: a failed row is not claimable before its retry time"
    );
    let rows = claim_outbox(&store, retry_at + seconds(1)).await;
    assert_eq!(
        rows.len(),
        1,
        "outbox: a failed row is claimable after its retry time"
    );
    assert_eq!(
        (rows[0].id, rows[0].attempts),
        (row.id, 2),
        "outbox: the retry is attempt 2 of the same row"
    );
    store
        .outbox_sent(row.id, retry_at + seconds(2))
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + hours(1000)).await.is_empty(),
        "outbox: a sent row is never claimed again"
    );
    let sent = |email: &'static str, since| {
        let store = &store;
        async move {
            store
                .sent_to_customer(email, "acknowledgment", since)
                .await
                .unwrap_or_else(|e| panic!("outbox: sent_to_customer failed: {e}"))
        }
    };
    assert_eq!(
        sent("Alice@Example.com", retry_at).await,
        1,
        "outbox: the sent acknowledgment counts for its customer (email in any case)"
    );
    assert_eq!(
        sent("alice@example.com", retry_at + seconds(3)).await,
        0,
        "outbox: it was sent before `since`"
    );
    assert_eq!(
        sent("bob@example.com", t0()).await,
        0,
        "outbox: another customer's mail does not count"
    );

    // A sender that dies mid-send: the row comes back when the lease ends.
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "bob@example.com",
            "Outbox B",
            t0() + hours(1),
        )
        .await;
    let claimed = claim_outbox(&store, t0() + hours(1)).await;
    assert_eq!(
        claimed
            .iter()
            .map(|r| (r.case_id, r.attempts))
            .collect::<Vec<_>>(),
        vec![(b.id, 1)]
    );
    assert!(
        claim_outbox(&store, t0() + hours(1) + LEASE - seconds(1))
            .await
            .is_empty(),
        "outbox: still leased"
    );
    let back = claim_outbox(&store, t0() + hours(1) + LEASE + seconds(1)).await;
    assert_eq!(
        back.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        vec![(claimed[0].id, 2)],
        "outbox: an unreported row is claimable again after its lease, as the next attempt"
    );
    store
        .outbox_failed(claimed[0].id, "mailbox does not exist", None, t0())
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + hours(1000)).await.is_empty(),
        "outbox: a permanently failed row is never claimed again"
    );

    // An append's notifications are enqueued with it.
    fx.act(
        &store,
        b.id,
        pass_up(),
        person(fx.frontline.id),
        t0() + hours(2),
    )
    .await;
    let rows = claim_outbox(&store, t0() + hours(2)).await;
    let got: Vec<(CaseId, Notification)> = rows
        .into_iter()
        .map(|r| (r.case_id, r.notification))
        .collect();
    let expected = Notification {
        recipient: Recipient::Person { id: fx.staff.id },
        template: "passed_up_to_you".into(),
        event_seq: 2,
    };
    assert_eq!(
        got,
        vec![(b.id, expected)],
        "outbox: a pass-up notifies the new owner"
    );
}
