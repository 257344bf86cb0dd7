//! The administrator's pages: the people and the hierarchy as a tree (add, move,
//! deactivate). Every action is checked again on the server: only admins get here.

use crate::accounts::{Invitation, INVITE_DAYS};
use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::people::PersonForm;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::confirm;
use crate::web::staff::session::{Me, SignedIn};
use crate::web::staff::PersonChoice;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roadone_domain::{Capability, Person, PersonId};

pub(crate) fn admin_only(me: &SignedIn) -> Result<(), WebError> {
    if !me.person.role.may(Capability::Administer) {
        return Err(WebError(AppError::Forbidden(
            "only administrators manage people, categories and settings".into(),
        )));
    }
    Ok(())
}

/// An admin's form, read and checked for this session's CSRF token.
pub(crate) async fn admin_form(
    state: &AppState,
    me: &SignedIn,
    request: Request,
) -> WebResult<UploadForm> {
    admin_only(me)?;
    let form = UploadForm::read(request, state).await?;
    me.check_csrf(form.text("csrf"))?;
    Ok(form)
}

/// Post/redirect/get: the page shown next says `notice` once.
pub(crate) fn done_redirect(state: &AppState, path: &str, notice: &str) -> Response {
    crate::web::flash::redirect(state, path, crate::web::flash::Flash::notice(notice))
}

