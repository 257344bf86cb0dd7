//! Orders (sales) and the case outcomes customer math compares them with.

use crate::convert::{db, ms, time};
use crate::customers::upsert_customer;
use chrono::{DateTime, Utc};
use roadone_domain::Customer;
use roadone_store::{
    CaseOutcome, CustomerRef, NewOrder, OrderAmount, OrderSummary, OrdersOutcome, StoreResult,
};
use rusqlite::{params, Connection, OptionalExtension};

pub fn add_orders(
    conn: &Connection,
    orders: &[NewOrder],
    now: DateTime<Utc>,
) -> StoreResult<OrdersOutcome> {
    let mut outcome = OrdersOutcome::default();
    for (index, order) in orders.iter().enumerate() {
        let customer = match &order.customer {
            CustomerRef::ExternalId(id) => Customer {
                external_id: Some(id.clone()),
                ..Customer::default()
            },
            CustomerRef::Email(email) => Customer {
                email: Some(email.clone()),
                ..Customer::default()
            },
        };
        let customer_id = upsert_customer(conn, &customer, now, false)?;
        let stored: Option<(i64, i64, i64, String)> = conn
            .prepare_cached(
                "SELECT customer_id, ordered_at, amount_cents, currency FROM orders WHERE order_id = ?",
            )
            .and_then(|mut s| {
                s.query_row([&order.order_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(db)?;
        let this = (
            customer_id,
            ms(order.ordered_at),
            order.amount_cents,
            order.currency.clone(),
        );
        match stored {
            Some(same) if same == this => outcome.already_known += 1,
            Some(_) => outcome.conflicts.push(index),
            None => {
                conn.prepare_cached(
                    "INSERT INTO orders (order_id, customer_id, ordered_at, amount_cents, currency, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        order.order_id,
                        customer_id,
                        this.1,
                        order.amount_cents,
                        order.currency,
                        ms(now)
                    ])
                })
                .map_err(db)?;
                outcome.added += 1;
            }
        }
    }
    Ok(outcome)
}

pub fn order_currencies(conn: &Connection) -> StoreResult<Vec<(String, u64)>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT currency, COUNT(*) FROM orders GROUP BY currency ORDER BY COUNT(*) DESC, currency",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn orders_in(
    conn: &Connection,
    currency: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<OrderAmount>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT customer_id, ordered_at, amount_cents FROM orders \
             WHERE currency = ? AND ordered_at >= ? AND ordered_at < ? ORDER BY ordered_at",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![currency, ms(from), ms(to)], |r| {
            Ok(OrderAmount {
                customer_id: r.get(0)?,
                ordered_at: time(r.get(1)?),
                amount_cents: r.get(2)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn customer_orders(conn: &Connection, customer: i64) -> StoreResult<Vec<OrderSummary>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT currency, COUNT(*), SUM(amount_cents), MIN(ordered_at), MAX(ordered_at)
             FROM orders WHERE customer_id = ? GROUP BY currency ORDER BY COUNT(*) DESC, currency",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([customer], |r| {
            Ok(OrderSummary {
                currency: r.get(0)?,
                orders: r.get::<_, i64>(1)? as u64,
                total_cents: r.get(2)?,
                first_at: time(r.get(3)?),
                last_at: time(r.get(4)?),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// One pass over the cases' projection. A case reopened since its last solve is open
/// (its solve columns are empty).
pub fn case_outcomes(conn: &Connection) -> StoreResult<Vec<CaseOutcome>> {
    // The projection keeps these up to date with every append (migration 0009).
    let mut stmt = conn
        .prepare(
            "SELECT id, customer_id, category, opened_at, intake_owner, solved_at, solved_by, road, escalated
             FROM cases ORDER BY id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            let solved_at: Option<i64> = r.get(5)?;
            let solver: Option<i64> = r.get(6)?;
            let road: Option<i64> = r.get(7)?;
            Ok(CaseOutcome {
                case_id: r.get(0)?,
                customer_id: r.get(1)?,
                category: r.get(2)?,
                opened_at: time(r.get(3)?),
                intake_owner: r.get(4)?,
                solved: match (solved_at, solver, road) {
                    (Some(at), Some(by), Some(road)) => Some((time(at), by, road as u8)),
                    _ => None,
                },
                escalated: r.get(8)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
