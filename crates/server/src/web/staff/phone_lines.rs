//! The administrator's page of phone lines: which person answers on which channel or
//! extension, so that the calls report counts people (their talk time, the cases their
//! calls led to) rather than lines.

use crate::app::AppState;
use crate::error::AppError;
use crate::web::flash::Flashed;
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::admin::{admin_form, admin_only, done_redirect, refused};
use crate::web::staff::session::{Me, SignedIn};
use crate::web::staff::PersonChoice;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roadone_domain::PersonId;

const PATH: &str = "/staff/admin/phone-lines";

#[derive(Debug)]
struct LineRow {
    line: String,
    person: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_phone_lines.html")]
struct PhoneLinesPage {
    me: Me,
    csrf: String,
    lines: Vec<LineRow>,
    people: Vec<PersonChoice>,
    problem: Option<String>,
    notice: Option<String>,
    /// What was typed, kept when it was refused.
    typed_line: String,
    typed_person: String,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    problem: Option<(StatusCode, String)>,
    typed: (String, String),
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let lines = state
        .phone_lines()
        .into_iter()
        .map(|l| LineRow {
            person: snapshot.person_name(l.person_id),
            line: l.line,
        })
        .collect();
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = html(&PhoneLinesPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        lines,
        people: crate::web::staff::active_people(&snapshot),
        problem: problem.map(|(_, m)| m),
        notice,
        typed_line: typed.0,
        typed_person: typed.1,
    })?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    let shown = page(&state, &me, flash.notice(), None, Default::default()).await?;
    Ok(flash.shown(shown))
}

/// Puts a person on a line (`set`) or frees one (`free`).
pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path(action): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let line = form.given("line").unwrap_or_default();
    let person = match action.as_str() {
        "set" => {
            let chosen = form.given("person").unwrap_or_default();
            match chosen.parse::<PersonId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    let problem = Some((
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Choose who answers on the line.".to_string(),
                    ));
                    return page(&state, &me, None, problem, (line, chosen)).await;
                }
            }
        }
        "free" => None,
        other => {
            return Err(WebError(AppError::NotFound(format!(
                "the action {other:?}"
            ))))
        }
    };
    match state.set_phone_line(&line, person).await {
        Ok((kept, _)) => {
            let notice = match person {
                Some(id) => format!(
                    "Calls answered on {kept} now count for {}.",
                    state.directory.snapshot().person_name(id)
                ),
                None => format!("{kept} is no longer anyone's line."),
            };
            Ok(done_redirect(&state, PATH, &notice))
        }
        Err(e) => {
            let problem = refused(e)?;
            let typed = (line, person.map(|p| p.to_string()).unwrap_or_default());
            page(&state, &me, None, Some(problem), typed).await
        }
    }
}
