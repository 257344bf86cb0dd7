//! Roads: how cases were solved (the four roads) month by month, and what was learned.

use super::{month_or_now, readers_only};
use crate::app::AppState;
use crate::error::AppError;
use crate::web::charts::{self, Scale};
use crate::web::pages::WebError;
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::Month;
use serde::Deserialize;

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

/// A road's segment of a month's bar.
#[derive(Debug)]
struct Segment {
    x: String,
    width: String,
    colour: &'static str,
    count: u32,
    road: usize,
}

/// A month's bar of the chart.
#[derive(Debug)]
struct MonthBar {
    month: String,
    y: usize,
    segments: Vec<Segment>,
    total: u32,
    label_x: String,
}

#[derive(Debug)]
struct Chart {
    height: usize,
    months: Vec<MonthBar>,
}

/// A month and category's solves by road.
#[derive(Debug)]
struct MixRow {
    month: String,
    category: String,
    roads: [u32; 4],
    solved: u32,
}

/// A lesson, with its solver by name.
#[derive(Debug)]
struct LearnedRow {
    case_id: i64,
    month: String,
    category: String,
    road: u8,
    solver: String,
    learned: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_roads.html")]
struct RoadsPage {
    me: Me,
    csrf: String,
    from: String,
    to: String,
    chart: Chart,
    rows: Vec<MixRow>,
    learned: Vec<LearnedRow>,
    more: usize,
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
    let most = totals.iter().map(|t| t.2).max().unwrap_or(0);
    let scale = Scale::of_counts(most, 90.0, 420.0);
    let months: Vec<MonthBar> = totals
        .iter()
        .enumerate()
        .map(|(i, (month, roads, total))| {
            let (bars, end) = charts::stacked(roads, &scale);
            let segments: Vec<Segment> = bars
                .iter()
                .zip(roads)
                .enumerate()
                .map(|(k, (bar, n))| Segment {
                    x: charts::coordinate(bar.x),
                    width: charts::coordinate(bar.width),
                    colour: COLOURS[k],
                    count: *n,
                    road: k + 1,
                })
                .collect();
            MonthBar {
                month: month.clone(),
                y: i * 24,
                segments,
                total: *total,
                label_x: charts::coordinate(end + 6.0),
            }
        })
        .collect();
    let rows: Vec<MixRow> = r
        .by_month
        .iter()
        .flat_map(|(month, categories)| {
            categories.iter().map(move |(category, mix)| MixRow {
                month: month.clone(),
                category: category.clone(),
                roads: mix.roads,
                solved: mix.solved,
            })
        })
        .collect();
    let learned: Vec<LearnedRow> = r
        .learned
        .iter()
        .take(LEARNED_SHOWN)
        .map(|l| LearnedRow {
            case_id: l.case_id,
            month: l.month.clone(),
            category: l.category.clone(),
            road: l.road,
            solver: report
                .names
                .get(&l.solver.to_string())
                .cloned()
                .unwrap_or_default(),
            learned: l.learned.clone(),
        })
        .collect();
    let html = html(&RoadsPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        from: from.to_string(),
        to: to.to_string(),
        chart: Chart {
            height: totals.len() * 24 + 8,
            months,
        },
        rows,
        learned,
        more: r.learned.len().saturating_sub(LEARNED_SHOWN),
    })?;
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
