//! Acting on several cases from a list at once: take them (from below), or pass them up.
//! Each case is still decided by the rules on its own; what could not be done is said
//! case by case, and the rest is done.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::web::flash::{self, Flash};
use crate::web::pages::{WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Request, State};
use axum::response::Response;
use roadone_domain::{Actor, Command};

/// At most this many cases in one go, so one click cannot hold the server for long.
const MOST: usize = 200;

pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    // Back to the list the cases were chosen from, never anywhere else.
    let back = crate::web::staff::sign_in::landing(form.text("back"))
        .filter(|b| b.starts_with("/staff/cases"))
        .unwrap_or("/staff/cases")
        .to_string();
    let ids: Vec<i64> = form
        .all("case")
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(flash::redirect(
            &state,
            &back,
            Flash::notice("Nothing was done: choose at least one case first."),
        ));
    }
    if ids.len() > MOST {
        return Err(WebError(AppError::invalid(
            "case",
            format!("choose at most {MOST} cases at once"),
        )));
    }
    let (command, done_word) = match form.given("action").as_deref() {
        Some("take") => (Command::Take, "taken"),
        Some("pass_up") => {
            let reason = form.given("reason").unwrap_or_default();
            if reason.trim().is_empty() {
                return Ok(flash::redirect(
                    &state,
                    &back,
                    Flash::notice(
                        "Nothing was done: say why the cases go up, for whoever gets them.",
                    ),
                ));
            }
            (Command::PassUp { to: None, reason }, "passed up")
        }
        _ => {
            return Err(WebError(AppError::invalid(
                "action",
                "choose take or pass up",
            )))
        }
    };
    let mut done = 0;
    let mut refused = Vec::new();
    for id in ids {
        match state
            .act(id, Actor::Person { id: me.person.id }, &command)
            .await
        {
            Ok(_) => done += 1,
            Err(e @ (AppError::Domain(_) | AppError::NotFound(_) | AppError::Invalid { .. })) => {
                let (_, _, message, _) = e.parts();
                refused.push(format!("{}: {message}", roadone_store::case_reference(id)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut said = match done {
        1 => format!("1 case was {done_word}."),
        n => format!("{n} cases were {done_word}."),
    };
    if !refused.is_empty() {
        said.push_str(&format!(" Not done: {}.", refused.join("; ")));
    }
    Ok(flash::redirect(&state, &back, Flash::notice(said)))
}
