use crate::accounts::Invitation;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::path_id;
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{
    DeactivationView, EditPersonRequest, ErrorBody, InvitationView, MovePersonRequest,
    NewPersonRequest, PersonView, StuckCase,
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

/// Corrects a person's name, email or role (admins only); the last active administrator
/// keeps that role.
#[utoipa::path(patch, path = "/api/v1/people/{id}", request_body = EditPersonRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EditPersonRequest>,
) -> AppResult<Json<PersonView>> {
    staff.require(Capability::Administer, "correct people")?;
    let id = path_id(&id, "person")?;
    let current = state
        .directory
        .snapshot()
        .person(id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("person {id}")))?;
    let edited = state
        .edit_person(
            id,
            PersonForm {
                name: req.name.unwrap_or(current.name),
                email: req.email.unwrap_or(current.email),
                role: req
                    .role
                    .unwrap_or_else(|| current.role.as_str().to_string()),
                reports_to: None,
            },
        )
        .await?;
    Ok(Json(PersonView::from(&edited)))
}

/// Mails a person a single-use link to choose a password (admins only): an invitation,
/// or a new password for someone who has one. When it cannot be mailed, the answer
/// carries the link for the administrator to pass on.
#[utoipa::path(post, path = "/api/v1/people/{id}/invite", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = InvitationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<InvitationView>> {
    staff.require(Capability::Administer, "invite people")?;
    let id = path_id(&id, "person")?;
    if state.directory.snapshot().person(id).is_none() {
        return Err(AppError::NotFound(format!("person {id}")));
    }
    Ok(Json(match state.invite(id, staff.person.id).await? {
        Invitation::Mailed => InvitationView {
            mailed: true,
            link: None,
            reason: None,
        },
        Invitation::NotMailed { link, why } => InvitationView {
            mailed: false,
            link: Some(link),
            reason: Some(why),
        },
    }))
}
