//! Calls: answered in one ring, ring times, abandoned calls, the service level by hour and
//! day of the week, and talk time per operator, shown as engagement.

use super::{month_or_now, readers_only};
use crate::app::AppState;
use crate::web::charts;
use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_analytics::calls::{Slot, RING_BINS};
use roadone_analytics::Month;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CallsQuery {
    month: Option<String>,
}

/// A column of a chart: its label, the figure it says, and where it is drawn.
#[derive(Debug)]
struct Column {
    label: String,
    says: String,
    x: usize,
    y: u32,
    height: u32,
}

/// A line of a table of slots (a week, a day of the week).
#[derive(Debug)]
struct SlotRow {
    name: String,
    offered: u32,
    answered: String,
    in_time: String,
    share: String,
}

#[derive(Debug)]
struct OperatorRow {
    /// The person's name, else the line.
    answered_by: String,
    /// The lines, when a person answered on them.
    lines: String,
    answered: u32,
    one_ring: String,
    talk: String,
    median: String,
    p90: String,
    cases: u32,
    solved_by_them: String,
    passed_up: String,
    delighted: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/report_calls.html")]
struct CallsPage {
    me: Me,
    csrf: String,
    month: String,
    previous: String,
    next: String,
    time_zone: String,
    offered: u32,
    answered: u32,
    one_ring_seconds: String,
    one_ring_share: String,
    service_level_seconds: String,
    service_level: String,
    abandoned: u32,
    abandoned_wait: String,
    busy: u32,
    failed: u32,
    ring_p50: String,
    ring_p90: String,
    ring_bars: Vec<Column>,
    hour_bars: Vec<Column>,
    weeks: Vec<SlotRow>,
    weekdays: Vec<SlotRow>,
    operators: Vec<OperatorRow>,
}

fn share(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn seconds(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0} s")).unwrap_or_else(|| "–".into())
}

/// Talk time as people read it: "1 h 05 min", "4 min 10 s".
fn talk(total: f64) -> String {
    let s = total.round() as i64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec} s"),
        (0, m, sec) => format!("{m} min {sec:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

fn slot_row(name: String, s: &Slot) -> SlotRow {
    SlotRow {
        name,
        offered: s.offered,
        answered: s.answered.to_string(),
        in_time: s.within_service_level.to_string(),
        share: share(s.service_level),
    }
}

pub async fn calls_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<CallsQuery>,
) -> WebResult<Response> {
    readers_only(&me)?;
    let month = month_or_now(&state, q.month.as_deref(), "month")?;
    let report = crate::reports::calls::monthly(&state, month).await?;
    let c = &report.report;
    let most = c.ring.histogram.iter().copied().max().unwrap_or(0);
    let ring_bars = c
        .ring
        .histogram
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let height = charts::column_height(*count, most, 120);
            let label = match RING_BINS.get(i + 1) {
                Some(to) => format!("{}–{} s", RING_BINS[i], to),
                None => format!("{} s +", RING_BINS[i]),
            };
            Column {
                says: format!("{count} answered after {label}"),
                label,
                x: 20 + i * 88,
                y: 125 - height,
                height,
            }
        })
        .collect();
    // The service level by hour, as a share of 100 pixels; hours with no calls stay empty.
    let hour_bars = c
        .by_hour
        .iter()
        .enumerate()
        .map(|(h, s)| {
            let height = s.service_level.map_or(0, |v| (v * 100.0).round() as u32);
            Column {
                label: format!("{h:02}"),
                says: match s.service_level {
                    Some(v) => format!(
                        "{h:02}:00–{h:02}:59: {:.0}% of {} calls answered in time",
                        v * 100.0,
                        s.offered
                    ),
                    None => format!("{h:02}:00–{h:02}:59: no calls"),
                },
                x: 20 + h * 25,
                y: 110 - height,
                height,
            }
        })
        .collect();
    let weeks = c
        .by_week
        .iter()
        .map(|w| SlotRow {
            name: format!("week of {}", w.starts.format("%-d %b")),
            offered: w.offered,
            answered: "".into(),
            in_time: w.one_ring.to_string(),
            share: share(w.one_ring_share),
        })
        .collect();
    let weekdays = c
        .by_weekday
        .iter()
        .zip(crate::reports::calls::WEEKDAYS)
        .map(|(s, d)| slot_row(d.to_string(), s))
        .collect();
    let operators = c
        .operators
        .iter()
        .map(|o| OperatorRow {
            answered_by: o
                .person
                .and_then(|id| report.names.get(&id.to_string()).cloned())
                .unwrap_or_else(|| o.lines.join(", ")),
            lines: if o.person.is_some() {
                o.lines.join(", ")
            } else {
                String::new()
            },
            answered: o.answered,
            one_ring: o.one_ring.to_string(),
            talk: talk(o.talk_seconds),
            median: talk(o.talk_median_seconds),
            p90: talk(o.talk_p90_seconds),
            cases: o.cases,
            solved_by_them: if o.person.is_some() {
                o.solved_by_them.to_string()
            } else {
                "–".into()
            },
            passed_up: o.passed_up.to_string(),
            delighted: match o.rated {
                0 => "no ratings".into(),
                rated => format!("{} of {rated} rated", o.delighted),
            },
        })
        .collect();
    let html = html(&CallsPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        month: month.to_string(),
        previous: Month::of(month.start() - chrono::Duration::days(1)).to_string(),
        next: month.next().to_string(),
        time_zone: report.time_zone.clone(),
        offered: c.offered,
        answered: c.answered,
        one_ring_seconds: format!("{:.0}", c.one_ring_seconds),
        one_ring_share: share(c.one_ring_share),
        service_level_seconds: format!("{:.0}", c.service_level_seconds),
        service_level: share(c.service_level),
        abandoned: c.abandoned,
        abandoned_wait: seconds(c.abandoned_wait.p50_seconds),
        busy: c.busy,
        failed: c.failed,
        ring_p50: seconds(c.ring.p50_seconds),
        ring_p90: seconds(c.ring.p90_seconds),
        ring_bars,
        hour_bars,
        weeks,
        weekdays,
        operators,
    })?;
    Ok(html.into_response())
}

pub async fn calls_csv(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<CallsQuery>,
) -> WebResult<Response> {
    use crate::reports::calls as r;
    readers_only(&me)?;
    let month = month_or_now(&state, q.month.as_deref(), "month")?;
    let report = r::monthly(&state, month).await?;
    let text = crate::reports::csv::write(r::CSV_HEADER, r::csv_rows(&report))?;
    Ok(crate::reports::csv::download(
        &format!("calls-{month}"),
        text,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn talk_time_reads_as_people_say_it() {
        assert_eq!(super::talk(42.0), "42 s");
        assert_eq!(super::talk(250.0), "4 min 10 s");
        assert_eq!(super::talk(3900.0), "1 h 05 min");
    }
}
