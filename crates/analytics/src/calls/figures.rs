//! One call from its legs, and the distributions of the calls report.

use chrono::{DateTime, Utc};
use roadone_store::CallLeg;
use serde::Serialize;

/// A call as the caller lived it: every leg of it (a queue rings several phones) joined by
/// the linked id, answered when the first leg was.
pub(super) struct Call<'a> {
    pub arrived: DateTime<Utc>,
    pub answered: Option<DateTime<Utc>>,
    pub answered_by: Option<&'a str>,
    pub ended: DateTime<Utc>,
    /// The first leg's, for an unanswered call (busy, failed, no answer, abandoned).
    pub disposition: &'a str,
    /// The caller, as matched among the customers.
    pub customer: Option<i64>,
    /// The case a leg of it is linked to.
    pub case: Option<i64>,
}

impl<'a> Call<'a> {
    /// The inbound calls among the legs, by arrival: a caller with a telephone number (an
    /// internal extension calling out is not a call offered to us). Legs in arrival order,
    /// as the store gives them, are joined in one pass; others are put in order first.
    pub(super) fn join(legs: &'a [CallLeg]) -> Vec<Call<'a>> {
        if legs.is_sorted_by_key(|l| l.arrived_at) {
            return Self::join_in_order(legs.iter());
        }
        let mut sorted: Vec<&CallLeg> = legs.iter().collect();
        sorted.sort_by_key(|l| l.arrived_at);
        Self::join_in_order(sorted.into_iter())
    }

    fn join_in_order(legs: impl ExactSizeIterator<Item = &'a CallLeg>) -> Vec<Call<'a>> {
        // Each call's place among the calls, or `OUTBOUND` for a call not offered to us.
        const OUTBOUND: usize = usize::MAX;
        let mut index: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
        index.reserve(legs.len());
        let mut calls: Vec<Call> = Vec::with_capacity(legs.len());
        for leg in legs {
            match index.entry(&leg.call) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    // The first leg says whether the call came in, and how an unanswered
                    // one ended.
                    if !leg.inbound {
                        v.insert(OUTBOUND);
                        continue;
                    }
                    v.insert(calls.len());
                    calls.push(Call {
                        arrived: leg.arrived_at,
                        answered: leg.answered_at,
                        answered_by: leg.answered_at.and(leg.answered_by.as_deref()),
                        ended: leg.ended_at,
                        disposition: leg.disposition,
                        customer: leg.customer_id,
                        case: leg.case_id,
                    });
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    let Some(call) = calls.get_mut(*o.get()) else {
                        continue; // a leg of an outbound call
                    };
                    if let Some(t) = leg.answered_at {
                        if call.answered.is_none_or(|first| t < first) {
                            call.answered = Some(t);
                            call.answered_by = leg.answered_by.as_deref();
                        }
                    }
                    call.ended = call.ended.max(leg.ended_at);
                    call.case = call.case.or(leg.case_id);
                }
            }
        }
        calls
    }

    /// Seconds from arrival to answer, when answered.
    pub(super) fn ring_seconds(&self) -> Option<f64> {
        self.answered.map(|a| seconds(a - self.arrived))
    }

    pub(super) fn talk_seconds(&self) -> f64 {
        self.answered.map_or(0.0, |a| seconds(self.ended - a))
    }

    pub(super) fn waited_seconds(&self) -> f64 {
        seconds(self.ended - self.arrived)
    }
}

fn seconds(d: chrono::Duration) -> f64 {
    d.num_milliseconds().max(0) as f64 / 1000.0
}

/// The bins of the ring-time histogram, in seconds: [0, 3), [3, 6), … [60, ∞).
pub const RING_BINS: [f64; 7] = [0.0, 3.0, 6.0, 10.0, 20.0, 30.0, 60.0];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    pub count: u32,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    /// Calls per bin of `RING_BINS` (only for ring times).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<u32>,
}

impl Distribution {
    pub(super) fn of(mut seconds: Vec<f64>, histogram: bool) -> Distribution {
        seconds.sort_by(f64::total_cmp);
        let mut bins = vec![0u32; if histogram { RING_BINS.len() } else { 0 }];
        if histogram {
            for s in &seconds {
                let bin = RING_BINS.iter().rposition(|from| s >= from).unwrap_or(0);
                bins[bin] += 1;
            }
        }
        Distribution {
            count: seconds.len() as u32,
            p50_seconds: percentile(&seconds, 0.5),
            p90_seconds: percentile(&seconds, 0.9),
            histogram: bins,
        }
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least the
/// fraction `p` of the values at or below it.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}
