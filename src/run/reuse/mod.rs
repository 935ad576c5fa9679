//! The result cache: each analysis's result (and each notebook cell's) is kept under
//! `.cohort/cache/<data>/results/`, keyed by everything that determines it: cohort's
//! version, the engine, the term, the SQL the engine runs (and the locked or draft hash),
//! the model it feeds, the hashes of the tables it reads and the keys of the results it
//! reads. A run reuses every result whose key is unchanged and runs only the rest: after an
//! edit, the changed analysis and what depends on it.
//!
//! A cached result is input like any other, so it proves itself as the validated-data cache
//! does: its manifest records the SHA-256 of each file written, and an entry is used only
//! while its files still have those hashes. An entry that does not is never used: the
//! analysis runs again, with a warning naming the file, and `run.json` lists it.

use super::{AnalysisRun, Batches, ResultTable, RunError, Value, convert};
use crate::analysis::{self, Analysis};
use crate::arrow::datatypes::Schema;
use crate::arrow::ipc::reader::FileReader;
use crate::arrow::ipc::writer::FileWriter;
use crate::catalog::Catalog;
use crate::contract::Term;
use crate::engine::{Engine, Rows, TableName};
use crate::output::write_atomic;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod kept;
use kept::ipc_bytes;
pub use kept::{Lookup, find, store};

/// Where results are kept, and what this run did with them (for `run.json`).
#[derive(Debug)]
pub struct ResultCache {
    pub dir: PathBuf,
    /// What else determines every result of this run: its report parameters
    /// (`team=Team East`), which analyses read from `params`; empty when none.
    salt: String,
    used: Mutex<ResultReuse>,
}

impl ResultCache {
    /// The cache in `dir` (created when the first result is kept).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        ResultCache {
            used: Mutex::new(ResultReuse {
                dir: dir.clone(),
                ..ResultReuse::default()
            }),
            dir,
            salt: String::new(),
        }
    }

    /// The same cache for a run for one value of report parameters: their values are part
    /// of every key, so one team's results are never another's.
    pub fn for_parameters(&self, parameters: &BTreeMap<String, String>) -> ResultCache {
        let mut c = ResultCache::new(self.dir.clone());
        c.salt = parameters
            .iter()
            .map(|(k, v)| format!("{k}={v:?}\n"))
            .collect();
        c
    }

    /// What besides the term determines this run's results (see [`ResultCache::for_parameters`]).
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// What the cache gave and took so far.
    pub fn used(&self) -> ResultReuse {
        let mut u = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        // Analyses finish in parallel; the record lists them in a fixed order.
        u.reused.sort();
        u.written.sort();
        u
    }

    fn note(&self, f: impl FnOnce(&mut ResultReuse)) {
        if let Ok(mut u) = self.used.lock() {
            f(&mut u);
        }
    }
}

/// What one run did with the result cache: `run.json` and the history record it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResultReuse {
    pub dir: PathBuf,
    /// Analyses (and notebook cells, as `cell_<n>`) whose kept result was used, unrun.
    pub reused: Vec<String>,
    /// Analyses run and then kept.
    pub written: Vec<String>,
    /// Entries whose files no longer had the hashes recorded: not used, re-run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedResult>,
}

/// A kept result that failed its check, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedResult {
    pub id: String,
    pub file: PathBuf,
    pub reason: String,
}

/// The hash of each catalog table's content: its files' SHA-256s (which the catalog has
/// already computed) or, for a table with no file (the reference tables), its rows.
pub fn table_hashes(catalog: &Catalog) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for t in &catalog.tables {
        let files: Vec<String> = catalog
            .files
            .iter()
            .filter(|f| f.table == t.name)
            .map(|f| format!("{} {}", f.sha256, f.rows))
            .collect();
        let mut h = Sha256::new();
        if files.is_empty() {
            h.update(b"rows\n");
            h.update(format!("{:?}\n", t.schema).as_bytes());
            for b in &t.batches {
                h.update(ipc_bytes(std::slice::from_ref(b)).unwrap_or_default());
            }
        } else {
            h.update(b"files\n");
            h.update(files.join("\n").as_bytes());
        }
        out.insert(t.name.to_ascii_lowercase(), hex::encode(h.finalize()));
    }
    out
}

