//! Customer math against a known truth (customer_world.rs): no-effect solvers flagged no
//! more often than chance allows and evenly on both sides, planted effects covered by
//! their intervals and found, and the figures equal to a hand computation. Every world is
//! seeded, so these results are the same on every machine.

use crate::customer_world::{world, Effect, Spec, World};
use roadone_analytics::customer_math::{customer_math, CustomerMath, Lift};

fn run(w: &World) -> CustomerMath {
    customer_math(&w.cases, &w.orders, &w.params)
}

fn solver_lift(m: &CustomerMath, person: i64) -> Lift {
    m.by_solver
        .iter()
        .find(|g| g.key == person.to_string())
        .unwrap_or_else(|| panic!("solver {person} is reported"))
        .lift
        .clone()
}

/// What many worlds said about their solvers.
#[derive(Default, Debug)]
struct Tally {
    solvers: u32,
    cases: u32,
    lifts: Vec<f64>,
    above: u32,
    below: u32,
    covered: u32,
    raised: u32,
    listed_below: u32,
    after: f64,
    expected: f64,
    truths: Vec<f64>,
}

impl Tally {
    fn rate(&self, k: u32) -> f64 {
        f64::from(k) / f64::from(self.solvers)
    }

    fn mean_lift(&self) -> f64 {
        self.lifts.iter().sum::<f64>() / self.lifts.len() as f64
    }
}

/// Runs `worlds` worlds from `first_seed` and tallies the planted solvers (`planted`
/// true) or the ones with no effect.
fn tally(spec: Spec, first_seed: u64, worlds: u64, planted: bool) -> Tally {
    let mut t = Tally::default();
    for seed in first_seed..first_seed + worlds {
        let w = world(seed, spec);
        let m = run(&w);
        for s in 1..=spec.solvers {
            if (s <= spec.planted) != planted {
                continue;
            }
            let lift = solver_lift(&m, s);
            let truth = w.truth.get(&s).copied().unwrap_or(0.0);
            let a = lift.adjusted;
            let (Some(l), Some(low), Some(high)) = (a.lift, a.low, a.high) else {
                panic!("solver {s} in world {seed} has no interval: {a:?}");
            };
            t.solvers += 1;
            t.cases += lift.n;
            t.lifts.push(l);
            t.after += lift.after;
            t.expected += lift.expected_after;
            t.truths.push(truth);
            t.above += u32::from(low > 0.0);
            t.below += u32::from(high < 0.0);
            t.covered += u32::from(low <= truth && truth <= high);
            t.raised += u32::from(m.raise.iter().any(|r| r.person == s));
            t.listed_below += u32::from(m.below.iter().any(|r| r.person == s));
        }
    }
    t
}

fn report(name: &str, t: &Tally) {
    eprintln!(
        "{name}: {} solvers, {:.0} cases each; pooled lift {:+.2}% (truth {:+.2}%), mean {:+.2}%; interval above zero {:.1}%, below {:.1}%; covers the truth {:.1}%; raise list {:.1}%, below-zero list {:.1}%",
        t.solvers,
        f64::from(t.cases) / f64::from(t.solvers),
        (t.after / t.expected - 1.0) * 100.0,
        t.truths.iter().sum::<f64>() / t.truths.len() as f64 * 100.0,
        t.mean_lift() * 100.0,
        t.rate(t.above) * 100.0,
        t.rate(t.below) * 100.0,
        t.rate(t.covered) * 100.0,
        t.rate(t.raised) * 100.0,
        t.rate(t.listed_below) * 100.0,
    );
}

#[test]
fn solvers_with_no_effect_are_flagged_no_more_than_chance_allows_and_evenly() {
    let t = tally(Spec::new(Effect::None, 0), 1000, 80, false);
    report("no effect", &t);
    assert!(t.solvers >= 400, "{t:?}");
    assert!(
        t.mean_lift().abs() <= 0.02,
        "with no effect the mean adjusted lift is within ±2% of zero, was {:+.2}%",
        t.mean_lift() * 100.0
    );
    for (side, k) in [("above", t.above), ("below", t.below)] {
        assert!(
            t.rate(k) <= 0.035,
            "a 95% interval leaves about 2.5% of no-effect solvers {side} zero; {:.1}% were",
            t.rate(k) * 100.0
        );
    }
    let (more, fewer) = (t.above.max(t.below), t.above.min(t.below));
    assert!(
        more <= 2 * fewer.max(1),
        "the two sides are within a factor of two: {} above, {} below",
        t.above,
        t.below
    );
    for (list, k) in [("raise", t.raised), ("below-zero", t.listed_below)] {
        assert!(
            t.rate(k) <= 0.035,
            "the {list} list names {:.1}% of no-effect solvers",
            t.rate(k) * 100.0
        );
    }
}

