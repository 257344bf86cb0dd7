//! The report pages for managers, executives and admins: the monthly trail as a table and
//! a chart (server-drawn SVG, no script), with its CSV beside it.

use crate::app::AppState;
use crate::error::AppError;
use crate::reports::trail::{self, TrailReport};
use crate::web::pages::{render, WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use roadone_analytics::Month;
use roadone_domain::Capability;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TrailQuery {
    month: Option<String>,
    sort: Option<String>,
}

fn readers_only(me: &SignedIn) -> Result<(), WebError> {
    if me.person.role.may(Capability::ReadReports) {
        Ok(())
    } else {
        Err(WebError(AppError::Forbidden(format!(
            "reports are for {}",
            Capability::ReadReports.holders()
        ))))
    }
}

async fn report(state: &AppState, q: &TrailQuery) -> Result<(Month, TrailReport), WebError> {
    let month = month_or_now(state, q.month.as_deref(), "month")?;
    let sort = trail::parse_sort(q.sort.as_deref()).map_err(|e| AppError::invalid("sort", e))?;
    Ok((month, trail::monthly(state, month, sort).await?))
}

fn hours(seconds: Option<i64>) -> String {
    seconds
        .map(|s| format!("{:.1} h", s as f64 / 3600.0))
        .unwrap_or_else(|| "–".into())
}

/// Horizontal bars, one per person: solves, then passes up, on one scale.
fn bars(report: &TrailReport) -> Value {
    const WIDTH: f64 = 400.0;
    let most = report
        .people
        .iter()
        .map(|r| r.figures.solved + r.figures.passed_up)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = WIDTH / f64::from(most);
    let rows: Vec<Value> = report
        .people
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let solved = f64::from(r.figures.solved) * scale;
            let passed = f64::from(r.figures.passed_up) * scale;
            context! {
                y => i * 24,
                name => r.name.clone(),
                solved => r.figures.solved,
                passed => r.figures.passed_up,
                solved_width => format!("{solved:.1}"),
                passed_x => format!("{:.1}", 160.0 + solved),
                passed_width => format!("{passed:.1}"),
                label_x => format!("{:.1}", 166.0 + solved + passed),
            }
        })
        .collect();
    context! { height => report.people.len() * 24 + 8, rows }
}

pub async fn trail_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<TrailQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (month, report) = report(&state, &q).await?;
    let previous = Month::of(month.start() - chrono::Duration::days(1));
    let rows: Vec<Value> = report
        .people
        .iter()
        .map(|r| {
            let f = &r.figures;
            context! {
                name => r.name.clone(),
                role => r.role.clone(),
                received => f.received_total,
                by_route => format!(
                    "{} intake · {} passed · {} taken · {} upgraded · {} escalated · {} reopened",
                    f.received.intake, f.received.pass_up, f.received.take,
                    f.received.upgrade, f.received.escalation, f.received.reopen
                ),
                solved => f.solved,
                passed_up => f.passed_up,
                taken => f.taken,
                upgraded => f.upgraded,
                held_median => hours(f.held_median_seconds),
                held_p90 => hours(f.held_p90_seconds),
                escalations_while_owner => f.escalations_while_owner,
                buck => f.buck_passing_index.map(|b| format!("{b:.2}")).unwrap_or_else(|| "–".into()),
                quick_catches => f.quick_catches,
                escalations_received => f.escalations_received,
                escalation_solve => (f.escalations_received > 0).then(|| format!(
                    "{} solved (median {}), {} not yet",
                    f.escalations_solved, hours(f.escalation_solve_median_seconds), f.escalations_unsolved
                )),
            }
        })
        .collect();
    let html = render(
        "staff/report_trail.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            month => month.to_string(),
            previous => previous.to_string(),
            next => month.next().to_string(),
            sorted_by => report.sorted_by.clone(),
            rows,
            chart => bars(&report),
        },
    )?;
    Ok(html.into_response())
}

/// The same trail as CSV, for the signed-in reader (the API's CSV wants a token).
pub async fn trail_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<TrailQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (month, report) = report(&state, &q).await?;
    let text = crate::reports::csv::write(trail::CSV_HEADER, trail::csv_rows(&report))?;
    Ok(crate::reports::csv::download(
        &format!("trail-{month}"),
        text,
    ))
}

