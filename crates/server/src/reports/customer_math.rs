//! Customer math with names: reads every case outcome and one currency's orders, runs
//! `roadone_analytics::customer_math`, and names the people in it.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use roadone_analytics::customer_math::{customer_math, CustomerMath, Group, MathParams};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerMathReport {
    /// The currency compared (the one with the most orders unless asked for).
    pub currency: Option<String>,
    /// Orders in other currencies are not added in.
    pub other_currencies: Vec<String>,
    /// Which figure the raise list uses, and why, in a sentence.
    pub shown: String,
    /// The names of the people in the report, by id.
    pub names: BTreeMap<String, String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub math: CustomerMath,
}

pub const SHOWN: &str =
    "The lists use the adjusted lift: each customer's sales after the case against what \
customers who started buying within days of them bought at the same age, moved to this \
customer's own level of spending by a line on their history. The raw lift (after against \
before) also moves with seasons, price changes and customers buying less as they age, \
which no agent causes.";

/// The longest window that makes sense (two years each way).
const MAX_WINDOW_DAYS: i64 = 730;

pub async fn compute(
    state: &AppState,
    window_days: i64,
    currency: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<CustomerMathReport> {
    if !(1..=MAX_WINDOW_DAYS).contains(&window_days) {
        return Err(AppError::invalid(
            "window_days",
            format!("must be between 1 and {MAX_WINDOW_DAYS} days"),
        ));
    }
    let currencies = state.store.order_currencies().await?;
    let currency = match currency {
        Some(c) => {
            let c = crate::orders::currency(&c).map_err(|e| AppError::invalid("currency", e))?;
            if !currencies.iter().any(|(have, _)| *have == c) {
                return Err(AppError::invalid(
                    "currency",
                    format!("there are no orders in {c}"),
                ));
            }
            Some(c)
        }
        None => currencies.first().map(|(c, _)| c.clone()),
    };
    let other_currencies = currencies
        .iter()
        .map(|(c, _)| c.clone())
        .filter(|c| Some(c) != currency.as_ref())
        .collect();
    let orders = match &currency {
        Some(c) => {
            state
                .store
                .orders_in(
                    c.clone(),
                    DateTime::<Utc>::MIN_UTC,
                    DateTime::<Utc>::MAX_UTC,
                )
                .await?
        }
        None => Vec::new(),
    };
    let cases = state.store.case_outcomes().await?;
    let params = MathParams {
        window_days,
        now,
        call_answers: call_answers(state).await?,
        ..MathParams::default()
    };
    let math = tokio::task::spawn_blocking(move || customer_math(&cases, &orders, &params))
        .await
        .map_err(|e| AppError::Internal(format!("computing customer math: {e}")))?;
    let snapshot = state.directory.snapshot();
    let names = math
        .by_solver
        .iter()
        .chain(&math.by_intake)
        .filter_map(|g| g.key.parse::<i64>().ok())
        .map(|id| (id.to_string(), snapshot.person_name(id)))
        .collect();
    Ok(CustomerMathReport {
        currency,
        other_currencies,
        shown: SHOWN.into(),
        names,
        math,
    })
}

/// How each phone case's caller got through (docs/metrics.md, "Customer math"): answered
/// within one ring of their first call in the hour before the case opened, later, or not
/// at all (a missed call's case).
async fn call_answers(state: &AppState) -> AppResult<HashMap<i64, &'static str>> {
    let one_ring = state.directory.snapshot().settings.calls.one_ring;
    let calls = state
        .store
        .phone_case_calls(roadone_analytics::calls::LEADS_TO_CASE_WITHIN)
        .await?;
    Ok(calls
        .into_iter()
        .map(|c| {
            let how = match c.first_answered {
                Some(at) if at - c.first_arrived <= one_ring => "one_ring",
                Some(_) => "later",
                None => "not_answered",
            };
            (c.case_id, how)
        })
        .collect())
}

pub const CSV_HEADER: &[&str] = &[
    "grouping",
    "key",
    "name",
    "n",
    "customers",
    "before",
    "after",
    "expected_after",
    "raw_lift",
    "raw_low",
    "raw_high",
    "adjusted_lift",
    "adjusted_low",
    "adjusted_high",
    "adjusted_p",
    "says",
    "vs_peers",
    "customers_lost",
    "customers_gained",
    "matched_15_days",
    "matched_45_days",
    "matched_120_days",
    "matched_any",
    "list",
];

/// Every group of every grouping as a row; amounts in the currency's units.
pub fn csv_rows(report: &CustomerMathReport) -> Vec<Vec<String>> {
    let m = &report.math;
    let f = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let money = |cents: f64| format!("{:.2}", cents / 100.0);
    let list_of = |key: &str| {
        let id = key.parse::<i64>().ok();
        if m.raise.iter().any(|r| Some(r.person) == id) {
            "raise"
        } else if m.below.iter().any(|r| Some(r.person) == id) {
            "below zero"
        } else {
            ""
        }
    };
    let overall = Group {
        key: "all".into(),
        lift: m.overall.clone(),
    };
    let groupings: [(&str, &[Group]); 8] = [
        ("overall", std::slice::from_ref(&overall)),
        ("solver", &m.by_solver),
        ("intake", &m.by_intake),
        ("category", &m.by_category),
        ("road", &m.by_road),
        ("escalation", &m.by_escalation),
        ("month", &m.by_month),
        ("call_answer", &m.by_call_answer),
    ];
    let mut rows = Vec::new();
    for (grouping, groups) in groupings {
        for g in groups {
            let l = &g.lift;
            let person = matches!(grouping, "solver" | "intake");
            rows.push(vec![
                grouping.to_string(),
                g.key.clone(),
                if person {
                    report.names.get(&g.key).cloned().unwrap_or_default()
                } else {
                    String::new()
                },
                l.n.to_string(),
                l.customers.to_string(),
                money(l.before),
                money(l.after),
                money(l.expected_after),
                f(l.raw.lift),
                f(l.raw.low),
                f(l.raw.high),
                f(l.adjusted.lift),
                f(l.adjusted.low),
                f(l.adjusted.high),
                f(l.adjusted.p_value),
                l.adjusted.says.to_string(),
                f(l.vs_peers),
                l.customers_lost.to_string(),
                l.customers_gained.to_string(),
                l.baseline[0].to_string(),
                l.baseline[1].to_string(),
                l.baseline[2].to_string(),
                l.baseline[3].to_string(),
                if grouping == "solver" {
                    list_of(&g.key).to_string()
                } else {
                    String::new()
                },
            ]);
        }
    }
    rows
}
