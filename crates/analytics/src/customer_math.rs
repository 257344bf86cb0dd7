//! Customer math (seed 000): does a customer buy more or less after talking to us, and is
//! that the agent's doing, the calendar's, or the customers they happened to get? Each
//! solved case compares what the customer bought in the W days after the solve with what
//! a matched baseline predicts: customers who did not contact us, of the same tenure and
//! spending band, at the customer's own level of spending (baseline.rs). Intervals treat
//! customers as clusters and include the baseline's own uncertainty (interval.rs); the
//! raise and below-zero lists control the false-discovery rate over all solvers at once.
//! Definitions, to recompute by hand: docs/metrics.md.

mod cohort;
mod history;
mod interval;
mod line;
mod sums;

pub use cohort::LEVELS;
pub use interval::{
    Estimate, EITHER_WAY, FEW_CUSTOMERS, HIGHER, LOWER, MIN_CUSTOMERS, NOTHING_BOUGHT,
    NOTHING_EXPECTED,
};

use chrono::{DateTime, Datelike, Utc};
use cohort::{CaseDays, Cohorts};
use history::{day, Purchases};
use interval::discoveries;
use roadone_domain::PersonId;
use roadone_store::{CaseOutcome, OrderAmount};
use serde::Serialize;
use std::collections::HashMap;
use sums::{
    lifts, peers, Compared, Groups, CALL, CATEGORY, ESCALATION, INTAKE, MONTH, ROAD, SOLVER,
};

#[derive(Debug, Clone)]
pub struct MathParams {
    /// W: the days before the opening and after the solve that are compared.
    pub window_days: i64,
    /// Windows that end after this are not complete yet.
    pub now: DateTime<Utc>,
    /// Fewer cases than this and a person is not put on either list.
    pub min_cases: u32,
    /// Fewer peers than this who started near a customer and the start span widens.
    pub min_stratum: u32,
    /// The false-discovery rate the lists are held to (Benjamini–Hochberg).
    pub false_discovery: f64,
    /// Return every compared case's own figures too (`CustomerMath::cases`).
    pub keep_cases: bool,
    /// How each phone case's caller got through (`one_ring`, `later`, `not_answered`), by
    /// case id; the other cases are `no_call`. Empty: no grouping by call.
    pub call_answers: HashMap<i64, &'static str>,
}

