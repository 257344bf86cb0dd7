use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{CategoryView, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roadone_domain::{Category, Role};
use std::collections::HashSet;

/// Adds a category with its intake checklist, manager and executive (admins only).
#[utoipa::path(post, path = "/api/v1/categories", request_body = CategoryView, security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<CategoryView>,
) -> AppResult<(StatusCode, Json<CategoryView>)> {
    staff.require_role(&[Role::Admin], "add categories")?;
    let category = validate(req)?;
    let created = state.store.add_category(category).await?;
    state.directory.refresh(state.store.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::from(&created))))
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn validate(req: CategoryView) -> AppResult<Category> {
    if !valid_key(&req.key) {
        return Err(AppError::invalid(
            "key",
            "use 1 to 64 lowercase letters, digits, '-' or '_'",
        ));
    }
    if req.name.trim().is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    let mut seen = HashSet::new();
    for (i, item) in req.checklist.iter().enumerate() {
        if !valid_key(&item.key) {
            return Err(AppError::invalid(
                &format!("checklist[{i}].key"),
                "use 1 to 64 lowercase letters, digits, '-' or '_'",
            ));
        }
        if !seen.insert(item.key.as_str()) {
            return Err(AppError::invalid(
                &format!("checklist[{i}].key"),
                format!("{:?} appears twice", item.key),
            ));
        }
        if item.label.trim().is_empty() {
            return Err(AppError::invalid(
                &format!("checklist[{i}].label"),
                "is required",
            ));
        }
        if let Some(pattern) = &item.pattern {
            let field = format!("checklist[{i}].pattern");
            if pattern.len() > 500 {
                return Err(AppError::invalid(&field, "must be at most 500 characters"));
            }
            regex::Regex::new(pattern).map_err(|e| {
                AppError::invalid(&field, format!("not a valid regular expression: {e}"))
            })?;
        }
    }
    Ok(req.into())
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
