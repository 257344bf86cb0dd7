//! Junk mail: suspended messages wait, newest first, until settled exactly once (a
//! release and a deletion racing: one wins, the other gets nothing); a deletion's bytes
//! are purged after the retention; the filter's counts add up across teachings.

use crate::{minutes, race, t0, Fixture};
use roadone_domain::junk::Counts;
use roadone_store::{Lesson, NewSuspendedMail, Settled, Store};
use std::sync::Arc;

fn mail(n: i64, raw: &str) -> NewSuspendedMail {
    NewSuspendedMail {
        received_at: t0() + minutes(n),
        sender: Some(format!("offers{n}@deals.example")),
        subject: format!("Rates DROPPED {n}"),
        score: 0.97,
        why: vec![
            "SpamAssassin marked it as spam".into(),
            "DMARC failed".into(),
        ],
        raw: raw.as_bytes().to_vec(),
    }
}

pub async fn suspended_mail<S: Store>(store: S) {
    const CHECK: &str = "suspended_mail";
    let store = Arc::new(store);
    let f = Fixture::seed(&*store).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            store
                .suspend_mail(mail(n, &format!("Subject: {n}\r\n\r\nbody {n}")))
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: suspend_mail failed: {e}")),
        );
    }
    let waiting = store.suspended_mail(10).await.expect("read");
    assert_eq!(
        waiting.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids.iter().rev().copied().collect::<Vec<_>>(),
        "{CHECK}: waiting mail is listed newest first"
    );
    assert_eq!(waiting[0].why.len(), 2, "{CHECK}: the reasons are kept");
    assert_eq!(waiting[0].size, "Subject: 2\r\n\r\nbody 2".len() as u64);
    assert_eq!(store.suspended_mail(1).await.expect("read").len(), 1);

    // A release and a deletion of the same message, racing: exactly one settles it.
    let target = ids[0];
    let results = race(CHECK, 8, |i| {
        let store = store.clone();
        let by = f.frontline.id;
        let how = if i % 2 == 0 {
            Settled::Released
        } else {
            Settled::Deleted
        };
        async move { store.settle_suspended(target, how, by, t0()).await }
    })
    .await;
    let won: Vec<_> = results
        .into_iter()
        .filter_map(|r| r.unwrap_or_else(|e| panic!("{CHECK}: settle failed: {e}")))
        .collect();
    assert_eq!(won.len(), 1, "{CHECK}: one settle wins the race");
    assert_eq!(
        won[0],
        b"Subject: 0\r\n\r\nbody 0".to_vec(),
        "{CHECK}: with the bytes"
    );
    assert_eq!(
        store
            .settle_suspended(999_999, Settled::Deleted, f.frontline.id, t0())
            .await
            .expect("settle"),
        None,
        "{CHECK}: no such message, nothing settled"
    );

    let deleted = store
        .settle_suspended(ids[1], Settled::Deleted, f.frontline.id, t0())
        .await
        .expect("settle");
    assert!(
        deleted.is_some(),
        "{CHECK}: a deletion settles a waiting message"
    );
    let tally = store.suspended_tally().await.expect("tally");
    assert_eq!(tally.waiting, 1, "{CHECK}: one still waits: {tally:?}");
    assert_eq!(tally.released + tally.deleted, 2, "{CHECK}: {tally:?}");
    assert_eq!(
        store.purge_suspended(t0()).await.expect("purge"),
        0,
        "{CHECK}: nothing deleted before the cut is purged"
    );
    let purged = store
        .purge_suspended(t0() + minutes(1))
        .await
        .expect("purge");
    assert!(
        (1..=2).contains(&purged),
        "{CHECK}: the deleted ones' bytes are purged, not the waiting one's: {purged}"
    );
    assert_eq!(store.suspended_mail(10).await.expect("read").len(), 1);
}

pub async fn junk_filter<S: Store>(store: S) {
    const CHECK: &str = "junk_filter";
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (filter, counts) = store
        .junk_counts(words(&["refinance"]))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: junk_counts failed: {e}"));
    assert_eq!((filter.junk_messages, filter.customer_messages), (0, 0));
    assert_eq!(
        counts,
        vec![Counts::default()],
        "{CHECK}: untaught, nothing"
    );
    for _ in 0..3 {
        store
            .teach_junk_filter(words(&["refinance", "today"]), Lesson::Junk)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: teaching failed: {e}"));
    }
    store
        .teach_junk_filter(words(&["parcel", "today", "parcel"]), Lesson::Customer)
        .await
        .expect("teach");
    let (filter, counts) = store
        .junk_counts(words(&["today", "refinance", "parcel", "never-seen"]))
        .await
        .expect("counts");
    assert_eq!((filter.junk_messages, filter.customer_messages), (3, 1));
    assert_eq!(
        counts,
        vec![
            Counts {
                junk: 3,
                customer: 1
            },
            Counts {
                junk: 3,
                customer: 0
            },
            Counts {
                junk: 0,
                customer: 1
            },
            Counts::default(),
        ],
        "{CHECK}: the counts of the tokens asked for, in their order (a token counted once per message)"
    );
    // A junk lesson taken back: one junk message fewer, one customer message more.
    store
        .teach_junk_filter(words(&["refinance", "today"]), Lesson::NotJunkAfterAll)
        .await
        .expect("correct");
    let (filter, counts) = store
        .junk_counts(words(&["refinance", "today"]))
        .await
        .expect("counts");
    assert_eq!(
        (filter.junk_messages, filter.customer_messages),
        (2, 2),
        "{CHECK}: a corrected lesson moves the message from junk to customer"
    );
    assert_eq!(
        counts,
        vec![
            Counts {
                junk: 2,
                customer: 1
            },
            Counts {
                junk: 2,
                customer: 2
            },
        ],
        "{CHECK}: and its tokens with it"
    );
}
