//! My cases (or everyone's, for those who may see them), and the small words the case
//! pages share: spans of time, links to other cases, road names. The case page itself is
//! `case_page.rs`.

use crate::app::AppState;
use crate::error::AppError;
use crate::web::pages::{render, when, WebError, WebResult};
use crate::web::staff::session::SignedIn;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::{context, Value};
use roadone_domain::{Capability, CaseStatus, EventBody, EventKind};
use roadone_store::{CaseFilter, EventFilter};
use serde::Deserialize;

/// A line about another case: its link, reference, subject and whether it is open.
pub(crate) fn case_link(h: roadone_store::CaseHead) -> Value {
    context! {
        href => format!("/staff/cases/{}", h.id),
        reference => h.reference,
        subject => h.subject,
        open => h.status == CaseStatus::Open,
    }
}

/// A span of time as people say it: "2 d 3 h", "3 h 20 min", "40 min".
pub fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    match (to - from).num_minutes().abs() {
        m if m >= 60 * 24 => format!("{} d {} h", m / (60 * 24), (m / 60) % 24),
        m if m >= 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{m} min"),
    }
}

/// "3 h 20 min left" or "overdue by 40 min".
pub fn time_left(now: DateTime<Utc>, at: DateTime<Utc>) -> (String, bool) {
    let minutes = (at - now).num_minutes();
    let span = |_| span(now, at);
    if minutes >= 0 {
        (format!("{} left", span(minutes)), false)
    } else {
        (format!("overdue by {}", span(minutes)), true)
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    q: Option<String>,
    /// `all`: everyone's cases (managers, executives and admins).
    who: Option<String>,
}

/// My cases, the most urgent first (the least time before the executive gets them).
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let everyone = q.who.as_deref() == Some("all");
    if everyone && !me.person.role.may(Capability::SeeAllCases) {
        return Err(WebError(AppError::Forbidden(format!(
            "only {} see everyone's cases",
            Capability::SeeAllCases.holders()
        ))));
    }
    let status = match q.state.as_deref() {
        None | Some("open") => Some(CaseStatus::Open),
        Some("solved") => Some(CaseStatus::Solved),
        Some("all") => None,
        Some(other) => {
            return Err(WebError(AppError::invalid(
                "state",
                format!("must be open, solved or all, not {other:?}"),
            )))
        }
    };
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let heads = state
        .list_cases(CaseFilter {
            owner: (!everyone).then_some(me.person.id),
            status,
            search: text.map(str::to_string),
            limit: 200,
            ..CaseFilter::default()
        })
        .await?;
    let now = state.clock.now();
    let snapshot = state.directory.snapshot();
    // My reminders: the latest one on each of my open cases (one query for the page).
    let mut reminded: std::collections::HashMap<i64, (usize, DateTime<Utc>, String)> =
        std::collections::HashMap::new();
    if !everyone {
        let tickles = state
            .events(EventFilter {
                kinds: vec![EventKind::Tickled],
                open_and_owned_by: Some(me.person.id),
                limit: 1000,
                ..EventFilter::default()
            })
            .await?;
        for (head, event) in tickles {
            let why = match &event.body {
                EventBody::Tickled { reason, .. } => label(reason),
                _ => String::new(),
            };
            reminded
                .entry(head.id)
                .and_modify(|r| r.0 += 1)
                .or_insert((1, event.at, why));
        }
    }
    let cases: Vec<Value> = heads
        .iter()
        .map(|h| {
            let (left, overdue) = time_left(now, h.escalates_at);
            context! {
                href => format!("/staff/cases/{}", h.id),
                reference => h.reference.clone(),
                subject => h.subject.clone(),
                category => snapshot.categories.get(&h.category).map(|c| c.name.clone()).unwrap_or_else(|| h.category.clone()),
                owner => snapshot.person(h.owner).map(|p| p.name.clone()),
                open => h.status == CaseStatus::Open,
                left, overdue,
                escalates_at => when(h.escalates_at),
                updated_at => when(h.updated_at),
                reminders => reminded.get(&h.id).map(|(n, at, why)| context! {
                    count => *n,
                    last => format!("{} ago", span(*at, now)),
                    deadline => why == "deadline",
                }),
            }
        })
        .collect();
    Ok(render(
        "staff/cases.html",
        context! {
            me => me.view(),
            csrf => me.csrf.clone(),
            cases,
            state => q.state.unwrap_or_else(|| "open".into()),
            q => text,
            everyone,
            can_see_all => me.person.role.may(Capability::SeeAllCases),
        },
    )?
    .into_response())
}

/// "2: Empathy and care".
pub fn road_label(road: roadone_domain::Road) -> String {
    format!("{}: {}", u8::from(road), road.label())
}

/// The name an enum value has in the API (its serde name).
pub(super) fn label<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
