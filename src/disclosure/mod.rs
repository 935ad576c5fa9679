//! Disclosure control, the stage between run and render (`run → disclosure → render`):
//! one [`Policy`] per audience says who sees child-level rows, which marking a report
//! carries and what is suppressed; [`disclose`] turns a finished run into the figures that
//! audience may see, computed once per publication, with suppressed cells as the typed
//! [`Value::Suppressed`]. Render and the exports receive only disclosed figures.
//!
//! Rules (domain.md section 10): primary suppression hides counts from 1 to 4, figures
//! resting on them or on fewer than 10 children, and money resting on 1 to 4 children;
//! secondary suppression then works over every relation a reader of the whole publication
//! can use ([`grid`]) until none gives back a protected cell ([`solver`]); [`check`] is the
//! attacker's test of the result.

pub mod check;
pub mod exact;
pub mod export;
pub mod grid;
pub mod layout;
pub mod policy;
mod restated;
pub mod solver;

pub use policy::{Audience, OFFICIAL_SENSITIVE, Policy, Suppression};

use crate::analysis::{Analysis, Level};
use crate::run::metrics::{self, MetricColumnError, MetricRow};
use crate::run::{ResultTable, RunOutput, Value};
use grid::{Grid, Place, Source};
use layout::Role;
use std::collections::BTreeMap;

/// Why figures could not be disclosed.
#[derive(Debug, thiserror::Error)]
pub enum DisclosureError {
    #[error("disclosure of `{analysis}`: {source}")]
    Metric {
        analysis: String,
        source: MetricColumnError,
    },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// One `metrics.csv` row as an audience may see it: the numbers of a suppressed part are
/// empty in `row` and flagged here.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosedMetric {
    pub row: MetricRow,
    pub value_suppressed: bool,
    pub numerator_suppressed: bool,
    pub denominator_suppressed: bool,
}

/// A publication's figures after disclosure control, for one audience.
#[derive(Debug, Clone)]
pub struct Disclosed {
    pub policy: Policy,
    /// The run with every result table disclosed (child-level tables empty unless the policy
    /// allows them) and its metrics with suppressed numbers removed.
    pub run: RunOutput,
    pub metrics: Vec<DisclosedMetric>,
    /// For a school's page: each table with a `urn` column as the school itself sees its own
    /// rows (every row under the own-school rule); [`Disclosed::for_school`] picks one school.
    own: BTreeMap<String, Vec<Vec<Value>>>,
    /// Tables published without rows: no pattern of suppression inside them protects every
    /// child (the attacker could still pin a hidden figure), so none of their figures is shown.
    pub withheld: Vec<String>,
}

impl Disclosed {
    /// The disclosed result of one analysis.
    pub fn table(&self, id: &str) -> Option<&ResultTable> {
        self.run.result(id).map(|a| &a.result)
    }

    /// The publication as one school's page sees it: that school's own rows under the
    /// own-school rule, every other figure as published.
    pub fn for_school(&self, urn: &str) -> Disclosed {
        let mut out = self.clone();
        out.own.clear();
        for a in &mut out.run.analyses {
            let (Some(own), Some(u)) = (self.own.get(&a.id), a.result.column_index("urn")) else {
                continue;
            };
            for (row, own_row) in a.result.rows.iter_mut().zip(own) {
                if row[u].to_string() == urn {
                    *row = own_row.clone();
                }
            }
        }
        out
    }

