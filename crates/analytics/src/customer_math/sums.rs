//! The sums behind every figure: each group's cases added up, the variance of its lift,
//! and the comparison of each solver with their peers.

use super::interval::{estimate, RatioSums};
use super::Lift;
use roadone_domain::PersonId;
use std::collections::{BTreeMap, HashMap};

/// One compared case.
pub(crate) struct Compared {
    pub customer: usize,
    pub before: f64,
    pub after: f64,
    pub expected: f64,
    /// The baseline fit the case shares with others, and the variance of its prediction.
    pub stratum: u64,
    pub mean_var: f64,
    pub level: u8,
    /// Indexes of the groups the case belongs to.
    pub groups: [usize; 7],
    pub solver: PersonId,
    pub peer_stratum: (String, i64),
}

/// Group indexes are handed out per kind of grouping, in first-seen order.
#[derive(Default)]
pub(crate) struct Groups {
    index: HashMap<(u8, String), usize>,
    pub keys: Vec<(u8, String)>,
}

impl Groups {
    pub(crate) fn of(&mut self, kind: u8, key: String) -> usize {
        let next = self.keys.len();
        *self.index.entry((kind, key.clone())).or_insert_with(|| {
            self.keys.push((kind, key));
            next
        })
    }
}

pub(crate) const SOLVER: u8 = 0;
pub(crate) const INTAKE: u8 = 1;
pub(crate) const CATEGORY: u8 = 2;
pub(crate) const ROAD: u8 = 3;
pub(crate) const ESCALATION: u8 = 4;
pub(crate) const MONTH: u8 = 5;
pub(crate) const CALL: u8 = 6;

/// Sums, variances and intervals for every group, plus the overall lift (last).
pub(crate) fn lifts(compared: &mut [Compared], group_count: usize) -> Vec<Lift> {
    let slots = group_count + 1;
    let mut lifts = vec![Lift::default(); slots];
    for c in compared.iter() {
        for g in c.groups.iter().copied().chain([group_count]) {
            let l = &mut lifts[g];
            l.n += 1;
            l.before += c.before;
            l.after += c.after;
            l.expected_after += c.expected;
            l.baseline[c.level as usize] += 1;
            if c.before > 0.0 && c.after == 0.0 {
                l.customers_lost += 1;
            }
            if c.before == 0.0 && c.after > 0.0 {
                l.customers_gained += 1;
            }
        }
    }
    let baseline_var = baseline_variance(compared, slots);
    let spread = Spread::of(compared);
    let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
    let r_raw: Vec<f64> = lifts.iter().map(|l| ratio(l.after, l.before)).collect();
    // Per group: the modelled variance of its cases, the raw figure's own residuals
    // summed within each customer (customers are the clusters), and its customers.
    let mut modelled = vec![0.0f64; slots];
    let mut raw = vec![0.0f64; slots];
    let mut customers = vec![0u32; slots];
    compared.sort_by_key(|c| c.customer);
    let mut run: Vec<(usize, f64, f64)> = Vec::new();
    for one in compared.chunk_by(|a, b| a.customer == b.customer) {
        run.clear();
        for c in one {
            for g in c.groups.iter().copied().chain([group_count]) {
                run.push((g, spread.at(c.expected), c.after - r_raw[g] * c.before));
            }
        }
        run.sort_by_key(|r| r.0);
        for same in run.chunk_by(|a, b| a.0 == b.0) {
            let g = same[0].0;
            let (v, z) = same.iter().fold((0.0, 0.0), |s, r| (s.0 + r.1, s.1 + r.2));
            modelled[g] += v;
            raw[g] += z * z;
            customers[g] += 1;
        }
    }
    for (g, l) in lifts.iter_mut().enumerate() {
        l.customers = customers[g];
        l.adjusted = estimate(RatioSums {
            num: l.after,
            den: l.expected_after,
            var: spread.design_effect * modelled[g] * scale(l.after, l.expected_after)
                + baseline_var[g],
            customers: customers[g],
        });
        let c = f64::from(customers[g].max(2));
        l.raw = estimate(RatioSums {
            num: l.after,
            den: l.before,
            var: c / (c - 1.0) * raw[g],
            customers: customers[g],
        });
    }
    lifts
}