/// The key of every analysis for a run of `term` on `engine` over tables with `tables`'
/// hashes, in dependency order (a key includes the keys of what it reads).
pub fn keys(
    analyses: &[Analysis],
    tables: &BTreeMap<String, String>,
    engine: &str,
    term: Term,
    salt: &str,
) -> Result<BTreeMap<String, String>, RunError> {
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let by_table = result_tables(analyses);
    for wave in analysis::graph::waves(analyses)? {
        for i in wave {
            let a = &analyses[i];
            let sql = a.sql_for(engine);
            let mut h = Sha256::new();
            h.update(b"cohort result cache 1\n");
            h.update(
                format!(
                    "{}\n{engine}\n{term}\n{salt}{}\n{}\n{}\n{:?}\n",
                    env!("CARGO_PKG_VERSION"),
                    a.id(),
                    a.meta.version,
                    a.sql_hash,
                    a.meta.model
                )
                .as_bytes(),
            );
            h.update(sql.as_bytes());
            h.update(b"\n");
            let read = inputs(sql, tables, &by_table, &keys, &a.meta.depends_on);
            h.update(read.as_bytes());
            keys.insert(a.id().to_string(), hex::encode(h.finalize()));
        }
    }
    Ok(keys)
}

/// Each analysis's result table as SQL names it (`attendance.absence_by_term`), to its id.
fn result_tables(analyses: &[Analysis]) -> BTreeMap<String, String> {
    analyses
        .iter()
        .map(|a| {
            let (s, n) = analysis::table_name(a.id());
            (format!("{s}.{n}").to_ascii_lowercase(), a.id().to_string())
        })
        .collect()
}

/// What a SQL text reads, as `name: hash` lines: the tables it names (all of them when it
/// does not parse), the analysis results it names and the dependencies it declares.
fn inputs(
    sql: &str,
    tables: &BTreeMap<String, String>,
    by_table: &BTreeMap<String, String>,
    keys: &BTreeMap<String, String>,
    depends_on: &[String],
) -> String {
    let mut lines: Vec<String> = Vec::new();
    match analysis::reads::tables_read(sql) {
        Some(names) => {
            for n in names {
                if let Some(h) = tables.get(&n) {
                    lines.push(format!("table {n}: {h}"));
                } else if let Some(k) = by_table.get(&n).and_then(|id| keys.get(id)) {
                    lines.push(format!("result {n}: {k}"));
                } else {
                    lines.push(format!("other {n}"));
                }
            }
        }
        None => lines.extend(tables.iter().map(|(n, h)| format!("table {n}: {h}"))),
    }
    for d in depends_on {
        lines.push(format!(
            "depends {d}: {}",
            keys.get(d).map_or("?", String::as_str)
        ));
    }
    lines.sort();
    lines.join("\n")
}

/// The key of each notebook cell: its SQL, the tables and results it reads, and the key of
/// the cell before it (a cell may read any earlier `cell_<n>`).
pub fn cell_keys<'a>(
    cells: impl IntoIterator<Item = &'a str>,
    analyses: &[Analysis],
    analysis_keys: &BTreeMap<String, String>,
    tables: &BTreeMap<String, String>,
    engine: &str,
    term: Term,
) -> Vec<String> {
    let by_table = result_tables(analyses);
    let mut previous = String::new();
    let mut out = Vec::new();
    for sql in cells {
        let mut h = Sha256::new();
        h.update(b"cohort cell cache 1\n");
        h.update(
            format!(
                "{}\n{engine}\n{term}\n{previous}\n",
                env!("CARGO_PKG_VERSION")
            )
            .as_bytes(),
        );
        h.update(sql.as_bytes());
        h.update(b"\n");
        h.update(inputs(sql, tables, &by_table, analysis_keys, &[]).as_bytes());
        previous = hex::encode(h.finalize());
        out.push(previous.clone());
    }
    out
}

