//! Intervals for a ratio of sums, and the multiplicity rule for the lists.
//!
//! The lift is Σ after ÷ Σ expected − 1; its interval is ratio ± t · √variance ÷ Σ
//! expected, with a Student t quantile on (customers − 1) degrees of freedom. What the
//! variance is made of is the caller's (customer_math.rs): for the adjusted lift, a model
//! of how far one case's "after" strays from its expectation, pooled over every compared
//! case, so that a group's interval does not shrink because its own few big buyers
//! happened not to buy (docs/metrics.md has the simulations that chose it).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Fewer customers than this and no interval is given: the figure says so instead.
pub const MIN_CUSTOMERS: u32 = 10;

/// A lift with its 95% interval and what it means in words. The lift is given only with
/// its interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub lift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Two-sided, against no change at all.
    pub p_value: Option<f64>,
    pub says: &'static str,
}

pub const HIGHER: &str = "higher, beyond chance";
pub const LOWER: &str = "lower, beyond chance";
pub const EITHER_WAY: &str = "no evidence either way";
pub const FEW_CUSTOMERS: &str = "not enough data: fewer than 10 customers";
pub const NOTHING_EXPECTED: &str = "not enough data: nothing to compare with";
pub const NOTHING_BOUGHT: &str = "not enough data: none of these customers bought anything after";

/// The sums a ratio's interval is made of.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RatioSums {
    pub num: f64,
    pub den: f64,
    /// The variance of num − ratio × den.
    pub var: f64,
    pub customers: u32,
}

pub(crate) fn estimate(s: RatioSums) -> Estimate {
    let none = |says| Estimate {
        says,
        ..Estimate::default()
    };
    if s.customers < MIN_CUSTOMERS {
        return none(FEW_CUSTOMERS);
    }
    if s.den <= 0.0 {
        return none(NOTHING_EXPECTED);
    }
    if s.num <= 0.0 {
        return none(NOTHING_BOUGHT);
    }
    let ratio = s.num / s.den;
    let se = s.var.max(0.0).sqrt() / s.den;
    let t = StudentsT::new(0.0, 1.0, f64::from(s.customers) - 1.0)
        .expect("positive degrees of freedom");
    let q = t.inverse_cdf(0.975);
    let p_value = if se > 0.0 {
        2.0 * (1.0 - t.cdf(((ratio - 1.0) / se).abs()))
    } else {
        f64::from(u8::from(ratio == 1.0))
    };
    let (low, high) = ((ratio - q * se - 1.0).max(-1.0), ratio + q * se - 1.0);
    Estimate {
        lift: Some(ratio - 1.0),
        low: Some(low),
        high: Some(high),
        p_value: Some(p_value),
        says: if low > 0.0 {
            HIGHER
        } else if high < 0.0 {
            LOWER
        } else {
            EITHER_WAY
        },
    }
}

/// Benjamini–Hochberg at false-discovery rate `q`: which of the p-values are kept as
/// discoveries. Sort ascending; the largest rank k with p(k) ≤ k·q/m and all below it.
pub(crate) fn discoveries(p_values: &[f64], q: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p_values[*a].total_cmp(&p_values[*b]));
    let cut = order
        .iter()
        .enumerate()
        .filter(|(rank, i)| p_values[**i] <= (rank + 1) as f64 * q / m as f64)
        .map(|(rank, _)| rank + 1)
        .max()
        .unwrap_or(0);
    let mut kept = vec![false; m];
    for i in &order[..cut] {
        kept[*i] = true;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benjamini_hochberg_by_hand() {
        // m = 5, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05. Sorted p: 0.001, 0.015,
        // 0.035, 0.039, 0.6 — rank 4 (0.039 ≤ 0.04) is the largest that passes, so the
        // first four are kept even though 0.035 > 0.03.
        let p = [0.6, 0.035, 0.001, 0.039, 0.015];
        assert_eq!(discoveries(&p, 0.05), vec![false, true, true, true, true]);
        assert_eq!(discoveries(&[0.2, 0.3], 0.05), vec![false, false]);
        assert!(discoveries(&[], 0.05).is_empty());
    }

    #[test]
    fn an_interval_by_hand() {
        // Ratio 1.2 on 101 customers with variance 100 over a denominator of 100: se = 0.1,
        // t(100) at 97.5% = 1.98397, so 0.2 ± 0.198397.
        let e = estimate(RatioSums {
            num: 120.0,
            den: 100.0,
            var: 100.0,
            customers: 101,
        });
        assert!((e.lift.unwrap() - 0.2).abs() < 1e-12);
        assert!((e.low.unwrap() - 0.001_603).abs() < 1e-5, "{e:?}");
        assert!((e.high.unwrap() - 0.398_397).abs() < 1e-5, "{e:?}");
        assert_eq!(e.says, HIGHER);
        // t = 0.2 / 0.1 = 2 on 100 degrees of freedom: p = 0.0482.
        assert!((e.p_value.unwrap() - 0.0482).abs() < 1e-3, "{e:?}");
    }

    #[test]
    fn too_little_data_says_why() {
        let base = RatioSums {
            num: 10.0,
            den: 10.0,
            var: 1.0,
            customers: 50,
        };
        let few = estimate(RatioSums {
            customers: 3,
            ..base
        });
        assert_eq!((few.lift, few.says), (None, FEW_CUSTOMERS));
        assert_eq!(
            estimate(RatioSums { den: 0.0, ..base }).says,
            NOTHING_EXPECTED
        );
        assert_eq!(
            estimate(RatioSums { num: 0.0, ..base }).says,
            NOTHING_BOUGHT
        );
    }
}
