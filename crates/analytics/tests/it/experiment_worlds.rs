//! The experiment report against simulated worlds whose truth is known: customers split by
//! the real hash, a planted effect on sales and rating (or none), and the intervals,
//! p-values and alarms the report gives, counted over many worlds.

use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_analytics::experiment::{report, ExperimentParams, ExperimentReport};
use roadone_analytics::stats::Rng;
use roadone_domain::assignment::bucket;
use roadone_domain::{Arm, Channel, Experiment, ExperimentSettings, ExperimentState};
use roadone_store::{
    AssignedCustomer, ExperimentCase, ExperimentData, ExperimentEvent, ExperimentRecord,
    ExperimentVersion,
};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn record(key: &str, fraction: f64) -> ExperimentRecord {
    let settings = ExperimentSettings {
        name: "Delight desk".into(),
        hypothesis: String::new(),
        team: vec![1],
        fraction,
        channels: vec![Channel::Email],
        categories: vec![],
        planned_start: start(),
        planned_end: start() + Duration::days(180),
        monthly_cost: 0.0,
        currency: "EUR".into(),
        look_back_days: 90,
    };
    ExperimentRecord {
        experiment: Experiment {
            key: key.into(),
            state: ExperimentState::Running,
            version: 1,
            settings: settings.clone(),
        },
        created_at: start(),
        created_by: 1,
        versions: vec![ExperimentVersion {
            version: 1,
            settings,
            saved_at: start(),
            saved_by: 1,
        }],
        events: vec![ExperimentEvent {
            kind: "started".into(),
            version: 1,
            at: start(),
            by: 1,
        }],
    }
}

