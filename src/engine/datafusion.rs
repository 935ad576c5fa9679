//! The DataFusion engine: an in-memory `SessionContext` over the catalog's Arrow tables.

use super::limits::{self, LimitHit, Limits};
use super::{Engine, EngineError, gate};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{MemTable, MemorySchemaProvider};
use datafusion::common::TableReference;
use datafusion::error::DataFusionError;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{GreedyMemoryPool, TrackConsumersPool};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::physical_plan::{collect, display::DisplayableExecutionPlan};
use datafusion::prelude::{
    DataFrame, ParquetReadOptions, SQLOptions, SessionConfig, SessionContext,
};
use datafusion::sql::parser::{DFParserBuilder, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::Statement;
use std::future::Future;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// DataFusion with its own small tokio runtime, callable from rayon threads, its queries
/// held to the process's [`Limits`]: a memory pool (operators that can spill do, to a
/// bounded temporary folder; others fail), and a time limit after which the query is
/// dropped.
pub struct DataFusionEngine {
    ctx: SessionContext,
    /// `None` only while dropping: the runtime is shut down without waiting for a query
    /// that ran past its time (it stops at its next yield).
    runtime: Option<tokio::runtime::Runtime>,
    limits: Limits,
}

impl Drop for DataFusionEngine {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// DataFusion's runtime for `limits`: a memory pool of [`Limits::datafusion_memory`] (that
/// names its five largest users when full) and a disk manager for spilled data.
fn runtime_env(limits: &Limits) -> Result<Arc<RuntimeEnv>, EngineError> {
    let pool = usize::try_from(limits.datafusion_memory()).unwrap_or(usize::MAX);
    let mut disk = DiskManagerBuilder::default();
    if let Some(dir) = &limits.spill_dir {
        disk = disk.with_mode(DiskManagerMode::Directories(vec![dir.clone()]));
    }
    if let Some(bytes) = limits.spill {
        disk = disk.with_max_temp_directory_size(bytes);
    }
    RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(TrackConsumersPool::new(
            GreedyMemoryPool::new(pool),
            NonZeroUsize::MIN.saturating_add(4),
        )))
        .with_disk_manager_builder(disk)
        .build_arc()
        .map_err(|e| EngineError::new(format!("cannot start DataFusion: {}", e.strip_backtrace())))
}

/// What user SQL may do on DataFusion: read, nothing else (no DDL such as
/// `CREATE EXTERNAL TABLE`, no DML or `COPY`, no statements such as `SET`).
fn read_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

/// Refuses anything but one query, by DataFusion's own parser; SQL that does not parse
/// is left for the planner to report with its position.
fn one_query(sql: &str) -> Result<(), EngineError> {
    // The session's dialect is DataFusion's default, the generic one the builder uses.
    let Ok(statements) = DFParserBuilder::new(sql)
        .build()
        .and_then(|mut p| p.parse_statements())
    else {
        return Ok(());
    };
    if statements.len() > 1 {
        return Err(gate::refused_many(sql, statements.len()));
    }
    match statements.front() {
        Some(DFStatement::Statement(s)) if matches!(**s, Statement::Query(_)) => Ok(()),
        Some(DFStatement::CreateExternalTable(_)) => Err(gate::refused(
            "a `CREATE EXTERNAL TABLE` statement",
            gate::first_line(sql),
        )),
        Some(DFStatement::CopyTo(_)) => {
            Err(gate::refused("a `COPY` statement", gate::first_line(sql)))
        }
        Some(_) => Err(gate::refused(&gate::first_word(sql), gate::first_line(sql))),
        None => Err(EngineError::new("no SQL statement to run")),
    }
}

/// The session settings every DataFusion-based engine shares: two partitions, the
/// `cohort.public` default schema, and joins that hash the smaller side.
pub(super) fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_target_partitions(2)
        .with_information_schema(true)
        .with_default_catalog_and_schema("cohort", "public");
    // A join side of known size up to 64 MB or 4 million rows is built once, whole, and
    // swapped to the build side: so care periods (hundreds of thousands of rows at
    // national scale, over DataFusion's 1 MB default) are hashed instead of every mark
    // (at 20,000 children the default built a 27-million-row table: 8 GB, 20 s).
    let optimizer = &mut config.options_mut().optimizer;
    optimizer.hash_join_single_partition_threshold = 64 << 20;
    optimizer.hash_join_single_partition_threshold_rows = 4 << 20;
    config
}

