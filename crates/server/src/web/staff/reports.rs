//! The report pages for managers, executives and admins: the monthly trail as a table and
//! a chart (server-drawn SVG, no script), with its CSV beside it.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::api::reports::READERS;
use crate::reports::trail::{self, TrailReport};
use crate::web::pages::{render, WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use roadone_analytics::Month;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TrailQuery {
    month: Option<String>,
    sort: Option<String>,
}

fn readers_only(me: &SignedIn) -> Result<(), WebError> {
    if READERS.contains(&me.person.role) {
        Ok(())
    } else {
        Err(WebError(AppError::Forbidden(
            "reports are for managers, executives and admins".into(),
        )))
    }
}

async fn report(state: &AppState, q: &TrailQuery) -> Result<(Month, TrailReport), WebError> {
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        None => Month::of(state.clock.now()),
        Some(text) => Month::parse(text).map_err(|e| AppError::invalid("month", e.to_string()))?,
    };
    let sort = trail::parse_sort(q.sort.as_deref()).map_err(|e| AppError::invalid("sort", e))?;
    Ok((month, trail::monthly(state, month, sort).await?))
}

fn hours(seconds: Option<i64>) -> String {
    seconds
        .map(|s| format!("{:.1} h", s as f64 / 3600.0))
        .unwrap_or_else(|| "–".into())
}

/// Horizontal bars, one per person: solves, then passes up, on one scale.
fn bars(report: &TrailReport) -> Value {
    const WIDTH: f64 = 400.0;
    let most = report
        .people
        .iter()
        .map(|r| r.figures.solved + r.figures.passed_up)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = WIDTH / f64::from(most);
    let rows: Vec<Value> = report
        .people
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let solved = f64::from(r.figures.solved) * scale;
            let passed = f64::from(r.figures.passed_up) * scale;
            context! {
                y => i * 24,
                name => r.name.clone(),
                solved => r.figures.solved,
                passed => r.figures.passed_up,
                solved_width => format!("{solved:.1}"),
                passed_x => format!("{:.1}", 160.0 + solved),
                passed_width => format!("{passed:.1}"),
                label_x => format!("{:.1}", 166.0 + solved + passed),
            }
        })
        .collect();
    context! { height => report.people.len() * 24 + 8, rows }
}

pub async fn trail_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<TrailQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (month, report) = report(&state, &q).await?;
    let previous = Month::of(month.start() - chrono::Duration::days(1));
    let rows: Vec<Value> = report
        .people
        .iter()
        .map(|r| {
            let f = &r.figures;
            context! {
                name => r.name.clone(),
                role => r.role.clone(),
                received => f.received_total,
                by_route => format!(
                    "{} intake · {} passed · {} taken · {} upgraded · {} escalated · {} reopened",
                    f.received.intake, f.received.pass_up, f.received.take,
                    f.received.upgrade, f.received.escalation, f.received.reopen
                ),
                solved => f.solved,
                passed_up => f.passed_up,
                taken => f.taken,
                upgraded => f.upgraded,
                held_median => hours(f.held_median_seconds),
                held_p90 => hours(f.held_p90_seconds),
                escalations_while_owner => f.escalations_while_owner,
                buck => f.buck_passing_index.map(|b| format!("{b:.2}")).unwrap_or_else(|| "–".into()),
                quick_catches => f.quick_catches,
                escalations_received => f.escalations_received,
                escalation_solve => (f.escalations_received > 0).then(|| format!(
                    "{} solved (median {}), {} not yet",
                    f.escalations_solved, hours(f.escalation_solve_median_seconds), f.escalations_unsolved
                )),
            }
        })
        .collect();
    let html = render(
        "staff/report_trail.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            month => month.to_string(),
            previous => previous.to_string(),
            next => month.next().to_string(),
            sorted_by => report.sorted_by.clone(),
            rows,
            chart => bars(&report),
        },
    )?;
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
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"trail-{month}.csv\""),
            ),
        ],
        text,
    )
        .into_response())
}