fn params() -> ExperimentParams {
    ExperimentParams {
        now: start() + Duration::days(120),
        follow_days: 30,
        team: vec![(1, "Tess Team".into(), true)],
        daily_customers: Some(50.0),
        planned_sales_lift: 0.1,
        planned_rating_difference: 0.25,
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// A world: what each customer bought before (their own level), what they buy after (the
/// same level, noise, and `sales_effect` if treated), and one rated case each (rating
/// raised by `rating_effect` if treated, on a 1–5 scale).
struct World {
    customers: u64,
    /// The share the experiment is configured with.
    fraction: f64,
    /// The share really treated (a broken split when it is not `fraction`).
    split: f64,
    sales_effect: f64,
    rating_effect: f64,
}

fn simulate(w: &World, seed: u64) -> ExperimentReport {
    let key = format!("world-{seed}");
    let mut rng = Rng::new(seed);
    let mut data = ExperimentData::default();
    for id in 1..=w.customers as i64 {
        let arm = if bucket(&key, &id.to_string()) < w.split {
            Arm::Treated
        } else {
            Arm::Control
        };
        let level = 60.0 + 40.0 * normal(&mut rng);
        let before = level * 3.0 + 30.0 * normal(&mut rng);
        let treated = f64::from(u8::from(arm == Arm::Treated));
        let after = level + 20.0 * normal(&mut rng) + treated * w.sales_effect;
        let assigned_at = start() + Duration::minutes(id % 40_000);
        data.customers.push(AssignedCustomer {
            customer_id: id,
            arm,
            version: 1,
            assigned_at,
            sales_before_cents: (before * 100.0).round() as i64,
            contacts_before: 0,
            sales_after_cents: (after * 100.0).round() as i64,
        });
        let latent = 3.6 + 0.9 * normal(&mut rng) + treated * w.rating_effect;
        let score = latent.round().clamp(1.0, 5.0) as u8;
        data.cases.push(ExperimentCase {
            case_id: id,
            customer_id: id,
            opened_at: assigned_at,
            first_owner: if arm == Arm::Treated { 1 } else { 2 },
            solved_at: Some(assigned_at + Duration::hours(5)),
            passed_up: false,
            escalated: false,
            rating: Some((score, score >= 4, String::new())),
        });
    }
    report(&record(&key, w.fraction), &data, &params())
}

/// The mean rating a latent N(mean, 0.9) rounds and clamps to on 1–5.
fn rounded_mean(mean: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let d = Normal::new(mean, 0.9).unwrap();
    let mut m = 0.0;
    for s in 1..=5 {
        let lo = if s == 1 {
            f64::NEG_INFINITY
        } else {
            s as f64 - 0.5
        };
        let hi = if s == 5 {
            f64::INFINITY
        } else {
            s as f64 + 0.5
        };
        m += s as f64 * (d.cdf(hi) - d.cdf(lo));
    }
    m
}

const WORLDS: u64 = 1000;

#[test]
fn intervals_cover_a_planted_effect_in_95_percent_of_worlds() {
    let w = World {
        customers: 400,
        fraction: 0.5,
        split: 0.5,
        sales_effect: 6.0,
        rating_effect: 0.3,
    };
    let true_rating = rounded_mean(3.9) - rounded_mean(3.6);
    let (mut raw, mut adjusted, mut rating) = (0, 0, 0);
    let (mut sum_raw, mut sum_adjusted, mut narrower) = (0.0, 0.0, 0);
    for seed in 0..WORLDS {
        let r = simulate(&w, seed);
        let s = r.overall.sales.effect.expect("sales");
        let c = r.overall.sales_cuped.effect.expect("cuped");
        raw += u32::from(s.absolute_low <= 6.0 && 6.0 <= s.absolute_high);
        adjusted += u32::from(c.absolute_low <= 6.0 && 6.0 <= c.absolute_high);
        sum_raw += s.absolute;
        sum_adjusted += c.absolute;
        narrower += u32::from(c.se < s.se);
        let k = r
            .overall
            .figures
            .iter()
            .find(|f| f.metric == "rating")
            .unwrap();
        let k = k.effect.expect("rating");
        rating += u32::from(k.absolute_low <= true_rating && true_rating <= k.absolute_high);
    }
    let share = |n: u32| f64::from(n) / WORLDS as f64;
    eprintln!(
        "coverage: sales {:.3}, CUPED {:.3}, rating {:.3}; CUPED narrower in {narrower}",
        share(raw),
        share(adjusted),
        share(rating)
    );
    for (what, n) in [
        ("sales", raw),
        ("sales (CUPED)", adjusted),
        ("rating", rating),
    ] {
        assert!(
            (0.93..=0.97).contains(&share(n)),
            "{what}: the 95% interval covered the truth in {:.1}% of worlds",
            share(n) * 100.0
        );
    }
    // CUPED: unbiased, and narrower on correlated history in (nearly) every world.
    let (mean_raw, mean_adjusted) = (sum_raw / WORLDS as f64, sum_adjusted / WORLDS as f64);
    assert!(
        (mean_adjusted - 6.0).abs() < 0.3,
        "CUPED mean {mean_adjusted}"
    );
    assert!((mean_raw - 6.0).abs() < 0.6, "unadjusted mean {mean_raw}");
    assert!(
        share(narrower) > 0.99,
        "CUPED narrower in {narrower} worlds"
    );
}

#[test]
fn with_no_effect_about_5_percent_of_worlds_find_one() {
    let w = World {
        customers: 400,
        fraction: 0.5,
        split: 0.5,
        sales_effect: 0.0,
        rating_effect: 0.0,
    };
    let (mut sales, mut rating) = (0, 0);
    for seed in 10_000..10_000 + WORLDS {
        let r = simulate(&w, seed);
        sales += u32::from(r.overall.sales_cuped.effect.unwrap().p_value < 0.05);
        let k = r
            .overall
            .figures
            .iter()
            .find(|f| f.metric == "rating")
            .unwrap();
        rating += u32::from(k.effect.unwrap().p_value < 0.05);
    }
    eprintln!("false positives: sales {sales}, rating {rating} of {WORLDS}");
    for (what, n) in [("sales", sales), ("rating", rating)] {
        let rate = f64::from(n) / WORLDS as f64;
        assert!(
            (0.03..=0.07).contains(&rate),
            "{what}: {:.1}% false positives",
            rate * 100.0
        );
    }
}

#[test]
fn the_split_alarm_fires_for_a_broken_split_and_not_for_a_sound_one_percent() {
    // Sound: 1% of 100,000 customers by the hash; no world raises the alarm.
    let mut alarms = 0;
    for seed in 0..20 {
        let w = World {
            customers: 100_000,
            fraction: 0.01,
            split: 0.01,
            sales_effect: 0.0,
            rating_effect: 0.0,
        };
        let r = simulate(&w, seed);
        let srm = &r.health.sample_ratio[0];
        assert!(srm.p_value.is_some(), "{srm:?}");
        alarms += u32::from(srm.alarm);
        assert!(r.health.ok && r.lifts_withheld.is_none());
    }
    assert_eq!(alarms, 0, "a sound 1% split raised the alarm");
    // Broken: configured at 1%, 1.3% were treated.
    let w = World {
        customers: 100_000,
        fraction: 0.01,
        split: 0.013,
        sales_effect: 0.0,
        rating_effect: 0.0,
    };
    let r = simulate(&w, 99);
    let srm = &r.health.sample_ratio[0];
    assert!(srm.alarm, "{srm:?}");
    assert!(srm.says.contains("broken"), "{}", srm.says);
    assert!(!r.health.ok && r.lifts_withheld.is_some());
    // A small split drifting by under 5% of itself is not an alarm, however many customers.
    let drift = roadone_analytics::experiment::health::sample_ratio(1, 0.01, 1_030_000, 98_970_000);
    assert!(!drift.alarm && drift.p_value.unwrap() < 0.001, "{drift:?}");
    // Too few customers: no test at all.
    let few = roadone_analytics::experiment::health::sample_ratio(1, 0.01, 1, 300);
    assert!(few.p_value.is_none() && !few.alarm);
}

#[test]
fn at_one_percent_a_decision_needs_about_25_times_the_customers_of_an_even_split() {
    let w = World {
        customers: 20_000,
        fraction: 0.01,
        split: 0.01,
        sales_effect: 0.0,
        rating_effect: 0.0,
    };
    let r = simulate(&w, 5);
    let plan = r.planning.iter().find(|p| p.metric == "sales").unwrap();
    assert!(
        (25.0..26.0).contains(&plan.times_even_split),
        "{}",
        plan.times_even_split
    );
    assert!(plan.total_needed > plan.total_at_even_split * 25);
    assert!(plan.days_needed.unwrap() > 0.0);
    assert_eq!(
        plan.more_needed,
        plan.total_needed.saturating_sub(plan.have)
    );
}

/// Looks at a rating guardrail after every 25 customers of a run of 2,000: how often any
/// look shows harm (`effect` is what treatment does to the rating).
/// Also how often peeking at a fixed 95% interval at the same looks would have.
fn any_look_harms(effect: f64, worlds: u64) -> (u64, u64) {
    use roadone_analytics::experiment::moments::Moments;
    use roadone_analytics::experiment::sequence::guard;
    let (mut harmed, mut peeked) = (0, 0);
    for seed in 0..worlds {
        let mut rng = Rng::new(77_000 + seed);
        let (mut t, mut c) = (Moments::default(), Moments::default());
        let mut naive = false;
        let mut seen = false;
        for i in 1..=2000u64 {
            let treated = rng.unit() < 0.5;
            let y = 3.8 + normal(&mut rng) + if treated { effect } else { 0.0 };
            if treated {
                t.push(y, 0.0)
            } else {
                c.push(y, 0.0)
            }
            if i % 25 == 0 {
                if let Some(g) = guard(&t, &c, (1000.0, 1000.0)) {
                    seen |= g.high < 0.0;
                }
                // What peeking at a fixed 95% interval would say.
                if let Some(e) = roadone_analytics::experiment::moments::welch(&t, &c) {
                    naive |= e.absolute_high < 0.0;
                }
            }
        }
        harmed += u64::from(seen);
        peeked += u64::from(naive);
    }
    (harmed, peeked)
}

#[test]
fn the_guardrail_stops_a_harmful_arm_and_rarely_a_harmless_one_however_often_looked_at() {
    let (harmless, peeking) = any_look_harms(0.0, 300);
    assert!(
        harmless <= 8,
        "a harmless arm showed harm in {harmless} of 300 runs"
    );
    // The bias the sequence avoids: a fixed interval read at every look cries harm far
    // more often than its 2.5% one side.
    assert!(
        peeking > 3 * harmless.max(5),
        "peeking: {peeking}, sequence: {harmless}"
    );
    let (harmful, _) = any_look_harms(-0.4, 100);
    assert!(
        harmful >= 95,
        "a harmful arm was caught in only {harmful} of 100 runs"
    );
}
