//! Calls from a telephone system or a contact-centre platform, in batches: idempotent by
//! call id, so a batch that timed out can simply be sent again.

use crate::app::AppState;
use crate::calls::intake::MAX_BATCH;
use crate::calls::record::{check_times, optional, CallRecord, Disposition};
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::ErrorBody;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use roadone_domain::Capability;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallIn {
    /// The source's id for this call (or leg); sending it again changes nothing.
    pub call_id: String,
    /// The id joining the legs of one call, if the source has one.
    pub linked_id: Option<String>,
    /// The caller's number, in E.164 or as dialled in the company's phone region.
    pub caller: String,
    pub caller_name: Option<String>,
    /// The number, extension or queue called.
    pub callee: String,
    /// The extension, channel or agent that answered (a person's email names them in the
    /// calls report).
    pub answered_by: Option<String>,
    /// RFC 3339: when the call arrived (began to ring).
    pub arrived_at: String,
    /// RFC 3339; required when answered, absent otherwise.
    pub answered_at: Option<String>,
    /// RFC 3339.
    pub ended_at: String,
    /// RFC 3339, optional: when the first phone began to ring (after a queue or a menu);
    /// between arrival and the answer (or the end).
    pub rang_at: Option<String>,
    /// Optional: where the conversation's recording is kept, an http or https URL (the
    /// case and customer pages link to it).
    pub recording_url: Option<String>,
    /// answered, no_answer, busy, failed, congestion or abandoned (the caller hung up
    /// while it rang).
    pub disposition: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallsRequest {
    pub calls: Vec<CallIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallConflict {
    pub index: usize,
    pub call_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallsResult {
    pub added: u32,
    /// Sent before exactly so: nothing changed.
    pub already_known: u32,
    /// Call ids stored before with other details: kept as stored, listed here.
    pub conflicts: Vec<CallConflict>,
    /// Cases opened for calls nobody answered (one owner each, a call-back reminder).
    pub missed_call_cases: u32,
    /// Missed calls added to their caller's open case instead.
    pub calls_on_open_cases: u32,
    /// Why missed calls could not all be followed up (the calls are stored: send the
    /// batch again once it is fixed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_problem: Option<String>,
}

fn time(field: &str, text: &str) -> Result<DateTime<Utc>, (String, String)> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            (
                field.to_string(),
                format!("{text:?} is not an RFC 3339 time such as 2026-03-02T09:15:00Z"),
            )
        })
}

/// Reads one call; the error is `(field, what is wrong)`.
fn read(c: &CallIn) -> Result<CallRecord, (String, String)> {
    let text = |field: &str, v: &str| -> Result<String, (String, String)> {
        let v = v.trim();
        if v.is_empty() || v.chars().count() > 200 {
            return Err((field.into(), "is required (at most 200 characters)".into()));
        }
        Ok(v.to_string())
    };
    let disposition = match c.disposition.trim() {
        "answered" => Disposition::Answered,
        "no_answer" => Disposition::NoAnswer,
        "busy" => Disposition::Busy,
        "failed" => Disposition::Failed,
        "congestion" => Disposition::Congestion,
        "abandoned" => Disposition::Abandoned,
        other => {
            return Err((
                "disposition".into(),
                format!(
                "{other:?} is not one of answered, no_answer, busy, failed, congestion, abandoned"
            ),
            ))
        }
    };
    let arrived = time("arrived_at", &c.arrived_at)?;
    let ended = time("ended_at", &c.ended_at)?;
    let answered = c
        .answered_at
        .as_deref()
        .map(|t| time("answered_at", t))
        .transpose()?;
    match (disposition, answered) {
        (Disposition::Answered, None) => {
            return Err((
                "answered_at".into(),
                "is required for an answered call".into(),
            ))
        }
        (d, Some(_)) if d != Disposition::Answered => {
            return Err((
                "answered_at".into(),
                format!(
                    "a call that was {} has no answer time",
                    d.as_str().replace('_', " ")
                ),
            ))
        }
        _ => {}
    }
    check_times(arrived, answered, ended).map_err(|why| ("ended_at".to_string(), why))?;
    let rang = c
        .rang_at
        .as_deref()
        .map(|t| time("rang_at", t))
        .transpose()?;
    if let Some(rang) = rang {
        if rang < arrived || rang > answered.unwrap_or(ended) {
            return Err((
                "rang_at".into(),
                "must be between the call's arrival and its answer (or its end)".into(),
            ));
        }
    }
    let recording_url = optional(c.recording_url.as_deref())
        .map(|u| recording(&u))
        .transpose()
        .map_err(|why| ("recording_url".to_string(), why))?;
    Ok(CallRecord {
        call_id: text("call_id", &c.call_id)?,
        linked_id: optional(c.linked_id.as_deref()),
        caller: text("caller", &c.caller)?,
        caller_name: optional(c.caller_name.as_deref()),
        callee: text("callee", &c.callee)?,
        answered_by: optional(c.answered_by.as_deref()),
        arrived_at: arrived,
        answered_at: answered,
        ended_at: ended,
        rang_at: rang,
        recording_url,
        disposition,
    })
}

