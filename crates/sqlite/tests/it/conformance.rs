//! The backend conformance suite (`roadone_conformance`) run against SQLite, one
//! test per check, plus what only a file-backed store can promise: persistence across a
//! reopen, and backups.

use chrono::Duration;
use roadone_conformance::{self as conformance, load, t0, Fixture};
use roadone_domain::{Actor, CaseStatus, Command, TimerKind};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::{CaseFilter, IdempotencyKey, NewCase, OpenOutcome, Store, StoreError};
use std::path::Path;
use std::sync::Mutex;
use tempfile::TempDir;

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(SqliteOptions::new(path))
        .unwrap_or_else(|e| panic!("cannot open a SQLite store at {}: {e}", path.display()))
}

/// A fresh store in a new temporary directory; keep the directory while the store lives.
fn fresh() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = open(&dir.path().join("roadone.db"));
    (dir, store)
}

macro_rules! one_test_per_check {
    ($($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $check() {
                let (_dir, store) = fresh();
                conformance::$check(store).await;
            }
        )*
    };
}

// The suite's own list of checks: a check added there is a test here without a word.
roadone_conformance::conformance_checks!(one_test_per_check);

/// `run_all` itself, as another backend would call it.
#[tokio::test(flavor = "multi_thread")]
async fn run_all() {
    let dirs = Mutex::new(Vec::new());
    conformance::run_all(|| {
        let (dir, store) = fresh();
        dirs.lock().expect("not poisoned").push(dir);
        async move { store }
    })
    .await;
}

fn list_all() -> CaseFilter {
    CaseFilter {
        limit: 1000,
        ..CaseFilter::default()
    }
}

/// Drop the store, reopen the same file: everything is still there.
#[tokio::test(flavor = "multi_thread")]
async fn persistence() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("data").join("roadone.db");
    let token_hash = vec![42u8; 32];
    let key = |hash: &[u8]| IdempotencyKey {
        actor: 0,
        key: "req-1".into(),
        request_hash: hash.to_vec(),
    };

    let store = open(&path);
    let fx = Fixture::seed(&store).await;
    store
        .add_token(fx.staff.id, token_hash.clone(), "laptop", t0())
        .await
        .expect("add_token");
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Survives a restart",
            t0(),
        )
        .await;
    fx.act(
        &store,
        a.id,
        Command::PassUp {
            to: None,
            reason: "approval".into(),
        },
        Actor::Person {
            id: fx.frontline.id,
        },
        t0() + Duration::hours(1),
    )
    .await;
    let intake = fx.intake("delivery", "bob@example.com", "Idempotent");
    let b = store
        .open_case(NewCase {
            idempotency: Some(IdempotencyKey {
                actor: fx.frontline2.id,
                ..key(b"h")
            }),
            ..fx.new_case(fx.frontline2.id, &intake, t0() + Duration::minutes(5))
        })
        .await
        .expect("open with an idempotency key");
    let b = b.head().clone();
    let sent = store
        .claim_outbox("test", t0() + Duration::hours(2), Duration::minutes(5), 100)
        .await
        .expect("claim_outbox");
    assert_eq!(
        sent.len(),
        3,
        "acknowledgments of a and b, and the pass-up notice"
    );
    store
        .outbox_sent(sent[0].id, t0() + Duration::hours(2))
        .await
        .expect("outbox_sent");
    store
        .outbox_failed(sent[1].id, "later", Some(t0() + Duration::hours(3)), t0())
        .await
        .expect("outbox_failed");

    let people = store.people().await.expect("people");
    let categories = store.categories().await.expect("categories");
    let cases = store.list_cases(list_all()).await.expect("list_cases");
    let stored_a = load(&store, a.id).await;
    let stored_b = load(&store, b.id).await;
    let customer = store.customer(a.customer_id).await.expect("customer");
    let next_due = store.next_timer_due().await.expect("next_timer_due");
    assert_eq!(cases.len(), 2);
    drop(store);

    let store = open(&path);
    assert_eq!(
        store.people().await.expect("people"),
        people,
        "people survive a reopen"
    );
    assert_eq!(
        store.categories().await.expect("categories"),
        categories,
        "categories survive a reopen"
    );
    assert_eq!(
        store.list_cases(list_all()).await.expect("list_cases"),
        cases,
        "cases survive a reopen"
    );
    assert_eq!(
        load(&store, a.id).await,
        stored_a,
        "a case and its log survive a reopen"
    );
    assert_eq!(load(&store, b.id).await, stored_b);
    assert_eq!(
        store.customer(a.customer_id).await.expect("customer"),
        customer,
        "customers survive a reopen"
    );
    assert_eq!(
        store
            .person_by_token(&token_hash)
            .await
            .expect("person_by_token"),
        Some(fx.staff.id),
        "tokens survive"
    );
    assert_eq!(
        store
            .case_by_customer_token(&a.customer_token)
            .await
            .expect("by token"),
        Some(a.id)
    );
    assert_eq!(
        store.next_timer_due().await.expect("next_timer_due"),
        next_due,
        "timers survive a reopen"
    );
    let due = store
        .claim_due_timers(
            "test",
            t0() + Duration::hours(21),
            Duration::minutes(5),
            100,
        )
        .await
        .expect("claim");
    assert_eq!(
        due.iter().filter(|t| t.kind == TimerKind::Escalate).count(),
        2,
        "both escalations are still due"
    );

    // The outbox state survives: the sent row stays sent, the failed one waits for its retry.
    let outbox = store
        .claim_outbox(
            "test",
            t0() + Duration::hours(2) + Duration::minutes(10),
            Duration::minutes(5),
            100,
        )
        .await
        .expect("claim");
    assert_eq!(
        outbox.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![sent[2].id],
        "only the never-reported row, its lease over"
    );
    store
        .outbox_sent(
            sent[2].id,
            t0() + Duration::hours(2) + Duration::minutes(10),
        )
        .await
        .expect("outbox_sent");
    let outbox = store
        .claim_outbox("test", t0() + Duration::hours(3), Duration::minutes(5), 100)
        .await
        .expect("claim");
    assert_eq!(
        outbox
            .iter()
            .map(|r| (r.id, r.attempts))
            .collect::<Vec<_>>(),
        vec![(sent[1].id, 2)]
    );

    // Idempotency keys survive: a retry after the restart replays the case.
    let replay = store
        .open_case(NewCase {
            idempotency: Some(IdempotencyKey {
                actor: fx.frontline2.id,
                ..key(b"h")
            }),
            ..fx.new_case(fx.frontline2.id, &intake, t0() + Duration::minutes(6))
        })
        .await
        .expect("replay");
    assert_eq!(
        replay,
        OpenOutcome::Replayed(b.clone()),
        "idempotency keys survive a reopen"
    );

    // And the reopened store keeps working.
    let c = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "carol@example.com",
            "After the restart",
            t0() + Duration::hours(3),
        )
        .await;
    assert!(c.id != a.id && c.id != b.id);
    let solved = fx
        .act(
            &store,
            a.id,
            Command::Solve {
                resolution: "Refunded".into(),
                road: 2,
                learned: "Approval takes too long".into(),
            },
            Actor::Person { id: fx.staff.id },
            t0() + Duration::hours(4),
        )
        .await;
    assert_eq!((solved.status, solved.version), (CaseStatus::Solved, 3));
}

