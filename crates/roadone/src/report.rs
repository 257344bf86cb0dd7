//! `roadone report …`: the reports as a table for a terminal, or as JSON or CSV.

use anyhow::{bail, Context, Result};
use roadone_analytics::Month;
use roadone_server::reports::trail::{self, TrailReport};
use roadone_server::AppState;

pub async fn trail(state: &AppState, month: &str, sort: &str, format: &str) -> Result<()> {
    let month = Month::parse(month).context("--month")?;
    let sort = trail::parse_sort(Some(sort))
        .map_err(anyhow::Error::msg)
        .context("--sort")?;
    if !matches!(format, "table" | "json" | "csv") {
        bail!("--format: {format:?} is not table, json or csv");
    }
    let report = trail::monthly(state, month, sort).await?;
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&report)?),
        "csv" => print!(
            "{}",
            roadone_server::reports::csv::write(trail::CSV_HEADER, trail::csv_rows(&report))?
        ),
        _ => print!("{}", table(&report)),
    }
    Ok(())
}

fn hours(seconds: Option<i64>) -> String {
    seconds
        .map(|s| format!("{:.1}h", s as f64 / 3600.0))
        .unwrap_or_else(|| "-".into())
}

fn table(report: &TrailReport) -> String {
    let mut out = format!(
        "Trail for {} (sorted by {})\n{:<24} {:>8} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>8} {:>5} {:>6} {:>9}\n",
        report.month,
        report.sorted_by,
        "person",
        "received",
        "solved",
        "passed",
        "taken",
        "upgr",
        "junk/undo",
        "held p50",
        "held p90",
        "buck",
        "quick",
        "esc recvd"
    );
    for r in &report.people {
        let f = &r.figures;
        let name: String = r.name.chars().take(24).collect();
        out.push_str(&format!(
            "{:<24} {:>8} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>8} {:>5} {:>6} {:>9}\n",
            name,
            f.received_total,
            f.solved,
            f.passed_up,
            f.taken,
            f.upgraded,
            format!("{}/{}", f.junk_marked, f.junk_marks_undone),
            hours(f.held_median_seconds),
            hours(f.held_p90_seconds),
            f.buck_passing_index
                .map(|b| format!("{b:.2}"))
                .unwrap_or_else(|| "-".into()),
            f.quick_catches,
            f.escalations_received,
        ));
    }
    if report.people.is_empty() {
        out.push_str("(nothing happened that month)\n");
    }
    out
}

pub async fn customer_math(
    state: &AppState,
    window_days: Option<i64>,
    currency: Option<String>,
    format: &str,
) -> Result<()> {
    use roadone_server::reports::customer_math as math;
    if !matches!(format, "table" | "json" | "csv") {
        bail!("--format: {format:?} is not table, json or csv");
    }
    let report = roadone_server::reports::cache::customer_math(
        state,
        window_days,
        currency,
        chrono::Utc::now(),
    )
    .await
    .context("customer math")?;
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&report)?),
        "csv" => print!(
            "{}",
            roadone_server::reports::csv::write(math::CSV_HEADER, math::csv_rows(&report))?
        ),
        _ => print!("{}", math_table(&report)),
    }
    Ok(())
}

fn math_table(report: &roadone_server::reports::customer_math::CustomerMathReport) -> String {
    let m = &report.math;
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{:+.1}%", v * 100.0))
            .unwrap_or_else(|| "-".into())
    };
    let Some(currency) = &report.currency else {
        return "No orders yet: import them with `roadone import orders FILE.csv`.\n".into();
    };
    let mut out = format!(
        "Customer math, {currency}, {} days before and after: {} cases compared, {} not solved, {} inside their window, {} with no history, {} with nobody to compare\n{}\n{}\n\n",
        m.window_days,
        m.cases_compared,
        m.excluded_open,
        m.excluded_inside_window,
        m.excluded_no_history,
        m.excluded_unmatched,
        report.shown,
        m.chance
    );
    out.push_str(&format!(
        "{:<12} {:<24} {:>6} {:>9} {:>21} {:>9} {:>9}\n",
        "grouping", "", "cases", "adjusted", "95% interval", "vs peers", "raw"
    ));
    let header = roadone_server::reports::customer_math::CSV_HEADER;
    for row in roadone_server::reports::customer_math::csv_rows(report) {
        let cell = |name: &str| -> &str {
            header
                .iter()
                .position(|h| *h == name)
                .map_or("", |i| row[i].as_str())
        };
        let label = if cell("name").is_empty() {
            cell("key")
        } else {
            cell("name")
        };
        let parse = |s: &str| s.parse::<f64>().ok();
        let interval = match (parse(cell("adjusted_low")), parse(cell("adjusted_high"))) {
            (Some(l), Some(h)) => format!("{} to {}", pct(Some(l)), pct(Some(h))),
            _ => "-".into(),
        };
        let name: String = label.chars().take(24).collect();
        out.push_str(&format!(
            "{:<12} {:<24} {:>6} {:>9} {:>21} {:>9} {:>9} {}\n",
            cell("grouping"),
            name,
            cell("n"),
            pct(parse(cell("adjusted_lift"))),
            interval,
            pct(parse(cell("vs_peers"))),
            pct(parse(cell("raw_lift"))),
            if cell("list").is_empty() {
                cell("says")
            } else {
                cell("list")
            }
        ));
    }
    out
}

