use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{CategoryView, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use roadone_domain::Capability;

/// Adds a category with its intake checklist, manager and executive (admins only).
#[utoipa::path(post, path = "/api/v1/categories", request_body = CategoryView, security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<CategoryView>,
) -> AppResult<(StatusCode, Json<CategoryView>)> {
    staff.require(Capability::Administer, "add categories")?;
    let created = crate::categories::add(&state, req.into()).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::from(&created))))
}

/// Replaces a category's name, checklist, manager and executive (admins only). Open cases
/// keep the facts they were opened with; the checklist applies to intakes from now on.
#[utoipa::path(put, path = "/api/v1/categories/{key}", request_body = CategoryView, security(("bearer" = [])),
    params(("key" = String, Path, description = "The category's key")),
    responses((status = 200, body = CategoryView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<CategoryView>,
) -> AppResult<Json<CategoryView>> {
    staff.require(Capability::Administer, "edit categories")?;
    if req.key != key {
        return Err(AppError::invalid(
            "key",
            format!(
                "a category's key cannot change ({:?} in the path, {:?} in the body)",
                key, req.key
            ),
        ));
    }
    let updated = crate::categories::update(&state, req.into()).await?;
    Ok(Json(CategoryView::from(&updated)))
}

#[utoipa::path(get, path = "/api/v1/categories", security(("bearer" = [])), responses((status = 200, body = Vec<CategoryView>)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
) -> AppResult<Json<Vec<CategoryView>>> {
    let snapshot = state.directory.snapshot();
    let mut all: Vec<CategoryView> = snapshot
        .categories
        .values()
        .map(CategoryView::from)
        .collect();
    all.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Json(all))
}
