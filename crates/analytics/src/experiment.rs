//! The report of a delight experiment: per arm, what treated customers felt, did and
//! bought compared with everyone else, each with its interval and the test used; a health
//! panel read before any lift; how many customers a decision needs; and whether the team
//! pays for itself (docs/metrics.md, "Experiments").

pub mod customers;
pub mod health;
pub mod moments;
pub mod planning;
pub mod sequence;

use chrono::{DateTime, Duration, Utc};
use customers::{ArmSums, Quote, Window};
use health::{Compliance, Health};
use moments::{cuped, delta_ratio, wald, welch, Effect, Moments};
use planning::{Payback, Plan};
use roadone_domain::{Arm, PersonId};
use roadone_store::{ExperimentData, ExperimentRecord};
use serde::Serialize;
use std::collections::BTreeMap;

/// Fewer customers than this in an arm and a figure's lift is not stated.
pub const MIN_PER_ARM: u64 = 10;

/// What the report needs besides the data.
#[derive(Debug, Clone)]
pub struct ExperimentParams {
    pub now: DateTime<Utc>,
    /// How long each customer is followed for sales and repeat contacts.
    pub follow_days: u32,
    /// The team, with whether each is still active, by name.
    pub team: Vec<(PersonId, String, bool)>,
    /// New customers in scope a day over the last 30 days.
    pub daily_customers: Option<f64>,
    /// The relative difference in sales a plan is made for.
    pub planned_sales_lift: f64,
    /// The difference in mean rating (in points) a plan is made for.
    pub planned_rating_difference: f64,
}

/// Which way is better for a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

/// One figure compared between the arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub metric: &'static str,
    pub label: &'static str,
    /// `welch`, `wald`, `delta` or `cuped` (Welch's t on the CUPED-adjusted outcome).
    pub test: &'static str,
    pub better: Better,
    pub treated_n: u64,
    pub control_n: u64,
    /// None while either arm has too few customers.
    pub effect: Option<Effect>,
    pub says: String,
}

fn figure(
    metric: &'static str,
    label: &'static str,
    test: &'static str,
    better: Better,
    t: &Moments,
    c: &Moments,
    e: Option<Effect>,
) -> Figure {
    let enough = t.n >= MIN_PER_ARM && c.n >= MIN_PER_ARM;
    let effect = e.filter(|_| enough);
    let says = match &effect {
        None => format!(
            "not enough data: {} treated and {} control customers, at least {MIN_PER_ARM} each \
             needed",
            t.n, c.n
        ),
        Some(e) if e.absolute_low > 0.0 => match better {
            Better::Higher => "better for treated customers, beyond chance".into(),
            Better::Lower => "worse for treated customers, beyond chance".into(),
        },
        Some(e) if e.absolute_high < 0.0 => match better {
            Better::Lower => "better for treated customers, beyond chance".into(),
            Better::Higher => "worse for treated customers, beyond chance".into(),
        },
        Some(_) => "no evidence either way".into(),
    };
    Figure {
        metric,
        label,
        test,
        better,
        treated_n: t.n,
        control_n: c.n,
        effect,
        says,
    }
}

/// A guardrail: harm found at any look, without peeking bias.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardrail {
    pub metric: &'static str,
    pub label: &'static str,
    pub bound: Option<sequence::Guard>,
    pub harm: bool,
    pub says: String,
}

/// The figures of a set of customers (one version, or all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub treated_customers: u64,
    pub control_customers: u64,
    pub treated_cases: u64,
    pub control_cases: u64,
    pub figures: Vec<Figure>,
    /// Sales in the follow-up window: unadjusted and CUPED, side by side.
    pub sales: Figure,
    pub sales_cuped: Figure,
    /// CUPED's θ, and how much of the variance of sales it took out.
    pub cuped_theta: Option<f64>,
    pub cuped_variance_reduction: Option<f64>,
}

/// One version's share of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionFigures {
    pub version: u32,
    pub fraction: f64,
    pub figures: Figures,
}

