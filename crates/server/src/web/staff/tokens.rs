//! The administrator's page of API tokens: who holds which (by label), issuing one
//! (shown once, after a redirect, so a reload issues nothing) and revoking one (asked
//! first).

use crate::app::AppState;
use crate::error::AppError;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::admin::{admin_form, admin_only};
use crate::web::staff::confirm;
use crate::web::staff::session::{Me, SignedIn};
use crate::web::staff::PersonChoice;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roadone_domain::PersonId;

/// A token as the page lists it: by its digest, never the token itself.
#[derive(Debug)]
struct TokenRow {
    id: String,
    person: String,
    label: String,
    created_at: String,
    revoked_at: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_tokens.html")]
struct TokensPage {
    me: Me,
    csrf: String,
    tokens: Vec<TokenRow>,
    people: Vec<PersonChoice>,
    /// The holder's name and the token just issued, shown this once.
    issued: Option<(String, String)>,
    problem: Option<String>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    issued: Option<Flash>,
    problem: Option<(StatusCode, String)>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let name = |id: PersonId| snapshot.person_name(id);
    let tokens: Vec<TokenRow> = state
        .tokens()
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: hex::encode(&t.hash),
            person: name(t.person_id),
            label: t.label,
            created_at: me.zone.when(t.created_at),
            revoked_at: t.revoked_at.map(|at| me.zone.when(at)),
        })
        .collect();
    let people = crate::web::staff::active_people(&snapshot);
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = html(&TokensPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        tokens,
        people,
        issued: issued.and_then(|f| f.copy),
        problem: problem.map(|(_, m)| m),
    })?;
    Ok((status, html).into_response())
}

/// The tokens, and the one just issued if this is the page after issuing it.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    Ok(flash.shown(page(&state, &me, flash.0.clone(), None).await?))
}

/// Issues a token or revokes one.
pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path(action): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let problem = |message: &str| Some((StatusCode::UNPROCESSABLE_ENTITY, message.to_string()));
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
                return page(&state, &me, None, problem("Choose an active person.")).await;
            };
            let label = form
                .given("label")
                .unwrap_or_else(|| "issued by an administrator".into());
            let token = state.issue_token(person.id, &label).await?;
            let shown = Flash {
                notice: format!("A token for {} was issued.", person.name),
                copy: Some((person.name.clone(), token)),
            };
            Ok(flash::redirect(&state, "/staff/admin/tokens", shown))
        }
        "revoke" => {
            let hash = form.given("id").and_then(|h| hex::decode(h).ok());
            let Some(hash) = hash.filter(|h| h.len() == 32) else {
                return page(&state, &me, None, problem("Choose a token to revoke.")).await;
            };
            let known = state.tokens().await?.into_iter().find(|t| t.hash == hash);
            let Some(token) = known else {
                return page(&state, &me, None, problem("There is no such token.")).await;
            };
            if !confirm::confirmed(&form) {
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
                return page(&state, &me, None, problem("There is no such token.")).await;
            }
            Ok(Redirect::to("/staff/admin/tokens").into_response())
        }
        other => Err(WebError(AppError::NotFound(format!(
            "the action {other:?}"
        )))),
    }
}
