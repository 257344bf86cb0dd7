//! Delight (docs/design.md §3): which customers were delighted and by what, who delights them, and
//! whether they would recommend us. Read from the ratings given in a month, each credited
//! to the case's solver, category and road at the time of the rating.

use crate::month::Month;
use roadone_domain::{CaseId, Event, EventBody, EventKind, PersonId};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of event the delight report reads.
pub const DELIGHT_KINDS: &[EventKind] = &[EventKind::Opened, EventKind::Solved, EventKind::Rated];

/// A top score and what the customer said delighted them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delighted {
    pub case_id: CaseId,
    pub category: String,
    pub road: u8,
    pub solver: PersonId,
    pub delighted_by: String,
    pub would_recommend: bool,
}

/// Ratings of one group: how many of each score, the mean, and the would-recommend rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ratings {
    /// `scores[s - 1]` = how many rated `s`.
    pub scores: [u32; 5],
    pub n: u32,
    pub mean: Option<f64>,
    pub would_recommend: u32,
    /// would_recommend ÷ n.
    pub recommend_rate: Option<f64>,
}

impl Ratings {
    fn add(&mut self, score: u8, recommend: bool) {
        if (1..=5).contains(&score) {
            self.scores[usize::from(score) - 1] += 1;
            self.n += 1;
            self.would_recommend += u32::from(recommend);
        }
    }

    fn finish(&mut self) {
        if self.n > 0 {
            let total: u32 = (1..=5u32).map(|s| s * self.scores[s as usize - 1]).sum();
            self.mean = Some(f64::from(total) / f64::from(self.n));
            self.recommend_rate = Some(f64::from(self.would_recommend) / f64::from(self.n));
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delight {
    pub month: String,
    pub overall: Ratings,
    /// By solver (person id), category key and road (1–4).
    pub by_solver: BTreeMap<PersonId, Ratings>,
    pub by_category: BTreeMap<String, Ratings>,
    pub by_road: BTreeMap<u8, Ratings>,
    /// Every top score (5) of the month with its words, newest first.
    pub delighted: Vec<Delighted>,
}

/// The delight of `month` from the opened, solved and rated events of the cases rated in
/// it, whole histories, by case then seq.
pub fn delight(month: Month, events: &[(CaseId, Event)]) -> Delight {
    let mut out = Delight {
        month: month.to_string(),
        ..Delight::default()
    };
    let mut top: Vec<(chrono::DateTime<chrono::Utc>, Delighted)> = Vec::new();
    let mut category = String::new();
    let mut solved: Option<(PersonId, u8)> = None;
    let mut current: Option<CaseId> = None;
    for (case, event) in events {
        if current != Some(*case) {
            current = Some(*case);
            category.clear();
            solved = None;
        }
        match &event.body {
            EventBody::Opened { category: c, .. } => category = c.clone(),
            EventBody::Solved { road, .. } => {
                if let Some(solver) = event.actor.person() {
                    solved = Some((solver, u8::from(*road)));
                }
            }
            EventBody::Rated {
                score,
                delighted_by,
                would_recommend,
            } if month.contains(event.at) => {
                out.overall.add(*score, *would_recommend);
                out.by_category
                    .entry(category.clone())
                    .or_default()
                    .add(*score, *would_recommend);
                let Some((solver, road)) = solved else {
                    continue;
                };
                out.by_solver
                    .entry(solver)
                    .or_default()
                    .add(*score, *would_recommend);
                out.by_road
                    .entry(road)
                    .or_default()
                    .add(*score, *would_recommend);
                if *score == 5 {
                    top.push((
                        event.at,
                        Delighted {
                            case_id: *case,
                            category: category.clone(),
                            road,
                            solver,
                            delighted_by: delighted_by.clone(),
                            would_recommend: *would_recommend,
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    out.overall.finish();
    for r in out
        .by_solver
        .values_mut()
        .chain(out.by_category.values_mut())
        .chain(out.by_road.values_mut())
    {
        r.finish();
    }
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.case_id.cmp(&b.1.case_id)));
    out.delighted = top.into_iter().map(|(_, d)| d).collect();
    out
}
