//! Orders from the shop's systems, in batches: idempotent by order id, so a batch that
//! timed out can simply be sent again.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, Staff};
use crate::http::views::ErrorBody;
use crate::orders::{read, OrderText, MAX_BATCH};
use axum::extract::State;
use axum::Json;
use roadone_domain::Capability;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderIn {
    pub order_id: String,
    /// The customer's external id, or their email.
    pub customer: String,
    /// RFC 3339, or a date (midnight UTC).
    pub ordered_at: String,
    /// A decimal string with at most two decimals, e.g. "12.50"; negative for a refund.
    pub amount: String,
    /// ISO 4217, e.g. "EUR".
    pub currency: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrdersRequest {
    pub orders: Vec<OrderIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Conflict {
    pub index: usize,
    pub order_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrdersResult {
    pub added: u32,
    /// Sent before exactly so: nothing changed.
    pub already_known: u32,
    /// Order ids stored before with other details: kept as stored, listed here.
    pub conflicts: Vec<Conflict>,
}

/// Stores a batch of orders (admins, i.e. integration tokens). Every order is checked
/// first: one bad order refuses the batch (422 naming `orders[i].field`) and stores nothing.
#[utoipa::path(post, path = "/api/v1/orders", request_body = OrdersRequest, security(("bearer" = [])),
    responses((status = 200, body = OrdersResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<OrdersRequest>,
) -> AppResult<Json<OrdersResult>> {
    staff.require(Capability::Administer, "send orders")?;
    if req.orders.is_empty() || req.orders.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "orders",
            format!("send 1 to {MAX_BATCH} orders at a time"),
        ));
    }
    let mut orders = Vec::with_capacity(req.orders.len());
    for (i, o) in req.orders.iter().enumerate() {
        let text = OrderText {
            order_id: &o.order_id,
            customer: &o.customer,
            ordered_at: &o.ordered_at,
            amount: &o.amount,
            currency: &o.currency,
        };
        orders.push(read(&text).map_err(|(field, message)| {
            AppError::invalid(&format!("orders[{i}].{field}"), message)
        })?);
    }
    let ids: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
    let outcome = state.add_orders(orders).await?;
    Ok(Json(OrdersResult {
        added: outcome.added,
        already_known: outcome.already_known,
        conflicts: outcome
            .conflicts
            .into_iter()
            .map(|index| Conflict {
                index,
                order_id: ids[index].clone(),
            })
            .collect(),
    }))
}
