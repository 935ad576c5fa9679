//! Logistic regression by iteratively reweighted least squares (Newton-Raphson), with Wald
//! 95% intervals from the inverse of the information matrix. Small and dependency-free:
//! the models here have a dozen binary factors and a few hundred children.

// Index loops read like the matrix algebra they implement.
#![allow(clippy::needless_range_loop)]

/// One fitted coefficient (the intercept is not reported).
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    pub beta: f64,
    pub se: f64,
}

impl Coefficient {
    /// The odds ratio and its Wald 95% interval, exp(beta +/- 1.96 se).
    pub fn odds_ratio(&self) -> (f64, f64, f64) {
        (
            self.beta.exp(),
            (self.beta - 1.96 * self.se).exp(),
            (self.beta + 1.96 * self.se).exp(),
        )
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("no rows to fit")]
    Empty,
    #[error("the outcome does not vary (every child has the same outcome)")]
    Constant,
    #[error("factor {0} does not vary or is collinear with the others")]
    Singular(usize),
    #[error("the fit did not converge (a factor predicts the outcome perfectly)")]
    Separation,
}

/// Fits P(y = 1) = logistic(b0 + x . b); `rows` are the factor values, `y` 0 or 1.
/// Returns one coefficient per factor, the intercept left out.
pub fn fit(rows: &[Vec<f64>], y: &[f64]) -> Result<Vec<Coefficient>, FitError> {
    let n = rows.len();
    if n == 0 {
        return Err(FitError::Empty);
    }
    let events: f64 = y.iter().sum();
    if events == 0.0 || events == n as f64 {
        return Err(FitError::Constant);
    }
    let k = rows[0].len() + 1;
    let design = |i: usize, j: usize| if j == 0 { 1.0 } else { rows[i][j - 1] };
    let mut beta = vec![0.0; k];
    beta[0] = (events / (n as f64 - events)).ln();
    for _ in 0..50 {
        let mut info = vec![vec![0.0; k]; k];
        let mut score = vec![0.0; k];
        for i in 0..n {
            let eta: f64 = (0..k).map(|j| design(i, j) * beta[j]).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let w = p * (1.0 - p);
            for a in 0..k {
                score[a] += design(i, a) * (y[i] - p);
                for b in 0..k {
                    info[a][b] += design(i, a) * w * design(i, b);
                }
            }
        }
        let step = solve(&info, &score)?;
        let change: f64 = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        for j in 0..k {
            beta[j] += step[j];
        }
        if beta.iter().any(|b| !b.is_finite() || b.abs() > 15.0) {
            return Err(FitError::Separation);
        }
        if change < 1e-10 {
            let inverse = invert(&info)?;
            return Ok((1..k)
                .map(|j| Coefficient {
                    beta: beta[j],
                    se: inverse[j][j].sqrt(),
                })
                .collect());
        }
    }
    Err(FitError::Separation)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(a: &[Vec<f64>], b: &[f64]) -> Result<Vec<f64>, FitError> {
    let k = b.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(row, &v)| {
            let mut r = row.clone();
            r.push(v);
            r
        })
        .collect();
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
            .unwrap_or(col);
        if m[pivot][col].abs() < 1e-10 {
            return Err(FitError::Singular(col));
        }
        m.swap(col, pivot);
        for row in 0..k {
            if row != col {
                let factor = m[row][col] / m[col][col];
                for c in col..=k {
                    m[row][c] -= factor * m[col][c];
                }
            }
        }
    }
    Ok((0..k).map(|i| m[i][k] / m[i][i]).collect())
}

