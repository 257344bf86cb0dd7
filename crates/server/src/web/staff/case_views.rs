//! The views of the case list: whose cases (mine, my team's, everyone's), which (waiting
//! on the customer, escalated, recently solved), narrowed by category, state, channel and
//! age, in an order, a page at a time. A view is its query string, so a link, a reload
//! and a saved view all show the same cases.

use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{CaseStatus, Channel, Hierarchy, Person, Role};
use roadone_store::{CaseFilter, CaseSort};
use serde::Deserialize;

/// How many cases a page lists.
pub const PAGE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Mine,
    Team,
    Waiting,
    Escalated,
    Solved,
    Everyone,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Mine,
        View::Team,
        View::Waiting,
        View::Escalated,
        View::Solved,
        View::Everyone,
    ];

    pub fn key(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Team => "team",
            View::Waiting => "waiting",
            View::Escalated => "escalated",
            View::Solved => "solved",
            View::Everyone => "all",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Mine => "My cases",
            View::Team => "My team's cases",
            View::Waiting => "Waiting on the customer",
            View::Escalated => "Escalated",
            View::Solved => "Recently solved",
            View::Everyone => "Everyone's cases",
        }
    }

    /// Whether `me` may open this view; the reason when not.
    pub fn allowed(self, me: &Person) -> Result<(), String> {
        let role = me.role;
        match self {
            View::Escalated if !matches!(role, Role::Executive | Role::Admin) => {
                Err("only executives and administrators see every escalated case".into())
            }
            View::Everyone if !role.may(roadone_domain::Capability::SeeAllCases) => Err(format!(
                "only {} see everyone's cases",
                roadone_domain::Capability::SeeAllCases.holders()
            )),
            _ => Ok(()),
        }
    }
}

/// A view as it arrives in the query string; every part optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ViewQuery {
    pub view: Option<String>,
    /// `who=all` (the old way to ask for everyone's cases) still works.
    pub who: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// Opened longer ago than this: `1h`, `4h`, `1d`, `3d`, `7d`.
    pub age: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub q: Option<String>,
}

/// The ages a view can ask for, as offered in its filter.
pub const AGES: [(&str, &str); 5] = [
    ("1h", "older than an hour"),
    ("4h", "older than 4 hours"),
    ("1d", "older than a day"),
    ("3d", "older than 3 days"),
    ("7d", "older than a week"),
];

/// A view read and checked: what it shows, and the store's filter for its page.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub view: View,
    pub state: Option<CaseStatus>,
    pub page: u32,
    pub filter: CaseFilter,
    pub q: Option<String>,
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub age: Option<String>,
    pub sort: CaseSort,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ViewQuery {
    /// The view `me` asked for at `now`, or what is wrong with the query, naming the part.
    pub fn choose(
        &self,
        me: &Person,
        hierarchy: &Hierarchy,
        categories: &[String],
        now: DateTime<Utc>,
    ) -> Result<Chosen, AppError> {
        let view = match (blank(&self.view), blank(&self.who)) {
            (None, Some("all")) => View::Everyone,
            (None, _) => View::Mine,
            (Some(key), _) => View::ALL
                .into_iter()
                .find(|v| v.key() == key)
                .ok_or_else(|| {
                    AppError::invalid("view", format!("there is no view \u{201c}{key}\u{201d}"))
                })?,
        };
        view.allowed(me).map_err(AppError::Forbidden)?;
        let default_state = match view {
            View::Solved => Some(CaseStatus::Solved),
            _ => Some(CaseStatus::Open),
        };
        let state = match blank(&self.state) {
            None => default_state,
            Some("open") => Some(CaseStatus::Open),
            Some("solved") => Some(CaseStatus::Solved),
            Some("junk") => Some(CaseStatus::Junk),
            Some("all") => None,
            Some(other) => {
                return Err(AppError::invalid(
                    "state",
                    format!("choose open, solved, junk or all, not \u{201c}{other}\u{201d}"),
                ))
            }
        };
        let category = match blank(&self.category) {
            Some(key) if !categories.iter().any(|c| c == key) => {
                return Err(AppError::invalid(
                    "category",
                    format!("there is no category \u{201c}{key}\u{201d}"),
                ))
            }
            other => other.map(str::to_string),
        };
        let channel = match blank(&self.channel) {
            None => None,
            Some(c) => Some(Channel::parse(c).ok_or_else(|| {
                AppError::invalid(
                    "channel",
                    format!("there is no channel \u{201c}{c}\u{201d}"),
                )
            })?),
        };
        let age = blank(&self.age).map(str::to_string);
        let opened_before = match age.as_deref() {
            None => None,
            Some(a) => Some(now - age_span(a)?),
        };
        let sort = match blank(&self.sort) {
            None if view == View::Solved => CaseSort::LastChange,
            None => CaseSort::Urgency,
            Some(s) => CaseSort::parse(s).ok_or_else(|| {
                AppError::invalid("sort", format!("there is no order \u{201c}{s}\u{201d}"))
            })?,
        };
        let page = page_number(self.page.as_deref())?;
        let q = blank(&self.q).map(str::to_string);
        let mut filter = CaseFilter {
            status: state,
            category: category.clone(),
            channel,
            opened_before,
            search: q.clone(),
            sort,
            limit: PAGE,
            offset: (page - 1).saturating_mul(PAGE),
            ..CaseFilter::default()
        };
        match view {
            View::Mine | View::Solved => filter.owner = Some(me.id),
            View::Waiting => {
                filter.owner = Some(me.id);
                filter.awaiting_customer = Some(true);
            }
            View::Team => {
                // Nobody below: a team of nobody, not everyone.
                filter.owners = hierarchy.below(me.id);
                if filter.owners.is_empty() {
                    filter.owners = vec![0];
                }
            }
            View::Escalated => filter.escalated = Some(true),
            View::Everyone => {}
        }
        Ok(Chosen {
            view,
            state,
            page,
            filter,
            q,
            category,
            channel,
            age,
            sort,
        })
    }
}

