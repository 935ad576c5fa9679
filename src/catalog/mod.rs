//! The catalog: a data folder becomes validated Arrow tables with the contract's schemas.
//!
//! Every file is read with the contract's types (never inferred) and checked for
//! types, empty values, ranges, codes on their dates, unique keys and references.
//! Any problem fails the whole folder, so nothing is computed from bad data.

pub mod cache;
mod checks;
mod codes;
pub mod columns;
mod dates;
pub mod error;
pub mod excel;
mod load;
pub mod locate;
mod parquet;
mod reference;
pub mod returns;
mod stale;
mod stream;
mod terms;
pub mod text;
pub mod values;
pub mod xml903;

pub use cache::{CacheOptions, CacheUse, CachedFile};
pub use columns::ReadOptions;
pub use error::{CatalogError, Position, Problem};
pub use load::{LoadedTable, arrow_schema, date32};
pub use locate::{Sources, TableSource};
pub use stale::Stale;

use crate::contract::{AcademicYear, Contract, Term};
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, Date32Array};
use error::Problems;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One table's load: the table and its files (with the rows each held) when it loaded,
/// and what went wrong.
type TableLoad = (Option<Loaded>, Problems);

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
        term: Option<crate::contract::Term>,
        cache: Option<&CacheOptions>,
    ) -> Result<Catalog, CatalogError> {
        let wanted = wanted.map(|w| tables_needed(contract, w, term.is_none()));
        let reads = |name: &str| wanted.as_ref().is_none_or(|w| w.contains(name));
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
        let files = locate::data_files(dir);
        // A FIFO or a device would be read (and hashed) for ever, and a link out of the folder
        // reads what is not the folder's: both refused before anything is opened.
        for path in &files {
            if let Some(p) = unreadable_kind(dir, path) {
                problems.push(p);
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        let today = dates::today();
        // Where each contract table's files are, found once: to read them, to hash them and
        // to tell which files no table claims.
        let locations: HashMap<&str, Result<locate::Located, Problem>> = contract
            .tables
            .iter()
            .map(|t| (t.name, locate::locate(t, dir, &files, &sources.of(t.name))))
            .collect();
        // Every read table's files, hashed once (in parallel) for provenance and the cache.
        let located: HashMap<&str, Vec<PathBuf>> = locations
            .iter()
            .filter(|(name, _)| reads(name))
            .filter_map(|(name, l)| Some((*name, l.as_ref().ok()?.paths())))
            .collect();
        let mut to_hash: Vec<&PathBuf> = located.values().flatten().collect();
        to_hash.sort();
        to_hash.dedup();
        for path in &to_hash {
            if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
                problems.push(Problem {
                    file: (*path).clone(),
                    position: None,
                    column: None,
                    value: None,
                    expected: "data, but the file is empty (0 bytes)".into(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        // Each file's size and modification time as it was hashed: a file that changes while
        // the catalog reads it must not be kept under the hash of what it held before.
        let stamps: Vec<Option<(u64, std::time::SystemTime)>> =
            to_hash.iter().map(|p| stamp(p)).collect();
        let hashes: HashMap<PathBuf, String> = to_hash
            .par_iter()
            .filter_map(|p| hash_file(p).ok().map(|h| ((*p).clone(), h)))
            .collect();
        let key_of = |name: &str| -> Option<String> {
            let table = contract.table(name)?;
            let closure = references_closure(contract, name);
            let mut parts = Vec::new();
            for name in &closure {
                let paths = located.get(name.as_str())?;
                let hs: Option<Vec<&str>> = paths
                    .iter()
                    .map(|p| hashes.get(p).map(String::as_str))
                    .collect();
                parts.push((name.as_str(), hs?));
            }
            Some(cache::key(contract, table, &sources.of(table.name), &parts))
        };
        // A Parquet file too large to hold, of a table no other table points into, streams
        // through its checks into the cache once the tables its references need are read.
        let referenced: HashSet<&str> = contract
            .tables
            .iter()
            .flat_map(|t| t.references.iter())
            .flat_map(|r| r.targets.iter().map(|(tt, _)| *tt))
            .collect();
        // Each such table's file and cache key.
        let deferred: HashMap<&str, (&PathBuf, String)> = match cache {
            Some(c) => contract
                .tables
                .iter()
                .filter(|t| reads(t.name) && !referenced.contains(t.name))
                .filter_map(|t| match locations.get(t.name) {
                    Some(Ok(locate::Located::One(p))) if stream::streams(p, c) => {
                        Some((t.name, (p, key_of(t.name)?)))
                    }
                    _ => None,
                })
                .collect(),
            None => HashMap::new(),
        };
        // A rejected entry comes with its warning, said once (not kept with the table's notes).
        type Outcome = (
            TableLoad,
            Option<(cache::Manifest, PathBuf)>,
            Option<(CachedFile, String)>,
        );
        let results: Vec<Outcome> = contract
            .tables
            .par_iter()
            .map(|table| {
                let mut p = Problems::default();
                if !reads(table.name) {
                    let left = reference::builtin(contract, table.name)
                        .unwrap_or_else(|| reference::empty(table));
                    return ((Some((left, vec![])), p), None, None);
                }
                let paths = located.get(table.name).cloned().unwrap_or_default();
                let mut rejected = None;
                if let Some(c) = cache.filter(|c| c.reuse && !paths.is_empty())
                    && let Some(key) = key_of(table.name)
                {
                    match reuse(c, table.name, &key, &paths) {
                        Reuse::Hit(hit) => {
                            let (loaded, manifest, file) = *hit;
                            for n in &manifest.notes {
                                p.note(n.clone());
                            }
                            return ((Some(loaded), p), Some((manifest, file)), None);
                        }
                        Reuse::Tampered { file, reason } => {
                            let warning = format!(
                                "the validated-data cache's copy of table `{}` ({}) is not what was written: {reason}. It was not used: `{}` was read and checked again from {}",
                                table.name,
                                file.display(),
                                table.name,
                                paths
                                    .iter()
                                    .map(|p| p.display().to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            );
                            let found = CachedFile {
                                table: table.name.to_string(),
                                sha256: cache::hash_file(&file).unwrap_or_default(),
                                path: file,
                            };
                            rejected = Some((found, warning));
                        }
                        Reuse::Miss => {}
                    }
                }
                if deferred.contains_key(table.name) {
                    return ((None, p), None, rejected);
                }
                let location = locations
                    .get(table.name)
                    .cloned()
                    .unwrap_or(Ok(locate::Located::None));
                let loaded = load_table(contract, table, dir, location, sources, today, &mut p);
                ((loaded, p), None, rejected)
            })
            .collect();
        let mut loaded = Vec::new();
        let mut reused: HashMap<String, cache::Manifest> = HashMap::new();
        // The cached file each table's rows are read from, with its verified hash.
        let mut read_from: HashMap<String, CachedRead> = HashMap::new();
        let mut rejected: Vec<CachedFile> = Vec::new();
        // Every file some table claims, whether or not it loaded.
        let claimed: HashSet<PathBuf> = locations
            .values()
            .filter_map(|l| l.as_ref().ok())
            .flat_map(|l| l.paths())
            .collect();
        // The notes each freshly read table gave, kept with it in the cache.
        let mut table_notes: HashMap<String, Vec<String>> = HashMap::new();
        for ((table, p), manifest, bad) in results {
            if let Some((found, warning)) = bad {
                problems.note(warning);
                rejected.push(found);
            }
            if let Some((t, _)) = &table {
                if let Some((m, file)) = manifest {
                    read_from.insert(t.name.clone(), (file, m.sha256.clone()));
                    reused.insert(t.name.clone(), m);
                } else {
                    table_notes.insert(t.name.clone(), p.notes.clone());
                }
            }
            problems.absorb(p);
            if let Some(t) = table {
                loaded.push(t);
            }
        }
        // A 903 header with no children: every table that refers to header.CHILD would fail on
        // every row. Said once, as the cause, rather than as a problem per row.
        let mut explained: HashSet<String> = HashSet::new();
        for (t, paths) in &loaded {
            if t.name == "header"
                && t.num_rows() == 0
                && let Some((path, _)) = paths.first()
            {
                problems.push(Problem {
                    file: path.clone(),
                    position: None,
                    column: None,
                    value: None,
                    expected: "at least one child in the SSDA903 header, but the file is empty: a header row and no children (so every table that refers to header.CHILD would fail on every row)".into(),
                });
                explained.insert(t.name.clone());
            }
        }
        unknown_files(contract, dir, &files, &claimed, sources, &mut problems);
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        // The deferred tables not taken from the cache stream through their checks now, once
        // every other table (so every table their references point into) has passed its own.
        let mut streamed: HashMap<String, Option<(NaiveDate, NaiveDate)>> = HashMap::new();
        for table in &contract.tables {
            let (Some(c), Some((path, key))) = (cache, deferred.get(table.name)) else {
                continue;
            };
            if loaded.iter().any(|(t, _)| t.name == table.name) {
                continue;
            }
            let path = *path;
            let targets = reference_targets(contract, &loaded, &[table.name]);
            let source = sources.of(table.name);
            let cx = stream::StreamContext {
                contract,
                options: &source.options,
                today,
                targets: &targets,
                explained: &explained,
                cache: c,
            };
            match stream::stream_table(&cx, table, path, key, &mut problems) {
                stream::Outcome::Streamed(s) => {
                    // Checked as it was when hashed, or not kept for the next run.
                    let before = to_hash.iter().position(|p| *p == path).map(|i| stamps[i]);
                    if before != Some(stamp(path)) {
                        stream::forget(&s.table);
                    }
                    streamed.insert(table.name.to_string(), s.span);
                    if let Some(file) = &s.table.stored {
                        read_from.insert(table.name.to_string(), (file.clone(), s.sha256.clone()));
                    }
                    loaded.push((s.table, vec![(path.clone(), s.rows)]));
                }
                stream::Outcome::Failed => {}
                stream::Outcome::NoRoom(why) => {
                    problems.note(format!(
                        "{}: no room to check it as it streams into the cache ({why}): held in memory instead",
                        path.display()
                    ));
                    let location = Ok(locate::Located::One(path.clone()));
                    let mut p = Problems::default();
                    if let Some(t) =
                        load_table(contract, table, dir, location, sources, today, &mut p)
                    {
                        loaded.push(t);
                    }
                    problems.absorb(p);
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        // In the contract's order, as they would be had nothing streamed (run.json lists files so).
        let order = |name: &str| contract.tables.iter().position(|t| t.name == name);
        loaded.sort_by_key(|(t, _)| order(&t.name));
        // A reused table passed its reference checks against these very files.
        let checking: Vec<&str> = loaded
            .iter()
            .map(|(t, _)| t.name.as_str())
            .filter(|n| !reused.contains_key(*n) && !streamed.contains_key(*n))
            .collect();
        let targets = reference_targets(contract, &loaded, &checking);
        for (t, paths) in &loaded {
            if reused.contains_key(&t.name) || streamed.contains_key(&t.name) {
                continue;
            }
            if let (Some(table), Some((path, _))) = (contract.table(&t.name), paths.first()) {
                checks::check_references(table, t, path, &targets, &explained, &mut problems);
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        let span = match (reused.get("attendance"), streamed.get("attendance")) {
            (Some(m), _) => m.date_span,
            (None, Some(s)) => *s,
            (None, None) => attendance_span(loaded.iter().map(|(t, _)| t)),
        };
        let unchanged = to_hash.iter().zip(&stamps).all(|(p, s)| stamp(p) == *s);
        if cache.is_some() && !unchanged {
            problems.note(
                "a data file changed while it was read: nothing kept in the validated-data cache this run"
                    .into(),
            );
            for (t, _) in loaded
                .iter()
                .filter(|(t, _)| streamed.contains_key(&t.name))
            {
                stream::forget(t);
            }
        }
        let cache_use = cache.filter(|_| unchanged).map(|c| {
            let (mut used, scanned) = store(
                c,
                &mut loaded,
                &reused,
                &table_notes,
                &key_of,
                span,
                &mut problems,
            );
            read_from.extend(scanned);
            used.written.extend(streamed.keys().cloned());
            used.written.sort();
            used.rejected = rejected.clone();
            used
        });
        let files = loaded
            .iter()
            .flat_map(|(t, paths)| {
                paths
                    .iter()
                    .map(|(path, rows)| (t.name.clone(), path.clone(), *rows))
                    .collect::<Vec<_>>()
            })
            .map(|(table, path, rows)| {
                let sha256 = match hashes.get(&path) {
                    Some(h) => Ok(h.clone()),
                    None => hash_file(&path),
                };
                let cached = read_from.get(&table).cloned();
                sha256.map(|sha256| DataFile {
                    table,
                    path,
                    sha256,
                    rows,
                    read_sha256: cached.as_ref().map(|(_, h)| h.clone()),
                    read_from: cached.map(|(f, _)| f),
                })
            })
            .collect::<Result<Vec<_>, Problem>>()
            .map_err(|p| CatalogError {
                problems: vec![p],
                omitted: 0,
            })?;
        let mut tables: Vec<LoadedTable> = loaded.into_iter().map(|(t, _)| t).collect();
        let (first, last) = match (span, term) {
            (Some((a, b)), _) => (AcademicYear::containing(a), AcademicYear::containing(b)),
            // Attendance not read: every term from 2010-11 to the run's, so that results
            // of any earlier year still find their terms.
            (None, Some(t)) => (AcademicYear::new(2010), t.year),
            (None, None) => (AcademicYear::new(2022), AcademicYear::new(2024)),
        };
        tables.extend(reference::code_lists(contract));
        tables.extend(reference::terms(first.previous(), last));
        Ok(Catalog {
            dir: dir.to_path_buf(),
            tables,
            files,
            span,
            notes: problems.notes,
            cache: cache_use,
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

/// Reads one file of `table` (CSV, Parquet or a spreadsheet) with the contract's types,
/// without the folder's other checks: for benchmarks and tools that read a single file.
pub fn read_table_file(
    table: &crate::contract::Table,
    path: &Path,
    options: &ReadOptions,
) -> Result<LoadedTable, CatalogError> {
    let mut problems = Problems::default();
    match read_file(table, path, options, &mut problems) {
        Some(t) if problems.is_empty() => Ok(t),
        _ => Err(problems.into_error()),
    }
}

/// Reads one file of `table` by its extension.
fn read_file(
    table: &crate::contract::Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "parquet" => parquet::read_parquet(table, path, options, problems),
        "csv" => load::read_csv(table, path, options, problems),
        _ if excel::is_spreadsheet(path) => excel::read_excel(table, path, options, problems),
        "xml" => xml903::read_xml(table, path, options, problems),
        _ => {
            problems.push(Problem {
                file: path.to_path_buf(),
                position: None,
                column: None,
                value: None,
                expected: "a CSV, Parquet or spreadsheet (.xlsx, .xls, .ods) file".into(),
            });
            None
        }
    }
}

/// Codes in the list's spelling and terms in the calendar's, then the checks of one table:
/// terms and years, codes on their dates, impossible dates, unique keys.
fn check_table(
    contract: &Contract,
    table: &crate::contract::Table,
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

/// Reads and checks one table from where [`locate::locate`] found its files.
fn load_table(
    contract: &Contract,
    table: &crate::contract::Table,
    dir: &Path,
    location: Result<locate::Located, Problem>,
    sources: &Sources,
    today: NaiveDate,
    problems: &mut Problems,
) -> Option<Loaded> {
    let source = sources.of(table.name);
    let located = match location {
        Ok(l) => l,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    match located {
        locate::Located::None => {
            if table.required {
                let expected = match &source.file {
                    Some(pattern) => format!(
                        "a file for required table `{}`, but nothing in the data folder matches `{pattern}` ([sources.{}] in cohort.toml)",
                        table.name, table.name
                    ),
                    None => format!(
                        "a file for required table `{}` ({}.csv or {}.parquet)",
                        table.name, table.name, table.name
                    ),
                };
                problems.push(Problem {
                    file: dir.join(format!("{}.csv", table.name)),
                    position: None,
                    column: None,
                    value: None,
                    expected,
                });
                return None;
            }
            if let Some(builtin) = reference::builtin(contract, table.name) {
                return Some((builtin, vec![]));
            }
            Some((reference::empty(table), vec![]))
        }
        locate::Located::One(path) => {
            let mut loaded = read_file(table, &path, &source.options, problems)?;
            check_table(contract, table, &mut loaded, &path, today, problems);
            let rows = loaded.num_rows() as u64;
            Some((loaded, vec![(path, rows)]))
        }
        locate::Located::Returns(list) => {
            let has_year = table.column("YEAR").is_some();
            let mut stacked = Vec::new();
            let mut read = Vec::new();
            let mut ok = true;
            for (year, path) in &list {
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
            check_table(contract, table, &mut t, &first, today, problems);
            Some((t, read))
        }
    }
}

/// Data files no table claimed: a 903 table no analysis reads is noted; any other CSV or
/// Parquet file at the top of the folder is an error (almost always a misnamed table),
/// unless `cohort.toml` names the sources, when it is noted.
fn unknown_files(
    contract: &Contract,
    dir: &Path,
    files: &[PathBuf],
    claimed: &HashSet<PathBuf>,
    sources: &Sources,
    problems: &mut Problems,
) {
    let configured = sources.tables.iter().any(|(_, s)| s.file.is_some());
    for path in files.iter().filter(|p| !claimed.contains(*p)) {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_lowercase();
        let bare = returns::stem_without_year(&stem);
        if xml903::is_xml(path) {
            let what = if xml903::is_return(path) {
                "an SSDA903 XML return no table's source names"
            } else {
                "not an SSDA903 XML return (no <CHILD> elements)"
            };
            problems.note(format!("{}: {what}, not read", path.display()));
            continue;
        }
        if let Some(other) = crate::contract::ssda903::other_903_by_stem(&bare) {
            problems.note(format!(
                "{}: the SSDA903 {} table, which no analysis reads: not read",
                path.display(),
                other.name
            ));
            continue;
        }
        let top = path.parent() == Some(dir);
        if top && !configured {
            let known: Vec<&str> = contract.tables.iter().map(|t| t.name).collect();
            let expected = format!(
                "a file named for a contract table (or run `cohort init` to place files by their columns): {}",
                known.join(", ")
            );
            problems.push(Problem {
                file: path.clone(),
                position: None,
                column: None,
                value: None,
                expected,
            });
        } else {
            problems.note(format!("{}: no table's source, not read", path.display()));
        }
    }
}

fn reference_targets(
    contract: &Contract,
    loaded: &[Loaded],
    checking: &[&str],
) -> HashMap<(String, String), HashSet<String>> {
    let mut wanted: Vec<(&str, &str)> = contract
        .tables
        .iter()
        .filter(|t| checking.contains(&t.name))
        .flat_map(|t| t.references.iter().flat_map(|r| r.targets.iter().copied()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut out = HashMap::new();
    for (tt, tc) in wanted {
        if let Some((t, _)) = loaded.iter().find(|(t, _)| t.name == tt) {
            let values = checks::distinct_values(t, tc);
            out.insert((tt.to_string(), tc.to_string()), values);
        }
    }
    out
}

/// `name` and every table its references reach, sorted: the tables whose files a cached
/// copy of `name` depends on.
fn references_closure(contract: &Contract, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(n) = todo.pop() {
        if let Some(t) = contract.table(&n)
            && out.insert(n)
        {
            for r in &t.references {
                todo.extend(r.targets.iter().map(|(tt, _)| tt.to_string()));
            }
        }
    }
    out
}

/// What the cache gave for one table.
enum Reuse {
    /// The table (scanned from the file when large, else read back) with its files and their
    /// rows, its manifest, and the cached file it came from.
    Hit(Box<(Loaded, cache::Manifest, PathBuf)>),
    /// An entry that is not what was written: the table must be read and checked again.
    Tampered {
        file: PathBuf,
        reason: String,
    },
    Miss,
}

/// The cached copy of `table` for `key`, when there is a sound one (its file verified
/// against the SHA-256 its manifest recorded).
fn reuse(c: &CacheOptions, table: &str, key: &str, paths: &[PathBuf]) -> Reuse {
    let (manifest, file, schema) = match cache::find(&c.dir, table, key) {
        cache::Lookup::Hit(m, f, s) => (m, f, s),
        cache::Lookup::Tampered { file, reason } => return Reuse::Tampered { file, reason },
        cache::Lookup::Miss => return Reuse::Miss,
    };
    if manifest.file_rows.len() != paths.len() {
        return Reuse::Miss;
    }
    let rows: Vec<(PathBuf, u64)> = paths
        .iter()
        .cloned()
        .zip(manifest.file_rows.iter().copied())
        .collect();
    let mut t = LoadedTable::new(table, schema, vec![], None);
    if manifest.rows as usize > c.hold_rows {
        t.stored = Some(file.clone());
        t.stored_rows = manifest.rows as usize;
    } else {
        match cache::read(&file) {
            Ok(b) => t.batches = b,
            Err(e) => {
                return Reuse::Tampered {
                    file,
                    reason: format!("it is not readable Parquet ({e})"),
                };
            }
        }
    }
    Reuse::Hit(Box::new(((t, rows), manifest, file)))
}

/// Writes every freshly checked table with files to the cache and turns the large ones
/// into scans of their cached file; a table that cannot be written stays in memory, noted.
/// Returns what the cache did, and each table now scanned with its cached file and hash.
fn store(
    c: &CacheOptions,
    loaded: &mut [Loaded],
    reused: &HashMap<String, cache::Manifest>,
    notes: &HashMap<String, Vec<String>>,
    key_of: &(dyn Fn(&str) -> Option<String> + Sync),
    span: Option<(NaiveDate, NaiveDate)>,
    problems: &mut Problems,
) -> (CacheUse, Vec<(String, CachedRead)>) {
    type Kept = (String, Option<CachedRead>);
    let outcomes: Vec<Option<Result<Kept, String>>> = loaded
        .par_iter_mut()
        .map(|(t, paths)| {
            // A streamed table is in the cache already.
            if reused.contains_key(&t.name) || paths.is_empty() || t.stored.is_some() {
                return None;
            }
            let key = key_of(&t.name)?;
            let manifest = cache::Manifest {
                key,
                table: t.name.clone(),
                // Set by `write` from the bytes it wrote.
                sha256: String::new(),
                rows: t.num_rows() as u64,
                file_rows: paths.iter().map(|(_, r)| *r).collect(),
                notes: notes.get(&t.name).cloned().unwrap_or_default(),
                date_span: if t.name == "attendance" { span } else { None },
            };
            Some(cache::write(&c.dir, t, &manifest).map(|(file, sha256)| {
                if t.num_rows() > c.hold_rows {
                    t.stored_rows = t.num_rows();
                    t.stored = Some(file.clone());
                    t.batches = vec![];
                    t.lines = None;
                    t.row_files = vec![];
                    return (t.name.clone(), Some((file, sha256)));
                }
                (t.name.clone(), None)
            }))
        })
        .collect();
    let mut used = CacheUse {
        dir: c.dir.clone(),
        ..Default::default()
    };
    // The tables now scanned from the file just written, with its hash.
    let mut read = Vec::new();
    for outcome in outcomes.into_iter().flatten() {
        match outcome {
            Ok((name, scanned)) => {
                if let Some(f) = scanned {
                    read.push((name.clone(), f));
                }
                used.written.push(name)
            }
            Err(e) => problems.note(format!(
                "cannot keep a validated copy in the cache ({e}); the next run reads and checks the file again"
            )),
        }
    }
    used.reused = reused.keys().cloned().collect();
    used.scanned = loaded
        .iter()
        .filter(|(t, _)| t.stored.is_some())
        .map(|(t, _)| t.name.clone())
        .collect();
    used.reused.sort();
    used.written.sort();
    used.scanned.sort();
    (used, read)
}

/// Why `path` (found under `dir`) must not be read, when it must not: not a regular file
/// (a FIFO or a device would be read for ever), or reached through a link that leads out of
/// `dir` (the file or one of its folders).
fn unreadable_kind(dir: &Path, path: &Path) -> Option<Problem> {
    let refuse = |expected: String| {
        Some(Problem {
            file: path.to_path_buf(),
            position: None,
            column: None,
            value: None,
            expected,
        })
    };
    match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
        (Ok(t), Ok(f)) if !t.starts_with(&f) => {
            return refuse(format!(
                "a file inside the data folder, but it is a link to {}, outside it (copy the file into the folder instead)",
                t.display()
            ));
        }
        (Err(e), _) => return refuse(format!("a readable file, but it cannot be found ({e})")),
        _ => {}
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) => refuse(format!(
            "a regular file, but it is {}: reading it might never end, so it is not read",
            special_kind(m.file_type())
        )),
        Err(e) => refuse(format!("a readable file ({e})")),
    }
}

/// What a file that is not a regular file is, in words.
#[cfg(unix)]
fn special_kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// What a file that is not a regular file is, in words.
#[cfg(not(unix))]
fn special_kind(_: std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// A file's size and modification time, to tell whether it changed between two looks.
fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
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
