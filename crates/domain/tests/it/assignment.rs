//! Assignment to an experiment's arms: the split is what was asked for over many customers,
//! each customer's bucket never moves, and experiments with other keys split independently.

use proptest::prelude::*;
use roadone_domain::assignment::{bucket, in_share};

#[test]
fn a_one_percent_share_of_a_million_customers_is_one_percent() {
    let n = 1_000_000u32;
    let treated = (0..n)
        .filter(|id| in_share("delight-2026", &id.to_string(), 0.01))
        .count() as f64;
    // Binomial: 10,000 expected, standard deviation √(n·0.01·0.99) ≈ 99.5; five of them.
    assert!(
        (treated - 10_000.0).abs() < 5.0 * 99.5,
        "{treated} of a million in a 1% share"
    );
    // Every tenth of [0, 1) holds a tenth of the customers.
    let mut tenths = [0u32; 10];
    for id in 0..100_000u32 {
        tenths[(bucket("delight-2026", &id.to_string()) * 10.0) as usize] += 1;
    }
    for (i, t) in tenths.iter().enumerate() {
        assert!((f64::from(*t) - 10_000.0).abs() < 500.0, "tenth {i}: {t}");
    }
}

#[test]
fn two_experiments_split_the_same_customers_independently() {
    // Of the customers in one experiment's 10%, about 10% are in another's.
    let (mut first, mut both) = (0u32, 0u32);
    for id in 0..200_000u32 {
        let id = format!("customer-{id}");
        if in_share("first", &id, 0.1) {
            first += 1;
            both += u32::from(in_share("second", &id, 0.1));
        }
    }
    let share = f64::from(both) / f64::from(first);
    assert!((share - 0.1).abs() < 0.01, "{both} of {first}: {share}");
}

proptest! {
    #[test]
    fn a_bucket_is_in_the_unit_interval_and_never_moves(seed in ".{0,20}", id in ".{0,40}") {
        let b = bucket(&seed, &id);
        prop_assert!((0.0..1.0).contains(&b));
        prop_assert_eq!(b, bucket(&seed, &id));
        // A larger share keeps everyone a smaller one holds.
        if in_share(&seed, &id, 0.01) {
            prop_assert!(in_share(&seed, &id, 0.5));
        }
    }
}
