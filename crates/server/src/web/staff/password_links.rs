//! The pages of password links: "forgot your password?" and the page a link from an
//! invitation or a reset opens, where the person chooses a password and is signed in.

use crate::accounts::RESET_MINUTES;
use crate::app::AppState;
use crate::error::AppError;
use crate::passwords;
use crate::web::client_ip::ClientIp;
use crate::web::pages::{html, WebResult};
use crate::web::session::STAFF;
use crate::web::staff::session::{MaybeSignedIn, Me};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use roadone_store::PasswordLinkPurpose;

#[derive(askama::Template)]
#[template(path = "web/staff/forgot_password.html")]
struct ForgotPage {
    me: Me,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/reset_sent.html")]
struct ResetSentPage {
    me: Me,
    csrf: String,
    email: String,
    minutes: i64,
}

#[derive(askama::Template)]
#[template(path = "web/staff/link_spent.html")]
struct LinkSpentPage {
    me: Me,
    csrf: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/choose_password.html")]
struct ChoosePage<'a> {
    me: Me,
    csrf: String,
    name: &'a str,
    email: &'a str,
    first: bool,
    action: String,
    min: usize,
    error: Option<String>,
}

pub async fn forgot_form() -> WebResult<Response> {
    let page = html(&ForgotPage {
        me: Me::nobody(),
        csrf: String::new(),
        email: String::new(),
        error: None,
    })?;
    Ok(page.into_response())
}

/// Mails a reset link when the address is an active person's. The answer is the same
/// either way, so the form cannot be used to find out who works here.
pub async fn forgot_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let email = form.given("email").unwrap_or_default();
    if roadone_domain::EmailAddress::parse(&email).is_err() {
        let error = if email.is_empty() {
            "Give the email address you sign in with.".to_string()
        } else {
            format!("\u{201c}{email}\u{201d} is not an email address.")
        };
        let page = html(&ForgotPage {
            me: Me::nobody(),
            csrf: String::new(),
            email,
            error: Some(error),
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state.request_password_reset(&email).await?;
    let page = html(&ResetSentPage {
        me: Me::nobody(),
        csrf: String::new(),
        email,
        minutes: RESET_MINUTES,
    })?;
    Ok(page.into_response())
}

fn spent() -> WebResult<Response> {
    let page = html(&LinkSpentPage {
        me: Me::nobody(),
        csrf: String::new(),
    })?;
    Ok((StatusCode::GONE, page).into_response())
}

fn choose_page(
    person: &roadone_domain::Person,
    purpose: PasswordLinkPurpose,
    secret: &str,
    error: Option<String>,
) -> WebResult<Response> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = html(&ChoosePage {
        me: Me::nobody(),
        csrf: String::new(),
        name: &person.name,
        email: &person.email,
        first: purpose == PasswordLinkPurpose::Invite,
        action: format!("/staff/password/{secret}"),
        min: passwords::MIN_LENGTH,
        error,
    })?;
    Ok((status, page).into_response())
}

/// The link shows a form rather than doing anything: mail scanners that open links would
/// otherwise spend it before the person does.
pub async fn choose_form(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> WebResult<Response> {
    match state.password_link(&secret).await? {
        Some((person, purpose)) => choose_page(&person, purpose, &secret, None),
        None => spent(),
    }
}

/// Sets the password, spends the link and signs the person in (any earlier session of
/// this browser ends).
pub async fn choose_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(secret): Path<String>,
    MaybeSignedIn(previous): MaybeSignedIn,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let Some((person, purpose)) = state.password_link(&secret).await? else {
        return spent();
    };
    let new = form.text("new").unwrap_or_default().to_string();
    if form.text("repeat") != Some(new.as_str()) {
        let error = "The two passwords differ; type the same one twice.".to_string();
        return choose_page(&person, purpose, &secret, Some(error));
    }
    let person_id = match state.set_password_with_link(&secret, new).await {
        Ok(Some(id)) => id,
        Ok(None) => return spent(),
        Err(AppError::Invalid { message, .. }) => {
            // The message names its field ("password: must be …"); the page says it in words.
            let rest = message.strip_prefix("password: ").unwrap_or(&message);
            let error = format!("Your password {rest}.");
            return choose_page(&person, purpose, &secret, Some(error));
        }
        Err(e) => return Err(e.into()),
    };
    // A mailed link sets a password, nothing more: two-step sign-in still asks for a code.
    if let Some(pending) = state.begin_sign_in(person_id).await? {
        return Ok(crate::web::staff::second_step::ask_for_code(
            &state, jar, pending, None,
        ));
    }
    let (cookie_secret, session) = STAFF.start(state.clock.now());
    let replacing = previous.as_ref().map(|old| old.session_hash.as_slice());
    state
        .start_staff_session(person_id, session, replacing)
        .await?;
    Ok((
        jar.add(STAFF.cookie(&state, cookie_secret)),
        Redirect::to("/staff/cases"),
    )
        .into_response())
}