/// A backup is a store SQLite can open, holding the cases; an existing file is never overwritten.
#[tokio::test(flavor = "multi_thread")]
async fn backup() {
    let (dir, store) = fresh();
    let fx = Fixture::seed(&store).await;
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Backed up",
            t0(),
        )
        .await;
    fx.act(
        &store,
        a.id,
        Command::PassUp {
            to: None,
            reason: "approval".into(),
        },
        Actor::Person {
            id: fx.frontline.id,
        },
        t0() + Duration::hours(1),
    )
    .await;
    let b = fx
        .open(
            &store,
            fx.frontline2.id,
            "delivery",
            "bob@example.com",
            "Also backed up",
            t0() + Duration::hours(2),
        )
        .await;

    let target = dir.path().join("backups").join("roadone-backup.db");
    std::fs::create_dir_all(target.parent().expect("a parent")).expect("backup directory");
    store.backup(&target).await.expect("backup to a new path");
    assert!(target.is_file(), "the backup file exists");

    // The original keeps serving after the backup; later writes are not in the copy.
    let later = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "carol@example.com",
            "After the backup",
            t0() + Duration::hours(3),
        )
        .await;

    let copy = open(&target);
    let cases = copy
        .list_cases(list_all())
        .await
        .expect("list_cases on the backup");
    let mut ids: Vec<_> = cases.iter().map(|h| h.id).collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![a.id, b.id],
        "the backup holds the cases at the time of the backup, and only those"
    );
    assert_eq!(
        load(&copy, a.id).await,
        load(&store, a.id).await,
        "the backup holds each case's full log"
    );
    assert_eq!(load(&copy, b.id).await, load(&store, b.id).await);
    assert_eq!(
        copy.people().await.expect("people"),
        store.people().await.expect("people")
    );
    assert_eq!(
        copy.categories().await.expect("categories"),
        store.categories().await.expect("categories")
    );
    assert!(copy.load_case(later.id).await.expect("load_case").is_none());
    // The copy is a working store.
    let c = fx
        .open(
            &copy,
            fx.frontline.id,
            "billing",
            "dan@example.com",
            "Written to the copy",
            t0() + Duration::hours(4),
        )
        .await;
    assert_eq!(load(&copy, c.id).await.head, c);
    drop(copy);

    // An existing path is refused and left as it was.
    let existing = dir.path().join("existing.db");
    std::fs::write(&existing, b"precious").expect("write a file");
    match store.backup(&existing).await {
        Err(StoreError::Invalid { .. }) => {}
        other => {
            panic!("a backup onto an existing file must be refused with Invalid, got {other:?}")
        }
    }
    assert_eq!(
        std::fs::read(&existing).expect("read"),
        b"precious",
        "the existing file must be untouched"
    );
    match store.backup(&target).await {
        Err(StoreError::Invalid { .. }) => {}
        other => {
            panic!("a backup onto an earlier backup must be refused with Invalid, got {other:?}")
        }
    }
    let copy = open(&target);
    assert!(
        copy.load_case(c.id).await.expect("load_case").is_some(),
        "the earlier backup was not overwritten"
    );
}