impl DataFusionEngine {
    /// A session with only the catalog's tables: no URL tables, no file-reading table
    /// functions, and every query checked by [`one_query`] and [`read_only`]; held to the
    /// limits [`limits::current`] gives.
    pub fn new() -> Result<Self, EngineError> {
        Self::with_limits(limits::current())
    }

    /// [`DataFusionEngine::new`] held to `limits`.
    pub fn with_limits(limits: Limits) -> Result<Self, EngineError> {
        limits::quiet_engine_panics();
        let ctx = SessionContext::new_with_config_rt(session_config(), runtime_env(&limits)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(limits::ENGINE_THREADS)
            .build()
            .map_err(|e| EngineError::new(format!("cannot start the query runtime: {e}")))?;
        Ok(DataFusionEngine {
            ctx,
            runtime: Some(runtime),
            limits,
        })
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, EngineError> {
        self.runtime
            .as_ref()
            .ok_or_else(|| EngineError::new("the DataFusion engine has stopped"))
    }

    /// Runs `work` on the engine's runtime and waits at most `time` for it: past that it is
    /// dropped (and with it every task of the query) and the error says so. A panic inside
    /// it (arrow panics on a string past 2 GiB, for one) is an error too.
    fn within<T: Send + 'static>(
        &self,
        time: Duration,
        work: impl Future<Output = Result<T, EngineError>> + Send + 'static,
    ) -> Result<T, EngineError> {
        let runtime = self.runtime()?;
        let (sender, receiver) = mpsc::channel();
        let task = runtime.spawn(async move {
            let _ = sender.send(work.await);
        });
        match receiver.recv_timeout(time) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                task.abort();
                Err(EngineError::over_limit(LimitHit::Time(time), ""))
            }
            // The task ended without a result: it panicked.
            Err(RecvTimeoutError::Disconnected) => match runtime.block_on(task) {
                Err(e) if e.is_panic() => Err(limits::failed_inside(e.into_panic().as_ref())),
                _ => Err(EngineError::new("the query stopped without a result")),
            },
        }
    }

    /// Runs `sql` (one read-only query) to completion within `time`, with the executed plan
    /// and each operator's metrics when `profile`.
    fn execute(
        &self,
        sql: &str,
        profile: bool,
        time: Duration,
    ) -> Result<(Vec<RecordBatch>, Option<String>), EngineError> {
        let ctx = self.ctx.clone();
        let sql = sql.to_string();
        let memory = self.limits.datafusion_memory();
        let spill = self.limits.spill;
        self.within(time, async move {
            let over = |e: DataFusionError| limited(e, memory, spill);
            let (df, schema) = read_only_frame(&ctx, &sql).await?;
            let task = Arc::new(df.task_ctx());
            let plan = df.create_physical_plan().await.map_err(over)?;
            let batches = collect(plan.clone(), task).await.map_err(over)?;
            let profile = profile.then(|| {
                DisplayableExecutionPlan::with_metrics(plan.as_ref())
                    .indent(true)
                    .to_string()
            });
            // No rows still has columns: keep the schema so dependents can select from it.
            if batches.is_empty() {
                Ok((vec![RecordBatch::new_empty(schema)], profile))
            } else {
                Ok((batches, profile))
            }
        })
    }
}

/// A DataFusion error, as [`to_error`] words it unless a limit stopped the query: memory
/// (the pool was full) or disk (the spilled data reached its limit).
fn limited(e: DataFusionError, memory: u64, spill: Option<u64>) -> EngineError {
    let root = e.find_root();
    if let DataFusionError::ResourcesExhausted(detail) = root {
        let hit =
            if detail.contains("disk") {
                LimitHit::Spill(spill.unwrap_or(
                    datafusion::execution::disk_manager::DEFAULT_MAX_TEMP_DIRECTORY_SIZE,
                ))
            } else {
                LimitHit::Memory(memory)
            };
        // The pool's own last sentence says how much was asked for and how much was left.
        let said = detail.rsplit("Error: ").next().unwrap_or(detail);
        return EngineError::over_limit(hit, said);
    }
    to_error(e)
}

