//! The catalog: a data folder becomes validated Arrow tables with the contract's schemas.
//!
//! Every file is read with the contract's types (never inferred) and checked for
//! types, empty values, ranges, codes on their dates, unique keys and references.
//! Any problem fails the whole folder, so nothing is computed from bad data.
//!
//! An open runs in steps, each in its own file: `folder` finds each table's files (in any
//! of the [`format`]s), `hashing` hashes them, `plan` works out what the cache can give,
//! `load` reads or reuses every table in parallel, `deferred` streams the files too large
//! to hold, `references` checks the references across tables, and `keep` writes what
//! passed to the cache and lists the files read.

pub mod cache;
mod checks;
mod codes;
pub mod columns;
mod dates;
mod deferred;
pub mod error;
mod folder;
pub mod format;
mod hashing;
mod keep;
mod load;
pub mod locate;
mod memo;
mod plan;
mod reference;
mod references;
pub mod returns;
mod reuse;
mod stale;
mod stream;
pub mod table;
mod terms;
pub mod text;
pub mod values;

pub use cache::{CacheOptions, CacheUse, CachedFile};
pub use columns::ReadOptions;
pub use error::{CatalogError, Position, Problem};
pub use format::{excel, xml903};
pub use locate::{Sources, TableSource};
pub use stale::Stale;
pub use table::{LoadedTable, arrow_schema, arrow_type, date32};

use crate::arrow::array::{Array, Date32Array};
use crate::contract::{AcademicYear, Contract, Term};
use chrono::NaiveDate;
use error::Problems;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A cached Parquet file a table's rows are read from, with its verified SHA-256.
type CachedRead = (PathBuf, String);

/// A table with each of its files and the rows that file held.
type Loaded = (LoadedTable, Vec<(PathBuf, u64)>);

/// A file the catalog read, with its content hash for provenance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataFile {
    pub table: String,
    pub path: PathBuf,
    pub sha256: String,
    pub rows: u64,
    /// When the table's rows came from its validated copy in the cache rather than from
    /// `path`: that Parquet file, and the SHA-256 it was verified to have before use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_from: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_sha256: Option<String>,
}

/// A validated data folder: the contract's tables plus reference tables.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub tables: Vec<LoadedTable>,
    pub files: Vec<DataFile>,
    /// First and last attendance dates: the span of terms the data covers.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// Warnings that did not stop the load (extra columns ignored, an encoding guessed).
    pub notes: Vec<String>,
    /// What the open took from and wrote to the validated-data cache, when it used one.
    pub cache: Option<CacheUse>,
    /// How SSDA903 data that looks stale for the chosen term is met: `None` not looked at
    /// (a test case's own data), `Some(false)` an error, `Some(true)` a warning
    /// (`--allow-stale`, or `allow_stale = true` in cohort.toml).
    pub allow_stale: Option<bool>,
}

impl Catalog {
    /// Sets the one-row `authority` table (`la_code` from cohort.toml), naming the
    /// authority from DfE's statistical neighbour file; replaces the folder's own.
    pub fn set_authority(&mut self, contract: &Contract, la_code: &str) {
        let name = self
            .table("statistical_neighbours")
            .and_then(|t| reference::authority_name(t, la_code));
        if let Some(t) = contract.table("authority") {
            self.tables.retain(|x| x.name != "authority");
            self.tables.push(reference::authority(t, la_code, name));
        }
    }

    /// Reads and validates every table of `dir` against `contract`.
    pub fn open(contract: &Contract, dir: &Path) -> Result<Catalog, CatalogError> {
        Catalog::open_with(contract, dir, &Sources::default())
    }

    /// Reads and validates every table of `dir`, finding and reading each as `sources` says.
    pub fn open_with(
        contract: &Contract,
        dir: &Path,
        sources: &Sources,
    ) -> Result<Catalog, CatalogError> {
        Catalog::open_some(contract, dir, sources, None, None, None)
    }

    /// As [`Catalog::open_with`], reading and checking only the contract tables `wanted`
    /// names (`None`: all) and the tables their references point to; the rest are left empty,
    /// so SQL still plans. Without the attendance table the terms come from `term` (the run's
    /// term, which must then be given: attendance is read when it is not). With `cache`,
    /// tables whose files are unchanged since they last passed are taken from the
    /// validated-data cache, the rest are written to it, and large ones are scanned from it.
    pub fn open_some(
        contract: &Contract,
        dir: &Path,
        sources: &Sources,
        wanted: Option<&BTreeSet<String>>,
        term: Option<Term>,
        cache: Option<&CacheOptions>,
    ) -> Result<Catalog, CatalogError> {
        let op = Opening {
            contract,
            dir,
            sources,
            cache,
            wanted: wanted.map(|w| tables_needed(contract, w, term.is_none())),
            today: dates::today(),
        };
        let mut problems = Problems::default();
        let found = folder::find(&op, &mut problems)?;
        let hashed = hashing::hash(&op, &found, &mut problems)?;
        let plan = plan::plan(&op, &found, &hashed);
        let mut loads = load::load_all(&op, &found, &plan, &mut problems);
        let explained = references::empty_header(&loads.loaded, &mut problems);
        folder::unknown_files(&op, &found, &mut problems);
        problems.stop_if_any()?;
        let streamed =
            deferred::stream_deferred(&op, &hashed, &plan, &explained, &mut loads, &mut problems);
        problems.stop_if_any()?;
        // In the contract's order, as they would be had nothing streamed (run.json lists files so).
        let order = |name: &str| contract.tables.iter().position(|t| t.name == name);
        loads.loaded.sort_by_key(|(t, _)| order(&t.name));
        let checked = |n: &str| loads.reused.contains_key(n) || streamed.contains_key(n);
        references::check(&op, &loads.loaded, checked, &explained, &mut problems);
        problems.stop_if_any()?;
        let span = match (loads.reused.get("attendance"), streamed.get("attendance")) {
            (Some(m), _) => m.date_span,
            (None, Some(s)) => *s,
            (None, None) => attendance_span(loads.loaded.iter().map(|(t, _)| t)),
        };
        let kept = keep::keep(&op, &hashed, &plan, loads, &streamed, span, &mut problems)?;
        let mut tables = kept.tables;
        tables.extend(reference::code_lists(contract));
        tables.extend(terms_of(span, term));
        Ok(Catalog {
            dir: dir.to_path_buf(),
            tables,
            files: kept.files,
            span,
            notes: problems.notes,
            cache: kept.cache,
            allow_stale: None,
        })
    }

