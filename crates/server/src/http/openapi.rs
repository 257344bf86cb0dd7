//! The OpenAPI document's frame: its info, security scheme and tags. The operations come
//! from the router itself (`http::api_routes`, where each route is registered with its
//! description by `utoipa_axum::routes!`), so the document lists exactly what is served.

use crate::http::views::{ErrorBody, ErrorDetail};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, MethodRouter};
use utoipa::openapi::path::PathItem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Roadone API", description = "Every case has one owner who solves it or passes it up; nothing unsolved survives the escalation deadline."),
    tags(
        (name = "cases", description = "Open a case, read it, and the actions it lives by"),
        (name = "customer", description = "What a case's customer sees and does with their case link"),
        (name = "attachments", description = "The files of a case, served so that they cannot run"),
        (name = "people", description = "Staff and whom they report to"),
        (name = "tokens", description = "API tokens"),
        (name = "categories", description = "Categories, their owners and checklists"),
        (name = "orders", description = "Sales records, for customer math"),
        (name = "experiments", description = "Delight experiments: a share of new customers served by a chosen team"),
        (name = "calls", description = "Telephone calls, from a telephone system or platform"),
        (name = "reports", description = "The figures of docs/metrics.md"),
        (name = "inbound", description = "Mail taken in over HTTP"),
        (name = "operations", description = "Health and metrics, for operators"),
    ),
    // Named by `CommonResponses` rather than by a handler, so listed here.
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Gives the operations of `routes` that name no tag of their own the tag `tag`: the
/// router groups routes by what they are about, and the document shows the same groups.
pub(crate) fn tagged(
    tag: &str,
    mut routes: utoipa_axum::router::OpenApiRouter<crate::app::AppState>,
) -> utoipa_axum::router::OpenApiRouter<crate::app::AppState> {
    for item in routes.get_openapi_mut().paths.paths.values_mut() {
        for op in operations(item) {
            let tags = op.tags.get_or_insert_with(Vec::new);
            if tags.is_empty() {
                tags.push(tag.to_string());
            }
        }
    }
    routes
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// The document of the routes the API router collected, with the answers every
/// operation can give.
pub(crate) fn complete(mut doc: Document) -> Document {
    CommonResponses.modify(&mut doc);
    doc
}

/// `GET /api/openapi.json`: the document, serialised once when the router is built.
pub(crate) fn document(doc: &Document) -> MethodRouter<crate::app::AppState> {
    let json = bytes::Bytes::from(serde_json::to_vec(doc).unwrap_or_else(|e| {
        // Only a bug in a schema could make a derived document unserialisable.
        panic!("the OpenAPI document cannot be serialised: {e}")
    }));
    get(move || {
        let json = json.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], json).into_response() }
    })
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers any operation can give, declared once here rather than on every handler: the
/// ones `http::error` and the HTTP layer produce whatever the route.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let api = path.starts_with("/api/v1/");
            let with_id = path.contains('{');
            for op in operations(item) {
                // Anything read from the request can be wrong in a way a person must fix.
                let reads_input = op.request_body.is_some()
                    || op.parameters.iter().flatten().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    });
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description).into());
                };
                if api {
                    add(
                        "400",
                        "The request could not be read (malformed JSON, a wrong content type)",
                    );
                    add(
                        "401",
                        "No valid token (a staff token, or the customer's case link)",
                    );
                    add("413", "The request is larger than the server takes");
                    add("429", "Too many requests; see Retry-After");
                }
                if with_id {
                    add("404", "No such thing at this path");
                }
                if reads_input {
                    add("422", "A field is wrong; the error names it");
                }
                add("408", "The request was not received in time");
                add("500", "Internal error (logged; no details are given)");
                add(
                    "503",
                    "The store or the mail relay is unavailable, or the answer took too long; retry",
                );
                add(
                    "507",
                    "The server's disk is full; nothing was saved; see Retry-After",
                );
            }
        }
    }
}
