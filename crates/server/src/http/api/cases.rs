use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::case_in_path as load;
use crate::http::extract::ApiQuery;
use crate::http::extract::{parse_json, path_id, ApiJson, JsonBytes, Staff};
use crate::http::views::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use roadone_domain::{Actor, Case, CaseStatus, Channel, Command, Customer, Intake, Realtime};
use roadone_store::{CaseFilter, IdempotencyKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};

fn intake(req: OpenCaseRequest) -> AppResult<Intake> {
    let channel = match req.channel.as_deref() {
        None => Channel::Api,
        Some(c) => Channel::parse(c).ok_or_else(|| {
            AppError::invalid(
                "channel",
                format!("{c:?} is not one of email, web, portal, api, phone"),
            )
        })?,
    };
    Ok(Intake {
        customer: Customer {
            email: req.customer.email,
            name: req.customer.name,
            phone: req.customer.phone,
            external_id: req.customer.external_id,
            language: None,
        },
        category: req.category,
        subject: req.subject,
        body: req.body,
        channel,
        facts: req.facts,
        missing_facts: req.missing_facts,
        realtime: Realtime {
            offered: req.realtime.offered,
            reason: req.realtime.reason,
        },
        attachments: vec![],
        call_back_within: None,
    })
}

/// Opens a case; the caller becomes its owner. Repeating a request with the same
/// `Idempotency-Key` returns the case the first one opened.
#[utoipa::path(post, path = "/api/v1/cases", request_body = OpenCaseRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the same case")),
    responses((status = 201, body = CaseCreated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> AppResult<(StatusCode, Json<CaseCreated>)> {
    let req: OpenCaseRequest = parse_json(&body)?;
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 255)
                .ok_or_else(|| {
                    AppError::invalid(
                        "Idempotency-Key",
                        "must be 1 to 255 visible ASCII characters",
                    )
                })?;
            Some(IdempotencyKey {
                actor: staff.id(),
                key: key.to_string(),
                request_hash: Sha256::digest(&body).to_vec(),
            })
        }
    };
    let outcome = state
        .open_case(staff.id(), intake(req)?, idempotency)
        .await?;
    // A replay answers exactly as the first request did.
    Ok((StatusCode::CREATED, Json(CaseCreated::new(outcome.head()))))
}

/// A case with its full event log.
#[utoipa::path(get, path = "/api/v1/cases/{id}", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<CaseView>> {
    let (stored, case) = load(&state, &id).await?;
    Ok(Json(CaseView::new(&stored, &case)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `me` or a person id.
    owner: Option<String>,
    /// `open`, `solved`, `junk` or `all`.
    state: Option<String>,
    category: Option<String>,
    /// Text in the subject or the customer's email.
    q: Option<String>,
    /// Full-text: words said anywhere on the case (subject, customer, facts, messages,
    /// notes, resolution); each word may be the start of a longer one.
    search: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// A JSON body that may be left out (or blank): its defaults then.
fn optional_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> AppResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json::<T>(body)
    }
}

fn number(field: &str, raw: Option<&str>, default: u32, max: u32) -> AppResult<u32> {
    match raw {
        None => Ok(default),
        Some(v) => v.parse::<u32>().ok().filter(|n| *n <= max).ok_or_else(|| {
            AppError::invalid(field, format!("must be a whole number from 0 to {max}"))
        }),
    }
}

/// Cases, open ones first by executive deadline.
#[utoipa::path(get, path = "/api/v1/cases", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<CaseSummary>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Vec<CaseSummary>>> {
    let owner = match q.owner.as_deref() {
        None | Some("") => None,
        Some("me") => Some(staff.id()),
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| AppError::invalid("owner", "must be `me` or a person id"))?,
        ),
    };
    let status = match q.state.as_deref() {
        None | Some("") | Some("all") => None,
        Some("open") => Some(CaseStatus::Open),
        Some("solved") => Some(CaseStatus::Solved),
        Some("junk") => Some(CaseStatus::Junk),
        Some(_) => {
            return Err(AppError::invalid(
                "state",
                "must be `open`, `solved`, `junk` or `all`",
            ))
        }
    };
    let filter = CaseFilter {
        owner,
        status,
        category: q.category.filter(|c| !c.is_empty()),
        text: q.q,
        search: q.search,
        limit: number("limit", q.limit.as_deref(), 100, 1000)?.max(1),
        offset: number("offset", q.offset.as_deref(), 0, u32::MAX)?,
        ..CaseFilter::default()
    };
    let cases = state.list_cases(filter).await?;
    Ok(Json(cases.iter().map(CaseSummary::from).collect()))
}

async fn act(
    state: &AppState,
    staff: &Staff,
    raw_id: &str,
    command: Command,
) -> AppResult<Json<CaseView>> {
    let id = path_id(raw_id, "case")?;
    let stored = state
        .act(id, Actor::Person { id: staff.id() }, &command)
        .await?;
    let case = Case::from_events(&stored.events)?;
    Ok(Json(CaseView::new(&stored, &case)))
}

