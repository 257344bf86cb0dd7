//! Checks of timers: falling due, leases, replacement, and sweeps.

use crate::{
    claim_timers, hours, minutes, next_due, pass_up, person, seconds, solve, sorted, t0, Fixture,
    LEASE,
};
use roadone_domain::{CaseId, CaseStatus, TimerKind};
use roadone_store::records::*;
use roadone_store::Store;
use std::collections::BTreeSet;

/// Timers fall due at their time, are leased while claimed, and are replaced by appends.
pub async fn timers<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    assert_eq!(
        next_due(&store).await,
        None,
        "timers: an empty store has no next timer"
    );
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Timers",
            t0(),
        )
        .await;
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(4)),
        "timers: the earliest timer is the idle reminder at +4 h"
    );

    assert!(
        claim_timers(&store, t0() + hours(1), 100).await.is_empty(),
        "timers: nothing is due one hour after opening"
    );
    let expected = sorted(vec![
        DueTimer {
            case_id: a.id,
            kind: TimerKind::TickleIdle,
            due_at: t0() + hours(4),
        },
        DueTimer {
            case_id: a.id,
            kind: TimerKind::TickleDeadline,
            due_at: t0() + hours(16),
        },
        DueTimer {
            case_id: a.id,
            kind: TimerKind::Escalate,
            due_at: t0() + hours(20),
        },
    ]);
    let now = t0() + hours(20) + seconds(1);
    let due = sorted(claim_timers(&store, now, 100).await);
    assert!(
        due.iter()
            .any(|t| t.case_id == a.id && t.kind == TimerKind::Escalate),
        "timers: after escalates_at the escalation must be due, got {due:?}"
    );
    assert_eq!(
        due, expected,
        "timers: after escalates_at all three timers are due"
    );
    assert!(
        claim_timers(&store, now, 100).await.is_empty(),
        "timers: claimed timers are leased, not claimable again"
    );
    assert!(
        claim_timers(&store, now + LEASE - seconds(1), 100)
            .await
            .is_empty(),
        "timers: claimed timers stay leased until the lease ends"
    );
    let again = sorted(claim_timers(&store, now + LEASE + seconds(1), 100).await);
    assert_eq!(
        again, expected,
        "timers: after the lease the unfired timers are claimable again"
    );

    // A solved case has no timers: the append's empty set replaces them.
    let solved = fx
        .act(
            &store,
            a.id,
            solve(),
            person(fx.frontline.id),
            now + LEASE + seconds(2),
        )
        .await;
    assert_eq!(solved.status, CaseStatus::Solved);
    assert!(
        claim_timers(&store, t0() + hours(1000), 100)
            .await
            .is_empty(),
        "timers: after an append with no timers the case has none"
    );
    assert_eq!(
        next_due(&store).await,
        None,
        "timers: with the only case solved there is no next timer"
    );

    // An append replaces the whole set: a pass-up is activity, so the idle reminder moves.
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "bob@example.com",
            "Timers B",
            t0(),
        )
        .await;
    fx.act(
        &store,
        b.id,
        pass_up(),
        person(fx.frontline.id),
        t0() + hours(1),
    )
    .await;
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(5)),
        "timers: after the pass-up the idle reminder is at +5 h"
    );
    assert!(
        claim_timers(&store, t0() + hours(4) + minutes(30), 100)
            .await
            .is_empty(),
        "timers: the reminder due at +4 h was replaced by the pass-up's timers"
    );
    let due = claim_timers(&store, t0() + hours(5), 100).await;
    assert_eq!(
        due,
        vec![DueTimer {
            case_id: b.id,
            kind: TimerKind::TickleIdle,
            due_at: t0() + hours(5)
        }],
        "timers: a timer is due at exactly its due time"
    );
}

/// A sweep claims exactly the due timers, never one twice, however it is batched.
pub async fn timer_sweep<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let mut cases = Vec::new();
    for i in 0..100 {
        let head = fx
            .open(
                &store,
                fx.frontline.id,
                "delivery",
                &format!("c{i}@example.com"),
                &format!("Sweep {i}"),
                t0() + minutes(i),
            )
            .await;
        cases.push(head.id);
    }
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(4)),
        "timer_sweep: the earliest timer is case 0's idle reminder"
    );

    // Idle reminders fall due at +4 h + i minutes: cases 0..=49 are due.
    let now = t0() + hours(4) + minutes(49) + seconds(30);
    let first = claim_timers(&store, now, 10).await;
    assert_eq!(
        first.len(),
        10,
        "timer_sweep: a claim returns no more than its limit, and fills it when it can"
    );
    let rest = claim_timers(&store, now, 1000).await;
    assert_eq!(
        rest.len(),
        40,
        "timer_sweep: 50 timers are due, 10 were claimed, 40 must remain: got {}",
        rest.len()
    );
    let all: Vec<DueTimer> = first.into_iter().chain(rest).collect();
    for t in &all {
        assert!(
            t.due_at <= now,
            "timer_sweep: claimed {t:?}, which is not due at {now}"
        );
        assert_eq!(
            t.kind,
            TimerKind::TickleIdle,
            "timer_sweep: only idle reminders are due, got {t:?}"
        );
    }
    let claimed: BTreeSet<CaseId> = all.iter().map(|t| t.case_id).collect();
    let expected: BTreeSet<CaseId> = cases[..50].iter().copied().collect();
    assert_eq!(
        claimed.len(),
        50,
        "timer_sweep: no timer may be claimed twice"
    );
    assert_eq!(
        claimed, expected,
        "timer_sweep: exactly the cases opened in the first 50 minutes are due"
    );
    assert!(
        claim_timers(&store, now, 1000).await.is_empty(),
        "timer_sweep: everything due is leased"
    );

    // Past every idle reminder, the leases over, and case 0's deadline warning (+16 h) due.
    let later = t0() + hours(16) + seconds(30);
    let due = claim_timers(&store, later, 1000).await;
    let idle = due
        .iter()
        .filter(|t| t.kind == TimerKind::TickleIdle)
        .count();
    let deadline: Vec<&DueTimer> = due
        .iter()
        .filter(|t| t.kind == TimerKind::TickleDeadline)
        .collect();
    assert_eq!(
        idle, 100,
        "timer_sweep: all 100 idle reminders are due at +16 h"
    );
    assert_eq!(
        deadline.len(),
        1,
        "timer_sweep: only case 0's deadline warning is due at +16 h 30 s, got {deadline:?}"
    );
    assert_eq!(deadline[0].case_id, cases[0]);
    assert_eq!(due.len(), 101, "timer_sweep: no escalation is due yet");
}
