//! Signing in with email and password, signing out, changing the password.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::passwords;
use crate::web::client_ip::ClientIp;
use crate::web::pages::{html, WebResult};
use crate::web::session::STAFF;
use crate::web::staff::session::{MaybeSignedIn, Me, SignedIn};
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

pub async fn home(MaybeSignedIn(who): MaybeSignedIn) -> Response {
    match who {
        Some(_) => Redirect::to("/staff/cases").into_response(),
        None => Redirect::to("/staff/sign-in").into_response(),
    }
}

/// Where to go after signing in: a staff page of this server, never anywhere else (a
/// `next` pointing at another site would make the sign-in page an open redirect).
pub fn landing(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with("/staff/")
            && !n.starts_with("/staff/sign-")
            && n.len() <= 500
            && !n.contains("//")
            && !n.contains('\\')
            && n.chars().all(|c| c.is_ascii_graphic())
    })
}

#[derive(askama::Template)]
#[template(path = "web/staff/sign_in.html")]
struct SignInPage<'a> {
    me: Me,
    csrf: String,
    next: Option<&'a str>,
    email: String,
    error: Option<String>,
}

/// The sign-in page, for nobody yet: `email` as typed, `error` why it did not work.
pub(crate) fn sign_in_page(
    next: Option<&str>,
    email: String,
    error: Option<String>,
) -> Result<Html<String>, AppError> {
    html(&SignInPage {
        me: Me::nobody(),
        csrf: String::new(),
        next,
        email,
        error,
    })
}

#[derive(askama::Template)]
#[template(path = "web/staff/password.html")]
struct PasswordPage {
    me: Me,
    csrf: String,
    min: usize,
    two_step: bool,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
}

pub async fn form(
    MaybeSignedIn(who): MaybeSignedIn,
    Query(q): Query<SignInQuery>,
) -> WebResult<Response> {
    let next = landing(q.next.as_deref());
    if who.is_some() {
        return Ok(Redirect::to(next.unwrap_or("/staff/cases")).into_response());
    }
    Ok(sign_in_page(next, String::new(), None)?.into_response())
}

/// Checks the password; on success a fresh session replaces any earlier one of this
/// browser (so a session fixed before sign-in is worthless after it).
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeSignedIn(previous): MaybeSignedIn,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let email = form.given("email").unwrap_or_default();
    let password = form.text("password").unwrap_or_default().to_string();
    let next = landing(form.text("next")).map(str::to_string);
    if !email.is_empty() {
        state.limits.check_address(&email)?;
    }
    let person = state.check_password(&email, password).await?;
    let Some(person) = person else {
        let page = sign_in_page(
            next.as_deref(),
            email,
            Some("That email and password do not match. Try again, or choose \u{201c}Forgot your password?\u{201d} below.".into()),
        )?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    // With two-step sign-in on, the password alone opens no session.
    if let Some(pending) = state.begin_sign_in(person).await? {
        return Ok(crate::web::staff::second_step::ask_for_code(
            &state,
            jar,
            pending,
            next.as_deref(),
        ));
    }
    let (secret, session) = STAFF.start(state.clock.now());
    let replacing = previous.as_ref().map(|old| old.session_hash.as_slice());
    state
        .start_staff_session(person, session, replacing)
        .await?;
    Ok((
        jar.add(STAFF.cookie(&state, secret)),
        Redirect::to(next.as_deref().unwrap_or("/staff/cases")),
    )
        .into_response())
}

pub async fn sign_out(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    who.check_csrf(form.text("csrf"))?;
    state.end_staff_session(&who.session_hash).await?;
    Ok((jar.remove(STAFF.removal()), Redirect::to("/staff/sign-in")).into_response())
}

pub async fn password_form(State(state): State<AppState>, who: SignedIn) -> WebResult<Response> {
    let two_step = two_step_on(&state, &who).await?;
    let page = html(&PasswordPage {
        me: who.me(),
        csrf: who.csrf.clone(),
        min: passwords::MIN_LENGTH,
        two_step,
        error: None,
    })?;
    Ok(page.into_response())
}

/// Whether the person's sign-in asks for a second factor (the password page says so).
async fn two_step_on(state: &AppState, who: &SignedIn) -> WebResult<bool> {
    Ok(matches!(
        state.second_factor_state(&who.person).await?,
        crate::second_factor::SecondFactorState::On { .. }
    ))
}

/// A new password ends every session of the person, this one included; they sign in again.
pub async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    who.check_csrf(form.text("csrf"))?;
    let current = form.text("current").unwrap_or_default().to_string();
    let new = form.text("new").unwrap_or_default().to_string();
    let two_step = two_step_on(&state, &who).await?;
    let problem = |message: String| -> WebResult<Response> {
        let page = html(&PasswordPage {
            me: who.me(),
            csrf: who.csrf.clone(),
            min: passwords::MIN_LENGTH,
            two_step,
            error: Some(message),
        })?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let mine = state.check_password(&who.person.email, current).await?;
    if mine != Some(who.person.id) {
        return problem("current: that is not your current password".into());
    }
    if form.text("repeat") != Some(new.as_str()) {
        return problem("repeat: the two new passwords differ".into());
    }
    match state.set_password(who.person.id, new).await {
        Ok(()) => {}
        Err(AppError::Invalid { message, .. }) => return problem(message),
        Err(e) => return Err(e.into()),
    }
    Ok((
        jar.remove(STAFF.removal()),
        Redirect::to("/staff/sign-in?changed=1"),
    )
        .into_response())
}
