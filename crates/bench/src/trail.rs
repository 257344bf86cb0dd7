//! The monthly trail's cost: writes N cases of ~10 events each, spread over a year, then
//! times what `GET /api/v1/reports/trail` does for one month (the store's read of the
//! active cases' histories and the analytics) several times.
//!
//! The events are real `Event`s serialised as the store does, written straight into the
//! events table in large transactions: going through the rules one case at a time would
//! take hours for 10,000,000 events, and the report reads only the events table.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_analytics::trail::{trail, TRAIL_KINDS};
use roadone_analytics::Month;
use roadone_domain::{
    Actor, Channel, Customer, Event, EventBody, PersonId, Realtime, Road, TickleReason,
};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::Store;
use rusqlite::params;
use std::collections::BTreeMap;
use std::time::Instant;

const FRONTLINE: PersonId = 40;
const MANAGERS: PersonId = 8;
const EXECUTIVES: PersonId = 2;

fn person_event(seq: u32, at: DateTime<Utc>, by: PersonId, body: EventBody) -> Event {
    Event {
        seq,
        at,
        actor: Actor::Person { id: by },
        body,
    }
}

/// One case's history: opened, a reminder, messages both ways, often a pass up or a take,
/// solved, rated; a few are escalated and a few stay open. About ten events.
fn history(rng: &mut crate::server::Rng, opened_at: DateTime<Utc>) -> Vec<Event> {
    let front = 1 + rng.below(FRONTLINE) as PersonId;
    let manager = FRONTLINE + 1 + rng.below(MANAGERS) as PersonId;
    let exec = FRONTLINE + MANAGERS + 1 + rng.below(EXECUTIVES) as PersonId;
    let mut at = opened_at;
    fn step(
        rng: &mut crate::server::Rng,
        at: &mut DateTime<Utc>,
        max_minutes: u64,
    ) -> DateTime<Utc> {
        *at += Duration::minutes(1 + rng.below(max_minutes as i64));
        *at
    }
    let mut events = vec![Event {
        seq: 1,
        at,
        actor: Actor::Person { id: front },
        body: EventBody::Opened {
            customer: Customer {
                email: Some(format!("c{}@bench.example", rng.below(200_000))),
                ..Customer::default()
            },
            category: "billing".into(),
            subject: "Charged twice for one order".into(),
            body: "I was charged twice for order 4411; please refund one.".into(),
            channel: Channel::Phone,
            facts: BTreeMap::from([("account".to_string(), "AC-1".to_string())]),
            missing_facts: vec![],
            realtime: Realtime::default(),
            attachments: vec![],
            owner: front,
            escalates_at: at + Duration::hours(20),
            promised_by: at + Duration::hours(24),
        },
    }];
    let mut owner = front;
    let push = |events: &mut Vec<Event>, at: DateTime<Utc>, actor: Actor, body: EventBody| {
        let seq = events.len() as u32 + 1;
        events.push(Event {
            seq,
            at,
            actor,
            body,
        });
    };
    let t = step(rng, &mut at, 30);
    push(
        &mut events,
        t,
        Actor::Person { id: owner },
        EventBody::MessageSent {
            body: "Thank you, we are looking at it.".into(),
            attachments: vec![],
        },
    );
    let t = step(rng, &mut at, 240);
    push(
        &mut events,
        t,
        Actor::Customer,
        EventBody::CustomerReplied {
            body: "Here is the receipt.".into(),
            attachments: vec![],
        },
    );
    let t = step(rng, &mut at, 240);
    push(
        &mut events,
        t,
        Actor::System,
        EventBody::Tickled {
            owner,
            reason: TickleReason::Idle,
        },
    );
    let t = step(rng, &mut at, 60);
    push(
        &mut events,
        t,
        Actor::Person { id: owner },
        EventBody::MessageSent {
            body: "Could you send the bank statement too?".into(),
            attachments: vec![],
        },
    );
    let t = step(rng, &mut at, 240);
    push(
        &mut events,
        t,
        Actor::Customer,
        EventBody::CustomerReplied {
            body: "Attached.".into(),
            attachments: vec![],
        },
    );
    let t = step(rng, &mut at, 30);
    push(
        &mut events,
        t,
        Actor::Person { id: owner },
        EventBody::NoteAdded {
            body: "Statement shows both charges.".into(),
            attachments: vec![],
        },
    );
    match rng.below(10) {
        0..=2 => {
            let t = step(rng, &mut at, 60);
            push(
                &mut events,
                t,
                Actor::Person { id: owner },
                EventBody::PassedUp {
                    from: owner,
                    to: manager,
                    reason: "needs a refund approval".into(),
                },
            );
            owner = manager;
        }
        3 => {
            let t = step(rng, &mut at, 60);
            push(
                &mut events,
                t,
                Actor::Person { id: manager },
                EventBody::Taken {
                    from: owner,
                    to: manager,
                },
            );
            owner = manager;
        }
        4 => {
            let t = step(rng, &mut at, 60);
            push(
                &mut events,
                t,
                Actor::Person { id: owner },
                EventBody::NoteAdded {
                    body: "Checked with billing.".into(),
                    attachments: vec![],
                },
            );
        }
        _ => {}
    }
    if rng.below(25) == 0 {
        let t = opened_at + Duration::hours(20);
        push(
            &mut events,
            t.max(at),
            Actor::System,
            EventBody::Escalated {
                from: owner,
                to: exec,
            },
        );
        owner = exec;
    }
    if rng.below(50) == 0 {
        return events; // still open
    }
    let t = step(rng, &mut at, 120);
    push(
        &mut events,
        t,
        Actor::Person { id: owner },
        EventBody::MessageSent {
            body: "We refunded the second charge.".into(),
            attachments: vec![],
        },
    );
    let t = step(rng, &mut at, 10);
    events.push(person_event(
        events.len() as u32 + 1,
        t,
        owner,
        EventBody::Solved {
            resolution: "Refunded the duplicate charge.".into(),
            road: Road::Teach,
            learned: "Retries after a timeout charge twice.".into(),
        },
    ));
    let t = step(rng, &mut at, 600);
    push(
        &mut events,
        t,
        Actor::Customer,
        EventBody::Rated {
            score: 1 + rng.below(5) as u8,
            delighted_by: String::new(),
            would_recommend: true,
        },
    );
    events
}