/// Everyone in tree order, each with their depth, so the page can indent them.
fn tree(people: &[Person]) -> Vec<(usize, Person)> {
    fn walk(
        people: &[Person],
        boss: Option<PersonId>,
        depth: usize,
        out: &mut Vec<(usize, Person)>,
    ) {
        let mut under: Vec<&Person> = people.iter().filter(|p| p.reports_to == boss).collect();
        under.sort_by(|a, b| (!a.active, &a.name).cmp(&(!b.active, &b.name)));
        for p in under {
            out.push((depth, p.clone()));
            walk(people, Some(p.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(people, None, 0, &mut out);
    out
}

/// A person as the people page lists them.
#[derive(Debug)]
struct PersonRow {
    id: PersonId,
    name: String,
    email: String,
    role: &'static str,
    active: bool,
    reports_to: Option<PersonId>,
    depth: usize,
    can_sign_in: bool,
    second_factor: bool,
    invited_until: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_people.html")]
struct PeoplePage {
    me: Me,
    csrf: String,
    rows: Vec<PersonRow>,
    managers: Vec<PersonChoice>,
    roles: [&'static str; 5],
    problem: Option<String>,
    notice: Option<String>,
    /// The name and invitation link to pass on by hand, when mailing it failed.
    pass_on: Option<(String, String)>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    problem: Option<(StatusCode, String)>,
    flash: Option<Flash>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let people: Vec<Person> = snapshot.hierarchy.people().cloned().collect();
    let accounts = state.accounts().await?;
    let rows: Vec<PersonRow> = tree(&people)
        .into_iter()
        .map(|(depth, p)| {
            let account = accounts.iter().find(|a| a.person == p.id);
            let can_sign_in = account.is_some_and(|a| a.has_password);
            let second_factor = account.is_some_and(|a| a.second_factor);
            let invited_until = account
                .and_then(|a| a.invite_expires_at)
                .map(|at| me.zone.when(at));
            PersonRow {
                id: p.id,
                role: p.role.as_str(),
                active: p.active,
                reports_to: p.reports_to,
                name: p.name,
                email: p.email,
                depth,
                can_sign_in,
                second_factor,
                invited_until,
            }
        })
        .collect();
    let mut active: Vec<&Person> = people.iter().filter(|p| p.active).collect();
    active.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    let managers: Vec<_> = active
        .into_iter()
        .map(crate::web::staff::person_choice)
        .collect();
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = html(&PeoplePage {
        me: me.me(),
        csrf: me.csrf.clone(),
        rows,
        managers,
        roles: ["frontline", "staff", "manager", "executive", "admin"],
        problem: problem.map(|(_, m)| m),
        notice: flash.as_ref().map(|f| f.notice.clone()),
        pass_on: flash.and_then(|f| f.copy),
    })?;
    Ok((status, html).into_response())
}

/// What the people page says after an invitation: mailed, or the link to pass on.
fn invitation_notice(person: &Person, sent: Invitation, added: &str) -> Flash {
    match sent {
        Invitation::Mailed => Flash::notice(format!(
            "{}{added}; an invitation to choose a password was mailed to {}.",
            person.name, person.email
        )),
        Invitation::NotMailed { link, why } => Flash {
            notice: format!(
                "{}{added}, but the invitation was not mailed: {why}. Give them the link \
                 below yourself; it works once, within {INVITE_DAYS} days.",
                person.name
            ),
            copy: Some((person.name.clone(), link)),
        },
    }
}

/// A refusal the page shows above its forms (4xx), or an error page for anything else.
pub(crate) fn refused(e: AppError) -> Result<(StatusCode, String), AppError> {
    match e {
        e @ (AppError::Invalid { .. } | AppError::Store(_) | AppError::NotFound(_)) => {
            let (status, _, message, _) = e.parts();
            if status.is_server_error() {
                Err(e)
            } else {
                Ok((status, message))
            }
        }
        other => Err(other),
    }
}

/// Adding, moving or deactivating a person, from the forms of the people page.
pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path(action): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let id = || -> Result<PersonId, AppError> {
        form.given("id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| AppError::invalid("id", "choose a person"))
    };
    let reports_to = || -> Result<Option<PersonId>, AppError> {
        match form.given("reports_to") {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid("reports_to", "choose a person from the list")),
        }
    };
    if action == "deactivate" && !confirm::confirmed(&form) {
        return ask_to_deactivate(&state, &me, &form).await;
    }
    if action == "reset-second-factor" && !confirm::confirmed(&form) {
        return ask_to_reset_second_factor(&state, &me, &form).await;
    }
    let result: Result<Flash, AppError> = match action.as_str() {
        "add" => {
            async {
                let added = state
                    .add_person(PersonForm {
                        name: form.given("name").unwrap_or_default(),
                        email: form.given("email").unwrap_or_default(),
                        role: form.given("role").unwrap_or_default(),
                        reports_to: reports_to()?,
                    })
                    .await?;
                if form.given("invite").is_some() {
                    let sent = state.invite(added.id, me.person.id).await?;
                    return Ok(invitation_notice(&added, sent, " was added"));
                }
                Ok(Flash::notice(format!(
                    "{} was added; send them an invitation when they should sign in.",
                    added.name
                )))
            }
            .await
        }
        "invite" => {
            async {
                let id = id()?;
                let sent = state.invite(id, me.person.id).await?;
                let person = state.directory.snapshot().person(id).cloned();
                let person = person.ok_or_else(|| AppError::invalid("id", "choose a person"))?;
                Ok(invitation_notice(&person, sent, ""))
            }
            .await
        }
        "edit" => {
            async {
                let edited = state
                    .edit_person(
                        id()?,
                        PersonForm {
                            name: form.given("name").unwrap_or_default(),
                            email: form.given("email").unwrap_or_default(),
                            role: form.given("role").unwrap_or_default(),
                            reports_to: None,
                        },
                    )
                    .await?;
                Ok(Flash::notice(format!("{} was saved.", edited.name)))
            }
            .await
        }
        "move" => {
            async {
                let moved = state.move_person(id()?, reports_to()?).await?;
                Ok(Flash::notice(format!("{} was moved.", moved.name)))
            }
            .await
        }
        "deactivate" => {
            async {
                let id = id()?;
                if id == me.person.id {
                    return Err(AppError::invalid("id", "you cannot deactivate yourself"));
                }
                let report = state.deactivate(id).await?;
                let name = state
                    .directory
                    .snapshot()
                    .person(id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                let mut said = format!(
                    "{name} was deactivated; {} open case(s) passed up",
                    report.passed_up.len()
                );
                if !report.stuck.is_empty() {
                    said.push_str(&format!(
                        "; {} could not move (nobody active above)",
                        report.stuck.len()
                    ));
                }
                Ok(Flash::notice(said))
            }
            .await
        }
        "reset-second-factor" => {
            async {
                let id = id()?;
                let removed = state.reset_second_factor(id, me.person.id).await?;
                let name = state.directory.snapshot().person_name(id);
                Ok(Flash::notice(if removed {
                    format!("Two-step sign-in is off for {name}: their password alone signs them in, until they turn it on again.")
                } else {
                    format!("{name} had no two-step sign-in to turn off.")
                }))
            }
            .await
        }
        other => Err(AppError::NotFound(format!("the action {other:?}"))),
    };
    match result {
        Ok(said) => Ok(flash::redirect(&state, "/staff/admin/people", said)),
        Err(e) => match refused(e) {
            Ok(problem) => page(&state, &me, Some(problem), None).await,
            Err(e) => Err(e.into()),
        },
    }
}

/// The page that asks before a person is deactivated, saying what becomes of their cases.
async fn ask_to_deactivate(
    state: &AppState,
    me: &SignedIn,
    form: &UploadForm,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let person = form
        .given("id")
        .and_then(|v| v.parse::<PersonId>().ok())
        .and_then(|id| snapshot.person(id).cloned());
    let Some(person) = person else {
        let problem = (
            StatusCode::UNPROCESSABLE_ENTITY,
            "id: choose a person".into(),
        );
        return page(state, me, Some(problem), None).await;
    };
    let open = state
        .list_cases(roadone_store::CaseFilter {
            owner: Some(person.id),
            status: Some(roadone_domain::CaseStatus::Open),
            limit: 10_000,
            ..roadone_store::CaseFilter::default()
        })
        .await?
        .len();
    let consequence = match open {
        0 => format!("{} owns no open case.", person.name),
        1 => "Their one open case passes up to the nearest active person above them.".into(),
        n => format!("Their {n} open cases pass up, each to the nearest active person above them."),
    };
    confirm::page(
        me,
        confirm::Confirmation {
            title: format!("Deactivate {}?", person.name),
            question: format!(
                "{} ({}) will no longer be able to sign in or own cases.",
                person.name, person.email
            ),
            consequence,
            button: "Deactivate",
            action: "/staff/admin/people/deactivate",
            fields: vec![("id", person.id.to_string())],
            cancel: "/staff/admin/people",
        },
    )
}

/// The page that asks before a person's second factor is taken away (a lost phone).
async fn ask_to_reset_second_factor(
    state: &AppState,
    me: &SignedIn,
    form: &UploadForm,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let person = form
        .given("id")
        .and_then(|v| v.parse::<PersonId>().ok())
        .and_then(|id| snapshot.person(id).cloned());
    let Some(person) = person else {
        let problem = (
            StatusCode::UNPROCESSABLE_ENTITY,
            "id: choose a person".into(),
        );
        return page(state, me, Some(problem), None).await;
    };
    confirm::page(
        me,
        confirm::Confirmation {
            title: format!("Turn off two-step sign-in for {}?", person.name),
            question: format!(
                "{} ({}) will sign in with their password alone, and their recovery codes stop working.",
                person.name, person.email
            ),
            consequence: "Do this only when you are sure it is them asking (they lost their phone, say): \
                          anyone with their password could then sign in as them. They can turn it on again \
                          with a new phone on their security page."
                .into(),
            button: "Turn off two-step sign-in",
            action: "/staff/admin/people/reset-second-factor",
            fields: vec![("id", person.id.to_string())],
            cancel: "/staff/admin/people",
        },
    )
}

/// The people page, saying once what the last action did.
pub async fn people(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    Ok(flash.shown(page(&state, &me, None, flash.0.clone()).await?))
}
