//! The matched baseline: what a contacted customer would have bought had they moved like
//! the customers who are like them. "Like them" means first of all *the same age*:
//! customers who started buying within two groups of them, looked at over the same days of
//! their lives (each peer's windows are the case's windows moved by the days between the
//! two first orders). Spending changes fastest in a customer's first months and cohorts
//! age at their own pace, so a calendar-aligned comparison charges older or younger
//! customers' drift to the agent; and what someone has bought so far means little until
//! one knows for how many days they have been buying.
//!
//! Within the peers, a straight line on the customer's own history (line.rs) moves the
//! peers' mean "after" to this customer's level of spending. When fewer than
//! `min_peers` started near enough, the start span widens (six groups, seventeen groups,
//! then anyone), and each case records which level it used.
//!
//! Everyone with orders counts as a peer, whether or not they ever contacted us (except
//! the customer themself): leaving out those who wrote biases the baseline low, because
//! buying brings questions, so those who buy more are the ones who write.

use super::history::Purchases;
use super::line::{fit, Moments, K};
use std::collections::HashMap;

/// The levels, finest first, as the page and the API name them.
pub const LEVELS: [&str; 4] = [
    "customers who started buying within 2 groups of them, at the same age",
    "customers who started buying within 6 groups of them, at the same age",
    "customers who started buying within 17 groups of them, at the same age",
    "any customer, at the same age",
];

/// Days either side of the customer's first order, per level (the last: any).
const SPANS: [i64; 4] = [15, 45, 120, ANY_START];

/// Customers are grouped by the day they started buying, or by runs of a few days when
/// their first orders span more than this many days (the grid stays a few megabytes).
const MAX_START_GROUPS: i64 = 1000;

/// The line is fitted once per start group, level and age at the opening: to the day for
/// the first eight groups (what a count of orders means depends on the days behind it),
/// then by four groups.
const AGE_BUCKET: i64 = 28;
const EXACT_AGES: i64 = 56;

fn age_key(age: i64) -> i64 {
    if age < EXACT_AGES {
        age
    } else {
        EXACT_AGES + (age - EXACT_AGES) / AGE_BUCKET
    }
}

/// The age a key's line is fitted at: the day itself, or the middle of its four groups.
fn age_of_key(key: i64) -> i64 {
    if key < EXACT_AGES {
        key
    } else {
        EXACT_AGES + (key - EXACT_AGES) * AGE_BUCKET + AGE_BUCKET / 2
    }
}

/// A reach in days that takes in every start (the last level), far from overflowing.
const ANY_START: i64 = 1 << 40;

/// Peers for the line, taken at most this many per fit (evenly spread over the span).
const FIT_PEERS: usize = 1000;

/// One case's own figures, as the baseline needs them.
pub(crate) struct CaseDays {
    pub first_order: i64,
    /// Where the customer's usual spending is read: the opening of the first of a run of
    /// cases (see `anchors`), so that an earlier case's effect is not taken for it.
    pub anchor: i64,
    pub after_from: i64,
    pub before: f64,
    pub prior: f64,
    pub before_orders: f64,
    pub after: f64,
}

/// What the peers predict for a case.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expectation {
    pub expected: f64,
    /// Cases with the same fit share most of their peers, so their prediction errors move
    /// together: the id of that fit.
    pub shared: u64,
    /// The variance of the peers' mean prediction.
    pub mean_var: f64,
    /// The index in `LEVELS`.
    pub level: u8,
}

/// Spending by start group and age, summed twice over (2-D running totals), so that the
/// sum over any run of start groups and any run of ages is four lookups.
struct Grid {
    ages: usize,
    cells: Vec<f64>,
}

impl Grid {
    fn new(groups: usize, ages: usize, items: impl Iterator<Item = (usize, usize, f64)>) -> Grid {
        let stride = ages + 1;
        let mut cells = vec![0.0; (groups + 1) * stride];
        for (group, age, v) in items {
            cells[(group + 1) * stride + age + 1] += v;
        }
        for w in 1..=groups {
            for a in 1..=ages {
                cells[w * stride + a] += cells[(w - 1) * stride + a] + cells[w * stride + a - 1]
                    - cells[(w - 1) * stride + a - 1];
            }
        }
        Grid { ages, cells }
    }

    /// The sum over start groups `[w0, w1)` and ages `[a0, a1)` (clipped to the grid).
    fn sum(&self, w0: usize, w1: usize, a0: i64, a1: i64) -> f64 {
        let stride = self.ages + 1;
        let clip = |a: i64| a.clamp(0, self.ages as i64) as usize;
        let (a0, a1) = (clip(a0), clip(a1));
        let at = |w: usize, a: usize| self.cells[w * stride + a];
        at(w1, a1) - at(w0, a1) - at(w1, a0) + at(w0, a0)
    }
}

