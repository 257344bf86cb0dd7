//! Per operator: the calls they answered, how long they talked (engagement, never a
//! fault), and the cases those calls led to with how the cases went.

use super::figures::{percentile, Call};
use chrono::Duration;
use roadone_domain::PersonId;
use roadone_store::PhoneCase;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A phone case opened this long after a call arrived, for the same customer, is the case
/// the call led to (the operator took the call and opened it).
pub const LEADS_TO_CASE_WITHIN: Duration = Duration::hours(1);

/// One operator's answered calls and what came of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operator {
    /// The person, when a phone line or their email names them.
    pub person: Option<PersonId>,
    /// The channels or extensions (as the telephone system named them) their calls were
    /// answered on, `unknown` when it named none.
    pub lines: Vec<String>,
    pub answered: u32,
    pub one_ring: u32,
    pub talk_seconds: f64,
    pub talk_median_seconds: f64,
    pub talk_p90_seconds: f64,
    /// Distinct cases their answered calls led to.
    pub cases: u32,
    /// Of those: solved by this operator themselves; ever passed up or escalated; rated
    /// by the customer; rated 5 (delighted).
    pub solved_by_them: u32,
    pub passed_up: u32,
    pub rated: u32,
    pub delighted: u32,
}

/// Who answered: a person, or a line nobody is mapped to.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Who {
    Person(PersonId),
    Line(String),
}

#[derive(Default)]
struct Tally<'a> {
    lines: BTreeSet<&'a str>,
    talk: Vec<f64>,
    one_ring: u32,
    cases: BTreeSet<i64>,
}

/// The phone cases, found by id and by customer.
pub(super) struct PhoneCases<'a> {
    by_id: foldhash::HashMap<i64, &'a PhoneCase>,
    by_customer: foldhash::HashMap<i64, Vec<&'a PhoneCase>>,
}

impl<'a> PhoneCases<'a> {
    pub(super) fn new(cases: &'a [PhoneCase]) -> PhoneCases<'a> {
        let mut by_customer: foldhash::HashMap<i64, Vec<&PhoneCase>> = foldhash::HashMap::default();
        for c in cases {
            by_customer.entry(c.customer_id).or_default().push(c);
        }
        for list in by_customer.values_mut() {
            list.sort_by_key(|c| (c.opened_at, c.case_id));
        }
        PhoneCases {
            by_id: cases.iter().map(|c| (c.case_id, c)).collect(),
            by_customer,
        }
    }

    /// The case a call led to: the one it is linked to, else the caller's first phone case
    /// opened within `LEADS_TO_CASE_WITHIN` of its arrival.
    fn led_to(&self, call: &Call) -> Option<&'a PhoneCase> {
        if let Some(linked) = call.case.and_then(|id| self.by_id.get(&id)) {
            return Some(linked);
        }
        self.by_customer
            .get(&call.customer?)?
            .iter()
            .find(|c| {
                c.opened_at >= call.arrived && c.opened_at <= call.arrived + LEADS_TO_CASE_WITHIN
            })
            .copied()
    }
}

/// Adds up answered calls by operator; `people` maps lowercase lines and emails to people.
pub(super) struct Operators<'a> {
    people: &'a HashMap<String, PersonId>,
    /// Each line seen, to its operator's tally (asked once per line, not per call).
    resolved: foldhash::HashMap<&'a str, usize>,
    who: HashMap<Who, usize>,
    tallies: Vec<(Who, Tally<'a>)>,
}

impl<'a> Operators<'a> {
    pub(super) fn new(people: &'a HashMap<String, PersonId>) -> Operators<'a> {
        Operators {
            people,
            resolved: foldhash::HashMap::default(),
            who: HashMap::new(),
            tallies: Vec::new(),
        }
    }

    pub(super) fn answered(&mut self, call: &Call<'a>, quick: bool, cases: &PhoneCases) {
        let line = call.answered_by.map(str::trim).unwrap_or("unknown");
        let at = match self.resolved.get(line) {
            Some(at) => *at,
            None => {
                let who = match self.people.get(&line.to_lowercase()) {
                    Some(id) => Who::Person(*id),
                    None => Who::Line(line.to_string()),
                };
                let next = self.tallies.len();
                let at = *self.who.entry(who.clone()).or_insert(next);
                if at == next {
                    self.tallies.push((who, Tally::default()));
                }
                self.tallies[at].1.lines.insert(line);
                self.resolved.insert(line, at);
                at
            }
        };
        let tally = &mut self.tallies[at].1;
        tally.talk.push(call.talk_seconds());
        tally.one_ring += u32::from(quick);
        if let Some(case) = cases.led_to(call) {
            tally.cases.insert(case.case_id);
        }
    }

    /// The operators, the most talk first.
    pub(super) fn finish(self, cases: &PhoneCases) -> Vec<Operator> {
        let mut out: Vec<Operator> = self
            .tallies
            .into_iter()
            .map(|(who, mut t)| {
                t.talk.sort_by(f64::total_cmp);
                let person = match who {
                    Who::Person(id) => Some(id),
                    Who::Line(_) => None,
                };
                let led: Vec<&PhoneCase> = t
                    .cases
                    .iter()
                    .filter_map(|id| cases.by_id.get(id).copied())
                    .collect();
                let count =
                    |f: &dyn Fn(&PhoneCase) -> bool| led.iter().filter(|c| f(c)).count() as u32;
                Operator {
                    person,
                    lines: t.lines.iter().map(|l| l.to_string()).collect(),
                    answered: t.talk.len() as u32,
                    one_ring: t.one_ring,
                    talk_seconds: t.talk.iter().sum(),
                    talk_median_seconds: percentile(&t.talk, 0.5).unwrap_or(0.0),
                    talk_p90_seconds: percentile(&t.talk, 0.9).unwrap_or(0.0),
                    cases: led.len() as u32,
                    solved_by_them: count(&|c| person.is_some() && c.solved_by == person),
                    passed_up: count(&|c| c.passed_up),
                    rated: count(&|c| c.rating.is_some()),
                    delighted: count(&|c| c.rating == Some(5)),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.talk_seconds
                .total_cmp(&a.talk_seconds)
                .then_with(|| a.lines.cmp(&b.lines))
        });
        out
    }
}
