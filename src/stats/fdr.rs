//! Many comparisons at once: two-sided p values from the normal distribution and
//! Benjamini-Hochberg adjusted p values (q values), which control the false discovery rate.

/// P(Z > z) for a standard normal Z, from the complementary error function.
pub fn normal_upper_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The two-sided p value of a z statistic: P(|Z| >= |z|).
pub fn two_sided_p(z: f64) -> f64 {
    (2.0 * normal_upper_tail(z.abs())).min(1.0)
}

/// erfc(x) by the Chebyshev fit of Press et al., Numerical Recipes (2nd ed., section 6.2,
/// `erfcc`): fractional error below 1.2e-7 everywhere.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Benjamini-Hochberg q values for `p`, in the same order. The m finite p values are ranked
/// from the smallest (ties by position); the q of rank i is the smallest p(j) x m / j over the
/// ranks j from i up, at most 1. Calling every comparison whose q is at most alpha keeps the
/// expected share of false calls among the calls at or below alpha. A p value that is not
/// finite is not ranked and gets NaN.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut ranked: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    ranked.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = ranked.len() as f64;
    let mut q = vec![f64::NAN; p.len()];
    let mut smallest = 1.0_f64;
    for (k, &i) in ranked.iter().enumerate().rev() {
        smallest = smallest.min(p[i] * m / (k + 1) as f64);
        q[i] = smallest;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tails_match_the_tables() {
        // P(Z > 1) = 0.158655254, P(Z > 1.959964) = 0.025, P(Z > 3) = 0.001349898.
        assert!((normal_upper_tail(1.0) - 0.158_655_254).abs() < 1e-7);
        assert!((two_sided_p(1.959_964) - 0.05).abs() < 1e-7);
        assert!((two_sided_p(-1.959_964) - 0.05).abs() < 1e-7);
        assert!((normal_upper_tail(3.0) - 0.001_349_898).abs() < 1e-8);
        assert_eq!(two_sided_p(0.0), 1.0);
    }

    #[test]
    fn benjamini_hochberg_by_hand() {
        // p 0.01, 0.04, 0.03, 0.005 (m = 4), ranked 0.005 (1), 0.01 (2), 0.03 (3), 0.04 (4):
        // p * m / rank = 0.02, 0.02, 0.04, 0.04; the running minimum from the top leaves them.
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (got, want) in q.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
        // A larger p can pull a smaller one's q down: 0.04 (rank 1, m = 3) gives 0.12, but
        // 0.045 (rank 2) gives 0.0675 and 0.05 (rank 3) 0.05, so all three are 0.05.
        let q = benjamini_hochberg(&[0.04, 0.045, 0.05]);
        assert!(q.iter().all(|v| (v - 0.05).abs() < 1e-12), "{q:?}");
        // Not finite: left out of m, and NaN.
        let q = benjamini_hochberg(&[0.5, f64::NAN]);
        assert_eq!(q[0], 0.5);
        assert!(q[1].is_nan());
        // 0.9 x 2 / 1 = 1.8 is above the 0.95 x 2 / 2 = 0.95 ranked after it: both 0.95.
        assert_eq!(benjamini_hochberg(&[0.9, 0.95]), vec![0.95, 0.95]);
    }
}
