//! A second step before what cannot be undone with one click (deactivating a person,
//! revoking a token): the first post shows what will happen, and only the form on that
//! page, which carries `confirm=yes`, does it.

use crate::http::upload::UploadForm;
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::response::{IntoResponse, Response};

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

#[derive(askama::Template)]
#[template(path = "web/staff/confirm.html")]
struct ConfirmPage<'a> {
    me: Me,
    csrf: String,
    title: String,
    question: String,
    consequence: String,
    button: &'a str,
    action: &'a str,
    fields: Vec<(&'a str, String)>,
    cancel: &'a str,
}

pub fn page(me: &SignedIn, c: Confirmation<'_>) -> WebResult<Response> {
    let page = html(&ConfirmPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        title: c.title,
        question: c.question,
        consequence: c.consequence,
        button: c.button,
        action: c.action,
        fields: c.fields,
        cancel: c.cancel,
    })?;
    Ok(page.into_response())
}
