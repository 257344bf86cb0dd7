//! Customers as staff look them up: a search by name, email or phone, and each
//! customer's page with their details, every case, what they bought and how they rated us.

use crate::app::AppState;
use crate::error::AppError;
use crate::web::pages::{render, when, WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use roadone_domain::CaseStatus;
use roadone_store::CustomerRecord;
use serde::Deserialize;

/// How many customers a search lists.
const FOUND: u32 = 50;

#[derive(Deserialize, Default)]
pub struct FindQuery {
    find: Option<String>,
}

fn customer_row(c: &CustomerRecord) -> Value {
    context! {
        href => format!("/staff/customers/{}", c.id),
        name => c.name.clone(),
        email => c.email.clone(),
        phone => c.phone.clone(),
        external_id => c.external_id.clone(),
    }
}

/// The customer search.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<FindQuery>,
) -> WebResult<Response> {
    let find = q.find.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let found: Vec<Value> = match find {
        Some(text) => state
            .find_customers(text, FOUND)
            .await?
            .iter()
            .map(customer_row)
            .collect(),
        None => Vec::new(),
    };
    Ok(render(
        "staff/customers.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            find,
            searched => find.is_some(),
            found,
            limit => FOUND,
        },
    )?
    .into_response())
}

/// Money in hundredths as people read it: `1,234.50 EUR`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, part) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{sign}{grouped}.{part:02} {currency}")
}

/// One customer's page.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id: i64 = id
        .parse()
        .map_err(|_| WebError(AppError::NotFound(format!("customer {id:?}"))))?;
    let profile = state
        .customer_profile(id)
        .await?
        .ok_or_else(|| WebError(AppError::NotFound(format!("customer {id}"))))?;
    let snapshot = state.directory.snapshot();
    let cases: Vec<Value> = profile
        .cases
        .iter()
        .map(|h| {
            context! {
                href => format!("/staff/cases/{}", h.id),
                reference => h.reference.clone(),
                subject => h.subject.clone(),
                category => snapshot.categories.get(&h.category).map(|c| c.name.clone()).unwrap_or_else(|| h.category.clone()),
                owner => snapshot.person_name(h.owner),
                open => h.status == CaseStatus::Open,
                opened_at => when(h.opened_at),
                updated_at => when(h.updated_at),
            }
        })
        .collect();
    let orders: Vec<Value> = profile
        .orders
        .iter()
        .map(|o| {
            context! {
                currency => o.currency.clone(),
                orders => o.orders,
                total => money(o.total_cents, &o.currency),
                first_at => when(o.first_at),
                last_at => when(o.last_at),
            }
        })
        .collect();
    let ratings: Vec<Value> = profile
        .ratings
        .iter()
        .map(|(h, r)| {
            context! {
                href => format!("/staff/cases/{}", h.id),
                reference => h.reference.clone(),
                score => r.score,
                delighted_by => r.delighted_by.clone(),
                would_recommend => r.would_recommend,
                rated_at => when(r.rated_at),
            }
        })
        .collect();
    let open = profile
        .cases
        .iter()
        .filter(|h| h.status == CaseStatus::Open)
        .count();
    Ok(render(
        "staff/customer.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            customer => customer_row(&profile.customer),
            cases,
            open,
            more_cases => profile.more_cases,
            orders,
            ratings,
        },
    )?
    .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(super::money(123450, "EUR"), "1,234.50 EUR");
        assert_eq!(super::money(5, "GBP"), "0.05 GBP");
        assert_eq!(super::money(-100_000_000, "USD"), "-1,000,000.00 USD");
    }
}
