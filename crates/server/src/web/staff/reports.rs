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

#[derive(Deserialize, Default)]
pub struct MathQuery {
    window_days: Option<i64>,
    currency: Option<String>,
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:+.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn interval(e: &roadone_analytics::customer_math::Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{} to {}", percent(Some(l)), percent(Some(h))),
        _ => "–".into(),
    }
}

/// The intervals of the solvers' adjusted lifts on one axis that includes zero.
fn interval_chart(report: &crate::reports::customer_math::CustomerMathReport) -> Value {
    const LEFT: f64 = 170.0;
    const WIDTH: f64 = 440.0;
    let solvers: Vec<_> = report
        .math
        .by_solver
        .iter()
        .filter(|g| g.lift.adjusted.low.is_some())
        .collect();
    let (lo, hi) = solvers.iter().fold((0.0f64, 0.0f64), |(lo, hi), g| {
        (
            lo.min(g.lift.adjusted.low.unwrap_or(0.0)),
            hi.max(g.lift.adjusted.high.unwrap_or(0.0)),
        )
    });
    let span = (hi - lo).max(0.01);
    let x = |v: f64| LEFT + (v - lo) / span * WIDTH;
    let rows: Vec<Value> = solvers
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = &g.lift.adjusted;
            let colour = match (a.low, a.high) {
                (Some(l), _) if l > 0.0 => "#1e6b34",
                (_, Some(h)) if h < 0.0 => "#a4161a",
                _ => "#4a5562",
            };
            context! {
                y => i * 24 + 12,
                name => report.names.get(&g.key).cloned().unwrap_or_else(|| g.key.clone()),
                x1 => format!("{:.1}", x(a.low.unwrap_or(0.0))),
                x2 => format!("{:.1}", x(a.high.unwrap_or(0.0))),
                cx => format!("{:.1}", x(a.lift.unwrap_or(0.0))),
                colour,
                said => format!("{} (95%: {}), n = {}", percent(a.lift), interval(a), g.lift.n),
            }
        })
        .collect();
    context! {
        height => rows.len() * 24 + 30,
        zero => format!("{:.1}", x(0.0)),
        low_label => percent(Some(lo)),
        high_label => percent(Some(hi)),
        rows,
    }
}

fn group_rows(
    report: &crate::reports::customer_math::CustomerMathReport,
    groups: &[roadone_analytics::customer_math::Group],
    label: impl Fn(&str) -> String,
) -> Vec<Value> {
    groups
        .iter()
        .map(|g| {
            let l = &g.lift;
            context! {
                name => report.names.get(&g.key).cloned().unwrap_or_else(|| label(&g.key)),
                n => l.n,
                raw => percent(l.raw.lift),
                raw_interval => interval(&l.raw),
                adjusted => percent(l.adjusted.lift),
                adjusted_interval => interval(&l.adjusted),
                vs_peers => percent(l.vs_peers),
                lost => l.customers_lost,
                gained => l.customers_gained,
            }
        })
        .collect()
}

pub async fn customer_math_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<MathQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let window = q
        .window_days
        .unwrap_or_else(|| state.directory.snapshot().settings.sales_window.num_days());
    let currency = q.currency.clone().filter(|c| !c.is_empty());
    let report =
        crate::reports::customer_math::compute(&state, window, currency, state.clock.now()).await?;
    let m = &report.math;
    let road = |k: &str| {
        k.parse::<u8>()
            .ok()
            .and_then(|r| roadone_domain::Road::try_from(r).ok())
            .map(|r| crate::web::staff::cases::road_label(r).to_string())
            .unwrap_or_else(|| k.to_string())
    };
    let plain = |k: &str| k.replace('_', " ");
    let listed = |list: &[roadone_analytics::customer_math::RaiseEntry]| -> Vec<Value> {
        list.iter()
            .map(|r| {
                context! {
                    name => report.names.get(&r.person.to_string()).cloned().unwrap_or_default(),
                    lift => percent(r.adjusted.lift),
                    interval => interval(&r.adjusted),
                    n => r.n,
                }
            })
            .collect()
    };
    let html = render(
        "staff/report_customer_math.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            window,
            currency => report.currency.clone(),
            other_currencies => report.other_currencies.clone(),
            shown => report.shown.clone(),
            compared => m.cases_compared,
            excluded_open => m.excluded_open,
            excluded_inside_window => m.excluded_inside_window,
            baseline_customers => m.baseline_customers,
            overall => group_rows(&report, std::slice::from_ref(&roadone_analytics::customer_math::Group { key: "all cases".into(), lift: m.overall.clone() }), plain),
            raise => listed(&m.raise),
            below => listed(&m.below),
            chart => interval_chart(&report),
            solvers => group_rows(&report, &m.by_solver, plain),
            intake => group_rows(&report, &m.by_intake, plain),
            categories => group_rows(&report, &m.by_category, plain),
            roads => group_rows(&report, &m.by_road, road),
            escalation => group_rows(&report, &m.by_escalation, plain),
        },
    )?;
    Ok(html.into_response())
}

pub async fn customer_math_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<MathQuery>,
) -> WebResult<Response> {
    use crate::reports::customer_math as math;
    readers_only(&me)?;
    let currency = q.currency.clone().filter(|c| !c.is_empty());
    let window = q
        .window_days
        .unwrap_or_else(|| state.directory.snapshot().settings.sales_window.num_days());
    let report = math::compute(&state, window, currency, state.clock.now()).await?;
    let text = crate::reports::csv::write(math::CSV_HEADER, math::csv_rows(&report))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"customer-math.csv\"".to_string(),
            ),
        ],
        text,
    )
        .into_response())
}