    /// The attacker's test over this publication: every suppressed count a reader can pin
    /// to a value from 1 to 4 (or money on 1 to 4 children to its amount) from the figures
    /// shown, every sensitive figure left shown, and every shown rate resting on a
    /// suppressed count. `raw` is the run the figures were disclosed from.
    pub fn attack(&self, raw: &RunOutput, analyses: &[Analysis]) -> Vec<check::Leak> {
        if !self.policy.suppresses() {
            return Vec::new();
        }
        let (ids, sources) = sources(raw, analyses, &self.withheld);
        let links = metric_links(&ids, &sources, analyses);
        let mut grid = Grid::build(&sources, &links);
        solver::primary(&mut grid, &sources);
        let mut leaks = Vec::new();
        let name = |p: Place| match p {
            Place::Table { table, row, column } => format!(
                "{} row {} column {}",
                ids[table],
                row + 1,
                sources[table].table.columns[column]
            ),
            Place::Implied { table, row } => format!("{} row {} (implied)", ids[table], row + 1),
        };
        for cell in &mut grid.cells {
            if let Place::Table { table, row, column } = cell.place {
                let shown = self.table(&ids[table]).map(|t| &t.rows[row][column]);
                let hidden = shown.is_some_and(Value::is_suppressed);
                if cell.primary && !hidden {
                    leaks.push(check::Leak {
                        place: name(cell.place),
                        value: cell.value,
                        how: "shown although it is sensitive".into(),
                    });
                }
                cell.hidden = hidden;
            }
        }
        // Money or sessions shown for children who are hidden.
        for &(d, b) in &grid.follows {
            if grid.cells[b].hidden && !grid.cells[d].hidden {
                leaks.push(check::Leak {
                    place: name(grid.cells[d].place),
                    value: grid.cells[d].value,
                    how: format!(
                        "shown although the children it rests on ({}) are hidden",
                        name(grid.cells[b].place)
                    ),
                });
            }
        }
        leaks.extend(check::pinned(&grid, &name));
        leaks.extend(restated::leaks(self, analyses));
        for (t, s) in sources.iter().enumerate() {
            let Some(shown) = self.table(&ids[t]) else {
                continue;
            };
            for (r, row) in shown.rows.iter().enumerate() {
                for (c, role) in s.layout.roles.iter().enumerate() {
                    let Role::Derived(rests) = role else { continue };
                    // A leak at this cell, whose true value stands in column `k`.
                    let leak = |k: usize, how: String| check::Leak {
                        place: name(Place::Table {
                            table: t,
                            row: r,
                            column: c,
                        }),
                        value: s.table.rows[r][k].as_f64().unwrap_or(f64::NAN),
                        how,
                    };
                    if row[c].is_suppressed() {
                        // A hidden rate whose numerator and denominator are both shown.
                        if let (Some(n), Some(d)) = (rests.numerator, rests.denominator)
                            && n != d
                            && row[n].as_f64().is_some()
                            && row[d].as_f64().is_some_and(|v| v > 0.0)
                        {
                            let how = "a hidden rate given back by its numerator and denominator";
                            leaks.push(leak(c, how.into()));
                        }
                        continue;
                    }
                    if row[c].is_null() {
                        continue;
                    }
                    for k in [rests.numerator, rests.denominator].into_iter().flatten() {
                        if row[k].is_suppressed() {
                            let how = format!(
                                "a rate shown beside its suppressed `{}`",
                                s.table.columns[k]
                            );
                            leaks.push(leak(k, how));
                        }
                    }
                }
            }
        }
        leaks
    }
}

/// The cohort-level tables of a run, with their analysis ids and layouts.
fn sources<'a>(
    run: &'a RunOutput,
    analyses: &[Analysis],
    withheld: &[String],
) -> (Vec<String>, Vec<Source<'a>>) {
    let mut ids = Vec::new();
    let mut out = Vec::new();
    for a in &run.analyses {
        let Some(analysis) = analyses.iter().find(|x| x.id() == a.id) else {
            continue;
        };
        if withheld.contains(&a.id) {
            continue;
        }
        if analysis.meta.level == Level::Child {
            continue;
        }
        ids.push(a.id.clone());
        out.push(Source {
            table: &a.result,
            layout: layout::layout(analysis, &a.result),
        });
    }
    (ids, out)
}

type MetricKey = (String, String, String, String);

/// Metric rows with their table and row, per analysis, in table order.
fn metric_cells(
    id: &str,
    table: &ResultTable,
    analyses: &[Analysis],
) -> Result<Vec<(MetricRow, usize, usize)>, DisclosureError> {
    let Some(analysis) = analyses.iter().find(|x| x.id() == id) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for spec in &analysis.meta.metrics {
        let rows = metrics::extract(spec, table).map_err(|e| DisclosureError::Metric {
            analysis: id.to_string(),
            source: e,
        })?;
        let Some(v) = table.column_index(&spec.value) else {
            continue;
        };
        for (r, mut m) in rows.into_iter().enumerate() {
            m.analysis = id.to_string();
            out.push((m, r, v));
        }
    }
    Ok(out)
}

