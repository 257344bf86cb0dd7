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
