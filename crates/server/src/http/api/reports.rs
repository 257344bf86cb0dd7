//! The reports over the API: JSON by default, CSV with `format=csv`. Managers, executives
//! and admins only: they are about people.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiQuery;
use crate::http::extract::Staff;
use crate::http::views::ErrorBody;
use crate::reports::trail::{self, TrailReport};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roadone_analytics::Month;
use roadone_domain::Capability;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrailQuery {
    /// The month, `YYYY-MM` (UTC).
    month: Option<String>,
    /// `solves` (default) or `buck_passing`.
    sort: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

pub fn month_param(field: &str, text: Option<&str>) -> AppResult<Month> {
    let text = text.ok_or_else(|| AppError::invalid(field, "is required, like 2026-03"))?;
    Month::parse(text).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// How a report is answered, read before any work is done.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Json,
    Csv,
}

pub fn format_param(text: Option<&str>) -> AppResult<Format> {
    match text.unwrap_or("json") {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        other => Err(AppError::invalid(
            "format",
            format!("{other:?} is not json or csv"),
        )),
    }
}

/// Answers a report as JSON, or as a CSV download named after it.
pub fn answer<T: serde::Serialize>(
    format: Format,
    name: &str,
    json: T,
    csv: impl FnOnce(&T) -> AppResult<String>,
) -> AppResult<Response> {
    Ok(match format {
        Format::Json => Json(json).into_response(),
        Format::Csv => crate::reports::csv::download(name, csv(&json)?),
    })
}

/// The monthly trail: per person, cases received by route, solved, passed up, taken,
/// upgraded, time held, escalations, the buck-passing index and quick catches.
#[utoipa::path(get, path = "/api/v1/reports/trail", params(TrailQuery), security(("bearer" = [])),
    responses((status = 200, body = TrailReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trail(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<TrailQuery>,
) -> AppResult<Response> {
    staff.require(Capability::ReadReports, "read reports")?;
    let month = month_param("month", q.month.as_deref())?;
    let sort = trail::parse_sort(q.sort.as_deref()).map_err(|e| AppError::invalid("sort", e))?;
    let format = format_param(q.format.as_deref())?;
    let report = trail::monthly(&state, month, sort).await?;
    answer(format, &format!("trail-{month}"), report, |r| {
        crate::reports::csv::write(trail::CSV_HEADER, trail::csv_rows(r))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MathQuery {
    /// W, the days compared before the opening and after the solve [default: 90].
    window_days: Option<i64>,
    /// The currency of the orders compared [default: the one with the most orders].
    currency: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Customer math: each solved case's customer's sales in the W days after, raw (against
/// the W days before) and adjusted (against customers who started buying when they did,
/// at the same age, moved to the customer's own level), per solver, intake
/// person, category, road and escalation, with 95% intervals and the raise and below-zero
/// lists (Benjamini–Hochberg over all solvers).
#[utoipa::path(get, path = "/api/v1/reports/customer-math", params(MathQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::customer_math::CustomerMathReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn customer_math(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<MathQuery>,
) -> AppResult<Response> {
    use crate::reports::customer_math as math;
    staff.require(Capability::ReadReports, "read reports")?;
    let format = format_param(q.format.as_deref())?;
    let report =
        crate::reports::cache::customer_math(&state, q.window_days, q.currency, state.clock.now())
            .await?;
    answer(format, "customer-math", report, |r| {
        crate::reports::csv::write(math::CSV_HEADER, math::csv_rows(r))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// The month, `YYYY-MM` (UTC).
    month: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Delight: the month's ratings (distribution, mean, would-recommend) by solver, category
/// and road, and every top score with what delighted the customer.
#[utoipa::path(get, path = "/api/v1/reports/delight", params(MonthQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::delight::DelightReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delight(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> AppResult<Response> {
    use crate::reports::delight as d;
    staff.require(Capability::ReadReports, "read reports")?;
    let month = month_param("month", q.month.as_deref())?;
    let format = format_param(q.format.as_deref())?;
    let report = d::monthly(&state, month).await?;
    answer(format, &format!("delight-{month}"), report, |r| {
        crate::reports::csv::write(d::CSV_HEADER, d::csv_rows(r))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The first month, `YYYY-MM`.
    from: Option<String>,
    /// The last month, `YYYY-MM` (at most 18 months after `from`).
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Roads and learning: per month and category, the solves on each of the four roads, and
/// what was learned.
#[utoipa::path(get, path = "/api/v1/reports/roads", params(RangeQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::roads::RoadsReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn roads(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> AppResult<Response> {
    use crate::reports::roads as r;
    staff.require(Capability::ReadReports, "read reports")?;
    let from = month_param("from", q.from.as_deref())?;
    let to = month_param("to", q.to.as_deref())?;
    let format = format_param(q.format.as_deref())?;
    let report = r::between(&state, from, to).await?;
    answer(format, &format!("roads-{from}-{to}"), report, |rep| {
        crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(rep))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallsQuery {
    /// The month, `YYYY-MM` (UTC), by the calls' arrival.
    month: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Answer speed and engagement: the share of offered calls answered within one ring
/// (`ring_seconds`), by week; ring times (p50, p90, histogram); abandoned calls and their
/// waits; the service level by hour and day of the week; per operator, calls answered and
/// talk time (engagement, never a fault).
#[utoipa::path(get, path = "/api/v1/reports/calls", params(CallsQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::calls::CallsReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn calls(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<CallsQuery>,
) -> AppResult<Response> {
    use crate::reports::calls as r;
    staff.require(Capability::ReadReports, "read reports")?;
    let month = month_param("month", q.month.as_deref())?;
    let format = format_param(q.format.as_deref())?;
    let report = r::monthly(&state, month).await?;
    answer(format, &format!("calls-{month}"), report, |rep| {
        crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(rep))
    })
}