/// The same figure (metric, period, breakdown, group) in several analyses: table cells
/// that a reader can put side by side.
fn metric_links(
    ids: &[String],
    sources: &[Source],
    analyses: &[Analysis],
) -> Vec<Vec<(usize, usize, usize)>> {
    let mut by_key: BTreeMap<MetricKey, Vec<(usize, usize, usize)>> = BTreeMap::new();
    for (t, s) in sources.iter().enumerate() {
        for (m, r, c) in metric_cells(&ids[t], s.table, analyses).unwrap_or_default() {
            by_key
                .entry((m.metric, m.time_period, m.breakdown, m.group))
                .or_default()
                .push((t, r, c));
        }
    }
    by_key.into_values().filter(|v| v.len() >= 2).collect()
}

/// Whether a derived figure must be hidden, given which counts of its row are hidden.
fn derived_hidden(
    rests: &layout::Rests,
    layout: &layout::Layout,
    raw: &[Value],
    hidden: &dyn Fn(usize) -> bool,
) -> bool {
    let num = rests.numerator.is_some_and(hidden);
    let den = rests
        .denominator
        .is_some_and(|d| hidden(d) || raw[d].as_f64().is_some_and(|v| v < 10.0));
    let population = rests.denominator.is_none()
        && layout
            .population(raw)
            .is_some_and(|p| hidden(p) || raw[p].as_f64().is_some_and(|v| v < 10.0));
    let any = rests.any_count && layout.counts().into_iter().any(hidden);
    num || den || population || any
}

/// Applies `policy` to a finished run: the figures its audience may see.
pub fn disclose(
    policy: Policy,
    run: &RunOutput,
    analyses: &[Analysis],
) -> Result<Disclosed, DisclosureError> {
    let mut withheld: Vec<String> = Vec::new();
    loop {
        let d = disclose_withholding(policy, run, analyses, &withheld)?;
        if !policy.suppresses() {
            return Ok(d);
        }
        // The last resort: a table whose hidden figures the attacker can still pin (six
        // children, one in each of six groups, under a total DfE publishes) is withheld
        // whole, as no pattern of `c` inside it protects them.
        let leaks = d.attack(run, analyses);
        if std::env::var_os("COHORT_DEBUG_DISCLOSURE").is_some() {
            for l in &leaks {
                eprintln!("withholding: {} = {} ({})", l.place, l.value, l.how);
            }
        }
        let mut more: Vec<String> = leaks
            .iter()
            .filter_map(|l| l.place.split(" row ").next().map(str::to_string))
            .filter(|id| !withheld.contains(id) && d.table(id).is_some())
            .collect();
        more.sort();
        more.dedup();
        if more.is_empty() {
            return Ok(d);
        }
        withheld.extend(more);
    }
}

