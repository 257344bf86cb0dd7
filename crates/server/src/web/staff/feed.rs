//! For the people who decide (managers, executives, admins): what reached them by
//! upgrade or escalation and how long it has waited, and the feed of what was learned,
//! by category and road.

use crate::app::AppState;
use crate::directory::CategoryChoice;
use crate::error::AppError;
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::cases::{road_label, span};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use roadone_domain::{Capability, EventBody, EventKind};
use roadone_store::EventFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct FeedQuery {
    category: Option<String>,
    road: Option<String>,
}

/// A case upgraded or escalated to the reader, still open.
#[derive(Debug)]
struct Waiting {
    href: String,
    reference: String,
    subject: String,
    escalated: bool,
    from: String,
    why: String,
    waited: String,
    at: String,
}

/// What a solved case taught.
#[derive(Debug)]
struct Learned {
    href: String,
    reference: String,
    subject: String,
    category: String,
    road: String,
    learned: String,
    by: Option<String>,
    at: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/feed.html")]
struct FeedPage {
    me: Me,
    csrf: String,
    waiting: Vec<Waiting>,
    learned: Vec<Learned>,
    categories: Vec<CategoryChoice>,
    /// The category chosen, empty for all.
    category: String,
    road: Option<u8>,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<FeedQuery>,
) -> WebResult<Response> {
    if !me.person.role.may(Capability::ReadReports) {
        return Err(WebError(AppError::Forbidden(format!(
            "the feed is for {}",
            Capability::ReadReports.holders()
        ))));
    }
    let snapshot = state.directory.snapshot();
    let name = |id: i64| snapshot.person_name(id);
    let category_name = |key: &str| {
        snapshot
            .categories
            .get(key)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let now = state.clock.now();
    let arrived = state
        .events(EventFilter {
            kinds: vec![EventKind::Upgraded, EventKind::Escalated],
            to: Some(me.person.id),
            open_and_owned_by: Some(me.person.id),
            limit: 200,
            ..EventFilter::default()
        })
        .await?;
    let waiting: Vec<_> = arrived
        .iter()
        .map(|(head, event)| {
            let waited = span(event.at, now);
            let (from, why) = match &event.body {
                EventBody::Upgraded { from, reason, .. } => (name(*from), reason.clone()),
                EventBody::Escalated { from, .. } => (name(*from), "the deadline passed".into()),
                _ => (String::new(), String::new()),
            };
            Waiting {
                href: format!("/staff/cases/{}", head.id),
                reference: head.reference.clone(),
                subject: head.subject.clone(),
                escalated: event.body.kind() == EventKind::Escalated,
                from,
                why,
                waited,
                at: me.zone.when(event.at),
            }
        })
        .collect();
    let road: Option<u8> = match q.road.as_deref().filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match r.parse::<u8>() {
            Ok(n @ 1..=4) => Some(n),
            _ => {
                return Err(WebError(AppError::invalid(
                    "road",
                    format!("must be 1, 2, 3 or 4, not {r:?}"),
                )))
            }
        },
    };
    let category = q.category.filter(|c| !c.is_empty());
    let solved = state
        .events(EventFilter {
            kinds: vec![EventKind::Solved],
            category: category.clone(),
            limit: 300,
            ..EventFilter::default()
        })
        .await?;
    let learned: Vec<_> = solved
        .iter()
        .filter_map(|(head, event)| match &event.body {
            EventBody::Solved {
                road: r, learned, ..
            } if road.is_none_or(|want| u8::from(*r) == want) && !learned.trim().is_empty() => {
                Some(Learned {
                    href: format!("/staff/cases/{}", head.id),
                    reference: head.reference.clone(),
                    subject: head.subject.clone(),
                    category: category_name(&head.category),
                    road: road_label(*r),
                    learned: learned.clone(),
                    by: event.actor.person().map(name),
                    at: me.zone.when(event.at),
                })
            }
            _ => None,
        })
        .collect();
    Ok(html(&FeedPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        waiting,
        learned,
        categories: snapshot.category_choices(),
        category: category.unwrap_or_default(),
        road,
    })?
    .into_response())
}