/// The sums behind a figure, so that anyone can recompute it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SufficientRow {
    pub version: Option<u32>,
    pub arm: Arm,
    pub metric: &'static str,
    pub moments: Moments,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentReport {
    pub key: String,
    pub name: String,
    pub hypothesis: String,
    pub state: &'static str,
    pub now: DateTime<Utc>,
    pub follow_days: u32,
    pub look_back_days: u32,
    pub currency: String,
    pub health: Health,
    /// Why no lift should be read yet, when the health panel says so.
    pub lifts_withheld: Option<String>,
    /// Every version together.
    pub overall: Figures,
    pub by_version: Vec<VersionFigures>,
    pub guardrails: Vec<Guardrail>,
    pub planning: Vec<Plan>,
    pub payback: Payback,
    /// What delighted customers (five stars), the latest first, a few per arm.
    pub quotes: Vec<Quote>,
    pub sufficient: Vec<SufficientRow>,
}

/// How many quotes of each arm the report shows.
pub const QUOTES_PER_ARM: usize = 8;

fn figures_of(t: &ArmSums, c: &ArmSums) -> Figures {
    use Better::*;
    let f = |m, l, test, b, pick: fn(&ArmSums) -> &Moments, e: fn(&Moments, &Moments) -> _| {
        figure(m, l, test, b, pick(t), pick(c), e(pick(t), pick(c)))
    };
    let sales = f(
        "sales",
        "Sales per customer",
        "welch",
        Higher,
        |s| &s.sales,
        welch,
    );
    let adjusted = cuped(&t.sales, &c.sales);
    let sales_cuped = figure(
        "sales",
        "Sales per customer (CUPED)",
        "cuped",
        Higher,
        &t.sales,
        &c.sales,
        adjusted.map(|a| a.0),
    );
    let reduction = match (&sales.effect, &sales_cuped.effect) {
        (Some(raw), Some(adj)) if raw.se > 0.0 => Some(1.0 - (adj.se / raw.se).powi(2)),
        _ => None,
    };
    Figures {
        treated_customers: t.customers,
        control_customers: c.customers,
        treated_cases: t.cases,
        control_cases: c.cases,
        figures: vec![
            f(
                "rating",
                "Mean rating",
                "delta",
                Higher,
                |s| &s.rating,
                delta_ratio,
            ),
            f(
                "top_box",
                "Five-star share",
                "delta",
                Higher,
                |s| &s.top_box,
                delta_ratio,
            ),
            f(
                "recommend",
                "Would recommend",
                "delta",
                Higher,
                |s| &s.recommend,
                delta_ratio,
            ),
            f(
                "repeat_share",
                "Wrote again within the window",
                "wald",
                Lower,
                |s| &s.repeat_share,
                wald,
            ),
            f(
                "repeat_contacts",
                "Repeat contacts per customer",
                "welch",
                Lower,
                |s| &s.repeat_contacts,
                welch,
            ),
            f(
                "hours_to_solve",
                "Hours to solve",
                "delta",
                Lower,
                |s| &s.hours_to_solve,
                delta_ratio,
            ),
            f(
                "escalated",
                "Escalated share of cases",
                "delta",
                Lower,
                |s| &s.escalated,
                delta_ratio,
            ),
            f(
                "passed_up",
                "Passed up share of cases",
                "delta",
                Lower,
                |s| &s.passed_up,
                delta_ratio,
            ),
        ],
        sales,
        sales_cuped,
        cuped_theta: adjusted.map(|a| a.1),
        cuped_variance_reduction: reduction,
    }
}

