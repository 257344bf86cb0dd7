//! Checks of racing claims: timers, outbox rows and a sign-in link taken by many at once.
//!
//! With several servers the claim itself must decide who gets a row (a lock that the
//! others skip, or an update conditional on the row still being free). A claim that reads
//! the free rows first and marks them afterwards hands the same rows to every claimant
//! that read before the first mark landed: these checks make many claimants read at once.

use crate::{hours, minutes, race, t0, Fixture, LEASE};
use roadone_domain::{CaseId, TimerKind};
use roadone_store::records::*;
use roadone_store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How many claimants race: more than a small pool of connections, so some really wait.
const CLAIMANTS: usize = 16;
/// Small batches, so that each claimant comes back many times while the others claim.
const BATCH: u32 = 7;
/// A claimant that is still handed rows after this many batches is being handed rows
/// it already holds: the claims do not lease.
const MAX_BATCHES: usize = 200;

fn claimant(i: usize) -> Instance {
    Instance {
        id: format!("claimant-{i}"),
        node: format!("node-{i}"),
    }
}

/// Registers every claimant as a running instance, so that stopping it later reports
/// what the store recorded as its claims.
async fn register_claimants<S: Store>(check: &str, store: &S, at: chrono::DateTime<chrono::Utc>) {
    for i in 0..CLAIMANTS {
        store
            .register_instance(claimant(i), at)
            .await
            .unwrap_or_else(|e| panic!("{check}: register_instance(claimant-{i}) failed: {e}"));
    }
}

/// Stops every claimant and checks that the store released exactly what each was handed:
/// a claim recorded for another instance than the one it was returned to is a double claim.
async fn stop_claimants<S: Store>(
    check: &str,
    store: &S,
    held: &[usize],
    released: fn(&Released) -> u32,
    at: chrono::DateTime<chrono::Utc>,
) {
    for (i, held) in held.iter().enumerate() {
        let stopped = store
            .stop_instance(&claimant(i).id, at)
            .await
            .unwrap_or_else(|e| panic!("{check}: stop_instance(claimant-{i}) failed: {e}"));
        assert_eq!(
            released(&stopped) as usize,
            *held,
            "{check}: stopping claimant-{i} must release exactly the {held} claims it was handed"
        );
    }
}

/// Opens `n` delivery cases (three timers and one acknowledgment each), a second apart.
async fn open_many<S: Store>(store: &S, fx: &Fixture, n: i64) -> Vec<CaseId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let head = fx
            .open(
                store,
                fx.frontline.id,
                "delivery",
                &format!("claims{i}@example.com"),
                &format!("Claimed {i}"),
                t0() + chrono::Duration::seconds(i),
            )
            .await;
        ids.push(head.id);
    }
    ids
}

