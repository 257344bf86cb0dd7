//! Roads and learning over a range of months: the road mix per category and month, and
//! what was learned, with the solvers' names.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_analytics::roads::{roads, Roads, ROAD_KINDS};
use roadone_analytics::Month;
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many months in one report (a year and a half).
pub const MAX_MONTHS: usize = 18;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoadsReport {
    pub names: BTreeMap<String, String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub roads: Roads,
}

/// Checks the range: `to` not before `from`, and not too long.
pub fn range(from: Month, to: Month) -> AppResult<()> {
    if to < from {
        return Err(AppError::invalid("to", "must not be before from"));
    }
    let mut n = 1;
    let mut m = from;
    while m < to {
        m = m.next();
        n += 1;
    }
    if n > MAX_MONTHS {
        return Err(AppError::invalid(
            "to",
            format!("at most {MAX_MONTHS} months at a time"),
        ));
    }
    Ok(())
}

pub async fn between(state: &AppState, from: Month, to: Month) -> AppResult<RoadsReport> {
    range(from, to)?;
    let kinds = ROAD_KINDS.to_vec();
    let events = state
        .store
        .events_of_active_cases(from.start(), to.end(), kinds)
        .await?;
    let computed = tokio::task::spawn_blocking(move || roads(from, to, &events))
        .await
        .map_err(|e| AppError::Internal(format!("computing the road mix: {e}")))?;
    let snapshot = state.directory.snapshot();
    let names = computed
        .learned
        .iter()
        .map(|l| (l.solver.to_string(), snapshot.person_name(l.solver)))
        .collect();
    Ok(RoadsReport {
        names,
        roads: computed,
    })
}

pub const CSV_HEADER: &[&str] = &[
    "month", "category", "road_1", "road_2", "road_3", "road_4", "solved",
];

pub fn csv_rows(report: &RoadsReport) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (month, categories) in &report.roads.by_month {
        for (category, mix) in categories {
            let mut row = vec![month.clone(), category.clone()];
            row.extend(mix.roads.iter().map(u32::to_string));
            row.push(mix.solved.to_string());
            rows.push(row);
        }
    }
    rows
}
