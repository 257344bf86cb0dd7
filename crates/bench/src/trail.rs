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

/// A case's events as they are written, with the time moving forward.
struct Story {
    events: Vec<Event>,
    at: DateTime<Utc>,
}

impl Story {
    /// Moves the time on by 1 to `max_minutes` minutes.
    fn wait(&mut self, rng: &mut crate::server::Rng, max_minutes: i64) -> DateTime<Utc> {
        self.at += Duration::minutes(1 + rng.below(max_minutes));
        self.at
    }

    fn push(&mut self, at: DateTime<Utc>, actor: Actor, body: EventBody) {
        let seq = self.events.len() as u32 + 1;
        self.events.push(Event {
            seq,
            at,
            actor,
            body,
        });
    }

    /// After up to `max_minutes`, `actor` does `body`.
    fn then(
        &mut self,
        rng: &mut crate::server::Rng,
        max_minutes: i64,
        actor: Actor,
        body: EventBody,
    ) {
        let at = self.wait(rng, max_minutes);
        self.push(at, actor, body);
    }
}

/// One case's history: opened, a reminder, messages both ways, often a pass up or a take,
/// solved, rated; a few are escalated and a few stay open. About ten events.
fn history(rng: &mut crate::server::Rng, opened_at: DateTime<Utc>) -> Vec<Event> {
    let front = 1 + rng.below(FRONTLINE) as PersonId;
    let manager = FRONTLINE + 1 + rng.below(MANAGERS) as PersonId;
    let exec = FRONTLINE + MANAGERS + 1 + rng.below(EXECUTIVES) as PersonId;
    let mut story = Story {
        events: Vec::new(),
        at: opened_at,
    };
    let customer = Customer {
        email: Some(format!("c{}@bench.example", rng.below(200_000))),
        ..Customer::default()
    };
    story.push(
        opened_at,
        Actor::Person { id: front },
        EventBody::Opened {
            customer,
            category: "billing".into(),
            subject: "Charged twice for one order".into(),
            body: "I was charged twice for order 4411; please refund one.".into(),
            channel: Channel::Phone,
            facts: BTreeMap::from([("account".to_string(), "AC-1".to_string())]),
            missing_facts: vec![],
            realtime: Realtime::default(),
            attachments: vec![],
            owner: front,
            escalates_at: opened_at + Duration::hours(20),
            promised_by: opened_at + Duration::hours(24),
            call_back_by: None,
        },
    );
    let mut owner = front;
    let sent = |body: &str| EventBody::MessageSent {
        body: body.into(),
        attachments: vec![],
    };
    let replied = |body: &str| EventBody::CustomerReplied {
        body: body.into(),
        attachments: vec![],
    };
    let note = |body: &str| EventBody::NoteAdded {
        body: body.into(),
        attachments: vec![],
    };
    let by = |id| Actor::Person { id };
    story.then(rng, 30, by(owner), sent("Thank you, we are looking at it."));
    story.then(rng, 240, Actor::Customer, replied("Here is the receipt."));
    let tickle = EventBody::Tickled {
        owner,
        reason: TickleReason::Idle,
    };
    story.then(rng, 240, Actor::System, tickle);
    story.then(
        rng,
        60,
        by(owner),
        sent("Could you send the bank statement too?"),
    );
    story.then(rng, 240, Actor::Customer, replied("Attached."));
    story.then(rng, 30, by(owner), note("Statement shows both charges."));
    match rng.below(10) {
        0..=2 => {
            let pass = EventBody::PassedUp {
                from: owner,
                to: manager,
                reason: "needs a refund approval".into(),
            };
            story.then(rng, 60, by(owner), pass);
            owner = manager;
        }
        3 => {
            let take = EventBody::Taken {
                from: owner,
                to: manager,
            };
            story.then(rng, 60, by(manager), take);
            owner = manager;
        }
        4 => story.then(rng, 60, by(owner), note("Checked with billing.")),
        _ => {}
    }
    if rng.below(25) == 0 {
        let at = (opened_at + Duration::hours(20)).max(story.at);
        story.push(
            at,
            Actor::System,
            EventBody::Escalated {
                from: owner,
                to: exec,
            },
        );
        owner = exec;
    }
    if rng.below(50) == 0 {
        return story.events; // still open
    }
    story.then(rng, 120, by(owner), sent("We refunded the second charge."));
    let solve = EventBody::Solved {
        resolution: "Refunded the duplicate charge.".into(),
        road: Road::Teach,
        learned: "Retries after a timeout charge twice.".into(),
    };
    story.then(rng, 10, by(owner), solve);
    // The wait is drawn before the score, as the figures in BENCHMARKS.md were made.
    let at = story.wait(rng, 600);
    let rated = EventBody::Rated {
        score: 1 + rng.below(5) as u8,
        delighted_by: String::new(),
        would_recommend: true,
    };
    story.push(at, Actor::Customer, rated);
    story.events
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
                        e.body.kind().as_str(),
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
        let kinds = TRAIL_KINDS.to_vec();
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