/// The kept result of `a` under `key`, as the run it stands for; a tampered entry is noted
/// (and warned of) and treated as a miss.
pub(super) fn reuse(
    cache: &ResultCache,
    a: &Analysis,
    key: &str,
) -> Option<(AnalysisRun, Batches)> {
    match find(&cache.dir, a.id(), key) {
        Lookup::Miss => None,
        Lookup::Tampered { file, reason } => {
            eprintln!(
                "{}",
                crate::app::style::for_stderr(&format!(
                    "warning: the kept result of `{}` in {} was not used: {reason}; it runs again",
                    a.id(),
                    file.display()
                ))
            );
            cache.note(|u| {
                u.rejected.push(RejectedResult {
                    id: a.id().to_string(),
                    file,
                    reason,
                })
            });
            None
        }
        Lookup::Hit(result, batches) => {
            cache.note(|u| u.reused.push(a.id().to_string()));
            let now = Utc::now();
            Some((
                AnalysisRun {
                    id: a.id().to_string(),
                    version: a.meta.version,
                    sql_hash: a.sql_hash.clone(),
                    rows: result.rows.len(),
                    started: now,
                    finished: now,
                    result,
                    profile: None,
                },
                batches,
            ))
        }
    }
}

/// Keeps a result just run; a cache that cannot be written is a warning, never a failure.
pub(super) fn keep(cache: &ResultCache, id: &str, key: &str, run: &AnalysisRun, batches: &Batches) {
    match store(&cache.dir, id, key, &run.result, batches) {
        Ok(()) => cache.note(|u| u.written.push(id.to_string())),
        Err(e) => eprintln!(
            "{}",
            crate::app::style::for_stderr(&format!(
                "warning: the result of `{id}` could not be kept in {}: {e}",
                cache.dir.display()
            ))
        ),
    }
}

/// [`super::cells::run_cells`] with each cell whose key is unchanged taken from the cache
/// rather than run (and each run cell kept).
pub fn run_cells_cached<'a>(
    engine: &dyn Engine,
    cells: impl IntoIterator<Item = &'a str>,
    keys: &[String],
    cache: Option<&ResultCache>,
) -> Result<Vec<ResultTable>, super::cells::CellError> {
    let mut results = Vec::new();
    for sql in cells {
        let cell = results.len() + 1;
        let fail = |error| super::cells::CellError { cell, error };
        let name = format!("cell_{cell}");
        let key = keys.get(cell - 1);
        let kept = match (cache, key) {
            (Some(c), Some(k)) => match find(&c.dir, &name, k) {
                Lookup::Hit(t, b) => {
                    c.note(|u| u.reused.push(name.clone()));
                    Some((t, b))
                }
                Lookup::Tampered { file, reason } => {
                    c.note(|u| {
                        u.rejected.push(RejectedResult {
                            id: name.clone(),
                            file,
                            reason,
                        })
                    });
                    None
                }
                Lookup::Miss => None,
            },
            _ => None,
        };
        let (table, batches) = match kept {
            Some(k) => k,
            None => {
                let batches = engine.query(sql).map_err(fail)?;
                let table = convert::to_table(&batches);
                if let (Some(c), Some(k)) = (cache, key)
                    && store(&c.dir, &name, k, &table, &batches).is_ok()
                {
                    c.note(|u| u.written.push(name.clone()));
                }
                (table, batches)
            }
        };
        engine
            .register(TableName::bare(&name), Rows::of(batches))
            .map_err(fail)?;
        results.push(table);
    }
    Ok(results)
}

#[cfg(test)]
mod tests;