/// [`disclose`] with the tables `withheld` published without rows.
fn disclose_withholding(
    policy: Policy,
    run: &RunOutput,
    analyses: &[Analysis],
    withheld: &[String],
) -> Result<Disclosed, DisclosureError> {
    let mut out = run.clone();
    for a in &mut out.analyses {
        if withheld.contains(&a.id) {
            a.result.rows.clear();
        }
    }
    let level = |id: &str| {
        analyses
            .iter()
            .find(|a| a.id() == id)
            .map(|a| a.meta.level)
            .unwrap_or_default()
    };
    if !policy.child_level_rows {
        for a in &mut out.analyses {
            if level(&a.id) == Level::Child {
                a.result.rows.clear();
            }
        }
    }
    let mut own = BTreeMap::new();
    if policy.suppresses() {
        let (ids, sources) = sources(run, analyses, withheld);
        let links = metric_links(&ids, &sources, analyses);
        let mut grid = Grid::build(&sources, &links);
        solver::primary(&mut grid, &sources);
        solver::until_safe(&mut grid);
        let mut derived_links: BTreeMap<MetricKey, Vec<(String, usize, usize)>> = BTreeMap::new();
        for (t, s) in sources.iter().enumerate() {
            let Some(target) = out.analyses.iter_mut().find(|a| a.id == ids[t]) else {
                continue;
            };
            for (r, raw) in s.table.rows.iter().enumerate() {
                let hidden = |c: usize| grid.at(t, r, c).is_some_and(|i| grid.cells[i].hidden);
                for (c, role) in s.layout.roles.iter().enumerate() {
                    let hide = match role {
                        Role::Count | Role::Amount { .. } | Role::Measure => hidden(c),
                        Role::Derived(rests) => {
                            !raw[c].is_null() && derived_hidden(rests, &s.layout, raw, &hidden)
                        }
                        Role::Other => false,
                    };
                    if hide {
                        target.result.rows[r][c] = Value::Suppressed;
                    }
                }
            }
            for (m, r, c) in metric_cells(&ids[t], s.table, analyses)? {
                if matches!(s.layout.roles[c], Role::Derived(_)) {
                    derived_links
                        .entry((m.metric, m.time_period, m.breakdown, m.group))
                        .or_default()
                        .push((ids[t].clone(), r, c));
                }
            }
            if policy.suppression == Suppression::OwnSchool && s.table.column_index("urn").is_some()
            {
                own.insert(ids[t].clone(), own_rows(s));
            }
        }
        // One figure in two tables is hidden in both when either hides it.
        for cells in derived_links.values() {
            let any = cells.iter().any(|(id, r, c)| {
                out.result(id)
                    .is_some_and(|a| a.result.rows[*r][*c].is_suppressed())
            });
            if any {
                for (id, r, c) in cells {
                    if let Some(a) = out.analyses.iter_mut().find(|a| &a.id == id) {
                        a.result.rows[*r][*c] = Value::Suppressed;
                    }
                }
            }
        }
    }
    let mut figures = Vec::new();
    // In the order of the analyses, as the run lists its metrics.
    for analysis in analyses {
        let (Some(raw), Some(a)) = (run.result(analysis.id()), out.result(analysis.id())) else {
            continue;
        };
        if (analysis.meta.level == Level::Child && !policy.child_level_rows)
            || withheld.iter().any(|w| w == analysis.id())
        {
            continue;
        }
        for spec in &analysis.meta.metrics {
            let rows =
                metrics::extract(spec, &raw.result).map_err(|e| DisclosureError::Metric {
                    analysis: a.id.clone(),
                    source: e,
                })?;
            let col =
                |name: &Option<String>| name.as_deref().and_then(|n| a.result.column_index(n));
            let (v, n, d) = (
                a.result.column_index(&spec.value),
                col(&spec.numerator),
                col(&spec.denominator),
            );
            for (r, mut m) in rows.into_iter().enumerate() {
                m.analysis = a.id.clone();
                let gone =
                    |c: Option<usize>| c.is_some_and(|c| a.result.rows[r][c].is_suppressed());
                let (vs, ns, ds) = (gone(v), gone(n), gone(d));
                if vs {
                    m.value = None;
                }
                if ns {
                    m.numerator = None;
                }
                if ds {
                    m.denominator = None;
                }
                figures.push(DisclosedMetric {
                    row: m,
                    value_suppressed: vs,
                    numerator_suppressed: ns,
                    denominator_suppressed: ds,
                });
            }
        }
    }
    if policy.suppresses() {
        restated::hide(&mut out, &figures, analyses);
    }
    out.metrics = figures.iter().map(|f| f.row.clone()).collect();
    Ok(Disclosed {
        policy,
        run: out,
        metrics: figures,
        own,
        withheld: withheld.to_vec(),
    })
}

/// Every row of a per-school table as the school itself sees its own row: counts and rates
/// as they are, money resting on 1 to 4 children suppressed.
fn own_rows(s: &Source) -> Vec<Vec<Value>> {
    s.table
        .rows
        .iter()
        .map(|raw| {
            let mut row = raw.clone();
            for (c, role) in s.layout.roles.iter().enumerate() {
                if let Role::Amount { children } = role {
                    let on = children.or_else(|| s.layout.population(raw));
                    if on.and_then(|k| raw[k].as_f64()).is_some_and(grid::small)
                        && !raw[c].is_null()
                    {
                        row[c] = Value::Suppressed;
                    }
                }
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests;