fn assert_covered(name: &str, t: &Tally) {
    assert!(
        (0.93..=0.97).contains(&t.rate(t.covered)),
        "{name}: a 95% interval covers the true effect in 93–97% of worlds, covered {:.1}%",
        t.rate(t.covered) * 100.0
    );
}

#[test]
fn a_planted_twenty_percent_is_covered_by_its_interval() {
    let t = tally(Spec::new(Effect::Scale(0.2), 4), 2000, 80, true);
    report("+20%", &t);
    assert!(t.solvers >= 150, "{t:?}");
    assert_covered("+20%", &t);
    assert!(
        t.mean_lift() > 0.12,
        "the planted solvers' lift is found (about +20%): {:+.1}%",
        t.mean_lift() * 100.0
    );
}

#[test]
fn one_more_item_for_forty_percent_of_customers_is_covered_by_its_interval() {
    let t = tally(Spec::new(Effect::ExtraItem(0.4), 4), 3000, 80, true);
    report("extra item", &t);
    assert_covered("extra item", &t);
    let truth = t.truths.iter().sum::<f64>() / t.truths.len() as f64;
    assert!(
        (t.mean_lift() - truth).abs() < 0.03,
        "the mean lift {:+.1}% is the true {:+.1}%",
        t.mean_lift() * 100.0,
        truth * 100.0
    );
}

#[test]
fn with_enough_cases_a_planted_twenty_percent_is_on_the_raise_list() {
    // Two solvers share the contacts, about 750 cases each; one has the effect.
    let spec = Spec {
        solvers: 2,
        ..Spec::new(Effect::Scale(0.2), 1)
    };
    let t = tally(spec, 4000, 20, true);
    report("+20% at ~750 cases", &t);
    assert!(
        t.rate(t.raised) >= 0.8,
        "at about 750 cases the planted +20% is on the raise list in at least 80% of worlds: {:.0}%",
        t.rate(t.raised) * 100.0
    );
    let nulls = tally(spec, 4000, 20, false);
    report("no effect at ~750 cases", &nulls);
    // Benjamini–Hochberg keeps the share of chance names among those listed near 5%.
    let chance = nulls.listed_below + nulls.raised;
    let listed = chance + t.raised;
    assert!(
        f64::from(chance) <= 0.15 * f64::from(listed),
        "{chance} of the {listed} names listed had no effect"
    );
}

// ---- Fixtures small enough to check by hand ----

use chrono::{Duration, TimeZone, Utc};
use roadone_analytics::customer_math::{MathParams, FEW_CUSTOMERS, NOTHING_BOUGHT};
use roadone_store::{CaseOutcome, OrderAmount};

fn at(d: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap() + Duration::days(d)
}

fn order(customer: i64, d: i64, amount: i64) -> OrderAmount {
    OrderAmount {
        customer_id: customer,
        ordered_at: at(d),
        amount_cents: amount,
    }
}

fn case(id: i64, customer: i64, opened: i64, solver: i64, category: &str) -> CaseOutcome {
    CaseOutcome {
        case_id: id,
        customer_id: customer,
        category: category.into(),
        opened_at: at(opened) - Duration::hours(2),
        intake_owner: 500,
        solved: Some((at(opened), solver, 1)),
        escalated: false,
    }
}

fn small_params() -> MathParams {
    MathParams {
        window_days: 10,
        now: at(60),
        min_stratum: 20,
        ..MathParams::default()
    }
}