pub(crate) struct Cohorts<'a> {
    purchases: &'a Purchases,
    /// The first day of start group 0, and the days each group spans.
    first: i64,
    bucket: i64,
    groups: usize,
    spent: Grid,
    orders: Grid,
    /// customers_before[w] = how many customers started before group w.
    customers_before: Vec<f64>,
    /// (first order day, customer number), by day: the peers for the line.
    by_first: Vec<(i64, usize)>,
    today: i64,
    min_peers: u32,
    /// The fitted lines (`fit_lines`).
    lines: HashMap<LineKey, Line>,
}

/// A fitted line: slopes, the residual variance, the fit's own means of the covariates
/// (for those the grid cannot sum by day), and an id for the cases sharing it.
#[derive(Clone, Copy)]
struct Line {
    slope: [f64; K],
    residual: f64,
    means: [f64; K],
    id: u64,
}

/// Level, start week, age at the anchor (see `age_key`), weeks from the anchor to the
/// start of "after".
type LineKey = (u8, i64, i64, i64);

impl<'a> Cohorts<'a> {
    pub(crate) fn new(purchases: &'a Purchases, today: i64, min_peers: u32) -> Cohorts<'a> {
        // Customers are numbered by their first order, so this is already in day order.
        let by_first: Vec<(i64, usize)> = (0..purchases.customers())
            .map(|c| (purchases.first_day(c), c))
            .collect();
        let first = by_first.first().map_or(0, |f| f.0);
        let last = by_first.last().map_or(0, |f| f.0);
        let bucket = ((last - first + 1) / MAX_START_GROUPS + 1).max(1);
        let groups = ((last - first) / bucket + 1) as usize;
        let ages = (today - first).max(1) as usize;
        let group_of = |f: i64| ((f - first) / bucket) as usize;
        let mut customers_before = vec![0.0; groups + 1];
        for (f, _) in &by_first {
            customers_before[group_of(*f) + 1] += 1.0;
        }
        for w in 1..=groups {
            customers_before[w] += customers_before[w - 1];
        }
        let items = |count: bool| {
            by_first.iter().flat_map(move |(f, c)| {
                purchases.orders(*c, *f, today).map(move |(d, v)| {
                    (group_of(*f), (d - f) as usize, if count { 1.0 } else { v })
                })
            })
        };
        Cohorts {
            purchases,
            first,
            bucket,
            groups,
            spent: Grid::new(groups, ages, items(false)),
            orders: Grid::new(groups, ages, items(true)),
            customers_before,
            by_first,
            today,
            min_peers,
            lines: HashMap::new(),
        }
    }

    /// The start groups `[w0, w1)` a level allows around a customer who started in group
    /// `group`, keeping only those whose "after" at that age has all passed.
    fn span(&self, level: usize, group: i64, after_age_end: i64) -> (usize, usize) {
        let latest_start = self.today - after_age_end; // started on or before this day
        let last_week = if latest_start < self.first {
            -1
        } else {
            (latest_start - self.first) / self.bucket
                - i64::from((latest_start - self.first) % self.bucket != self.bucket - 1)
        };
        let reach = (SPANS[level] + self.bucket - 1) / self.bucket;
        let w0 = (group - reach).max(0);
        let w1 = (group + reach + 1)
            .min(last_week + 1)
            .min(self.groups as i64);
        (w0 as usize, w1.max(w0) as usize)
    }

    /// The finest level with enough peers for a case, and the line its prediction uses.
    fn choose(&self, case: &CaseDays, w: i64) -> Option<Choice> {
        let f = case.first_order;
        let group = (f - self.first) / self.bucket;
        // The case's windows, as ages.
        let (open, after) = (case.anchor - f, case.after_from - f);
        (0..LEVELS.len()).find_map(|level| {
            let (w0, w1) = self.span(level, group, after + w);
            // The customer themself is among the peers of their own group: take them out.
            let own = usize::try_from(group).is_ok_and(|k| (w0..w1).contains(&k));
            let n =
                self.customers_before[w1] - self.customers_before[w0] - f64::from(u8::from(own));
            // The last level takes whoever there is (two at least): a small shop's
            // figure is then uncertain, and its interval says so.
            let last = level == LEVELS.len() - 1;
            let needed = if last {
                2.0
            } else {
                f64::from(self.min_peers.max(2))
            };
            (n >= needed).then(|| Choice {
                level: level as u8,
                group,
                span: (w0, w1),
                own,
                n,
                // The line by the week the customer started in, not the day: a slope
                // needs no finer aim, and a key per day would fit thousands of lines.
                line: (
                    level as u8,
                    (f - self.first) / 7,
                    age_key(open),
                    ((after - open) / 7).min(52),
                ),
            })
        })
    }

    /// Fits every line the cases will use, the work split between the cores: each fit
    /// reads up to `FIT_PEERS` peers' histories, and this is most of customer math's time.
    pub(crate) fn fit_lines<'c>(&mut self, cases: impl Iterator<Item = &'c CaseDays>, w: i64) {
        let keys: Vec<LineKey> = cases
            .filter_map(|c| self.choose(c, w).map(|c| c.line))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per = keys.len().div_ceil(threads).max(1);
        let this = &*self;
        let fitted: Vec<Line> = std::thread::scope(|scope| {
            let parts: Vec<_> = keys
                .chunks(per)
                .map(|part| scope.spawn(move || part.iter().map(|k| this.line(*k, w)).collect()))
                .collect();
            parts
                .into_iter()
                .flat_map(|p: std::thread::ScopedJoinHandle<Vec<Line>>| {
                    p.join().expect("a line fit panicked")
                })
                .collect()
        });
        self.lines = keys
            .into_iter()
            .zip(fitted)
            .enumerate()
            .map(|(id, (key, line))| {
                (
                    key,
                    Line {
                        id: id as u64,
                        ..line
                    },
                )
            })
            .collect();
    }

