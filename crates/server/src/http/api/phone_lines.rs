//! Phone lines: the channel or extension a telephone system names an operator by, mapped
//! to the person who answers on it (the calls report then counts that person).

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::ErrorBody;
use axum::extract::State;
use axum::Json;
use roadone_domain::{Capability, PersonId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneLineView {
    /// As call records name it: `PJSIP/201`, `1001`, an agent's SIP address.
    pub line: String,
    pub person_id: PersonId,
    pub person_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneLineRequest {
    /// The channel or extension; an Asterisk channel's call suffix (`-0000002a`) is
    /// dropped. Lines compare without regard to case.
    pub line: String,
    /// Who answers on it (taking it from whoever had it); `null` frees the line.
    pub person_id: Option<PersonId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneLineResult {
    /// The line as kept.
    pub line: String,
    pub person_id: Option<PersonId>,
    /// Whether anything changed (setting a line to whom it already names changes nothing).
    pub changed: bool,
}

/// Every phone line and who answers on it, by line.
#[utoipa::path(get, path = "/api/v1/phone-lines", security(("bearer" = [])),
    responses((status = 200, body = Vec<PhoneLineView>)))]
pub async fn list(State(state): State<AppState>, _staff: Staff) -> Json<Vec<PhoneLineView>> {
    let snapshot = state.directory.snapshot();
    Json(
        snapshot
            .phone_lines
            .iter()
            .map(|l| PhoneLineView {
                line: l.line.clone(),
                person_id: l.person_id,
                person_name: snapshot.person_name(l.person_id),
            })
            .collect(),
    )
}

/// Puts a person on a phone line, or frees it (admins only).
#[utoipa::path(post, path = "/api/v1/phone-lines", request_body = PhoneLineRequest, security(("bearer" = [])),
    responses((status = 200, body = PhoneLineResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<PhoneLineRequest>,
) -> AppResult<Json<PhoneLineResult>> {
    staff.require(Capability::Administer, "map phone lines")?;
    let (line, changed) = state.set_phone_line(&req.line, req.person_id).await?;
    Ok(Json(PhoneLineResult {
        line,
        person_id: req.person_id,
        changed,
    }))
}