/// Thirty customers start on day 0 with 100 and spend 200 on day 15. Twenty never write:
/// ten spend 100 on day 25, ten 300. Ten write on day 20 (solved the same day) and spend
/// 260 on day 25. With W = 10: before = days 10–19, prior = days 0–9, after = days 21–30.
fn by_hand() -> (Vec<CaseOutcome>, Vec<OrderAmount>) {
    let mut orders = Vec::new();
    let mut cases = Vec::new();
    for c in 1..=30 {
        orders.push(order(c, 0, 100));
        orders.push(order(c, 15, 200));
        let after = match c {
            1..=10 => 100,
            11..=20 => 300,
            _ => 260,
        };
        orders.push(order(c, 25, after));
        if c > 20 {
            cases.push(case(c, c, 20, 7, "billing"));
        }
    }
    orders.sort_by_key(|o| o.ordered_at);
    (cases, orders)
}

#[test]
fn the_figures_equal_a_hand_computation() {
    let (cases, orders) = by_hand();
    let m = customer_math(&cases, &orders, &small_params());
    assert_eq!(m.cases_compared, 10);
    let l = &m.overall;
    assert_eq!((l.n, l.customers, l.baseline), (10, 10, [10, 0, 0, 0]));
    // Every customer's before, prior and order count are the same, so the line has no
    // slope: each case expects its 29 peers' mean after (itself left out):
    // (10·100 + 10·300 + 9·260) / 29.
    let expected_each = (1000.0 + 3000.0 + 9.0 * 260.0) / 29.0;
    assert!(
        (l.expected_after - 10.0 * expected_each).abs() < 1e-6,
        "{l:?}"
    );
    assert_eq!((l.before, l.after), (2000.0, 2600.0));
    let ratio = 2600.0 / (10.0 * expected_each);
    let adjusted = l.adjusted;
    assert!((adjusted.lift.unwrap() - (ratio - 1.0)).abs() < 1e-9);
    // The variance: each case strays (260 − expected)² from its expectation (one tenth
    // holds them all, one case per customer), times the ratio (a lift that multiplies
    // buying multiplies its spread); plus the line's residual variance among the 30
    // customers (mean 220, no slope: Σ (a − 220)² / 29) over its 29 peers, counted with
    // the square of the 10 cases that share it.
    let stray = 10.0 * (260.0 - expected_each).powi(2) * ratio;
    let residual =
        (10.0 * 120.0_f64.powi(2) + 10.0 * 80.0_f64.powi(2) + 10.0 * 40.0_f64.powi(2)) / 29.0;
    let shared = 100.0 * residual / 29.0;
    let se = (stray + shared).sqrt() / (10.0 * expected_each);
    let q = 2.262_157_2; // Student t, 9 degrees of freedom, 97.5%
    assert!(
        (adjusted.low.unwrap() - (ratio - q * se - 1.0)).abs() < 1e-6,
        "{adjusted:?}"
    );
    assert!(
        (adjusted.high.unwrap() - (ratio + q * se - 1.0)).abs() < 1e-6,
        "{adjusted:?}"
    );
    assert_eq!(adjusted.says, "no evidence either way");
    // The raw lift: after ÷ before − 1 = 2600 / 2000 − 1, every case alike.
    assert!((l.raw.lift.unwrap() - 0.3).abs() < 1e-12);
}

#[test]
fn too_little_data_says_so_instead_of_a_figure() {
    let (cases, orders) = by_hand();
    // Three cases: no interval, and no lift either.
    let m = customer_math(&cases[..3], &orders, &small_params());
    assert_eq!(
        (m.overall.adjusted.lift, m.overall.adjusted.says),
        (None, FEW_CUSTOMERS)
    );
    assert!(m.raise.is_empty() && m.below.is_empty());
    // A window longer than the data: nothing is complete yet.
    let long = MathParams {
        window_days: 400,
        ..small_params()
    };
    let m = customer_math(&cases, &orders, &long);
    assert_eq!((m.cases_compared, m.excluded_inside_window), (0, 10));
    assert_eq!(m.overall.adjusted.says, FEW_CUSTOMERS);
    // A currency with no orders at all: nobody has a history to compare.
    let m = customer_math(&cases, &[], &small_params());
    assert_eq!((m.cases_compared, m.excluded_no_history), (0, 10));
    assert_eq!(m.baseline_customers, 0);
    // A solver whose customers bought nothing after.
    let quiet: Vec<OrderAmount> = orders
        .iter()
        .filter(|o| !(o.customer_id > 20 && o.ordered_at == at(25)))
        .cloned()
        .collect();
    let m = customer_math(&cases, &quiet, &small_params());
    let solver = solver_lift(&m, 7);
    assert_eq!(
        (solver.adjusted.lift, solver.adjusted.says),
        (None, NOTHING_BOUGHT)
    );
    assert!(
        m.by_solver.iter().all(|g| g.lift.vs_peers.is_none()),
        "one solver: no peers"
    );
    let json = serde_json::to_string(&m).expect("serialises");
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
}

