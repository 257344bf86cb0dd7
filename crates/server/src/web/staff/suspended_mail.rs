//! The suspended mail: messages from strangers judged junk, waiting for someone to
//! release them (they become cases, acknowledgment included) or delete them.

use crate::app::AppState;
use crate::http::upload::UploadForm;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};

/// How many waiting messages the page lists.
const SHOWN: u32 = 200;
const HERE: &str = "/staff/mail/suspended";

/// A waiting message as the page lists it.
#[derive(Debug)]
struct Row {
    id: i64,
    received_at: String,
    sender: String,
    subject: String,
    /// The score as a percentage.
    score: u32,
    why: String,
    size_kb: u64,
}

#[derive(askama::Template)]
#[template(path = "web/staff/suspended_mail.html")]
struct SuspendedPage {
    me: Me,
    csrf: String,
    rows: Vec<Row>,
    waiting: u64,
    released: u64,
    deleted: u64,
    shown: usize,
    /// Of the settled messages, the share that was junk (the filter held them rightly).
    rightly: Option<u64>,
    kept_days: i64,
    notice: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    let rows: Vec<Row> = state
        .suspended_mail(SHOWN)
        .await?
        .into_iter()
        .map(|m| Row {
            id: m.id,
            received_at: me.zone.when(m.received_at),
            sender: m.sender.unwrap_or_else(|| "no sender".into()),
            subject: if m.subject.is_empty() {
                "(no subject)".into()
            } else {
                m.subject
            },
            score: (m.score * 100.0).round().clamp(0.0, 100.0) as u32,
            why: m.why.join("; "),
            size_kb: m.size.div_ceil(1024),
        })
        .collect();
    let tally = state.suspended_tally().await?;
    let page = html(&SuspendedPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        shown: rows.len(),
        rows,
        waiting: tally.waiting,
        released: tally.released,
        deleted: tally.deleted,
        rightly: (tally.released + tally.deleted > 0).then(|| {
            (tally.deleted * 100 + (tally.released + tally.deleted) / 2)
                / (tally.released + tally.deleted)
        }),
        kept_days: state.directory.snapshot().settings.junk_kept.num_days(),
        notice: flash.notice(),
    })?;
    Ok(flash.shown(page.into_response()))
}

/// `POST /staff/mail/suspended/{id}`: `action=release` or `action=delete`.
pub async fn settle(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let said = match form.text("action") {
        Some("release") => {
            let result = state.release_suspended(id, &me.person).await?;
            match result.case_id {
                Some(case) => format!(
                    "Released: the message is case {} now, and its sender was answered.",
                    roadone_store::case_reference(case)
                ),
                None => format!(
                    "Released, but it opened no case: {}.",
                    result.reason.unwrap_or_else(|| result.outcome.clone())
                ),
            }
        }
        Some("delete") => {
            state.delete_suspended(id, &me.person).await?;
            format!(
                "Deleted as junk. The filter learned from it; the message itself is kept {} days.",
                state.directory.snapshot().settings.junk_kept.num_days()
            )
        }
        _ => {
            return Err(crate::error::AppError::invalid(
                "action",
                "choose to release the message or to delete it",
            )
            .into())
        }
    };
    Ok(flash::redirect(&state, HERE, Flash::notice(said)))
}
