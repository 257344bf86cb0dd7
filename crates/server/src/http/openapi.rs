//! The OpenAPI document, generated from the handlers' annotations and the view types,
//! so it cannot drift from what the server does.

use crate::http::api::{attachments, cases, categories, customer, inbound, people};
use crate::http::views::*;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Roadone API", description = "Every case has one owner who solves it or passes it up; nothing unsolved survives the escalation deadline."),
    paths(
        people::create, people::list, people::move_person, people::deactivate,
        crate::http::api::tokens::issue, crate::http::api::tokens::list, crate::http::api::tokens::revoke,
        categories::create, categories::list, categories::update, crate::http::api::reports::trail, crate::http::api::orders::add, crate::http::api::reports::customer_math, crate::http::api::reports::delight, crate::http::api::reports::roads,
        cases::open, cases::list, cases::show, cases::pass_up, cases::take, cases::upgrade, cases::solve, cases::message, cases::note, cases::send_link,
        customer::show, customer::rate, customer::reply,
        inbound::email, attachments::download, attachments::sanitised,
        crate::http::api::health::ready, crate::http::api::health::metrics,
    ),
    components(schemas(ErrorBody, ErrorDetail, NewPersonRequest, PersonView, MovePersonRequest, DeactivationView, StuckCase, FileView, NewTokenRequest, IssuedToken, TokenView, CategoryView, ChecklistItemView,
        CustomerView, RealtimeView, OpenCaseRequest, CaseCreated, CaseSummary, CaseView, EventView, PassUpRequest,
        UpgradeRequest, SolveRequest, RatingRequest, MessageRequest, CustomerCaseView, CustomerMessageView,
        crate::mail::inbound::InboundResult, crate::reports::trail::TrailReport, crate::reports::trail::TrailRow,
        crate::http::api::orders::OrderIn, crate::http::api::orders::OrdersRequest, crate::http::api::orders::OrdersResult, crate::http::api::orders::Conflict, crate::reports::customer_math::CustomerMathReport, crate::reports::delight::DelightReport, crate::reports::roads::RoadsReport,
        crate::health::Readiness, crate::health::Check, LinkSent)),
    modifiers(&BearerAuth, &CommonResponses)
)]
pub struct ApiDoc;

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
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in operations.into_iter().flatten() {
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
                add("503", "The store or the mail relay is unavailable; retry");
                add(
                    "507",
                    "The server's disk is full; nothing was saved; see Retry-After",
                );
            }
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