fn age_span(age: &str) -> Result<Duration, AppError> {
    AGES.iter()
        .find(|(key, _)| *key == age)
        .and_then(|(key, _)| humantime::parse_duration(key).ok())
        .and_then(|d| Duration::from_std(d).ok())
        .ok_or_else(|| {
            AppError::invalid(
                "age",
                format!("choose one of the ages offered, not \u{201c}{age}\u{201d}"),
            )
        })
}

impl Chosen {
    /// The query string of this view at `page` (for paging links and saved views).
    pub fn query(&self, page: u32) -> String {
        let mut parts: Vec<(&str, String)> = vec![("view", self.view.key().to_string())];
        let state = match self.state {
            Some(CaseStatus::Open) => "open",
            Some(CaseStatus::Solved) => "solved",
            Some(CaseStatus::Junk) => "junk",
            None => "all",
        };
        parts.push(("state", state.to_string()));
        if let Some(c) = &self.category {
            parts.push(("category", c.clone()));
        }
        if let Some(c) = self.channel {
            parts.push(("channel", c.as_str().to_string()));
        }
        if let Some(a) = &self.age {
            parts.push(("age", a.clone()));
        }
        parts.push(("sort", self.sort.as_str().to_string()));
        if let Some(q) = &self.q {
            parts.push(("q", q.clone()));
        }
        if page > 1 {
            parts.push(("page", page.to_string()));
        }
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(parts)
            .finish()
    }
}

/// The page a `page=` names: 1 when none is given.
pub fn page_number(given: Option<&str>) -> Result<u32, AppError> {
    match given.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| AppError::invalid("page", "must be a page number from 1 up")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roadone_domain::PersonId;

    fn person(id: PersonId, role: Role, boss: Option<PersonId>) -> Person {
        Person {
            id,
            name: format!("P{id}"),
            email: format!("p{id}@example.com"),
            role,
            reports_to: boss,
            active: true,
        }
    }

    fn org() -> Hierarchy {
        Hierarchy::new([
            person(1, Role::Executive, None),
            person(2, Role::Manager, Some(1)),
            person(3, Role::Frontline, Some(2)),
            person(4, Role::Frontline, None),
        ])
    }

    fn choose(me: PersonId, query: ViewQuery) -> Result<Chosen, AppError> {
        let h = org();
        let me = h.get(me).unwrap().clone();
        query.choose(&me, &h, &["billing".into()], Utc::now())
    }

    #[test]
    fn each_view_asks_the_store_for_its_cases() {
        let q = |view: &str| ViewQuery {
            view: Some(view.into()),
            ..ViewQuery::default()
        };
        let team = choose(1, q("team")).unwrap().filter;
        assert_eq!(team.owners, vec![2, 3], "everyone below, at any depth");
        let nobody = choose(4, q("team")).unwrap().filter;
        assert_eq!(nobody.owners, vec![0], "nobody below: nobody's cases");
        let waiting = choose(3, q("waiting")).unwrap().filter;
        assert_eq!(
            (waiting.owner, waiting.awaiting_customer),
            (Some(3), Some(true))
        );
        let solved = choose(3, q("solved")).unwrap();
        assert_eq!(solved.state, Some(CaseStatus::Solved));
        assert_eq!(solved.sort, CaseSort::LastChange);
        assert!(
            choose(3, q("escalated")).is_err(),
            "frontline: not company-wide"
        );
        assert!(choose(1, q("escalated")).unwrap().filter.escalated == Some(true));
        assert!(choose(3, q("all")).is_err());
    }

    #[test]
    fn a_bad_part_is_named_and_a_view_round_trips_through_its_query() {
        let bad = ViewQuery {
            category: Some("nope".into()),
            ..ViewQuery::default()
        };
        assert!(
            matches!(choose(2, bad), Err(AppError::Invalid { field: Some(f), .. }) if f == "category")
        );
        let page = ViewQuery {
            page: Some("0".into()),
            ..ViewQuery::default()
        };
        assert!(
            matches!(choose(2, page), Err(AppError::Invalid { field: Some(f), .. }) if f == "page")
        );
        let full = ViewQuery {
            view: Some("team".into()),
            state: Some("all".into()),
            category: Some("billing".into()),
            channel: Some("phone".into()),
            age: Some("4h".into()),
            sort: Some("oldest".into()),
            page: Some("3".into()),
            q: Some("refund card".into()),
            who: None,
        };
        let chosen = choose(1, full).unwrap();
        assert_eq!(chosen.filter.offset, 2 * PAGE);
        let again: ViewQuery = serde_urlencoded::from_str(&chosen.query(3)).unwrap();
        let again = choose(1, again).unwrap();
        assert_eq!(again.query(3), chosen.query(3));
        assert_eq!(again.filter.owners, chosen.filter.owners);
        assert_eq!(again.filter.channel, Some(Channel::Phone));
    }
}
