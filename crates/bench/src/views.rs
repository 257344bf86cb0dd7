//! The staff case views and the customer page over a store of N cases, as it looks after
//! two years of use: C customers with several cases each (a few with hundreds), most cases
//! solved and some open, waiting on the customer or escalated, five categories, five
//! channels, and a team tree (an administrator, 2 executives, 8 managers, 64 frontline).
//!
//! The people and categories are made through the binary's own commands and API; the
//! customers, cases (their projection rows and real `Event`s serialised as the store does)
//! and orders are then written straight into the tables in large transactions, as the
//! trail and customer-math modes do (through the rules this would take hours). No timers
//! are written, so the scheduler leaves the cases as they are while they are measured.
//! The data directory is kept and reused by the next run with the same sizes.
//!
//! Then, for each view, a person who may see it is signed in and C keep-alive clients ask
//! for it for T seconds (after a one-second warm-up that is not counted).

use crate::client::{percentile, Client};
use crate::pages::{sign_in_as, url_form};
use crate::server::{Server, PASSWORD};
use crate::views_data::*;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// The path of request `n`.
type PathOf = Rc<dyn Fn(u64) -> String>;

/// A scatter of `n` over `0..len` (Knuth's multiplicative hash).
fn scatter(n: u64, len: u64) -> u64 {
    n.wrapping_mul(2_654_435_761) % len
}

