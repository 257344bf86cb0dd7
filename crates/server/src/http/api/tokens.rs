//! API tokens over the API (admins only): issue one for a person, list them by label,
//! revoke one. The token itself is only ever in the answer that issues it.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::{ErrorBody, IssuedToken, NewTokenRequest, TokenView};
use crate::tokens;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use roadone_domain::Capability;

/// Issues a token for an active person (admins only).
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenRequest, security(("bearer" = [])),
    responses((status = 201, body = IssuedToken), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> AppResult<(StatusCode, Json<IssuedToken>)> {
    staff.require(Capability::Administer, "issue tokens")?;
    let label = req.label.trim();
    if label.is_empty() {
        return Err(AppError::invalid("label", "say what the token is for"));
    }
    let active = state
        .directory
        .snapshot()
        .person(req.person)
        .is_some_and(|p| p.active);
    if !active {
        return Err(AppError::invalid(
            "person",
            format!("there is no active person {}", req.person),
        ));
    }
    let token = state.issue_token(req.person, label).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            id: hex::encode(tokens::digest(&token)),
            token,
        }),
    ))
}

/// Every token by its label, newest first (admins only); never the tokens themselves.
#[utoipa::path(get, path = "/api/v1/tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, staff: Staff) -> AppResult<Json<Vec<TokenView>>> {
    staff.require(Capability::Administer, "list tokens")?;
    let tokens = state.tokens().await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView {
                id: hex::encode(&t.hash),
                person: t.person_id,
                label: t.label,
                created_at: t.created_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Revokes a token for good (admins only); it stops working at once on this server.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    staff.require(Capability::Administer, "revoke tokens")?;
    let hash = hex::decode(&id)
        .ok()
        .filter(|h| h.len() == 32)
        .ok_or_else(|| AppError::NotFound(format!("token {id}")))?;
    if !state.revoke_token(&hash).await? {
        return Err(AppError::NotFound(format!("token {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}
