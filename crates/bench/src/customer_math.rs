//! Customer math's cost: fills a store with N cases (with their opening, solving and
//! escalation events) and M orders, then times what `GET /api/v1/reports/customer-math`
//! does: read every case outcome and every order, and compute (bootstrap included).
//! Then it writes the same cases and orders as CSV for DuckDB, which computes the same
//! per-solver sums (`crates/bench/duckdb_customer_math.py`); the run reports both times,
//! their ratio, and whether the sums agree.
//!
//! The filled store is kept in `target/bench-data/math-N-M/` and reused by the next run with
//! the same sizes.
//!
//! Rows are written straight into the tables in large transactions, the case projection
//! as the store keeps it; the events are real `Event`s serialised as the store does.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_analytics::customer_math::{customer_math, MathParams};
use roadone_domain::{Actor, Channel, Customer, Event, EventBody, Realtime, Road};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::Store;
use rusqlite::params;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const CUSTOMERS: i64 = 250_000;
/// Customers above this id never contact us: the baseline.
const CONTACTING: i64 = 200_000;
const SOLVERS: i64 = 60;
const WINDOW: i64 = 90;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 10, 1, 0, 0, 0).unwrap()
}

/// The report is computed as of this moment.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn fill(path: &Path, cases: i64, orders: i64) -> Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let mut rng = crate::server::Rng::new(77);
    let span = (now() - start()).num_seconds() - 86_400 * 30;
    let tx = conn.transaction()?;
    {
        let mut add =
            tx.prepare("INSERT INTO customers (id, external_id, created_at) VALUES (?, ?, 0)")?;
        for id in 1..=CUSTOMERS {
            add.execute(params![id, format!("c{id}")])?;
        }
    }
    tx.commit()?;
    let case_span = span - 86_400 * 120;
    let mut id = 1;
    while id <= cases {
        let tx = conn.transaction()?;
        {
            let mut case_row = tx.prepare_cached(
                "INSERT INTO cases (id, customer_id, customer_token, category, subject, state, owner, version, opened_at, escalates_at, promised_by, updated_at, \
                                    intake_owner, solved_at, solved_by, road, escalated) \
                 VALUES (?, ?, ?, ?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?;
            let mut event = tx.prepare_cached(
                "INSERT INTO events (case_id, seq, kind, at, actor_person, data) VALUES (?, ?, ?, ?, ?, ?)",
            )?;
            for case in id..(id + 100_000).min(cases + 1) {
                let customer = 1 + rng.below(CONTACTING);
                let opened_at =
                    start() + Duration::days(120) + Duration::seconds(rng.below(case_span));
                let intake = 1 + rng.below(40);
                let category =
                    ["billing", "delivery", "returns", "product", "account"][rng.below(5) as usize];
                let mut events = vec![Event {
                    seq: 1,
                    at: opened_at,
                    actor: Actor::Person { id: intake },
                    body: EventBody::Opened {
                        customer: Customer {
                            external_id: Some(format!("c{customer}")),
                            ..Customer::default()
                        },
                        category: category.into(),
                        subject: "bench".into(),
                        body: "A bench case.".into(),
                        channel: Channel::Api,
                        facts: BTreeMap::new(),
                        missing_facts: vec![],
                        realtime: Realtime::default(),
                        attachments: vec![],
                        owner: intake,
                        escalates_at: opened_at + Duration::hours(20),
                        promised_by: opened_at + Duration::hours(24),
                        call_back_by: None,
                    },
                }];
                if rng.below(25) == 0 {
                    events.push(Event {
                        seq: 2,
                        at: opened_at + Duration::hours(20),
                        actor: Actor::System,
                        body: EventBody::Escalated {
                            from: intake,
                            to: 100 + rng.below(2),
                        },
                    });
                }
                let solved = rng.below(50) != 0;
                let solver = 1 + rng.below(SOLVERS);
                if solved {
                    events.push(Event {
                        seq: events.len() as u32 + 1,
                        at: opened_at + Duration::minutes(30 + rng.below(3 * 24 * 60)),
                        actor: Actor::Person { id: solver },
                        body: EventBody::Solved {
                            resolution: "Done.".into(),
                            road: Road::try_from(1 + rng.below(4) as u8).expect("a road"),
                            learned: "Something.".into(),
                        },
                    });
                }
                let last = events.last().expect("an event").at;
                let solve = events.iter().find_map(|e| match &e.body {
                    EventBody::Solved { road, .. } => {
                        Some((e.at.timestamp_millis(), u8::from(*road)))
                    }
                    _ => None,
                });
                let escalated = events
                    .iter()
                    .any(|e| matches!(e.body, EventBody::Escalated { .. }));
                case_row.execute(params![
                    case,
                    customer,
                    format!("t{case}"),
                    category,
                    if solved { "solved" } else { "open" },
                    if solved { solver } else { intake },
                    events.len() as i64,
                    opened_at.timestamp_millis(),
                    (opened_at + Duration::hours(20)).timestamp_millis(),
                    (opened_at + Duration::hours(24)).timestamp_millis(),
                    last.timestamp_millis(),
                    intake,
                    solve.map(|s| s.0),
                    solve.map(|_| solver),
                    solve.map(|s| s.1),
                    escalated,
                ])?;
                for e in &events {
                    event.execute(params![
                        case,
                        e.seq,
                        e.body.kind().as_str(),
                        e.at.timestamp_millis(),
                        e.actor.person(),
                        serde_json::to_string(e)?,
                    ])?;
                }
            }
        }
        tx.commit()?;
        id += 100_000;
    }
    eprintln!("written {cases} cases");
    let mut n = 0;
    while n < orders {
        let tx = conn.transaction()?;
        {
            let mut add = tx.prepare_cached(
                "INSERT INTO orders (order_id, customer_id, ordered_at, amount_cents, currency, created_at) VALUES (?, ?, ?, ?, 'EUR', 0)",
            )?;
            for o in n..(n + 200_000).min(orders) {
                let customer = 1 + rng.below(CUSTOMERS);
                let at = start() + Duration::seconds(rng.below(span));
                let cents = 500 + rng.below(20_000);
                add.execute(params![
                    format!("o{o}"),
                    customer,
                    at.timestamp_millis(),
                    cents
                ])?;
            }
        }
        tx.commit()?;
        n += 200_000;
        if n % 2_000_000 == 0 {
            eprintln!("written {n} orders");
        }
    }
    Ok(())
}

