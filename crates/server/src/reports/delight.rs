//! Delight with names: the ratings of a month, by solver, category and road, and every top
//! score with what delighted the customer.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_analytics::delight::{delight, Delight, DELIGHT_KINDS};
use roadone_analytics::Month;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DelightReport {
    /// The names of the people in the report, by id.
    pub names: BTreeMap<String, String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub delight: Delight,
}

pub async fn monthly(state: &AppState, month: Month) -> AppResult<DelightReport> {
    let kinds = DELIGHT_KINDS.to_vec();
    // Cases rated in the month: their ratings fall in it (the store finds cases active
    // in the window by any of the kinds, so solves in it bring their cases too; only
    // ratings in the month are counted).
    let events = state
        .store
        .events_of_active_cases(month.start(), month.end(), kinds)
        .await?;
    let computed = tokio::task::spawn_blocking(move || delight(month, &events))
        .await
        .map_err(|e| AppError::Internal(format!("computing delight: {e}")))?;
    let snapshot = state.directory.snapshot();
    let names = computed
        .by_solver
        .keys()
        .map(|id| (id.to_string(), snapshot.person_name(*id)))
        .collect();
    Ok(DelightReport {
        names,
        delight: computed,
    })
}

pub const CSV_HEADER: &[&str] = &[
    "grouping",
    "key",
    "name",
    "n",
    "score_1",
    "score_2",
    "score_3",
    "score_4",
    "score_5",
    "mean",
    "would_recommend",
    "recommend_rate",
];

pub fn csv_rows(report: &DelightReport) -> Vec<Vec<String>> {
    let d = &report.delight;
    let row =
        |grouping: &str, key: String, name: String, r: &roadone_analytics::delight::Ratings| {
            let mut row = vec![grouping.to_string(), key, name, r.n.to_string()];
            row.extend(r.scores.iter().map(u32::to_string));
            row.push(r.mean.map(|m| format!("{m:.2}")).unwrap_or_default());
            row.push(r.would_recommend.to_string());
            row.push(
                r.recommend_rate
                    .map(|m| format!("{m:.3}"))
                    .unwrap_or_default(),
            );
            row
        };
    let mut rows = vec![row("overall", "all".into(), String::new(), &d.overall)];
    for (id, r) in &d.by_solver {
        let name = report
            .names
            .get(&id.to_string())
            .cloned()
            .unwrap_or_default();
        rows.push(row("solver", id.to_string(), name, r));
    }
    for (key, r) in &d.by_category {
        rows.push(row("category", key.clone(), String::new(), r));
    }
    for (road, r) in &d.by_road {
        rows.push(row("road", road.to_string(), String::new(), r));
    }
    rows
}
