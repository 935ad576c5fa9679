//! The attacker's test: from every figure a publication shows and every relation a reader
//! knows, bound each suppressed cell; none may be pinned to a value from 1 to 4, and no
//! shown rate may rest on a suppressed count.

use super::grid::{Grid, Place};

/// A suppressed figure a reader can work back, or a rate that gives one back.
#[derive(Debug, Clone, PartialEq)]
pub struct Leak {
    /// Where: `analysis row N column` (or `implied` for a count no table prints).
    pub place: String,
    /// The value the reader can pin it to.
    pub value: f64,
    pub how: String,
}

/// Bounds every hidden cell by propagating the relations until nothing tightens: a hidden
/// count is at least 1 (zeros are always shown), money and implied counts at least 0.
pub fn bounds(grid: &Grid) -> Vec<(f64, f64)> {
    let mut b: Vec<(f64, f64)> = grid
        .cells
        .iter()
        .map(|c| {
            if !c.hidden {
                (c.value, c.value)
            } else if c.count && matches!(c.place, Place::Table { .. }) {
                (1.0, f64::INFINITY)
            } else {
                (0.0, f64::INFINITY)
            }
        })
        .collect();
    for _ in 0..200 {
        let mut changed = false;
        for g in &grid.groups {
            for (k, &(i, s)) in g.terms.iter().enumerate() {
                if !grid.cells[i].hidden {
                    continue;
                }
                // s * x_i = constant - sum of the others' s_j * x_j
                let (mut lo, mut hi) = (0.0f64, 0.0f64);
                for (j, &(o, so)) in g.terms.iter().enumerate() {
                    if j == k {
                        continue;
                    }
                    let (a, z) = (so * b[o].0, so * b[o].1);
                    lo += a.min(z);
                    hi += a.max(z);
                }
                let (from, to) = (g.constant - hi, g.constant - lo);
                let (mut new_lo, mut new_hi) = if s > 0.0 {
                    (from / s, to / s)
                } else {
                    (to / s, from / s)
                };
                if new_lo.is_nan() {
                    new_lo = f64::NEG_INFINITY;
                }
                if new_hi.is_nan() {
                    new_hi = f64::INFINITY;
                }
                if grid.cells[i].count {
                    new_lo = (new_lo - 1e-6).ceil();
                    new_hi = (new_hi + 1e-6).floor();
                }
                if new_lo > b[i].0 + 1e-9 {
                    b[i].0 = new_lo;
                    changed = true;
                }
                if new_hi < b[i].1 - 1e-9 {
                    b[i].1 = new_hi;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    b
}

/// Every protected cell the reader can pin to one value from 1 to 4 (counts) or to its
/// exact value (money resting on 1 to 4 children). `name` says where a cell is.
pub fn pinned(grid: &Grid, name: &dyn Fn(Place) -> String) -> Vec<Leak> {
    let b = bounds(grid);
    grid.cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.protected())
        .filter_map(|(i, c)| {
            let (lo, hi) = b[i];
            let exact = (hi - lo).abs() < 1e-6;
            let leak = if c.count {
                exact && (1.0..=4.0).contains(&lo)
            } else {
                exact && c.primary
            };
            leak.then(|| Leak {
                place: name(c.place),
                value: lo,
                how: "worked back from the figures shown and the totals they share".into(),
            })
        })
        .collect()
}
