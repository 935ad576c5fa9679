//! Run history: every `cohort run` and `cohort report` recorded in a DuckDB file
//! (`.cohort/history.duckdb` by default), one transaction per run, so that what was
//! published can be listed, compared, re-verified and reused by later reports.
//!
//! The tables are documented in the README for analysts who open the file directly.

pub mod diff;
pub mod published;
mod read;
mod schema;
mod stored;

use crate::run::{AnalysisRun, MetricRow, RunOutput};
use chrono::{DateTime, Utc};
use duckdb::{Connection, OptionalExt, params};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use diff::{FigureChange, RunDiff};
use stored::{cell, metrics_hash, result_hash, uncell};

/// Why the history could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history {}: {message}", path.display())]
    Store { path: PathBuf, message: String },
    #[error("history {}: there is no run {run}", path.display())]
    NoSuchRun { path: PathBuf, run: i64 },
    #[error("history {}: cannot create its folder: {source}", path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The step run just before commit failed, so the run was not recorded.
    #[error("history {}: the run was not recorded: {message}", path.display())]
    NotRecorded { path: PathBuf, message: String },
}

/// Environment variable: how many seconds a command waits for a history another cohort
/// command is using before it gives up (default 60).
pub const WAIT_SECONDS: &str = "COHORT_HISTORY_WAIT";

fn wait_limit() -> std::time::Duration {
    let seconds = std::env::var(WAIT_SECONDS)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(60);
    std::time::Duration::from_secs(seconds)
}

/// Whether DuckDB refused to open the file because another process holds it.
fn is_locked(e: &duckdb::Error) -> bool {
    let m = e.to_string();
    m.contains("Could not set lock") || m.contains("Conflicting lock")
}

/// A rendered file a report run wrote, by path and hash.
#[derive(Debug, Clone)]
pub struct Published {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// What a run is recorded as: the command, and the template for reports.
#[derive(Debug, Clone)]
pub struct RunKind {
    /// `run` or `report`.
    pub command: &'static str,
    pub template: Option<String>,
}

/// One run as `cohort history list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: i64,
    pub recorded_at: String,
    pub command: String,
    pub template: Option<String>,
    pub term: crate::contract::Term,
    pub engine: String,
    pub analyses: usize,
    /// `id vN` for each analysis, in id order.
    pub versions: Vec<(String, u32)>,
    /// Analyses the run carried as drafts (changed since the lock).
    pub drafts: Vec<String>,
}

/// The drafts a recorded `run.json` names (none for a run before drafts existed).
pub fn drafts_of(run_json: &serde_json::Value) -> Vec<String> {
    run_json
        .get("drafts")
        .and_then(|d| d.as_array())
        .map(|d| {
            d.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// An analysis as a run recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAnalysis {
    pub id: String,
    pub version: u32,
    pub sql_hash: String,
    /// The analysis file as it was (front matter and SQL).
    pub source: String,
    pub rows: u64,
}

/// A data file as a run recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedFile {
    pub table: String,
    pub path: String,
    pub sha256: String,
    pub rows: u64,
}

/// A run to record: what ran, what it gave, each analysis's source text by id, the files
/// it published and when.
#[derive(Clone, Copy)]
pub struct Recording<'a> {
    pub kind: &'a RunKind,
    pub output: &'a RunOutput,
    pub source: &'a dyn Fn(&str) -> String,
    pub published: &'a [Published],
    pub recorded_at: DateTime<Utc>,
}

/// The history database, open for reading and writing.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// Environment variable naming a file the store creates, then waits, just before it
/// commits a run: lets a test kill a run midway through writing its history.
pub const HOLD_BEFORE_COMMIT: &str = "COHORT_TEST_HOLD_BEFORE_COMMIT";