fn invert(a: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, FitError> {
    let k = a.len();
    let mut columns = Vec::with_capacity(k);
    for j in 0..k {
        let mut e = vec![0.0; k];
        e[j] = 1.0;
        columns.push(solve(a, &e)?);
    }
    Ok((0..k)
        .map(|i| (0..k).map(|j| columns[j][i]).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(a: usize, b: usize, c: usize, d: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        // a: factor and outcome, b: factor without outcome, c: no factor with outcome, d: neither.
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for (x, out, n) in [(1.0, 1.0, a), (1.0, 0.0, b), (0.0, 1.0, c), (0.0, 0.0, d)] {
            for _ in 0..n {
                rows.push(vec![x]);
                y.push(out);
            }
        }
        (rows, y)
    }

    #[test]
    fn one_binary_factor_gives_the_two_by_two_odds_ratio() {
        // 2x2 table a=20, b=10, c=15, d=30: OR = (20*30)/(10*15) = 600/150 = 4;
        // SE(log OR) = sqrt(1/20 + 1/10 + 1/15 + 1/30) = sqrt(0.25) = 0.5;
        // 95% interval exp(ln 4 -/+ 1.96*0.5) = 4 * exp(-/+0.98) = 4 * (0.37531, 2.66446) = 1.5012 to 10.6578.
        let (rows, y) = table(20, 10, 15, 30);
        let c = &fit(&rows, &y).unwrap()[0];
        let (or, lo, hi) = c.odds_ratio();
        assert!((or - 4.0).abs() < 1e-8, "{or}");
        assert!((c.se - 0.5).abs() < 1e-8, "{}", c.se);
        assert!((lo - 4.0 * (-0.98f64).exp()).abs() < 1e-6, "{lo}");
        assert!((hi - 4.0 * 0.98f64.exp()).abs() < 1e-6, "{hi}");
        assert!((lo - 1.5012).abs() < 1e-3 && (hi - 10.6578).abs() < 1e-3);
    }

    #[test]
    fn adjusting_for_a_confounder_removes_a_spurious_association() {
        // Within each stratum of z the outcome rate is the same with and without x (OR 1),
        // but x is commoner where z = 1 and the outcome is too, so crude OR > 1.
        // Stratum z=0: x=1: 2 of 10 with outcome, x=0: 8 of 40 (both 20%).
        // Stratum z=1: x=1: 24 of 40, x=0: 6 of 10 (both 60%).
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for (x, z, events, n) in [
            (1.0, 0.0, 2, 10),
            (0.0, 0.0, 8, 40),
            (1.0, 1.0, 24, 40),
            (0.0, 1.0, 6, 10),
        ] {
            for i in 0..n {
                rows.push(vec![x, z]);
                y.push(if i < events { 1.0 } else { 0.0 });
            }
        }
        // Crude: x=1 26/50 vs x=0 14/50: OR = (26*36)/(24*14) = 936/336 = 2.79.
        let crude = fit(&rows.iter().map(|r| vec![r[0]]).collect::<Vec<_>>(), &y).unwrap();
        assert!((crude[0].odds_ratio().0 - 936.0 / 336.0).abs() < 1e-6);
        // Adjusted for z: exactly 1 (the stratum ORs are both 1).
        let adjusted = fit(&rows, &y).unwrap();
        assert!((adjusted[0].odds_ratio().0 - 1.0).abs() < 1e-6);
        // z's own OR: 60% vs 20% odds 1.5 / 0.25 = 6.
        assert!((adjusted[1].odds_ratio().0 - 6.0).abs() < 1e-6);
    }

    #[test]
    fn degenerate_data_is_refused_not_fitted() {
        assert_eq!(fit(&[], &[]), Err(FitError::Empty));
        let (rows, _) = table(5, 5, 5, 5);
        assert_eq!(fit(&rows, &[1.0; 20]), Err(FitError::Constant));
        // Perfect prediction: every child with the factor has the outcome, none without.
        let (rows, y) = table(10, 0, 0, 10);
        assert_eq!(fit(&rows, &y), Err(FitError::Separation));
        // A factor that never varies.
        let rows = vec![vec![1.0]; 10];
        let y: Vec<f64> = (0..10).map(|i| f64::from(i % 2)).collect();
        assert!(matches!(fit(&rows, &y), Err(FitError::Singular(_))));
    }
}
