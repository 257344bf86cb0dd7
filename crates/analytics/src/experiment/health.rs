//! Whether an experiment's figures can be trusted at all, checked before any lift is
//! shown: does the split match the one configured (sample ratio mismatch), was anyone
//! placed while it was off, and were treated customers served by the team?

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The alarm's threshold: a correct split gives a p-value this small once in a thousand.
pub const SRM_ALPHA: f64 = 0.001;
/// Below this many expected customers in an arm the χ² approximation is not trusted.
pub const SRM_MIN_PER_ARM: f64 = 8.0;
/// A relative deviation of the treated count below this is not an alarm, however small
/// the p-value: at a 1%/99% split, a tiny drift in a huge sample is not a broken split.
pub const SRM_MIN_DEVIATION: f64 = 0.05;

/// The sample-ratio-mismatch test of one version's split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRatio {
    pub version: u32,
    /// The configured share of treated customers.
    pub expected_share: f64,
    pub treated: u64,
    pub control: u64,
    pub chi_square: Option<f64>,
    pub p_value: Option<f64>,
    /// The observed treated share relative to the configured one, minus one.
    pub deviation: Option<f64>,
    pub alarm: bool,
    pub says: String,
}

/// χ² with one degree of freedom of the observed split against `share`.
pub fn sample_ratio(version: u32, share: f64, treated: u64, control: u64) -> SampleRatio {
    let n = (treated + control) as f64;
    let (et, ec) = (n * share, n * (1.0 - share));
    let mut out = SampleRatio {
        version,
        expected_share: share,
        treated,
        control,
        chi_square: None,
        p_value: None,
        deviation: None,
        alarm: false,
        says: String::new(),
    };
    if et < SRM_MIN_PER_ARM || ec < SRM_MIN_PER_ARM {
        out.says = format!(
            "too few customers to test the split yet (at least {SRM_MIN_PER_ARM} expected in \
             each arm)"
        );
        return out;
    }
    let chi = (treated as f64 - et).powi(2) / et + (control as f64 - ec).powi(2) / ec;
    let p = ChiSquared::new(1.0).map_or(1.0, |d| 1.0 - d.cdf(chi));
    let deviation = treated as f64 / et - 1.0;
    out.chi_square = Some(chi);
    out.p_value = Some(p);
    out.deviation = Some(deviation);
    out.alarm = p < SRM_ALPHA && deviation.abs() >= SRM_MIN_DEVIATION;
    out.says = if out.alarm {
        format!(
            "the split is broken: {treated} treated against {et:.0} expected (p = {p:.2e}); \
             find why before reading any figure"
        )
    } else if p < SRM_ALPHA {
        format!(
            "the split drifts by {:.1}% of the expected treated count, under the {:.0}% that \
             would matter",
            deviation * 100.0,
            SRM_MIN_DEVIATION * 100.0
        )
    } else {
        "the split matches the configured share".into()
    };
    out
}

/// Treated customers' cases served by the team, and control customers' cases it served.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Compliance {
    pub treated_cases: u64,
    /// Of them, opened with a member of the team as owner.
    pub treated_served_by_team: u64,
    pub share: Option<f64>,
    pub control_cases: u64,
    /// Control customers' cases the team opened with (the treatment leaking).
    pub control_served_by_team: u64,
}

/// The whole panel.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    pub sample_ratio: Vec<SampleRatio>,
    /// Customers placed while the experiment was not running (should be none).
    pub assigned_while_off: u64,
    pub compliance: Compliance,
    /// Anything else the reader must know (a member of the team who left, …).
    pub notes: Vec<String>,
    /// Whether the lifts can be read: no alarm and nobody placed while off.
    pub ok: bool,
}