/// Writes `cases` cases opened evenly over 2025; returns how many events were written.
fn fill(path: &std::path::Path, cases: u64) -> Result<u64> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let year = Duration::days(365).num_seconds() as u64;
    let mut rng = crate::server::Rng::new(2026);
    let mut written = 0u64;
    let batch = 50_000;
    let mut case = 1u64;
    while case <= cases {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (case_id, seq, kind, at, actor_person, data) VALUES (?, ?, ?, ?, ?, ?)",
            )?;
            for id in case..(case + batch).min(cases + 1) {
                let opened = start + Duration::seconds((year * (id - 1) / cases) as i64);
                for e in history(&mut rng, opened) {
                    insert.execute(params![
                        id as i64,
                        e.seq,
                        e.body.kind(),
                        e.at.timestamp_millis(),
                        e.actor.person(),
                        serde_json::to_string(&e)?,
                    ])?;
                    written += 1;
                }
            }
        }
        tx.commit()?;
        case += batch;
        if case % 200_000 < batch {
            eprintln!("written {} cases, {written} events", case - 1);
        }
    }
    Ok(written)
}

pub async fn run(cases: u64, month: &str, runs: u32) -> Result<serde_json::Value> {
    let month = Month::parse(month).map_err(anyhow::Error::msg)?;
    let dir = tempfile::Builder::new()
        .prefix("roadone-trail")
        .tempdir_in(crate::server::bench_dir()?)?;
    let path = dir.path().join("roadone.db");
    // Create the schema, then write in bulk.
    drop(SqliteStore::open(SqliteOptions::new(&path))?);
    let fill_started = Instant::now();
    let events = tokio::task::spawn_blocking({
        let path = path.clone();
        move || fill(&path, cases)
    })
    .await??;
    let fill_seconds = fill_started.elapsed().as_secs_f64();
    let store = SqliteStore::open(SqliteOptions::new(&path))?;
    let mut times = Vec::new();
    let mut read_times = Vec::new();
    let mut people = 0;
    let mut month_events = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let kinds = TRAIL_KINDS.iter().map(|k| k.to_string()).collect();
        let got = store
            .events_of_active_cases(month.start(), month.end(), kinds)
            .await
            .context("reading the month's cases")?;
        let read = started.elapsed().as_secs_f64();
        month_events = got.len();
        let computed = trail(month, &got);
        people = computed.people.len();
        times.push(started.elapsed().as_secs_f64());
        read_times.push(read);
    }
    times.sort_by(f64::total_cmp);
    read_times.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[(v.len() - 1) / 2];
    Ok(serde_json::json!({
        "bench": "trail",
        "cases": cases,
        "events": events,
        "month": month.to_string(),
        "events_read": month_events,
        "people_in_trail": people,
        "runs": runs,
        "seconds_median": median(&times),
        "seconds_max": times.last().copied().unwrap_or_default(),
        "read_seconds_median": median(&read_times),
        "fill_seconds": fill_seconds,
        "peak_rss_mb": crate::server::own_peak_rss_mb(),
    }))
}
