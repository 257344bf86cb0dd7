//! The demo's delight experiment. Since its history began, 5% of new customers have been
//! served by Nora Quinn, the delight desk, and everyone else as usual. Nothing is faked
//! in the report: the effect is planted only in how Nora works (her customers tend to rate
//! her higher) and in how her customers buy afterwards (about 25% more for six weeks, in
//! [`super::orders`]), so the report finds what a real one would — a modest lift, and
//! for sales, how many more customers a decision needs.

use super::plan::Plan;
use anyhow::{Context as _, Result};
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{Arm, Experiment, ExperimentSettings, Lifecycle, PersonId};
use roadone_server::AppState;
use std::collections::{HashMap, HashSet};

pub const KEY: &str = "delight-desk";
/// The share of new customers the delight desk serves: 1% is the seed's figure; the demo
/// has about a thousand customers, so 5% gives it a few dozen.
const FRACTION: f64 = 0.05;
/// What the desk costs a month beyond serving these customers anyway.
const MONTHLY_COST: f64 = 300.0;

/// Sets the experiment up and starts it at `start`, before the demo's first case.
pub async fn set_up(
    state: &AppState,
    ids: &HashMap<&'static str, PersonId>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Experiment> {
    let settings = ExperimentSettings {
        name: "Delight desk".into(),
        hypothesis: "Customers served by someone trained to care rate us higher, write \
                     again less and buy more: enough to pay for the desk"
            .into(),
        team: vec![ids["nora_quinn"]],
        fraction: FRACTION,
        channels: vec![],
        categories: vec![],
        planned_start: start,
        planned_end: now + Duration::days(30),
        monthly_cost: MONTHLY_COST,
        currency: "EUR".into(),
        look_back_days: 90,
    };
    let admin = ids["admin"];
    state
        .create_experiment_at(admin, KEY, settings, start)
        .await
        .context("setting up the demo experiment")?;
    let started = state
        .experiment_step_at(admin, KEY, Lifecycle::Start, start)
        .await
        .context("starting the demo experiment")?;
    Ok(started.experiment)
}

/// Who serves a case of `customer`: the team, for a treated customer.
pub fn served_by(experiment: &Experiment, customer: i64) -> Option<PersonId> {
    match experiment.arm_for(customer).0 {
        Arm::Treated => experiment.settings.team.first().copied(),
        Arm::Control => None,
    }
}

/// Places each customer at their first case, as the server places them when it opens:
/// the arm is stored then, and their later cases read it.
pub async fn place(state: &AppState, plans: &[Plan]) -> Result<usize> {
    let mut seen = HashSet::new();
    let mut placing = tokio::task::JoinSet::new();
    for plan in plans {
        let Some(email) = plan.intake.customer.email.clone() else {
            continue;
        };
        if !seen.insert(email) {
            continue;
        }
        let (state, intake, at) = (state.clone(), plan.intake.clone(), plan.opened_at);
        placing.spawn(async move { state.place_in_experiment_at(&intake, at).await });
        while placing.len() >= 64 {
            if let Some(done) = placing.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = placing.join_next().await {
        done??;
    }
    Ok(seen.len())
}
