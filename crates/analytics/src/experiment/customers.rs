//! Each assigned customer's figures, folded into per-arm sums. The customer is the unit:
//! per-case figures (rating, time to solve) are ratios of a customer's sums, so a customer
//! with many cases does not count as many independent ones.

use super::moments::Moments;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{Arm, PersonId};
use roadone_store::{AssignedCustomer, ExperimentCase};
use serde::Serialize;
use std::collections::HashSet;

/// The sums of every figure, for one arm.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArmSums {
    pub customers: u64,
    pub cases: u64,
    /// Sales in the follow-up window (y) against the look-back before (x); customers
    /// followed for the whole window only.
    pub sales: Moments,
    /// Whether the customer wrote again within the window of their first case (0 or 1).
    pub repeat_share: Moments,
    /// Cases in the window after the first (y) against cases in the look-back (x).
    pub repeat_contacts: Moments,
    /// Σ scores (y) over rated cases (x).
    pub rating: Moments,
    /// Σ five-star ratings over rated cases.
    pub top_box: Moments,
    /// Σ would recommend over rated cases.
    pub recommend: Moments,
    /// Σ hours to solve over solved cases.
    pub hours_to_solve: Moments,
    /// Σ escalated cases over cases.
    pub escalated: Moments,
    /// Σ cases passed up or escalated over cases.
    pub passed_up: Moments,
    /// Each rating customer's mean rating (for the guardrail).
    pub mean_rating: Moments,
    /// Cases opened with a member of the team as owner.
    pub served_by_team: u64,
    /// Placed while the experiment was not running.
    pub placed_while_off: u64,
}

/// What delighted a customer, in their words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub arm: Arm,
    pub case_id: i64,
    pub score: u8,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The window a customer is followed for after assignment (sales) and after their first
/// case (repeat contacts).
pub struct Window {
    pub now: DateTime<Utc>,
    pub follow: Duration,
    /// Customers assigned in these periods were placed while the experiment ran.
    pub running: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub team: HashSet<PersonId>,
}

impl Window {
    fn was_running(&self, at: DateTime<Utc>) -> bool {
        self.running
            .iter()
            .any(|(from, to)| at >= *from && to.is_none_or(|to| at <= to))
    }
}

/// Adds one customer and their cases (opened since assignment, by opening) to `sums`.
pub fn add(
    sums: &mut ArmSums,
    w: &Window,
    c: &AssignedCustomer,
    cases: &[ExperimentCase],
    quotes: &mut Vec<Quote>,
) {
    sums.customers += 1;
    sums.cases += cases.len() as u64;
    if !w.was_running(c.assigned_at) {
        sums.placed_while_off += 1;
    }
    if w.now - c.assigned_at >= w.follow {
        sums.sales.push(
            c.sales_after_cents as f64 / 100.0,
            c.sales_before_cents as f64 / 100.0,
        );
    }
    if let Some(first) = cases.first() {
        if w.now - first.opened_at >= w.follow {
            let again = cases[1..]
                .iter()
                .filter(|k| k.opened_at - first.opened_at <= w.follow)
                .count() as f64;
            let x = f64::from(c.contacts_before);
            sums.repeat_share.push(f64::from(u8::from(again > 0.0)), x);
            sums.repeat_contacts.push(again, x);
        }
    }
    if cases.is_empty() {
        return;
    }
    let (mut score, mut rated, mut fives, mut recommend) = (0.0, 0.0, 0.0, 0.0);
    let (mut hours, mut solved, mut escalated, mut passed) = (0.0, 0.0, 0.0, 0.0);
    for k in cases {
        if w.team.contains(&k.first_owner) {
            sums.served_by_team += 1;
        }
        if let Some((s, would, text)) = &k.rating {
            score += f64::from(*s);
            rated += 1.0;
            if *s == 5 {
                fives += 1.0;
                if !text.trim().is_empty() {
                    quotes.push(Quote {
                        arm: c.arm,
                        case_id: k.case_id,
                        score: *s,
                        text: text.trim().to_string(),
                        at: k.opened_at,
                    });
                }
            }
            if *would {
                recommend += 1.0;
            }
        }
        if let Some(at) = k.solved_at {
            hours += (at - k.opened_at).num_seconds().max(0) as f64 / 3600.0;
            solved += 1.0;
        }
        escalated += f64::from(u8::from(k.escalated));
        passed += f64::from(u8::from(k.passed_up));
    }
    let n = cases.len() as f64;
    sums.rating.push(score, rated);
    sums.top_box.push(fives, rated);
    sums.recommend.push(recommend, rated);
    sums.hours_to_solve.push(hours, solved);
    sums.escalated.push(escalated, n);
    sums.passed_up.push(passed, n);
    if rated > 0.0 {
        sums.mean_rating.push(score / rated, 0.0);
    }
}
