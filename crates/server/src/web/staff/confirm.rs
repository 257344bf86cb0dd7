//! A second step before what cannot be undone with one click (deactivating a person,
//! revoking a token): the first post shows what will happen, and only the form on that
//! page, which carries `confirm=yes`, does it.

use crate::http::upload::UploadForm;
use crate::web::pages::{render, WebResult};
use crate::web::staff::session::SignedIn;
use axum::response::{IntoResponse, Response};
use minijinja::context;

/// Whether the form was sent from the confirmation page.
pub fn confirmed(form: &UploadForm) -> bool {
    form.text("confirm") == Some("yes")
}

/// What the confirmation page says and where its form goes.
pub struct Confirmation<'a> {
    pub title: String,
    pub question: String,
    pub consequence: String,
    pub button: &'a str,
    /// The action's own URL, posted again with the same fields and `confirm=yes`.
    pub action: &'a str,
    pub fields: Vec<(&'a str, String)>,
    pub cancel: &'a str,
}

pub fn page(me: &SignedIn, c: Confirmation<'_>) -> WebResult<Response> {
    let fields: Vec<minijinja::Value> = c
        .fields
        .iter()
        .map(|(name, value)| context! { name, value })
        .collect();
    Ok(render(
        "staff/confirm.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            title => c.title,
            question => c.question,
            consequence => c.consequence,
            button => c.button,
            action => c.action,
            fields,
            cancel => c.cancel,
        },
    )?
    .into_response())
}
