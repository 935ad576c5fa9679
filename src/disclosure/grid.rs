//! What a reader of a publication can combine: every count and amount shown in it as a
//! cell, and every linear relation between cells that the reader knows or can assume
//! ("these cells sum to that total", "a rate's count and its complement make its
//! denominator", "the same figure in two tables"). The solver and the attacker's check
//! both work on this model.

use super::layout::{Layout, Role, is_total_label};
use crate::run::{ResultTable, Value};
use std::collections::BTreeMap;

/// Where a cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A cell of a result table.
    Table {
        table: usize,
        row: usize,
        column: usize,
    },
    /// A count no table prints but a reader can work out: a rate's complement (the
    /// denominator less the numerator) or the rest of a total its breakdown leaves over.
    Implied { table: usize, row: usize },
}

/// One figure of the publication.
#[derive(Debug, Clone)]
pub struct Cell {
    pub value: f64,
    /// Not shown to the reader (implied cells are never shown).
    pub hidden: bool,
    /// Sensitive in itself: a count from 1 to 4, or money resting on 1 to 4 children.
    pub primary: bool,
    /// A count rather than money (a whole number; a hidden one may be 0, as secondary
    /// suppression hides zeros when nothing else can protect a cell).
    pub count: bool,
    /// The least a reader may assume it is when hidden: 1 for a row's population (its
    /// children: a group's row exists only when it has some) in a column without zeros,
    /// else 0 (a `c` may hide a zero: see [`super::solver::partner`]).
    pub floor: f64,
    pub place: Place,
}

impl Cell {
    /// Whether the reader must not be able to work this cell out: every hidden table cell,
    /// and an implied count from 1 to 4.
    pub fn protected(&self) -> bool {
        self.hidden && (matches!(self.place, Place::Table { .. }) || self.primary)
    }

    /// Whether the solver may hide it to protect another: shown and in a table (a zero
    /// only as a last resort: see [`super::solver::partner`]).
    pub fn can_hide(&self) -> bool {
        !self.hidden && matches!(self.place, Place::Table { .. })
    }
}

/// A relation `sum(sign * cell) = constant` that the reader knows.
#[derive(Debug, Clone)]
pub struct Group {
    pub terms: Vec<(usize, f64)>,
    pub constant: f64,
    /// Counts (the rule on hidden sums from 1 to 4 applies) or amounts of money.
    pub counts: bool,
}

/// A table of the publication with its layout.
pub struct Source<'a> {
    pub table: &'a ResultTable,
    pub layout: Layout,
}

/// Every cell and relation of a publication.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub cells: Vec<Cell>,
    pub groups: Vec<Group>,
    /// `(figure, basis)`: the figure is hidden whenever its basis is (money or sessions and
    /// the children they rest on).
    pub follows: Vec<(usize, usize)>,
    pub(super) index: Vec<Vec<Vec<Option<usize>>>>,
}

/// Counts 1 to 4 are sensitive; zero is shown.
pub fn small(v: f64) -> bool {
    v > 0.0 && v < 5.0
}

impl Grid {
    /// The cell at a table position, if it is a count or an amount.
    pub fn at(&self, table: usize, row: usize, column: usize) -> Option<usize> {
        self.index.get(table)?.get(row)?.get(column).copied()?
    }

    fn implied(&mut self, table: usize, row: usize, value: f64) -> usize {
        self.cells.push(Cell {
            value,
            hidden: true,
            primary: small(value),
            count: true,
            floor: 0.0,
            place: Place::Implied { table, row },
        });
        self.cells.len() - 1
    }

    /// Builds the cells and relations of `sources`; `links` are sets of table cells
    /// (table, row, column) that hold the same figure (one metric in several analyses).
    pub fn build(sources: &[Source], links: &[Vec<(usize, usize, usize)>]) -> Grid {
        let mut g = Grid::default();
        for (t, s) in sources.iter().enumerate() {
            let mut table_index = Vec::with_capacity(s.table.rows.len());
            let zeros: Vec<bool> = (0..s.table.columns.len())
                .map(|c| s.table.rows.iter().any(|r| r[c].as_f64() == Some(0.0)))
                .collect();
            for (r, row) in s.table.rows.iter().enumerate() {
                let mut row_index = vec![None; row.len()];
                for (c, v) in row.iter().enumerate() {
                    let count = s.layout.roles[c] == Role::Count;
                    let amount = matches!(s.layout.roles[c], Role::Amount { .. } | Role::Measure);
                    if let (true, Some(x)) = (count || amount, v.as_f64()) {
                        g.cells.push(Cell {
                            value: x,
                            hidden: false,
                            primary: false,
                            count,
                            // A row exists only when its group has children: its
                            // population is at least 1 (unless that column shows zeros).
                            floor: if count && !zeros[c] && s.layout.population(row) == Some(c) {
                                1.0
                            } else {
                                0.0
                            },
                            place: Place::Table {
                                table: t,
                                row: r,
                                column: c,
                            },
                        });
                        row_index[c] = Some(g.cells.len() - 1);
                    }
                }
                table_index.push(row_index);
            }
            g.index.push(table_index);
        }
        for (t, s) in sources.iter().enumerate() {
            g.bases(t, s);
            g.partitions(t, s);
            g.identities(t, s);
            g.constant_pairs(t, s);
            g.complements(t, s);
        }
        for link in links {
            let cells: Vec<usize> = link.iter().filter_map(|&(t, r, c)| g.at(t, r, c)).collect();
            for w in cells.windows(2) {
                if w[0] != w[1] {
                    let counts = g.cells[w[0]].count;
                    g.groups.push(Group {
                        terms: vec![(w[0], 1.0), (w[1], -1.0)],
                        constant: 0.0,
                        counts,
                    });
                }
            }
        }
        g
    }