#[derive(Deserialize, Default)]
pub struct MathQuery {
    window_days: Option<i64>,
    currency: Option<String>,
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:+.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn interval(e: &roadone_analytics::customer_math::Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{} to {}", percent(Some(l)), percent(Some(h))),
        _ => "–".into(),
    }
}

/// The groups whose adjusted lift has an interval, and the span of those intervals with
/// zero in it: the axis of a chart of intervals.
fn with_intervals(
    groups: &[roadone_analytics::customer_math::Group],
) -> (Vec<&roadone_analytics::customer_math::Group>, f64, f64) {
    let shown: Vec<_> = groups
        .iter()
        .filter(|g| g.lift.adjusted.low.is_some())
        .collect();
    let (lo, hi) = shown.iter().fold((0.0f64, 0.0f64), |(lo, hi), g| {
        (
            lo.min(g.lift.adjusted.low.unwrap_or(0.0)),
            hi.max(g.lift.adjusted.high.unwrap_or(0.0)),
        )
    });
    (shown, lo, hi)
}

/// The intervals of the solvers' adjusted lifts on one axis that includes zero.
fn interval_chart(report: &crate::reports::customer_math::CustomerMathReport) -> Value {
    const LEFT: f64 = 170.0;
    const WIDTH: f64 = 440.0;
    let (solvers, lo, hi) = with_intervals(&report.math.by_solver);
    let span = (hi - lo).max(0.01);
    let x = |v: f64| LEFT + (v - lo) / span * WIDTH;
    let rows: Vec<Value> = solvers
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = &g.lift.adjusted;
            let colour = match (a.low, a.high) {
                (Some(l), _) if l > 0.0 => "#1e6b34",
                (_, Some(h)) if h < 0.0 => "#a4161a",
                _ => "#4a5562",
            };
            context! {
                y => i * 24 + 12,
                name => report.names.get(&g.key).cloned().unwrap_or_else(|| g.key.clone()),
                x1 => format!("{:.1}", x(a.low.unwrap_or(0.0))),
                x2 => format!("{:.1}", x(a.high.unwrap_or(0.0))),
                cx => format!("{:.1}", x(a.lift.unwrap_or(0.0))),
                colour,
                said => format!("{} (95%: {}), n = {}", percent(a.lift), interval(a), g.lift.n),
            }
        })
        .collect();
    context! {
        height => rows.len() * 24 + 30,
        zero => format!("{:.1}", x(0.0)),
        low_label => percent(Some(lo)),
        high_label => percent(Some(hi)),
        rows,
    }
}

/// The adjusted lift month by month (of the solve), each with its interval, around zero.
fn trend_chart(report: &crate::reports::customer_math::CustomerMathReport) -> Value {
    const TOP: f64 = 10.0;
    const HEIGHT: f64 = 160.0;
    let (months, lo, hi) = with_intervals(&report.math.by_month);
    let span = (hi - lo).max(0.01);
    let y = |v: f64| TOP + (hi - v) / span * HEIGHT;
    let step = if months.is_empty() {
        0.0
    } else {
        560.0 / months.len() as f64
    };
    let points: Vec<Value> = months
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = &g.lift.adjusted;
            let x = 60.0 + step * (i as f64 + 0.5);
            context! {
                x => format!("{x:.1}"),
                y1 => format!("{:.1}", y(a.high.unwrap_or(0.0))),
                y2 => format!("{:.1}", y(a.low.unwrap_or(0.0))),
                cy => format!("{:.1}", y(a.lift.unwrap_or(0.0))),
                month => g.key.clone(),
                label => g.key.get(2..).unwrap_or(&g.key).to_string(),
                said => format!("{}: {} (95%: {}), n = {}", g.key, percent(a.lift), interval(a), g.lift.n),
            }
        })
        .collect();
    context! {
        points,
        zero => format!("{:.1}", y(0.0)),
        top_label => percent(Some(hi)),
        bottom_label => percent(Some(lo)),
        bottom => TOP + HEIGHT,
    }
}

