//! Purchase logs with the structure that fooled the first customer math: cohorts whose
//! spending decays with age at different rates, most customers buying nothing in a
//! 90-day window, a season, a price change, contacts drawn mostly from older and busier
//! customers, several cases for some — and an effect planted for some solvers, whose true
//! size is worked out from the generator's own rates, not assumed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_analytics::customer_math::MathParams;
use roadone_analytics::stats::Rng;
use roadone_store::{CaseOutcome, OrderAmount};
use std::collections::HashMap;

pub const DAYS: i64 = 730;
pub const W: i64 = 90;

#[derive(Clone, Copy, Debug)]
pub enum Effect {
    None,
    /// Orders come (1 + x) times as often in the W days after each of the solver's solves.
    Scale(f64),
    /// After each of the solver's solves, this share of customers buys one more item.
    ExtraItem(f64),
}

#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub customers: usize,
    pub solvers: i64,
    /// Solvers 1..=planted have the effect; the others have none.
    pub planted: i64,
    pub effect: Effect,
}

impl Spec {
    pub fn new(effect: Effect, planted: i64) -> Spec {
        Spec {
            customers: 16_000,
            solvers: 12,
            planted,
            effect,
        }
    }
}

pub struct World {
    pub cases: Vec<CaseOutcome>,
    pub orders: Vec<OrderAmount>,
    pub params: MathParams,
    /// The true lift of each planted solver: Σ expected after with the effect ÷ Σ without.
    pub truth: HashMap<i64, f64>,
    /// Each case's expected "after" had nobody any effect, in case order.
    pub oracle: Vec<f64>,
    /// Per customer, for checks of the generator itself.
    pub first_order_day: Vec<i64>,
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn season(d: i64) -> f64 {
    if d % 365 >= 305 {
        1.6
    } else {
        1.0
    }
}

fn price(d: i64) -> f64 {
    if d >= 400 {
        1.15
    } else {
        1.0
    }
}

/// The mean of an order's log-normal noise, e^(σ²/2) with σ = 0.4.
const NOISE_MEAN: f64 = 1.083_287_067_674_958_6;

struct Customer {
    joined: i64,
    rate: f64,
    /// Days over which spending decays towards a quarter of its first level.
    decay: f64,
    basket: f64,
}

impl Customer {
    fn draw(rng: &mut Rng) -> Customer {
        let joined = (rng.unit() * 640.0) as i64;
        // Each quarter's cohort ages at its own pace.
        let decay = 80.0 + 70.0 * ((joined / 91) % 3) as f64;
        Customer {
            joined,
            rate: 0.009 * (1.1 * normal(rng)).exp(),
            decay,
            basket: 4000.0 * (0.5 * normal(rng)).exp(),
        }
    }

    /// The chance of an order on day `d` with no effect.
    fn chance(&self, d: i64) -> f64 {
        let age = (d - self.joined) as f64;
        (self.rate * (0.1 + 0.9 * (-age / self.decay).exp()) * season(d)).min(0.9)
    }

    fn scaled(&self, d: i64, x: f64) -> f64 {
        (self.chance(d) * (1.0 + x)).min(0.9)
    }

    fn expected(&self, d: i64) -> f64 {
        self.chance(d) * self.basket * price(d) * NOISE_MEAN
    }

    fn expected_scaled(&self, d: i64, x: f64) -> f64 {
        self.scaled(d, x) * self.basket * price(d) * NOISE_MEAN
    }
}

pub fn world(seed: u64, spec: Spec) -> World {
    let mut rng = Rng::new(seed);
    let people: Vec<Customer> = (0..spec.customers)
        .map(|_| Customer::draw(&mut rng))
        .collect();
    let mut cases = Vec::new();
    let mut orders = Vec::new();
    let mut sums: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut oracle = Vec::new();
    for (c, p) in people.iter().enumerate() {
        // Whoever would solve this customer's cases; a customer keeps one solver.
        let solver = 1 + (rng.next_u64() % spec.solvers as u64) as i64;
        let effect = if solver <= spec.planted {
            spec.effect
        } else {
            Effect::None
        };
        let mut windows: Vec<(i64, i64)> = Vec::new();
        let mut contact: Option<i64> = None;
        for d in p.joined..DAYS {
            if contact == Some(d) {
                contact = None;
                let solved = d + (rng.unit() * 3.0) as i64;
                let (from, to) = (solved + 1, solved + 1 + W);
                windows.push((from, to));
                cases.push(CaseOutcome {
                    case_id: cases.len() as i64 + 1,
                    customer_id: c as i64,
                    category: ["billing", "delivery"][c % 2].into(),
                    opened_at: start() + Duration::days(d) + Duration::hours(10),
                    intake_owner: 1000 + (c % 3) as i64,
                    solved: Some((
                        start() + Duration::days(solved) + Duration::hours(15),
                        solver,
                        (c % 4 + 1) as u8,
                    )),
                    escalated: c % 25 == 0,
                });
                oracle.push((from..to).map(|d| p.expected(d)).sum());
                if solver <= spec.planted {
                    let without: f64 = (from..to).map(|d| p.expected(d)).sum();
                    let with = match effect {
                        Effect::Scale(x) => (from..to).map(|d| p.expected_scaled(d, x)).sum(),
                        Effect::ExtraItem(share) => {
                            without
                                + share * p.basket * (from..to).map(price).sum::<f64>() / W as f64
                        }
                        Effect::None => without,
                    };
                    let t = sums.entry(solver).or_default();
                    t.0 += with;
                    t.1 += without;
                    if let Effect::ExtraItem(share) = effect {
                        if rng.unit() < share {
                            let on = from + (rng.unit() * W as f64) as i64;
                            orders.push(order_on(c, on, p.basket * price(on)));
                        }
                    }
                }
            }
            let boosted = windows.iter().any(|(a, b)| (*a..*b).contains(&d));
            let chance = match effect {
                Effect::Scale(x) if boosted => p.scaled(d, x),
                _ => p.chance(d),
            };
            if d == p.joined || rng.unit() < chance {
                let amount = p.basket * price(d) * (0.4 * normal(&mut rng)).exp();
                orders.push(order_on(c, d, amount));
                // An order sometimes brings a question a few days later, more often from
                // customers of longer standing.
                let age = ((d - p.joined) as f64 / 365.0).min(1.0);
                let opens = d + 1 + (rng.unit() * 5.0) as i64;
                if contact.is_none()
                    && windows.len() < 3
                    && (2 * W..DAYS - W - 10).contains(&opens)
                    && rng.unit() < CONTACT * (0.05 + age)
                {
                    contact = Some(opens);
                }
            }
        }
    }
    orders.sort_by_key(|o| o.ordered_at);
    World {
        cases,
        orders,
        params: MathParams {
            window_days: W,
            now: start() + Duration::days(DAYS),
            ..MathParams::default()
        },
        oracle,
        truth: sums
            .into_iter()
            .map(|(s, (w, wo))| (s, w / wo - 1.0))
            .collect(),
        first_order_day: people.iter().map(|p| p.joined).collect(),
    }
}

/// The chance that an order brings a case, for a customer of a year or more.
const CONTACT: f64 = 0.12;

fn order_on(customer: usize, d: i64, amount: f64) -> OrderAmount {
    OrderAmount {
        customer_id: customer as i64,
        ordered_at: start() + Duration::days(d) + Duration::hours(12),
        amount_cents: amount.round() as i64,
    }
}
