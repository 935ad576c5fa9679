//! SQL engines behind one small trait, so analyses run the same way on each.
//!
//! All engine-specific code lives here: the rest of cohort hands engines Arrow
//! tables and SQL text and gets Arrow batches back.

#[cfg(feature = "ballista")]
mod ballista;
mod datafusion;
mod duckdb;
mod gate;
pub mod limits;

#[cfg(feature = "ballista")]
pub use self::ballista::{BallistaEngine, LocalCluster, Scheduling};
pub use self::datafusion::DataFusionEngine;
pub use self::duckdb::DuckDbEngine;
pub use self::limits::{LimitHit, Limits};

use ::datafusion::arrow::datatypes::SchemaRef;
use ::datafusion::arrow::record_batch::RecordBatch;
use std::time::Duration;

/// An error from an engine, with the SQL position when the engine reports one.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    pub message: String,
    /// 1-based line and column within the SQL text, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The limit that stopped the query, when one did ([`EngineError::over_limit`]).
    pub limit: Option<LimitHit>,
}

impl EngineError {
    /// An error with no position in the SQL.
    pub fn new(message: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            line: None,
            column: None,
            limit: None,
        }
    }
}

/// Where a table is registered: `schema.name`, or `name` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableName<'a> {
    pub schema: Option<&'a str>,
    pub name: &'a str,
}

impl<'a> TableName<'a> {
    /// `name` in no schema: a catalog table, `params`, a notebook cell.
    pub fn bare(name: &'a str) -> Self {
        TableName { schema: None, name }
    }

    /// `schema.name`: an analysis's result (`attendance.absence_by_year`).
    pub fn in_schema(schema: &'a str, name: &'a str) -> Self {
        TableName {
            schema: Some(schema),
            name,
        }
    }
}

/// The rows an engine is given, with their Arrow schema (which holds when there are none).
#[derive(Debug, Clone)]
pub enum Rows {
    /// Batches in memory.
    Batches(SchemaRef, Vec<RecordBatch>),
    /// The rows of a Parquet file (a validated table in the cache): scanned from the file by
    /// DataFusion, streamed into DuckDB a row group at a time.
    Parquet(SchemaRef, std::path::PathBuf),
}

impl Rows {
    /// Batches in memory with the first one's schema (a query's result), or no columns when
    /// there are none.
    pub fn of(batches: Vec<RecordBatch>) -> Rows {
        let schema = batches.first().map(|b| b.schema()).unwrap_or_else(|| {
            std::sync::Arc::new(::datafusion::arrow::datatypes::Schema::empty())
        });
        Rows::Batches(schema, batches)
    }
}

/// For the engines' tests: runs `sql` with half a second to run in and checks that the time
/// limit stopped it, within ten seconds.
#[cfg(test)]
pub(crate) fn stopped_by_time(engine: &dyn Engine, sql: &str) {
    let started = std::time::Instant::now();
    let time = Duration::from_millis(500);
    let e = engine
        .query_within(sql, time)
        .err()
        .unwrap_or_else(|| panic!("`{sql}` must stop at its time"));
    assert_eq!(e.limit, Some(LimitHit::Time(time)), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Which engine runs the analyses (`--engine`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum EngineKind {
    /// Apache DataFusion: the default.
    #[default]
    DataFusion,
    /// DuckDB: the second engine that cross-checks the first.
    DuckDb,
    /// Apache DataFusion Ballista: DataFusion distributed over a scheduler's executors
    /// (built with `--features ballista`).
    Ballista(BallistaPlace),
}

/// Where a Ballista engine runs: its scheduler, or standalone in this process, and the
/// folder of the Parquet files its executors read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BallistaPlace {
    /// `df://host:50050`; `None` starts a scheduler and an executor in this process.
    pub scheduler: Option<String>,
    /// A folder every executor reads at the same path; `None`: a private temporary folder.
    pub store: Option<std::path::PathBuf>,
}

impl EngineKind {
    /// A new engine of this kind.
    pub fn start(&self) -> Result<Box<dyn Engine>, EngineError> {
        Ok(match self {
            EngineKind::DataFusion => Box::new(DataFusionEngine::new()?),
            EngineKind::DuckDb => Box::new(DuckDbEngine::new()?),
            EngineKind::Ballista(place) => start_ballista(place)?,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            EngineKind::DataFusion => "datafusion",
            EngineKind::DuckDb => "duckdb",
            EngineKind::Ballista(_) => "ballista",
        }
    }
}

#[cfg(feature = "ballista")]
fn start_ballista(place: &BallistaPlace) -> Result<Box<dyn Engine>, EngineError> {
    Ok(Box::new(BallistaEngine::new(place)?))
}

#[cfg(not(feature = "ballista"))]
fn start_ballista(_: &BallistaPlace) -> Result<Box<dyn Engine>, EngineError> {
    Err(EngineError::new(
        "this cohort was built without Ballista: build it with `cargo build --release --features ballista`",
    ))
}

/// A SQL engine the runner can drive from several threads at once.
pub trait Engine: Send + Sync {
    /// Short name for messages and `run.json` (`datafusion`).
    fn name(&self) -> &'static str;
    /// Makes `rows` queryable as `table`, replacing a table of that name.
    fn register(&self, table: TableName<'_>, rows: Rows) -> Result<(), EngineError>;
    /// Runs a query to completion, within the time an analysis may take
    /// ([`Limits::analysis_time`]).
    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError>;
    /// Runs a query to completion, stopping it with an error (its `limit` set) when it runs
    /// longer than `time`. An engine that cannot stop a query early (Ballista, whose jobs
    /// have their own timeout) runs it as [`Engine::query`] does.
    fn query_within(&self, sql: &str, time: Duration) -> Result<Vec<RecordBatch>, EngineError> {
        let _ = time;
        self.query(sql)
    }
    /// Runs a query to completion and returns, with its rows, the executed plan with each
    /// operator's rows and time (`cohort run --profile`), where the engine can give one.
    fn query_profiled(&self, sql: &str) -> Result<(Vec<RecordBatch>, String), EngineError> {
        let batches = self.query(sql)?;
        let note = format!("the {} engine gives no plan profile", self.name());
        Ok((batches, note))
    }
    /// Plans a query without running it and returns the schema of its result.
    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError>;
}