fn group_rows(
    report: &crate::reports::customer_math::CustomerMathReport,
    groups: &[roadone_analytics::customer_math::Group],
    label: impl Fn(&str) -> String,
) -> Vec<Value> {
    groups
        .iter()
        .map(|g| {
            let l = &g.lift;
            context! {
                name => report.names.get(&g.key).cloned().unwrap_or_else(|| label(&g.key)),
                n => l.n,
                raw => percent(l.raw.lift),
                raw_interval => interval(&l.raw),
                adjusted => percent(l.adjusted.lift),
                adjusted_interval => interval(&l.adjusted),
                vs_peers => percent(l.vs_peers),
                lost => l.customers_lost,
                gained => l.customers_gained,
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
    let listed = |list: &[roadone_analytics::customer_math::RaiseEntry]| -> Vec<Value> {
        list.iter()
            .map(|r| {
                context! {
                    name => report.names.get(&r.person.to_string()).cloned().unwrap_or_default(),
                    lift => percent(r.adjusted.lift),
                    interval => interval(&r.adjusted),
                    n => r.n,
                }
            })
            .collect()
    };
    let html = render(
        "staff/report_customer_math.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            window,
            currency => report.currency.clone(),
            other_currencies => report.other_currencies.clone(),
            shown => report.shown.clone(),
            compared => m.cases_compared,
            excluded_open => m.excluded_open,
            excluded_inside_window => m.excluded_inside_window,
            baseline_customers => m.baseline_customers,
            overall => group_rows(&report, std::slice::from_ref(&roadone_analytics::customer_math::Group { key: "all cases".into(), lift: m.overall.clone() }), plain),
            raise => listed(&m.raise),
            below => listed(&m.below),
            chart => interval_chart(&report),
            trend => trend_chart(&report),
            months => group_rows(&report, &m.by_month, plain),
            solvers => group_rows(&report, &m.by_solver, plain),
            intake => group_rows(&report, &m.by_intake, plain),
            categories => group_rows(&report, &m.by_category, plain),
            roads => group_rows(&report, &m.by_road, road),
            escalation => group_rows(&report, &m.by_escalation, plain),
        },
    )?;
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

#[derive(Deserialize, Default)]
pub struct DelightQuery {
    month: Option<String>,
}

fn month_or_now(state: &AppState, text: Option<&str>, field: &str) -> Result<Month, WebError> {
    match text.filter(|m| !m.is_empty()) {
        None => Ok(Month::of(state.clock.now())),
        Some(t) => Ok(Month::parse(t).map_err(|e| AppError::invalid(field, e.to_string()))?),
    }
}

fn rating_row(name: String, r: &roadone_analytics::delight::Ratings) -> Value {
    context! {
        name,
        n => r.n,
        scores => r.scores.to_vec(),
        mean => r.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "–".into()),
        recommend => r.recommend_rate.map(|m| format!("{:.0}%", m * 100.0)).unwrap_or_else(|| "–".into()),
    }
}

pub async fn delight_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DelightQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let month = month_or_now(&state, q.month.as_deref(), "month")?;
    let report = crate::reports::delight::monthly(&state, month).await?;
    let d = &report.delight;
    let name = |id: &i64| {
        report
            .names
            .get(&id.to_string())
            .cloned()
            .unwrap_or_else(|| format!("person {id}"))
    };
    let road = |r: u8| {
        roadone_domain::Road::try_from(r)
            .map(crate::web::staff::cases::road_label)
            .unwrap_or_else(|_| r.to_string())
    };
    let most = d.overall.scores.iter().copied().max().unwrap_or(0).max(1);
    let bars: Vec<Value> = d
        .overall
        .scores
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let height = 120 * count / most;
            context! { score => i + 1, count, x => 40 + i * 120, y => 125 - height, height }
        })
        .collect();
    let html = render(
        "staff/report_delight.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            month => month.to_string(),
            previous => Month::of(month.start() - chrono::Duration::days(1)).to_string(),
            next => month.next().to_string(),
            overall => rating_row("all".into(), &d.overall),
            bars,
            delighted => d.delighted.iter().map(|x| context! {
                case_id => x.case_id,
                category => x.category.clone(),
                road => road(x.road),
                solver => name(&x.solver),
                delighted_by => x.delighted_by.clone(),
                would_recommend => x.would_recommend,
            }).collect::<Vec<_>>(),
            solvers => d.by_solver.iter().map(|(id, r)| rating_row(name(id), r)).collect::<Vec<_>>(),
            categories => d.by_category.iter().map(|(k, r)| rating_row(k.clone(), r)).collect::<Vec<_>>(),
            roads => d.by_road.iter().map(|(k, r)| rating_row(road(*k), r)).collect::<Vec<_>>(),
        },
    )?;
    Ok(html.into_response())
}

