//! The catalog: a data folder becomes validated Arrow tables with the contract's schemas.
//!
//! Every file is read with the contract's types (never inferred) and checked for
//! types, empty values, ranges, codes on their dates, unique keys and references.
//! Any problem fails the whole folder, so nothing is computed from bad data.

mod checks;
pub mod error;
mod load;
mod reference;

pub use error::{CatalogError, Position, Problem};
pub use load::{LoadedTable, arrow_schema, date32};

use crate::contract::{AcademicYear, Contract, Term};
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, Date32Array};
use error::Problems;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One table's load: the table and its file when it loaded, and what went wrong.
type TableLoad = (Option<(LoadedTable, Option<PathBuf>)>, Problems);

/// A file the catalog read, with its content hash for provenance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataFile {
    pub table: String,
    pub path: PathBuf,
    pub sha256: String,
    pub rows: u64,
}

/// A validated data folder: the contract's tables plus reference tables.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub tables: Vec<LoadedTable>,
    pub files: Vec<DataFile>,
    /// First and last attendance dates: the span of terms the data covers.
    pub span: Option<(NaiveDate, NaiveDate)>,
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
        let mut problems = Problems::default();
        if !dir.is_dir() {
            problems.push(Problem {
                file: dir.to_path_buf(),
                position: None,
                column: None,
                value: None,
                expected: "a data folder (try `cohort sample --out DIR` to make one)".into(),
            });
            return Err(problems.into_error());
        }
        unknown_files(contract, dir, &mut problems);
        let results: Vec<TableLoad> = contract
            .tables
            .par_iter()
            .map(|table| {
                let mut p = Problems::default();
                let loaded = load_table(contract, table, dir, &mut p);
                (loaded, p)
            })
            .collect();
        let mut loaded = Vec::new();
        for (table, p) in results {
            problems.list.extend(p.list);
            problems.omitted += p.omitted;
            if let Some(t) = table {
                loaded.push(t);
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        let targets = reference_targets(contract, &loaded);
        for (t, path) in &loaded {
            if let (Some(table), Some(path)) = (contract.table(&t.name), path) {
                checks::check_references(table, t, path, &targets, &mut problems);
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        let files = loaded
            .par_iter()
            .filter_map(|(t, path)| path.as_ref().map(|p| (t, p)))
            .map(|(t, path)| {
                hash_file(path).map(|sha256| DataFile {
                    table: t.name.clone(),
                    path: path.clone(),
                    sha256,
                    rows: t.num_rows() as u64,
                })
            })
            .collect::<Result<Vec<_>, Problem>>()
            .map_err(|p| CatalogError {
                problems: vec![p],
                omitted: 0,
            })?;
        let mut tables: Vec<LoadedTable> = loaded.into_iter().map(|(t, _)| t).collect();
        let span = attendance_span(&tables);
        let (first, last) = match span {
            Some((a, b)) => (AcademicYear::containing(a), AcademicYear::containing(b)),
            None => (AcademicYear::new(2022), AcademicYear::new(2024)),
        };
        tables.extend(reference::code_lists(contract));
        tables.extend(reference::terms(first.previous(), last));
        Ok(Catalog {
            dir: dir.to_path_buf(),
            tables,
            files,
            span,
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

fn find_file(dir: &Path, name: &str) -> Result<Option<PathBuf>, Problem> {
    let csv = dir.join(format!("{name}.csv"));
    let parquet = dir.join(format!("{name}.parquet"));
    match (csv.is_file(), parquet.is_file()) {
        (true, true) => Err(Problem {
            file: csv,
            position: None,
            column: None,
            value: None,
            expected: format!(
                "one file for table `{name}`, but {} exists too",
                parquet.display()
            ),
        }),
        (true, false) => Ok(Some(csv)),
        (false, true) => Ok(Some(parquet)),
        (false, false) => Ok(None),
    }
}

fn load_table(
    contract: &Contract,
    table: &crate::contract::Table,
    dir: &Path,
    problems: &mut Problems,
) -> Option<(LoadedTable, Option<PathBuf>)> {
    let path = match find_file(dir, table.name) {
        Ok(p) => p,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let Some(path) = path else {
        if table.required {
            problems.push(Problem {
                file: dir.join(format!("{}.csv", table.name)),
                position: None,
                column: None,
                value: None,
                expected: format!(
                    "a file for required table `{}` ({}.csv or {}.parquet)",
                    table.name, table.name, table.name
                ),
            });
            return None;
        }
        if let Some(builtin) = reference::builtin(contract, table.name) {
            return Some((builtin, None));
        }
        return Some((reference::empty(table), None));
    };
    let loaded = if path.extension().is_some_and(|e| e == "parquet") {
        load::read_parquet(table, &path, problems)?
    } else {
        load::read_csv(table, &path, problems)?
    };
    checks::check_codes(contract, table, &loaded, &path, problems);
    checks::check_key(table, &loaded, &path, problems);
    Some((loaded, Some(path)))
}

/// CSV or Parquet files whose name is no contract table: almost always a typo.
fn unknown_files(contract: &Contract, dir: &Path, problems: &mut Problems) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for path in names {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if matches!(ext, "csv" | "parquet") && contract.table(stem).is_none() {
            let known: Vec<&str> = contract.tables.iter().map(|t| t.name).collect();
            problems.push(Problem {
                file: path.clone(),
                position: None,
                column: None,
                value: None,
                expected: format!("a file named for a contract table: {}", known.join(", ")),
            });
        }
    }
}

fn reference_targets(
    contract: &Contract,
    loaded: &[(LoadedTable, Option<PathBuf>)],
) -> HashMap<(String, String), HashSet<String>> {
    let mut wanted: Vec<(&str, &str)> = contract
        .tables
        .iter()
        .flat_map(|t| t.references.iter().flat_map(|r| r.targets.iter().copied()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut out = HashMap::new();
    for (tt, tc) in wanted {
        if let Some((t, _)) = loaded.iter().find(|(t, _)| t.name == tt) {
            out.insert(
                (tt.to_string(), tc.to_string()),
                checks::distinct_values(t, tc),
            );
        }
    }
    out
}

fn hash_file(path: &Path) -> Result<String, Problem> {
    let err = |e: std::io::Error| Problem {
        file: path.to_path_buf(),
        position: None,
        column: None,
        value: None,
        expected: format!("a readable file ({e})"),
    };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn attendance_span(tables: &[LoadedTable]) -> Option<(NaiveDate, NaiveDate)> {
    let t = tables.iter().find(|t| t.name == "attendance")?;
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
