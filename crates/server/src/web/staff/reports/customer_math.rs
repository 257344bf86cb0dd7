//! Customer math: whether customers bought more or less after their case, by solver,
//! month, channel, category, road and escalation, with intervals.

use super::{interval, percent, readers_only, IntervalChart, IntervalRow};
use crate::app::AppState;
use crate::reports::customer_math::CustomerMathReport;
use crate::web::charts::{coordinate, Scale};
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::customer_math::Group;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct MathQuery {
    window_days: Option<i64>,
    currency: Option<String>,
}

/// A month's point of the trend, with its interval.
#[derive(Debug)]
struct TrendPoint {
    x: String,
    y1: String,
    y2: String,
    cy: String,
    label: String,
    said: String,
}

#[derive(Debug)]
struct TrendChart {
    points: Vec<TrendPoint>,
    zero: String,
    top_label: String,
    bottom_label: String,
    bottom: String,
}

/// A group's line of a table, each figure as people read it.
#[derive(Debug)]
struct GroupRow {
    name: String,
    n: u32,
    customers: u32,
    /// What the adjusted figure means, in words.
    says: &'static str,
    /// Which baseline the cases were compared with.
    baseline: String,
    raw: String,
    raw_interval: String,
    adjusted: String,
    adjusted_interval: String,
    vs_peers: String,
    lost: u32,
    gained: u32,
}

/// A person of the raise list (or of the list below zero).
#[derive(Debug)]
struct Listed {
    name: String,
    lift: String,
    interval: String,
    n: u32,
    customers: u32,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_customer_math.html")]
struct MathPage {
    me: Me,
    csrf: String,
    window: i64,
    /// Empty when there are no orders yet.
    currency: String,
    other_currencies: Vec<String>,
    shown: String,
    compared: u32,
    excluded_open: u32,
    excluded_inside_window: u32,
    excluded_no_history: u32,
    excluded_unmatched: u32,
    baseline_customers: u32,
    /// How many names chance alone would put on the lists, in a sentence.
    chance: String,
    overall: Vec<GroupRow>,
    raise: Vec<Listed>,
    below: Vec<Listed>,
    chart: IntervalChart,
    trend: TrendChart,
    months: Vec<GroupRow>,
    solvers: Vec<GroupRow>,
    intake: Vec<GroupRow>,
    categories: Vec<GroupRow>,
    roads: Vec<GroupRow>,
    escalation: Vec<GroupRow>,
    /// Empty without call records.
    call_answers: Vec<GroupRow>,
}

/// The groups whose adjusted lift has an interval, and an axis spanning those intervals
/// and zero.
fn with_intervals(groups: &[Group], from: f64, length: f64) -> (Vec<&Group>, Scale) {
    let shown: Vec<&Group> = groups
        .iter()
        .filter(|g| g.lift.adjusted.low.is_some())
        .collect();
    let ends = shown
        .iter()
        .flat_map(|g| [g.lift.adjusted.low, g.lift.adjusted.high])
        .flatten();
    let scale = Scale::around_zero(ends, from, length);
    (shown, scale)
}

/// The intervals of the solvers' adjusted lifts on one axis that includes zero.
fn interval_chart(report: &CustomerMathReport) -> IntervalChart {
    let (solvers, x) = with_intervals(&report.math.by_solver, 170.0, 440.0);
    let rows: Vec<IntervalRow> = solvers
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = &g.lift.adjusted;
            let colour = match (a.low, a.high) {
                (Some(l), _) if l > 0.0 => "#1e6b34",
                (_, Some(h)) if h < 0.0 => "#a4161a",
                _ => "#4a5562",
            };
            IntervalRow {
                y: i * 24 + 12,
                name: report
                    .names
                    .get(&g.key)
                    .cloned()
                    .unwrap_or_else(|| g.key.clone()),
                x1: coordinate(x.at(a.low.unwrap_or(0.0))),
                x2: coordinate(x.at(a.high.unwrap_or(0.0))),
                cx: coordinate(x.at(a.lift.unwrap_or(0.0))),
                colour,
                said: format!(
                    "{} (95%: {}), n = {}",
                    percent(a.lift),
                    interval(a),
                    g.lift.n
                ),
            }
        })
        .collect();
    IntervalChart {
        height: rows.len() * 24 + 30,
        zero: coordinate(x.at(0.0)),
        left: 170,
        title: "Adjusted lift per solver with its 95% interval; the vertical line is zero",
        low_label: percent(Some(x.lo)),
        high_label: percent(Some(x.hi)),
        rows,
    }
}

