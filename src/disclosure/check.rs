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
/// figure is at least its [`Cell::floor`](super::grid::Cell) (1 for a row's population of
/// children; else 0, as secondary suppression hides a zero when nothing else protects a
/// cell, so a `c` may be one).
pub fn bounds(grid: &Grid) -> Vec<(f64, f64)> {
    let mut b: Vec<(f64, f64)> = grid
        .cells
        .iter()
        .map(|c| {
            if c.hidden {
                (c.floor, f64::INFINITY)
            } else {
                (c.value, c.value)
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

/// The protected cells that bounds `b` pin: a count to one value from 1 to 4, or money
/// resting on 1 to 4 children to its exact value.
pub fn pinned_cells(grid: &Grid, b: &[(f64, f64)]) -> Vec<usize> {
    (0..grid.cells.len())
        .filter(|&i| {
            let c = &grid.cells[i];
            let (lo, hi) = b[i];
            let exact = (hi - lo).abs() < 1e-6;
            c.protected()
                && exact
                && if c.count {
                    (1.0..=4.0).contains(&lo)
                } else {
                    c.primary
                }
        })
        .collect()
}

/// Every protected cell the exact attacker ([`super::exact`]) can pin. `name` says where
/// a cell is.
pub fn pinned(grid: &Grid, name: &dyn Fn(Place) -> String) -> Vec<Leak> {
    let b = super::exact::bounds(grid, &bounds(grid));
    pinned_cells(grid, &b)
        .into_iter()
        .map(|i| Leak {
            place: name(grid.cells[i].place),
            value: b[i].0,
            how: "worked back from the figures shown and the totals they share".into(),
        })
        .collect()
}
