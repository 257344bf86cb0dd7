//! Customer math (seed 000): does a customer buy more or less after talking to us, and is
//! that the agent's doing or the season's? Each solved case compares the customer's sales
//! in the W days before it opened with the W days after it was solved. The adjusted figure
//! compares the "after" with what it would have been had the customer moved like everyone
//! who did not contact us over the same dates (difference-in-differences, as a ratio).
//! Intervals are 95% bootstrap intervals over cases. Definitions: docs/metrics.md.

use crate::stats::Rng;
use chrono::{DateTime, Datelike, Utc};
use roadone_domain::PersonId;
use roadone_store::{CaseOutcome, OrderAmount};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct MathParams {
    /// W: the days before the opening and after the solve that are compared.
    pub window_days: i64,
    /// Windows that end after this are not complete yet.
    pub now: DateTime<Utc>,
    /// Bootstrap replicates.
    pub replicates: u32,
    pub seed: u64,
    /// Fewer cases than this and a person is not put on the raise list either way.
    pub min_cases: u32,
}

impl Default for MathParams {
    fn default() -> Self {
        MathParams {
            window_days: 90,
            now: Utc::now(),
            replicates: 400,
            seed: 2026,
            min_cases: 20,
        }
    }
}

/// A lift and its 95% interval; none when there is nothing to compare with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub lift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lift {
    pub n: u32,
    /// Sums over the cases, in hundredths of the currency.
    pub before: f64,
    pub after: f64,
    /// What "after" would have been had each customer moved like those who did not contact us.
    pub expected_after: f64,
    /// after ÷ before − 1: includes whatever changed for everyone.
    pub raw: Estimate,
    /// after ÷ expected_after − 1: the figure the raise list uses.
    pub adjusted: Estimate,
    /// after ÷ (what other people's cases of the same category and month did) − 1.
    pub vs_peers: Option<f64>,
    /// Cases whose customer bought before but not after, and the other way round.
    pub customers_lost: u32,
    pub customers_gained: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// A person id, a category key, a road (1–4), or `escalated` / `not_escalated`.
    pub key: String,
    #[serde(flatten)]
    pub lift: Lift,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaiseEntry {
    pub person: PersonId,
    pub n: u32,
    pub adjusted: Estimate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerMath {
    pub window_days: i64,
    pub replicates: u32,
    pub cases_compared: u32,
    /// Not solved (or reopened since): no "after" yet.
    pub excluded_open: u32,
    /// Solved, but the W days after the solve have not all passed.
    pub excluded_inside_window: u32,
    /// Customers with orders and no case at all: the baseline.
    pub baseline_customers: u32,
    pub overall: Lift,
    pub by_solver: Vec<Group>,
    pub by_intake: Vec<Group>,
    pub by_category: Vec<Group>,
    pub by_road: Vec<Group>,
    pub by_escalation: Vec<Group>,
    /// By the month the case was solved (`YYYY-MM`): the trend.
    pub by_month: Vec<Group>,
    /// Solvers whose adjusted interval lies above zero, best first.
    pub raise: Vec<RaiseEntry>,
    /// Solvers whose adjusted interval lies below zero, worst first.
    pub below: Vec<RaiseEntry>,
}

fn day(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

/// Sums of amounts by day, queried over day ranges in constant time.
struct DailySums {
    first: i64,
    /// prefix[i] = the sum of the days before `first + i`.
    prefix: Vec<f64>,
}

impl DailySums {
    fn new(first: i64, last: i64, items: impl Iterator<Item = (i64, f64)>) -> DailySums {
        let len = (last - first + 1).max(0) as usize;
        let mut daily = vec![0.0; len];
        for (d, v) in items {
            if d >= first && d <= last {
                daily[(d - first) as usize] += v;
            }
        }
        let mut prefix = Vec::with_capacity(len + 1);
        prefix.push(0.0);
        let mut sum = 0.0;
        for v in daily {
            sum += v;
            prefix.push(sum);
        }
        DailySums { first, prefix }
    }

    /// The sum over the days `[from, to)`.
    fn sum(&self, from: i64, to: i64) -> f64 {
        let at = |d: i64| {
            let i = (d - self.first).clamp(0, self.prefix.len() as i64 - 1) as usize;
            self.prefix[i]
        };
        at(to) - at(from)
    }
}

/// One compared case.
struct Compared {
    before: f64,
    after: f64,
    expected: f64,
    /// Indexes of the groups the case belongs to.
    groups: [usize; 6],
    solver: PersonId,
    stratum: (String, i64),
}

/// Group indexes are handed out per kind of grouping, in first-seen order.
#[derive(Default)]
struct Groups {
    index: HashMap<(u8, String), usize>,
    keys: Vec<(u8, String)>,
}

impl Groups {
    fn of(&mut self, kind: u8, key: String) -> usize {
        let next = self.keys.len();
        *self.index.entry((kind, key.clone())).or_insert_with(|| {
            self.keys.push((kind, key));
            next
        })
    }
}

const SOLVER: u8 = 0;
const INTAKE: u8 = 1;
const CATEGORY: u8 = 2;
const ROAD: u8 = 3;
const ESCALATION: u8 = 4;
const MONTH: u8 = 5;

/// `orders` must be in time order (as the store gives them).
pub fn customer_math(
    cases: &[CaseOutcome],
    orders: &[OrderAmount],
    params: &MathParams,
) -> CustomerMath {
    let w = params.window_days;
    let today = day(params.now);
    // Customer ids are the store's row ids, small and dense: index arrays by them.
    let slot = |id: i64| usize::try_from(id).ok();
    let max_id = cases
        .iter()
        .map(|c| c.customer_id)
        .chain(orders.iter().map(|o| o.customer_id))
        .max()
        .unwrap_or(0)
        .max(0) as usize;
    let mut contacted = vec![false; max_id + 1];
    for c in cases {
        if let Some(i) = slot(c.customer_id) {
            contacted[i] = true;
        }
    }
    let is_contacted = |id: i64| slot(id).is_some_and(|i| contacted[i]);
    let first = orders.iter().map(|o| day(o.ordered_at)).min().unwrap_or(0);
    let last = orders
        .iter()
        .map(|o| day(o.ordered_at))
        .max()
        .unwrap_or(first - 1);
    let baseline = DailySums::new(
        first,
        last,
        orders
            .iter()
            .filter(|o| !is_contacted(o.customer_id))
            .map(|o| (day(o.ordered_at), o.amount_cents as f64)),
    );
    let mut quiet_buyer = vec![false; max_id + 1];
    for o in orders.iter().filter(|o| !is_contacted(o.customer_id)) {
        if let Some(i) = slot(o.customer_id) {
            quiet_buyer[i] = true;
        }
    }
    let baseline_customers = quiet_buyer.iter().filter(|b| **b).count() as u32;
    // Each contacted customer's orders, as one array grouped by customer (in time order,
    // since the orders come in time order): `start[id]..start[id + 1]`.
    let mut start = vec![0usize; max_id + 2];
    for o in orders.iter().filter(|o| is_contacted(o.customer_id)) {
        if let Some(i) = slot(o.customer_id) {
            start[i + 1] += 1;
        }
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut filled = start.clone();
    let mut bought = vec![(0i64, 0.0f64); start[max_id + 1]];
    for o in orders.iter().filter(|o| is_contacted(o.customer_id)) {
        if let Some(i) = slot(o.customer_id) {
            bought[filled[i]] = (day(o.ordered_at), o.amount_cents as f64);
            filled[i] += 1;
        }
    }
    let customer_sum = |customer: i64, from: i64, to: i64| -> f64 {
        let Some(i) = slot(customer).filter(|i| *i <= max_id) else {
            return 0.0;
        };
        let list = &bought[start[i]..start[i + 1]];
        let begin = list.partition_point(|(d, _)| *d < from);
        list[begin..]
            .iter()
            .take_while(|(d, _)| *d < to)
            .map(|(_, v)| v)
            .sum()
    };

    let mut out = CustomerMath {
        window_days: w,
        replicates: params.replicates,
        baseline_customers,
        ..CustomerMath::default()
    };
    let mut groups = Groups::default();
    let mut compared = Vec::new();
    for case in cases {
        let Some((solved_at, solver, road)) = case.solved else {
            out.excluded_open += 1;
            continue;
        };
        let opened = day(case.opened_at);
        let after_from = day(solved_at) + 1;
        if after_from + w > today {
            out.excluded_inside_window += 1;
            continue;
        }
        let before = customer_sum(case.customer_id, opened - w, opened);
        let after = customer_sum(case.customer_id, after_from, after_from + w);
        let base_before = baseline.sum(opened - w, opened);
        let base_after = baseline.sum(after_from, after_from + w);
        let growth = if base_before > 0.0 {
            base_after / base_before
        } else {
            1.0
        };
        let month = i64::from(solved_at.year()) * 12 + i64::from(solved_at.month0());
        compared.push(Compared {
            before,
            after,
            expected: before * growth,
            groups: [
                groups.of(SOLVER, solver.to_string()),
                groups.of(INTAKE, case.intake_owner.to_string()),
                groups.of(CATEGORY, case.category.clone()),
                groups.of(ROAD, road.to_string()),
                groups.of(
                    ESCALATION,
                    if case.escalated {
                        "escalated"
                    } else {
                        "not_escalated"
                    }
                    .into(),
                ),
                groups.of(MONTH, crate::Month::of(solved_at).to_string()),
            ],
            solver,
            stratum: (case.category.clone(), month),
        });
    }
    out.cases_compared = compared.len() as u32;

    let lifts = lifts(&compared, groups.keys.len(), params);
    let (overall, lifts) = lifts.split_last().expect("the overall lift is last");
    out.overall = overall.clone();
    let mut lifts = lifts.to_vec();
    peers(&compared, &groups, &mut lifts);
    for (i, (kind, key)) in groups.keys.iter().enumerate() {
        let group = Group {
            key: key.clone(),
            lift: lifts[i].clone(),
        };
        match *kind {
            SOLVER => out.by_solver.push(group),
            INTAKE => out.by_intake.push(group),
            CATEGORY => out.by_category.push(group),
            ROAD => out.by_road.push(group),
            ESCALATION => out.by_escalation.push(group),
            _ => out.by_month.push(group),
        }
    }
    for list in [
        &mut out.by_solver,
        &mut out.by_intake,
        &mut out.by_category,
        &mut out.by_road,
        &mut out.by_escalation,
        &mut out.by_month,
    ] {
        list.sort_by(|a, b| numeric_first(&a.key, &b.key));
    }
    for g in &out.by_solver {
        let (Ok(person), Some(low), Some(high)) = (
            g.key.parse::<PersonId>(),
            g.lift.adjusted.low,
            g.lift.adjusted.high,
        ) else {
            continue;
        };
        let entry = RaiseEntry {
            person,
            n: g.lift.n,
            adjusted: g.lift.adjusted,
        };
        if g.lift.n < params.min_cases {
            continue;
        }
        if low > 0.0 {
            out.raise.push(entry);
        } else if high < 0.0 {
            out.below.push(entry);
        }
    }
    let lift_of = |e: &RaiseEntry| e.adjusted.lift.unwrap_or(0.0);
    out.raise.sort_by(|a, b| lift_of(b).total_cmp(&lift_of(a)));
    out.below.sort_by(|a, b| lift_of(a).total_cmp(&lift_of(b)));
    out
}

fn numeric_first(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den - 1.0)
}

/// Point estimates and Poisson-bootstrap intervals for every group, plus the overall lift
/// (last). Each replicate weighs each case by a Poisson(1) draw from a generator seeded
/// by the case's position, so the result does not depend on threads or timing.
fn lifts(compared: &[Compared], group_count: usize, params: &MathParams) -> Vec<Lift> {
    let slots = group_count + 1;
    let b = params.replicates as usize;
    let mut lifts = vec![Lift::default(); slots];
    for c in compared {
        for g in c.groups.iter().copied().chain([group_count]) {
            let l = &mut lifts[g];
            l.n += 1;
            l.before += c.before;
            l.after += c.after;
            l.expected_after += c.expected;
            if c.before > 0.0 && c.after == 0.0 {
                l.customers_lost += 1;
            }
            if c.before == 0.0 && c.after > 0.0 {
                l.customers_gained += 1;
            }
        }
    }
    let boot = replicate_sums(compared, slots, b, params.seed);
    for (g, l) in lifts.iter_mut().enumerate() {
        // Per replicate: the weighted sums of before [0], after [1] and expected [2].
        let sums = |k: usize, r: usize| boot[(g * 3 + k) * b + r];
        let interval = |num: usize, den: usize| -> (Option<f64>, Option<f64>) {
            let mut values: Vec<f64> = (0..b)
                .filter_map(|r| ratio(sums(num, r), sums(den, r)))
                .collect();
            if values.len() < b.max(1) * 9 / 10 {
                return (None, None);
            }
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((q * values.len() as f64) as usize).min(values.len() - 1)];
            (Some(at(0.025)), Some(at(0.975)))
        };
        let (low, high) = interval(1, 0);
        l.raw = Estimate {
            lift: ratio(l.after, l.before),
            low,
            high,
        };
        let (low, high) = interval(1, 2);
        l.adjusted = Estimate {
            lift: ratio(l.after, l.expected_after),
            low,
            high,
        };
    }
    lifts
}

/// The bootstrap's weighted sums, laid out `[slot][before|after|expected][replicate]` so
/// that adding one case is a few contiguous runs the compiler vectorises. The cases are
/// split between the machine's cores; each case's weights depend only on its position.
fn replicate_sums(compared: &[Compared], slots: usize, b: usize, seed: u64) -> Vec<f64> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = compared.len().div_ceil(threads).max(1);
    let partial: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = compared
            .chunks(chunk)
            .enumerate()
            .map(|(part, cases)| {
                scope.spawn(move || {
                    let mut sums = vec![0.0f64; slots * 3 * b];
                    let mut weights = vec![0.0f64; b];
                    for (offset, c) in cases.iter().enumerate() {
                        let i = part * chunk + offset;
                        let mut rng =
                            Rng::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                        for w in weights.iter_mut() {
                            *w = f64::from(rng.poisson_one());
                        }
                        let group_count = slots - 1;
                        for g in c.groups.iter().copied().chain([group_count]) {
                            for (k, value) in
                                [c.before, c.after, c.expected].into_iter().enumerate()
                            {
                                if value == 0.0 {
                                    continue;
                                }
                                let run = &mut sums[(g * 3 + k) * b..(g * 3 + k + 1) * b];
                                for (acc, w) in run.iter_mut().zip(&weights) {
                                    *acc += w * value;
                                }
                            }
                        }
                    }
                    sums
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a bootstrap thread"))
            .collect()
    });
    let mut total = vec![0.0f64; slots * 3 * b];
    for part in partial {
        for (t, p) in total.iter_mut().zip(part) {
            *t += p;
        }
    }
    total
}

/// Each solver against the other solvers of the same category and month: their cases'
/// "after" against what the others' cases did relative to their own expectations.
fn peers(compared: &[Compared], groups: &Groups, lifts: &mut [Lift]) {
    // Per stratum: all cases' after and expected, and per solver within it.
    let mut stratum: HashMap<&(String, i64), (f64, f64)> = HashMap::new();
    type Sums = (f64, f64);
    let mut mine: BTreeMap<(PersonId, &(String, i64)), Sums> = BTreeMap::new();
    for c in compared {
        let s = stratum.entry(&c.stratum).or_default();
        s.0 += c.after;
        s.1 += c.expected;
        let m = mine.entry((c.solver, &c.stratum)).or_default();
        m.0 += c.after;
        m.1 += c.expected;
    }
    let mut totals: HashMap<PersonId, (f64, f64)> = HashMap::new();
    for ((person, key), (after, expected)) in &mine {
        let (all_after, all_expected) = stratum[key];
        let (others_after, others_expected) = (all_after - after, all_expected - expected);
        if others_expected <= 0.0 {
            continue; // nobody else to compare with in that stratum
        }
        let t = totals.entry(*person).or_default();
        t.0 += after;
        t.1 += expected * (others_after / others_expected);
    }
    for (i, (kind, key)) in groups.keys.iter().enumerate() {
        if *kind != SOLVER {
            continue;
        }
        if let Some((after, peer_expected)) =
            key.parse::<PersonId>().ok().and_then(|p| totals.get(&p))
        {
            lifts[i].vs_peers = ratio(*after, *peer_expected);
        }
    }
}
