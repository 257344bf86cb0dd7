//! Checks of opening cases, idempotent opens and appends to a case's log.

use crate::{
    claim_outbox, everything, hours, ids, list, load, minutes, next_due, pass_up, person, seconds,
    solve, t0, Fixture,
};
use chrono::{DateTime, Utc};
use roadone_domain::{Actor, Case, CaseId, CaseStatus, Command, Customer, EventBody, PersonId};
use roadone_store::records::*;
use roadone_store::Store;
use roadone_store::StoreError;

/// Opening stores the event, the projection row and the customer, all readable back.
pub async fn open_case<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let subject = "Invoice “Ünïcode” 'quoted' 100% _wild_";
    let mut intake = fx.intake("billing", "alice@example.com", subject);
    intake.customer.name = Some("Alice".into());
    intake.customer.phone = Some("+44 20 7946 0000".into());
    intake.facts.insert("order".into(), "ORD-77".into());
    let new = fx.new_case(fx.frontline.id, &intake, t0());
    let event = new.opened.clone();
    let token = new.customer_token.clone();
    let head = match store.open_case(new).await {
        Ok(OpenOutcome::Created(head)) => head,
        other => panic!("open_case: a new case must be Created, got {other:?}"),
    };
    assert_eq!(
        head.reference,
        case_reference(head.id),
        "open_case: reference must be case_reference(id)"
    );
    assert!(
        head.reference.starts_with("RD-"),
        "open_case: reference {:?} must start with RD-",
        head.reference
    );
    assert_eq!(
        head.status,
        CaseStatus::Open,
        "open_case: a new case is open"
    );
    assert_eq!(
        head.owner, fx.frontline.id,
        "open_case: the intake taker owns the case"
    );
    assert_eq!(head.version, 1, "open_case: a new case is at version 1");
    assert_eq!(head.category, "billing");
    assert_eq!(
        head.subject, subject,
        "open_case: the subject must round-trip exactly"
    );
    assert_eq!(
        head.customer_token, token,
        "open_case: the customer token must be kept"
    );
    assert_eq!(
        head.opened_at,
        t0(),
        "open_case: opened_at is the event's time"
    );
    assert_eq!(
        head.escalates_at,
        t0() + hours(20),
        "open_case: escalates_at comes from the case"
    );
    assert_eq!(
        head.promised_by,
        t0() + hours(24),
        "open_case: promised_by comes from the case"
    );
    assert_eq!(
        head.updated_at,
        t0(),
        "open_case: updated_at of a new case is its opening time"
    );

    let stored = load(&store, head.id).await;
    assert_eq!(
        stored.head, head,
        "open_case: load_case must return the same head open_case returned"
    );
    assert_eq!(
        stored.events,
        vec![event],
        "open_case: load_case must return exactly the opened event"
    );
    let missing = store
        .load_case(head.id + 1000)
        .await
        .unwrap_or_else(|e| panic!("open_case: load_case failed: {e}"));
    assert!(
        missing.is_none(),
        "open_case: load_case of an unknown id must be None"
    );

    let found = store
        .case_by_customer_token(&token)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found,
        Some(head.id),
        "open_case: case_by_customer_token must find the case"
    );
    let found = store
        .case_by_customer_token("no-such-token")
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found, None,
        "open_case: an unknown customer token finds no case"
    );

    let customer = store
        .customer(head.customer_id)
        .await
        .unwrap_or_else(|e| panic!("open_case: customer() failed: {e}"))
        .unwrap_or_else(|| panic!("open_case: customer {} must exist", head.customer_id));
    assert_eq!(customer.id, head.customer_id);
    assert_eq!(
        customer.email.as_deref().map(str::to_lowercase).as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        customer.name.as_deref(),
        Some("Alice"),
        "open_case: the customer's name must be stored"
    );
    assert_eq!(
        customer.phone.as_deref(),
        Some("+442079460000"),
        "open_case: the customer's phone must be stored, in E.164 as the rules keep it"
    );
    let nobody = store
        .customer(head.customer_id + 1000)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        nobody, None,
        "open_case: customer() of an unknown id must be None"
    );

    let again = fx
        .open(
            &store,
            fx.frontline2.id,
            "delivery",
            "ALICE@Example.COM",
            "Parcel missing",
            t0() + minutes(5),
        )
        .await;
    assert_ne!(again.id, head.id, "open_case: a second case gets a new id");
    assert_ne!(again.customer_token, head.customer_token);
    assert_eq!(
        again.customer_id, head.customer_id,
        "open_case: the same customer email in another case must map to the same customer"
    );
    let other = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "bob@example.com",
            "Parcel late",
            t0() + minutes(6),
        )
        .await;
    assert_ne!(
        other.customer_id, head.customer_id,
        "open_case: another email is another customer"
    );

    // A customer known only by an external id is found by it.
    let by_ext = |subject: &str| {
        let customer = Customer {
            external_id: Some("crm-42".into()),
            phone: Some("+1 202 555 0100".into()),
            ..Customer::default()
        };
        fx.new_case(
            fx.frontline.id,
            &fx.intake_from("delivery", customer, subject),
            t0() + minutes(7),
        )
    };
    let first = store
        .open_case(by_ext("First by external id"))
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    let second = store
        .open_case(by_ext("Second by external id"))
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_ne!(first.head().id, second.head().id);
    assert_eq!(
        first.head().customer_id,
        second.head().customer_id,
        "open_case: the same external_id must map to the same customer"
    );
    let record = store
        .customer(first.head().customer_id)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        record.and_then(|c| c.external_id).as_deref(),
        Some("crm-42")
    );

    let all = list(&store, everything()).await;
    assert_eq!(
        all.len(),
        5,
        "open_case: five cases were opened, list_cases shows {:?}",
        ids(&all)
    );

    // A customer token is one case's capability: reusing it is refused, and the refused
    // open leaves nothing behind (no case, no timers, no notification).
    for row in claim_outbox(&store, t0() + hours(1)).await {
        store
            .outbox_sent(row.id, t0() + hours(1))
            .await
            .unwrap_or_else(|e| panic!("open_case: outbox_sent failed: {e}"));
    }
    let next_before = next_due(&store).await;
    let clash = NewCase {
        customer_token: head.customer_token.clone(),
        ..fx.new_case(
            fx.frontline.id,
            &fx.intake("billing", "zed@example.com", "Clashing token"),
            t0() - hours(1),
        )
    };
    let refused = store.open_case(clash).await;
    assert!(
        refused.is_err(),
        "open_case: reusing another case's customer token must be refused, got {refused:?}"
    );
    assert_eq!(
        list(&store, everything()).await,
        all,
        "open_case: a refused open must not leave a case"
    );
    assert!(
        claim_outbox(&store, t0() + hours(2)).await.is_empty(),
        "open_case: a refused open must not leave a notification"
    );
    assert_eq!(
        next_due(&store).await,
        next_before,
        "open_case: a refused open must not leave timers"
    );
    let found = store
        .case_by_customer_token(&head.customer_token)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found,
        Some(head.id),
        "open_case: the token still belongs to the first case"
    );
}