/// 16 schedulers claim the same 180 due timers at the same instant, in small batches,
/// until nothing is left: every due timer goes to exactly one of them, none is missed, and
/// the store records each claim for the scheduler it was handed to.
pub async fn concurrent_timer_claims<S: Store>(store: S) {
    const CHECK: &str = "concurrent_timer_claims";
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let cases = open_many(&*store, &fx, 60).await;
    // Past every escalation: all three timers of every case are due.
    let now = t0() + hours(21);
    register_claimants(CHECK, &*store, now).await;

    let claims = race(CHECK, CLAIMANTS, |i| {
        let store = store.clone();
        async move {
            let by = claimant(i).id;
            let mut mine = Vec::new();
            for _ in 0..MAX_BATCHES {
                let batch = store
                    .claim_due_timers(&by, now, LEASE, BATCH)
                    .await
                    .unwrap_or_else(|e| panic!("{CHECK}: claim_due_timers by {by} failed: {e}"));
                if batch.is_empty() {
                    return mine;
                }
                assert!(
                    batch.len() <= BATCH as usize,
                    "{CHECK}: a claim must return no more than its limit, got {}",
                    batch.len()
                );
                mine.extend(batch);
            }
            panic!("{CHECK}: {by} was still handed timers after {MAX_BATCHES} batches: claimed timers must be leased");
        }
    })
    .await;

    let mut holders: BTreeMap<(CaseId, TimerKind), Vec<usize>> = BTreeMap::new();
    for (i, mine) in claims.iter().enumerate() {
        for t in mine {
            assert!(
                t.due_at <= now,
                "{CHECK}: claimant-{i} was handed {t:?}, which is not due at {now}"
            );
            holders.entry((t.case_id, t.kind)).or_default().push(i);
        }
    }
    for (timer, by) in &holders {
        assert_eq!(
            by.len(),
            1,
            "{CHECK}: timer {timer:?} was claimed by claimants {by:?}: a due timer must go to exactly one claimant"
        );
    }
    let expected: BTreeSet<(CaseId, TimerKind)> = cases
        .iter()
        .flat_map(|&id| {
            [
                TimerKind::TickleIdle,
                TimerKind::TickleDeadline,
                TimerKind::Escalate,
            ]
            .map(|kind| (id, kind))
        })
        .collect();
    let claimed: BTreeSet<(CaseId, TimerKind)> = holders.keys().copied().collect();
    let missed: Vec<_> = expected.difference(&claimed).collect();
    assert!(
        missed.is_empty(),
        "{CHECK}: {} due timers were claimed by nobody (e.g. {:?}): racing claimants must together take every due timer",
        missed.len(),
        missed.first()
    );
    assert_eq!(
        claimed, expected,
        "{CHECK}: exactly the 180 timers of the 60 cases are due"
    );
    assert!(
        store
            .claim_due_timers("latecomer", now, LEASE, 1000)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: {e}"))
            .is_empty(),
        "{CHECK}: after the race every due timer is leased"
    );

    let held: Vec<usize> = claims.iter().map(Vec::len).collect();
    stop_claimants(CHECK, &*store, &held, |r| r.timers, now + minutes(1)).await;
    let again = store
        .claim_due_timers("latecomer", now + minutes(1), LEASE, 1000)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: {e}"));
    assert_eq!(
        again.len(),
        180,
        "{CHECK}: once the claimants stop, all 180 timers are claimable again, each once"
    );
}

/// 16 mail senders claim the same 80 acknowledgments at the same instant, in small
/// batches: every row goes to exactly one of them as its first attempt, none is missed.
pub async fn concurrent_outbox_claims<S: Store>(store: S) {
    const CHECK: &str = "concurrent_outbox_claims";
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let cases = open_many(&*store, &fx, 80).await;
    let now = t0() + hours(1);
    register_claimants(CHECK, &*store, now).await;

    let claims = race(CHECK, CLAIMANTS, |i| {
        let store = store.clone();
        async move {
            let by = claimant(i).id;
            let mut mine = Vec::new();
            for _ in 0..MAX_BATCHES {
                let batch = store
                    .claim_outbox(&by, now, LEASE, BATCH)
                    .await
                    .unwrap_or_else(|e| panic!("{CHECK}: claim_outbox by {by} failed: {e}"));
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch);
            }
            panic!("{CHECK}: {by} was still handed rows after {MAX_BATCHES} batches: claimed rows must be leased");
        }
    })
    .await;

    let mut holders: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut of_case: BTreeMap<CaseId, i64> = BTreeMap::new();
    for (i, mine) in claims.iter().enumerate() {
        for row in mine {
            holders.entry(row.id).or_default().push(i);
            of_case.insert(row.case_id, row.id);
            assert_eq!(
                row.attempts, 1,
                "{CHECK}: claimant-{i} was handed row {} as attempt {}: a row claimed once is at its first attempt",
                row.id, row.attempts
            );
        }
    }
    for (row, by) in &holders {
        assert_eq!(
            by.len(),
            1,
            "{CHECK}: outbox row {row} was claimed by claimants {by:?}: a notification must go to exactly one sender"
        );
    }
    let missed: Vec<&CaseId> = cases.iter().filter(|c| !of_case.contains_key(c)).collect();
    assert!(
        missed.is_empty(),
        "{CHECK}: the acknowledgments of {} cases were claimed by nobody (e.g. case {:?}): racing senders must together take every due row",
        missed.len(),
        missed.first()
    );
    assert_eq!(
        holders.len(),
        80,
        "{CHECK}: exactly the 80 acknowledgments are due"
    );
    assert!(
        store
            .claim_outbox("latecomer", now, LEASE, 1000)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: {e}"))
            .is_empty(),
        "{CHECK}: after the race every due row is leased"
    );

    let held: Vec<usize> = claims.iter().map(Vec::len).collect();
    stop_claimants(CHECK, &*store, &held, |r| r.outbox, now + minutes(1)).await;
    let again = store
        .claim_outbox("latecomer", now + minutes(1), LEASE, 1000)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: {e}"));
    assert_eq!(
        (again.len(), again.iter().all(|r| r.attempts == 2)),
        (80, true),
        "{CHECK}: once the senders stop, all 80 rows are claimable again as their second attempt"
    );
}