// ---- The generated worlds themselves, and what every report carries ----

#[test]
fn the_worlds_have_the_structure_that_fooled_the_first_figure() {
    let w = world(7, Spec::new(Effect::None, 0));
    let start = crate::customer_world::start();
    let day = |t: chrono::DateTime<Utc>| (t - start).num_days();
    // Most customers who had started buy nothing in a given 90 days (days 400–489).
    let started = w.first_order_day.iter().filter(|f| **f < 400).count();
    let mut bought = std::collections::HashSet::new();
    for o in &w.orders {
        if (400..490).contains(&day(o.ordered_at))
            && w.first_order_day[o.customer_id as usize] < 400
        {
            bought.insert(o.customer_id);
        }
    }
    let zero = 1.0 - bought.len() as f64 / started as f64;
    assert!(
        (0.70..=0.85).contains(&zero),
        "{:.0}% bought nothing",
        zero * 100.0
    );
    // Some customers have several cases.
    let mut per_customer = std::collections::HashMap::<i64, u32>::new();
    for c in &w.cases {
        *per_customer.entry(c.customer_id).or_default() += 1;
    }
    assert!(per_customer.values().filter(|n| **n > 1).count() >= 50);
    // Those who write are older customers than those who buy: an order is likelier to
    // bring a question the longer its customer has been one.
    let age_at_case: f64 = w
        .cases
        .iter()
        .map(|c| (day(c.opened_at) - w.first_order_day[c.customer_id as usize]) as f64)
        .sum::<f64>()
        / w.cases.len() as f64;
    // Against the customers who buy, order by order, over the same days.
    let in_span = |d: i64| (180..630).contains(&d);
    let ages: Vec<f64> = w
        .orders
        .iter()
        .filter(|o| in_span(day(o.ordered_at)))
        .map(|o| (day(o.ordered_at) - w.first_order_day[o.customer_id as usize]) as f64)
        .collect();
    let average_age = ages.iter().sum::<f64>() / ages.len() as f64;
    assert!(
        age_at_case > average_age * 1.1,
        "{age_at_case:.0} against {average_age:.0} days"
    );
}

#[test]
fn the_raw_figure_is_fooled_by_ageing_customers_and_the_adjusted_one_is_not() {
    // Nobody has any effect, but customers buy less as they age: before adjusting,
    // contacting us seems to cost sales.
    let w = world(21, Spec::new(Effect::None, 0));
    let m = run(&w);
    let (raw, adjusted) = (m.overall.raw, m.overall.adjusted);
    eprintln!("no effect: raw {raw:?}, adjusted {adjusted:?}");
    assert!(
        raw.high.unwrap() < 0.0,
        "the raw interval lies below zero: {raw:?}"
    );
    assert!(
        adjusted.low.unwrap() <= 0.0 && 0.0 <= adjusted.high.unwrap(),
        "the adjusted interval covers 0: {adjusted:?}"
    );
    // And the expectation tracks what the generator knows each customer would buy.
    let oracle: f64 = w.oracle.iter().sum();
    let off = m.overall.expected_after / oracle - 1.0;
    assert!(
        off.abs() < 0.05,
        "expected after is {:+.1}% off the truth",
        off * 100.0
    );
}

#[test]
fn a_case_inside_its_window_or_still_open_is_left_out_and_counted() {
    let mut w = world(31, Spec::new(Effect::None, 0));
    let now = w.params.now;
    let solver = w.cases[0].solved.unwrap().1;
    let before = solver_lift(&run(&w), solver).n;
    // Solved ten days ago: its 90 days after have not passed.
    w.cases[0].solved = Some((now - chrono::Duration::days(10), solver, 1));
    // Still open.
    w.cases[1].solved = None;
    let m = run(&w);
    assert_eq!(m.excluded_inside_window, 1);
    assert_eq!(m.excluded_open, 1);
    assert_eq!(m.cases_compared as usize, w.cases.len() - 2);
    assert!(solver_lift(&m, solver).n < before);
}

