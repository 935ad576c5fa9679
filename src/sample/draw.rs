//! Small random helpers shared by the generator's parts.

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// A standard normal draw.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// A Poisson count with the given mean (0 when the mean is not positive).
pub fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(0, |p| p.sample(rng) as u32)
}

/// One of the options, with probability proportional to its weight.
pub fn pick<T: Copy>(rng: &mut ChaCha8Rng, options: &[(T, f64)]) -> T {
    let total: f64 = options.iter().map(|(_, w)| w).sum();
    let mut u = rng.random::<f64>() * total;
    for &(value, w) in options {
        if u < w {
            return value;
        }
        u -= w;
    }
    options[options.len() - 1].0
}

/// True with probability `p` (clamped to 0..=1).
pub fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random::<f64>() < p.clamp(0.0, 1.0)
}

/// A date uniformly between `from` and `to` inclusive (`from` when the range is empty).
pub fn date_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let days = (to - from).num_days();
    if days <= 0 {
        return from;
    }
    from + Duration::days(rng.random_range(0..=days))
}

/// The logistic function.
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The standard normal distribution function (Abramowitz and Stegun 7.1.26, error < 1.5e-7).
pub fn normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / std::f64::consts::SQRT_2);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-(x * x) / 2.0).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        // Phi(0) = 0.5, Phi(1.96) = 0.9750, Phi(-1) = 0.1587 (standard tables).
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-6);
        assert!((normal_cdf(1.96) - 0.9750).abs() < 1e-4);
        assert!((normal_cdf(-1.0) - 0.1587).abs() < 1e-4);
    }
}
