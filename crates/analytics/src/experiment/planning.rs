//! Before and during a run: how many customers a decision needs, and whether the treated
//! team pays for itself.

use super::moments::{z975, Effect};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// The power a plan is made for.
pub const POWER: f64 = 0.8;

/// How many customers a difference of `effect` in a figure with per-customer standard
/// deviation `sd` needs at a treated share of `share`, found at 95% confidence with 80%
/// power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub metric: &'static str,
    pub label: &'static str,
    /// The difference planned for, in the figure's own unit.
    pub effect: f64,
    pub sd: f64,
    pub treated_needed: u64,
    pub control_needed: u64,
    pub total_needed: u64,
    /// What a 50/50 split would need for the same difference.
    pub total_at_even_split: u64,
    /// total_needed ÷ total_at_even_split: at 1% treated it is about 25.
    pub times_even_split: f64,
    /// New customers in scope a day, from the last 30 days.
    pub daily_customers: Option<f64>,
    pub days_needed: Option<f64>,
    /// Customers in the figure so far, and how many more it needs.
    pub have: u64,
    pub more_needed: u64,
    pub says: String,
}

fn z_power() -> f64 {
    Normal::standard().inverse_cdf(POWER)
}

/// The plan for one figure. `per_customer` converts the figure's units into customers
/// (the share of customers who rate, for a rating).
#[allow(clippy::too_many_arguments)]
pub fn plan(
    metric: &'static str,
    label: &'static str,
    effect: f64,
    sd: f64,
    share: f64,
    per_customer: f64,
    daily_customers: Option<f64>,
    have: u64,
) -> Plan {
    if !(sd > 0.0 && effect > 0.0 && sd.is_finite() && effect.is_finite()) {
        return Plan {
            metric,
            label,
            effect,
            sd,
            treated_needed: 0,
            control_needed: 0,
            total_needed: 0,
            total_at_even_split: 0,
            times_even_split: (1.0 / share + 1.0 / (1.0 - share)) / 4.0,
            daily_customers,
            days_needed: None,
            have,
            more_needed: 0,
            says: "nothing to plan from yet: no customer has been followed long enough".into(),
        };
    }
    let k = (z975() + z_power()).powi(2) * sd * sd / (effect * effect);
    let units = k * (1.0 / share + 1.0 / (1.0 - share));
    let even = k * 4.0;
    let to_customers = |u: f64| (u / per_customer.max(1e-9)).ceil();
    let total = to_customers(units);
    let treated = (total * share).ceil();
    let control = (total - treated).max(0.0);
    let days = daily_customers.filter(|d| *d > 0.0).map(|d| total / d);
    let more = (total as u64).saturating_sub(have);
    let says = if more == 0 {
        format!("enough customers for a difference of {effect:.2}")
    } else {
        match days {
            Some(d) => format!(
                "needs {more} more customers, about {:.0} more days at the present traffic",
                d * more as f64 / total
            ),
            None => format!("needs {more} more customers"),
        }
    };
    Plan {
        metric,
        label,
        effect,
        sd,
        treated_needed: treated as u64,
        control_needed: control as u64,
        total_needed: total as u64,
        total_at_even_split: to_customers(even) as u64,
        times_even_split: units / even,
        daily_customers,
        days_needed: days,
        have,
        more_needed: more,
        says,
    }
}

/// The team's cost against the extra sales of the customers it serves a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payback {
    pub monthly_cost: f64,
    pub currency: String,
    /// Treated customers placed a month (over the run so far).
    pub treated_per_month: f64,
    /// Extra sales of those customers in their first 30 days, with the 95% interval.
    pub extra_sales_per_month: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `pays_for_itself`, `does_not_pay`, `not_yet_known` or `no_cost_given`.
    pub verdict: &'static str,
    pub says: String,
}

pub fn payback(
    monthly_cost: f64,
    currency: &str,
    treated_per_month: f64,
    lift: Option<&Effect>,
) -> Payback {
    let mut out = Payback {
        monthly_cost,
        currency: currency.to_string(),
        treated_per_month,
        extra_sales_per_month: None,
        low: None,
        high: None,
        verdict: "not_yet_known",
        says: String::new(),
    };
    if monthly_cost <= 0.0 {
        out.verdict = "no_cost_given";
        out.says = "give the team's monthly cost to see whether it pays for itself".into();
        return out;
    }
    let Some(lift) = lift else {
        out.says = "not yet known: too few treated customers have been followed for 30 days".into();
        return out;
    };
    let (est, low, high) = (
        lift.absolute * treated_per_month,
        lift.absolute_low * treated_per_month,
        lift.absolute_high * treated_per_month,
    );
    out.extra_sales_per_month = Some(est);
    out.low = Some(low);
    out.high = Some(high);
    let money = |v: f64| format!("{v:.0} {currency}");
    if low >= monthly_cost {
        out.verdict = "pays_for_itself";
        out.says = format!(
            "pays for itself: {} more sales a month (at least {}) against {} of cost",
            money(est),
            money(low),
            money(monthly_cost)
        );
    } else if high < monthly_cost {
        out.verdict = "does_not_pay";
        out.says = format!(
            "does not pay for itself in sales alone: at most {} more a month against {} of \
             cost",
            money(high),
            money(monthly_cost)
        );
    } else {
        out.says = format!(
            "not yet known: between {} and {} more sales a month, against {} of cost",
            money(low),
            money(high),
            money(monthly_cost)
        );
    }
    out
}
