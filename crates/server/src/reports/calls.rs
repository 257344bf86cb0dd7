//! The calls report for a month (docs/metrics.md, "Calls"): the month's call legs from the
//! store, the company's clock for hours and days, and the call rules in force.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{Datelike, Timelike};
use roadone_analytics::calls::{call_report, CallParams, CallReport, LEADS_TO_CASE_WITHIN};
use roadone_analytics::Month;
use roadone_store::CallLeg;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallsReport {
    pub month: String,
    /// The zone hours and days of the week are counted in.
    pub time_zone: String,
    /// The names of the people among the operators, by id (an operator is a person when
    /// a phone line or their email names them).
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
    let legs = month_of_legs(state, month).await?;
    let cases = state
        .store
        .phone_cases_between(month.start(), month.end() + LEADS_TO_CASE_WITHIN)
        .await?;
    let snapshot = state.directory.snapshot();
    let settings = &snapshot.settings;
    let zone = settings.time_zone;
    let params = CallParams {
        one_ring: settings.calls.one_ring,
        service_level: settings.calls.service_level,
        people: snapshot.operators(),
    };
    let report = tokio::task::spawn_blocking(move || {
        call_report(&legs, &cases, &params, |t| {
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
    let names = report
        .operators
        .iter()
        .filter_map(|o| o.person)
        .map(|id| (id.to_string(), snapshot.person_name(id)))
        .collect();
    Ok(CallsReport {
        month: month.to_string(),
        time_zone: zone.name().to_string(),
        names,
        report,
    })
}

/// The month's legs in arrival order, read as several runs of the month at once: reading
/// a million rows is most of the report's time, and each run has a reader of its own.
async fn month_of_legs(state: &AppState, month: Month) -> AppResult<Vec<CallLeg>> {
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as i32;
    let (start, end) = (month.start(), month.end());
    let bounds: Vec<_> = (0..=parts)
        .map(|i| start + (end - start) * i / parts)
        .collect();
    let runs: Vec<_> = bounds
        .windows(2)
        .map(|w| {
            let (store, from, to) = (state.store.clone(), w[0], w[1]);
            tokio::spawn(async move { store.call_legs_between(from, to).await })
        })
        .collect();
    let mut legs = Vec::new();
    for run in runs {
        let run = run
            .await
            .map_err(|e| AppError::Internal(format!("reading the month's calls: {e}")))?;
        legs.extend(run?);
    }
    Ok(legs)
}

pub const CSV_HEADER: &[&str] = &[
    "section",
    "key",
    "name",
    "offered",
    "answered",
    "one_ring",
    "within_service_level",
    "abandoned",
    "talk_seconds",
    "talk_median_seconds",
    "talk_p90_seconds",
    "cases",
    "solved_by_them",
    "passed_up",
    "rated",
    "delighted",
];

/// One row for the month, then one per week, hour, day of the week and operator; a figure
/// a section does not have is left empty.
pub fn csv_rows(r: &CallsReport) -> Vec<Vec<String>> {
    let c = &r.report;
    let n = |v: u32| Some(v.to_string());
    let row = |section: &str, key: String, name: String, figures: [Option<String>; 13]| {
        let mut out = vec![section.to_string(), key, name];
        out.extend(figures.into_iter().map(Option::unwrap_or_default));
        out
    };
    let mut rows = vec![row(
        "month",
        r.month.clone(),
        String::new(),
        [
            n(c.offered),
            n(c.answered),
            n(c.one_ring),
            n(c.within_service_level),
            n(c.abandoned),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    )];
    for w in &c.by_week {
        let mut figures: [Option<String>; 13] = Default::default();
        figures[0] = n(w.offered);
        figures[2] = n(w.one_ring);
        rows.push(row("week", w.starts.to_string(), String::new(), figures));
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
        let mut figures: [Option<String>; 13] = Default::default();
        figures[0] = n(s.offered);
        figures[1] = n(s.answered);
        figures[3] = n(s.within_service_level);
        rows.push(row(section, key, String::new(), figures));
    }
    for o in &c.operators {
        let name = o
            .person
            .and_then(|id| r.names.get(&id.to_string()).cloned())
            .unwrap_or_default();
        let secs = |v: f64| Some(format!("{v:.0}"));
        rows.push(row(
            "operator",
            o.lines.join(" "),
            name,
            [
                None,
                n(o.answered),
                n(o.one_ring),
                None,
                None,
                secs(o.talk_seconds),
                secs(o.talk_median_seconds),
                secs(o.talk_p90_seconds),
                n(o.cases),
                n(o.solved_by_them),
                n(o.passed_up),
                n(o.rated),
                n(o.delighted),
            ],
        ));
    }
    rows
}
