//! Which arm of an experiment a customer is in: a stable hash of the experiment's key and
//! the customer's id, computed the way GrowthBook's SDKs compute their version-2 hash, so
//! that anyone can audit a split with tools they already trust. The same inputs give the
//! same arm on every server, after every restart, in every language.

/// FNV-1a, 32 bits, over the UTF-16 code units of `text` (as JavaScript strings hold
/// them): offset basis 0x811c9dc5, prime 16777619.
pub fn fnv1a32(text: &str) -> u32 {
    text.encode_utf16().fold(0x811c_9dc5_u32, |hash, unit| {
        (hash ^ u32::from(unit)).wrapping_mul(16_777_619)
    })
}

/// Where `id` falls in [0, 1) for the experiment `seed`, to four decimals:
/// `fnv1a32(decimal(fnv1a32(seed + id))) mod 10000 / 10000`. Hashing twice spreads ids that
/// differ only in their last characters.
pub fn bucket(seed: &str, id: &str) -> f64 {
    let first = fnv1a32(&format!("{seed}{id}"));
    f64::from(fnv1a32(&first.to_string()) % 10_000) / 10_000.0
}

/// Whether `id` is in the share `fraction` (0 < fraction ≤ 1) of the experiment `seed`:
/// its bucket lies below the fraction.
pub fn in_share(seed: &str, id: &str, fraction: f64) -> bool {
    bucket(seed, id) < fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_vectors_come_out() {
        // GrowthBook's cross-SDK test cases for the version-2 hash.
        assert_eq!(bucket("seed", "a"), 0.0505);
        assert_eq!(bucket("seed", "b"), 0.2696);
        assert_eq!(bucket("foo", "ab"), 0.2575);
    }

    #[test]
    fn fnv_of_nothing_is_the_offset_basis() {
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        // One code unit: (basis ^ 'a') × prime.
        assert_eq!(
            fnv1a32("a"),
            (0x811c_9dc5_u32 ^ 0x61).wrapping_mul(16_777_619)
        );
    }

    #[test]
    fn a_character_outside_the_basic_plane_is_two_code_units() {
        // "😀" is the surrogate pair D83D DE00 in UTF-16.
        let by_hand = [0xD83Du32, 0xDE00]
            .into_iter()
            .fold(0x811c_9dc5_u32, |h, u| (h ^ u).wrapping_mul(16_777_619));
        assert_eq!(fnv1a32("😀"), by_hand);
    }
}
