//! Answer speed and engagement (seed 002: "every single inbound call answered in one
//! ring"; "reward operators by how long they keep people on the phone"). A month's calls
//! in, every figure of docs/metrics.md ("Calls") out. Pure: times come in, the company's
//! clock (hour and day of the week) is given as a function.

mod figures;
mod operators;

pub use figures::{percentile, Distribution, RING_BINS};
pub use operators::{Operator, LEADS_TO_CASE_WITHIN};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use figures::Call;
use operators::{Operators, PhoneCases};
use roadone_domain::PersonId;
use roadone_store::{CallLeg, PhoneCase};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct CallParams {
    /// Answered within this long: in one ring.
    pub one_ring: Duration,
    /// Answered within this long: within the service level.
    pub service_level: Duration,
    /// The people operators are, by their phone lines and emails in lowercase.
    pub people: HashMap<String, PersonId>,
}

/// One slot of the day or the week: what was offered and how much was answered in time.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Slot {
    pub offered: u32,
    pub answered: u32,
    pub within_service_level: u32,
    /// within_service_level ÷ offered, when anything was offered.
    pub service_level: Option<f64>,
}

/// A week of the month (weeks start on Monday, in the company's time zone).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    pub starts: NaiveDate,
    pub offered: u32,
    pub one_ring: u32,
    pub one_ring_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallReport {
    pub one_ring_seconds: f64,
    pub service_level_seconds: f64,
    /// Inbound calls (a caller with a telephone number), each counted once however many
    /// phones it rang.
    pub offered: u32,
    pub answered: u32,
    pub one_ring: u32,
    pub one_ring_share: Option<f64>,
    pub within_service_level: u32,
    pub service_level: Option<f64>,
    /// Not answered: the caller hung up or nobody answered (`abandoned`), the line was
    /// busy (`busy`), or the telephone system failed (`failed`).
    pub abandoned: u32,
    pub busy: u32,
    pub failed: u32,
    /// From arrival to answer, of the answered calls.
    pub ring: Distribution,
    /// From arrival to hanging up, of the abandoned calls.
    pub abandoned_wait: Distribution,
    pub by_week: Vec<Week>,
    /// By the hour of the day (0–23) and the day of the week (Monday first).
    pub by_hour: Vec<Slot>,
    pub by_weekday: Vec<Slot>,
    /// The most talk first.
    pub operators: Vec<Operator>,
}

/// The report over the call legs that arrived in the period and the phone cases opened in
/// it (and up to `LEADS_TO_CASE_WITHIN` after). `local` gives a moment's date, day of the
/// week (0 = Monday) and hour in the company's time zone.
pub fn call_report(
    legs: &[CallLeg],
    cases: &[PhoneCase],
    params: &CallParams,
    local: impl Fn(DateTime<Utc>) -> (NaiveDate, u32, u32),
) -> CallReport {
    let calls = Call::join(legs);
    let one_ring = params.one_ring.num_milliseconds() as f64 / 1000.0;
    let level = params.service_level.num_milliseconds() as f64 / 1000.0;
    let share = |k: u32, n: u32| (n > 0).then(|| f64::from(k) / f64::from(n));
    let mut by_hour = vec![Slot::default(); 24];
    let mut by_weekday = vec![Slot::default(); 7];
    let mut weeks: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    let mut rings = Vec::new();
    let mut waits = Vec::new();
    let phone_cases = PhoneCases::new(cases);
    let mut clock = Clock::default();
    let mut operators = Operators::new(&params.people);
    let (mut answered, mut in_one, mut in_level) = (0, 0, 0);
    let (mut abandoned, mut busy, mut failed) = (0, 0, 0);
    for call in &calls {
        let (date, weekday, hour) = clock.at(call.arrived, &local);
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        let week = weeks.entry(monday).or_default();
        week.0 += 1;
        let slots = [
            &mut by_hour[hour as usize % 24],
            &mut by_weekday[weekday as usize % 7],
        ];
        match call.ring_seconds() {
            Some(ring) => {
                answered += 1;
                rings.push(ring);
                let quick = ring <= one_ring;
                let timely = ring <= level;
                in_one += u32::from(quick);
                in_level += u32::from(timely);
                week.1 += u32::from(quick);
                for s in slots {
                    s.offered += 1;
                    s.answered += 1;
                    s.within_service_level += u32::from(timely);
                }
                operators.answered(call, quick, &phone_cases);
            }
            None => {
                for s in slots {
                    s.offered += 1;
                }
                match call.disposition {
                    "busy" => busy += 1,
                    "failed" | "congestion" => failed += 1,
                    _ => {
                        abandoned += 1;
                        waits.push(call.waited_seconds());
                    }
                }
            }
        }
    }
    for s in by_hour.iter_mut().chain(by_weekday.iter_mut()) {
        s.service_level = share(s.within_service_level, s.offered);
    }
    let offered = calls.len() as u32;
    CallReport {
        one_ring_seconds: one_ring,
        service_level_seconds: level,
        offered,
        answered,
        one_ring: in_one,
        one_ring_share: share(in_one, offered),
        within_service_level: in_level,
        service_level: share(in_level, offered),
        abandoned,
        busy,
        failed,
        ring: Distribution::of(rings, true),
        abandoned_wait: Distribution::of(waits, false),
        by_week: weeks
            .into_iter()
            .map(|(starts, (offered, one_ring))| Week {
                starts,
                offered,
                one_ring,
                one_ring_share: share(one_ring, offered),
            })
            .collect(),
        by_hour,
        by_weekday,
        operators: operators.finish(&phone_cases),
    }
}

/// The company's clock, asked once per quarter hour of UTC: every zone's offset is a whole
/// number of quarter hours and its changes fall on quarter hours, so each moment of one
/// quarter hour has the same local date, day and hour. Calls come in arrival order, so
/// remembering the last quarter hour answers nearly every call.
#[derive(Default)]
struct Clock {
    last: Option<(i64, (NaiveDate, u32, u32))>,
}

impl Clock {
    fn at(
        &mut self,
        t: DateTime<Utc>,
        local: impl Fn(DateTime<Utc>) -> (NaiveDate, u32, u32),
    ) -> (NaiveDate, u32, u32) {
        let quarter = t.timestamp().div_euclid(900);
        match self.last {
            Some((q, seen)) if q == quarter => seen,
            _ => {
                let seen = local(t);
                self.last = Some((quarter, seen));
                seen
            }
        }
    }
}
