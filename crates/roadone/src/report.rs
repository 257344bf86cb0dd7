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
        "Trail for {} (sorted by {})\n{:<24} {:>8} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>5} {:>6} {:>9}\n",
        report.month,
        report.sorted_by,
        "person",
        "received",
        "solved",
        "passed",
        "taken",
        "upgr",
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
            "{:<24} {:>8} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>5} {:>6} {:>9}\n",
            name,
            f.received_total,
            f.solved,
            f.passed_up,
            f.taken,
            f.upgraded,
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
