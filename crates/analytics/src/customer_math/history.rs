//! Every customer's orders grouped by customer and in day order, with running totals, so
//! that what one customer spent over any run of days is two binary searches.

use chrono::{DateTime, Utc};
use roadone_store::OrderAmount;

/// Days since 1970-01-01 (UTC): windows are counted in whole days.
pub(crate) fn day(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

pub(crate) struct Purchases {
    /// Orders of customer slot `c` are `start[c]..start[c + 1]`.
    start: Vec<usize>,
    days: Vec<i32>,
    /// running[k] = the sum of the amounts of the first `k` orders in this layout.
    running: Vec<f64>,
}

impl Purchases {
    /// Customer ids are the store's row ids, small and dense, so they index arrays directly;
    /// `slots` is one more than the largest id in use. Orders must come in time order.
    pub(crate) fn new(orders: &[OrderAmount], slots: usize) -> Purchases {
        let mut start = vec![0usize; slots + 1];
        for o in orders {
            if let Some(c) = slot(o.customer_id, slots) {
                start[c + 1] += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let total = start[slots];
        let mut filled = start.clone();
        let mut days = vec![0i32; total];
        let mut amounts = vec![0.0f64; total];
        for o in orders {
            if let Some(c) = slot(o.customer_id, slots) {
                let at = filled[c];
                days[at] = day(o.ordered_at) as i32;
                amounts[at] = o.amount_cents as f64;
                filled[c] += 1;
            }
        }
        let mut running = Vec::with_capacity(total + 1);
        running.push(0.0);
        let mut sum = 0.0;
        for a in amounts {
            sum += a;
            running.push(sum);
        }
        Purchases {
            start,
            days,
            running,
        }
    }

    pub(crate) fn slots(&self) -> usize {
        self.start.len() - 1
    }

    /// The day of the customer's first order, if they have one.
    pub(crate) fn first_day(&self, c: usize) -> Option<i64> {
        (self.start[c] < self.start[c + 1]).then(|| i64::from(self.days[self.start[c]]))
    }

    /// What customer slot `c` spent over the days `[from, to)`.
    pub(crate) fn sum(&self, c: usize, from: i64, to: i64) -> f64 {
        let (lo, hi) = (self.start[c], self.start[c + 1]);
        let list = &self.days[lo..hi];
        let a = lo + list.partition_point(|d| i64::from(*d) < from);
        let b = lo + list.partition_point(|d| i64::from(*d) < to);
        self.running[b.max(a)] - self.running[a]
    }

    /// How many orders customer slot `c` placed over the days `[from, to)`.
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

pub(crate) fn slot(id: i64, slots: usize) -> Option<usize> {
    usize::try_from(id).ok().filter(|c| *c < slots)
}