#[test]
fn figures_are_grouped_by_solver_intake_category_road_escalation_and_month() {
    let m = run(&world(41, Spec::new(Effect::None, 0)));
    let n = |groups: &[roadone_analytics::customer_math::Group]| -> u32 {
        groups.iter().map(|g| g.lift.n).sum()
    };
    for (name, groups) in [
        ("solver", &m.by_solver),
        ("intake", &m.by_intake),
        ("category", &m.by_category),
        ("road", &m.by_road),
        ("escalation", &m.by_escalation),
        ("month", &m.by_month),
    ] {
        assert_eq!(
            n(groups),
            m.cases_compared,
            "every case is in one {name} group"
        );
    }
    let keys: Vec<&str> = m.by_escalation.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, vec!["escalated", "not_escalated"]);
    let months: Vec<&str> = m.by_month.iter().map(|g| g.key.as_str()).collect();
    let mut sorted = months.clone();
    sorted.sort_unstable();
    assert_eq!(months, sorted, "the trend runs from the earliest month");
    assert!(m.by_solver.iter().all(|g| g.lift.vs_peers.is_some()));
    assert_eq!(m.overall.baseline.iter().sum::<u32>(), m.cases_compared);
    assert!(m.chance.contains("12 solvers compared"), "{}", m.chance);
    assert!((m.expected_by_chance - 12.0 * 0.025).abs() < 1e-9);
}

#[test]
fn customers_answered_in_one_ring_are_compared_with_the_others_against_a_known_truth() {
    // The customers of solvers 1–6 buy 20% more after their cases. Say their cases came
    // from calls answered in one ring and the rest from calls answered later: the one-ring
    // group must show the planted lift and the others none, as the solvers' groups do.
    let spec = Spec::new(Effect::Scale(0.2), 6);
    let mut w = world(43, spec);
    let plain = run(&w);
    assert!(plain.by_call_answer.is_empty(), "no calls, no grouping");
    for c in &w.cases {
        let solver = c.solved.map(|s| s.1).unwrap_or(0);
        let how = if solver <= spec.planted {
            "one_ring"
        } else {
            "later"
        };
        w.params.call_answers.insert(c.case_id, how);
    }
    let m = run(&w);
    let group = |key: &str| {
        m.by_call_answer
            .iter()
            .find(|g| g.key == key)
            .unwrap_or_else(|| panic!("a {key} group"))
            .lift
            .clone()
    };
    let (quick, later) = (group("one_ring"), group("later"));
    assert_eq!(
        quick.n + later.n,
        m.cases_compared,
        "every case in one group"
    );
    let truth: f64 = (1..=spec.planted).map(|s| w.truth[&s]).sum::<f64>() / spec.planted as f64;
    let (lift, low, high) = (
        quick.adjusted.lift.unwrap(),
        quick.adjusted.low.unwrap(),
        quick.adjusted.high.unwrap(),
    );
    assert!(
        low <= truth && truth <= high && (lift - truth).abs() < 0.05,
        "one ring: {lift:.3} [{low:.3}, {high:.3}] against the truth {truth:.3}"
    );
    let (low, high) = (later.adjusted.low.unwrap(), later.adjusted.high.unwrap());
    assert!(
        low <= 0.0 && 0.0 <= high,
        "later: no effect, [{low:.3}, {high:.3}]"
    );
    // The rest of the report is unchanged by the grouping (up to the order of sums).
    let close = |a: Option<f64>, b: Option<f64>| (a.unwrap() - b.unwrap()).abs() < 1e-9;
    let lifts = |x: &CustomerMath| {
        let mut all: Vec<Lift> = x.by_solver.iter().map(|g| g.lift.clone()).collect();
        all.push(x.overall.clone());
        all
    };
    for (with, without) in lifts(&m).iter().zip(lifts(&plain)) {
        assert_eq!((with.n, with.after), (without.n, without.after));
        assert!(close(with.adjusted.high, without.adjusted.high));
    }
}
