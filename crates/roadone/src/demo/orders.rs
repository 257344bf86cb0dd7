//! The demo's sales: nine months of orders from the customers who wrote in and from as
//! many again who never did, so customer math has a story to tell.
//!
//! The story, in numbers the report will find: everyone buys about a fifth less since a
//! price rise two months ago (so the raw lift looks bad for everybody, the adjusted one
//! does not); customers whose case Rosa Delgado or Malik Johnson solved buy about 35%
//! more in the six weeks after, Nora Quinn's (the delight desk's) about 25% more; Kevin
//! Marsh's customers buy about 25% less. The demo sets
//! customer math to compare 30 days, since its cases are all from the last 90 days.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_server::AppState;
use roadone_store::{CustomerRef, NewOrder};
use std::collections::HashMap;

const SEED: u64 = 0x0005_A1E5;
const DAYS: i64 = 270;
/// Customers who buy but never wrote in: the baseline customer math compares with.
const QUIET_CUSTOMERS: usize = 1_500;
/// How long a solver's effect on a customer lasts.
const EFFECT_DAYS: i64 = 42;
/// The price rise: from this many days ago everyone buys this much less.
const PRICE_RISE_DAYS_AGO: i64 = 60;
const PRICE_RISE_EFFECT: f64 = 0.8;
pub const DEMO_SALES_WINDOW: &str = "30days";

/// Each planted solver's effect on their customers' buying, by demo email.
const EFFECTS: &[(&str, f64)] = &[
    ("rosa.delgado@demo.roadone.local", 1.35),
    ("malik.johnson@demo.roadone.local", 1.35),
    // The delight desk's customers buy a little more: the experiment's planted effect.
    ("nora.quinn@demo.roadone.local", 1.25),
    ("kevin.marsh@demo.roadone.local", 0.75),
];

/// Writes the orders; returns how many.
pub async fn load(state: &AppState, now: DateTime<Utc>) -> Result<usize> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let people = state.people().await?;
    let effect_of: HashMap<i64, f64> = people
        .iter()
        .filter_map(|p| {
            EFFECTS
                .iter()
                .find(|(email, _)| *email == p.email)
                .map(|(_, e)| (p.id, *e))
        })
        .collect();
    // Who wrote in, and when each of their cases was solved by whom.
    let mut solved_by_customer: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    for case in state.case_outcomes().await? {
        let entry = solved_by_customer.entry(case.customer_id).or_default();
        if let Some((at, solver, _)) = case.solved {
            let day = (at - (now - Duration::days(DAYS))).num_days();
            entry.push((day, effect_of.get(&solver).copied().unwrap_or(1.0)));
        }
    }
    let mut buyers: Vec<(CustomerRef, Vec<(i64, f64)>)> = Vec::new();
    let mut ids: Vec<i64> = solved_by_customer.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        if let Some(email) = state.customer(id).await?.and_then(|c| c.email) {
            buyers.push((CustomerRef::Email(email), solved_by_customer[&id].clone()));
        }
    }
    for i in 0..QUIET_CUSTOMERS {
        buyers.push((
            CustomerRef::Email(format!("shopper{i:04}@demo-shoppers.example")),
            Vec::new(),
        ));
    }
    let start = now - Duration::days(DAYS);
    let mut orders = Vec::new();
    for (n, (customer, solves)) in buyers.into_iter().enumerate() {
        // One order every 10 to 40 days, baskets of €15 to €120.
        let rate = 1.0 / rng.gen_range(10.0..40.0);
        let basket: f64 = rng.gen_range(15.0..120.0);
        for day in 0..DAYS {
            let mut p = rate;
            if day >= DAYS - PRICE_RISE_DAYS_AGO {
                p *= PRICE_RISE_EFFECT;
            }
            for (solved_day, effect) in &solves {
                if day > *solved_day && day <= solved_day + EFFECT_DAYS {
                    p *= effect;
                }
            }
            if rng.gen::<f64>() < p {
                let cents = (basket * rng.gen_range(0.6..1.4) * 100.0).round() as i64;
                let at = start + Duration::days(day) + Duration::minutes(rng.gen_range(480..1320));
                if at >= now {
                    continue;
                }
                orders.push(NewOrder {
                    order_id: format!("D-{n:05}-{day:03}"),
                    customer: customer.clone(),
                    ordered_at: at,
                    amount_cents: cents,
                    currency: "EUR".into(),
                });
            }
        }
    }
    let total = orders.len();
    for batch in orders.chunks(5_000) {
        state.add_orders(batch.to_vec()).await?;
    }
    Ok(total)
}
