//! My cases (or everyone's, for those who may see them), and the small words the case
//! pages share: spans of time, links to other cases, road names. The case page itself is
//! `case_page.rs`.

use crate::app::AppState;
use crate::directory::CategoryChoice;
use crate::web::flash::Flashed;
use crate::web::pages::{html, WebResult};
use crate::web::staff::case_views::{View, ViewQuery, AGES, PAGE};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use roadone_domain::{CaseStatus, EventBody, EventKind};
use roadone_store::{CaseFilter, EventFilter};

/// A line about another case: its link, reference, subject and whether it is open.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CaseLink {
    pub href: String,
    pub reference: String,
    pub subject: String,
    pub open: bool,
}

/// A line about another case.
pub(crate) fn case_link(h: roadone_store::CaseHead) -> CaseLink {
    CaseLink {
        href: format!("/staff/cases/{}", h.id),
        reference: h.reference,
        subject: h.subject,
        open: h.status == CaseStatus::Open,
    }
}

/// A case as the list shows it.
#[derive(Debug)]
struct CaseRow {
    id: i64,
    href: String,
    reference: String,
    subject: String,
    category: String,
    owner: Option<String>,
    open: bool,
    junk: bool,
    left: String,
    overdue: bool,
    escalates_at: String,
    opened: String,
    reminders: Option<Reminders>,
}

/// The reminders of one of my open cases: how many, and how long ago the last came.
#[derive(Debug)]
struct Reminders {
    count: usize,
    last: String,
    deadline: bool,
}

/// A view, or a saved view, as the navigation links it.
#[derive(Debug)]
struct ViewLink {
    href: String,
    title: String,
    current: bool,
}

/// An option of a chooser: its value and what it says.
#[derive(Debug)]
struct Choice {
    key: &'static str,
    label: &'static str,
}

#[derive(askama::Template)]
#[template(path = "web/staff/cases.html")]
struct CasesPage {
    me: Me,
    csrf: String,
    newest_case: i64,
    cases: Vec<CaseRow>,
    views: Vec<ViewLink>,
    view: &'static str,
    title: &'static str,
    state: &'static str,
    q: String,
    /// The chosen category's key, channel and age; empty for any.
    category: String,
    categories: Vec<CategoryChoice>,
    channel: &'static str,
    channels: Vec<&'static str>,
    age: String,
    ages: Vec<Choice>,
    sort: &'static str,
    sorts: Vec<Choice>,
    show_owner: bool,
    show_reminders: bool,
    total: u64,
    /// There are more cases than `total` (counting stopped there).
    more: bool,
    first: u64,
    last: u64,
    page: u32,
    pages: u64,
    previous: Option<String>,
    next: Option<String>,
    here: String,
    can_take: bool,
    can_pass_up: bool,
    notice: Option<String>,
    saved: Vec<ViewLink>,
    query: String,
}

/// How far a view's count is exact.
const COUNTED_UP_TO: u64 = 10_000;

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

