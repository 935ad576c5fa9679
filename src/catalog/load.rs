//! The fourth step of an open: every table loaded in parallel, each taken from the cache
//! when it has a sound copy there, or read from its files and checked on its own (the checks
//! across tables come after). A table deferred to stream is left for later.

use super::cache::{CachedFile, Manifest};
use super::error::{Problem, Problems};
use super::folder::Found;
use super::format::{self, read_file};
use super::locate::Located;
use super::plan::Plan;
use super::reuse::{Reuse, reuse};
use super::table::LoadedTable;
use super::{CachedRead, Loaded, Opening, checks, codes, dates, reference, returns, terms};
use crate::contract::{Contract, Table};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What loading the tables gave.
#[derive(Default)]
pub(super) struct Loads {
    /// Each loaded table with its files and the rows each held.
    pub(super) loaded: Vec<Loaded>,
    /// The tables taken from the cache, with their manifests.
    pub(super) reused: HashMap<String, Manifest>,
    /// The cached file each table's rows are read from, with its verified hash.
    pub(super) read_from: HashMap<String, CachedRead>,
    /// Cache entries that were not what was written, and were not used.
    pub(super) rejected: Vec<CachedFile>,
    /// The notes each freshly read table gave, kept with it in the cache.
    pub(super) notes: HashMap<String, Vec<String>>,
}

/// One table's load.
struct One {
    /// The table with its files, when it loaded (a deferred table has not yet).
    table: Option<Loaded>,
    problems: Problems,
    /// Its manifest and cached file, when the cache gave it.
    hit: Option<(Manifest, PathBuf)>,
    /// A cache entry found not to be what was written, with its warning.
    rejected: Option<(CachedFile, String)>,
}

/// Loads every contract table (those `op` does not read left empty, or built in), in parallel;
/// the problems of each go to `problems` in the contract's order.
pub(super) fn load_all(op: &Opening, found: &Found, plan: &Plan, problems: &mut Problems) -> Loads {
    let ones: Vec<One> = op
        .contract
        .tables
        .par_iter()
        .map(|table| load_one(op, found, plan, table))
        .collect();
    let mut out = Loads::default();
    for one in ones {
        if let Some((file, warning)) = one.rejected {
            problems.note(warning);
            out.rejected.push(file);
        }
        if let Some((t, _)) = &one.table {
            if let Some((m, file)) = one.hit {
                out.read_from
                    .insert(t.name.clone(), (file, m.sha256.clone()));
                out.reused.insert(t.name.clone(), m);
            } else {
                out.notes.insert(t.name.clone(), one.problems.notes.clone());
            }
        }
        problems.absorb(one.problems);
        out.loaded.extend(one.table);
    }
    out
}

/// Loads one table: built in or empty when not read, from the cache when it has a sound
/// copy, nothing yet when it streams, else read and checked from its files.
fn load_one(op: &Opening, found: &Found, plan: &Plan, table: &Table) -> One {
    let mut one = One {
        table: None,
        problems: Problems::default(),
        hit: None,
        rejected: None,
    };
    if !op.reads(table.name) {
        let left =
            reference::builtin(op.contract, table.name).unwrap_or_else(|| reference::empty(table));
        one.table = Some((left, vec![]));
        return one;
    }
    let paths = found
        .location(table.name)
        .map(|l| l.paths())
        .unwrap_or_default();
    if let Some(c) = op.cache.filter(|c| c.reuse && !paths.is_empty())
        && let Some(key) = plan.key(table.name)
    {
        match reuse(c, table.name, key, &paths) {
            Reuse::Hit(hit) => {
                let (loaded, manifest, file) = *hit;
                for n in &manifest.notes {
                    one.problems.note(n.clone());
                }
                one.table = Some(loaded);
                one.hit = Some((manifest, file));
                return one;
            }
            Reuse::Tampered { file, reason } => {
                one.rejected = Some(super::reuse::rejected(table.name, file, &reason, &paths));
            }
            Reuse::Miss => {}
        }
    }
    if !plan.deferred.contains_key(table.name) {
        one.table = load_table(op, table, found.location(table.name), &mut one.problems);
    }
    one
}

/// Reads and checks one table from where [`super::locate::locate`] found its files.
pub(super) fn load_table(
    op: &Opening,
    table: &Table,
    location: Result<Located, Problem>,
    problems: &mut Problems,
) -> Option<Loaded> {
    let source = op.sources.of(table.name);
    let located = match location {
        Ok(l) => l,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    match located {
        Located::None => missing(op, table, source.file.as_deref(), problems),
        Located::One(path) => {
            let mut loaded = read_file(table, &path, &source.options, problems)?;
            check_table(op.contract, table, &mut loaded, &path, op.today, problems);
            let rows = loaded.num_rows() as u64;
            Some((loaded, vec![(path, rows)]))
        }
        Located::Returns(list) => stack_returns(op, table, &list, problems),
    }
}

/// A table with no file: an error when it is required, else built in or empty.
fn missing(
    op: &Opening,
    table: &Table,
    pattern: Option<&str>,
    problems: &mut Problems,
) -> Option<Loaded> {
    if table.required {
        let name = table.name;
        let expected = match pattern {
            Some(pattern) => format!(
                "a file for required table `{name}`, but nothing in the data folder matches `{pattern}` ([sources.{name}] in cohort.toml)"
            ),
            None => format!(
                "a file for required table `{name}` ({})",
                format::file_names(name)
            ),
        };
        let file = op.dir.join(format!("{name}.csv"));
        problems.push_file(&file, expected);
        return None;
    }
    let left =
        reference::builtin(op.contract, table.name).unwrap_or_else(|| reference::empty(table));
    Some((left, vec![]))
}

/// A table of 903 returns: each year's file read (its year filled in), checked for the codes
/// valid that year, then stacked and checked as one.
fn stack_returns(
    op: &Opening,
    table: &Table,
    list: &[(i32, PathBuf)],
    problems: &mut Problems,
) -> Option<Loaded> {
    let source = op.sources.of(table.name);
    let contract = op.contract;
    let has_year = table.column("YEAR").is_some();
    let mut stacked = Vec::new();
    let mut read = Vec::new();
    let mut ok = true;
    for (year, path) in list {
        let mut options = source.options.clone();
        if has_year {
            options.fill.push(("YEAR".into(), year.to_string()));
        }
        match read_file(table, path, &options, problems) {
            Some(mut t) => {
                codes::normalise_codes(contract, table, &mut t);
                checks::check_return_codes(contract, table, &t, *year, path, problems);
                read.push((path.clone(), t.num_rows() as u64));
                stacked.push(returns::Return {
                    year: *year,
                    path: path.clone(),
                    table: t,
                });
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let first = list.first().map(|(_, p)| p.clone()).unwrap_or_default();
    let mut t = returns::stack(table.name, &table.key, stacked);
    check_table(contract, table, &mut t, &first, op.today, problems);
    Some((t, read))
}

/// Codes in the list's spelling and terms in the calendar's, then the checks of one table:
/// terms and years, codes on their dates, impossible dates, unique keys.
pub(super) fn check_table(
    contract: &Contract,
    table: &Table,
    t: &mut LoadedTable,
    path: &Path,
    today: NaiveDate,
    problems: &mut Problems,
) {
    codes::normalise_codes(contract, table, t);
    terms::check_calendar(table, t, path, problems);
    checks::check_codes(contract, table, t, path, problems);
    dates::check_dates(table, t, path, today, problems);
    checks::check_key(table, t, path, problems);
}
