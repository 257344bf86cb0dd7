//! The tests an experiment's figures use, from sufficient statistics alone (n, Σy, Σy²,
//! Σx, Σx², Σxy per arm), so that anyone holding the exported sums gets the same answer:
//! Welch's t for a difference of means, an unpooled Wald interval for a difference of
//! proportions, the delta method for ratios of per-customer sums, and CUPED, which takes
//! out of each customer's outcome the part their history before assignment predicts.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Running sums of an outcome `y` and a second column `x` (the pre-assignment covariate
/// for CUPED, or the denominator of a ratio), per customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Moments {
    pub n: u64,
    pub sum_y: f64,
    pub sum_y2: f64,
    pub sum_x: f64,
    pub sum_x2: f64,
    pub sum_xy: f64,
}

impl Moments {
    pub fn push(&mut self, y: f64, x: f64) {
        self.n += 1;
        self.sum_y += y;
        self.sum_y2 += y * y;
        self.sum_x += x;
        self.sum_x2 += x * x;
        self.sum_xy += x * y;
    }

    pub fn add(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum_y += other.sum_y;
        self.sum_y2 += other.sum_y2;
        self.sum_x += other.sum_x;
        self.sum_x2 += other.sum_x2;
        self.sum_xy += other.sum_xy;
    }

    fn nf(&self) -> f64 {
        self.n as f64
    }

    pub fn mean_y(&self) -> f64 {
        self.sum_y / self.nf()
    }

    pub fn mean_x(&self) -> f64 {
        self.sum_x / self.nf()
    }

    /// Sample variance of y (n − 1).
    pub fn var_y(&self) -> f64 {
        ((self.sum_y2 - self.sum_y * self.sum_y / self.nf()) / (self.nf() - 1.0)).max(0.0)
    }

    pub fn var_x(&self) -> f64 {
        ((self.sum_x2 - self.sum_x * self.sum_x / self.nf()) / (self.nf() - 1.0)).max(0.0)
    }

    pub fn cov_xy(&self) -> f64 {
        (self.sum_xy - self.sum_x * self.sum_y / self.nf()) / (self.nf() - 1.0)
    }
}

/// A difference between the arms (treated − control) with its 95% interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Effect {
    pub treated: f64,
    pub control: f64,
    /// treated − control.
    pub absolute: f64,
    pub absolute_low: f64,
    pub absolute_high: f64,
    /// (treated − control) ÷ control; None when the control figure is 0.
    pub relative: Option<f64>,
    pub relative_low: Option<f64>,
    pub relative_high: Option<f64>,
    /// Two-sided, against no difference.
    pub p_value: f64,
    /// The standard error of the absolute difference.
    pub se: f64,
}

/// The 97.5% quantile of the standard normal.
pub fn z975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

fn p_two_sided_normal(z: f64) -> f64 {
    2.0 * (1.0 - Normal::standard().cdf(z.abs()))
}

/// Assembles an effect from the two figures, their variances (of each figure, not of one
/// customer) and the quantile and p-value of the test used. The relative interval is by
/// the delta method: var(t/c) ≈ var_t/c² + t²·var_c/c⁴.
fn effect(treated: f64, var_t: f64, control: f64, var_c: f64, q: f64, p_value: f64) -> Effect {
    let se = (var_t + var_c).sqrt();
    let absolute = treated - control;
    let (relative, relative_low, relative_high) = if control != 0.0 {
        let rel = treated / control - 1.0;
        let se_rel =
            (var_t / (control * control) + treated * treated * var_c / control.powi(4)).sqrt();
        (Some(rel), Some(rel - q * se_rel), Some(rel + q * se_rel))
    } else {
        (None, None, None)
    };
    Effect {
        treated,
        control,
        absolute,
        absolute_low: absolute - q * se,
        absolute_high: absolute + q * se,
        relative,
        relative_low,
        relative_high,
        p_value,
        se,
    }
}

/// Welch's t for the difference of the means of y, with Welch–Satterthwaite degrees of
/// freedom. None with fewer than two customers in an arm.
pub fn welch(t: &Moments, c: &Moments) -> Option<Effect> {
    if t.n < 2 || c.n < 2 {
        return None;
    }
    let (vt, vc) = (t.var_y() / t.nf(), c.var_y() / c.nf());
    welch_from(t.mean_y(), vt, t.n, c.mean_y(), vc, c.n)
}

