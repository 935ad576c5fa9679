//! Run history: every `cohort run` and `cohort report` recorded in a DuckDB file
//! (`.cohort/history.duckdb` by default), one transaction per run, so that what was
//! published can be listed, compared, re-verified and reused by later reports.
//!
//! The tables are documented in the README for analysts who open the file directly.

pub mod diff;
pub mod published;
mod schema;

use crate::run::{MetricRow, RunOutput, Value};
use chrono::{DateTime, Utc};
use duckdb::{Connection, OptionalExt, params};
use std::path::{Path, PathBuf};

pub use diff::{FigureChange, RunDiff};

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
    pub term: String,
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
        self.record_then(kind, output, source, published, recorded_at, &mut || Ok(()))
    }

    /// [`Self::record`], running `before_commit` (e.g. moving the outputs into place) after
    /// every row is written and before the commit; when it fails nothing is committed.
    pub fn record_then(
        &mut self,
        kind: &RunKind,
        output: &RunOutput,
        source: &dyn Fn(&str) -> String,
        published: &[Published],
        recorded_at: DateTime<Utc>,
        before_commit: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<i64, HistoryError> {
        let path = self.path.clone();
        let fail = |e: duckdb::Error| store(&path, e);
        let tx = self.conn.transaction().map_err(fail)?;
        let run_id: i64 = tx
            .query_row("SELECT coalesce(max(run_id), 0) + 1 FROM runs", [], |r| {
                r.get(0)
            })
            .map_err(fail)?;
        let run_json = serde_json::to_string(output).unwrap_or_default();
        let academic_year: String = output.term.chars().take(7).collect();
        tx.execute(
            "INSERT INTO runs VALUES (?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                run_id,
                recorded_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                kind.command,
                kind.template,
                output.term,
                academic_year,
                output.engine,
                output.tool_version,
                output.data_dir.display().to_string(),
                output.rows_read as i64,
                run_json,
            ],
        )
        .map_err(fail)?;
        {
            let mut app = tx.appender("analyses").map_err(fail)?;
            for a in &output.analyses {
                app.append_row(params![
                    run_id,
                    a.id,
                    a.version,
                    a.sql_hash,
                    source(&a.id),
                    serde_json::to_string(&a.result.columns).unwrap_or_default(),
                    a.rows as i64
                ])
                .map_err(fail)?;
            }
            app.flush().map_err(fail)?;
        }
        {
            let mut app = tx.appender("data_files").map_err(fail)?;
            for f in &output.files {
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
                .map_err(fail)?;
            }
            app.flush().map_err(fail)?;
        }
        {
            let mut app = tx.appender("metrics").map_err(fail)?;
            for m in &output.metrics {
                app.append_row(params![
                    run_id,
                    m.analysis,
                    m.metric,
                    m.time_period,
                    m.breakdown,
                    m.group,
                    m.numerator,
                    m.denominator,
                    m.value,
                    m.unit
                ])
                .map_err(fail)?;
            }
            app.flush().map_err(fail)?;
        }
        {
            let mut app = tx.appender("result_cells").map_err(fail)?;
            for a in &output.analyses {
                for (r, row) in a.result.rows.iter().enumerate() {
                    for (c, v) in row.iter().enumerate() {
                        let (kind, text, number) = cell(v);
                        app.append_row(params![
                            run_id,
                            a.id,
                            r as i64,
                            c as i64,
                            a.result.columns.get(c).cloned().unwrap_or_default(),
                            kind,
                            text,
                            number
                        ])
                        .map_err(fail)?;
                    }
                }
            }
            app.flush().map_err(fail)?;
        }
        {
            let mut app = tx.appender("outputs").map_err(fail)?;
            for p in published {
                app.append_row(params![
                    run_id,
                    p.path.display().to_string(),
                    p.sha256,
                    p.bytes as i64
                ])
                .map_err(fail)?;
            }
            app.flush().map_err(fail)?;
        }
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

    /// Every run, newest first.
    pub fn list(&self) -> Result<Vec<RunSummary>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, strftime(recorded_at, '%Y-%m-%d %H:%M:%S'), command, template, term, engine, run_json
                 FROM runs ORDER BY run_id DESC",
            )
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RunSummary {
                    run_id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    command: r.get(2)?,
                    template: r.get(3)?,
                    term: r.get(4)?,
                    engine: r.get(5)?,
                    analyses: 0,
                    versions: vec![],
                    drafts: drafts_of(
                        &serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    ),
                })
            })
            .map_err(|e| self.fail(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for mut run in rows {
            run.versions = self
                .analyses(run.run_id)?
                .into_iter()
                .map(|a| (a.id, a.version))
                .collect();
            run.analyses = run.versions.len();
            out.push(run);
        }
        Ok(out)
    }

    /// One run's summary, or an error naming the run when there is none.
    pub fn run(&self, run_id: i64) -> Result<RunSummary, HistoryError> {
        self.list()?
            .into_iter()
            .find(|r| r.run_id == run_id)
            .ok_or_else(|| HistoryError::NoSuchRun {
                path: self.path.clone(),
                run: run_id,
            })
    }

    /// The analyses a run recorded, by id.
    pub fn analyses(&self, run_id: i64) -> Result<Vec<RecordedAnalysis>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT analysis_id, version, sql_hash, source, row_count FROM analyses
                 WHERE run_id = ? ORDER BY analysis_id",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(RecordedAnalysis {
                id: r.get(0)?,
                version: r.get(1)?,
                sql_hash: r.get(2)?,
                source: r.get(3)?,
                rows: r.get::<_, i64>(4)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The data files a run read, by table.
    pub fn files(&self, run_id: i64) -> Result<Vec<RecordedFile>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT table_name, path, sha256, row_count FROM data_files
                 WHERE run_id = ? ORDER BY table_name",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(RecordedFile {
                table: r.get(0)?,
                path: r.get(1)?,
                sha256: r.get(2)?,
                rows: r.get::<_, i64>(3)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The figures a run recorded, each with its analysis, in `metrics.csv` order.
    pub fn metrics(&self, run_id: i64) -> Result<Vec<MetricRow>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT analysis_id, metric, time_period, breakdown, \"group\", numerator, denominator, value, unit
                 FROM metrics WHERE run_id = ?
                 ORDER BY metric, time_period, breakdown, \"group\"",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(MetricRow {
                analysis: r.get(0)?,
                metric: r.get(1)?,
                time_period: r.get(2)?,
                breakdown: r.get(3)?,
                group: r.get(4)?,
                numerator: r.get(5)?,
                denominator: r.get(6)?,
                value: r.get(7)?,
                unit: r.get(8)?,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The files a report run wrote.
    pub fn outputs(&self, run_id: i64) -> Result<Vec<Published>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, sha256, bytes FROM outputs WHERE run_id = ? ORDER BY path")
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(Published {
                path: PathBuf::from(r.get::<_, String>(0)?),
                sha256: r.get(1)?,
                bytes: r.get::<_, i64>(2)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The rows of one analysis's result as a run recorded them.
    pub fn result(
        &self,
        run_id: i64,
        analysis: &str,
    ) -> Result<crate::run::ResultTable, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT row_index, value_type, value_text, value_number
                 FROM result_cells WHERE run_id = ? AND analysis_id = ?
                 ORDER BY row_index, column_index",
            )
            .map_err(|e| self.fail(e))?;
        let cells = stmt
            .query_map(params![run_id, analysis], |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                ))
            })
            .map_err(|e| self.fail(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        // The column names come from `analyses`, so a result with no rows keeps them.
        let columns: Option<String> = self
            .conn
            .query_row(
                "SELECT columns FROM analyses WHERE run_id = ? AND analysis_id = ?",
                params![run_id, analysis],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        let mut table = crate::run::ResultTable {
            columns: columns
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or_default(),
            ..Default::default()
        };
        for (row, kind, text, number) in cells {
            if table.rows.len() <= row {
                table.rows.push(Vec::new());
            }
            table.rows[row].push(uncell(&kind, text, number));
        }
        Ok(table)
    }

    /// Report runs of academic years from `from_year` up to (not including) `before_year`
    /// that recorded `analysis`, latest first: where a year's published figures may be.
    /// Each is the run id, the day it was recorded, the analysis version and `run.json`.
    pub fn reports_between(
        &self,
        analysis: &str,
        from_year: &str,
        before_year: &str,
    ) -> Result<Vec<(i64, String, u32, String)>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.run_id, strftime(r.recorded_at, '%Y-%m-%d'), a.version, r.run_json
                 FROM runs r JOIN analyses a USING (run_id)
                 WHERE r.command = 'report' AND a.analysis_id = ?
                   AND r.academic_year >= ? AND r.academic_year < ?
                 ORDER BY r.academic_year DESC, r.term DESC, r.run_id DESC",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map(params![analysis, from_year, before_year], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }
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

/// A result cell as stored: its type, its text and, for numbers, its value.
fn cell(v: &Value) -> (&'static str, Option<String>, Option<f64>) {
    match v {
        Value::Null => ("null", None, None),
        Value::Bool(b) => ("bool", Some(b.to_string()), None),
        Value::Int(i) => ("int", Some(i.to_string()), Some(*i as f64)),
        Value::Float(f) => ("float", Some(format!("{f:?}")), Some(*f)),
        Value::Text(s) => ("text", Some(s.clone()), None),
        Value::Date(d) => ("date", Some(d.format("%Y-%m-%d").to_string()), None),
        // The history records figures before disclosure; a suppressed cell is kept as its symbol.
        Value::Suppressed => ("text", Some(v.to_string()), None),
    }
}

/// The inverse of [`cell`].
fn uncell(kind: &str, text: Option<String>, number: Option<f64>) -> Value {
    let text = text.unwrap_or_default();
    match kind {
        "bool" => Value::Bool(text == "true"),
        "int" => text.parse().map(Value::Int).unwrap_or(Value::Null),
        "float" => text
            .parse()
            .map(Value::Float)
            .unwrap_or(number.map_or(Value::Null, Value::Float)),
        "text" => Value::Text(text),
        "date" => chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Value::Date)
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_exactly() {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Int(-7),
            Value::Float(0.1 + 0.2),
            Value::Text("Looked after".into()),
            Value::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default()),
        ];
        for v in values {
            let (k, t, n) = cell(&v);
            assert_eq!(uncell(k, t, n), v);
        }
    }
}
