//! The monthly trail: who received cases by which route, who solved and who passed up.

use super::{hours, month_or_now, readers_only};
use crate::app::AppState;
use crate::error::AppError;
use crate::reports::trail::{self, TrailReport};
use crate::web::charts::{self, Scale};
use crate::web::pages::WebError;
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::Month;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TrailQuery {
    month: Option<String>,
    sort: Option<String>,
}

async fn report(state: &AppState, q: &TrailQuery) -> Result<(Month, TrailReport), WebError> {
    let month = month_or_now(state, q.month.as_deref(), "month")?;
    let sort = trail::parse_sort(q.sort.as_deref()).map_err(|e| AppError::invalid("sort", e))?;
    Ok((month, trail::monthly(state, month, sort).await?))
}

/// A person's bar of the chart: where its two segments and its label go.
#[derive(Debug)]
struct Bar {
    y: usize,
    name: String,
    solved: u32,
    passed: u32,
    solved_width: String,
    passed_x: String,
    passed_width: String,
    label_x: String,
}

#[derive(Debug)]
struct Chart {
    height: usize,
    rows: Vec<Bar>,
}

/// A person's line of the table, each figure as people read it.
#[derive(Debug)]
struct Row {
    name: String,
    role: String,
    received: u32,
    by_route: String,
    solved: u32,
    passed_up: u32,
    taken: u32,
    upgraded: u32,
    junk_marked: u32,
    junk_marks_undone: u32,
    held_median: String,
    held_p90: String,
    escalations_while_owner: u32,
    buck: String,
    quick_catches: u32,
    escalations_received: u32,
    escalation_solve: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_trail.html")]
struct TrailPage {
    me: Me,
    csrf: String,
    month: String,
    previous: String,
    next: String,
    sorted_by: String,
    rows: Vec<Row>,
    chart: Chart,
}

/// Horizontal bars, one per person: solves, then passes up, on one scale.
fn bars(report: &TrailReport) -> Chart {
    let most = report
        .people
        .iter()
        .map(|r| r.figures.solved + r.figures.passed_up)
        .max()
        .unwrap_or(0);
    let scale = Scale::of_counts(most, 160.0, 400.0);
    let rows: Vec<Bar> = report
        .people
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (segments, end) = charts::stacked(&[r.figures.solved, r.figures.passed_up], &scale);
            Bar {
                y: i * 24,
                name: r.name.clone(),
                solved: r.figures.solved,
                passed: r.figures.passed_up,
                solved_width: charts::coordinate(segments[0].width),
                passed_x: charts::coordinate(segments[1].x),
                passed_width: charts::coordinate(segments[1].width),
                label_x: charts::coordinate(end + 6.0),
            }
        })
        .collect();
    Chart {
        height: report.people.len() * 24 + 8,
        rows,
    }
}

pub async fn trail_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<TrailQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (month, report) = report(&state, &q).await?;
    let previous = Month::of(month.start() - chrono::Duration::days(1));
    let rows: Vec<Row> =
        report
            .people
            .iter()
            .map(|r| {
                let f = &r.figures;
                Row {
                    name: r.name.clone(),
                    role: r.role.clone(),
                    received: f.received_total,
                    by_route: format!(
                    "{} intake · {} passed · {} taken · {} upgraded · {} escalated · {} reopened",
                    f.received.intake, f.received.pass_up, f.received.take,
                    f.received.upgrade, f.received.escalation, f.received.reopen
                ),
                    solved: f.solved,
                    passed_up: f.passed_up,
                    taken: f.taken,
                    upgraded: f.upgraded,
                    junk_marked: f.junk_marked,
                    junk_marks_undone: f.junk_marks_undone,
                    held_median: hours(f.held_median_seconds),
                    held_p90: hours(f.held_p90_seconds),
                    escalations_while_owner: f.escalations_while_owner,
                    buck: f
                        .buck_passing_index
                        .map(|b| format!("{b:.2}"))
                        .unwrap_or_else(|| "–".into()),
                    quick_catches: f.quick_catches,
                    escalations_received: f.escalations_received,
                    escalation_solve: (f.escalations_received > 0).then(|| {
                        format!(
                            "{} solved (median {}), {} not yet",
                            f.escalations_solved,
                            hours(f.escalation_solve_median_seconds),
                            f.escalations_unsolved
                        )
                    }),
                }
            })
            .collect();
    let html = html(&TrailPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        month: month.to_string(),
        previous: previous.to_string(),
        next: month.next().to_string(),
        sorted_by: report.sorted_by.clone(),
        rows,
        chart: bars(&report),
    })?;
    Ok(html.into_response())
}

/// The same trail as CSV, for the signed-in reader (the API's CSV wants a token).
pub async fn trail_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<TrailQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (month, report) = report(&state, &q).await?;
    let text = crate::reports::csv::write(trail::CSV_HEADER, trail::csv_rows(&report))?;
    Ok(crate::reports::csv::download(
        &format!("trail-{month}"),
        text,
    ))
}
