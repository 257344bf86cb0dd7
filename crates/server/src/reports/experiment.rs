//! The report of a delight experiment (docs/metrics.md, "Experiments"): its customers and
//! their cases from the store, the team as the directory knows it, last month's traffic
//! for planning; the figures are the analytics crate's.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use roadone_analytics::experiment::{report, ExperimentParams, ExperimentReport};

/// How long each customer is followed for sales and repeat contacts.
pub const FOLLOW_DAYS: u32 = 30;
/// The relative difference in sales, and in mean rating (points), plans are made for.
pub const PLANNED_SALES_LIFT: f64 = 0.10;
pub const PLANNED_RATING_DIFFERENCE: f64 = 0.25;

pub async fn experiment(state: &AppState, key: &str) -> AppResult<ExperimentReport> {
    let record = state.experiment(key)?;
    let settings = record.experiment.settings.clone();
    let now = state.clock.now();
    let data = state
        .store
        .experiment_data(
            key.to_string(),
            settings.currency.clone(),
            settings.look_back_days,
            FOLLOW_DAYS,
        )
        .await?;
    let recent = state
        .store
        .customers_opening_between(
            now - Duration::days(30),
            now,
            settings
                .channels
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            settings.categories.clone(),
        )
        .await?;
    let snapshot = state.directory.snapshot();
    let params = ExperimentParams {
        now,
        follow_days: FOLLOW_DAYS,
        team: settings
            .team
            .iter()
            .map(|&id| {
                (
                    id,
                    snapshot.person_name(id),
                    snapshot.person(id).is_some_and(|p| p.active),
                )
            })
            .collect(),
        daily_customers: Some(recent as f64 / 30.0),
        planned_sales_lift: PLANNED_SALES_LIFT,
        planned_rating_difference: PLANNED_RATING_DIFFERENCE,
    };
    tokio::task::spawn_blocking(move || report(&record, &data, &params))
        .await
        .map_err(|e| AppError::Internal(format!("computing the experiment report: {e}")))
}

/// The columns of the sufficient statistics: enough to recompute every figure.
pub const CSV_HEADER: &[&str] = &[
    "version", "arm", "metric", "n", "sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy",
];

/// One row per version (and `all`), arm and figure.
pub fn csv_rows(r: &ExperimentReport) -> Vec<Vec<String>> {
    r.sufficient
        .iter()
        .map(|row| {
            let m = &row.moments;
            vec![
                row.version.map_or("all".into(), |v| v.to_string()),
                row.arm.as_str().into(),
                row.metric.into(),
                m.n.to_string(),
                m.sum_y.to_string(),
                m.sum_y2.to_string(),
                m.sum_x.to_string(),
                m.sum_x2.to_string(),
                m.sum_xy.to_string(),
            ]
        })
        .collect()
}

/// The columns of the figures as a table (the CLI's and the page's).
pub const FIGURE_HEADER: &[&str] = &[
    "figure",
    "test",
    "treated",
    "control",
    "difference",
    "95% interval",
    "relative",
    "customers",
    "reading",
];

fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A figure as table cells: its label, test, each arm's value, the difference with its
/// interval and relative size, the customers in each arm, and what it says.
pub fn figure_row(f: &roadone_analytics::experiment::Figure) -> Vec<String> {
    let (treated, control, diff, interval, relative) = match &f.effect {
        Some(e) => (
            number(e.treated),
            number(e.control),
            format!("{:+}", number(e.absolute)).replace("++", "+"),
            format!("{} to {}", number(e.absolute_low), number(e.absolute_high)),
            e.relative
                .map_or("-".into(), |r| format!("{:+.1}%", r * 100.0)),
        ),
        None => ("-".into(), "-".into(), "-".into(), "-".into(), "-".into()),
    };
    vec![
        f.label.to_string(),
        f.test.to_string(),
        treated,
        control,
        diff,
        interval,
        relative,
        format!("{} / {}", f.treated_n, f.control_n),
        f.says.clone(),
    ]
}

/// Every figure of a set, sales (unadjusted, then CUPED) first.
pub fn figure_rows(f: &roadone_analytics::experiment::Figures) -> Vec<Vec<String>> {
    std::iter::once(&f.sales)
        .chain(std::iter::once(&f.sales_cuped))
        .chain(&f.figures)
        .map(figure_row)
        .collect()
}