impl History {
    /// Opens (creating when absent) the history at `path`.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| HistoryError::Folder {
                path: path.to_path_buf(),
                source: e,
            })?;
        }
        let conn = Self::open_waiting(path)?;
        let history = History {
            conn,
            path: path.to_path_buf(),
        };
        schema::migrate(&history.conn).map_err(|e| store(path, e))?;
        Ok(history)
    }

    /// Opens the file, waiting (and saying so on stderr) while another cohort command
    /// holds it, up to [`WAIT_SECONDS`].
    fn open_waiting(path: &Path) -> Result<Connection, HistoryError> {
        let start = std::time::Instant::now();
        let limit = wait_limit();
        let mut said = false;
        loop {
            match Connection::open(path) {
                Ok(conn) => return Ok(conn),
                Err(e) if is_locked(&e) && start.elapsed() < limit => {
                    if !said {
                        eprintln!(
                            "waiting for the run history {}: another cohort command is using it (for up to {} s; {WAIT_SECONDS} sets the limit)",
                            path.display(),
                            limit.as_secs()
                        );
                        said = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                // Another command is creating the file this moment: its header is not
                // written yet. A file that stays invalid is reported after a few seconds.
                Err(e)
                    if e.to_string().contains("not a valid DuckDB database file")
                        && start.elapsed() < std::time::Duration::from_secs(5) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) if is_locked(&e) => {
                    let mut err = store(path, e);
                    if let HistoryError::Store { message, .. } = &mut err {
                        message.push_str(&format!(" (waited {} s)", limit.as_secs()));
                    }
                    return Err(err);
                }
                Err(e) => return Err(store(path, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, e: duckdb::Error) -> HistoryError {
        store(&self.path, e)
    }

    /// Records a finished run, its figures, result tables and published files, all in
    /// one transaction: a run stopped midway leaves the history as it was.
    pub fn record(
        &mut self,
        kind: &RunKind,
        output: &RunOutput,
        source: &dyn Fn(&str) -> String,
        published: &[Published],
        recorded_at: DateTime<Utc>,
    ) -> Result<i64, HistoryError> {
        let run = Recording {
            kind,
            output,
            source,
            published,
            recorded_at,
        };
        self.record_then(&run, &mut || Ok(()))
    }

    /// [`Self::record`], running `before_commit` (e.g. moving the outputs into place) after
    /// every row is written and before the commit; when it fails nothing is committed.
    pub fn record_then(
        &mut self,
        run: &Recording<'_>,
        before_commit: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<i64, HistoryError> {
        let Recording {
            kind,
            output,
            source,
            published,
            recorded_at,
        } = *run;
        let path = self.path.clone();
        let fail = |e: duckdb::Error| store(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        let run_id: i64 = tx
            .query_row("SELECT coalesce(max(run_id), 0) + 1 FROM runs", [], |r| {
                r.get(0)
            })
            .map_err(fail)?;
        let run_json = serde_json::to_string(output).unwrap_or_default();
        let academic_year = output.term.year.to_string();
        tx.execute(
            "INSERT INTO runs VALUES (?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                run_id,
                recorded_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                kind.command,
                kind.template,
                output.term.to_string(),
                academic_year,
                output.engine,
                output.tool_version,
                output.data_dir.display().to_string(),
                output.rows_read as i64,
                run_json,
            ],
        )
        .map_err(fail)?;
        // What this run shares with earlier ones is not written again: each source, result
        // and set of figures is keyed by its SHA-256, looked up among the few stored keys.
        let analyses: Vec<(&AnalysisRun, String, String, String)> = output
            .analyses
            .iter()
            .map(|a| {
                let text = source(&a.id);
                let hash = hex::encode(Sha256::digest(text.as_bytes()));
                (a, text, hash, result_hash(&a.result))
            })
            .collect();
        let metrics_hash = metrics_hash(&output.metrics);
        let mut sources = stored(&tx, "analysis_sources", "source_hash").map_err(fail)?;
        let mut results = stored(&tx, "run_analyses", "result_hash").map_err(fail)?;
        let metrics_stored = stored(&tx, "run_metrics", "metrics_hash")
            .map_err(fail)?
            .contains(&metrics_hash);
        append(
            &tx,
            "analysis_sources",
            analyses
                .iter()
                .filter(|(_, _, hash, _)| sources.insert(hash.clone())),
            |app, (_, text, hash, _)| app.append_row(params![hash, text]),
        )
        .map_err(fail)?;
        append(
            &tx,
            "run_analyses",
            &analyses,
            |app, (a, _, source, result)| {
                app.append_row(params![
                    run_id,
                    a.id,
                    a.version,
                    a.sql_hash,
                    serde_json::to_string(&a.result.columns).unwrap_or_default(),
                    a.rows as i64,
                    source,
                    result
                ])
            },
        )
        .map_err(fail)?;
        let new_results = analyses
            .iter()
            .filter(|(_, _, _, hash)| results.insert(hash.clone()));
        let cells = new_results.flat_map(|(a, _, _, hash)| {
            let table = &a.result;
            table.rows.iter().enumerate().flat_map(move |(r, row)| {
                row.iter()
                    .enumerate()
                    .map(move |(c, v)| (hash, table, r, c, v))
            })
        });
        append(
            &tx,
            "result_values",
            cells,
            |app, (hash, table, r, c, v)| {
                let (kind, text, number) = cell(v);
                app.append_row(params![
                    hash,
                    r as i64,
                    c as i64,
                    table.columns.get(c).map_or("", String::as_str),
                    kind,
                    text,
                    number
                ])
            },
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO run_metrics VALUES (?, ?)",
            params![run_id, metrics_hash],
        )
        .map_err(fail)?;
        let figures = output.metrics.iter().filter(|_| !metrics_stored);
        append(&tx, "metric_values", figures, |app, m| {
            app.append_row(params![
                metrics_hash,
                m.analysis,
                m.metric,
                m.time_period,
                m.breakdown,
                m.group,
                m.numerator,
                m.denominator,
                m.value,
                m.unit.as_str()
            ])
        })
        .map_err(fail)?;
        append(&tx, "data_files", &output.files, |app, f| {
            // The cached copy's verified hash when the rows came from the cache.
            app.append_row(params![
                run_id,
                f.table,
                f.path.display().to_string(),
                f.sha256,
                f.rows as i64,
                f.read_from.as_ref().map(|p| p.display().to_string()),
                f.read_sha256
            ])
        })
        .map_err(fail)?;
        append(&tx, "outputs", published, |app, p| {
            app.append_row(params![
                run_id,
                p.path.display().to_string(),
                p.sha256,
                p.bytes as i64
            ])
        })
        .map_err(fail)?;
        if let Ok(marker) = std::env::var(HOLD_BEFORE_COMMIT) {
            let _ = std::fs::write(&marker, run_id.to_string());
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
        if let Err(message) = before_commit() {
            // Dropping the transaction rolls it back.
            return Err(HistoryError::NotRecorded {
                path: path.clone(),
                message,
            });
        }
        tx.commit().map_err(fail)?;
        Ok(run_id)
    }
}

/// Appends a row to `table` for each of `items`, through one appender.
fn append<T>(
    conn: &Connection,
    table: &str,
    items: impl IntoIterator<Item = T>,
    mut row: impl FnMut(&mut duckdb::Appender<'_>, T) -> duckdb::Result<()>,
) -> duckdb::Result<()> {
    let mut app = conn.appender(table)?;
    for item in items {
        row(&mut app, item)?;
    }
    app.flush()
}

/// The distinct keys in `column` of `table`: a scan of one short column.
fn stored(conn: &Connection, table: &str, column: &str) -> duckdb::Result<HashSet<String>> {
    let mut stmt = conn.prepare(&format!("SELECT DISTINCT {column} FROM {table}"))?;
    let keys = stmt.query_map([], |r| r.get(0))?;
    keys.collect()
}

fn store(path: &Path, e: duckdb::Error) -> HistoryError {
    let mut message = e.to_string();
    if message.contains("lock") {
        message.push_str(
            " (is another cohort command using this history? Only one may write at a time.)",
        );
    }
    HistoryError::Store {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests;
