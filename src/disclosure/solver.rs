//! Primary and secondary suppression over a publication's [`Grid`].

use super::grid::{Grid, Place, Source, small};
use super::layout::Role;

/// Primary suppression: counts from 1 to 4, money resting on 1 to 4 children, measures
/// (sessions) resting on fewer than 10, and the numerator of a rate whose denominator is
/// under 10 (the rate is not shown, so neither are the two counts that make it).
pub fn primary(grid: &mut Grid, sources: &[Source]) {
    for i in 0..grid.cells.len() {
        let Place::Table { table, row, column } = grid.cells[i].place else {
            continue;
        };
        let s = &sources[table];
        let r = &s.table.rows[row];
        let sensitive = match &s.layout.roles[column] {
            Role::Count => small(grid.cells[i].value) || numerator_of_small_rate(s, r, column),
            Role::Amount { children } => children
                .or_else(|| s.layout.population(r))
                .and_then(|c| r[c].as_f64())
                .is_some_and(small),
            Role::Measure => s
                .layout
                .population(r)
                .and_then(|c| r[c].as_f64())
                .is_some_and(under_ten),
            _ => false,
        };
        if sensitive {
            grid.cells[i].hidden = true;
            grid.cells[i].primary = true;
        }
    }
}

/// Above zero and under 10: too few children for a rate (domain.md section 10).
pub fn under_ten(v: f64) -> bool {
    v > 0.0 && v < 10.0
}

/// Whether `column` is the count numerator of a rate shown in the row whose count
/// denominator is under 10: the rate is suppressed, so the pair that gives it back is too.
fn numerator_of_small_rate(s: &Source, row: &[crate::run::Value], column: usize) -> bool {
    s.layout
        .roles
        .iter()
        .enumerate()
        .any(|(c, role)| match role {
            Role::Derived(rests) => {
                rests.numerator == Some(column)
                    && rests.denominator != Some(column)
                    && !row[c].is_null()
                    && rests
                        .denominator
                        .and_then(|d| row[d].as_f64())
                        .is_some_and(under_ten)
            }
            _ => false,
        })
}

/// Hides every figure whose basis is hidden (money or sessions of hidden children);
/// whether it hid any.
pub fn follow_bases(grid: &mut Grid) -> bool {
    let mut any = false;
    loop {
        let mut changed = false;
        for k in 0..grid.follows.len() {
            let (d, b) = grid.follows[k];
            if grid.cells[b].hidden && !grid.cells[d].hidden {
                grid.cells[d].hidden = true;
                changed = true;
            }
        }
        if !changed {
            return any;
        }
        any = true;
    }
}

/// How a relation exposes a protected cell, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Its only hidden cell follows from the others.
    Lone,
    /// Its hidden counts lie on one side and sum to 1 to 4: together they are a small count.
    SmallSum,
}

/// Whether a relation lets the reader work out a protected cell: it has exactly one
/// hidden cell, or (for counts) hidden cells on one side whose sum is then 1 to 4.
pub fn exposes(grid: &Grid, group: &super::grid::Group) -> Option<Exposure> {
    let hidden: Vec<&(usize, f64)> = group
        .terms
        .iter()
        .filter(|(i, _)| grid.cells[*i].hidden)
        .collect();
    if !hidden.iter().any(|(i, _)| grid.cells[*i].protected()) {
        return None;
    }
    if hidden.len() == 1 {
        return Some(Exposure::Lone);
    }
    let one_side = hidden.iter().all(|(_, s)| *s > 0.0) || hidden.iter().all(|(_, s)| *s < 0.0);
    let sum: f64 = hidden.iter().map(|(i, _)| grid.cells[*i].value).sum();
    (group.counts && one_side && small(sum)).then_some(Exposure::SmallSum)
}

/// The cell to hide beside a protected one: the smallest shown non-zero cell of
/// `candidates` (the first in publication order on a tie), else, when `zero_ok` and no
/// non-zero cell is left, a shown zero (a `c` over a zero stops a lone hidden cell
/// following from the others; it cannot raise a small hidden sum, so is not used for one).
pub fn partner(
    grid: &Grid,
    candidates: impl Iterator<Item = usize>,
    zero_ok: bool,
) -> Option<usize> {
    let open: Vec<usize> = candidates.filter(|&i| grid.cells[i].can_hide()).collect();
    let smallest = |zero: bool| {
        open.iter()
            .copied()
            .filter(|&i| (grid.cells[i].value == 0.0) == zero)
            .min_by(|&a, &b| {
                grid.cells[a]
                    .value
                    .total_cmp(&grid.cells[b].value)
                    .then(a.cmp(&b))
            })
    };
    smallest(false).or_else(|| if zero_ok { smallest(true) } else { None })
}

/// Secondary suppression: while any relation exposes a protected cell, hide a partner
/// cell of that relation ([`partner`]). Returns how many cells it hid.
pub fn secondary(grid: &mut Grid) -> usize {
    let mut hid = 0;
    loop {
        let mut changed = follow_bases(grid);
        for g in 0..grid.groups.len() {
            let Some(how) = exposes(grid, &grid.groups[g]) else {
                continue;
            };
            let terms = grid.groups[g].terms.iter().map(|(i, _)| *i);
            if let Some(i) = partner(grid, terms, how == Exposure::Lone) {
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
/// protected cell the reader can still pin (by combining several relations) takes a
/// partner from a relation it is in; repeated until none is pinned or nothing more can
/// be hidden. Interval propagation first (fast), then the exact attacker.
pub fn until_safe(grid: &mut Grid) {
    for exact in [false, true] {
        for _ in 0..1000 {
            secondary(grid);
            let mut bounds = super::check::bounds(grid);
            if exact {
                bounds = super::exact::bounds(grid, &bounds);
            }
            let mut changed = false;
            for p in super::check::pinned_cells(grid, &bounds) {
                let related = grid
                    .groups
                    .iter()
                    .filter(|g| g.terms.iter().any(|(i, _)| *i == p))
                    .flat_map(|g| g.terms.iter().map(|(i, _)| *i));
                if let Some(i) = partner(grid, related, true) {
                    grid.cells[i].hidden = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}
