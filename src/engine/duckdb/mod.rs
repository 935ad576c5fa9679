//! The DuckDB engine: the catalog's Arrow tables copied into an in-memory DuckDB, so
//! every analysis can run on a second, independent SQL engine (`--engine duckdb`,
//! `cohort check --cross-engine`).
//!
//! DuckDB's Rust crate uses a newer arrow than DataFusion; tables cross between the two
//! through the Arrow C data interface, whose layout is the same in every version.

mod bridge;
mod guards;
mod raw;
#[cfg(test)]
mod tests;

use super::limits::{self, LimitHit, Limits};
use super::{Engine, EngineError, Rows, TableName};
use bridge::{cast_batch, fetch, normalise_schema, older_schema, sql_type, storable, to_newer};
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use duckdb::Connection;
use guards::{SpillFolder, Watchdog};
use raw::RawDatabase;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// An in-memory DuckDB; each query runs on its own connection to it, so rayon's
/// threads can query at once. Before the first query (after the catalog's tables are
/// in) it is sealed: no files, URLs or extensions, and its settings locked. Its memory
/// and spilled data are held to the process's [`Limits`], and a query running past its
/// time is interrupted.
pub struct DuckDbEngine {
    // Dropped first: the connections close before `raw` closes the database.
    conn: Mutex<Connection>,
    /// Set once the lockdown settings are applied (or failed to apply).
    sealed: OnceLock<Result<(), EngineError>>,
    raw: Mutex<RawDatabase>,
    limits: Limits,
    // Dropped last, once the database is closed.
    _spill: SpillFolder,
}

/// The settings that stop user SQL reaching outside the database, applied after the
/// catalog's tables are loaded and before any user SQL: no files, URLs or `ATTACH`
/// (external access), no extension installed or loaded, and no setting changed after.
const LOCKDOWN: &str = "SET enable_external_access = false; \
SET autoinstall_known_extensions = false; \
SET autoload_known_extensions = false; \
SET allow_community_extensions = false; \
SET lock_configuration = true;";

/// `text` as a SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl DuckDbEngine {
    /// An empty in-memory DuckDB with two threads that keeps insertion order, held to the
    /// limits [`limits::current`] gives.
    pub fn new() -> Result<Self, EngineError> {
        Self::with_limits(limits::current())
    }

    /// [`DuckDbEngine::new`] held to `limits`: `memory_limit`, a private `temp_directory`
    /// and, when a spill limit is set, `max_temp_directory_size`.
    pub fn with_limits(limits: Limits) -> Result<Self, EngineError> {
        let raw = RawDatabase::open()?;
        // SAFETY: `raw.db` is open and outlives the connection (see the field order).
        let conn = unsafe { Connection::open_from_raw(raw.db) }.map_err(to_error)?;
        let spill = SpillFolder::new(&limits);
        let mut settings = format!(
            "SET threads TO 2; SET preserve_insertion_order = true; \
             SET memory_limit = '{}B'; SET temp_directory = {};",
            limits.duckdb_memory(),
            literal(&spill.0.to_string_lossy())
        );
        if let Some(bytes) = limits.spill {
            settings.push_str(&format!(" SET max_temp_directory_size = '{bytes}B';"));
        }
        conn.execute_batch(&settings).map_err(to_error)?;
        Ok(DuckDbEngine {
            conn: Mutex::new(conn),
            sealed: OnceLock::new(),
            raw: Mutex::new(raw),
            limits,
            _spill: spill,
        })
    }

    /// Runs `work` on a fresh connection, interrupted once it has run for `time`; a limit
    /// that stops it is said as such, and a panic inside it is an error.
    fn within<T>(
        &self,
        time: Duration,
        work: impl FnOnce(&Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        limits::catching(|| {
            let conn = self.connection()?;
            let watchdog = Watchdog::start(&conn, time);
            let result = work(&conn);
            let interrupted = watchdog.stop();
            result.map_err(|e| {
                if interrupted {
                    EngineError::over_limit(LimitHit::Time(time), "")
                } else if e.message.contains("Out of Memory") {
                    let hit = if e.message.contains("temp_directory") {
                        LimitHit::Spill(self.limits.spill.unwrap_or(0))
                    } else {
                        LimitHit::Memory(self.limits.duckdb_memory())
                    };
                    EngineError::over_limit(hit, &e.message)
                } else {
                    e
                }
            })
        })
    }

    /// Seals the database on first use, then checks `sql` is one SELECT statement.
    fn admit(&self, sql: &str) -> Result<(), EngineError> {
        self.sealed
            .get_or_init(|| {
                let conn = self.connection()?;
                conn.execute_batch(LOCKDOWN).map_err(to_error)
            })
            .clone()?;
        let raw = self
            .raw
            .lock()
            .map_err(|_| EngineError::new("the DuckDB connection was poisoned by a panic"))?;
        raw.check_one_select(sql)
    }

    /// Creates `schema.name` with the stored types of `arrow_schema` and appends `batches`.
    fn append(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: impl Iterator<Item = Result<RecordBatch, EngineError>>,
    ) -> Result<(), EngineError> {
        let conn = self.connection()?;
        let stored: SchemaRef = Arc::new(Schema::new(
            arrow_schema
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), storable(f.data_type()), true))
                .collect::<Vec<_>>(),
        ));
        let columns = stored
            .fields()
            .iter()
            .map(|f| Ok(format!("{} {}", quote(f.name()), sql_type(f.data_type())?)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        let qualified = match schema {
            Some(s) => {
                // Two analyses of one area finishing together would both create its schema,
                // and DuckDB refuses the second transaction as a write-write conflict: schemas
                // are created one at a time, on the connection every other one is cloned from.
                let guard = self.conn.lock().map_err(|_| {
                    EngineError::new("the DuckDB connection was poisoned by a panic")
                })?;
                guard
                    .execute_batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(s)))
                    .map_err(to_error)?;
                drop(guard);
                format!("{}.{}", quote(s), quote(name))
            }
            None => quote(name),
        };
        conn.execute_batch(&format!(
            "CREATE OR REPLACE TABLE {qualified} ({})",
            columns.join(", ")
        ))
        .map_err(to_error)?;
        let mut appender = match schema {
            Some(s) => conn.appender_to_db(name, s),
            None => conn.appender(name),
        }
        .map_err(to_error)?;
        for batch in batches {
            let batch = batch?;
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = cast_batch(&batch, &stored)?;
            appender
                .append_record_batch(to_newer(batch)?)
                .map_err(to_error)?;
        }
        appender.flush().map_err(to_error)?;
        Ok(())
    }

    /// A fresh connection to the same database.
    fn connection(&self) -> Result<Connection, EngineError> {
        let guard = self
            .conn
            .lock()
            .map_err(|_| EngineError::new("the DuckDB connection was poisoned by a panic"))?;
        guard.try_clone().map_err(to_error)
    }
}

