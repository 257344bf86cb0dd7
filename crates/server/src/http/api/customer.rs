//! What the customer does with their case link: read it, reply, rate the outcome.
//! Authorised by the case's customer token (`?token=` or `Authorization: Bearer`).

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::api::cases::load;
use crate::http::extract::{bearer, ApiJson};
use crate::http::views::*;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::Json;
use roadone_domain::{Actor, Case, Command, EventBody};
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

/// What the customer sees of a case: their messages and ours with the files sent, the
/// resolution — never internal events (passes, notes, who owns it).
pub fn customer_view(stored: &StoredCase, case: &Case) -> CustomerCaseView {
    let message =
        |at, from: &str, body: &str, files: &[roadone_domain::AttachmentRef]| CustomerMessageView {
            at,
            from: from.into(),
            body: body.to_string(),
            files: files.iter().map(FileView::from).collect(),
        };
    let messages = stored
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Opened {
                body, attachments, ..
            } if !body.is_empty() || !attachments.is_empty() => {
                Some(message(e.at, "you", body, attachments))
            }
            EventBody::CustomerReplied { body, attachments } => {
                Some(message(e.at, "you", body, attachments))
            }
            EventBody::MessageSent { body, attachments } => {
                Some(message(e.at, "us", body, attachments))
            }
            EventBody::Solved { resolution, .. } => Some(message(e.at, "us", resolution, &[])),
            _ => None,
        })
        .collect();
    CustomerCaseView {
        reference: stored.head.reference.clone(),
        subject: case.subject.clone(),
        state: case.status.as_str().into(),
        opened_at: case.opened_at,
        promised_by: case.promised_by,
        resolution: case.solution.as_ref().map(|s| s.resolution.clone()),
        rated: case.rating.is_some(),
        messages,
    }
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
    Ok(Json(customer_view(&stored, &case)))
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
    Ok(Json(customer_view(&stored, &case)))
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
    Ok(Json(customer_view(&stored, &case)))
}
