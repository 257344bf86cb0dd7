//! The escalation sweep's cost against the number of open cases: fills a store with N open
//! cases whose timers are not due and K whose timers are, then times the scheduler's claim
//! of due timers. The claim walks the due-time index, so its cost should follow K, not N.

use anyhow::Result;
use chrono::{Duration, Utc};
use roadone_domain::{
    opening, Category, Channel, ChecklistItem, Context, Customer, Hierarchy, Intake, Realtime,
    Role, Rules,
};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::{NewCase, NewPerson, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

pub async fn run(open_cases: u64, due_cases: u64) -> Result<serde_json::Value> {
    let dir = tempfile::Builder::new()
        .prefix("roadone-sweep")
        .tempdir_in(crate::server::bench_dir()?)?;
    let store = Arc::new(SqliteStore::open(SqliteOptions::new(
        dir.path().join("roadone.db"),
    ))?);
    let exec = store
        .add_person(
            NewPerson {
                name: "Exec".into(),
                email: "exec@sweep.example".into(),
                role: Role::Executive,
                reports_to: None,
            },
            Utc::now(),
        )
        .await?;
    let front = store
        .add_person(
            NewPerson {
                name: "Front".into(),
                email: "front@sweep.example".into(),
                role: Role::Frontline,
                reports_to: Some(exec.id),
            },
            Utc::now(),
        )
        .await?;
    let category = store
        .add_category(
            Category {
                key: "billing".into(),
                name: "Billing".into(),
                checklist: vec![ChecklistItem {
                    key: "account".into(),
                    label: "Account".into(),
                    required: false,
                    pattern: None,
                }],
                manager: exec.id,
                executive: exec.id,
            },
            Utc::now(),
        )
        .await?;
    let hierarchy = Arc::new(Hierarchy::new(store.people().await?));
    let now = Utc::now();
    // Not due: opened now. Due: opened 21 hours ago, so escalation and both reminders are due.
    let load = |count: u64, opened_at: chrono::DateTime<Utc>| {
        let (store, hierarchy, category) = (store.clone(), hierarchy.clone(), category.clone());
        async move {
            let mut tasks = tokio::task::JoinSet::new();
            for n in 0..count {
                if tasks.len() >= 256 {
                    tasks.join_next().await.expect("a task")??;
                }
                let (store, hierarchy, category) =
                    (store.clone(), hierarchy.clone(), category.clone());
                tasks.spawn(async move {
                    let rules = Rules::default();
                    let intake = Intake {
                        customer: Customer {
                            email: Some(format!("c{n}@sweep.example")),
                            ..Customer::default()
                        },
                        category: "billing".into(),
                        subject: format!("case {n}"),
                        body: String::new(),
                        channel: Channel::Api,
                        facts: Default::default(),
                        missing_facts: vec![],
                        realtime: Realtime::default(),
                        attachments: vec![],
                        call_back_within: None,
                    };
                    let ctx = Context {
                        hierarchy: &hierarchy,
                        category: &category,
                        rules: &rules,
                        now: opened_at,
                    };
                    let new = NewCase::from_opening(
                        opening(&intake, front.id, ctx)?,
                        format!("{:x}-{n}", opened_at.timestamp_millis()),
                        None,
                    );
                    store.open_case(new).await?;
                    anyhow::Ok(())
                });
            }
            while let Some(done) = tasks.join_next().await {
                done??;
            }
            anyhow::Ok(())
        }
    };
    let started = Instant::now();
    load(open_cases, now).await?;
    let load_seconds = started.elapsed().as_secs_f64();
    let at = now + Duration::minutes(1);
    let t = Instant::now();
    let none = store
        .claim_due_timers("bench", at, Duration::seconds(60), 100_000)
        .await?;
    let empty_ms = t.elapsed().as_secs_f64() * 1000.0;
    load(due_cases, now - Duration::hours(21)).await?;
    let t = Instant::now();
    let due = store
        .claim_due_timers("bench", at, Duration::seconds(60), 100_000)
        .await?;
    let claim_ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(json!({
        "mode": "sweep", "open_cases_not_due": open_cases, "due_cases": due_cases,
        "load_seconds": load_seconds.round(),
        "claim_when_none_due_ms": (empty_ms * 100.0).round() / 100.0, "timers_claimed_when_none_due": none.len(),
        "claim_due_ms": (claim_ms * 100.0).round() / 100.0, "timers_claimed": due.len(),
    }))
}
