//! Our learning filter: each token's counts in junk and in customers' mail, combined the
//! way Gary Robinson proposed for spam (a smoothed probability per token, then Fisher's
//! chi-square test over the most telling ones). It says "don't know" (0.5) rather than
//! guess when a message's words were never seen, and it is symmetric: swap what it
//! learned of junk and of customers and every score becomes one minus itself.

/// How often a token was seen in junk and in customers' mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub junk: u64,
    pub customer: u64,
}

/// What the filter learned: how many messages of each kind it was taught.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub junk_messages: u64,
    pub customer_messages: u64,
}

/// The weight of the prior: how many sightings a token needs before its own counts
/// outweigh "don't know".
const PRIOR_STRENGTH: f64 = 0.45;
const PRIOR: f64 = 0.5;
/// Tokens this close to 0.5 say nothing and are left out.
const MIN_STRENGTH: f64 = 0.1;
/// At most this many of the most telling tokens are combined.
const MAX_TELLING: usize = 150;
/// The filter scores only after learning from at least this many of each kind.
pub const MIN_TRAINING: u64 = 5;

impl Filter {
    /// Whether it has learned enough of both kinds to be heard.
    pub fn trained(&self) -> bool {
        self.junk_messages >= MIN_TRAINING && self.customer_messages >= MIN_TRAINING
    }

    /// A token's probability of junk, smoothed toward 0.5 while it is rarely seen.
    pub fn token_probability(&self, c: Counts) -> f64 {
        let junk_rate = c.junk as f64 / self.junk_messages.max(1) as f64;
        let customer_rate = c.customer as f64 / self.customer_messages.max(1) as f64;
        let seen = (c.junk + c.customer) as f64;
        let raw = if junk_rate + customer_rate == 0.0 {
            PRIOR
        } else {
            junk_rate / (junk_rate + customer_rate)
        };
        (PRIOR_STRENGTH * PRIOR + seen * raw) / (PRIOR_STRENGTH + seen)
    }

    /// The probability that a message with tokens of these counts is junk, in [0, 1];
    /// `None` until the filter is [`trained`](Self::trained).
    pub fn score(&self, counts: impl IntoIterator<Item = Counts>) -> Option<f64> {
        if !self.trained() {
            return None;
        }
        let mut telling: Vec<f64> = counts
            .into_iter()
            .map(|c| self.token_probability(c))
            .filter(|p| (p - 0.5).abs() >= MIN_STRENGTH)
            .collect();
        if telling.is_empty() {
            return Some(0.5);
        }
        // The most telling first; ties keep no order that could tilt the symmetry.
        telling.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
        telling.truncate(MAX_TELLING);
        let n = telling.len();
        let junk_sum: f64 = telling
            .iter()
            .map(|p| (1.0 - p).max(f64::MIN_POSITIVE).ln())
            .sum();
        let customer_sum: f64 = telling.iter().map(|p| p.max(f64::MIN_POSITIVE).ln()).sum();
        let junk = 1.0 - chi2_survival(-2.0 * junk_sum, 2 * n);
        let customer = 1.0 - chi2_survival(-2.0 * customer_sum, 2 * n);
        Some(((1.0 + junk - customer) / 2.0).clamp(0.0, 1.0))
    }
}

/// P(X ≥ x) for a chi-square variable with an even number of degrees of freedom, by
/// its closed form (a Poisson tail), which needs no special functions.
fn chi2_survival(x: f64, degrees: usize) -> f64 {
    let m = x / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..degrees / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trained() -> Filter {
        Filter {
            junk_messages: 100,
            customer_messages: 100,
        }
    }

    #[test]
    fn the_chi_square_tail_matches_known_values() {
        // Two degrees of freedom: exp(-x/2). Four: exp(-x/2)(1 + x/2).
        assert!((chi2_survival(3.0, 2) - (-1.5f64).exp()).abs() < 1e-12);
        assert!((chi2_survival(3.0, 4) - (-1.5f64).exp() * 2.5).abs() < 1e-12);
        // The 95th percentile of chi-square with 10 degrees is 18.307.
        assert!((chi2_survival(18.307, 10) - 0.05).abs() < 1e-4);
    }

    #[test]
    fn an_untrained_filter_does_not_speak_and_unknown_words_say_nothing() {
        assert_eq!(Filter::default().score([Counts::default()]), None);
        assert_eq!(trained().score([Counts::default(); 3]), Some(0.5));
        assert_eq!(trained().score([]), Some(0.5));
    }

    #[test]
    fn junk_words_score_high_and_customer_words_low() {
        let junk = Counts {
            junk: 60,
            customer: 1,
        };
        let customer = Counts {
            junk: 0,
            customer: 40,
        };
        assert!(trained().score([junk; 5]).unwrap() > 0.99);
        assert!(trained().score([customer; 5]).unwrap() < 0.01);
    }

    proptest! {
        #[test]
        fn scores_lie_in_zero_to_one_and_swapping_what_was_learned_mirrors_them(
            junk_messages in 5u64..10_000,
            customer_messages in 5u64..10_000,
            counts in proptest::collection::vec((0u64..5_000, 0u64..5_000), 0..300),
        ) {
            let filter = Filter { junk_messages, customer_messages };
            let mirror = Filter { junk_messages: customer_messages, customer_messages: junk_messages };
            let these: Vec<Counts> = counts.iter().map(|&(junk, customer)| Counts { junk, customer }).collect();
            let swapped: Vec<Counts> = counts.iter().map(|&(junk, customer)| Counts { junk: customer, customer: junk }).collect();
            let s = filter.score(these).unwrap();
            let m = mirror.score(swapped).unwrap();
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s + m - 1.0).abs() < 1e-9, "{s} and {m}");
        }

        #[test]
        fn one_more_sighting_in_junk_never_makes_a_token_less_suspect(
            junk in 0u64..1_000, customer in 0u64..1_000,
        ) {
            let f = trained();
            let before = f.token_probability(Counts { junk, customer });
            let after = f.token_probability(Counts { junk: junk + 1, customer });
            prop_assert!(after >= before - 1e-12);
        }
    }
}
