//! An always-valid guardrail: a confidence sequence for each arm's mean, which holds at
//! every look at once, so a harmful arm can be stopped the day it shows without the bias
//! that repeated peeking at a fixed interval brings. The asymptotic normal-mixture
//! boundary of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas (time-uniform central
//! limit theory), tuned to be tightest at the planned number of customers.

use super::moments::Moments;
use serde::Serialize;

/// The guardrail's error rate over the whole run.
pub const ALPHA: f64 = 0.05;

/// The mixture parameter that makes the boundary tightest after `planned` customers.
fn rho2(planned: f64, alpha: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    (l + (l + 1.0).ln()) / planned.max(1.0)
}

/// The half-width of an arm's confidence sequence after `n` customers with standard
/// deviation `sd`, at level `alpha`.
pub fn radius(n: f64, sd: f64, planned: f64, alpha: f64) -> f64 {
    let r2 = rho2(planned, alpha);
    let a = n * r2 + 1.0;
    sd * ((2.0 * a / (n * n * r2)) * (a.sqrt() / alpha).ln()).sqrt()
}

/// The difference of the arms' means (treated − control) bounded at every look: each
/// arm's sequence at α/2, combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Guard {
    pub difference: f64,
    pub low: f64,
    pub high: f64,
}

pub fn guard(t: &Moments, c: &Moments, planned_per_arm: (f64, f64)) -> Option<Guard> {
    if t.n < 2 || c.n < 2 {
        return None;
    }
    let rt = radius(t.n as f64, t.var_y().sqrt(), planned_per_arm.0, ALPHA / 2.0);
    let rc = radius(c.n as f64, c.var_y().sqrt(), planned_per_arm.1, ALPHA / 2.0);
    let d = t.mean_y() - c.mean_y();
    Some(Guard {
        difference: d,
        low: d - rt - rc,
        high: d + rt + rc,
    })
}
