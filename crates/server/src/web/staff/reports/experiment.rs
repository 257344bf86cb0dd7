//! Delight experiments: the list, and each one's report — the health panel first, then
//! (when it is sound) each figure per arm with its interval, drawn against zero, the
//! guardrails, planning, payback and what delighted customers.

use super::{readers_only, IntervalChart, IntervalRow};
use crate::app::AppState;
use crate::reports::experiment as r;
use crate::web::charts::{coordinate, Scale};
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::experiment::{Better, ExperimentReport, Figure};

#[derive(Debug)]
struct Listed {
    key: String,
    name: String,
    state: &'static str,
    share: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_experiments.html")]
struct ListPage {
    me: Me,
    csrf: String,
    experiments: Vec<Listed>,
}

pub async fn experiments_page(State(state): State<AppState>, me: SignedIn) -> WebResult<Response> {
    readers_only(&me)?;
    let experiments = state
        .experiments()
        .into_iter()
        .map(|e| Listed {
            share: format!("{}%", e.experiment.settings.fraction * 100.0),
            state: e.experiment.state.as_str(),
            name: e.experiment.settings.name,
            key: e.experiment.key,
        })
        .collect();
    Ok(html(&ListPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        experiments,
    })?
    .into_response())
}

/// Green: better for treated customers beyond chance; red: worse; grey: cannot tell.
fn colour(f: &Figure) -> &'static str {
    let Some(e) = &f.effect else { return "#4a5562" };
    let higher = e.absolute_low > 0.0;
    let lower = e.absolute_high < 0.0;
    match (f.better, higher, lower) {
        (Better::Higher, true, _) | (Better::Lower, _, true) => "#1e6b34",
        (Better::Higher, _, true) | (Better::Lower, true, _) => "#a4161a",
        _ => "#4a5562",
    }
}

fn chart(report: &ExperimentReport) -> IntervalChart {
    let o = &report.overall;
    let shown: Vec<&Figure> = std::iter::once(&o.sales_cuped)
        .chain(&o.figures)
        .filter(|f| f.effect.is_some_and(|e| e.relative.is_some()))
        .collect();
    let x = Scale::around_zero(
        shown.iter().flat_map(|f| {
            let e = f.effect.expect("filtered");
            [
                e.relative_low.unwrap_or(0.0),
                e.relative_high.unwrap_or(0.0),
            ]
        }),
        230.0,
        390.0,
    );
    let rows: Vec<IntervalRow> = shown
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let e = f.effect.expect("filtered");
            IntervalRow {
                y: i * 24 + 12,
                name: f.label.to_string(),
                x1: coordinate(x.at(e.relative_low.unwrap_or(0.0))),
                x2: coordinate(x.at(e.relative_high.unwrap_or(0.0))),
                cx: coordinate(x.at(e.relative.unwrap_or(0.0))),
                colour: colour(f),
                said: format!(
                    "{}: {:+.1}% (95%: {:+.1}% to {:+.1}%), {}",
                    f.label,
                    e.relative.unwrap_or(0.0) * 100.0,
                    e.relative_low.unwrap_or(0.0) * 100.0,
                    e.relative_high.unwrap_or(0.0) * 100.0,
                    f.says
                ),
            }
        })
        .collect();
    IntervalChart {
        height: rows.len() * 24 + 30,
        zero: coordinate(x.at(0.0)),
        left: 230,
        title: "Each figure's relative difference for treated customers with its 95% interval; \
                the vertical line is no difference",
        low_label: format!("{:+.0}%", x.lo * 100.0),
        high_label: format!("{:+.0}%", x.hi * 100.0),
        rows,
    }
}

#[derive(Debug)]
struct VersionTable {
    title: String,
    rows: Vec<Vec<String>>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_experiment.html")]
struct ReportPage {
    me: Me,
    csrf: String,
    experiment: ExperimentReport,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
    versions: Vec<VersionTable>,
    chart: IntervalChart,
    srm: Vec<String>,
    compliance: String,
    guardrails: Vec<(String, String)>,
    plans: Vec<String>,
    quotes: Vec<(String, String)>,
}

pub async fn experiment_page(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let report = r::experiment(&state, &key).await?;
    let srm = report
        .health
        .sample_ratio
        .iter()
        .map(|s| {
            format!(
                "Version {}: {} treated and {} control customers against {}% configured: {}.",
                s.version,
                s.treated,
                s.control,
                s.expected_share * 100.0,
                s.says
            )
        })
        .collect();
    let c = &report.health.compliance;
    let compliance = format!(
        "{} of the treated customers' {} cases were opened with a member of the team{}; the \
         team opened {} of the control customers' {} cases.",
        c.treated_served_by_team,
        c.treated_cases,
        c.share
            .map_or(String::new(), |s| format!(" ({:.0}%)", s * 100.0)),
        c.control_served_by_team,
        c.control_cases
    );
    let versions = if report.by_version.len() > 1 {
        report
            .by_version
            .iter()
            .map(|v| VersionTable {
                title: format!("Version {} ({}% treated)", v.version, v.fraction * 100.0),
                rows: r::figure_rows(&v.figures),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = ReportPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        header: r::FIGURE_HEADER,
        rows: r::figure_rows(&report.overall),
        versions,
        chart: chart(&report),
        srm,
        compliance,
        guardrails: report
            .guardrails
            .iter()
            .map(|g| (g.label.to_string(), g.says.clone()))
            .collect(),
        plans: report
            .planning
            .iter()
            .map(|p| {
                format!(
                    "{}: {} customers ({} treated) to find a difference of {:.2} at 80% power, \
                     {:.1} times what an even split would need; {}.",
                    p.label, p.total_needed, p.treated_needed, p.effect, p.times_even_split, p.says
                )
            })
            .collect(),
        quotes: report
            .quotes
            .iter()
            .map(|q| (q.text.clone(), q.arm.as_str().to_string()))
            .collect(),
        experiment: report,
    };
    Ok(html(&page)?.into_response())
}
