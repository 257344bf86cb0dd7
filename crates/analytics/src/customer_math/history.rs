//! Every customer's orders grouped by customer and in day order, with running totals, so
//! that what one customer spent over any run of days is two binary searches.

use chrono::{DateTime, Utc};
use roadone_store::OrderAmount;

/// Days since 1970-01-01 (UTC): windows are counted in whole days.
pub(crate) fn day(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

/// Customers are numbered by their first order (the order they first appear in the time-
/// ordered orders): the fits read the peers who started in a run of days, and with this
/// numbering their orders lie next to each other in memory.
pub(crate) struct Purchases {
    /// The number of the customer with row id `i`, or `NONE` when they have no order.
    number: Vec<u32>,
    /// Orders of customer number `c` are `start[c]..start[c + 1]`.
    start: Vec<usize>,
    days: Vec<i32>,
    /// running[k] = the sum of the amounts of the first `k` orders in this layout.
    running: Vec<f64>,
}

const NONE: u32 = u32::MAX;

impl Purchases {
    /// Customer ids are the store's row ids, small and dense, so they index an array
    /// directly. Orders must come in time order.
    pub(crate) fn new(orders: &[OrderAmount]) -> Purchases {
        let ids = orders
            .iter()
            .filter_map(|o| usize::try_from(o.customer_id).ok())
            .max()
            .map_or(0, |m| m + 1);
        let mut number = vec![NONE; ids];
        let mut start = vec![0usize];
        for o in orders {
            let Ok(id) = usize::try_from(o.customer_id) else {
                continue;
            };
            if number[id] == NONE {
                number[id] = (start.len() - 1) as u32;
                start.push(0);
            }
            start[number[id] as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let total = start[start.len() - 1];
        let mut filled = start.clone();
        let mut days = vec![0i32; total];
        let mut amounts = vec![0.0f64; total];
        for o in orders {
            let Ok(id) = usize::try_from(o.customer_id) else {
                continue;
            };
            let c = number[id] as usize;
            let at = filled[c];
            days[at] = day(o.ordered_at) as i32;
            amounts[at] = o.amount_cents as f64;
            filled[c] += 1;
        }
        let mut running = Vec::with_capacity(total + 1);
        running.push(0.0);
        let mut sum = 0.0;
        for a in amounts {
            sum += a;
            running.push(sum);
        }
        Purchases {
            number,
            start,
            days,
            running,
        }
    }

    /// The number of the customer with this id, if they have ever bought anything.
    pub(crate) fn customer(&self, id: i64) -> Option<usize> {
        let n = *self.number.get(usize::try_from(id).ok()?)?;
        (n != NONE).then_some(n as usize)
    }

    /// How many customers have bought anything: numbered `0..customers()` by first order.
    pub(crate) fn customers(&self) -> usize {
        self.start.len() - 1
    }

    /// The day of customer `c`'s first order.
    pub(crate) fn first_day(&self, c: usize) -> i64 {
        i64::from(self.days[self.start[c]])
    }

    /// What customer `c` spent over the days `[from, to)`.
    pub(crate) fn sum(&self, c: usize, from: i64, to: i64) -> f64 {
        let (lo, hi) = (self.start[c], self.start[c + 1]);
        let list = &self.days[lo..hi];
        let a = lo + list.partition_point(|d| i64::from(*d) < from);
        let b = lo + list.partition_point(|d| i64::from(*d) < to);
        self.running[b.max(a)] - self.running[a]
    }

    /// Where each of the (ascending) `days` falls among customer `c`'s orders: the
    /// index of their first order on or after it. Found by one search and a walk, for when
    /// several windows of one customer are wanted (`between` turns two marks into a sum).
    pub(crate) fn marks<const N: usize>(&self, c: usize, days: [i64; N]) -> [usize; N] {
        let (lo, hi) = (self.start[c], self.start[c + 1]);
        let mut at = lo + self.days[lo..hi].partition_point(|d| i64::from(*d) < days[0]);
        days.map(|day| {
            while at < hi && i64::from(self.days[at]) < day {
                at += 1;
            }
            at
        })
    }

    /// What was spent between two marks of one customer (see `marks`).
    pub(crate) fn between(&self, from: usize, to: usize) -> f64 {
        self.running[to.max(from)] - self.running[from]
    }

    /// How many orders customer `c` placed over the days `[from, to)`.
    pub(crate) fn count(&self, c: usize, from: i64, to: i64) -> f64 {
        let list = &self.days[self.start[c]..self.start[c + 1]];
        let a = list.partition_point(|d| i64::from(*d) < from);
        let b = list.partition_point(|d| i64::from(*d) < to);
        b.saturating_sub(a) as f64
    }

    /// The customer's orders within `[from, to)`, as (day, amount).
    pub(crate) fn orders(
        &self,
        c: usize,
        from: i64,
        to: i64,
    ) -> impl Iterator<Item = (i64, f64)> + '_ {
        let (lo, hi) = (self.start[c], self.start[c + 1]);
        let list = &self.days[lo..hi];
        let a = lo + list.partition_point(|d| i64::from(*d) < from);
        let b = lo + list.partition_point(|d| i64::from(*d) < to);
        (a..b.max(a)).map(move |k| {
            (
                i64::from(self.days[k]),
                self.running[k + 1] - self.running[k],
            )
        })
    }
}