/// The same key and request replays the first case; another request with the key is refused.
pub async fn idempotency<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let intake = fx.intake("billing", "alice@example.com", "Charged twice");
    let key = |actor: PersonId, hash: &[u8]| IdempotencyKey {
        actor,
        key: "req-0001".into(),
        request_hash: hash.to_vec(),
    };
    // Each retry is a new request to the server: new event time, new token.
    let attempt = |actor: PersonId, hash: &[u8], at: DateTime<Utc>| NewCase {
        idempotency: Some(key(actor, hash)),
        ..fx.new_case(actor, &intake, at)
    };

    let first = match store
        .open_case(attempt(fx.frontline.id, b"hash-1", t0()))
        .await
    {
        Ok(OpenOutcome::Created(head)) => head,
        other => panic!("idempotency: the first request must be Created, got {other:?}"),
    };
    match store
        .open_case(attempt(fx.frontline.id, b"hash-1", t0() + seconds(3)))
        .await
    {
        Ok(OpenOutcome::Replayed(head)) => {
            assert_eq!(
                head, first,
                "idempotency: a replay must return the first case's head unchanged"
            )
        }
        other => panic!("idempotency: the same key and request must be Replayed, got {other:?}"),
    }
    let all = list(&store, everything()).await;
    assert_eq!(
        ids(&all),
        vec![first.id],
        "idempotency: a replay must not create a second case"
    );

    match store
        .open_case(attempt(fx.frontline.id, b"hash-2", t0() + seconds(5)))
        .await
    {
        Err(StoreError::IdempotencyMismatch) => {}
        other => {
            panic!("idempotency: the same key with another request must fail with IdempotencyMismatch, got {other:?}")
        }
    }
    let all = list(&store, everything()).await;
    assert_eq!(
        ids(&all),
        vec![first.id],
        "idempotency: a refused request must not create a case"
    );

    let theirs = match store
        .open_case(attempt(fx.frontline2.id, b"hash-1", t0() + seconds(7)))
        .await
    {
        Ok(OpenOutcome::Created(head)) => head,
        other => {
            panic!("idempotency: the same key from another actor is another request and must be Created, got {other:?}")
        }
    };
    assert_ne!(theirs.id, first.id);
    assert_eq!(theirs.owner, fx.frontline2.id);
    let mut all = ids(&list(&store, everything()).await);
    all.sort();
    let mut expected = vec![first.id, theirs.id];
    expected.sort();
    assert_eq!(all, expected, "idempotency: exactly two cases must exist");

    // Only the created cases enqueued an acknowledgment.
    let rows = claim_outbox(&store, t0() + minutes(1)).await;
    let mut acked: Vec<CaseId> = rows.iter().map(|r| r.case_id).collect();
    acked.sort();
    assert_eq!(
        acked, expected,
        "idempotency: a replayed or refused request must not enqueue notifications"
    );
}

