use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::path_id;
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{
    DeactivationView, ErrorBody, MovePersonRequest, NewPersonRequest, PersonView, StuckCase,
};
use crate::people::PersonForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use roadone_domain::Capability;

/// Adds a person to the hierarchy (admins only).
#[utoipa::path(post, path = "/api/v1/people", request_body = NewPersonRequest, security(("bearer" = [])),
    responses((status = 201, body = PersonView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<NewPersonRequest>,
) -> AppResult<(StatusCode, Json<PersonView>)> {
    staff.require(Capability::Administer, "add people")?;
    let created = state
        .add_person(PersonForm {
            name: req.name,
            email: req.email,
            role: req.role,
            reports_to: req.reports_to,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&created))))
}

/// Everyone, with their place in the hierarchy.
#[utoipa::path(get, path = "/api/v1/people", security(("bearer" = [])), responses((status = 200, body = Vec<PersonView>)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
) -> AppResult<Json<Vec<PersonView>>> {
    let snapshot = state.directory.snapshot();
    let mut people: Vec<PersonView> = snapshot.hierarchy.people().map(PersonView::from).collect();
    people.sort_by_key(|p| p.id);
    Ok(Json(people))
}

/// Moves a person under another manager (admins only); the hierarchy stays a tree.
#[utoipa::path(post, path = "/api/v1/people/{id}/move", request_body = MovePersonRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_person(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MovePersonRequest>,
) -> AppResult<Json<PersonView>> {
    staff.require(Capability::Administer, "move people")?;
    let id = path_id(&id, "person")?;
    let moved = state.move_person(id, req.reports_to).await?;
    Ok(Json(PersonView::from(&moved)))
}

/// Deactivates a person (admins only): they can no longer sign in or act, and each of
/// their open cases is passed up to the nearest active person above them.
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DeactivationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<DeactivationView>> {
    staff.require(Capability::Administer, "deactivate people")?;
    let id = path_id(&id, "person")?;
    let report = state.deactivate(id).await?;
    let snapshot = state.directory.snapshot();
    let person = snapshot
        .person(id)
        .ok_or_else(|| AppError::NotFound(format!("person {id}")))?;
    Ok(Json(DeactivationView {
        person: PersonView::from(person),
        passed_up: report.passed_up,
        stuck: report
            .stuck
            .into_iter()
            .map(|(case, reason)| StuckCase { case, reason })
            .collect(),
    }))
}
