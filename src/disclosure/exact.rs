//! The exact attacker: for every protected hidden cell, the least and greatest value it can
//! take over all figures that satisfy every relation the reader knows, found by linear
//! programming over the connected part of the publication the cell is in. Interval
//! propagation ([`super::check::bounds`]) can miss what several relations pin only
//! together; this cannot (for the linear relaxation, rounded to whole counts).

use super::grid::Grid;
use microlp::{ComparisonOp, OptimizationDirection, Problem};

/// Union-find over cell indices.
struct Parts(Vec<usize>);

impl Parts {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut i = i;
        while self.0[i] != r {
            let next = self.0[i];
            self.0[i] = r;
            i = next;
        }
        r
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra] = rb;
        }
    }
}

/// Tightens `outer` (valid bounds, e.g. from interval propagation) to the exact bounds of
/// every protected hidden cell. A part whose programme cannot be solved keeps `outer`.
pub fn bounds(grid: &Grid, outer: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut b = outer.to_vec();
    let n = grid.cells.len();
    let mut parts = Parts((0..n).collect());
    for g in &grid.groups {
        let mut hidden = g
            .terms
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| grid.cells[i].hidden);
        if let Some(first) = hidden.next() {
            for i in hidden {
                parts.join(first, i);
            }
        }
    }
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in (0..n).filter(|&i| grid.cells[i].hidden) {
        members.entry(parts.find(i)).or_default().push(i);
    }
    let mut relations: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (k, g) in grid.groups.iter().enumerate() {
        if let Some(&(i, _)) = g.terms.iter().find(|(i, _)| grid.cells[*i].hidden) {
            relations.entry(parts.find(i)).or_default().push(k);
        }
    }
    for (root, cells) in &members {
        let open: Vec<usize> = cells
            .iter()
            .copied()
            .filter(|&i| grid.cells[i].protected() && (b[i].1 - b[i].0).abs() > 1e-6)
            .collect();
        let groups = relations.get(root).map(Vec::as_slice).unwrap_or(&[]);
        for i in open {
            for direction in [
                OptimizationDirection::Minimize,
                OptimizationDirection::Maximize,
            ] {
                let Some(v) = extreme(grid, &b, cells, groups, i, direction) else {
                    continue;
                };
                let v = if grid.cells[i].count {
                    match direction {
                        OptimizationDirection::Minimize => (v - 1e-6).ceil(),
                        OptimizationDirection::Maximize => (v + 1e-6).floor(),
                    }
                } else {
                    v
                };
                match direction {
                    OptimizationDirection::Minimize => b[i].0 = b[i].0.max(v),
                    OptimizationDirection::Maximize => b[i].1 = b[i].1.min(v),
                }
            }
        }
    }
    b
}

/// The least or greatest value of cell `target` subject to `groups`, the hidden `cells` of
/// its part as variables within `b`; `None` when unbounded or the solver fails.
fn extreme(
    grid: &Grid,
    b: &[(f64, f64)],
    cells: &[usize],
    groups: &[usize],
    target: usize,
    direction: OptimizationDirection,
) -> Option<f64> {
    let solve = || {
        let mut p = Problem::new(direction);
        let vars: std::collections::HashMap<usize, microlp::Variable> = cells
            .iter()
            .map(|&i| {
                let objective = if i == target { 1.0 } else { 0.0 };
                (i, p.add_var(objective, b[i]))
            })
            .collect();
        for &k in groups {
            let g = &grid.groups[k];
            let mut rhs = g.constant;
            let mut terms = Vec::new();
            for &(i, s) in &g.terms {
                match vars.get(&i) {
                    Some(&v) => terms.push((v, s)),
                    None => rhs -= s * grid.cells[i].value,
                }
            }
            p.add_constraint(terms.as_slice(), ComparisonOp::Eq, rhs);
        }
        p.solve().ok().map(|s| s.objective())
    };
    // The solver is young (it may panic on a hard programme): a failure keeps the outer
    // bounds, which are still valid.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(solve))
        .ok()
        .flatten()
        .filter(|v| v.is_finite())
}