/// 16 redemptions of each of 10 sign-in links at once (a double click, a mail scanner
/// and the customer): of each link's racers exactly one signs the customer in, and only
/// its session is open.
pub async fn concurrent_sign_in_redemptions<S: Store>(store: S) {
    const CHECK: &str = "concurrent_sign_in_redemptions";
    const LINKS: usize = 10;
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let ann = fx
        .open(
            &*store,
            fx.frontline.id,
            "delivery",
            "ann@example.com",
            "Signing in",
            t0(),
        )
        .await;
    let link_hash = |link: usize| vec![0xA0 + link as u8; 32];
    let session_hash = |link: usize, racer: usize| {
        let mut hash = vec![0x5E; 32];
        (hash[0], hash[1]) = (link as u8, racer as u8);
        hash
    };
    for link in 0..LINKS {
        store
            .add_sign_in_link(SignInLink {
                hash: link_hash(link),
                customer_id: ann.customer_id,
                created_at: t0(),
                expires_at: t0() + minutes(30),
            })
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: add_sign_in_link failed: {e}"));
    }

    let now = t0() + minutes(1);
    let results = race(CHECK, LINKS * CLAIMANTS, |i| {
        let store = store.clone();
        let (link, racer) = (i % LINKS, i / LINKS);
        let session = NewSession {
            hash: session_hash(link, racer),
            created_at: now,
            expires_at: now + hours(24),
        };
        let hash = link_hash(link);
        async move {
            let got = store
                .redeem_sign_in_link(&hash, now, session)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: redeem_sign_in_link failed: {e}"));
            (link, racer, got)
        }
    })
    .await;

    for link in 0..LINKS {
        let winners: Vec<(usize, Option<i64>)> = results
            .iter()
            .filter(|(l, _, got)| *l == link && got.is_some())
            .map(|&(_, racer, got)| (racer, got))
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "{CHECK}: link {link} was redeemed by {} of {CLAIMANTS} racers ({winners:?}): a link signs in exactly once",
            winners.len()
        );
        let (winner, customer) = winners[0];
        assert_eq!(
            customer,
            Some(ann.customer_id),
            "{CHECK}: the one redemption of link {link} signs in the link's customer"
        );
        for racer in 0..CLAIMANTS {
            let session = store
                .customer_session(&session_hash(link, racer), now + minutes(1))
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: customer_session failed: {e}"));
            let expected = (racer == winner).then_some(ann.customer_id);
            assert_eq!(
                session, expected,
                "{CHECK}: of link {link}'s racers only the winner ({winner}) may hold a session, racer {racer} holds {session:?}"
            );
        }
    }
}