/// `sql` checked by [`one_query`] and planned under [`read_only`], with its result's columns:
/// the start of every query on a DataFusion-based engine (DataFusion, Ballista).
pub(super) async fn read_only_frame(
    ctx: &SessionContext,
    sql: &str,
) -> Result<(DataFrame, SchemaRef), EngineError> {
    one_query(sql)?;
    let df = ctx
        .sql_with_options(sql, read_only())
        .await
        .map_err(to_error)?;
    let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
    Ok((df, schema))
}

/// The columns `sql` would give, planned but not run, under the same checks as a query.
pub(super) async fn plan_schema(ctx: &SessionContext, sql: &str) -> Result<SchemaRef, EngineError> {
    one_query(sql)?;
    let plan = ctx
        .state()
        .create_logical_plan(sql)
        .await
        .map_err(to_error)?;
    read_only().verify_plan(&plan).map_err(to_error)?;
    Ok(Arc::new(plan.schema().as_arrow().clone()))
}

/// `schema.name` (the schema made in the `cohort` catalog when it is new), or `name`,
/// with any table already there under that name dropped, ready to register.
pub(super) fn table_reference(
    ctx: &SessionContext,
    schema: Option<&str>,
    name: &str,
) -> Result<TableReference, EngineError> {
    let reference = match schema {
        Some(s) => {
            let catalog = ctx
                .catalog("cohort")
                .ok_or_else(|| EngineError::new("the cohort catalog is missing"))?;
            if catalog.schema(s).is_none() {
                catalog
                    .register_schema(s, Arc::new(MemorySchemaProvider::new()))
                    .map_err(to_error)?;
            }
            TableReference::partial(s, name)
        }
        None => TableReference::bare(name),
    };
    let _ = ctx.deregister_table(reference.clone()).map_err(to_error)?;
    Ok(reference)
}

pub(super) fn to_error(e: DataFusionError) -> EngineError {
    let message = e.strip_backtrace().to_string();
    // A panic in one of a query's tasks that DataFusion reports rather than passes on.
    if let Some(i) = message.find("panicked") {
        return EngineError::new(format!(
            "the query failed inside the engine: {}",
            message[i + "panicked".len()..].trim()
        ));
    }
    let (line, column) = sql_position(&message);
    EngineError {
        message,
        line,
        column,
        limit: None,
    }
}

