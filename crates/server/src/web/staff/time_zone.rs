//! Choosing the time zone one reads times in (one's own, or the company's), and setting a
//! customer's, where staff know it, from the customer page.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::time_zones::Zone;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A zone a form offers.
#[derive(Debug, Clone)]
pub(crate) struct ZoneChoice {
    pub name: &'static str,
    pub chosen: bool,
}

/// The zones a form offers, `current` chosen.
pub(crate) fn zone_choices(current: Option<Zone>) -> Vec<ZoneChoice> {
    Zone::choices()
        .map(|name| ZoneChoice {
            name,
            chosen: current.is_some_and(|z| z.name() == name),
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "web/staff/time_zone.html")]
struct TimeZonePage {
    me: Me,
    csrf: String,
    zones: Vec<ZoneChoice>,
    own: Option<&'static str>,
    company: &'static str,
    now: String,
    notice: Option<String>,
    error: Option<String>,
}

fn page(
    state: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let own = snapshot.time_zones.get(&me.person.id).copied();
    let now = state.clock.now();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = html(&TimeZonePage {
        me: me.me(),
        csrf: me.csrf.clone(),
        zones: zone_choices(own),
        own: own.map(|z| z.name()),
        company: snapshot.settings.time_zone.name(),
        now: me.zone.when(now),
        notice,
        error,
    })?;
    Ok((status, page).into_response())
}

/// `GET /staff/time-zone`.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    let page = page(&state, &me, flash.notice(), None)?;
    Ok(flash.shown(page))
}

/// `POST /staff/time-zone`: an empty choice goes back to the company's zone.
pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let chosen = form.given("time_zone").unwrap_or_default();
    match state
        .set_person_time_zone(me.person.id, Some(&chosen))
        .await
    {
        Ok(()) => {}
        Err(AppError::Invalid { message, .. }) => return page(&state, &me, None, Some(message)),
        Err(e) => return Err(e.into()),
    }
    let zone = state.zone_of(me.person.id);
    let said = if chosen.trim().is_empty() {
        format!("Times are shown in the company's zone, {}.", zone.name())
    } else {
        format!("Times are shown in {} from now on.", zone.name())
    };
    Ok(flash::redirect(
        &state,
        "/staff/time-zone",
        Flash::notice(said),
    ))
}

/// `POST /staff/customers/{id}/time-zone`: the customer's zone, or none (the company's).
pub async fn save_for_customer(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let chosen = form.given("time_zone").unwrap_or_default();
    state.set_customer_time_zone(id, Some(&chosen)).await?;
    let said = match state.customer_zone(id).await? {
        Some(zone) => format!(
            "The customer's time zone is {}: their pages and mails show times in it.",
            zone.name()
        ),
        None => "The customer's time zone is not known: they see times in the company's.".into(),
    };
    Ok(flash::redirect(
        &state,
        &format!("/staff/customers/{id}"),
        Flash::notice(said),
    ))
}
