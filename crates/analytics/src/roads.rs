//! Roads and learning (docs/design.md §3): for each category and month, how many cases were solved
//! on each of the four roads, and what was learned. Read from the solves.

use crate::month::Month;
use roadone_domain::{CaseId, Event, EventBody, EventKind, PersonId};
use serde::Serialize;
use std::collections::BTreeMap;

pub const ROAD_KINDS: &[EventKind] = &[EventKind::Opened, EventKind::Solved];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoadMix {
    /// `roads[r - 1]` = solves on road `r` (the last solve of each case in the month).
    pub roads: [u32; 4],
    pub solved: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learned {
    pub case_id: CaseId,
    pub month: String,
    pub category: String,
    pub road: u8,
    pub solver: PersonId,
    pub learned: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Roads {
    pub from: String,
    pub to: String,
    /// month → category → mix; every month of the range is present.
    pub by_month: BTreeMap<String, BTreeMap<String, RoadMix>>,
    /// What was learned, newest first.
    pub learned: Vec<Learned>,
}

/// The road mix of the months `from..=to` from the opened and solved events of the cases
/// solved in them. Every solve counts (a case solved, reopened and solved again in the
/// range counts twice: it took two roads).
pub fn roads(from: Month, to: Month, events: &[(CaseId, Event)]) -> Roads {
    let mut out = Roads {
        from: from.to_string(),
        to: to.to_string(),
        ..Roads::default()
    };
    let mut month = from;
    while month <= to {
        out.by_month.insert(month.to_string(), BTreeMap::new());
        month = month.next();
    }
    let mut learned = Vec::new();
    let mut category = String::new();
    let mut current = None;
    for (case, event) in events {
        if current != Some(*case) {
            current = Some(*case);
            category.clear();
        }
        match &event.body {
            EventBody::Opened { category: c, .. } => category = c.clone(),
            EventBody::Solved {
                road, learned: l, ..
            } => {
                let m = Month::of(event.at);
                if m < from || m > to {
                    continue;
                }
                let road = u8::from(*road);
                let mix = out
                    .by_month
                    .entry(m.to_string())
                    .or_default()
                    .entry(category.clone())
                    .or_default();
                mix.roads[usize::from(road) - 1] += 1;
                mix.solved += 1;
                if !l.trim().is_empty() {
                    learned.push((
                        event.at,
                        Learned {
                            case_id: *case,
                            month: m.to_string(),
                            category: category.clone(),
                            road,
                            solver: event.actor.person().unwrap_or_default(),
                            learned: l.clone(),
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    learned.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.case_id.cmp(&b.1.case_id)));
    out.learned = learned.into_iter().map(|(_, l)| l).collect();
    out
}
