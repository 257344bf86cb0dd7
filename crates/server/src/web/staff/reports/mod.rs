//! The report pages for managers, executives and admins, one file per report, each a
//! table and a server-drawn SVG chart (no script; geometry in `web::charts`) with its CSV
//! beside it. What they share — who may read them, reading a month, showing a figure —
//! is here.

use crate::app::AppState;
use crate::error::AppError;
use crate::web::pages::WebError;
use crate::web::staff::session::SignedIn;
use roadone_analytics::Month;
use roadone_domain::Capability;

mod calls;
mod customer_math;
mod delight;
mod experiment;
mod roads;
mod trail;

pub use calls::{calls_csv, calls_page};
pub use customer_math::{customer_math_csv, customer_math_page};
pub use delight::{delight_csv, delight_page};
pub use experiment::{experiment_page, experiments_page};
pub use roads::{roads_csv, roads_page};
pub use trail::{trail_csv, trail_page};

/// One row of an interval chart: a label, the interval drawn from x1 to x2 with its point
/// at cx, its colour (what it says) and the words a reader hovers for.
#[derive(Debug)]
pub(super) struct IntervalRow {
    pub(super) y: usize,
    pub(super) name: String,
    pub(super) x1: String,
    pub(super) x2: String,
    pub(super) cx: String,
    pub(super) colour: &'static str,
    pub(super) said: String,
}

/// Intervals on one axis that includes zero (`interval_chart.html` draws it).
#[derive(Debug)]
pub(super) struct IntervalChart {
    pub(super) height: usize,
    pub(super) zero: String,
    /// Where the axis starts (the labels are left of it).
    pub(super) left: usize,
    pub(super) low_label: String,
    pub(super) high_label: String,
    pub(super) title: &'static str,
    pub(super) rows: Vec<IntervalRow>,
}

pub(super) fn readers_only(me: &SignedIn) -> Result<(), WebError> {
    if me.person.role.may(Capability::ReadReports) {
        Ok(())
    } else {
        Err(WebError(AppError::Forbidden(format!(
            "reports are for {}",
            Capability::ReadReports.holders()
        ))))
    }
}

pub(super) fn month_or_now(
    state: &AppState,
    text: Option<&str>,
    field: &str,
) -> Result<Month, WebError> {
    match text.filter(|m| !m.is_empty()) {
        None => Ok(Month::of(state.clock.now())),
        Some(t) => Ok(Month::parse(t).map_err(|e| AppError::invalid(field, e.to_string()))?),
    }
}

pub(super) fn hours(seconds: Option<i64>) -> String {
    seconds
        .map(|s| format!("{:.1} h", s as f64 / 3600.0))
        .unwrap_or_else(|| "–".into())
}

pub(super) fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:+.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

pub(super) fn interval(e: &roadone_analytics::customer_math::Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{} to {}", percent(Some(l)), percent(Some(h))),
        // Why there is no figure, in words ("not enough data: …").
        _ if !e.says.is_empty() => e.says.to_string(),
        _ => "–".into(),
    }
}