pub async fn delight_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DelightQuery>,
) -> WebResult<Response> {
    use crate::reports::delight as d;
    readers_only(&me)?;
    let month = month_or_now(&state, q.month.as_deref(), "month")?;
    let report = d::monthly(&state, month).await?;
    let text = crate::reports::csv::write(d::CSV_HEADER, d::csv_rows(&report))?;
    Ok(crate::reports::csv::download(
        &format!("delight-{month}"),
        text,
    ))
}

#[derive(Deserialize, Default)]
pub struct RoadsQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The range asked for, or the last six months.
fn roads_range(state: &AppState, q: &RoadsQuery) -> Result<(Month, Month), WebError> {
    let to = month_or_now(state, q.to.as_deref(), "to")?;
    let from = match q.from.as_deref().filter(|m| !m.is_empty()) {
        Some(t) => Month::parse(t).map_err(|e| AppError::invalid("from", e.to_string()))?,
        None => {
            let mut m = to;
            for _ in 0..5 {
                m = Month::of(m.start() - chrono::Duration::days(1));
            }
            m
        }
    };
    Ok((from, to))
}

/// How many lessons the page lists; the API has them all.
const LEARNED_SHOWN: usize = 100;

pub async fn roads_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<RoadsQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let (from, to) = roads_range(&state, &q)?;
    let report = crate::reports::roads::between(&state, from, to).await?;
    let r = &report.roads;
    const COLOURS: [&str; 4] = ["#1e6b34", "#0b5cad", "#8a96a3", "#a4161a"];
    let totals: Vec<(String, [u32; 4], u32)> = r
        .by_month
        .iter()
        .map(|(month, categories)| {
            let mut roads = [0u32; 4];
            for mix in categories.values() {
                for (i, n) in mix.roads.iter().enumerate() {
                    roads[i] += n;
                }
            }
            (month.clone(), roads, roads.iter().sum())
        })
        .collect();
    let most = totals.iter().map(|t| t.2).max().unwrap_or(0).max(1);
    let scale = 420.0 / f64::from(most);
    let months: Vec<Value> = totals
        .iter()
        .enumerate()
        .map(|(i, (month, roads, total))| {
            let mut x = 90.0;
            let segments: Vec<Value> = roads
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    let width = f64::from(*n) * scale;
                    let seg = context! { x => format!("{x:.1}"), width => format!("{width:.1}"), colour => COLOURS[k], count => n, road => k + 1 };
                    x += width;
                    seg
                })
                .collect();
            context! { month => month.clone(), y => i * 24, segments, total, label_x => format!("{:.1}", x + 6.0) }
        })
        .collect();
    let rows: Vec<Value> = r
        .by_month
        .iter()
        .flat_map(|(month, categories)| {
            categories.iter().map(move |(category, mix)| {
                context! { month => month.clone(), category => category.clone(), roads => mix.roads.to_vec(), solved => mix.solved }
            })
        })
        .collect();
    let learned: Vec<Value> = r
        .learned
        .iter()
        .take(LEARNED_SHOWN)
        .map(|l| {
            context! {
                case_id => l.case_id,
                month => l.month.clone(),
                category => l.category.clone(),
                road => l.road,
                solver => report.names.get(&l.solver.to_string()).cloned().unwrap_or_default(),
                learned => l.learned.clone(),
            }
        })
        .collect();
    let html = render(
        "staff/report_roads.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            from => from.to_string(),
            to => to.to_string(),
            chart => context! { height => totals.len() * 24 + 8, months },
            rows,
            learned,
            more => r.learned.len().saturating_sub(LEARNED_SHOWN),
        },
    )?;
    Ok(html.into_response())
}

pub async fn roads_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<RoadsQuery>,
) -> WebResult<Response> {
    use crate::reports::roads as r;
    readers_only(&me)?;
    let (from, to) = roads_range(&state, &q)?;
    let report = r::between(&state, from, to).await?;
    let text = crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(&report))?;
    Ok(crate::reports::csv::download(
        &format!("roads-{from}-{to}"),
        text,
    ))
}
