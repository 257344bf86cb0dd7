//! The administrator's pages: the people and the hierarchy as a tree (add, move,
//! deactivate). Every action is checked again on the server: only admins get here.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::people::PersonForm;
use crate::web::pages::{render, WebError, WebResult};
use crate::web::staff::confirm;
use crate::web::staff::session::SignedIn;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{context, Value};
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

/// Post/redirect/get: the notice travels in the query of the page shown next.
pub(crate) fn done_redirect(path: &str, notice: &str) -> Response {
    let notice: String = url::form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    Redirect::to(&format!("{path}?done={notice}")).into_response()
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

async fn page(
    state: &AppState,
    me: &SignedIn,
    problem: Option<(StatusCode, String)>,
    notice: Option<String>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let people: Vec<Person> = snapshot.hierarchy.people().cloned().collect();
    let rows: Vec<Value> = tree(&people)
        .into_iter()
        .map(|(depth, p)| {
            context! {
                id => p.id,
                name => p.name.clone(),
                email => p.email.clone(),
                role => p.role.as_str(),
                active => p.active,
                reports_to => p.reports_to,
                depth,
                indent => depth * 2,
            }
        })
        .collect();
    let mut active: Vec<&Person> = people.iter().filter(|p| p.active).collect();
    active.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    let managers: Vec<Value> = active
        .into_iter()
        .map(crate::web::staff::person_choice)
        .collect();
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = render(
        "staff/admin_people.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            rows,
            managers,
            roles => ["frontline", "staff", "manager", "executive", "admin"],
            problem => problem.map(|(_, m)| m),
            notice,
        },
    )?;
    Ok((status, html).into_response())
}

pub async fn people(State(state): State<AppState>, me: SignedIn) -> WebResult<Response> {
    admin_only(&me)?;
    page(&state, &me, None, None).await
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
    let result: Result<String, AppError> = match action.as_str() {
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
                Ok(format!("{} was added", added.name))
            }
            .await
        }
        "move" => {
            async {
                let moved = state.move_person(id()?, reports_to()?).await?;
                Ok(format!("{} was moved", moved.name))
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
                Ok(said)
            }
            .await
        }
        other => Err(AppError::NotFound(format!("the action {other:?}"))),
    };
    match result {
        Ok(notice) => Ok(done_redirect("/staff/admin/people", &notice)),
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

#[derive(serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn people_done(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> WebResult<Response> {
    admin_only(&me)?;
    page(&state, &me, None, q.done).await
}

async fn tokens_page(
    state: &AppState,
    me: &SignedIn,
    issued: Option<(String, String)>,
    problem: Option<(StatusCode, String)>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let name = |id: PersonId| snapshot.person_name(id);
    let tokens: Vec<Value> = state
        .tokens()
        .await?
        .into_iter()
        .map(|t| {
            context! {
                id => hex::encode(&t.hash),
                person => name(t.person_id),
                label => t.label,
                created_at => crate::web::pages::when(t.created_at),
                revoked_at => t.revoked_at.map(crate::web::pages::when),
            }
        })
        .collect();
    let people: Vec<Value> = snapshot
        .hierarchy
        .people()
        .filter(|p| p.active)
        .map(crate::web::staff::person_choice)
        .collect();
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = render(
        "staff/admin_tokens.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            tokens,
            people,
            issued => issued.map(|(person, token)| context! { person, token }),
            problem => problem.map(|(_, m)| m),
        },
    )?;
    Ok((status, html).into_response())
}

/// API tokens: who holds which (by label), when made, revoked or not.
pub async fn tokens(State(state): State<AppState>, me: SignedIn) -> WebResult<Response> {
    admin_only(&me)?;
    tokens_page(&state, &me, None, None).await
}

/// Issues a token (shown once, on the answer page) or revokes one.
pub async fn token_action(
    State(state): State<AppState>,
    me: SignedIn,
    Path(action): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let problem = |message: String| Some((StatusCode::UNPROCESSABLE_ENTITY, message));
    match action.as_str() {
        "issue" => {
            let person = form
                .given("person")
                .and_then(|p| p.parse::<PersonId>().ok());
            let snapshot = state.directory.snapshot();
            let Some(person) = person
                .and_then(|id| snapshot.person(id))
                .filter(|p| p.active)
            else {
                return tokens_page(
                    &state,
                    &me,
                    None,
                    problem("person: choose an active person".into()),
                )
                .await;
            };
            let label = form
                .given("label")
                .unwrap_or_else(|| "issued by an administrator".into());
            let token = state.issue_token(person.id, &label).await?;
            tokens_page(&state, &me, Some((person.name.clone(), token)), None).await
        }
        "revoke" => {
            let hash = form.given("id").and_then(|h| hex::decode(h).ok());
            let Some(hash) = hash.filter(|h| h.len() == 32) else {
                return tokens_page(&state, &me, None, problem("id: choose a token".into())).await;
            };
            if !confirm::confirmed(&form) {
                let known = state.tokens().await?.into_iter().find(|t| t.hash == hash);
                let Some(token) = known else {
                    return tokens_page(
                        &state,
                        &me,
                        None,
                        problem("id: there is no such token".into()),
                    )
                    .await;
                };
                let holder = state.directory.snapshot().person_name(token.person_id);
                return confirm::page(
                    &me,
                    confirm::Confirmation {
                        title: format!("Revoke \u{201c}{}\u{201d}?", token.label),
                        question: format!(
                            "This token of {holder} stops working at once, on every server."
                        ),
                        consequence: "Whatever uses it (a shop, a script) is refused from then \
                                      on and needs a new token. This cannot be undone."
                            .into(),
                        button: "Revoke the token",
                        action: "/staff/admin/tokens/revoke",
                        fields: vec![("id", hex::encode(&hash))],
                        cancel: "/staff/admin/tokens",
                    },
                );
            }
            if !state.revoke_token(&hash).await? {
                return tokens_page(
                    &state,
                    &me,
                    None,
                    problem("id: there is no such token".into()),
                )
                .await;
            }
            Ok(Redirect::to("/staff/admin/tokens").into_response())
        }
        other => Err(WebError(AppError::NotFound(format!(
            "the action {other:?}"
        )))),
    }
}