fn sufficient(version: Option<u32>, arm: Arm, s: &ArmSums, into: &mut Vec<SufficientRow>) {
    let rows: [(&'static str, &Moments); 10] = [
        ("sales", &s.sales),
        ("rating", &s.rating),
        ("top_box", &s.top_box),
        ("recommend", &s.recommend),
        ("repeat_share", &s.repeat_share),
        ("repeat_contacts", &s.repeat_contacts),
        ("hours_to_solve", &s.hours_to_solve),
        ("escalated", &s.escalated),
        ("passed_up", &s.passed_up),
        ("mean_rating", &s.mean_rating),
    ];
    into.extend(rows.into_iter().map(|(metric, m)| SufficientRow {
        version,
        arm,
        metric,
        moments: *m,
    }));
}

/// The report of `record` over `data` (from `ExperimentStore::experiment_data`).
pub fn report(
    record: &ExperimentRecord,
    data: &ExperimentData,
    p: &ExperimentParams,
) -> ExperimentReport {
    let e = &record.experiment;
    let window = Window {
        now: p.now,
        follow: Duration::days(i64::from(p.follow_days)),
        running: record.running_periods(),
        team: e.settings.team.iter().copied().collect(),
    };
    // Cases come by customer and opening: walk both lists together.
    let mut by_version: BTreeMap<u32, (ArmSums, ArmSums)> = BTreeMap::new();
    let mut quotes = Vec::new();
    let mut next = 0;
    for c in &data.customers {
        while next < data.cases.len() && data.cases[next].customer_id < c.customer_id {
            next += 1;
        }
        let start = next;
        while next < data.cases.len() && data.cases[next].customer_id == c.customer_id {
            next += 1;
        }
        let arms = by_version.entry(c.version).or_default();
        let sums = match c.arm {
            Arm::Treated => &mut arms.0,
            Arm::Control => &mut arms.1,
        };
        customers::add(sums, &window, c, &data.cases[start..next], &mut quotes);
    }
    let (mut t, mut c) = (ArmSums::default(), ArmSums::default());
    let mut versions = Vec::new();
    let mut srm = Vec::new();
    let mut rows = Vec::new();
    for (version, (vt, vc)) in &by_version {
        let fraction = record
            .versions
            .iter()
            .find(|v| v.version == *version)
            .map_or(e.settings.fraction, |v| v.settings.fraction);
        srm.push(health::sample_ratio(
            *version,
            fraction,
            vt.customers,
            vc.customers,
        ));
        versions.push(VersionFigures {
            version: *version,
            fraction,
            figures: figures_of(vt, vc),
        });
        sufficient(Some(*version), Arm::Treated, vt, &mut rows);
        sufficient(Some(*version), Arm::Control, vc, &mut rows);
        merge(&mut t, vt);
        merge(&mut c, vc);
    }
    sufficient(None, Arm::Treated, &t, &mut rows);
    sufficient(None, Arm::Control, &c, &mut rows);
    let health = health_of(srm, &t, &c, p);
    let lifts_withheld = (!health.ok).then(|| {
        "the health panel found a problem: read it first; the figures below may be wrong"
            .to_string()
    });
    let overall = figures_of(&t, &c);
    quotes.sort_by_key(|q| std::cmp::Reverse(q.at));
    let mut shown: BTreeMap<Arm, usize> = BTreeMap::new();
    quotes.retain(|q| {
        let n = shown.entry(q.arm).or_default();
        *n += 1;
        *n <= QUOTES_PER_ARM
    });
    let days_run: f64 = window
        .running
        .iter()
        .map(|(from, to)| {
            (to.unwrap_or(p.now).min(p.now) - *from)
                .num_seconds()
                .max(0) as f64
        })
        .sum::<f64>()
        / 86_400.0;
    let treated_per_month = if days_run >= 1.0 {
        t.customers as f64 * 30.0 / days_run
    } else {
        0.0
    };
    ExperimentReport {
        key: e.key.clone(),
        name: e.settings.name.clone(),
        hypothesis: e.settings.hypothesis.clone(),
        state: e.state.as_str(),
        now: p.now,
        follow_days: p.follow_days,
        look_back_days: e.settings.look_back_days,
        currency: e.settings.currency.clone(),
        lifts_withheld,
        guardrails: guardrails(&t, &c, e.settings.fraction, p),
        planning: plans(&t, &c, e.settings.fraction, p),
        payback: planning::payback(
            e.settings.monthly_cost,
            &e.settings.currency,
            treated_per_month,
            overall.sales_cuped.effect.as_ref(),
        ),
        health,
        overall,
        by_version: versions,
        quotes,
        sufficient: rows,
    }
}

fn merge(into: &mut ArmSums, s: &ArmSums) {
    into.customers += s.customers;
    into.cases += s.cases;
    into.served_by_team += s.served_by_team;
    into.placed_while_off += s.placed_while_off;
    for (a, b) in [
        (&mut into.sales, &s.sales),
        (&mut into.repeat_share, &s.repeat_share),
        (&mut into.repeat_contacts, &s.repeat_contacts),
        (&mut into.rating, &s.rating),
        (&mut into.top_box, &s.top_box),
        (&mut into.recommend, &s.recommend),
        (&mut into.hours_to_solve, &s.hours_to_solve),
        (&mut into.escalated, &s.escalated),
        (&mut into.passed_up, &s.passed_up),
        (&mut into.mean_rating, &s.mean_rating),
    ] {
        a.add(b);
    }
}

fn health_of(
    srm: Vec<health::SampleRatio>,
    t: &ArmSums,
    c: &ArmSums,
    p: &ExperimentParams,
) -> Health {
    let mut notes: Vec<String> = p
        .team
        .iter()
        .filter(|(_, _, active)| !active)
        .map(|(_, name, _)| {
            format!(
                "{name} of the team has been deactivated: treated customers' cases go to the \
                 rest of the team, or as every case goes if nobody is left (they stay treated)"
            )
        })
        .collect();
    let compliance = Compliance {
        treated_cases: t.cases,
        treated_served_by_team: t.served_by_team,
        share: (t.cases > 0).then(|| t.served_by_team as f64 / t.cases as f64),
        control_cases: c.cases,
        control_served_by_team: c.served_by_team,
    };
    if let Some(share) = compliance.share.filter(|s| *s < 0.9) {
        notes.push(format!(
            "only {:.0}% of treated customers' cases were opened with a member of the team: \
             figures are by assignment (intention to treat), so they understate what the team \
             does",
            share * 100.0
        ));
    }
    let off = t.placed_while_off + c.placed_while_off;
    if off > 0 {
        notes.push(format!(
            "{off} customers were placed while the experiment was not running"
        ));
    }
    let ok = off == 0 && !srm.iter().any(|s| s.alarm);
    Health {
        sample_ratio: srm,
        assigned_while_off: off,
        compliance,
        notes,
        ok,
    }
}

/// The planned customers per arm a guardrail's boundary is tuned for.
fn planned_per_arm(share: f64, p: &ExperimentParams) -> (f64, f64) {
    let total = p.daily_customers.unwrap_or(100.0) * 90.0;
    ((total * share).max(10.0), (total * (1.0 - share)).max(10.0))
}

fn guardrails(t: &ArmSums, c: &ArmSums, share: f64, p: &ExperimentParams) -> Vec<Guardrail> {
    let planned = planned_per_arm(share, p);
    let one = |metric, label, tm: &Moments, cm: &Moments, better: Better| {
        let bound = sequence::guard(tm, cm, planned);
        let harm = bound.is_some_and(|b| match better {
            Better::Higher => b.high < 0.0,
            Better::Lower => b.low > 0.0,
        });
        let says = match (&bound, harm) {
            (None, _) => "not enough data yet".to_string(),
            (Some(_), true) => "harm: treated customers fare worse at this look; stop and \
                                find out why"
                .to_string(),
            (Some(_), false) => "no harm shown".to_string(),
        };
        Guardrail {
            metric,
            label,
            bound,
            harm,
            says,
        }
    };
    vec![
        one(
            "mean_rating",
            "Mean rating of those who rated",
            &t.mean_rating,
            &c.mean_rating,
            Better::Higher,
        ),
        one(
            "repeat_contacts",
            "Repeat contacts per customer",
            &t.repeat_contacts,
            &c.repeat_contacts,
            Better::Lower,
        ),
    ]
}

fn plans(t: &ArmSums, c: &ArmSums, share: f64, p: &ExperimentParams) -> Vec<Plan> {
    let mut all = t.sales;
    all.add(&c.sales);
    let (mean, sd) = if all.n >= 2 {
        (all.mean_y(), all.var_y().sqrt())
    } else {
        (0.0, 0.0)
    };
    let sales = planning::plan(
        "sales",
        "Sales per customer",
        (mean * p.planned_sales_lift).abs(),
        sd,
        share,
        1.0,
        p.daily_customers,
        all.n,
    );
    let mut ratings = t.mean_rating;
    ratings.add(&c.mean_rating);
    let customers = (t.customers + c.customers).max(1) as f64;
    let rated_share = ratings.n as f64 / customers;
    let rating = planning::plan(
        "rating",
        "Mean rating",
        p.planned_rating_difference,
        if ratings.n >= 2 {
            ratings.var_y().sqrt()
        } else {
            0.0
        },
        share,
        if rated_share > 0.0 { rated_share } else { 1.0 },
        p.daily_customers,
        t.customers + c.customers,
    );
    vec![sales, rating]
}
