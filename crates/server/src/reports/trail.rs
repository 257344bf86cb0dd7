//! The monthly trail with names: who each person is, and the figures of docs/metrics.md.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_analytics::trail::{trail, PersonTrail, SortBy, TRAIL_KINDS};
use roadone_analytics::Month;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailRow {
    pub person: i64,
    pub name: String,
    pub role: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub figures: PersonTrail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailReport {
    pub month: String,
    /// `solves` or `buck_passing`: the order of `people`.
    pub sorted_by: String,
    pub people: Vec<TrailRow>,
}

pub fn parse_sort(text: Option<&str>) -> Result<SortBy, String> {
    match text.unwrap_or("solves") {
        "solves" => Ok(SortBy::Solves),
        "buck_passing" => Ok(SortBy::BuckPassing),
        other => Err(format!("{other:?} is not solves or buck_passing")),
    }
}

pub async fn monthly(state: &AppState, month: Month, sort: SortBy) -> AppResult<TrailReport> {
    let kinds = TRAIL_KINDS.to_vec();
    let events = state
        .store
        .events_of_active_cases(month.start(), month.end(), kinds)
        .await?;
    let mut computed = tokio::task::spawn_blocking(move || trail(month, &events))
        .await
        .map_err(|e| crate::AppError::Internal(format!("computing the trail: {e}")))?;
    computed.sort(sort);
    let snapshot = state.directory.snapshot();
    let people = computed
        .people
        .into_iter()
        .map(|figures| TrailRow {
            person: figures.person,
            name: snapshot.person_name(figures.person),
            role: snapshot
                .person(figures.person)
                .map(|p| p.role.as_str().to_string())
                .unwrap_or_default(),
            figures,
        })
        .collect();
    Ok(TrailReport {
        month: computed.month,
        sorted_by: match sort {
            SortBy::Solves => "solves",
            SortBy::BuckPassing => "buck_passing",
        }
        .into(),
        people,
    })
}

/// The CSV columns, in the order of docs/metrics.md.
pub const CSV_HEADER: &[&str] = &[
    "person",
    "name",
    "role",
    "received_intake",
    "received_pass_up",
    "received_take",
    "received_upgrade",
    "received_escalation",
    "received_reopen",
    "received_total",
    "solved",
    "passed_up",
    "taken",
    "upgraded",
    "junk_marked",
    "junk_marks_undone",
    "holdings",
    "held_median_seconds",
    "held_p90_seconds",
    "escalations_while_owner",
    "buck_passing_index",
    "quick_catches",
    "escalations_received",
    "escalations_solved",
    "escalations_unsolved",
    "escalation_solve_median_seconds",
    "escalation_solve_p90_seconds",
];

pub fn csv_rows(report: &TrailReport) -> Vec<Vec<String>> {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    report
        .people
        .iter()
        .map(|r| {
            let f = &r.figures;
            let rc = &f.received;
            vec![
                r.person.to_string(),
                r.name.clone(),
                r.role.clone(),
                rc.intake.to_string(),
                rc.pass_up.to_string(),
                rc.take.to_string(),
                rc.upgrade.to_string(),
                rc.escalation.to_string(),
                rc.reopen.to_string(),
                f.received_total.to_string(),
                f.solved.to_string(),
                f.passed_up.to_string(),
                f.taken.to_string(),
                f.upgraded.to_string(),
                f.junk_marked.to_string(),
                f.junk_marks_undone.to_string(),
                f.holdings.to_string(),
                opt(f.held_median_seconds),
                opt(f.held_p90_seconds),
                f.escalations_while_owner.to_string(),
                f.buck_passing_index
                    .map(|b| format!("{b:.3}"))
                    .unwrap_or_default(),
                f.quick_catches.to_string(),
                f.escalations_received.to_string(),
                f.escalations_solved.to_string(),
                f.escalations_unsolved.to_string(),
                opt(f.escalation_solve_median_seconds),
                opt(f.escalation_solve_p90_seconds),
            ]
        })
        .collect()
}