/// The longest recording address kept.
const URL_MAX: usize = 2_000;

/// A recording's address: an absolute http or https URL, nothing a page could run.
fn recording(text: &str) -> Result<String, String> {
    if text.len() > URL_MAX {
        return Err(format!("must be at most {URL_MAX} characters"));
    }
    let url = url::Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "must be an http or https address, not {}:",
            url.scheme()
        ));
    }
    Ok(url.to_string())
}

/// Stores a batch of calls (admins, i.e. integration tokens). Every call is checked first:
/// one bad call refuses the batch (422 naming `calls[i].field`) and stores nothing.
#[utoipa::path(post, path = "/api/v1/calls", request_body = CallsRequest, security(("bearer" = [])),
    responses((status = 200, body = CallsResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<CallsRequest>,
) -> AppResult<Json<CallsResult>> {
    staff.require(Capability::Administer, "send calls")?;
    if req.calls.is_empty() || req.calls.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "calls",
            format!("send 1 to {MAX_BATCH} calls at a time"),
        ));
    }
    let mut calls = Vec::with_capacity(req.calls.len());
    for (i, c) in req.calls.iter().enumerate() {
        calls.push(read(c).map_err(|(field, message)| {
            AppError::invalid(&format!("calls[{i}].{field}"), message)
        })?);
    }
    let ids: Vec<String> = calls.iter().map(|c| c.call_id.clone()).collect();
    let (outcome, followed) = state.add_calls(calls, "api").await?;
    Ok(Json(CallsResult {
        missed_call_cases: followed.cases_opened,
        calls_on_open_cases: followed.calls_linked,
        follow_up_problem: followed.problem,
        added: outcome.added,
        already_known: outcome.already_known,
        conflicts: outcome
            .conflicts
            .into_iter()
            .map(|index| CallConflict {
                index,
                call_id: ids[index].clone(),
            })
            .collect(),
    }))
}

/// The fields of a telephony status callback (Twilio's form); see `calls::twilio`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct TwilioForm {
    pub CallSid: String,
    /// queued, initiated, ringing, in-progress, completed, busy, failed, no-answer, canceled.
    pub CallStatus: String,
    pub From: String,
    pub To: String,
    pub Direction: Option<String>,
    /// RFC 2822, e.g. `Tue, 03 Mar 2026 09:15:04 +0000`.
    pub Timestamp: String,
    /// Orders the callbacks of one call.
    pub SequenceNumber: Option<String>,
    /// Seconds, in the final callback.
    pub CallDuration: Option<String>,
    pub ParentCallSid: Option<String>,
    pub CallerName: Option<String>,
}

/// A telephony platform's status callback, signed in `X-Twilio-Signature` with the auth
/// token of the configuration (`twilio_auth_token`). Kept once per call and sequence
/// number; when the call has ended it is taken in as any other call (a missed one opens
/// a case). 403 when unsigned, wrongly signed or stale; 404 when the callback is not set up.
#[utoipa::path(post, path = "/api/v1/calls/twilio",
    request_body(content = TwilioForm, content_type = "application/x-www-form-urlencoded"),
    params(("X-Twilio-Signature" = String, Header, description = "Base64 HMAC-SHA1 of the URL and the sorted fields")),
    responses((status = 204, description = "Taken"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn twilio(
    State(state): State<AppState>,
    uri: axum::extract::OriginalUri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<axum::http::StatusCode> {
    use crate::calls::twilio as t;
    let Some(token) = state.config().twilio_auth_token.clone() else {
        return Err(AppError::NotFound(
            "the telephony callback: set twilio_auth_token in the configuration to turn it on"
                .into(),
        ));
    };
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AppError::Forbidden("the callback is not signed (X-Twilio-Signature)".into())
        })?;
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    // Signed over the URL the platform called: this server's public address.
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{}{path}", state.config().public_url.trim_end_matches('/'));
    if !t::signed(&token, &url, &fields, signature) {
        return Err(AppError::Forbidden(format!(
            "X-Twilio-Signature does not match: is the auth token right, and is {url} the \
             address the platform calls?"
        )));
    }
    let callback = t::read(&fields)?;
    state.twilio_callback(callback).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
