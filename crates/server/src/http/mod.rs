//! The HTTP layer: the versioned JSON API and its OpenAPI document, the pages' routes
//! mounted beside it, and the layers every request goes through.

pub mod api;
pub mod download;
pub mod error;
pub mod extract;
#[cfg(feature = "fault-injection")]
pub mod faults;
pub mod layers;
pub mod message_body;
pub mod openapi;
pub mod serve;
pub mod upload;
pub mod views;

use crate::app::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// Requests larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Everything the server answers over HTTP. The layers, outermost first: the request id
/// (`x-request-id`, on the response too), the request's tracing span, the request
/// counters, the time limit, the body limit; inside them, a panic becomes a 500.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    let doc = openapi::complete(doc);
    let api = api
        .route("/api/openapi.json", openapi::document(&doc))
        .route("/healthz", get(|| async { "ok" }));
    #[cfg(feature = "fault-injection")]
    let api = api.merge(faults::api_routes());
    let pages = crate::web::routes();
    #[cfg(feature = "fault-injection")]
    let pages = pages.merge(faults::page_routes());
    // The error page of a panic is made outside the pages' own header layer: it gets
    // their headers here.
    let pages = pages
        .layer(CatchPanicLayer::custom(layers::page_panic))
        .layer(axum::middleware::map_response(
            crate::web::pages::page_headers,
        ));
    api.layer(CatchPanicLayer::custom(layers::api_panic))
        .merge(pages)
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::health::count_requests,
        ))
        .layer(
            // Errors are logged where they are mapped (`http::error`); the rest only
            // at debug level, with each request's status and latency.
            TraceLayer::new_for_http()
                .make_span_with(layers::request_span)
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(layers::drop_odd_request_id))
        .with_state(state)
}

/// The operations of the OpenAPI document, each registered with its description
/// (`routes!` takes the method and path from the handler's `#[utoipa::path]`), so that
/// nothing is served undocumented or documented unserved. Grouped by tag.
pub fn api_routes() -> OpenApiRouter<AppState> {
    use api::{attachments, calls, cases, categories, customer, health, inbound, orders, people};
    use api::{experiments, phone_lines, reports, tokens};
    use openapi::tagged;
    let uploads = || DefaultBodyLimit::max(message_body::MAX_UPLOAD_BYTES);
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(tagged(
            "people",
            OpenApiRouter::new()
                .routes(routes!(people::create, people::list))
                .routes(routes!(people::move_person))
                .routes(routes!(people::deactivate))
                .routes(routes!(people::edit))
                .routes(routes!(people::invite)),
        ))
        .merge(tagged(
            "tokens",
            OpenApiRouter::new()
                .routes(routes!(tokens::issue, tokens::list))
                .routes(routes!(tokens::revoke)),
        ))
        .merge(tagged(
            "categories",
            OpenApiRouter::new()
                .routes(routes!(categories::create, categories::list))
                .routes(routes!(categories::update)),
        ))
        .merge(tagged(
            "reports",
            OpenApiRouter::new()
                .routes(routes!(reports::trail))
                .routes(routes!(reports::customer_math))
                .routes(routes!(reports::delight))
                .routes(routes!(reports::roads))
                .routes(routes!(reports::calls)),
        ))
        .merge(tagged(
            "experiments",
            OpenApiRouter::new()
                .routes(routes!(experiments::create, experiments::list))
                .routes(routes!(experiments::assignment))
                .routes(routes!(experiments::show, experiments::change))
                .routes(routes!(experiments::step))
                .routes(routes!(experiments::report)),
        ))
        .merge(tagged(
            "orders",
            OpenApiRouter::new().routes(routes!(orders::add)),
        ))
        .merge(tagged(
            "calls",
            OpenApiRouter::new()
                .routes(routes!(calls::add))
                .routes(routes!(calls::twilio))
                .routes(routes!(phone_lines::set, phone_lines::list)),
        ))
        .merge(tagged(
            "cases",
            OpenApiRouter::new()
                .routes(routes!(cases::open, cases::list))
                .routes(routes!(cases::show))
                .routes(routes!(cases::pass_up))
                .routes(routes!(cases::take))
                .routes(routes!(cases::upgrade))
                .routes(routes!(cases::mark_junk))
                .routes(routes!(cases::undo_junk))
                .routes(routes!(cases::fact))
                .routes(routes!(cases::solve))
                .routes(routes!(cases::send_link))
                .routes(routes!(cases::message).layer(uploads()))
                .routes(routes!(cases::note).layer(uploads())),
        ))
        .merge(tagged(
            "customer",
            OpenApiRouter::new()
                .routes(routes!(customer::rate))
                .routes(routes!(customer::reply).layer(uploads()))
                .routes(routes!(customer::show)),
        ))
        .merge(tagged(
            "attachments",
            OpenApiRouter::new()
                .routes(routes!(attachments::download))
                .routes(routes!(attachments::sanitised)),
        ))
        .merge(tagged(
            "inbound",
            OpenApiRouter::new().routes(
                routes!(inbound::email).layer(DefaultBodyLimit::max(inbound::MAX_MESSAGE_BYTES)),
            ),
        ))
        .merge(tagged(
            "operations",
            OpenApiRouter::new()
                .routes(routes!(health::ready))
                .routes(routes!(health::metrics)),
        ))
}