impl Default for MathParams {
    fn default() -> Self {
        MathParams {
            window_days: 90,
            now: Utc::now(),
            min_cases: 20,
            min_stratum: 30,
            false_discovery: 0.05,
            keep_cases: false,
            call_answers: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lift {
    /// Cases, and the distinct customers they belong to.
    pub n: u32,
    pub customers: u32,
    /// Sums over the cases, in hundredths of the currency.
    pub before: f64,
    pub after: f64,
    /// What "after" would have been had each customer moved like the customers like them
    /// who did not contact us.
    pub expected_after: f64,
    /// after ÷ before − 1: includes whatever changed for everyone.
    pub raw: Estimate,
    /// after ÷ expected_after − 1: the figure the lists use.
    pub adjusted: Estimate,
    /// after ÷ (what other people's cases of the same category and month did) − 1.
    pub vs_peers: Option<f64>,
    /// Cases whose customer bought before but not after, and the other way round.
    pub customers_lost: u32,
    pub customers_gained: u32,
    /// How many of the cases were matched at each level of `LEVELS`, finest first.
    pub baseline: [u32; 4],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// A person id, a category key, a road (1–4), `escalated` / `not_escalated`, a month.
    pub key: String,
    #[serde(flatten)]
    pub lift: Lift,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaiseEntry {
    pub person: PersonId,
    pub n: u32,
    pub customers: u32,
    pub adjusted: Estimate,
}

/// One compared case's own figures, to check a figure by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparedCase {
    pub case_id: i64,
    pub customer_id: i64,
    /// Spent in the W days before the case opened.
    pub before: f64,
    /// The day the customer's usual spending is read back from: the opening of the first
    /// of a run of cases (this one's, unless an earlier case's "after" reaches into it).
    pub history_from: chrono::NaiveDate,
    /// Spent in the W days before that day, in the W days before those, and the orders
    /// in the first W.
    pub history_before: f64,
    pub history_prior: f64,
    pub history_orders: f64,
    pub after: f64,
    pub expected_after: f64,
    /// The index in `LEVELS` of the baseline the case was matched with.
    pub level: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerMath {
    pub window_days: i64,
    pub cases_compared: u32,
    /// Not solved (or reopened since): no "after" yet.
    pub excluded_open: u32,
    /// Solved, but the W days after the solve have not all passed.
    pub excluded_inside_window: u32,
    /// The customer had never bought anything before the case opened: nobody to match.
    pub excluded_no_history: u32,
    /// What those customers bought in the W days after, in hundredths.
    pub no_history_bought_after: f64,
    /// No customer without a case had bought before that month.
    pub excluded_unmatched: u32,
    /// Customers with orders: the pool every case's peers are drawn from.
    pub baseline_customers: u32,
    /// The names of the baseline levels, finest first (`Lift::baseline` counts by them).
    pub levels: [&'static str; 4],
    pub overall: Lift,
    pub by_solver: Vec<Group>,
    pub by_intake: Vec<Group>,
    pub by_category: Vec<Group>,
    pub by_road: Vec<Group>,
    pub by_escalation: Vec<Group>,
    /// By the month the case was solved (`YYYY-MM`): the trend.
    pub by_month: Vec<Group>,
    /// By how the caller got through, where cases came from calls: `one_ring`, `later`,
    /// `not_answered` (a missed call's case), `no_call`. Empty without call records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_call_answer: Vec<Group>,
    /// Solvers with at least `min_cases` cases and an interval: those the lists consider.
    pub solvers_eligible: u32,
    pub false_discovery: f64,
    /// How many eligible solvers plain 95% intervals would put on each side by chance.
    pub expected_by_chance: f64,
    /// The same, in one sentence for the page.
    pub chance: String,
    /// Solvers whose customers bought more than expected, kept by Benjamini–Hochberg.
    pub raise: Vec<RaiseEntry>,
    /// Solvers whose customers bought less than expected, kept by Benjamini–Hochberg.
    pub below: Vec<RaiseEntry>,
    /// Every compared case, when `MathParams::keep_cases` asks for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<ComparedCase>,
}

/// The call grouping's key for a case that came from no call.
pub const NO_CALL: &str = "no_call";

/// A case with complete windows, waiting for its baseline.
struct Pending<'a> {
    case: &'a CaseOutcome,
    /// What the customer spent in the W days before this case opened (the raw figure's).
    own_before: f64,
    days: CaseDays,
    customer: usize,
    solver: PersonId,
    road: u8,
    solved_at: DateTime<Utc>,
}

/// `orders` must be in time order (as the store gives them).
pub fn customer_math(
    cases: &[CaseOutcome],
    orders: &[OrderAmount],
    params: &MathParams,
) -> CustomerMath {
    let w = params.window_days;
    let today = day(params.now);
    let purchases = Purchases::new(orders);
    let mut out = CustomerMath {
        window_days: w,
        levels: LEVELS,
        false_discovery: params.false_discovery,
        ..CustomerMath::default()
    };

    let anchors = anchors(cases, w);
    let mut pending = Vec::new();
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
        let customer = purchases.customer(case.customer_id);
        let first_order = customer.map(|c| purchases.first_day(c));
        let (Some(customer), Some(first_order)) = (customer, first_order.filter(|f| *f < opened))
        else {
            out.excluded_no_history += 1;
            out.no_history_bought_after +=
                customer.map_or(0.0, |c| purchases.sum(c, after_from, after_from + w));
            continue;
        };
        let anchor = anchors.get(&case.case_id).copied().unwrap_or(opened);
        pending.push(Pending {
            case,
            own_before: purchases.sum(customer, opened - w, opened),
            days: CaseDays {
                first_order,
                anchor,
                after_from,
                before: purchases.sum(customer, anchor - w, anchor),
                prior: purchases.sum(customer, anchor - 2 * w, anchor - w),
                before_orders: purchases.count(customer, anchor - w, anchor),
                after: purchases.sum(customer, after_from, after_from + w),
            },
            customer,
            solver,
            road,
            solved_at,
        });
    }
    out.baseline_customers = purchases.customers() as u32;
    let mut cohorts = Cohorts::new(&purchases, today, params.min_stratum);
    cohorts.fit_lines(pending.iter().map(|p| &p.days), w);
    let mut groups = Groups::default();
    let mut compared = Vec::new();
    for p in pending {
        let Some(expectation) = cohorts.expect(&p.days, w) else {
            out.excluded_unmatched += 1;
            continue;
        };
        let case = p.case;
        if params.keep_cases {
            out.cases.push(ComparedCase {
                case_id: case.case_id,
                customer_id: case.customer_id,
                before: p.own_before,
                history_from: date_of(p.days.anchor),
                history_before: p.days.before,
                history_prior: p.days.prior,
                history_orders: p.days.before_orders,
                after: p.days.after,
                expected_after: expectation.expected,
                level: expectation.level,
            });
        }
        let month = i64::from(p.solved_at.year()) * 12 + i64::from(p.solved_at.month0());
        compared.push(Compared {
            customer: p.customer,
            before: p.own_before,
            after: p.days.after,
            expected: expectation.expected,
            stratum: expectation.shared,
            mean_var: expectation.mean_var,
            level: expectation.level,
            groups: [
                groups.of(SOLVER, p.solver.to_string()),
                groups.of(INTAKE, case.intake_owner.to_string()),
                groups.of(CATEGORY, case.category.clone()),
                groups.of(ROAD, p.road.to_string()),
                groups.of(
                    ESCALATION,
                    if case.escalated {
                        "escalated"
                    } else {
                        "not_escalated"
                    }
                    .into(),
                ),
                groups.of(MONTH, crate::Month::of(p.solved_at).to_string()),
                groups.of(
                    CALL,
                    params
                        .call_answers
                        .get(&case.case_id)
                        .copied()
                        .unwrap_or(NO_CALL)
                        .into(),
                ),
            ],
            solver: p.solver,
            peer_stratum: (case.category.clone(), month),
        });
    }
    out.cases_compared = compared.len() as u32;

    let lifts = lifts(&mut compared, groups.keys.len());
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
            MONTH => out.by_month.push(group),
            _ if params.call_answers.is_empty() => {}
            _ => out.by_call_answer.push(group),
        }
    }
    for list in [
        &mut out.by_solver,
        &mut out.by_intake,
        &mut out.by_category,
        &mut out.by_road,
        &mut out.by_escalation,
        &mut out.by_month,
        &mut out.by_call_answer,
    ] {
        list.sort_by(|a, b| numeric_first(&a.key, &b.key));
    }
    lists(&mut out, params);
    out
}

/// The raise and below-zero lists: Benjamini–Hochberg over every eligible solver's
/// p-value, so that on average no more than `false_discovery` of the names are chance.
fn lists(out: &mut CustomerMath, params: &MathParams) {
    let eligible: Vec<(PersonId, &Lift, f64)> = out
        .by_solver
        .iter()
        .filter(|g| g.lift.n >= params.min_cases)
        .filter_map(|g| {
            let person = g.key.parse::<PersonId>().ok()?;
            Some((person, &g.lift, g.lift.adjusted.p_value?))
        })
        .collect();
    let p_values: Vec<f64> = eligible.iter().map(|e| e.2).collect();
    let kept = discoveries(&p_values, params.false_discovery);
    for ((person, lift, _), keep) in eligible.iter().zip(kept) {
        let entry = RaiseEntry {
            person: *person,
            n: lift.n,
            customers: lift.customers,
            adjusted: lift.adjusted,
        };
        match lift.adjusted.lift {
            Some(l) if keep && l > 0.0 => out.raise.push(entry),
            Some(l) if keep && l < 0.0 => out.below.push(entry),
            _ => {}
        }
    }
    let lift_of = |e: &RaiseEntry| e.adjusted.lift.unwrap_or(0.0);
    out.raise.sort_by(|a, b| lift_of(b).total_cmp(&lift_of(a)));
    out.below.sort_by(|a, b| lift_of(a).total_cmp(&lift_of(b)));
    out.solvers_eligible = eligible.len() as u32;
    out.expected_by_chance = f64::from(out.solvers_eligible) * 0.025;
    out.chance = chance_sentence(out.solvers_eligible, out.expected_by_chance, params);
}

fn chance_sentence(eligible: u32, by_chance: f64, params: &MathParams) -> String {
    if eligible == 0 {
        return format!(
            "No solver has the {} compared cases the lists need yet.",
            params.min_cases
        );
    }
    let solvers = if eligible == 1 { "solver" } else { "solvers" };
    format!(
        "{eligible} {solvers} compared: even if nobody made any difference, plain 95% intervals \
         would put about {by_chance:.1} on each list by chance, so the lists keep a name only \
         when it stands out among all {eligible} (Benjamini–Hochberg at {:.0}%: on average \
         no more than one name in {:.0} is there by chance).",
        params.false_discovery * 100.0,
        1.0 / params.false_discovery
    )
}

fn numeric_first(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

fn date_of(day: i64) -> chrono::NaiveDate {
    DateTime::from_timestamp(day * 86_400, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// For each solved case, the day its customer's usual spending is read back from. A case
/// that opens within 2W days of the end of an earlier case's "after" (so that its before
/// or prior window holds some of it) belongs to that earlier case's run and reads the
/// history from the run's first opening: an earlier case's lasting effect would
/// otherwise count as the customer's usual level and hide itself.
fn anchors(cases: &[CaseOutcome], w: i64) -> HashMap<i64, i64> {
    let mut by_customer: HashMap<i64, Vec<(i64, i64, i64)>> = HashMap::new();
    for c in cases {
        if let Some((solved, _, _)) = c.solved {
            by_customer.entry(c.customer_id).or_default().push((
                day(c.opened_at),
                day(solved),
                c.case_id,
            ));
        }
    }
    let mut out = HashMap::new();
    for list in by_customer.values_mut() {
        list.sort_unstable();
        let mut run: Option<(i64, i64)> = None; // (first opening, latest end of an after)
        for &(opened, solved, id) in list.iter() {
            let anchor = match run {
                Some((first, reach)) if opened - w < reach => first,
                _ => opened,
            };
            let reach = run.map_or(i64::MIN, |r| r.1).max(solved + 1 + w);
            run = Some((anchor, reach));
            out.insert(id, anchor);
        }
    }
    out
}
