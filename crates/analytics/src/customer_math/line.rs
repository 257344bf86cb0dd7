//! The straight line that predicts what a customer buys in the W days after from their
//! own history (as CUPED does): fitted by least squares among the customers they are
//! compared with, on three covariates — spent in the W days before, spent in the W days
//! before those, and the number of orders in the W days before.

/// The covariates: spent in the W days before, spent in the W days before those, orders
/// in the W days before, and whether there were any.
pub(crate) const K: usize = 4;

/// Sums over a set of customers of their covariates, their "after" and the products.
#[derive(Clone, Copy, Default)]
pub(crate) struct Moments {
    pub n: f64,
    pub x: [f64; K],
    pub a: f64,
    xx: [[f64; K]; K],
    xa: [f64; K],
    aa: f64,
}

impl Moments {
    pub(crate) fn add(&mut self, x: [f64; K], a: f64) {
        self.n += 1.0;
        self.a += a;
        self.aa += a * a;
        for i in 0..K {
            self.x[i] += x[i];
            self.xa[i] += x[i] * a;
            for j in 0..K {
                self.xx[i][j] += x[i] * x[j];
            }
        }
    }
}

/// Fewer customers than this and no line is fitted.
pub(crate) const MIN_FOR_A_LINE: f64 = 20.0;

/// Least squares of after on the covariates among a set of customers: the slopes, and the
/// variance of one customer's "after" around the line. A covariate that does not vary, or that the
/// others already explain, is left out (its slope is zero).
pub(crate) fn fit(m: &Moments) -> ([f64; K], f64) {
    let n = m.n;
    if n < 1.0 {
        return ([0.0; K], 0.0);
    }
    let saa = m.aa - m.a * m.a / n;
    if n < MIN_FOR_A_LINE {
        // Too few to fit four slopes: the peers' mean alone, and its spread.
        return ([0.0; K], (saa / (n - 1.0).max(1.0)).max(0.0));
    }
    let sxx = |i: usize, j: usize| m.xx[i][j] - m.x[i] * m.x[j] / n;
    let sxa = |i: usize| m.xa[i] - m.x[i] * m.a / n;
    let mut kept: Vec<usize> = (0..K)
        .filter(|i| sxx(*i, *i) > 1e-9 * (1.0 + sxx(*i, *i).abs()))
        .collect();
    let mut slope = [0.0; K];
    while !kept.is_empty() {
        let matrix: Vec<Vec<f64>> = kept
            .iter()
            .map(|i| kept.iter().map(|j| sxx(*i, *j)).collect())
            .collect();
        let rhs: Vec<f64> = kept.iter().map(|i| sxa(*i)).collect();
        if let Some(solution) = solve(matrix, rhs) {
            for (k, i) in kept.iter().enumerate() {
                slope[*i] = solution[k];
            }
            break;
        }
        kept.pop();
    }
    let explained: f64 = (0..K).map(|i| slope[i] * sxa(i)).sum();
    let residual = (saa - explained).max(0.0);
    let used = slope.iter().filter(|b| **b != 0.0).count() as f64;
    let dof = (n - 1.0 - used).max(1.0);
    (slope, residual / dof)
}

/// Gaussian elimination with partial pivoting; none when the matrix is (nearly) singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..n {
        let pivot = (col..n).max_by(|x, y| a[*x][col].abs().total_cmp(&a[*y][col].abs()))?;
        if a[pivot][col].abs() <= 1e-10 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_customers_get_their_mean_and_no_line() {
        let mut m = Moments::default();
        for b in [1.0, 2.0, 3.0] {
            m.add([b, 0.0, 1.0, 1.0], 3.0 * b);
        }
        // after: 3, 6, 9 → variance 9.
        assert_eq!(fit(&m), ([0.0; K], 9.0));
    }

    #[test]
    fn a_line_through_exact_points_is_found() {
        // after = 2 before + 0.5 prior + 30 orders + 10, the covariates not collinear.
        let points = [
            [0.0, 0.0, 0.0, 0.0],
            [1.0, 0.0, 1.0, 1.0],
            [0.0, 2.0, 0.0, 0.0],
            [3.0, 1.0, 1.0, 1.0],
            [2.0, 5.0, 2.0, 1.0],
            [4.0, 1.0, 3.0, 1.0],
            [5.0, 3.0, 1.0, 1.0],
        ];
        let mut m = Moments::default();
        // Three times over: a line needs twenty customers.
        for x in points.iter().cycle().take(21).copied() {
            m.add(x, 2.0 * x[0] + 0.5 * x[1] + 30.0 * x[2] - 7.0 * x[3] + 10.0);
        }
        let (slope, var) = fit(&m);
        for (got, want) in slope.iter().zip([2.0, 0.5, 30.0, -7.0]) {
            assert!((got - want).abs() < 1e-9, "{slope:?}");
        }
        assert!(var.abs() < 1e-9);
    }

    #[test]
    fn a_covariate_that_never_varies_is_left_out() {
        let mut m = Moments::default();
        for b in [1.0, 2.0, 3.0, 4.0].repeat(5) {
            m.add([b, 0.0, 1.0, 1.0], 3.0 * b);
        }
        let (slope, _) = fit(&m);
        assert!((slope[0] - 3.0).abs() < 1e-9 && slope[1..] == [0.0, 0.0, 0.0]);
    }
}
