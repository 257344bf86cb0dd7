//! The simulated clock: when cases are opened, and the working hours in which people act.

use super::{CASES, DAYS};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::Role;

/// When cases were opened: more on weekdays and in working hours, a little growth over
/// the quarter, never in the future. Sorted, so case ids follow time.
pub(super) fn opening_times(rng: &mut StdRng, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let today = now.date_naive();
    let day_weight = |d: i64| {
        let date = today - Duration::days(d);
        let weekday = match date.weekday() {
            Weekday::Mon => 1.2,
            Weekday::Tue => 1.1,
            Weekday::Wed | Weekday::Thu => 1.0,
            Weekday::Fri => 0.95,
            Weekday::Sat => 0.45,
            Weekday::Sun => 0.35,
        };
        weekday * (1.15 - 0.3 * d as f64 / DAYS as f64)
    };
    let days = WeightedIndex::new((0..DAYS).map(day_weight)).expect("weights");
    // 07:00 to 22:00, peaking mid-morning and early afternoon.
    let hour_weights = [
        0.4, 0.9, 1.4, 1.6, 1.5, 1.1, 1.3, 1.4, 1.3, 1.2, 0.9, 0.6, 0.5, 0.4, 0.3,
    ];
    let hours = WeightedIndex::new(hour_weights).expect("weights");
    let mut times = Vec::with_capacity(CASES);
    while times.len() < CASES {
        let date = today - Duration::days(days.sample(rng) as i64);
        let time = NaiveTime::from_hms_opt(
            7 + hours.sample(rng) as u32,
            rng.gen_range(0..60),
            rng.gen_range(0..60),
        )
        .expect("valid time");
        let at = date.and_time(time).and_utc();
        if at < now && at > now - Duration::days(DAYS) {
            times.push(at);
        }
    }
    times.sort();
    times
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shift {
    /// The customer-service floor: 07:00–22:00 every day.
    Floor,
    /// Managers and executives: office hours on weekdays, a late-morning check on weekends.
    Office,
    /// Customers write whenever they like, but rarely at night.
    Customer,
}

impl Shift {
    pub(super) fn of(role: Role) -> Shift {
        match role {
            Role::Frontline | Role::Staff => Shift::Floor,
            _ => Shift::Office,
        }
    }

    fn hours(self, day: Weekday) -> (u32, u32) {
        let weekend = matches!(day, Weekday::Sat | Weekday::Sun);
        match self {
            Shift::Floor => (7, 22),
            Shift::Office if weekend => (10, 13),
            Shift::Office => (8, 19),
            Shift::Customer => (7, 24),
        }
    }

    /// `t` if the shift is on then, else the start of the next shift (plus a little).
    pub(super) fn next_on(self, t: DateTime<Utc>, rng: &mut StdRng) -> DateTime<Utc> {
        let mut day = t.date_naive();
        loop {
            let (start, end) = self.hours(day.weekday());
            let open = day.and_hms_opt(start, 0, 0).expect("valid").and_utc();
            let close = if end == 24 {
                (day + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .expect("valid")
                    .and_utc()
            } else {
                day.and_hms_opt(end, 0, 0).expect("valid").and_utc()
            };
            if t >= open && t < close {
                return t;
            }
            if t < open {
                return open + Duration::minutes(rng.gen_range(2..50));
            }
            day += Duration::days(1);
        }
    }
}
