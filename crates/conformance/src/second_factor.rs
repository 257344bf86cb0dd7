//! Checks of the second factor at staff sign-in: a factor waits until its first code, a
//! code's time step is accepted once, recovery codes work once each, and a sign-in whose
//! second step is to come opens a session once, before it expires.

use crate::{minutes, race, t0, Fixture};
use roadone_store::records::*;
use roadone_store::{PendingSignIn, SecondFactor, Store, StoreError};
use std::sync::Arc;

fn pending(hash: u8, person: i64, minutes_valid: i64) -> PendingSignIn {
    PendingSignIn {
        hash: vec![hash; 32],
        person,
        created_at: t0(),
        expires_at: t0() + minutes(minutes_valid),
    }
}

fn session(hash: u8) -> NewSession {
    NewSession {
        hash: vec![hash; 32],
        created_at: t0(),
        expires_at: t0() + minutes(12 * 60),
    }
}

/// Turning a factor on, using its codes, and taking it away again.
pub async fn second_factor<S: Store>(store: S) {
    const CHECK: &str = "second_factor";
    let fx = Fixture::seed(&store).await;
    let ada = fx.staff.id;
    let factor = |person| {
        let store = &store;
        async move {
            store
                .second_factor(person)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: second_factor failed: {e}"))
        }
    };
    let asks = |person| {
        let store = &store;
        async move {
            store
                .accounts(t0())
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: accounts failed: {e}"))
                .into_iter()
                .find(|a| a.person == person)
                .unwrap_or_else(|| panic!("{CHECK}: accounts lists everyone"))
                .second_factor
        }
    };
    assert_eq!(
        factor(ada).await,
        None,
        "{CHECK}: nobody has a factor at first"
    );

    // Waiting for its first code: kept, replaceable, not on.
    store
        .begin_second_factor(ada, vec![1; 20], t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: begin_second_factor failed: {e}"));
    store
        .begin_second_factor(ada, vec![2; 20], t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: a waiting factor can be replaced: {e}"));
    let waiting = factor(ada).await.expect("a waiting factor");
    assert_eq!(
        (waiting.secret.clone(), waiting.is_on(), waiting.last_step),
        (vec![2; 20], false, None),
        "{CHECK}: the latest secret waits, not on"
    );
    assert!(
        !asks(ada).await,
        "{CHECK}: a waiting factor is not asked for"
    );
    assert!(
        !store.accept_second_factor_step(ada, 100).await.unwrap(),
        "{CHECK}: no code is accepted for a factor that is not on"
    );
    let replaced = store
        .enable_second_factor(ada, vec![1; 20], 100, vec![vec![9; 32]], t0())
        .await
        .unwrap();
    assert!(!replaced, "{CHECK}: a replaced secret cannot be turned on");
    let codes: Vec<Vec<u8>> = (0..10u8).map(|i| vec![0x70 + i; 32]).collect();
    let on = store
        .enable_second_factor(ada, vec![2; 20], 100, codes.clone(), t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: enable_second_factor failed: {e}"));
    assert!(on, "{CHECK}: the waiting secret turns on");
    assert_eq!(
        factor(ada).await,
        Some(SecondFactor {
            secret: vec![2; 20],
            enabled_at: Some(t0()),
            last_step: Some(100),
            recovery_codes_left: 10,
        }),
        "{CHECK}: on, with its first step and ten recovery codes"
    );
    assert!(asks(ada).await, "{CHECK}: accounts says the factor is on");
    assert!(
        !asks(fx.frontline.id).await,
        "{CHECK}: only the person's own"
    );
    let again = store.begin_second_factor(ada, vec![3; 20], t0()).await;
    assert!(
        matches!(
            again,
            Err(StoreError::Invalid {
                field: "second_factor",
                ..
            })
        ),
        "{CHECK}: a factor that is on is not replaced by a new one, got {again:?}"
    );
    let twice = store
        .enable_second_factor(ada, vec![2; 20], 101, vec![], t0())
        .await
        .unwrap();
    assert!(!twice, "{CHECK}: a factor turns on once");

    // Each step once, never an earlier one.
    let accept = |step| {
        let store = &store;
        async move { store.accept_second_factor_step(ada, step).await.unwrap() }
    };
    assert!(
        !accept(100).await,
        "{CHECK}: the step that turned it on is spent"
    );
    assert!(!accept(99).await, "{CHECK}: an earlier step is refused");
    assert!(accept(101).await, "{CHECK}: a later step is accepted");
    assert!(
        !accept(101).await,
        "{CHECK}: the same step twice is refused"
    );
    assert!(accept(103).await, "{CHECK}: steps may be skipped");

    // Recovery codes: each once, counted down, only the person's own.
    let used = store
        .use_recovery_code(ada, codes[0].clone(), t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: use_recovery_code failed: {e}"));
    assert_eq!(used, Some(9), "{CHECK}: a code works and nine are left");
    let reused = store
        .use_recovery_code(ada, codes[0].clone(), t0())
        .await
        .unwrap();
    assert_eq!(reused, None, "{CHECK}: a recovery code works once");
    let someone_elses = store
        .use_recovery_code(fx.frontline.id, codes[1].clone(), t0())
        .await
        .unwrap();
    assert_eq!(someone_elses, None, "{CHECK}: a code is its person's only");
    let fresh: Vec<Vec<u8>> = (0..10u8).map(|i| vec![0x90 + i; 32]).collect();
    assert!(store
        .replace_recovery_codes(ada, fresh.clone(), t0())
        .await
        .unwrap());
    assert_eq!(
        store
            .use_recovery_code(ada, codes[1].clone(), t0())
            .await
            .unwrap(),
        None,
        "{CHECK}: new recovery codes replace the old"
    );
    assert_eq!(factor(ada).await.unwrap().recovery_codes_left, 10);
    assert!(
        !store
            .replace_recovery_codes(fx.frontline.id, fresh.clone(), t0())
            .await
            .unwrap(),
        "{CHECK}: no recovery codes without a factor"
    );

    // A pending sign-in: good until it expires, ends in one session.
    store
        .add_pending_sign_in(pending(1, ada, 5))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: add_pending_sign_in failed: {e}"));
    let unknown = store.add_pending_sign_in(pending(2, ada + 1000, 5)).await;
    assert!(
        matches!(unknown, Err(StoreError::UnknownPerson { .. })),
        "{CHECK}: a pending sign-in for nobody is refused, got {unknown:?}"
    );
    let is_pending = |hash: u8, at| {
        let store = &store;
        async move { store.pending_sign_in(&[hash; 32], at).await.unwrap() }
    };
    assert_eq!(is_pending(1, t0() + minutes(4)).await, Some(ada));
    assert_eq!(
        is_pending(1, t0() + minutes(6)).await,
        None,
        "{CHECK}: an expired pending sign-in is no good"
    );
    assert_eq!(
        store
            .finish_pending_sign_in(&[1; 32], t0() + minutes(6), session(11))
            .await
            .unwrap(),
        None,
        "{CHECK}: an expired pending sign-in opens no session"
    );
    assert_eq!(
        store.staff_session(&[11; 32], t0()).await.unwrap(),
        None,
        "{CHECK}: nothing was opened"
    );
    let finished = store
        .finish_pending_sign_in(&[1; 32], t0() + minutes(1), session(12))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: finish_pending_sign_in failed: {e}"));
    assert_eq!(finished, Some(ada), "{CHECK}: the second step signs in");
    assert_eq!(
        store.staff_session(&[12; 32], t0()).await.unwrap(),
        Some(ada),
        "{CHECK}: and opens the session"
    );
    assert_eq!(
        is_pending(1, t0() + minutes(1)).await,
        None,
        "{CHECK}: a pending sign-in ends with its session"
    );

    // A new password ends pending sign-ins; removing the factor ends them too.
    store.add_pending_sign_in(pending(3, ada, 5)).await.unwrap();
    store.set_password_hash(ada, "$argon2id$new").await.unwrap();
    assert_eq!(
        is_pending(3, t0()).await,
        None,
        "{CHECK}: a new password ends a pending sign-in"
    );
    store.add_pending_sign_in(pending(4, ada, 5)).await.unwrap();
    assert!(store.remove_second_factor(ada).await.unwrap());
    assert_eq!(factor(ada).await, None, "{CHECK}: the factor is gone");
    assert_eq!(
        is_pending(4, t0()).await,
        None,
        "{CHECK}: removing the factor ends pending sign-ins"
    );
    assert_eq!(
        store
            .use_recovery_code(ada, fresh[0].clone(), t0())
            .await
            .unwrap(),
        None,
        "{CHECK}: recovery codes go with the factor"
    );
    assert!(
        !store.remove_second_factor(ada).await.unwrap(),
        "{CHECK}: removing none says so"
    );
}

/// Many racers use one code's step, one recovery code and one pending sign-in at once:
/// each works exactly once.
pub async fn concurrent_second_factor_uses<S: Store>(store: S) {
    const CHECK: &str = "concurrent_second_factor_uses";
    const RACERS: usize = 12;
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let ada = fx.staff.id;
    store
        .begin_second_factor(ada, vec![5; 20], t0())
        .await
        .unwrap();
    assert!(store
        .enable_second_factor(ada, vec![5; 20], 10, vec![vec![0x55; 32]], t0())
        .await
        .unwrap());
    store.add_pending_sign_in(pending(7, ada, 5)).await.unwrap();
    let results = race(CHECK, RACERS, |i| {
        let store = store.clone();
        async move {
            let step = store.accept_second_factor_step(ada, 11).await.unwrap();
            let code = store
                .use_recovery_code(ada, vec![0x55; 32], t0())
                .await
                .unwrap();
            let signed = store
                .finish_pending_sign_in(&[7; 32], t0() + minutes(1), session(0x20 + i as u8))
                .await
                .unwrap();
            (step, code.is_some(), signed.is_some())
        }
    })
    .await;
    let count = |f: fn(&(bool, bool, bool)) -> bool| results.iter().filter(|r| f(r)).count();
    assert_eq!(count(|r| r.0), 1, "{CHECK}: one code's step works once");
    assert_eq!(count(|r| r.1), 1, "{CHECK}: a recovery code works once");
    assert_eq!(
        count(|r| r.2),
        1,
        "{CHECK}: a pending sign-in opens one session"
    );
}
