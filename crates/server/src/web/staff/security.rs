//! A person's own security page: turning two-step sign-in on (the secret as a QR code and
//! as text, on only once a code from it is typed back, then the recovery codes shown
//! once), making new recovery codes and turning it off (both with the current password).

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::second_factor::SecondFactorState;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal at a form of the page: which form, the field and the sentence.
struct Problem {
    form: &'static str,
    field: Option<String>,
    sentence: String,
    status: StatusCode,
}

/// Where the person's second factor stands, as the page shows it.
#[derive(Debug)]
enum Factor {
    Off,
    Waiting { secret: String, qr: Option<String> },
    On { since: String, left: u32 },
}

#[derive(askama::Template)]
#[template(path = "web/staff/security.html")]
struct SecurityPage {
    me: Me,
    csrf: String,
    factor: Factor,
    notice: Option<String>,
    codes: Option<Vec<String>>,
    error_form: Option<&'static str>,
    error_field: Option<String>,
    error: Option<String>,
}

impl SecurityPage {
    /// Whether the refusal belongs at this field of this form (one without a field
    /// belongs at every field of its form).
    fn problem_at(&self, form: &str, field: &str) -> bool {
        self.error.is_some()
            && self.error_form == Some(form)
            && self
                .error_field
                .as_deref()
                .is_none_or(|f| f.is_empty() || f == field)
    }

    /// Whether the refusal is of a form without fields, said at the top of the page.
    fn problem_on_top(&self) -> bool {
        self.error.is_some() && matches!(self.error_form, Some("begin" | "cancel"))
    }
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    codes: Option<Vec<String>>,
    problem: Option<Problem>,
) -> WebResult<Response> {
    let factor = state.second_factor_state(&me.person).await?;
    let status = problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    let (form, field, error) = match problem {
        Some(p) => (Some(p.form), p.field, Some(p.sentence)),
        None => (None, None, None),
    };
    let factor = match factor {
        SecondFactorState::Off => Factor::Off,
        SecondFactorState::Waiting(e) => Factor::Waiting {
            secret: e.secret_text,
            qr: e.qr_svg,
        },
        SecondFactorState::On {
            since,
            recovery_codes_left,
        } => Factor::On {
            since: me.zone.when(since),
            left: recovery_codes_left,
        },
    };
    let html = html(&SecurityPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        factor,
        notice,
        codes,
        error_form: form,
        error_field: field,
        error,
    })?;
    Ok((status, html).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    let notice = flash.0.as_ref().map(|f| f.notice.clone());
    Ok(flash.shown(page(&state, &me, notice, None, None).await?))
}

pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path(action): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let password = || form.text("current").unwrap_or_default().to_string();
    let (form_name, result): (&'static str, Result<Outcome, AppError>) = match action.as_str() {
        "begin" => (
            "begin",
            state
                .begin_second_factor(&me.person)
                .await
                .map(|()| Outcome::Redirect(None)),
        ),
        "confirm" => (
            "confirm",
            state
                .confirm_second_factor(
                    &me.person,
                    password(),
                    form.text("code").unwrap_or_default(),
                )
                .await
                .map(|codes| Outcome::Codes(codes, "Two-step sign-in is on. From now on, signing in asks for a code from your app after your password.")),
        ),
        "cancel" => (
            "cancel",
            state
                .cancel_second_factor(&me.person)
                .await
                .map(|()| Outcome::Redirect(Some("Two-step sign-in was not turned on."))),
        ),
        "recovery-codes" => (
            "recovery-codes",
            state
                .new_recovery_codes(&me.person, password())
                .await
                .map(|codes| Outcome::Codes(codes, "Here are your new recovery codes; the old ones no longer work.")),
        ),
        "off" => (
            "off",
            state
                .turn_off_second_factor(&me.person, password())
                .await
                .map(|()| Outcome::Redirect(Some("Two-step sign-in is off: your password alone signs you in."))),
        ),
        other => return Err(AppError::NotFound(format!("the action {other:?}")).into()),
    };
    match result {
        Ok(Outcome::Redirect(None)) => {
            Ok(axum::response::Redirect::to("/staff/security").into_response())
        }
        Ok(Outcome::Redirect(Some(notice))) => Ok(flash::redirect(
            &state,
            "/staff/security",
            Flash::notice(notice),
        )),
        // Shown in the answer to the post itself, never stored or carried in a cookie.
        Ok(Outcome::Codes(codes, notice)) => {
            page(&state, &me, Some(notice.into()), Some(codes), None).await
        }
        Err(e @ (AppError::Invalid { .. } | AppError::TooMany { .. } | AppError::Store(_))) => {
            let (status, ..) = e.parts();
            if status.is_server_error() {
                return Err(e.into());
            }
            let said = crate::web::words::refusal(&e, &|id| id.to_string());
            let problem = Problem {
                form: form_name,
                field: said.field,
                sentence: said.sentence,
                status,
            };
            page(&state, &me, None, None, Some(problem)).await
        }
        Err(e) => Err(e.into()),
    }
}

enum Outcome {
    /// Back to the page, saying this once.
    Redirect(Option<&'static str>),
    /// The recovery codes to show once, and what happened.
    Codes(Vec<String>, &'static str),
}
