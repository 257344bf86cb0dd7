use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{ErrorBody, NewPersonRequest, PersonView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roadone_domain::Role;
use roadone_store::NewPerson;

/// Adds a person to the hierarchy (admins only).
#[utoipa::path(post, path = "/api/v1/people", request_body = NewPersonRequest, security(("bearer" = [])),
    responses((status = 201, body = PersonView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<NewPersonRequest>,
) -> AppResult<(StatusCode, Json<PersonView>)> {
    staff.require_role(&[Role::Admin], "add people")?;
    let person = validate(req)?;
    let created = state.store.add_person(person).await?;
    state.directory.refresh(state.store.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&created))))
}

pub fn validate(req: NewPersonRequest) -> AppResult<NewPerson> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    let email = req.email.trim();
    let valid_email = email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid_email {
        return Err(AppError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ));
    }
    let role = req
        .role
        .parse::<Role>()
        .map_err(|m| AppError::invalid("role", m))?;
    Ok(NewPerson {
        name: name.into(),
        email: email.into(),
        role,
        reports_to: req.reports_to,
    })
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