/// Cases whose predictions come from the same fitted line share most of their peers, so
/// their prediction errors move together: that variance counts with the square of how
/// many of a group's cases lean on the line. Counted one shared fit at a time.
fn baseline_variance(compared: &mut [Compared], slots: usize) -> Vec<f64> {
    let group_count = slots - 1;
    let mut var = vec![0.0; slots];
    let mut leaning = vec![0.0f64; slots];
    let mut touched = Vec::new();
    compared.sort_unstable_by_key(|c| c.stratum);
    for same in compared.chunk_by(|a, b| a.stratum == b.stratum) {
        for c in same {
            for g in c.groups.iter().copied().chain([group_count]) {
                if leaning[g] == 0.0 {
                    touched.push(g);
                }
                leaning[g] += 1.0;
            }
        }
        // The cases of one fit differ in their peers' count only where the latest starts
        // are cut off: the variance of the peers' mean is taken as their average.
        let mean_var = same.iter().map(|c| c.mean_var).sum::<f64>() / same.len() as f64;
        for g in touched.drain(..) {
            var[g] += leaning[g] * leaning[g] * mean_var;
            leaning[g] = 0.0;
        }
    }
    var
}

/// How far one case's "after" strays from its expectation, as a function of the
/// expectation: the mean squared difference within each tenth of the compared cases
/// ranked by expectation, pooled over every compared case. Plus the design effect of
/// customers with several cases, whose differences go together.
struct Spread {
    /// (the largest expectation in the tenth, its mean squared difference).
    tenths: Vec<(f64, f64)>,
    design_effect: f64,
}

impl Spread {
    fn of(compared: &[Compared]) -> Spread {
        let mut by_expected: Vec<(f64, f64)> = compared
            .iter()
            .map(|c| (c.expected, (c.after - c.expected).powi(2)))
            .collect();
        by_expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        let per = by_expected.len().div_ceil(10).max(1);
        let tenths = by_expected
            .chunks(per)
            .map(|c| {
                (
                    c[c.len() - 1].0,
                    c.iter().map(|x| x.1).sum::<f64>() / c.len() as f64,
                )
            })
            .collect();
        // Σ over customers of (Σ of their differences)² against Σ of the squares.
        let mut by_customer: HashMap<usize, f64> = HashMap::new();
        let mut squares = 0.0;
        for c in compared {
            *by_customer.entry(c.customer).or_default() += c.after - c.expected;
            squares += (c.after - c.expected).powi(2);
        }
        let clustered: f64 = by_customer.values().map(|d| d * d).sum();
        let design_effect = if squares > 0.0 {
            (clustered / squares).max(1.0)
        } else {
            1.0
        };
        Spread {
            tenths,
            design_effect,
        }
    }

    fn at(&self, expected: f64) -> f64 {
        self.tenths
            .iter()
            .find(|(top, _)| expected <= *top)
            .or(self.tenths.last())
            .map_or(0.0, |t| t.1)
    }
}

/// Each solver against the other solvers of the same category and month: their cases'
/// "after" against what the others' cases did relative to their own expectations.
pub(crate) fn peers(compared: &[Compared], groups: &Groups, lifts: &mut [Lift]) {
    type Sums = (f64, f64);
    let mut stratum: HashMap<&(String, i64), Sums> = HashMap::new();
    let mut mine: BTreeMap<(PersonId, &(String, i64)), Sums> = BTreeMap::new();
    for c in compared {
        let s = stratum.entry(&c.peer_stratum).or_default();
        s.0 += c.after;
        s.1 += c.expected;
        let m = mine.entry((c.solver, &c.peer_stratum)).or_default();
        m.0 += c.after;
        m.1 += c.expected;
    }
    let mut totals: HashMap<PersonId, Sums> = HashMap::new();
    for ((person, key), (after, expected)) in &mine {
        let (all_after, all_expected) = stratum[key];
        let (others_after, others_expected) = (all_after - after, all_expected - expected);
        if others_expected <= 0.0 || others_after <= 0.0 {
            continue; // nobody else to compare with in that stratum
        }
        let t = totals.entry(*person).or_default();
        t.0 += after;
        t.1 += expected * (others_after / others_expected);
    }
    for (i, (kind, key)) in groups.keys.iter().enumerate() {
        // A comparison is shown only beside an adjusted figure with its interval.
        if *kind != SOLVER || lifts[i].adjusted.lift.is_none() {
            continue;
        }
        if let Some((after, peer_expected)) =
            key.parse::<PersonId>().ok().and_then(|p| totals.get(&p))
        {
            lifts[i].vs_peers = (*peer_expected > 0.0).then(|| after / peer_expected - 1.0);
        }
    }
}

/// The modelled spread is that of cases with no effect; an effect that multiplies what
/// customers buy multiplies the spread with it.
fn scale(after: f64, expected: f64) -> f64 {
    if expected > 0.0 {
        after / expected
    } else {
        1.0
    }
}
