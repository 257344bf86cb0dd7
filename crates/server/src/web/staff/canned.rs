//! The page of canned replies: the shared ones and one's own, adding and removing them.

use crate::app::AppState;
use crate::canned_replies::{CannedForm, PLACEHOLDERS};
use crate::directory::CategoryChoice;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::web::flash::{self, Flash, Flashed};
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use roadone_domain::Role;

/// A canned reply as the page lists it.
#[derive(Debug)]
struct Reply {
    id: i64,
    title: String,
    body: String,
    /// Its category's key, empty for every category.
    category: String,
    scope: String,
    removable: bool,
}

/// A placeholder a reply may use, `{name}`, and what it is filled with.
#[derive(Debug)]
struct Placeholder {
    name: String,
    means: &'static str,
}

#[derive(askama::Template)]
#[template(path = "web/staff/canned.html")]
struct CannedPage {
    me: Me,
    csrf: String,
    replies: Vec<Reply>,
    categories: Vec<CategoryChoice>,
    may_share: bool,
    placeholders: Vec<Placeholder>,
    notice: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let category_name = |key: &str| {
        snapshot
            .categories
            .get(key)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let may_share = matches!(
        me.person.role,
        Role::Manager | Role::Executive | Role::Admin
    );
    let replies: Vec<Reply> = state
        .canned_replies(&me.person)
        .await?
        .into_iter()
        .map(|r| {
            let scope = match (&r.owner, &r.category) {
                (Some(_), Some(c)) => format!("yours, for {}", category_name(c)),
                (Some(_), None) => "yours".to_string(),
                (None, Some(c)) => format!("shared, for {}", category_name(c)),
                (None, None) => "shared, for every category".to_string(),
            };
            Reply {
                id: r.id,
                title: r.title,
                body: r.body,
                category: r.category.unwrap_or_default(),
                scope,
                removable: r.owner.is_some() || may_share,
            }
        })
        .collect();
    let placeholders = PLACEHOLDERS
        .iter()
        .map(|(name, means)| Placeholder {
            name: format!("{{{name}}}"),
            means,
        })
        .collect();
    let page = html(&CannedPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        replies,
        categories: snapshot.category_choices(),
        may_share,
        placeholders,
        notice: flash.notice(),
    })?;
    Ok(flash.shown(page.into_response()))
}

pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let said = match form.given("action").as_deref() {
        Some("add") => {
            let added = state
                .add_canned_reply(
                    &me.person,
                    CannedForm {
                        title: form.given("title").unwrap_or_default(),
                        body: form.text("body").unwrap_or_default().to_string(),
                        category: form.given("category").unwrap_or_default(),
                        shared: form.given("shared").is_some(),
                    },
                )
                .await;
            match added {
                Ok(r) => format!(
                    "\u{201c}{}\u{201d} is ready to use on any case page.",
                    r.title
                ),
                Err(e @ AppError::Invalid { .. }) => {
                    let said = crate::web::words::refusal(&e, &|id| {
                        state.directory.snapshot().person_name(id)
                    });
                    format!("Not kept: {}", said.sentence)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Some("edit") => {
            let id = form
                .given("id")
                .and_then(|i| i.parse::<i64>().ok())
                .ok_or_else(|| WebError(AppError::invalid("id", "choose a reply")))?;
            let changed = state
                .update_canned_reply(
                    &me.person,
                    id,
                    CannedForm {
                        title: form.given("title").unwrap_or_default(),
                        body: form.text("body").unwrap_or_default().to_string(),
                        category: form.given("category").unwrap_or_default(),
                        shared: false,
                    },
                )
                .await;
            match changed {
                Ok(r) => format!("\u{201c}{}\u{201d} is changed.", r.title),
                Err(e @ AppError::Invalid { .. }) => {
                    let said = crate::web::words::refusal(&e, &|id| {
                        state.directory.snapshot().person_name(id)
                    });
                    format!("Not changed: {}", said.sentence)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Some("delete") => {
            let id = form
                .given("id")
                .and_then(|i| i.parse::<i64>().ok())
                .ok_or_else(|| WebError(AppError::invalid("id", "choose a reply")))?;
            state.delete_canned_reply(&me.person, id).await?;
            "The reply was removed.".to_string()
        }
        _ => {
            return Err(WebError(AppError::invalid(
                "action",
                "choose add, edit or delete",
            )))
        }
    };
    Ok(flash::redirect(
        &state,
        "/staff/canned",
        Flash::notice(said),
    ))
}
