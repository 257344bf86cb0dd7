//! The HTTP layer: the versioned JSON API and its OpenAPI document.

pub mod api;
pub mod error;
pub mod extract;
pub mod message_body;
pub mod openapi;
pub mod serve;
pub mod upload;
pub mod views;

use crate::app::AppState;
use axum::routing::{get, post, put};
use axum::Router;

/// Requests larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    use api::{attachments, cases, categories, customer, inbound, people};
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/people", post(people::create).get(people::list))
        .route("/api/v1/people/{id}/move", post(people::move_person))
        .route("/api/v1/people/{id}/deactivate", post(people::deactivate))
        .route(
            "/api/v1/tokens",
            post(api::tokens::issue).get(api::tokens::list),
        )
        .route("/api/v1/tokens/{id}/revoke", post(api::tokens::revoke))
        .route(
            "/api/v1/categories",
            post(categories::create).get(categories::list),
        )
        .route("/api/v1/categories/{key}", put(categories::update))
        .route("/api/v1/reports/trail", get(api::reports::trail))
        .route("/api/v1/orders", post(api::orders::add))
        .route(
            "/api/v1/reports/customer-math",
            get(api::reports::customer_math),
        )
        .route("/api/v1/reports/delight", get(api::reports::delight))
        .route("/api/v1/reports/roads", get(api::reports::roads))
        .route("/api/v1/cases", post(cases::open).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::show))
        .route("/api/v1/cases/{id}/pass-up", post(cases::pass_up))
        .route("/api/v1/cases/{id}/take", post(cases::take))
        .route("/api/v1/cases/{id}/upgrade", post(cases::upgrade))
        .route("/api/v1/cases/{id}/solve", post(cases::solve))
        .route("/api/v1/cases/{id}/send-link", post(cases::send_link))
        .route(
            "/api/v1/cases/{id}/messages",
            post(cases::message).layer(axum::extract::DefaultBodyLimit::max(
                message_body::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/api/v1/cases/{id}/notes",
            post(cases::note).layer(axum::extract::DefaultBodyLimit::max(
                message_body::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/api/v1/cases/{id}/rating", post(customer::rate))
        .route(
            "/api/v1/cases/{id}/customer-messages",
            post(customer::reply).layer(axum::extract::DefaultBodyLimit::max(
                message_body::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/api/v1/cases/{id}/customer-view", get(customer::show))
        .route(
            "/api/v1/cases/{id}/attachments/{sha256}",
            get(attachments::download),
        )
        .route(
            "/api/v1/cases/{id}/attachments/{sha256}/sanitised",
            get(attachments::sanitised),
        )
        .route(
            "/api/v1/inbound/email",
            post(inbound::email).layer(axum::extract::DefaultBodyLimit::max(
                inbound::MAX_MESSAGE_BYTES,
            )),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::health::ready))
        .route("/metrics", get(api::health::metrics))
        .merge(crate::web::routes())
        .fallback(api::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::health::count_requests,
        ))
        .with_state(state)
}
