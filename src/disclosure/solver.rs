//! Primary and secondary suppression over a publication's [`Grid`].

use super::grid::{Grid, Place, Source, small};
use super::layout::Role;

/// Primary suppression: counts from 1 to 4, and money resting on 1 to 4 children.
pub fn primary(grid: &mut Grid, sources: &[Source]) {
    for i in 0..grid.cells.len() {
        let Place::Table { table, row, column } = grid.cells[i].place else {
            continue;
        };
        let s = &sources[table];
        let r = &s.table.rows[row];
        let sensitive = match &s.layout.roles[column] {
            Role::Count => small(grid.cells[i].value),
            Role::Amount { children } => children
                .or_else(|| s.layout.population(r))
                .and_then(|c| r[c].as_f64())
                .is_some_and(small),
            _ => false,
        };
        if sensitive {
            grid.cells[i].hidden = true;
            grid.cells[i].primary = true;
        }
    }
}

/// Whether a relation lets the reader work out a protected cell: it has exactly one
/// hidden cell, or (for counts) hidden cells on one side whose sum is then 1 to 4.
pub fn exposes(grid: &Grid, group: &super::grid::Group) -> bool {
    let hidden: Vec<&(usize, f64)> = group
        .terms
        .iter()
        .filter(|(i, _)| grid.cells[*i].hidden)
        .collect();
    if !hidden.iter().any(|(i, _)| grid.cells[*i].protected()) {
        return false;
    }
    if hidden.len() == 1 {
        return true;
    }
    let one_side = hidden.iter().all(|(_, s)| *s > 0.0) || hidden.iter().all(|(_, s)| *s < 0.0);
    let sum: f64 = hidden.iter().map(|(i, _)| grid.cells[*i].value).sum();
    group.counts && one_side && small(sum)
}

/// Secondary suppression: while any relation exposes a protected cell, hide the smallest
/// shown non-zero cell of that relation (the first in publication order on a tie).
/// Returns how many cells it hid.
pub fn secondary(grid: &mut Grid) -> usize {
    let mut hid = 0;
    loop {
        let mut changed = false;
        for g in 0..grid.groups.len() {
            if !exposes(grid, &grid.groups[g]) {
                continue;
            }
            let pick = grid.groups[g]
                .terms
                .iter()
                .map(|(i, _)| *i)
                .filter(|&i| grid.cells[i].can_hide())
                .min_by(|&a, &b| {
                    grid.cells[a]
                        .value
                        .total_cmp(&grid.cells[b].value)
                        .then(a.cmp(&b))
                });
            if let Some(i) = pick {
                grid.cells[i].hidden = true;
                hid += 1;
                changed = true;
            }
        }
        if !changed {
            return hid;
        }
    }
}

/// Secondary suppression until the attacker's test passes: after [`secondary`], any
/// protected cell the reader can still pin (by combining several relations) takes the
/// smallest shown non-zero cell of a relation it is in; repeated until none is pinned or
/// nothing more can be hidden.
pub fn until_safe(grid: &mut Grid) {
    for _ in 0..1000 {
        secondary(grid);
        let bounds = super::check::bounds(grid);
        let pinned: Vec<usize> = (0..grid.cells.len())
            .filter(|&i| {
                let c = &grid.cells[i];
                let (lo, hi) = bounds[i];
                c.protected()
                    && (hi - lo).abs() < 1e-6
                    && if c.count {
                        (1.0..=4.0).contains(&lo)
                    } else {
                        c.primary
                    }
            })
            .collect();
        let mut changed = false;
        for p in pinned {
            let pick = grid
                .groups
                .iter()
                .filter(|g| g.terms.iter().any(|(i, _)| *i == p))
                .flat_map(|g| g.terms.iter().map(|(i, _)| *i))
                .filter(|&i| grid.cells[i].can_hide())
                .min_by(|&a, &b| {
                    grid.cells[a]
                        .value
                        .total_cmp(&grid.cells[b].value)
                        .then(a.cmp(&b))
                });
            if let Some(i) = pick {
                grid.cells[i].hidden = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}
