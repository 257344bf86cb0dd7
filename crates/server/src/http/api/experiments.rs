//! Delight experiments: set one up, start, pause, resume and end it (admins), read them
//! (staff), and ask which arm a caller is in and whom to ring (a telephone system).

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::experiments::input::SettingsInput;
use crate::http::extract::{ApiJson, ApiQuery, Staff};
use crate::http::views::ErrorBody;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use roadone_domain::{Capability, ExperimentSettings, Lifecycle, PersonId};
use roadone_store::ExperimentRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// start, pause, resume or end.
    pub step: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub name: String,
    pub hypothesis: String,
    pub team: Vec<PersonId>,
    pub fraction: f64,
    pub channels: Vec<String>,
    pub categories: Vec<String>,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    pub monthly_cost: f64,
    pub currency: String,
    pub look_back_days: u32,
}

impl From<&ExperimentSettings> for SettingsView {
    fn from(s: &ExperimentSettings) -> SettingsView {
        SettingsView {
            name: s.name.clone(),
            hypothesis: s.hypothesis.clone(),
            team: s.team.clone(),
            fraction: s.fraction,
            channels: s.channels.iter().map(|c| c.as_str().to_string()).collect(),
            categories: s.categories.clone(),
            planned_start: s.planned_start,
            planned_end: s.planned_end,
            monthly_cost: s.monthly_cost,
            currency: s.currency.clone(),
            look_back_days: s.look_back_days,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: u32,
    pub saved_at: DateTime<Utc>,
    pub saved_by: PersonId,
    pub settings: SettingsView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentEventView {
    /// created, changed, started, paused, resumed or ended.
    pub kind: String,
    pub version: u32,
    pub at: DateTime<Utc>,
    pub by: PersonId,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentView {
    pub key: String,
    /// draft, running, paused or ended.
    pub state: String,
    /// The version of the settings in force.
    pub version: u32,
    pub settings: SettingsView,
    pub created_at: DateTime<Utc>,
    pub created_by: PersonId,
    pub versions: Vec<VersionView>,
    pub events: Vec<ExperimentEventView>,
}

impl From<&ExperimentRecord> for ExperimentView {
    fn from(r: &ExperimentRecord) -> ExperimentView {
        ExperimentView {
            key: r.experiment.key.clone(),
            state: r.experiment.state.as_str().into(),
            version: r.experiment.version,
            settings: SettingsView::from(&r.experiment.settings),
            created_at: r.created_at,
            created_by: r.created_by,
            versions: r
                .versions
                .iter()
                .map(|v| VersionView {
                    version: v.version,
                    saved_at: v.saved_at,
                    saved_by: v.saved_by,
                    settings: SettingsView::from(&v.settings),
                })
                .collect(),
            events: r
                .events
                .iter()
                .map(|e| ExperimentEventView {
                    kind: e.kind.clone(),
                    version: e.version,
                    at: e.at,
                    by: e.by,
                })
                .collect(),
        }
    }
}

/// Every experiment, by key, with its versions and the events of its life.
#[utoipa::path(get, path = "/api/v1/experiments", security(("bearer" = [])),
    responses((status = 200, body = Vec<ExperimentView>)))]
pub async fn list(State(state): State<AppState>, _staff: Staff) -> Json<Vec<ExperimentView>> {
    Json(
        state
            .experiments()
            .iter()
            .map(ExperimentView::from)
            .collect(),
    )
}

/// Sets up an experiment as a draft (admins only); nobody is assigned until it starts.
#[utoipa::path(post, path = "/api/v1/experiments", request_body = SettingsInput, security(("bearer" = [])),
    responses((status = 201, body = ExperimentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<SettingsInput>,
) -> AppResult<(StatusCode, Json<ExperimentView>)> {
    staff.require(Capability::Administer, "set up experiments")?;
    let key = req.key.clone().ok_or_else(|| {
        AppError::invalid(
            "key",
            "is required: the experiment's key, which seeds the split",
        )
    })?;
    if req.expected_version.is_some() {
        return Err(AppError::invalid(
            "expected_version",
            "a new experiment has no version yet: leave it out",
        ));
    }
    let settings = state.experiment_settings(&req).await?;
    let created = state.create_experiment(staff.id(), &key, settings).await?;
    Ok((StatusCode::CREATED, Json(ExperimentView::from(&created))))
}

/// One experiment with its history.
#[utoipa::path(get, path = "/api/v1/experiments/{key}", security(("bearer" = [])),
    params(("key" = String, Path, description = "The experiment's key")),
    responses((status = 200, body = ExperimentView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
) -> AppResult<Json<ExperimentView>> {
    Ok(Json(ExperimentView::from(&state.experiment(&key)?)))
}

/// Changes an experiment's settings (admins only): a draft's in place; once started, the
/// change is a new version (customers keep the arm they have, and the report splits by
/// version); an ended one's not at all.
#[utoipa::path(put, path = "/api/v1/experiments/{key}", request_body = SettingsInput, security(("bearer" = [])),
    params(("key" = String, Path, description = "The experiment's key")),
    responses((status = 200, body = ExperimentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SettingsInput>,
) -> AppResult<Json<ExperimentView>> {
    staff.require(Capability::Administer, "change experiments")?;
    state.experiment(&key)?;
    if req.key.as_deref().is_some_and(|k| k != key) {
        return Err(AppError::invalid(
            "key",
            "an experiment's key cannot change: it seeds the split",
        ));
    }
    let expected = req.expected_version.ok_or_else(|| {
        AppError::invalid(
            "expected_version",
            "is required: the version your change was made on",
        )
    })?;
    let settings = state.experiment_settings(&req).await?;
    let changed = state
        .change_experiment(staff.id(), &key, expected, settings)
        .await?;
    Ok(Json(ExperimentView::from(&changed)))
}

/// Starts, pauses, resumes or ends an experiment (admins only). Starting checks the
/// team again and refuses while another live experiment covers the same customers.
#[utoipa::path(post, path = "/api/v1/experiments/{key}/steps", request_body = StepRequest, security(("bearer" = [])),
    params(("key" = String, Path, description = "The experiment's key")),
    responses((status = 200, body = ExperimentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<StepRequest>,
) -> AppResult<Json<ExperimentView>> {
    staff.require(Capability::Administer, "start, pause or end experiments")?;
    let step = Lifecycle::parse(req.step.trim())
        .ok_or_else(|| AppError::invalid("step", "must be start, pause, resume or end"))?;
    let record = state.experiment_step(staff.id(), &key, step).await?;
    Ok(Json(ExperimentView::from(&record)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssignmentQuery {
    /// The experiment asked about; default: the running one that takes in phone calls.
    pub experiment: Option<String>,
    /// The caller's number, in E.164 or as dialled in the company's phone region.
    pub phone: Option<String>,
    /// Or the customer's id.
    pub customer: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RingView {
    pub person_id: PersonId,
    pub name: String,
    pub email: String,
    /// The phone lines this person answers on, as the telephone system names them.
    pub lines: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    /// The running experiment that takes in phone calls; null: none.
    pub experiment: Option<String>,
    pub customer_id: Option<i64>,
    /// treated or control; null when there is no experiment or no customer yet.
    pub arm: Option<String>,
    /// Whether the arm is stored (false: the hash's answer, stored when their first case
    /// opens).
    pub stored: bool,
    /// Whom to ring: a treated caller's member of the team; null: ring as usual.
    pub ring: Option<RingView>,
    pub reason: String,
}

/// Which arm a caller is in and whom a telephone system should ring, before anyone picks
/// up. Reads only: nothing is stored.
#[utoipa::path(get, path = "/api/v1/experiments/assignment", params(AssignmentQuery), security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assignment(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<AssignmentQuery>,
) -> AppResult<Json<AssignmentView>> {
    let found = state
        .assignment_for_caller(q.experiment.as_deref(), q.phone.as_deref(), q.customer)
        .await?;
    let snapshot = state.directory.snapshot();
    let ring = found
        .ring
        .and_then(|id| snapshot.person(id))
        .map(|p| RingView {
            person_id: p.id,
            name: p.name.clone(),
            email: p.email.clone(),
            lines: snapshot
                .phone_lines
                .iter()
                .filter(|l| l.person_id == p.id)
                .map(|l| l.line.clone())
                .collect(),
        });
    Ok(Json(AssignmentView {
        experiment: found.experiment,
        customer_id: found.customer_id,
        arm: found.arm.map(|a| a.as_str().to_string()),
        stored: found.stored,
        ring,
        reason: found.reason,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (default), or `csv` for the per-arm sufficient statistics (n, Σy, Σy², Σx,
    /// Σx², Σxy) from which every figure can be recomputed.
    pub format: Option<String>,
}

/// What an experiment showed: a health panel (split, placement, compliance) to read
/// first; per arm, rating, five-star share, would recommend, repeat contacts, time to
/// solve, escalations and sales (CUPED beside unadjusted), each with its interval and
/// test; guardrails valid at every look; planning; payback (managers, executives and
/// admins).
#[utoipa::path(get, path = "/api/v1/experiments/{key}/report", params(("key" = String, Path, description = "The experiment's key"), ReportQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<axum::response::Response> {
    use crate::http::api::reports::{answer, format_param};
    use crate::reports::experiment as r;
    staff.require(Capability::ReadReports, "read reports")?;
    let format = format_param(q.format.as_deref())?;
    let report = r::experiment(&state, &key).await?;
    answer(format, &format!("experiment-{key}"), report, |rep| {
        crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(rep))
    })
}