/// The adjusted lift month by month (of the solve), each with its interval, around zero.
fn trend_chart(report: &CustomerMathReport) -> TrendChart {
    const TOP: f64 = 10.0;
    const HEIGHT: f64 = 160.0;
    let (months, y) = with_intervals(&report.math.by_month, TOP, HEIGHT);
    let y = y.flipped();
    let step = if months.is_empty() {
        0.0
    } else {
        560.0 / months.len() as f64
    };
    let points: Vec<TrendPoint> = months
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = &g.lift.adjusted;
            let x = 60.0 + step * (i as f64 + 0.5);
            TrendPoint {
                x: coordinate(x),
                y1: coordinate(y.at(a.high.unwrap_or(0.0))),
                y2: coordinate(y.at(a.low.unwrap_or(0.0))),
                cy: coordinate(y.at(a.lift.unwrap_or(0.0))),
                label: g.key.get(2..).unwrap_or(&g.key).to_string(),
                said: format!(
                    "{}: {} (95%: {}), n = {}",
                    g.key,
                    percent(a.lift),
                    interval(a),
                    g.lift.n
                ),
            }
        })
        .collect();
    TrendChart {
        points,
        zero: coordinate(y.at(0.0)),
        top_label: percent(Some(y.hi)),
        bottom_label: percent(Some(y.lo)),
        // As the untyped page showed it: a float, one decimal ("170.0").
        bottom: coordinate(TOP + HEIGHT),
    }
}

/// Which peers a group's cases were compared with: the one level when all used it,
/// otherwise how many used each.
fn baseline_used(counts: &[u32; 4]) -> String {
    const SHORT: [&str; 4] = [
        "started within 15 days",
        "within 45 days",
        "within 120 days",
        "any start",
    ];
    let used: Vec<(usize, u32)> = counts
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .collect();
    match used.as_slice() {
        [] => "–".into(),
        [(level, _)] => SHORT[*level].into(),
        _ => used
            .iter()
            .map(|(level, n)| format!("{}: {n}", SHORT[*level]))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn group_rows(
    report: &CustomerMathReport,
    groups: &[Group],
    label: impl Fn(&str) -> String,
) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| {
            let l = &g.lift;
            GroupRow {
                name: report
                    .names
                    .get(&g.key)
                    .cloned()
                    .unwrap_or_else(|| label(&g.key)),
                n: l.n,
                customers: l.customers,
                says: l.adjusted.says,
                baseline: baseline_used(&l.baseline),
                raw: percent(l.raw.lift),
                raw_interval: interval(&l.raw),
                adjusted: percent(l.adjusted.lift),
                adjusted_interval: interval(&l.adjusted),
                vs_peers: percent(l.vs_peers),
                lost: l.customers_lost,
                gained: l.customers_gained,
            }
        })
        .collect()
}

pub async fn customer_math_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<MathQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let currency = q.currency.clone().filter(|c| !c.is_empty());
    let report =
        crate::reports::cache::customer_math(&state, q.window_days, currency, state.clock.now())
            .await?;
    let m = &report.math;
    let window = m.window_days;
    let road = |k: &str| {
        k.parse::<u8>()
            .ok()
            .and_then(|r| roadone_domain::Road::try_from(r).ok())
            .map(|r| crate::web::staff::cases::road_label(r).to_string())
            .unwrap_or_else(|| k.to_string())
    };
    let plain = |k: &str| k.replace('_', " ");
    let call_answer = |k: &str| {
        match k {
            "one_ring" => "answered in one ring",
            "later" => "answered after one ring",
            "not_answered" => "not answered (missed call)",
            "no_call" => "no call before the case",
            other => other,
        }
        .to_string()
    };
    let listed = |list: &[roadone_analytics::customer_math::RaiseEntry]| -> Vec<Listed> {
        list.iter()
            .map(|r| Listed {
                name: report
                    .names
                    .get(&r.person.to_string())
                    .cloned()
                    .unwrap_or_default(),
                lift: percent(r.adjusted.lift),
                interval: interval(&r.adjusted),
                n: r.n,
                customers: r.customers,
            })
            .collect()
    };
    let all = Group {
        key: "all cases".into(),
        lift: m.overall.clone(),
    };
    let html = html(&MathPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        window,
        currency: report.currency.clone().unwrap_or_default(),
        other_currencies: report.other_currencies.clone(),
        shown: report.shown.clone(),
        compared: m.cases_compared,
        excluded_open: m.excluded_open,
        excluded_inside_window: m.excluded_inside_window,
        excluded_no_history: m.excluded_no_history,
        excluded_unmatched: m.excluded_unmatched,
        baseline_customers: m.baseline_customers,
        chance: m.chance.clone(),
        overall: group_rows(&report, std::slice::from_ref(&all), plain),
        raise: listed(&m.raise),
        below: listed(&m.below),
        chart: interval_chart(&report),
        trend: trend_chart(&report),
        months: group_rows(&report, &m.by_month, plain),
        solvers: group_rows(&report, &m.by_solver, plain),
        intake: group_rows(&report, &m.by_intake, plain),
        categories: group_rows(&report, &m.by_category, plain),
        roads: group_rows(&report, &m.by_road, road),
        escalation: group_rows(&report, &m.by_escalation, plain),
        call_answers: group_rows(&report, &m.by_call_answer, call_answer),
    })?;
    Ok(html.into_response())
}

pub async fn customer_math_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<MathQuery>,
) -> WebResult<Response> {
    use crate::reports::customer_math as math;
    readers_only(&me)?;
    let currency = q.currency.clone().filter(|c| !c.is_empty());
    let report =
        crate::reports::cache::customer_math(&state, q.window_days, currency, state.clock.now())
            .await?;
    let text = crate::reports::csv::write(math::CSV_HEADER, math::csv_rows(&report))?;
    Ok(crate::reports::csv::download("customer-math", text))
}