pub(crate) fn check_format(format: &str) -> Result<()> {
    if !matches!(format, "table" | "json" | "csv") {
        bail!("--format: {format:?} is not table, json or csv");
    }
    Ok(())
}

/// Prints a report as JSON, as CSV, or (`table`) as `table` prints it.
pub(crate) fn show<T: serde::Serialize>(
    format: &str,
    report: &T,
    header: &[&str],
    rows: Vec<Vec<String>>,
    table: impl FnOnce(&T, &[Vec<String>]),
) -> Result<()> {
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(report)?),
        "csv" => print!("{}", roadone_server::reports::csv::write(header, rows)?),
        _ => table(report, &rows),
    }
    Ok(())
}

/// Rows as aligned columns, the header first.
pub(crate) fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut out: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", crate::terminal::printable(c)))
            .collect();
        if let Some(last) = out.last_mut() {
            *last = last.trim_end().to_string();
        }
        out.join("  ") + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

pub async fn delight(state: &AppState, month: &str, format: &str) -> Result<()> {
    use roadone_server::reports::delight as d;
    let month = Month::parse(month).context("--month")?;
    check_format(format)?;
    let report = d::monthly(state, month).await?;
    let rows = d::csv_rows(&report);
    show(format, &report, d::CSV_HEADER, rows, |report, rows| {
        println!("Delight in {month}");
        print!("{}", columns(d::CSV_HEADER, rows));
        for x in &report.delight.delighted {
            let who = report
                .names
                .get(&x.solver.to_string())
                .cloned()
                .unwrap_or_default();
            println!(
                "  5/5, case {} ({}, {who}): {}",
                x.case_id, x.category, x.delighted_by
            );
        }
    })
}

pub async fn roads(state: &AppState, from: &str, to: &str, format: &str) -> Result<()> {
    use roadone_server::reports::roads as r;
    let from = Month::parse(from).context("--from")?;
    let to = Month::parse(to).context("--to")?;
    check_format(format)?;
    let report = r::between(state, from, to).await?;
    let rows = r::csv_rows(&report);
    show(format, &report, r::CSV_HEADER, rows, |report, rows| {
        println!("Roads from {from} to {to}");
        print!("{}", columns(r::CSV_HEADER, rows));
        for l in report.roads.learned.iter().take(20) {
            println!(
                "  {} {} road {}: {}",
                l.month, l.category, l.road, l.learned
            );
        }
    })
}

pub async fn calls(state: &AppState, month: &str, format: &str) -> Result<()> {
    use roadone_server::reports::calls as r;
    let month = Month::parse(month).context("--month")?;
    check_format(format)?;
    let report = r::monthly(state, month).await?;
    let rows = r::csv_rows(&report);
    show(format, &report, r::CSV_HEADER, rows, |report, rows| {
        let c = &report.report;
        let share = |s: Option<f64>| s.map_or("-".into(), |s| format!("{:.1}%", s * 100.0));
        let secs = |s: Option<f64>| s.map_or("-".into(), |s| format!("{s:.0} s"));
        println!(
            "Calls in {month} ({}): {} offered, {} answered; in one ring (≤ {:.0} s) {}; \
                 within {:.0} s {}; abandoned {} (waited p50 {}, p90 {}), busy {}, failed {}",
            report.time_zone,
            c.offered,
            c.answered,
            c.one_ring_seconds,
            share(c.one_ring_share),
            c.service_level_seconds,
            share(c.service_level),
            c.abandoned,
            secs(c.abandoned_wait.p50_seconds),
            secs(c.abandoned_wait.p90_seconds),
            c.busy,
            c.failed,
        );
        println!(
            "Ring before an answer: p50 {}, p90 {}",
            secs(c.ring.p50_seconds),
            secs(c.ring.p90_seconds)
        );
        print!("{}", columns(r::CSV_HEADER, &rows[1..]));
    })
}
