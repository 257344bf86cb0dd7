//! The web pages: the form to write in (`/contact`), the customer portal (`/portal`) and
//! the staff pages (`/staff`), server-rendered and working without JavaScript.

pub mod charts;
pub mod client_ip;
pub mod contact;
pub mod customer_language;
pub mod flash;
pub mod origin;
pub mod pages;
pub mod portal;
pub mod portal_pages;
pub mod portal_session;
pub mod rate_limit;
pub mod session;
pub mod staff;
pub mod words;

use crate::app::AppState;
use crate::http::upload::MAX_UPLOAD_BYTES;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    let uploads = || DefaultBodyLimit::max(MAX_UPLOAD_BYTES);
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/contact") }),
        )
        .route("/contact", get(contact::categories))
        .route("/language", post(customer_language::choose))
        .route(
            "/contact/{category}",
            get(contact::form).post(contact::submit).layer(uploads()),
        )
        .route("/portal", get(portal::home))
        .route("/portal/sign-in", post(portal::request_link))
        .route(
            "/portal/sign-in/{link}",
            get(portal::confirm).post(portal::redeem),
        )
        .route("/portal/sign-out", post(portal::sign_out))
        .route("/portal/cases/{id}", get(portal::case))
        .route(
            "/portal/cases/{id}/reply",
            post(portal::reply).layer(uploads()),
        )
        .route("/portal/cases/{id}/rating", post(portal::rate))
        .route(
            "/portal/cases/{id}/attachments/{sha256}",
            get(portal::download),
        )
        .merge(staff::routes())
        .layer(axum::middleware::map_response(pages::page_headers))
        .route("/static/roadone.css", get(pages::stylesheet))
        .route("/static/live.js", get(staff::live::script))
        .route("/static/shortcuts.js", get(staff::shortcuts::script))
}