    /// What the peers predict for a case (after `fit_lines` has seen it).
    pub(crate) fn expect(&self, case: &CaseDays, w: i64) -> Option<Expectation> {
        let choice = self.choose(case, w)?;
        let Some(line) = self.lines.get(&choice.line) else {
            debug_assert!(false, "expect before fit_lines");
            return None;
        };
        let (w0, w1) = choice.span;
        let (f, n) = (case.first_order, choice.n);
        let (open, after) = (case.anchor - f, case.after_from - f);
        let own_or = |v: f64| if choice.own { v } else { 0.0 };
        let mean = |grid: &Grid, a0: i64, a1: i64, mine: f64| {
            (grid.sum(w0, w1, a0, a1) - own_or(mine)) / n
        };
        // Whether anyone bought at all is not a sum by day: the fit's own share.
        let theirs = [
            mean(&self.spent, open - w, open, case.before),
            mean(&self.spent, open - 2 * w, open - w, case.prior),
            mean(&self.orders, open - w, open, case.before_orders),
            line.means[3],
        ];
        let after_mean = mean(&self.spent, after, after + w, case.after);
        let own_x = covariates(case.before, case.prior, case.before_orders);
        // Nobody buys less than nothing: a line carried below zero stops there.
        let expected = (after_mean
            + (0..K)
                .map(|i| line.slope[i] * (own_x[i] - theirs[i]))
                .sum::<f64>())
        .max(0.0);
        Some(Expectation {
            expected,
            // Cases share their peers' errors when they share the start day (group).
            shared: line.id << 24 | choice.group as u64,
            mean_var: line.residual / n,
            level: choice.level,
        })
    }

    /// The line for a key, fitted among (at most `FIT_PEERS` of) the customers who
    /// started within the level's span of the key's week, at the key's ages.
    fn line(&self, key: LineKey, w: i64) -> Line {
        let open = age_of_key(key.2);
        let after = open + key.3 * 7 + 1;
        let middle = self.first + key.1 * 7 + 3;
        let reach = SPANS[key.0 as usize];
        let (d0, d1) = (middle - reach, middle + reach + 1);
        let from = self.by_first.partition_point(|(d, _)| *d < d0);
        let to = self.by_first.partition_point(|(d, _)| *d < d1);
        let peers = &self.by_first[from..to];
        let step = peers.len().div_ceil(FIT_PEERS).max(1);
        let p = self.purchases;
        let mut m = Moments::default();
        for (f, c) in peers.iter().step_by(step) {
            let (o, a) = (f + open, f + after);
            if a + w > self.today {
                continue;
            }
            // One walk along the peer's orders finds all five window edges.
            let [prior, before, open_at, after_from, after_to] =
                p.marks(*c, [o - 2 * w, o - w, o, a, a + w]);
            let x = covariates(
                p.between(before, open_at),
                p.between(prior, before),
                (open_at - before) as f64,
            );
            m.add(x, p.between(after_from, after_to));
        }
        let (slope, residual) = fit(&m);
        Line {
            slope,
            residual,
            means: m.x.map(|x| x / m.n.max(1.0)),
            id: 0,
        }
    }
}

/// A case's level of peers and the key of its line.
struct Choice {
    level: u8,
    group: i64,
    span: (usize, usize),
    own: bool,
    n: f64,
    line: LineKey,
}

/// The line's covariates from what a customer spent in the W days before, in the W days
/// before those, and how many orders the W days before held; the last says whether they
/// bought anything at all in the W days before (most customers did not).
fn covariates(before: f64, prior: f64, orders: f64) -> [f64; K] {
    [before, prior, orders, f64::from(u8::from(orders > 0.0))]
}