    /// A catalog whose contract tables are all empty, so SQL can still be planned
    /// against the contract when a data folder did not load.
    pub fn empty(contract: &Contract) -> Catalog {
        let mut tables: Vec<LoadedTable> = contract.tables.iter().map(reference::empty).collect();
        tables.extend(reference::code_lists(contract));
        tables.extend(reference::terms(
            AcademicYear::new(2021),
            AcademicYear::new(2024),
        ));
        Catalog {
            dir: PathBuf::new(),
            tables,
            files: vec![],
            span: None,
            notes: vec![],
            cache: None,
            allow_stale: None,
        }
    }

    /// The latest term with attendance marks: the default term of a run.
    pub fn latest_term(&self) -> Option<Term> {
        self.span.map(|(_, last)| Term::containing(last))
    }

    /// Every term from the first to the last with attendance marks.
    pub fn terms(&self) -> Vec<Term> {
        match self.span {
            Some((a, b)) => {
                let (first, last) = (Term::containing(a), Term::containing(b));
                (first.ordinal()..=last.ordinal())
                    .map(Term::from_ordinal)
                    .collect()
            }
            None => vec![],
        }
    }

    pub fn table(&self, name: &str) -> Option<&LoadedTable> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Total rows read from data files.
    pub fn rows_read(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }
}

/// What one open works with: its arguments, the day dates are checked against, and the
/// tables it reads.
struct Opening<'a> {
    contract: &'a Contract,
    dir: &'a Path,
    sources: &'a Sources,
    cache: Option<&'a CacheOptions>,
    /// The contract tables read (`None`: all).
    wanted: Option<BTreeSet<String>>,
    today: NaiveDate,
}

impl Opening<'_> {
    /// Whether the open reads table `name` (the rest are left empty).
    fn reads(&self, name: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(name))
    }
}

/// The reference table of terms for a catalog whose attendance spans `span`.
fn terms_of(span: Option<(NaiveDate, NaiveDate)>, term: Option<Term>) -> Option<LoadedTable> {
    let (first, last) = match (span, term) {
        (Some((a, b)), _) => (AcademicYear::containing(a), AcademicYear::containing(b)),
        // Attendance not read: every term from 2010-11 to the run's, so that results
        // of any earlier year still find their terms.
        (None, Some(t)) => (AcademicYear::new(2010), t.year),
        (None, None) => (AcademicYear::new(2022), AcademicYear::new(2024)),
    };
    reference::terms(first.previous(), last)
}

/// The contract tables to read for `wanted`: those of them that are contract tables, every
/// table their references point to (so every check still runs), and attendance when
/// `with_attendance` (it gives the terms when no term is given).
fn tables_needed(
    contract: &Contract,
    wanted: &BTreeSet<String>,
    with_attendance: bool,
) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = wanted.iter().cloned().collect();
    if with_attendance {
        todo.push("attendance".into());
    }
    while let Some(name) = todo.pop() {
        let Some(t) = contract.table(&name) else {
            continue;
        };
        if out.insert(name) {
            for r in &t.references {
                todo.extend(r.targets.iter().map(|(tt, _)| tt.to_string()));
            }
        }
    }
    out
}

/// Reads one file of `table` (of any of the [`format::FORMATS`]) with the contract's types,
/// without the folder's other checks: for benchmarks and tools that read a single file.
pub fn read_table_file(
    table: &crate::contract::Table,
    path: &Path,
    options: &ReadOptions,
) -> Result<LoadedTable, CatalogError> {
    let mut problems = Problems::default();
    match format::read_file(table, path, options, &mut problems) {
        Some(t) if problems.is_empty() => Ok(t),
        _ => Err(problems.into_error()),
    }
}

fn attendance_span<'a>(
    mut tables: impl Iterator<Item = &'a LoadedTable>,
) -> Option<(NaiveDate, NaiveDate)> {
    let t = tables.find(|t| t.name == "attendance")?;
    let i = t.schema.index_of("date").ok()?;
    let mut span: Option<(i32, i32)> = None;
    for b in &t.batches {
        let Some(a) = b.column(i).as_any().downcast_ref::<Date32Array>() else {
            continue;
        };
        for v in a.iter().flatten() {
            span = Some(match span {
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
                None => (v, v),
            });
        }
    }
    span.map(|(a, b)| (date32(a), date32(b)))
}