/// Finds `Line: N, Column: M` in a parser message.
fn sql_position(message: &str) -> (Option<usize>, Option<usize>) {
    let number_after = |key: &str| {
        let i = message.find(key)? + key.len();
        let digits: String = message[i..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    };
    (number_after("Line:"), number_after("Column:"))
}

impl Engine for DataFusionEngine {
    fn name(&self) -> &'static str {
        "datafusion"
    }

    fn register(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), EngineError> {
        let table = MemTable::try_new(arrow_schema, vec![batches]).map_err(to_error)?;
        let reference = table_reference(&self.ctx, schema, name)?;
        self.ctx
            .register_table(reference, Arc::new(table))
            .map_err(to_error)?;
        Ok(())
    }

    fn register_parquet(
        &self,
        name: &str,
        arrow_schema: SchemaRef,
        path: &Path,
    ) -> Result<(), EngineError> {
        let absolute = std::fs::canonicalize(path)
            .map_err(|e| EngineError::new(format!("cannot find {}: {e}", path.display())))?;
        let location = absolute
            .to_str()
            .ok_or_else(|| EngineError::new(format!("{}: not a UTF-8 path", absolute.display())))?;
        self.runtime()?.block_on(async {
            let _ = self.ctx.deregister_table(name).map_err(to_error)?;
            let options = ParquetReadOptions::default().schema(&arrow_schema);
            self.ctx
                .register_parquet(name, location, options)
                .await
                .map_err(to_error)
        })
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.query_within(sql, self.limits.analysis_time)
    }

    fn query_within(&self, sql: &str, time: Duration) -> Result<Vec<RecordBatch>, EngineError> {
        self.execute(sql, false, time).map(|(batches, _)| batches)
    }

    fn query_profiled(&self, sql: &str) -> Result<(Vec<RecordBatch>, String), EngineError> {
        self.execute(sql, true, self.limits.analysis_time)
            .map(|(batches, plan)| (batches, plan.unwrap_or_default()))
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        let ctx = self.ctx.clone();
        let sql = sql.to_string();
        self.within(self.limits.analysis_time, async move {
            plan_schema(&ctx, &sql).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_read_only_query_runs() {
        let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
        let ok = engine
            .query("WITH t AS (SELECT 1 AS x) SELECT x FROM t")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok[0].num_rows(), 1);
        for (sql, what, line) in [
            ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY", 1),
            (
                "\n-- c\nCREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
                3,
            ),
            ("SET datafusion.execution.batch_size = 1", "SET", 1),
            ("SELECT 1;\nSELECT 2", "2 statements", 2),
            ("CREATE TABLE t AS SELECT 1", "CREATE", 1),
            ("INSERT INTO t VALUES (1)", "INSERT", 1),
        ] {
            for e in [engine.query(sql).err(), engine.plan(sql).err()] {
                let e = e.unwrap_or_else(|| panic!("`{sql}` must be refused"));
                assert!(e.message.starts_with("refused"), "{sql}: {}", e.message);
                assert!(e.message.contains(what), "{sql}: {}", e.message);
                assert_eq!(e.line, Some(line), "{sql}");
            }
        }
        // No file is a table, and the only table functions make numbers.
        assert!(engine.query("SELECT * FROM '/etc/passwd'").is_err());
        let mut functions: Vec<String> = engine
            .ctx
            .state()
            .table_functions()
            .keys()
            .cloned()
            .collect();
        functions.sort();
        assert_eq!(functions, ["generate_series", "range"]);
    }

    #[test]
    fn a_panic_inside_a_query_is_an_error_and_a_runaway_stops_at_its_time() {
        use datafusion::arrow::datatypes::DataType;
        use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
        let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
        // A function that panics as arrow does on a string past 2 GiB.
        let boom = create_udf(
            "boom",
            vec![DataType::Int64],
            DataType::Int64,
            Volatility::Volatile,
            Arc::new(
                |_: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
                    panic!("offset overflow")
                },
            ),
        );
        engine.ctx.register_udf(boom);
        let e = engine
            .query("SELECT boom(x) AS y FROM (VALUES (1), (2)) AS t(x)")
            .err()
            .unwrap_or_else(|| panic!("boom must fail"));
        assert!(
            e.message
                .contains("failed inside the engine: offset overflow"),
            "{}",
            e.message
        );
        assert_eq!(e.limit, None);
        // The engine still answers after it.
        assert_eq!(
            engine.query("SELECT 1 AS x").map(|b| b[0].num_rows()).ok(),
            Some(1)
        );
        // A recursive CTE without end is dropped at its time.
        let started = std::time::Instant::now();
        let time = Duration::from_millis(500);
        let e = engine
            .query_within(
                "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
                time,
            )
            .err()
            .unwrap_or_else(|| panic!("an endless query must stop"));
        assert_eq!(e.limit, Some(LimitHit::Time(time)), "{}", e.message);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_query_past_the_memory_pool_is_stopped_by_it() {
        let engine = DataFusionEngine::with_limits(Limits {
            memory: Some(64 << 20),
            ..Limits::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        // Five million distinct numbers need more than 64 MiB to count (8 bytes each and a
        // hash table over them): the aggregate spills to disk and still gives the count.
        let out = engine
            .query("SELECT count(DISTINCT value) AS n FROM generate_series(1, 5000000)")
            .unwrap_or_else(|e| panic!("{e}"));
        let n = crate::run::convert::to_table(&out).rows[0][0].clone();
        assert_eq!(n, crate::run::Value::Int(5_000_000));
        // Every one of 50 million numbers in one array (400 MB at least) cannot spill.
        let e = engine
            .query("SELECT array_length(array_agg(value)) FROM generate_series(1, 50000000)")
            .err()
            .unwrap_or_else(|| panic!("must exceed the pool"));
        assert_eq!(e.limit, Some(LimitHit::Memory(64 << 20)), "{}", e.message);
        assert!(
            e.message
                .starts_with("the query exceeded the memory limit of 64 MiB;"),
            "{}",
            e.message
        );
    }

    #[test]
    fn parser_positions_are_read_from_messages() {
        assert_eq!(
            sql_position(
                "sql parser error: Expected: end of statement, found: x at Line: 3, Column: 7"
            ),
            (Some(3), Some(7))
        );
        assert_eq!(sql_position("Schema error: No field named y"), (None, None));
    }
}
