//! Small order statistics, defined so anyone can recompute them by hand.

/// The nearest-rank percentile `p` (0 < p ≤ 100) of `values`: sort ascending and take
/// the value at rank ⌈p/100 × n⌉ (1-based). `None` when there are no values.
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    Some(values[(rank - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v = vec![15, 20, 35, 40, 50];
        assert_eq!(percentile(&mut v, 50), Some(35));
        assert_eq!(percentile(&mut v, 90), Some(50));
        let mut four = vec![4, 1, 3, 2];
        assert_eq!(percentile(&mut four, 50), Some(2));
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [7], 90), Some(7));
    }
}

/// A small, fast, reproducible generator (SplitMix64) for the bootstrap: the same seed
/// gives the same intervals on every machine.
pub struct Rng(u64);

/// P(X ≤ k) for X ~ Poisson(1), k = 0..=11 (beyond that: 11, whose probability is < 1e-8).
const POISSON_ONE_CDF: [f64; 12] = [
    0.367_879_441_171_442_3,
    0.735_758_882_342_884_6,
    0.919_698_602_928_605_7,
    0.981_011_843_123_846_1,
    0.996_340_153_172_656_2,
    0.999_405_815_182_418_3,
    0.999_916_758_850_711_9,
    0.999_989_750_803_325_2,
    0.999_998_874_797_402_1,
    0.999_999_888_574_521_7,
    0.999_999_989_952_233_7,
    0.999_999_999_168_389_3,
];

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A draw from Poisson(1): the weight of one case in one bootstrap replicate.
    pub fn poisson_one(&mut self) -> u32 {
        let u = self.unit();
        // Most draws are 0 or 1: test those first.
        if u < POISSON_ONE_CDF[0] {
            return 0;
        }
        if u < POISSON_ONE_CDF[1] {
            return 1;
        }
        POISSON_ONE_CDF[2..]
            .iter()
            .position(|&p| u < p)
            .map_or(11, |i| i as u32 + 2)
    }
}

#[cfg(test)]
mod rng_tests {
    use super::*;

    #[test]
    fn poisson_one_has_mean_and_variance_one() {
        let mut rng = Rng::new(7);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| f64::from(rng.poisson_one())).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }
}
