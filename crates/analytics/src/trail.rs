//! The monthly trail (seed 001: "an easy trail to follow"): per person, what they
//! received and how, what they solved and what they passed on, how long they held cases,
//! and the passes the next owner solved at once. Definitions: docs/metrics.md.

use crate::month::Month;
use crate::stats::percentile;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{Actor, CaseId, Event, EventBody, EventKind, PersonId};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of event the trail reads; the store fetches only these.
pub const TRAIL_KINDS: &[EventKind] = &[
    EventKind::Opened,
    EventKind::PassedUp,
    EventKind::Taken,
    EventKind::Upgraded,
    EventKind::Escalated,
    EventKind::Reopened,
    EventKind::Solved,
    EventKind::CustomerReplied,
    EventKind::MarkedJunk,
    EventKind::JunkUndone,
];

/// A pass counts as a quick catch when the next owner solved the case within this long.
pub const QUICK_CATCH: Duration = Duration::minutes(30);

/// How cases came to a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Received {
    pub intake: u32,
    pub pass_up: u32,
    pub take: u32,
    pub upgrade: u32,
    pub escalation: u32,
    pub reopen: u32,
}

impl Received {
    pub fn total(&self) -> u32 {
        self.intake + self.pass_up + self.take + self.upgrade + self.escalation + self.reopen
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PersonTrail {
    pub person: PersonId,
    pub received: Received,
    pub received_total: u32,
    pub solved: u32,
    /// Passes up the person made themselves (not the system's, for a deactivation).
    pub passed_up: u32,
    pub taken: u32,
    pub upgraded: u32,
    /// Holdings that ended this month, and their median and 90th percentile length.
    pub holdings: u32,
    pub held_median_seconds: Option<i64>,
    pub held_p90_seconds: Option<i64>,
    /// Cases the person marked "not a customer case": like a pass, a way for a case to
    /// leave one's desk unsolved, so it is counted where passes are.
    pub junk_marked: u32,
    /// Of the marks the person made (in any month), those undone this month: by a manager,
    /// or by the customer writing again. Each is a real case that was marked junk.
    pub junk_marks_undone: u32,
    /// Escalations that fired while the person owned the case.
    pub escalations_while_owner: u32,
    /// passed_up ÷ (passed_up + solved); none when both are 0.
    pub buck_passing_index: Option<f64>,
    /// Passes whose receiver solved the case within 30 minutes, with no customer message
    /// and no other change of owner in between.
    pub quick_catches: u32,
    /// Escalations received (executives), and how long each took to be solved.
    pub escalations_received: u32,
    pub escalations_solved: u32,
    pub escalations_unsolved: u32,
    pub escalation_solve_median_seconds: Option<i64>,
    pub escalation_solve_p90_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trail {
    pub month: String,
    /// Everyone with something in the month, by person id.
    pub people: Vec<PersonTrail>,
}

/// The order a trail is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Most solves first.
    Solves,
    /// Highest buck-passing index first; people who neither solved nor passed last.
    BuckPassing,
}

impl Trail {
    pub fn sort(&mut self, by: SortBy) {
        match by {
            SortBy::Solves => self
                .people
                .sort_by(|a, b| b.solved.cmp(&a.solved).then(a.person.cmp(&b.person))),
            SortBy::BuckPassing => self.people.sort_by(|a, b| {
                let key = |p: &PersonTrail| p.buck_passing_index.unwrap_or(-1.0);
                key(b)
                    .total_cmp(&key(a))
                    .then(b.passed_up.cmp(&a.passed_up))
                    .then(a.person.cmp(&b.person))
            }),
        }
    }
}

#[derive(Default)]
struct Tally {
    trail: PersonTrail,
    held: Vec<i64>,
    escalation_solve: Vec<i64>,
}

/// A pass that may turn out to be a quick catch.
struct PendingPass {
    from: PersonId,
    to: PersonId,
    at: DateTime<Utc>,
}

/// The trail of `month` from `events`: the trail kinds of each case active in the month,
/// whole histories, ordered by case then seq (as `Store::events_of_active_cases` gives).
pub fn trail(month: Month, events: &[(CaseId, Event)]) -> Trail {
    let mut people: BTreeMap<PersonId, Tally> = BTreeMap::new();
    let mut start = 0;
    while start < events.len() {
        let case = events[start].0;
        let end = start
            + events[start..]
                .iter()
                .take_while(|(c, _)| *c == case)
                .count();
        one_case(
            month,
            events[start..end].iter().map(|(_, e)| e),
            &mut people,
        );
        start = end;
    }
    let people = people
        .into_iter()
        .map(|(id, mut t)| {
            let p = &mut t.trail;
            p.person = id;
            p.received_total = p.received.total();
            p.holdings = t.held.len() as u32;
            p.held_median_seconds = percentile(&mut t.held, 50);
            p.held_p90_seconds = percentile(&mut t.held, 90);
            p.buck_passing_index = match p.passed_up + p.solved {
                0 => None,
                n => Some(f64::from(p.passed_up) / f64::from(n)),
            };
            p.escalations_solved = t.escalation_solve.len() as u32;
            p.escalation_solve_median_seconds = percentile(&mut t.escalation_solve, 50);
            p.escalation_solve_p90_seconds = percentile(&mut t.escalation_solve, 90);
            t.trail
        })
        .collect();
    Trail {
        month: month.to_string(),
        people,
    }
}

/// A holding that ends at `at` counts for its holder when it ends inside the month.
fn end_holding(
    people: &mut BTreeMap<PersonId, Tally>,
    holding: Option<(PersonId, DateTime<Utc>)>,
    at: DateTime<Utc>,
    inside: bool,
) {
    if let (Some((held_by, since)), true) = (holding, inside) {
        people
            .entry(held_by)
            .or_default()
            .held
            .push((at - since).num_seconds());
    }
}

fn one_case<'a>(
    month: Month,
    events: impl Iterator<Item = &'a Event>,
    people: &mut BTreeMap<PersonId, Tally>,
) {
    fn tally(people: &mut BTreeMap<PersonId, Tally>, id: PersonId) -> &mut Tally {
        people.entry(id).or_default()
    }
    let mut owner: Option<(PersonId, DateTime<Utc>)> = None;
    let mut pass: Option<PendingPass> = None;
    // Who marked the case junk, while the mark stands.
    let mut marked_by: Option<PersonId> = None;
    // Escalations received this month, waiting for the case to be solved.
    let mut escalations: Vec<(PersonId, DateTime<Utc>)> = Vec::new();
    for event in events {
        let inside = month.contains(event.at);
        let by = |id: PersonId| event.actor == Actor::Person { id };
        if let Some(to) = event.body.new_owner() {
            end_holding(people, owner.take(), event.at, inside);
            if inside {
                let received = &mut tally(people, to).trail.received;
                match &event.body {
                    EventBody::Opened { .. } => received.intake += 1,
                    EventBody::PassedUp { .. } => received.pass_up += 1,
                    EventBody::Taken { .. } => received.take += 1,
                    EventBody::Upgraded { .. } => received.upgrade += 1,
                    EventBody::Escalated { .. } => received.escalation += 1,
                    _ => received.reopen += 1,
                }
            }
            // Any change of owner ends the chance of an earlier pass being a quick catch.
            pass = None;
            // A customer's reply reopens a junk case: the mark was wrong.
            if let (Some(marker), true) = (marked_by.take(), inside) {
                tally(people, marker).trail.junk_marks_undone += 1;
            }
            match &event.body {
                EventBody::PassedUp { from, to, .. } if by(*from) && inside => {
                    tally(people, *from).trail.passed_up += 1;
                    pass = Some(PendingPass {
                        from: *from,
                        to: *to,
                        at: event.at,
                    });
                }
                EventBody::Taken { to, .. } if inside => tally(people, *to).trail.taken += 1,
                EventBody::Upgraded { from, .. } if inside => {
                    tally(people, *from).trail.upgraded += 1
                }
                EventBody::Escalated { from, to } if inside => {
                    tally(people, *from).trail.escalations_while_owner += 1;
                    tally(people, *to).trail.escalations_received += 1;
                    escalations.push((*to, event.at));
                }
                _ => {}
            }
            owner = Some((to, event.at));
            continue;
        }
        match &event.body {
            EventBody::CustomerReplied { .. } => pass = None,
            EventBody::MarkedJunk { .. } => {
                pass = None;
                end_holding(people, owner.take(), event.at, inside);
                marked_by = event.actor.person();
                if let (Some(marker), true) = (marked_by, inside) {
                    tally(people, marker).trail.junk_marked += 1;
                }
            }
            EventBody::JunkUndone { owner: back_to } => {
                if let (Some(marker), true) = (marked_by.take(), inside) {
                    tally(people, marker).trail.junk_marks_undone += 1;
                }
                owner = Some((*back_to, event.at));
            }
            EventBody::Solved { .. } => {
                let solver = event.actor.person();
                end_holding(people, owner.take(), event.at, inside);
                if let (Some(solver), true) = (solver, inside) {
                    tally(people, solver).trail.solved += 1;
                }
                if let Some(p) = pass.take() {
                    if solver == Some(p.to) && event.at - p.at <= QUICK_CATCH {
                        tally(people, p.from).trail.quick_catches += 1;
                    }
                }
                for (exec, at) in escalations.drain(..) {
                    tally(people, exec)
                        .escalation_solve
                        .push((event.at - at).num_seconds());
                }
            }
            _ => {}
        }
    }
    for (exec, _) in escalations {
        tally(people, exec).trail.escalations_unsolved += 1;
    }
}
