//! Customer math on generated data with a known truth: a planted effect is found with an
//! interval that covers it, agents with no effect are flagged about as often as a 95%
//! interval allows, and neither changes when everyone's spending falls or a season
//! doubles it. Every run is seeded, so these results are the same on every machine.

use chrono::{Duration, TimeZone, Utc};
use roadone_analytics::customer_math::{customer_math, CustomerMath, MathParams};
use roadone_analytics::stats::Rng;
use roadone_store::{CaseOutcome, OrderAmount};

const DAYS: i64 = 720;
const W: i64 = 90;
const PLANTED: i64 = 99;
const NULL_AGENTS: [i64; 5] = [1, 2, 3, 4, 5];

#[derive(Clone, Copy)]
enum Trend {
    Flat,
    /// Everyone's spending falls by 40% from the first day to the last.
    FallsForty,
    /// Everyone's spending doubles for one season (days 300 to 390).
    SeasonDoubles,
}

impl Trend {
    fn at(self, d: i64) -> f64 {
        match self {
            Trend::Flat => 1.0,
            Trend::FallsForty => 1.0 - 0.4 * d as f64 / DAYS as f64,
            Trend::SeasonDoubles => {
                if (300..390).contains(&d) {
                    2.0
                } else {
                    1.0
                }
            }
        }
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

struct World {
    cases: Vec<CaseOutcome>,
    orders: Vec<OrderAmount>,
    params: MathParams,
}

/// 4,000 customers buying at their own rate (median one order in 20 days) with their own
/// basket size, times the trend. 1,500 of them each have one case: 500 solved by the
/// planted agent, whose customers buy `planted` more in the 90 days after, and 200 by each
/// agent with no effect.
fn world(seed: u64, trend: Trend, planted: f64) -> World {
    let mut rng = Rng::new(seed);
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let customers = 4000;
    let mut solvers: Vec<i64> = vec![PLANTED; 500];
    for a in NULL_AGENTS {
        solvers.extend(std::iter::repeat_n(a, 200));
    }
    let mut cases = Vec::new();
    let mut orders = Vec::new();
    for customer in 0..customers as i64 {
        let rate = 0.05 * (0.5 * normal(&mut rng)).exp();
        let basket = 5000.0 * (0.4 * normal(&mut rng)).exp();
        let case = solvers.get(customer as usize).map(|&solver| {
            let opened = W + 5 + (rng.unit() * (DAYS - 2 * W - 20) as f64) as i64;
            let solved = opened + (rng.unit() * 3.0) as i64;
            (solver, opened, solved)
        });
        if let Some((solver, opened, solved)) = case {
            cases.push(CaseOutcome {
                case_id: customer + 1,
                customer_id: customer,
                category: if customer % 2 == 0 {
                    "billing"
                } else {
                    "delivery"
                }
                .into(),
                opened_at: start + Duration::days(opened) + Duration::hours(10),
                intake_owner: 1000 + customer % 3,
                solved: Some((
                    start + Duration::days(solved) + Duration::hours(15),
                    solver,
                    (customer % 4 + 1) as u8,
                )),
                escalated: customer % 25 == 0,
            });
        }
        for d in 0..DAYS {
            let mut p = rate * trend.at(d);
            if let Some((solver, _, solved)) = case {
                if solver == PLANTED && d > solved && d <= solved + W {
                    p *= 1.0 + planted;
                }
            }
            if rng.unit() < p {
                let amount = basket * (0.3 * normal(&mut rng)).exp();
                orders.push(OrderAmount {
                    customer_id: customer,
                    ordered_at: start + Duration::days(d) + Duration::hours(12),
                    amount_cents: amount.round() as i64,
                });
            }
        }
    }
    orders.sort_by_key(|o| o.ordered_at);
    World {
        cases,
        orders,
        params: MathParams {
            window_days: W,
            now: start + Duration::days(DAYS),
            replicates: 400,
            seed,
            min_cases: 20,
        },
    }
}

fn run(w: &World) -> CustomerMath {
    customer_math(&w.cases, &w.orders, &w.params)
}

fn solver_lift(m: &CustomerMath, person: i64) -> roadone_analytics::customer_math::Lift {
    m.by_solver
        .iter()
        .find(|g| g.key == person.to_string())
        .unwrap_or_else(|| panic!("solver {person} is reported"))
        .lift
        .clone()
}

/// Over 20 worlds: how often the planted agent's interval covers +20%, and how often they
/// are on the raise list (with all 500 cases).
fn planted_found(trend: Trend, first_seed: u64) -> (f64, f64) {
    let (mut covered, mut raised) = (0, 0);
    let worlds = 20;
    for seed in first_seed..first_seed + worlds {
        let m = run(&world(seed, trend, 0.20));
        let lift = solver_lift(&m, PLANTED);
        let (low, high) = (lift.adjusted.low.unwrap(), lift.adjusted.high.unwrap());
        if low <= 0.20 && 0.20 <= high {
            covered += 1;
        }
        if m.raise.iter().any(|r| r.person == PLANTED && r.n == 500) {
            raised += 1;
        }
    }
    (
        f64::from(covered) / worlds as f64,
        f64::from(raised) / worlds as f64,
    )
}

fn assert_planted_found(trend: Trend, first_seed: u64, name: &str) {
    let (covered, raised) = planted_found(trend, first_seed);
    eprintln!(
        "{name}: the planted +20% covered in {:.0}% of 20 worlds, on the raise list in {:.0}%",
        covered * 100.0,
        raised * 100.0
    );
    assert!(
        covered >= 0.85,
        "{name}: a 95% interval should cover the planted +20% in about 19 of 20 worlds, covered in {:.0}%",
        covered * 100.0
    );
    assert!(
        raised >= 0.9,
        "{name}: the planted agent should be on the raise list nearly always, was in {:.0}%",
        raised * 100.0
    );
}

#[test]
fn a_planted_twenty_percent_is_found_and_its_interval_covers_it() {
    assert_planted_found(Trend::Flat, 100, "flat");
}

#[test]
fn the_planted_effect_is_found_when_everyones_spending_falls_forty_percent() {
    assert_planted_found(Trend::FallsForty, 200, "falling 40%");
}

#[test]
fn the_planted_effect_is_found_when_a_season_doubles_spending() {
    assert_planted_found(Trend::SeasonDoubles, 300, "a season doubling");
}

/// Agents with no effect, over many simulated worlds: how often are they flagged (on the
/// raise list or below zero)? A 95% interval should leave about 5% out.
fn null_flag_rate(trend: Trend, worlds: u64) -> f64 {
    let mut flagged = 0;
    let mut trials = 0;
    for seed in 0..worlds {
        let m = run(&world(1000 + seed, trend, 0.0));
        for agent in NULL_AGENTS.iter().copied().chain([PLANTED]) {
            trials += 1;
            let lift = solver_lift(&m, agent);
            let (low, high) = (lift.adjusted.low.unwrap(), lift.adjusted.high.unwrap());
            if low > 0.0 || high < 0.0 {
                flagged += 1;
            }
        }
    }
    flagged as f64 / trials as f64
}

#[test]
fn agents_with_no_effect_are_flagged_about_five_percent_of_the_time() {
    for (trend, name) in [
        (Trend::Flat, "flat"),
        (Trend::FallsForty, "falling 40%"),
        (Trend::SeasonDoubles, "a season doubling"),
    ] {
        let rate = null_flag_rate(trend, 40);
        assert!(
            rate <= 0.09,
            "{name}: agents with no effect flagged in {:.1}% of 240 trials (a 95% interval allows about 5%)",
            rate * 100.0
        );
        eprintln!(
            "{name}: no-effect agents flagged in {:.1}% of 240 trials",
            rate * 100.0
        );
    }
}

#[test]
fn the_raw_figure_is_fooled_by_falling_spending_and_the_adjusted_one_is_not() {
    // Nobody has any effect, but everyone buys less each month: before adjusting, every
    // agent seems to cost sales.
    let m = run(&world(21, Trend::FallsForty, 0.0));
    let raw = m.overall.raw;
    let adjusted = m.overall.adjusted;
    eprintln!("falling 40%, no effect: raw {raw:?}, adjusted {adjusted:?}");
    assert!(
        raw.high.unwrap() < 0.0,
        "the raw interval lies below zero: {raw:?}"
    );
    assert!(
        adjusted.low.unwrap() <= 0.0 && 0.0 <= adjusted.high.unwrap(),
        "the adjusted interval covers 0: {adjusted:?}"
    );
}

#[test]
fn a_case_inside_its_window_or_still_open_is_left_out_and_counted() {
    let mut w = world(31, Trend::Flat, 0.0);
    let now = w.params.now;
    // Solved ten days ago: its 90 days after have not passed.
    w.cases[0].solved = Some((now - Duration::days(10), PLANTED, 1));
    // Still open.
    w.cases[1].solved = None;
    let m = run(&w);
    assert_eq!(m.excluded_inside_window, 1);
    assert_eq!(m.excluded_open, 1);
    assert_eq!(m.cases_compared as usize, w.cases.len() - 2);
    assert_eq!(
        solver_lift(&m, PLANTED).n,
        498,
        "both were the planted agent's"
    );
    assert_eq!(
        m.baseline_customers, 2500,
        "the customers with no case are the baseline"
    );
}

#[test]
fn figures_are_grouped_by_solver_intake_category_road_and_escalation() {
    let m = run(&world(41, Trend::Flat, 0.0));
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
    assert!(
        months.len() >= 15,
        "cases solved over most of two years: {months:?}"
    );
    assert!(
        m.by_solver.iter().all(|g| g.lift.vs_peers.is_some()),
        "each solver is compared with the others of the same category and month"
    );
}
