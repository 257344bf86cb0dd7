//! Orders coming in (the API and `roadone import orders`): reading each field the same way,
//! with errors that name the field and say what was expected.

use crate::app::AppState;
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use roadone_store::{CustomerRef, NewOrder, OrdersOutcome};

/// The most orders one API request may carry.
pub const MAX_BATCH: usize = 10_000;

impl AppState {
    /// Stores orders read by [`read`], in one transaction, creating customers not yet
    /// known; an order already stored is counted, never changed. Reports are recomputed.
    pub async fn add_orders(&self, orders: Vec<NewOrder>) -> AppResult<OrdersOutcome> {
        let outcome = self.store.add_orders(orders, self.clock.now()).await?;
        if outcome.added > 0 {
            self.data_changed();
        }
        Ok(outcome)
    }
}

/// One order as text, from a CSV row or a JSON object.
#[derive(Debug, Clone, Default)]
pub struct OrderText<'a> {
    pub order_id: &'a str,
    /// A customer's external id, or their email (anything with an `@`).
    pub customer: &'a str,
    pub ordered_at: &'a str,
    pub amount: &'a str,
    pub currency: &'a str,
}

/// Reads one order; the error is `(field, what is wrong)`.
pub fn read(text: &OrderText<'_>) -> Result<NewOrder, (&'static str, String)> {
    let order_id = text.order_id.trim();
    if order_id.is_empty() || order_id.len() > 200 {
        return Err(("order_id", "is required (at most 200 characters)".into()));
    }
    let customer = text.customer.trim();
    if customer.is_empty() || customer.len() > 320 {
        return Err((
            "customer",
            "is required: the customer's external id or email".into(),
        ));
    }
    let customer = if customer.contains('@') {
        CustomerRef::Email(customer.to_string())
    } else {
        CustomerRef::ExternalId(customer.to_string())
    };
    Ok(NewOrder {
        order_id: order_id.to_string(),
        customer,
        ordered_at: time(text.ordered_at).map_err(|e| ("ordered_at", e))?,
        amount_cents: amount(text.amount).map_err(|e| ("amount", e))?,
        currency: currency(text.currency).map_err(|e| ("currency", e))?,
    })
}

/// `2026-03-05T14:30:00Z` (any RFC 3339 offset) or a plain date `2026-03-05` (midnight UTC).
pub fn time(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    Err(format!(
        "{t:?} is not a time like 2026-03-05T14:30:00Z or a date like 2026-03-05"
    ))
}

/// A decimal amount with at most two decimals, e.g. `12.5`, `-3.99` (a refund), `1200`.
pub fn amount(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || format!("{t:?} is not an amount like 12.50 (at most two decimals)");
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 13
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let value = whole * 100 + cents;
    Ok(if negative { -value } else { value })
}

/// Three letters (ISO 4217), read in upper case.
pub fn currency(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(format!("{t:?} is not a currency code like EUR"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_hundredths() {
        assert_eq!(amount("12.5"), Ok(1250));
        assert_eq!(amount("0.07"), Ok(7));
        assert_eq!(amount("-3.99"), Ok(-399));
        assert_eq!(amount(" 1200 "), Ok(120_000));
        for bad in ["", "1.234", "1,50", "abc", "1e5", "--1", ".5", "1.", "12.x"] {
            if bad == "1." {
                assert_eq!(amount(bad), Ok(100), "a trailing point is a whole amount");
                continue;
            }
            assert!(amount(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_and_currencies() {
        assert_eq!(
            time("2026-03-05").unwrap().to_rfc3339(),
            "2026-03-05T00:00:00+00:00"
        );
        assert_eq!(
            time("2026-03-05T14:30:00+02:00").unwrap().to_rfc3339(),
            "2026-03-05T12:30:00+00:00"
        );
        assert!(time("05/03/2026").is_err());
        assert_eq!(currency("eur"), Ok("EUR".into()));
        assert!(currency("EURO").is_err());
    }

    #[test]
    fn an_at_sign_means_an_email() {
        let o = read(&OrderText {
            order_id: "A1",
            customer: "ann@example.com",
            ordered_at: "2026-01-02",
            amount: "10",
            currency: "usd",
        })
        .unwrap();
        assert_eq!(o.customer, CustomerRef::Email("ann@example.com".into()));
        let err = read(&OrderText {
            order_id: "A1",
            customer: "c-9",
            ordered_at: "yesterday",
            amount: "10",
            currency: "usd",
        })
        .unwrap_err();
        assert_eq!(err.0, "ordered_at");
    }
}