fn to_error(e: duckdb::Error) -> EngineError {
    let message = e.to_string();
    let line = sql_line(&message);
    EngineError {
        message,
        line,
        column: None,
        limit: None,
    }
}

/// Finds `LINE N:` in a DuckDB message.
fn sql_line(message: &str) -> Option<usize> {
    let i = message.find("LINE ")? + 5;
    let digits: String = message[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Engine for DuckDbEngine {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    /// A Parquet file's row groups are appended one at a time, so the table is never held twice.
    fn register(&self, table: TableName<'_>, rows: Rows) -> Result<(), EngineError> {
        let TableName { schema, name } = table;
        match rows {
            Rows::Batches(arrow_schema, batches) => {
                self.append(schema, name, arrow_schema, batches.into_iter().map(Ok))
            }
            Rows::Parquet(arrow_schema, path) => {
                let read = |e: &dyn std::fmt::Display| {
                    EngineError::new(format!("cannot read {}: {e}", path.display()))
                };
                let file = std::fs::File::open(&path).map_err(|e| read(&e))?;
                let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                    .and_then(|b| b.build())
                    .map_err(|e| read(&e))?;
                let batches = reader.map(|b| b.map_err(|e| read(&e)));
                self.append(schema, name, arrow_schema, batches)
            }
        }
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.query_within(sql, self.limits.analysis_time)
    }

    fn query_within(&self, sql: &str, time: Duration) -> Result<Vec<RecordBatch>, EngineError> {
        self.admit(sql)?;
        self.within(time, |conn| fetch(conn, sql))
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        self.admit(sql)?;
        let limited = format!(
            "SELECT * FROM ({}\n) AS planned LIMIT 0",
            sql.trim_end().trim_end_matches(';')
        );
        self.within(self.limits.analysis_time, |conn| {
            let mut stmt = conn.prepare(&limited).map_err(to_error)?;
            let _ = stmt.query_arrow([]).map_err(to_error)?.count();
            Ok(normalise_schema(&older_schema(&stmt.schema())?))
        })
    }
}
