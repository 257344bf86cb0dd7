//! Load generator: starts the real `roadone` server on loopback with a fresh data dir and
//! measures it over HTTP with keep-alive clients. Prints one JSON line per run.
//!
//!   roadone-bench intake --clients 32 --seconds 10
//!   roadone-bench read --cases 1000000 --clients 8 --seconds 10
//!   roadone-bench live --streams 500 --cases 100 --changes 2000
//!   roadone-bench views --cases 1000000 --customers 100000 --clients 8 --seconds 10

mod cdr;
mod client;
mod crash;
mod customer_math;
mod live;
mod pages;
mod scrape;
mod server;
mod smtp;
mod sweep;
mod trail;
mod views;
mod views_data;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use client::{percentile, Client};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Measure the roadone server over HTTP")]
struct Args {
    /// The roadone binary [default: `roadone` next to this program].
    #[arg(long)]
    roadone: Option<std::path::PathBuf>,
    /// Pass --no-fsync to the server (for comparison only; the targets are with fsync).
    #[arg(long)]
    no_fsync: bool,
    /// Keep the server's data directory afterwards (its path is printed on stderr).
    #[arg(long)]
    keep_data: bool,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// POST /api/v1/cases from C concurrent clients for T seconds.
    Intake {
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Load N cases, then GET /api/v1/cases/{id} at random from C clients for T seconds.
    Read {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Load N cases, then time the staff pages: my cases, a case page, a search.
    Pages {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Prepare (once; kept and reused) a store of N cases of C customers written straight
    /// into the tables, then time the staff case views, the customer page and the
    /// customer and reference searches, each as a person who may see it.
    Views {
        #[arg(long, default_value_t = 1_000_000)]
        cases: i64,
        #[arg(long, default_value_t = 100_000)]
        customers: i64,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The prepared data directory [default: target/bench-data/views-N-C].
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Only these pages, comma-separated (their names in the output).
        #[arg(long)]
        only: Option<String>,
    },
    /// EXPLAIN QUERY PLAN and time each SQL statement against a store (the server stopped).
    Sql {
        /// The database, e.g. target/bench-data/views-1000000-100000/roadone.db.
        #[arg(long)]
        db: std::path::PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: u32,
        /// The statements, their values written in.
        statements: Vec<String>,
    },
    /// Hold S live case streams over K cases and write C notes one after another: how
    /// long until every stream on the case hears of each, and the server's RSS and CPU.
    Live {
        #[arg(long, default_value_t = 500)]
        streams: usize,
        #[arg(long, default_value_t = 100)]
        cases: u64,
        #[arg(long, default_value_t = 2000)]
        changes: u64,
    },
    /// Send mail with a 100 KB PDF to the SMTP listener from S concurrent senders for T seconds.
    Smtp {
        #[arg(long, default_value_t = 8)]
        senders: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Write an Asterisk Master.csv of N rows, time `roadone import cdr` on it (twice) and
    /// `roadone report calls` for its month.
    Cdr {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Write N cases (~10 events each) over 2025, then time the monthly trail of MONTH.
    Trail {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value = "2025-06")]
        month: String,
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Write N cases and M orders, then time customer math (and DuckDB on the same data).
    CustomerMath {
        #[arg(long, default_value_t = 1_000_000)]
        cases: i64,
        #[arg(long, default_value_t = 10_000_000)]
        orders: i64,
    },
    /// Mixed load while the server is killed -9 K times: nothing acknowledged may be lost.
    Crash {
        #[arg(long, default_value_t = 50)]
        kills: u32,
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
    /// Time the scheduler's claim of due timers with N open cases not due and K due.
    Sweep {
        #[arg(long, default_value_t = 100_000)]
        open: u64,
        #[arg(long, default_value_t = 1_000)]
        due: u64,
    },
}

fn case_body(n: u64) -> String {
    json!({
        "customer": {"email": format!("customer{}@bench.example", n % 50_000), "name": format!("Customer {}", n % 50_000)},
        "category": "billing",
        "subject": format!("Charged twice for order {n}"),
        "body": "I was charged twice this month, please refund one of the payments.",
        "channel": "email",
        "facts": {"account_number": format!("AC-{n}")},
    })
    .to_string()
}

/// Runs `clients` loops of `request` until `deadline`; returns latencies in microseconds.
async fn drive<F, Fut>(
    clients: Vec<Client>,
    deadline: Instant,
    request: F,
) -> Result<(Vec<u32>, u64)>
where
    F: Fn(Client, u64) -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = Result<(Client, bool)>> + 'static,
{
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for client in clients {
        let (request, counter, errors) = (request.clone(), counter.clone(), errors.clone());
        handles.push(tokio::task::spawn_local(async move {
            let mut latencies = Vec::with_capacity(1 << 16);
            let mut client = client;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let start = Instant::now();
                let (c, ok) = request(client, n).await?;
                client = c;
                latencies.push(start.elapsed().as_micros() as u32);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await??);
    }
    Ok((all, errors.load(Ordering::Relaxed)))
}

/// The client runs on one thread, leaving the other core to the server as far as possible.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    tokio::task::LocalSet::new()
        .run_until(run(Args::parse()))
        .await
}

async fn run(args: Args) -> Result<()> {
    if let Mode::Trail { cases, month, runs } = &args.mode {
        println!("{}", trail::run(*cases, month, *runs).await?);
        return Ok(());
    }
    if let Mode::CustomerMath { cases, orders } = &args.mode {
        println!("{}", customer_math::run(*cases, *orders).await?);
        return Ok(());
    }
    if let Mode::Sql {
        db,
        runs,
        statements,
    } = &args.mode
    {
        views::explain(db, statements, *runs)?;
        return Ok(());
    }
    if let Mode::Sweep { open, due } = args.mode {
        println!("{}", sweep::run(open, due).await?);
        return Ok(());
    }
    let binary = match args.roadone {
        Some(b) => b,
        None => std::env::current_exe()?.with_file_name("roadone"),
    };
    if !binary.exists() {
        bail!(
            "{} not found: build it first (cargo build --release -p roadone)",
            binary.display()
        );
    }
    if let Mode::Crash { kills, clients } = args.mode {
        println!("{}", crash::run(&binary, kills, clients).await?);
        return Ok(());
    }
    if let Mode::Smtp { senders, seconds } = args.mode {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let extra = vec!["--smtp-listen".to_string(), format!("127.0.0.1:{port}")];
        let server = server::Server::start_with(&binary, args.no_fsync, &extra).await?;
        let result = smtp::run(&server, port, senders, seconds).await;
        server.stop();
        println!("{}", result?);
        return Ok(());
    }
    if let Mode::Cdr { rows, runs } = args.mode {
        println!("{}", cdr::run(&binary, rows, runs)?);
        return Ok(());
    }
    if let Mode::Views {
        cases,
        customers,
        clients,
        seconds,
        data,
        only,
    } = args.mode
    {
        let figures = views::run(
            &binary,
            args.no_fsync,
            cases,
            customers,
            clients,
            seconds,
            data,
            only,
        )
        .await?;
        println!("{figures}");
        return Ok(());
    }
    let mut server = server::Server::start(&binary, args.no_fsync).await?;
    let result = match args.mode {
        Mode::Intake { clients, seconds } => intake(&server, clients, seconds).await,
        Mode::Read {
            cases,
            clients,
            seconds,
        } => read(&server, cases, clients, seconds).await,
        Mode::Pages {
            cases,
            clients,
            seconds,
        } => {
            let (loaded, load_seconds) = load(&server, cases).await?;
            let mut figures = pages::run(&server, loaded, clients, seconds).await?;
            figures["mode"] = json!("pages");
            figures["cases"] = json!(loaded);
            figures["load_seconds"] = json!(load_seconds.round());
            figures["clients"] = json!(clients);
            figures["seconds_per_page"] = json!(seconds);
            figures["server_peak_rss_mb"] = json!(server.peak_rss_mb()?);
            Ok(figures)
        }
        Mode::Live {
            streams,
            cases,
            changes,
        } => live::run(&server, streams, cases, changes).await,
        Mode::Sweep { .. }
        | Mode::Views { .. }
        | Mode::Sql { .. }
        | Mode::Smtp { .. }
        | Mode::Trail { .. }
        | Mode::CustomerMath { .. }
        | Mode::Cdr { .. }
        | Mode::Crash { .. } => {
            unreachable!("handled above")
        }
    };
    if args.keep_data {
        eprintln!("data kept in {}", server.keep_data().display());
    }
    server.stop();
    println!("{}", result?);
    Ok(())
}

async fn connect_all(server: &server::Server, n: usize, token: &str) -> Result<Vec<Client>> {
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(Client::connect(server.addr, token).await?);
    }
    Ok(clients)
}

async fn intake(
    server: &server::Server,
    clients: usize,
    seconds: u64,
) -> Result<serde_json::Value> {
    let conns = connect_all(server, clients, &server.frontline_token).await?;
    let started = Instant::now();
    let (latencies, errors) = drive(
        conns,
        started + Duration::from_secs(seconds),
        |mut c: Client, n| async move {
            let status = c.post("/api/v1/cases", case_body(n)).await?;
            Ok((c, status == 201))
        },
    )
    .await?;
    let elapsed = started.elapsed().as_secs_f64();
    let ok = latencies.len() as u64 - errors;
    // The server's own account of the same run (absent from servers without /metrics).
    let mut probe = Client::connect(server.addr, &server.frontline_token).await?;
    let server_side = match probe.get_text("/metrics").await? {
        (200, text) => scrape::intake(&text, "/api/v1/cases"),
        _ => serde_json::Value::Null,
    };
    Ok(json!({
        "mode": "intake", "clients": clients, "seconds": seconds,
        "server": server_side,
        "cases": ok, "errors": errors,
        "cases_per_s": (ok as f64 / elapsed).round(),
        "p50_ms": percentile(&latencies, 0.50), "p99_ms": percentile(&latencies, 0.99),
        "server_peak_rss_mb": server.peak_rss_mb()?,
        "fsync_every_commit": !server.no_fsync,
    }))
}

/// Loads `cases` cases with many clients (so group commit does its job); returns how
/// many were created and how long it took.
async fn load(server: &server::Server, cases: u64) -> Result<(u64, f64)> {
    // Load with many clients so group commit does its job; stop at exactly `cases`.
    let load_started = Instant::now();
    let conns = connect_all(server, 64, &server.frontline_token).await?;
    let created = Arc::new(AtomicU64::new(0));
    let target = cases;
    let next = Arc::new(AtomicU64::new(0));
    let mut loaders = Vec::new();
    for mut c in conns {
        let (next, created) = (next.clone(), created.clone());
        loaders.push(tokio::task::spawn_local(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= target {
                    break;
                }
                if c.post("/api/v1/cases", case_body(n)).await? == 201 {
                    created.fetch_add(1, Ordering::Relaxed);
                }
            }
            anyhow::Ok(())
        }));
    }
    let progress = created.clone();
    let reporter = tokio::task::spawn_local(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            eprintln!("loaded {} cases", progress.load(Ordering::Relaxed));
        }
    });
    for l in loaders {
        l.await??;
    }
    reporter.abort();
    let loaded = created.load(Ordering::Relaxed);
    let load_seconds = load_started.elapsed().as_secs_f64();
    if loaded == 0 {
        bail!("no case could be created");
    }
    Ok((loaded, load_seconds))
}

async fn read(
    server: &server::Server,
    cases: u64,
    clients: usize,
    seconds: u64,
) -> Result<serde_json::Value> {
    let (loaded, load_seconds) = load(server, cases).await?;
    let rss_after_load = server.rss_mb()?;

    let conns = connect_all(server, clients, &server.frontline_token).await?;
    let started = Instant::now();
    let (latencies, errors) = drive(
        conns,
        started + Duration::from_secs(seconds),
        move |mut c: Client, n| async move {
            // A cheap scatter over all ids (Knuth's multiplicative hash), so reads hit cold pages too.
            let id = (n.wrapping_mul(2_654_435_761) % loaded) + 1;
            let status = c
                .get(&format!("/api/v1/cases/{id}"))
                .await
                .context("GET case")?;
            Ok((c, status == 200))
        },
    )
    .await?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(json!({
        "mode": "read", "cases": loaded, "load_seconds": load_seconds.round(),
        "load_cases_per_s": (loaded as f64 / load_seconds).round(),
        "clients": clients, "seconds": seconds,
        "reads": latencies.len(), "errors": errors,
        "reads_per_s": (latencies.len() as f64 / elapsed).round(),
        "p50_ms": percentile(&latencies, 0.50), "p99_ms": percentile(&latencies, 0.99),
        "server_rss_mb": server.rss_mb()?, "server_rss_after_load_mb": rss_after_load,
        "server_peak_rss_mb": server.peak_rss_mb()?,
        "db_size_mb": server.db_size_mb(),
    }))
}