/// Appends need the current version; they move the projection and leave nothing behind when refused.
pub async fn append<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let opened = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Charged twice",
            t0(),
        )
        .await;
    let before = load(&store, opened.id).await;

    let passed = fx
        .act(
            &store,
            opened.id,
            pass_up(),
            person(fx.frontline.id),
            t0() + hours(1),
        )
        .await;
    assert_eq!(passed.id, opened.id);
    assert_eq!(
        passed.owner, fx.staff.id,
        "append: a pass-up must move head.owner to the person above"
    );
    assert_eq!(
        passed.version, 2,
        "append: one event moves the version from 1 to 2"
    );
    assert_eq!(passed.status, CaseStatus::Open);
    assert_eq!(
        passed.updated_at,
        t0() + hours(1),
        "append: updated_at is the time of the last event"
    );
    assert_eq!(
        passed.opened_at, opened.opened_at,
        "append: opened_at never changes"
    );
    assert_eq!(passed.customer_token, opened.customer_token);
    let after = load(&store, opened.id).await;
    assert_eq!(
        after.head, passed,
        "append: load_case must show the head append returned"
    );
    assert_eq!(
        after.events.len(),
        2,
        "append: the log must hold opened and passed_up"
    );
    assert_eq!(
        after.events[0], before.events[0],
        "append: earlier events never change"
    );
    assert!(
        matches!(after.events[1].body, EventBody::PassedUp { to, .. } if to == fx.staff.id),
        "append: the second event must be the pass-up, got {:?}",
        after.events[1]
    );

    // Deliver everything so far, to see that a refused append enqueues nothing.
    for row in claim_outbox(&store, t0() + hours(1)).await {
        store
            .outbox_sent(row.id, t0() + hours(1))
            .await
            .unwrap_or_else(|e| panic!("append: outbox_sent failed: {e}"));
    }
    let next_before = next_due(&store).await;
    assert!(next_before.is_some(), "append: an open case has timers");

    // The manager decides on the stale state (version 1) and loses.
    let mut stale = fx.append_for(
        &before.events,
        &Command::Take,
        person(fx.manager.id),
        t0() + hours(2),
    );
    stale.case_id = opened.id;
    stale.timers = vec![];
    assert_eq!(stale.expected_version, 1);
    match store.append(stale).await {
        Err(StoreError::VersionConflict { case_id, expected: 1, actual: 2 }) if case_id == opened.id => {}
        other => panic!(
            "append: expected_version 1 on a case at version 2 must fail with VersionConflict {{ expected: 1, actual: 2 }}, got {other:?}"
        ),
    }
    assert_eq!(
        load(&store, opened.id).await,
        after,
        "append: a refused append must leave the case and its log unchanged"
    );
    assert!(
        claim_outbox(&store, t0() + hours(3)).await.is_empty(),
        "append: a refused append must not enqueue notifications"
    );
    assert_eq!(
        next_due(&store).await,
        next_before,
        "append: a refused append must not touch the case's timers"
    );

    let ghost = opened.id + 1000;
    let mut lost = fx.append_for(
        &after.events,
        &solve(),
        person(fx.staff.id),
        t0() + hours(2),
    );
    lost.case_id = ghost;
    match store.append(lost).await {
        Err(StoreError::CaseNotFound(id)) if id == ghost => {}
        other => panic!("append: appending to an unknown case must fail with CaseNotFound({ghost}), got {other:?}"),
    }

    // Solve, then a customer reply appends two events at once and reopens the case.
    let solved = fx
        .act(
            &store,
            opened.id,
            solve(),
            person(fx.staff.id),
            t0() + hours(2),
        )
        .await;
    assert_eq!(
        (solved.status, solved.version, solved.owner),
        (CaseStatus::Solved, 3, fx.staff.id),
        "append: solve"
    );
    let reply = Command::CustomerReply {
        body: "It happened again.".into(),
        attachments: vec![],
    };
    let reopened = fx
        .act(&store, opened.id, reply, Actor::Customer, t0() + hours(3))
        .await;
    assert_eq!(
        reopened.version, 5,
        "append: two events in one append move the version by two"
    );
    assert_eq!(
        reopened.status,
        CaseStatus::Open,
        "append: a customer reply reopens a solved case"
    );
    assert_eq!(
        reopened.owner, fx.staff.id,
        "append: a reopened case goes back to its last owner"
    );
    assert_eq!(
        reopened.escalates_at,
        t0() + hours(23),
        "append: reopening restarts the escalation clock"
    );
    let last = load(&store, opened.id).await;
    assert_eq!(last.head, reopened);
    let kinds: Vec<&str> = last.events.iter().map(|e| e.body.kind().as_str()).collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "passed_up",
            "solved",
            "customer_replied",
            "reopened"
        ],
        "append: the log, in order"
    );
    let seqs: Vec<u32> = last.events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        [1, 2, 3, 4, 5],
        "append: events come back ordered by seq"
    );
    let folded = Case::from_events(&last.events)
        .unwrap_or_else(|e| panic!("append: the stored log does not fold: {e}"));
    assert_eq!(
        (folded.version, folded.owner, folded.status),
        (5, fx.staff.id, CaseStatus::Open)
    );
}
