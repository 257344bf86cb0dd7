//! Delight: the month's ratings, what delighted customers, by solver, category and road.

use super::{month_or_now, readers_only};
use crate::app::AppState;
use crate::web::charts;
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::Month;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DelightQuery {
    month: Option<String>,
}

/// A group's ratings as a line of a table: how many of each score, mean, recommend rate.
#[derive(Debug)]
struct RatingRow {
    name: String,
    n: u32,
    scores: [u32; 5],
    mean: String,
    recommend: String,
}

/// A column of the chart: how many gave `score`, and where it is drawn.
#[derive(Debug)]
struct ScoreBar {
    score: usize,
    count: u32,
    x: usize,
    y: u32,
    height: u32,
}

/// A top score with the words that came with it.
#[derive(Debug)]
struct DelightedRow {
    case_id: i64,
    category: String,
    road: String,
    solver: String,
    delighted_by: String,
    would_recommend: bool,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_delight.html")]
struct DelightPage {
    me: Me,
    csrf: String,
    month: String,
    previous: String,
    next: String,
    overall: RatingRow,
    bars: Vec<ScoreBar>,
    delighted: Vec<DelightedRow>,
    solvers: Vec<RatingRow>,
    categories: Vec<RatingRow>,
    roads: Vec<RatingRow>,
}

fn rating_row(name: String, r: &roadone_analytics::delight::Ratings) -> RatingRow {
    RatingRow {
        name,
        n: r.n,
        scores: r.scores,
        mean: r
            .mean
            .map(|m| format!("{m:.2}"))
            .unwrap_or_else(|| "–".into()),
        recommend: r
            .recommend_rate
            .map(|m| format!("{:.0}%", m * 100.0))
            .unwrap_or_else(|| "–".into()),
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
    let most = d.overall.scores.iter().copied().max().unwrap_or(0);
    let bars: Vec<ScoreBar> = d
        .overall
        .scores
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let height = charts::column_height(*count, most, 120);
            ScoreBar {
                score: i + 1,
                count: *count,
                x: 40 + i * 120,
                y: 125 - height,
                height,
            }
        })
        .collect();
    let delighted = d
        .delighted
        .iter()
        .map(|x| DelightedRow {
            case_id: x.case_id,
            category: x.category.clone(),
            road: road(x.road),
            solver: name(&x.solver),
            delighted_by: if x.delighted_by.is_empty() {
                "(no words, just the top score)".into()
            } else {
                x.delighted_by.clone()
            },
            would_recommend: x.would_recommend,
        })
        .collect();
    let html = html(&DelightPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        month: month.to_string(),
        previous: Month::of(month.start() - chrono::Duration::days(1)).to_string(),
        next: month.next().to_string(),
        overall: rating_row("all".into(), &d.overall),
        bars,
        delighted,
        solvers: d
            .by_solver
            .iter()
            .map(|(id, r)| rating_row(name(id), r))
            .collect(),
        categories: d
            .by_category
            .iter()
            .map(|(k, r)| rating_row(k.clone(), r))
            .collect(),
        roads: d
            .by_road
            .iter()
            .map(|(k, r)| rating_row(road(*k), r))
            .collect(),
    })?;
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