    /// What each row's money and measures rest on: an amount on the children it was
    /// approved or requested for, a measure (sessions) on the row's children.
    fn bases(&mut self, t: usize, s: &Source) {
        for (r, row) in s.table.rows.iter().enumerate() {
            for (c, role) in s.layout.roles.iter().enumerate() {
                let basis = match role {
                    Role::Amount { children } => children.or_else(|| s.layout.population(row)),
                    Role::Measure => s.layout.population(row),
                    _ => continue,
                };
                if let (Some(d), Some(b)) = (self.at(t, r, c), basis.and_then(|b| self.at(t, r, b)))
                {
                    self.follows.push((d, b));
                }
            }
        }
    }

    /// Rows that add up: within one period and breakdown, each count (and amount) column
    /// sums to the total row when there is one (the rest, when short of it, is an implied
    /// cell), else to a total the reader is assumed to know (DfE publishes the authority's).
    fn partitions(&mut self, t: usize, s: &Source) {
        let l = &s.layout;
        let rows = &s.table.rows;
        let key = |r: &[Value], with_breakdown: bool| -> String {
            l.keys
                .iter()
                .filter(|&&k| with_breakdown || Some(k) != l.breakdown)
                .map(|&k| r[k].to_string())
                .collect::<Vec<_>>()
                .join("\u{1f}")
        };
        let mut order: Vec<String> = Vec::new();
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (r, row) in rows.iter().enumerate() {
            if l.breakdown.is_some_and(|b| is_total_label(&row[b])) {
                continue;
            }
            let k = key(row, true);
            if !by_key.contains_key(&k) {
                order.push(k.clone());
            }
            by_key.entry(k).or_default().push(r);
        }
        let columns: Vec<usize> = l.counts().into_iter().chain(l.additive()).collect();
        for k in order {
            let members = &by_key[&k];
            let total_row = members
                .iter()
                .copied()
                .find(|&r| l.group.is_some_and(|gc| is_total_label(&rows[r][gc])))
                .or_else(|| {
                    // Else the period's total row in another breakdown: breakdown `all`,
                    // or a group `all` (the cohort breakdown's all children).
                    let b = l.breakdown?;
                    let period = key(&rows[members[0]], false);
                    let same = |r: usize| key(&rows[r], false) == period;
                    (0..rows.len())
                        .find(|&r| is_total_label(&rows[r][b]) && same(r))
                        .or_else(|| {
                            let gc = l.group?;
                            (0..rows.len()).find(|&r| is_total_label(&rows[r][gc]) && same(r))
                        })
                });
            let parts: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&r| Some(r) != total_row)
                .collect();
            for &c in &columns {
                let cells: Vec<usize> = parts.iter().filter_map(|&r| self.at(t, r, c)).collect();
                if cells.is_empty() {
                    continue;
                }
                let counts = self.cells[cells[0]].count;
                let sum: f64 = cells.iter().map(|&i| self.cells[i].value).sum();
                let mut terms: Vec<(usize, f64)> = cells.iter().map(|&i| (i, 1.0)).collect();
                match total_row.and_then(|r| self.at(t, r, c).map(|i| (r, i))) {
                    Some((r, total)) => {
                        let rest = self.cells[total].value - sum;
                        if rest < -1e-9 {
                            continue; // the rows overlap: not a breakdown of the total
                        }
                        if rest > 1e-9 && counts {
                            terms.push((self.implied(t, r, rest), 1.0));
                        } else if rest > 1e-9 {
                            continue;
                        }
                        terms.push((total, -1.0));
                        self.groups.push(Group {
                            terms,
                            constant: 0.0,
                            counts,
                        });
                    }
                    None if cells.len() >= 2 => self.groups.push(Group {
                        terms,
                        constant: sum,
                        counts,
                    }),
                    None => {}
                }
            }
        }
    }

    /// Columns that add up within every row (PEPs due = on time + late + not completed),
    /// found from the figures themselves: a relation that holds in every row is one a
    /// reader can rely on. Up to four columns on one side.
    fn identities(&mut self, t: usize, s: &Source) {
        let rows = &s.table.rows;
        let counts: Vec<usize> = s
            .layout
            .counts()
            .into_iter()
            .filter(|&c| rows.iter().any(|r| r[c].as_f64().is_some_and(|v| v != 0.0)))
            .take(14)
            .collect();
        let mut found: Vec<(usize, Vec<usize>)> = Vec::new();
        for &target in &counts {
            let others: Vec<usize> = counts.iter().copied().filter(|&c| c != target).collect();
            let mut subsets: Vec<Vec<usize>> = Vec::new();
            subsets_up_to(&others, 4, &mut Vec::new(), 0, &mut subsets);
            for subset in subsets {
                let mut seen = 0;
                let holds = rows.iter().all(|r| {
                    let Some(total) = r[target].as_f64() else {
                        return true;
                    };
                    let parts: Option<f64> = subset.iter().map(|&c| r[c].as_f64()).sum();
                    match parts {
                        Some(p) => {
                            seen += usize::from(total > 0.0);
                            (p - total).abs() < 1e-9
                        }
                        None => true,
                    }
                });
                if holds && seen > 0 {
                    found.push((target, subset));
                }
            }
        }
        for (target, subset) in found {
            for r in 0..rows.len() {
                let Some(total) = self.at(t, r, target) else {
                    continue;
                };
                let parts: Option<Vec<usize>> = subset.iter().map(|&c| self.at(t, r, c)).collect();
                if let Some(parts) = parts {
                    let mut terms: Vec<(usize, f64)> =
                        parts.into_iter().map(|i| (i, 1.0)).collect();
                    terms.push((total, -1.0));
                    self.groups.push(Group {
                        terms,
                        constant: 0.0,
                        counts: true,
                    });
                }
            }
        }
    }

    /// Two counts whose sum is the same in every row of a period, in three rows or more
    /// (children with and without each factor): the reader knows the rows' sums agree, and
    /// so learns the sum from any row shown whole.
    fn constant_pairs(&mut self, t: usize, s: &Source) {
        let l = &s.layout;
        let rows = &s.table.rows;
        let counts = l.counts();
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (r, row) in rows.iter().enumerate() {
            let k: Vec<String> = l.keys.iter().map(|&k| row[k].to_string()).collect();
            by_key.entry(k.join("\u{1f}")).or_default().push(r);
        }
        // Two rows that agree are too often chance (2 + 2 beside 3 + 1); a structural pair
        // (with and without each of several factors) shows in three rows or more.
        for members in by_key.values().filter(|m| m.len() >= 3) {
            for (i, &a) in counts.iter().enumerate() {
                for &b in &counts[i + 1..] {
                    let sums: Option<Vec<f64>> = members
                        .iter()
                        .map(|&r| Some(rows[r][a].as_f64()? + rows[r][b].as_f64()?))
                        .collect();
                    let Some(sums) = sums else { continue };
                    if sums[0] > 0.0 && sums.iter().all(|x| (x - sums[0]).abs() < 1e-9) {
                        // The reader knows the sums are equal, not what they are: each row's
                        // pair equals the next row's, so the value comes only from a row
                        // they can see whole.
                        let pairs: Vec<(usize, usize)> = members
                            .iter()
                            .filter_map(|&r| Some((self.at(t, r, a)?, self.at(t, r, b)?)))
                            .collect();
                        for w in pairs.windows(2) {
                            let ((x, y), (u, v)) = (w[0], w[1]);
                            self.groups.push(Group {
                                terms: vec![(x, 1.0), (y, 1.0), (u, -1.0), (v, -1.0)],
                                constant: 0.0,
                                counts: true,
                            });
                        }
                    }
                }
            }
        }
    }

    /// A rate's numerator and the count it leaves (denominator less numerator) make its
    /// denominator; that complement is a count of children even when no column prints it.
    fn complements(&mut self, t: usize, s: &Source) {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for role in &s.layout.roles {
            if let Role::Derived(r) = role
                && let (Some(n), Some(d)) = (r.numerator, r.denominator)
                && n != d
                && !pairs.contains(&(n, d))
            {
                pairs.push((n, d));
            }
        }
        for (n, d) in pairs {
            for r in 0..s.table.rows.len() {
                if let (Some(num), Some(den)) = (self.at(t, r, n), self.at(t, r, d)) {
                    let rest = self.cells[den].value - self.cells[num].value;
                    if rest >= 0.0 {
                        let v = self.implied(t, r, rest);
                        self.groups.push(Group {
                            terms: vec![(num, 1.0), (v, 1.0), (den, -1.0)],
                            constant: 0.0,
                            counts: true,
                        });
                    }
                }
            }
        }
    }
}

fn subsets_up_to(
    items: &[usize],
    max: usize,
    current: &mut Vec<usize>,
    from: usize,
    out: &mut Vec<Vec<usize>>,
) {
    if !current.is_empty() {
        out.push(current.clone());
    }
    if current.len() == max {
        return;
    }
    for i in from..items.len() {
        current.push(items[i]);
        subsets_up_to(items, max, current, i + 1, out);
        current.pop();
    }
}