/// A command with the files of a message: stored only if the rules accept it.
async fn act_with_files(
    state: &AppState,
    staff: &Staff,
    raw_id: &str,
    message: crate::http::message_body::MessageBody,
    command: impl Fn(Vec<roadone_domain::AttachmentRef>) -> Command,
) -> AppResult<Json<CaseView>> {
    let id = path_id(raw_id, "case")?;
    let stored = state
        .act_with_files(id, Actor::Person { id: staff.id() }, message.files, command)
        .await?;
    let case = Case::from_events(&stored.events)?;
    Ok(Json(CaseView::new(&stored, &case)))
}

/// Passes the case up: to `to`, or by default to the owner's manager. Owner only.
#[utoipa::path(post, path = "/api/v1/cases/{id}/pass-up", request_body = PassUpRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pass_up(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PassUpRequest>,
) -> AppResult<Json<CaseView>> {
    act(
        &state,
        &staff,
        &id,
        Command::PassUp {
            to: req.to,
            reason: req.reason,
        },
    )
    .await
}

/// Takes the case from someone below the caller.
#[utoipa::path(post, path = "/api/v1/cases/{id}/take", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn take(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<CaseView>> {
    act(&state, &staff, &id, Command::Take).await
}

/// Supplies a checklist fact the customer did not have at intake, or corrects one (the
/// owner or anyone above); the value it replaces is kept in the event.
#[utoipa::path(post, path = "/api/v1/cases/{id}/facts", request_body = FactRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn fact(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FactRequest>,
) -> AppResult<Json<CaseView>> {
    let command = Command::SupplyFact {
        key: req.key,
        value: req.value,
    };
    act(&state, &staff, &id, command).await
}

/// Upgrades the case to the manager who owns its category, who learns from the customer.
#[utoipa::path(post, path = "/api/v1/cases/{id}/upgrade", request_body = UpgradeRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<CaseView>> {
    // The body is optional: an upgrade during a live call should take one click.
    let reason = optional_body::<UpgradeRequest>(&body)?.reason;
    act(&state, &staff, &id, Command::Upgrade { reason }).await
}

/// Marks the case "not a customer case" (spam, a pitch): it ends without a solve, its
/// reminders and escalation stop, and the junk filter learns from it. The owner or anyone
/// above; the body (`{"reason": …}`) is optional.
#[utoipa::path(post, path = "/api/v1/cases/{id}/junk", request_body = JunkRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_junk(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<CaseView>> {
    let reason = optional_body::<JunkRequest>(&body)?.reason;
    act(&state, &staff, &id, Command::MarkJunk { reason }).await
}

/// Undoes a junk mark: the case is open again with its owner, on the deadline it had.
/// Someone above the owner, or an administrator.
#[utoipa::path(post, path = "/api/v1/cases/{id}/junk/undo", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn undo_junk(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<CaseView>> {
    act(&state, &staff, &id, Command::UndoJunk).await
}

/// Solves the case: the resolution sent, the road taken, what we learned. Owner only.
#[utoipa::path(post, path = "/api/v1/cases/{id}/solve", request_body = SolveRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn solve(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SolveRequest>,
) -> AppResult<Json<CaseView>> {
    act(
        &state,
        &staff,
        &id,
        Command::Solve {
            resolution: req.resolution,
            road: req.road,
            learned: req.learned,
        },
    )
    .await
}

/// A reply to the customer, by the owner or someone above them: JSON `{"body"}`, or
/// `multipart/form-data` with `body` and any number of `file` fields (any type).
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages", request_body = MessageRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn message(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    message: crate::http::message_body::MessageBody,
) -> AppResult<Json<CaseView>> {
    let body = message.body.clone();
    act_with_files(&state, &staff, &id, message, |attachments| {
        Command::SendMessage {
            body: body.clone(),
            attachments,
        }
    })
    .await
}

/// An internal note on the case by anyone on staff: JSON `{"body"}` or multipart with
/// files. Never shown or sent to the customer; it does not count as the owner's activity
/// unless the owner writes it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", request_body = MessageRequest, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    message: crate::http::message_body::MessageBody,
) -> AppResult<Json<CaseView>> {
    let body = message.body.clone();
    act_with_files(&state, &staff, &id, message, |attachments| {
        Command::AddNote {
            body: body.clone(),
            attachments,
        }
    })
    .await
}

/// Mails the customer the link to their case. Staff never see the link itself: whoever
/// holds it can reply and rate as the customer.
#[utoipa::path(post, path = "/api/v1/cases/{id}/send-link", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LinkSent), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn send_link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> AppResult<Json<LinkSent>> {
    let (stored, case) = load(&state, &id).await?;
    let sent_to =
        crate::mail::case_link::send_case_link(&state, &stored, &case, &staff.person.name).await?;
    Ok(Json(LinkSent { sent_to }))
}