fn day(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

pub async fn run(cases: i64, orders: i64) -> Result<serde_json::Value> {
    // The filled store is kept and reused by the next run with the same sizes: filling takes
    // minutes, and the figure of interest is the report over it.
    let dir = crate::server::bench_dir()?.join(format!("math-{cases}-{orders}"));
    let path = dir.join("roadone.db");
    let ready = dir.join("filled");
    let reused = ready.exists();
    let fill_started = Instant::now();
    if !reused {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        drop(SqliteStore::open(SqliteOptions::new(&path))?);
        tokio::task::spawn_blocking({
            let path = path.clone();
            move || fill(&path, cases, orders)
        })
        .await??;
        std::fs::write(&ready, "")?;
    } else {
        // Read the reused file once, so that it is in the page cache as it is right after
        // a fill (and on a serving machine): the figure is the report's, not the disk's.
        std::io::copy(&mut std::fs::File::open(&path)?, &mut std::io::sink())?;
    }
    let fill_seconds = fill_started.elapsed().as_secs_f64();
    let rss_before = crate::server::own_peak_rss_mb();
    let store = SqliteStore::open(SqliteOptions::new(&path))?;

    let started = Instant::now();
    let outcomes = store.case_outcomes().await?;
    let read_cases = started.elapsed().as_secs_f64();
    let all = store
        .orders_in(
            "EUR".into(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        )
        .await?;
    let read_orders = started.elapsed().as_secs_f64() - read_cases;
    let params = MathParams {
        window_days: WINDOW,
        now: now(),
        ..MathParams::default()
    };
    let computed_at = Instant::now();
    let math = customer_math(&outcomes, &all, &params);
    let compute = computed_at.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    let peak = crate::server::own_peak_rss_mb();

    // The same data for DuckDB, and its answer.
    let csv_dir = dir.join("csv");
    std::fs::create_dir_all(&csv_dir)?;
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(csv_dir.join("cases.csv"))?);
        writeln!(f, "case_id,customer_id,opened_day,solved_day,solver")?;
        for c in &outcomes {
            let (solved_day, solver) = match c.solved {
                Some((at, solver, _)) => (day(at).to_string(), solver.to_string()),
                None => (String::new(), String::new()),
            };
            writeln!(
                f,
                "{},{},{},{solved_day},{solver}",
                c.case_id,
                c.customer_id,
                day(c.opened_at)
            )?;
        }
        let mut f = std::io::BufWriter::new(std::fs::File::create(csv_dir.join("orders.csv"))?);
        writeln!(f, "customer_id,day,amount")?;
        for o in &all {
            writeln!(
                f,
                "{},{},{}",
                o.customer_id,
                day(o.ordered_at),
                o.amount_cents
            )?;
        }
    }
    drop(all);
    drop(outcomes);
    let python = std::env::var("ROADONE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb_customer_math.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&csv_dir)
        .arg(WINDOW.to_string())
        .arg(day(now()).to_string())
        .output()
        .with_context(|| format!("running {python} {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "DuckDB run failed (pip install duckdb?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let duck: serde_json::Value = serde_json::from_slice(&out.stdout).context("DuckDB's answer")?;
    // Do the per-solver sums agree?
    let mut agree = true;
    let mut compared = 0;
    for g in &math.by_solver {
        let Some(d) = duck["solvers"].get(&g.key) else {
            agree = false;
            continue;
        };
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
        compared += 1;
        agree &= d["n"].as_u64() == Some(u64::from(g.lift.n))
            && close(d["before"].as_f64().unwrap_or(-1.0), g.lift.before)
            && close(d["after"].as_f64().unwrap_or(-1.0), g.lift.after);
    }
    let duck_seconds = duck["query_seconds"].as_f64().unwrap_or(f64::NAN);
    Ok(serde_json::json!({
        "bench": "customer_math",
        "cases": cases,
        "orders": orders,
        "cases_compared": math.cases_compared,
        "baseline_levels": math.overall.baseline,
        "solvers_on_lists": math.raise.len() + math.below.len(),
        "seconds": total,
        "read_cases_seconds": read_cases,
        "read_orders_seconds": read_orders,
        "compute_seconds": compute,
        "peak_rss_mb": peak,
        "rss_before_mb": rss_before,
        "fill_seconds": fill_seconds,
        "store_reused": reused,
        "duckdb_version": duck["version"],
        "duckdb_load_seconds": duck["load_seconds"],
        "duckdb_query_seconds": duck_seconds,
        "ratio_roadone_to_duckdb": total / duck_seconds,
        "solvers_compared": compared,
        "sums_agree": agree,
    }))
}