/// A case list: one of the views, narrowed, sorted and paged, with the count of all.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
    Query(q): Query<ViewQuery>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let mut category_keys: Vec<String> = snapshot.categories.keys().cloned().collect();
    category_keys.sort();
    let now = state.clock.now();
    let chosen = q.choose(&me.person, &snapshot.hierarchy, &category_keys, now)?;
    let heads = state.list_cases(chosen.filter.clone()).await?;
    // Counting a million cases costs more than showing the page: past 10,000 (or past
    // this page) the count says "more than".
    let cap = COUNTED_UP_TO.max(u64::from(chosen.filter.offset) + u64::from(PAGE));
    let counted = state
        .count_cases(CaseFilter {
            count_up_to: Some(cap),
            ..chosen.filter.clone()
        })
        .await?;
    let more = counted > cap;
    let total = counted.min(cap);
    // My reminders: the latest one on each of my open cases (one query for the page).
    let mut reminded: std::collections::HashMap<i64, (usize, DateTime<Utc>, String)> =
        std::collections::HashMap::new();
    if chosen.view == View::Mine {
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
    let cases: Vec<CaseRow> = heads
        .iter()
        .map(|h| {
            let (left, overdue) = time_left(now, h.escalates_at);
            CaseRow {
                id: h.id,
                href: format!("/staff/cases/{}", h.id),
                reference: h.reference.clone(),
                subject: h.subject.clone(),
                category: snapshot.category_name(&h.category),
                owner: snapshot.person(h.owner).map(|p| p.name.clone()),
                open: h.status == CaseStatus::Open,
                junk: h.status == CaseStatus::Junk,
                left,
                overdue,
                escalates_at: me.zone.when(h.escalates_at),
                opened: format!("{} ago", span(h.opened_at, now)),
                reminders: reminded.get(&h.id).map(|(n, at, why)| Reminders {
                    count: *n,
                    last: format!("{} ago", span(*at, now)),
                    deadline: why == "deadline",
                }),
            }
        })
        .collect();
    let views: Vec<ViewLink> = View::ALL
        .into_iter()
        .filter(|v| v.allowed(&me.person).is_ok())
        .map(|v| ViewLink {
            href: format!("/staff/cases?view={}", v.key()),
            title: v.title().to_string(),
            current: v == chosen.view,
        })
        .collect();
    let pages = total.div_ceil(u64::from(PAGE)).max(1);
    let first = u64::from(chosen.filter.offset) + 1;
    let last = u64::from(chosen.filter.offset) + heads.len() as u64;
    let here = format!("/staff/cases?{}", chosen.query(chosen.page));
    let page_link = |p: u32| format!("/staff/cases?{}", chosen.query(p));
    let team_view = chosen.view == View::Team;
    let canonical = chosen.query(1);
    let saved: Vec<ViewLink> = state
        .saved_views(me.person.id)
        .await?
        .into_iter()
        .map(|v| ViewLink {
            current: v.query == canonical,
            href: format!("/staff/cases?{}", v.query),
            title: v.name,
        })
        .collect();
    // The newest case as this page is made: the script follows from it, so a case opened
    // between the page and the stream is still announced.
    let newest_case = state.newest_case().await?.unwrap_or(0);
    let choices = |list: &[(&'static str, &'static str)]| -> Vec<Choice> {
        list.iter()
            .map(|&(key, label)| Choice { key, label })
            .collect()
    };
    let page = html(&CasesPage {
        newest_case,
        me: me.me(),
        csrf: me.csrf.clone(),
        cases,
        views,
        view: chosen.view.key(),
        title: chosen.view.title(),
        state: match chosen.state {
            Some(CaseStatus::Open) => "open",
            Some(CaseStatus::Solved) => "solved",
            Some(CaseStatus::Junk) => "junk",
            None => "all",
        },
        q: chosen.q.clone().unwrap_or_default(),
        category: chosen.category.clone().unwrap_or_default(),
        categories: snapshot.category_choices(),
        channel: chosen.channel.map(|c| c.as_str()).unwrap_or_default(),
        channels: roadone_domain::Channel::ALL.map(|c| c.as_str()).to_vec(),
        age: chosen.age.clone().unwrap_or_default(),
        ages: choices(&AGES),
        sort: chosen.sort.as_str(),
        sorts: choices(&[
            ("urgency", "most urgent first"),
            ("changed", "latest change first"),
            ("newest", "newest first"),
            ("oldest", "oldest first"),
        ]),
        show_owner: chosen.view != View::Mine && chosen.view != View::Waiting,
        show_reminders: chosen.view == View::Mine,
        total,
        more,
        first,
        last,
        page: chosen.page,
        pages,
        previous: (chosen.page > 1).then(|| page_link(chosen.page - 1)),
        next: (u64::from(chosen.page) < pages || (more && last < counted))
            .then(|| page_link(chosen.page + 1)),
        here,
        can_take: team_view || chosen.view == View::Everyone || chosen.view == View::Escalated,
        can_pass_up: chosen.view == View::Mine || chosen.view == View::Waiting,
        notice: flash.notice(),
        saved,
        query: canonical,
    })?;
    Ok(flash.shown(page.into_response()))
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
