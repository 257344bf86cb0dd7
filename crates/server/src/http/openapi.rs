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
    modifiers(&BearerAuth)
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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
