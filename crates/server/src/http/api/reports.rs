//! The reports over the API: JSON by default, CSV with `format=csv`. Managers, executives
//! and admins only: they are about people.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::Staff;
use crate::http::views::ErrorBody;
use crate::reports::trail::{self, TrailReport};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roadone_analytics::Month;
use roadone_domain::Role;

pub const READERS: &[Role] = &[Role::Manager, Role::Executive, Role::Admin];

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct TrailQuery {
    /// The month, `YYYY-MM` (UTC).
    month: Option<String>,
    /// `solves` (default) or `buck_passing`.
    sort: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

pub fn month_param(text: Option<&str>) -> AppResult<Month> {
    let text = text.ok_or_else(|| AppError::invalid("month", "is required, like 2026-03"))?;
    Month::parse(text).map_err(|e| AppError::invalid("month", e.to_string()))
}

/// Answers a report as JSON, or as a CSV download named after it.
pub fn answer<T: serde::Serialize>(
    format: Option<&str>,
    name: &str,
    json: T,
    csv: impl FnOnce(&T) -> AppResult<String>,
) -> AppResult<Response> {
    match format.unwrap_or("json") {
        "json" => Ok(Json(json).into_response()),
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            csv(&json)?,
        )
            .into_response()),
        other => Err(AppError::invalid(
            "format",
            format!("{other:?} is not json or csv"),
        )),
    }
}

/// The monthly trail: per person, cases received by route, solved, passed up, taken,
/// upgraded, time held, escalations, the buck-passing index and quick catches.
#[utoipa::path(get, path = "/api/v1/reports/trail", params(TrailQuery), security(("bearer" = [])),
    responses((status = 200, body = TrailReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trail(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<TrailQuery>,
) -> AppResult<Response> {
    staff.require_role(READERS, "read reports")?;
    let month = month_param(q.month.as_deref())?;
    let sort = trail::parse_sort(q.sort.as_deref()).map_err(|e| AppError::invalid("sort", e))?;
    if let Some(f) = q
        .format
        .as_deref()
        .filter(|f| !matches!(*f, "json" | "csv"))
    {
        return Err(AppError::invalid(
            "format",
            format!("{f:?} is not json or csv"),
        ));
    }
    let report = trail::monthly(&state, month, sort).await?;
    let name = format!("trail-{month}");
    answer(q.format.as_deref(), &name, report, |r| {
        crate::reports::csv::write(trail::CSV_HEADER, trail::csv_rows(r))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct MathQuery {
    /// W, the days compared before the opening and after the solve [default: 90].
    window_days: Option<i64>,
    /// The currency of the orders compared [default: the one with the most orders].
    currency: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Customer math: each solved case's customer's sales in the W days before against the W
/// days after, raw and adjusted for what everyone else did meanwhile, per solver, intake
/// person, category, road and escalation, with 95% bootstrap intervals and the raise list.
#[utoipa::path(get, path = "/api/v1/reports/customer-math", params(MathQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::customer_math::CustomerMathReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn customer_math(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<MathQuery>,
) -> AppResult<Response> {
    use crate::reports::customer_math as math;
    staff.require_role(READERS, "read reports")?;
    if let Some(f) = q
        .format
        .as_deref()
        .filter(|f| !matches!(*f, "json" | "csv"))
    {
        return Err(AppError::invalid(
            "format",
            format!("{f:?} is not json or csv"),
        ));
    }
    let report = crate::reports::cache::customer_math(
        &state,
        q.window_days
            .unwrap_or_else(|| state.directory.snapshot().settings.sales_window.num_days()),
        q.currency,
        state.clock.now(),
    )
    .await?;
    answer(q.format.as_deref(), "customer-math", report, |r| {
        crate::reports::csv::write(math::CSV_HEADER, math::csv_rows(r))
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct MonthQuery {
    /// The month, `YYYY-MM` (UTC).
    month: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

fn check_format(format: Option<&str>) -> AppResult<()> {
    match format {
        Some(f) if !matches!(f, "json" | "csv") => Err(AppError::invalid(
            "format",
            format!("{f:?} is not json or csv"),
        )),
        _ => Ok(()),
    }
}

/// Delight: the month's ratings (distribution, mean, would-recommend) by solver, category
/// and road, and every top score with what delighted the customer.
#[utoipa::path(get, path = "/api/v1/reports/delight", params(MonthQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::reports::delight::DelightReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delight(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    use crate::reports::delight as d;
    staff.require_role(READERS, "read reports")?;
    let month = month_param(q.month.as_deref())?;
    check_format(q.format.as_deref())?;
    let report = d::monthly(&state, month).await?;
    answer(
        q.format.as_deref(),
        &format!("delight-{month}"),
        report,
        |r| crate::reports::csv::write(d::CSV_HEADER, d::csv_rows(r)),
    )
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
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
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    use crate::reports::roads as r;
    staff.require_role(READERS, "read reports")?;
    let parse = |field: &str, v: Option<&str>| -> AppResult<Month> {
        let v = v.ok_or_else(|| AppError::invalid(field, "is required, like 2026-03"))?;
        Month::parse(v).map_err(|e| AppError::invalid(field, e.to_string()))
    };
    let from = parse("from", q.from.as_deref())?;
    let to = parse("to", q.to.as_deref())?;
    check_format(q.format.as_deref())?;
    let report = r::between(&state, from, to).await?;
    answer(
        q.format.as_deref(),
        &format!("roads-{from}-{to}"),
        report,
        |rep| crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(rep)),
    )
}
