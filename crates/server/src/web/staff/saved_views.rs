//! Saving the case view on screen under a name, and forgetting a saved one.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::web::flash::{self, Flash};
use crate::web::pages::{WebError, WebResult};
use crate::web::staff::case_views::ViewQuery;
use crate::web::staff::session::SignedIn;
use axum::extract::{Request, State};
use axum::response::Response;

pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = UploadForm::read(request, &state).await?;
    me.check_csrf(form.text("csrf"))?;
    let name = form.given("name").unwrap_or_default();
    match form.given("action").as_deref() {
        Some("save") => {
            // Saved as the server reads it, so a saved view is one the person may open.
            let query: ViewQuery = serde_urlencoded::from_str(form.text("query").unwrap_or(""))
                .map_err(|_| AppError::invalid("query", "this is not a view of the case list"))?;
            let snapshot = state.directory.snapshot();
            let categories: Vec<String> = snapshot.categories.keys().cloned().collect();
            let chosen = query.choose(
                &me.person,
                &snapshot.hierarchy,
                &categories,
                state.clock.now(),
            )?;
            let canonical = chosen.query(1);
            match state
                .save_view(me.person.id, &name, canonical.clone())
                .await
            {
                Ok(()) => Ok(flash::redirect(
                    &state,
                    &format!("/staff/cases?{canonical}"),
                    Flash::notice(format!(
                        "Saved as \u{201c}{}\u{201d}: it is in your views above.",
                        name.trim()
                    )),
                )),
                Err(AppError::Invalid { message, .. }) => Ok(flash::redirect(
                    &state,
                    &format!("/staff/cases?{canonical}"),
                    Flash::notice(format!(
                        "Not saved: the name {}.",
                        message.trim_start_matches("name: ")
                    )),
                )),
                Err(e) => Err(e.into()),
            }
        }
        Some("delete") => {
            let said = if state.delete_view(me.person.id, &name).await? {
                format!("\u{201c}{name}\u{201d} is no longer among your views.")
            } else {
                format!("You have no view called \u{201c}{name}\u{201d}.")
            };
            Ok(flash::redirect(&state, "/staff/cases", Flash::notice(said)))
        }
        _ => Err(WebError(AppError::invalid(
            "action",
            "choose save or delete",
        ))),
    }
}
