//! The second step of signing in, for a person with two-step sign-in on: after a right
//! password (or a new one set with a mailed link) the browser holds only a pending
//! sign-in (a cookie for this path, a few minutes long), and this page turns it into a
//! session when given a code from the person's app or one of their recovery codes.

use crate::app::AppState;
use crate::error::AppError;
use crate::second_factor::PENDING_MINUTES;
use crate::web::client_ip::ClientIp;
use crate::web::flash::{self, Flash};
use crate::web::pages::{html, WebResult};
use crate::web::session::STAFF;
use crate::web::staff::session::{MaybeSignedIn, Me};
use crate::web::staff::sign_in::{landing, sign_in_page};
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The pending sign-in's cookie: sent only to the sign-in pages, never readable by scripts.
const PENDING: &str = "roadone_pending";
const PATH: &str = "/staff/sign-in";

/// Where the second step is asked for, coming back to `next` afterwards.
fn step_page(next: Option<&str>) -> String {
    match next {
        Some(next) => format!(
            "/staff/sign-in/code?next={}",
            percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
        ),
        None => "/staff/sign-in/code".into(),
    }
}

/// Sends the browser on to the second step, holding the pending sign-in `secret`.
pub fn ask_for_code(
    state: &AppState,
    jar: CookieJar,
    secret: String,
    next: Option<&str>,
) -> Response {
    let cookie = Cookie::build((PENDING, secret))
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.public_url.starts_with("https://"))
        .max_age(cookie::time::Duration::minutes(PENDING_MINUTES))
        .build();
    (jar.add(cookie), Redirect::to(&step_page(next))).into_response()
}

fn pending_of(jar: &CookieJar) -> Option<String> {
    jar.get(PENDING)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

fn removal() -> Cookie<'static> {
    Cookie::build((PENDING, "")).path(PATH).build()
}

/// The step is over (expired, done, or its factor changed): sign in again.
fn over(jar: CookieJar, next: Option<&str>) -> WebResult<Response> {
    let page = sign_in_page(
        next,
        String::new(),
        Some(format!("Your sign-in was not finished within {PENDING_MINUTES} minutes of your password, so it is over. Sign in again.")),
    )?;
    Ok((StatusCode::UNAUTHORIZED, jar.remove(removal()), page).into_response())
}

#[derive(askama::Template)]
#[template(path = "web/staff/sign_in_code.html")]
struct CodePage<'a> {
    me: Me,
    csrf: String,
    email: &'a str,
    next: Option<&'a str>,
    error: Option<String>,
    minutes: i64,
}

fn code_page(
    email: &str,
    next: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let page = html(&CodePage {
        me: Me::nobody(),
        csrf: String::new(),
        email,
        next,
        error,
        minutes: PENDING_MINUTES,
    })?;
    Ok((status, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct StepQuery {
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<StepQuery>,
) -> WebResult<Response> {
    let next = landing(q.next.as_deref());
    let Some(pending) = pending_of(&jar) else {
        return Ok(Redirect::to("/staff/sign-in").into_response());
    };
    match state.pending_sign_in(&pending).await? {
        Some(person) => code_page(&person.email, next, None, StatusCode::OK),
        None => over(jar, next),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeSignedIn(previous): MaybeSignedIn,
    jar: CookieJar,
    request: Request,
) -> WebResult<Response> {
    let form = crate::web::origin::public_form(&state, ip, request).await?;
    let next = landing(form.text("next")).map(str::to_string);
    let Some(pending) = pending_of(&jar) else {
        return over(jar, next.as_deref());
    };
    let Some(person) = state.pending_sign_in(&pending).await? else {
        return over(jar, next.as_deref());
    };
    let answer = form.text("code").unwrap_or_default().to_string();
    let (secret, session) = STAFF.start(state.clock.now());
    let replacing = previous.as_ref().map(|old| old.session_hash.as_slice());
    let done = match state
        .finish_sign_in(&pending, &answer, session, replacing)
        .await
    {
        Ok(Some(done)) => done,
        Ok(None) => return over(jar, next.as_deref()),
        Err(e @ (AppError::Invalid { .. } | AppError::TooMany { .. })) => {
            let status = e.parts().0;
            let said = crate::web::words::refusal(&e, &|id| id.to_string());
            return code_page(&person.email, next.as_deref(), Some(said.sentence), status);
        }
        Err(e) => return Err(e.into()),
    };
    let jar = jar.remove(removal()).add(STAFF.cookie(&state, secret));
    match done.recovery_codes_left {
        None => Ok((jar, Redirect::to(next.as_deref().unwrap_or("/staff/cases"))).into_response()),
        Some(left) => {
            let notice = match left {
                0 => "You signed in with your last recovery code. Make new ones below now, or you may be locked out without your phone.".to_string(),
                1 => "You signed in with a recovery code; 1 recovery code is left. Each works once: make new ones below if you are running out.".to_string(),
                n => format!("You signed in with a recovery code; {n} recovery codes are left. Each works once: make new ones below if you are running out."),
            };
            let redirect = flash::redirect(&state, "/staff/security", Flash::notice(notice));
            Ok((jar, redirect).into_response())
        }
    }
}