/// Welch's test given each arm's mean, the variance of that mean and its customers.
fn welch_from(mt: f64, vt: f64, nt: u64, mc: f64, vc: f64, nc: u64) -> Option<Effect> {
    let se2 = vt + vc;
    if se2 <= 0.0 {
        // Every customer alike in both arms: the difference is exact.
        return Some(effect(
            mt,
            0.0,
            mc,
            0.0,
            0.0,
            if mt == mc { 1.0 } else { 0.0 },
        ));
    }
    let df =
        se2 * se2 / (vt * vt / (nt as f64 - 1.0).max(1.0) + vc * vc / (nc as f64 - 1.0).max(1.0));
    let dist = StudentsT::new(0.0, 1.0, df.max(1.0)).ok()?;
    let q = dist.inverse_cdf(0.975);
    let tstat = (mt - mc) / se2.sqrt();
    let p = 2.0 * (1.0 - dist.cdf(tstat.abs()));
    Some(effect(mt, vt, mc, vc, q, p))
}

/// The unpooled Wald interval for a difference of proportions, y being 0 or 1.
pub fn wald(t: &Moments, c: &Moments) -> Option<Effect> {
    if t.n == 0 || c.n == 0 {
        return None;
    }
    let (pt, pc) = (t.mean_y(), c.mean_y());
    let (vt, vc) = (pt * (1.0 - pt) / t.nf(), pc * (1.0 - pc) / c.nf());
    let se = (vt + vc).sqrt();
    let p = if se > 0.0 {
        p_two_sided_normal((pt - pc) / se)
    } else if pt == pc {
        1.0
    } else {
        0.0
    };
    Some(effect(pt, vt, pc, vc, z975(), p))
}

/// The delta method for a ratio of per-customer sums, Σy ÷ Σx (a per-case figure with the
/// customer as the unit): var(R) ≈ (var y − 2R·cov + R²·var x) ÷ (n·x̄²). None when an
/// arm has fewer than two customers or nothing in the denominator.
pub fn delta_ratio(t: &Moments, c: &Moments) -> Option<Effect> {
    let ratio = |m: &Moments| -> Option<(f64, f64)> {
        if m.n < 2 || m.sum_x <= 0.0 {
            return None;
        }
        let r = m.sum_y / m.sum_x;
        let xbar = m.mean_x();
        let var = (m.var_y() - 2.0 * r * m.cov_xy() + r * r * m.var_x()).max(0.0)
            / (m.nf() * xbar * xbar);
        Some((r, var))
    };
    let ((rt, vt), (rc, vc)) = (ratio(t)?, ratio(c)?);
    let se = (vt + vc).sqrt();
    let p = if se > 0.0 {
        p_two_sided_normal((rt - rc) / se)
    } else if rt == rc {
        1.0
    } else {
        0.0
    };
    Some(effect(rt, vt, rc, vc, z975(), p))
}

/// CUPED: θ = cov(y, x) ÷ var(x) over both arms, and each arm's mean of y − θ(x − x̄).
/// Unbiased because x was fixed before assignment; narrower by the share of y's
/// variance that x explains. Returns the effect and θ.
pub fn cuped(t: &Moments, c: &Moments) -> Option<(Effect, f64)> {
    if t.n < 2 || c.n < 2 {
        return None;
    }
    let mut all = *t;
    all.add(c);
    let var_x = all.var_x();
    let theta = if var_x > 0.0 {
        all.cov_xy() / var_x
    } else {
        0.0
    };
    let xbar = all.mean_x();
    let adjusted = |m: &Moments| {
        let mean = m.mean_y() - theta * (m.mean_x() - xbar);
        let var = (m.var_y() - 2.0 * theta * m.cov_xy() + theta * theta * m.var_x()).max(0.0);
        (mean, var / m.nf())
    };
    let ((mt, vt), (mc, vc)) = (adjusted(t), adjusted(c));
    welch_from(mt, vt, t.n, mc, vc, c.n).map(|e| (e, theta))
}
