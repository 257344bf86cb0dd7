//! What the customer does with their case link: read it, reply, rate the outcome.
//! Authorised by the case's customer token (`?token=` or `Authorization: Bearer`).

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::case_in_path as load;
use crate::http::extract::{bearer, ApiJson};
use crate::http::views::*;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::Json;
use roadone_domain::{Actor, Case, Command};
use roadone_store::StoredCase;
use serde::Deserialize;

/// The token a customer presented; checked against the case in the path.
pub struct CustomerToken(String);

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl FromRequestParts<AppState> for CustomerToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let from_query = Query::<TokenQuery>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|q| q.0.token);
        from_query
            .or_else(|| bearer(parts).map(String::from))
            .filter(|t| !t.is_empty())
            .map(CustomerToken)
            .ok_or_else(|| {
                AppError::Unauthorized("this needs the customer's link (its token)".into())
            })
    }
}

async fn authorised(
    state: &AppState,
    raw_id: &str,
    token: &CustomerToken,
) -> AppResult<(StoredCase, Case)> {
    // A wrong token and a missing case look the same, so ids cannot be probed.
    let denied = || AppError::NotFound(format!("case {raw_id}"));
    let (stored, case) = load(state, raw_id).await.map_err(|e| match e {
        AppError::NotFound(_) => denied(),
        other => other,
    })?;
    if !crate::tokens::same_secret(&stored.head.customer_token, &token.0) {
        return Err(denied());
    }
    Ok((stored, case))
}

/// The customer's view of their case: messages both ways, never internal events.
#[utoipa::path(get, path = "/api/v1/cases/{id}/customer-view", params(("id" = i64, Path), ("token" = String, Query)),
    responses((status = 200, body = CustomerCaseView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    token: CustomerToken,
) -> AppResult<Json<CustomerCaseView>> {
    let (stored, case) = authorised(&state, &id, &token).await?;
    Ok(Json(CustomerCaseView::of(&stored, &case)))
}

/// The customer rates a solved case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/rating", request_body = RatingRequest, params(("id" = i64, Path), ("token" = String, Query)),
    responses((status = 200, body = CustomerCaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    token: CustomerToken,
    parts: Parts,
    ApiJson(req): ApiJson<RatingRequest>,
) -> AppResult<Json<CustomerCaseView>> {
    crate::web::staff::session::refuse_staff_rating(&parts, &state).await?;
    let (stored, _) = authorised(&state, &id, &token).await?;
    let command = Command::Rate {
        score: req.score,
        delighted_by: req.delighted_by,
        would_recommend: req.would_recommend,
    };
    let stored = state.act(stored.head.id, Actor::Customer, &command).await?;
    let case = Case::from_events(&stored.events)?;
    Ok(Json(CustomerCaseView::of(&stored, &case)))
}

/// The customer writes on their case; a solved case reopens to the person who solved it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/customer-messages", request_body = MessageRequest, params(("id" = i64, Path), ("token" = String, Query)),
    responses((status = 200, body = CustomerCaseView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    token: CustomerToken,
    message: crate::http::message_body::MessageBody,
) -> AppResult<Json<CustomerCaseView>> {
    let (stored, _) = authorised(&state, &id, &token).await?;
    let body = message.body;
    let stored = state
        .act_with_files(
            stored.head.id,
            Actor::Customer,
            message.files,
            |attachments| Command::CustomerReply {
                body: body.clone(),
                attachments,
            },
        )
        .await?;
    let case = Case::from_events(&stored.events)?;
    Ok(Json(CustomerCaseView::of(&stored, &case)))
}