/// The part of a page that says what it found, without its tags.
fn what_it_says(html: &str) -> Option<String> {
    let (open, close) = [
        ("id=\"count\"", "</p>"),
        ("<caption>", "</caption>"),
        ("id=\"cases-title\"", "</p>"),
    ]
    .into_iter()
    .find(|(open, _)| html.contains(open))?;
    let from = html.find(open)?;
    let rest = &html[from..];
    let text = &rest[..rest.find(close)?];
    let mut out = String::new();
    let mut in_tag = true; // the rest of the opening tag comes first
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    binary: &Path,
    no_fsync: bool,
    cases: i64,
    customers: i64,
    clients: usize,
    seconds: u64,
    data: Option<PathBuf>,
    only: Option<String>,
) -> Result<serde_json::Value> {
    if customers <= HEAVY * 2 {
        bail!("--customers must be more than {}", HEAVY * 2);
    }
    let dir = match data {
        Some(d) => d,
        None => crate::server::bench_dir()?.join(format!("views-{cases}-{customers}")),
    };
    let ready: Option<serde_json::Value> = std::fs::read_to_string(dir.join(READY))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .filter(|r: &serde_json::Value| {
            r["cases"].as_i64() == Some(cases) && r["customers"].as_i64() == Some(customers)
        });
    let (ready, reused) = match ready {
        Some(r) => (r, true),
        None => {
            eprintln!("preparing {cases} cases in {}", dir.display());
            (prepare(binary, &dir, cases, customers).await?, false)
        }
    };
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let front_token = ready["front_token"]
        .as_str()
        .context("the prepared token")?
        .to_string();
    let server = Server::start_on(binary, &dir, no_fsync, front_token).await?;
    let mut cookies = BTreeMap::new();
    for who in [FRONT, MANAGER, EXECUTIVE, ADMIN] {
        cookies.insert(who, sign_in_as(&server, who, PASSWORD).await?);
    }
    let cases_u = cases as u64;
    let others = (customers - HEAVY) as u64;
    let fixed = |p: &'static str| -> PathOf { Rc::new(move |_| p.to_string()) };
    let pages: Vec<(&str, &str, PathOf)> = vec![
        ("mine", FRONT, fixed("/staff/cases")),
        ("waiting", FRONT, fixed("/staff/cases?view=waiting")),
        ("solved", FRONT, fixed("/staff/cases?view=solved")),
        ("team", MANAGER, fixed("/staff/cases?view=team")),
        ("team_of_executive", EXECUTIVE, fixed("/staff/cases?view=team")),
        ("escalated", EXECUTIVE, fixed("/staff/cases?view=escalated")),
        ("all", ADMIN, fixed("/staff/cases?view=all")),
        ("all_page_100", ADMIN, fixed("/staff/cases?view=all&page=100")),
        ("all_every_state", ADMIN, fixed("/staff/cases?view=all&state=all")),
        (
            "all_solved_page_100",
            ADMIN,
            fixed("/staff/cases?view=all&state=solved&page=100"),
        ),
        (
            "all_open_filtered_sorted",
            ADMIN,
            fixed("/staff/cases?view=all&category=delivery&channel=phone&age=1d&sort=oldest"),
        ),
        (
            "team_every_state_sorted",
            MANAGER,
            fixed("/staff/cases?view=team&state=all&sort=changed&page=2"),
        ),
        (
            "all_every_state_filtered_sorted",
            ADMIN,
            fixed("/staff/cases?view=all&state=all&category=billing&channel=email&age=7d&sort=newest&page=3"),
        ),
        (
            "case_by_reference",
            ADMIN,
            Rc::new(move |n| {
                let id = scatter(n, cases_u) + 1;
                format!(
                    "/staff/cases?view=all&state=all&q={}",
                    roadone_store::case_reference(id as i64)
                )
            }),
        ),
        (
            "customer_page_heavy",
            FRONT,
            Rc::new(move |n| format!("/staff/customers/{}", 1 + n % HEAVY as u64)),
        ),
        (
            "customer_page",
            FRONT,
            Rc::new(move |n| {
                format!(
                    "/staff/customers/{}",
                    HEAVY as u64 + 1 + scatter(n, others)
                )
            }),
        ),
        (
            "customer_by_phone",
            FRONT,
            Rc::new(move |n| {
                let id = HEAVY + 1 + scatter(n, others) as i64;
                format!(
                    "/staff/customers?{}",
                    url_form(&[("find", &phone_as_said(id))])
                )
            }),
        ),
        (
            "customer_by_surname",
            FRONT,
            Rc::new(move |n| {
                let id = HEAVY + 1 + scatter(n, others) as i64;
                format!(
                    "/staff/customers?{}",
                    url_form(&[("find", &customer_name(id).1)])
                )
            }),
        ),
    ];
    let wanted: Option<Vec<String>> =
        only.map(|o| o.split(',').map(|s| s.trim().to_string()).collect());
    let mut figures = serde_json::Map::new();
    for (name, who, path) in pages {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.iter().any(|x| x == name))
        {
            continue;
        }
        let cookie = cookies[who].clone();
        // One look first: it must answer 200, and what it says is kept with the figures.
        let mut probe = Client::connect_with_cookie(server.addr, &cookie).await?;
        let (status, html) = probe.get_text(&path(0)).await?;
        if status != 200 {
            bail!("{name}: {} answered {status}", path(0));
        }
        if name == "case_by_reference" && !html.contains(&roadone_store::case_reference(1)) {
            bail!("{name}: the case named is not on the page");
        }
        let says = what_it_says(&html);
        let mut results = None;
        for (round, secs) in [(0, 1), (1, seconds)] {
            let mut conns = Vec::with_capacity(clients);
            for _ in 0..clients {
                conns.push(Client::connect_with_cookie(server.addr, &cookie).await?);
            }
            let path = path.clone();
            let started = Instant::now();
            let (latencies, errors) = crate::drive(
                conns,
                started + std::time::Duration::from_secs(secs),
                move |mut c: Client, n| {
                    let url = path(n);
                    async move {
                        let status = c.get(&url).await?;
                        Ok((c, status == 200))
                    }
                },
            )
            .await?;
            if errors > 0 {
                bail!("{name}: {errors} requests did not answer 200");
            }
            if round == 1 {
                results = Some((latencies, started.elapsed().as_secs_f64()));
            }
        }
        let (latencies, elapsed) = results.context("the measured round")?;
        let max = latencies.iter().copied().max().unwrap_or(0);
        let line = serde_json::json!({
            "as": who.split('@').next(),
            "path": path(0),
            "says": says,
            "requests": latencies.len(),
            "per_s": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": percentile(&latencies, 0.50),
            "p99_ms": percentile(&latencies, 0.99),
            "max_ms": (f64::from(max) / 10.0).round() / 100.0,
        });
        eprintln!("{name}: {line}");
        figures.insert(name.to_string(), line);
    }
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut ready = ready;
    if let Some(r) = ready.as_object_mut() {
        r.remove("front_token");
    }
    Ok(serde_json::json!({
        "mode": "views",
        "store": ready,
        "store_reused": reused,
        "clients": clients,
        "seconds_per_page": seconds,
        "pages": figures,
        "server_peak_rss_mb": server.peak_rss_mb()?,
        "db_size_mb": server.db_size_mb(),
        "loadavg_before": load_before.trim(),
        "loadavg_after": load_after.trim(),
    }))
}

/// `EXPLAIN QUERY PLAN` of each statement (with its values written in) against the
/// store at `db`, and the median time of `runs` runs reading every row: to tell which of
/// a page's queries costs what.
pub fn explain(db: &Path, statements: &[String], runs: u32) -> Result<serde_json::Value> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = Vec::new();
    for sql in statements {
        let mut plan = Vec::new();
        {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                plan.push(r.get::<_, String>(3)?);
            }
        }
        let mut times = Vec::new();
        let mut rows_read = 0;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            rows_read = 0;
            while rows.next()?.is_some() {
                rows_read += 1;
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let line = serde_json::json!({
            "sql": sql,
            "plan": plan,
            "rows": rows_read,
            "median_ms": (times[(times.len() - 1) / 2] * 100.0).round() / 100.0,
        });
        eprintln!("{}", serde_json::to_string_pretty(&line)?);
        out.push(line);
    }
    Ok(serde_json::Value::Array(out))
}
