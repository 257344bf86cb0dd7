//! The calls report for a month (docs/metrics.md, "Calls"): the month's call legs from the
//! store, the company's clock for hours and days, and the call rules in force.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{Datelike, Timelike};
use roadone_analytics::calls::{call_report, CallParams, CallReport};
use roadone_analytics::Month;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallsReport {
    pub month: String,
    /// The zone hours and days of the week are counted in.
    pub time_zone: String,
    /// The people among the operators: `answered_by` → name, where the telephone system
    /// named the agent by their email.
    pub names: BTreeMap<String, String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub report: CallReport,
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub async fn monthly(state: &AppState, month: Month) -> AppResult<CallsReport> {
    let legs = state
        .store
        .call_legs_between(month.start(), month.end())
        .await?;
    let settings = state.directory.snapshot().settings.clone();
    let zone = settings.time_zone;
    let params = CallParams {
        one_ring: settings.calls.one_ring,
        service_level: settings.calls.service_level,
    };
    let report = tokio::task::spawn_blocking(move || {
        call_report(&legs, &params, |t| {
            let here = zone.local(t);
            (
                here.date_naive(),
                here.weekday().num_days_from_monday(),
                here.hour(),
            )
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("computing the calls report: {e}")))?;
    let snapshot = state.directory.snapshot();
    let names = report
        .operators
        .iter()
        .filter_map(|o| {
            let person = snapshot
                .hierarchy
                .people()
                .find(|p| p.email.eq_ignore_ascii_case(o.answered_by.trim()))?;
            Some((o.answered_by.clone(), person.name.clone()))
        })
        .collect();
    Ok(CallsReport {
        month: month.to_string(),
        time_zone: zone.name().to_string(),
        names,
        report,
    })
}

pub const CSV_HEADER: &[&str] = &[
    "section",
    "key",
    "offered",
    "answered",
    "one_ring",
    "within_service_level",
    "abandoned",
    "talk_seconds",
    "talk_median_seconds",
    "talk_p90_seconds",
];

/// One row for the month, then one per week, hour, day of the week and operator.
pub fn csv_rows(r: &CallsReport) -> Vec<Vec<String>> {
    let c = &r.report;
    let n = |v: u32| v.to_string();
    let blank = String::new;
    let mut rows = vec![vec![
        "month".into(),
        r.month.clone(),
        n(c.offered),
        n(c.answered),
        n(c.one_ring),
        n(c.within_service_level),
        n(c.abandoned),
        blank(),
        blank(),
        blank(),
    ]];
    for w in &c.by_week {
        rows.push(vec![
            "week".into(),
            w.starts.to_string(),
            n(w.offered),
            blank(),
            n(w.one_ring),
            blank(),
            blank(),
            blank(),
            blank(),
            blank(),
        ]);
    }
    let slots = c
        .by_hour
        .iter()
        .enumerate()
        .map(|(h, s)| ("hour", format!("{h:02}"), s))
        .chain(
            c.by_weekday
                .iter()
                .zip(WEEKDAYS)
                .map(|(s, d)| ("weekday", d.to_string(), s)),
        );
    for (section, key, s) in slots {
        rows.push(vec![
            section.into(),
            key,
            n(s.offered),
            n(s.answered),
            blank(),
            n(s.within_service_level),
            blank(),
            blank(),
            blank(),
            blank(),
        ]);
    }
    for o in &c.operators {
        rows.push(vec![
            "operator".into(),
            o.answered_by.clone(),
            blank(),
            n(o.answered),
            n(o.one_ring),
            blank(),
            blank(),
            format!("{:.0}", o.talk_seconds),
            format!("{:.0}", o.talk_median_seconds),
            format!("{:.0}", o.talk_p90_seconds),
        ]);
    }
    rows
}
