//! The DataFusion engine: an in-memory `SessionContext` over the catalog's Arrow tables.

use super::limits::{self, LimitHit, Limits};
use super::{Engine, EngineError, Rows, TableName, gate};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{MemTable, MemorySchemaProvider};
use datafusion::common::TableReference;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::DataFusionError;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{GreedyMemoryPool, TrackConsumersPool};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_optimizer::optimizer::PhysicalOptimizer;
use datafusion::physical_plan::joins::CrossJoinExec;
use datafusion::physical_plan::{ExecutionPlan, collect, display::DisplayableExecutionPlan};
use datafusion::physical_plan::{StatisticsArgs, StatisticsContext};
use datafusion::prelude::{
    DataFrame, ParquetReadOptions, SQLOptions, SessionConfig, SessionContext,
};
use datafusion::sql::parser::{DFParserBuilder, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::Statement;
use std::future::Future;
use std::num::NonZeroUsize;
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

/// Puts the side of a cross join known to hold at most one row (an aggregate with no
/// `GROUP BY`, such as `CROSS JOIN as_at` or `CROSS JOIN params`) on the build side.
///
/// DataFusion's cross join collects its left side and then, for each probe batch, emits one
/// batch per left row: with 79,000 PEPs on the left and the one-row `as_at` on the right it
/// made 79,000 batches of one row each, and everything above it (a repartition, a join, a
/// sort) paid per batch: `peps/due` took 5 s against DuckDB's 0.3 s. Its own join selection
/// swaps the sides only when both sizes are known, and a join's output size seldom is.
#[derive(Debug, Default)]
pub(crate) struct OneRowBuildSide;

/// Whether `plan` is known (exactly or by estimate) to give at most one row.
fn at_most_one_row(plan: &Arc<dyn ExecutionPlan>) -> bool {
    StatisticsContext::new()
        .compute(plan.as_ref(), &StatisticsArgs::new())
        .ok()
        .and_then(|s| s.num_rows.get_value().copied())
        .is_some_and(|rows| rows <= 1)
}

impl PhysicalOptimizerRule for OneRowBuildSide {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(join) = node.downcast_ref::<CrossJoinExec>() else {
                return Ok(Transformed::no(node));
            };
            if at_most_one_row(join.right()) && !at_most_one_row(join.left()) {
                Ok(Transformed::yes(join.swap_inputs()?))
            } else {
                Ok(Transformed::no(node))
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "one_row_build_side"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// DataFusion's physical optimizer rules with [`OneRowBuildSide`] straight after its join
/// selection, before partitioning is decided, so the many-row side is scanned in parallel.
pub(crate) fn physical_rules() -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    let mut rules = PhysicalOptimizer::new().rules;
    let after = rules
        .iter()
        .position(|r| r.name() == "join_selection")
        .map_or(0, |i| i + 1);
    rules.insert(after, Arc::new(OneRowBuildSide));
    rules
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
        let state = SessionStateBuilder::new()
            .with_config(session_config())
            .with_runtime_env(runtime_env(&limits)?)
            .with_default_features()
            .with_physical_optimizer_rules(physical_rules())
            .build();
        let ctx = SessionContext::new_with_state(state);
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
            let batches = strings::plain_batches(batches).map_err(to_error)?;
            let profile = profile.then(|| {
                DisplayableExecutionPlan::with_metrics(plan.as_ref())
                    .indent(true)
                    .to_string()
            });
            // No rows still has columns: keep the schema so dependents can select from it.
            if batches.is_empty() {
                let schema = strings::plain_schema(&schema);
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
            // Looked up and created under one lock: two analyses of one new schema finishing
            // together each created it, and the second replaced the first's with its table.
            static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
            let _held = CREATING
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
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

    fn register(&self, table: TableName<'_>, rows: Rows) -> Result<(), EngineError> {
        let reference = table_reference(&self.ctx, table.schema, table.name)?;
        match rows {
            Rows::Batches(arrow_schema, batches) => {
                let table = MemTable::try_new(arrow_schema, vec![batches]).map_err(to_error)?;
                self.ctx
                    .register_table(reference, Arc::new(table))
                    .map_err(to_error)?;
                Ok(())
            }
            Rows::Parquet(arrow_schema, path) => {
                let absolute = std::fs::canonicalize(&path).map_err(|e| {
                    EngineError::new(format!("cannot find {}: {e}", path.display()))
                })?;
                let location = absolute.to_str().ok_or_else(|| {
                    EngineError::new(format!("{}: not a UTF-8 path", absolute.display()))
                })?;
                // Strings are read as views (see [`strings`]): the marks' child, school and
                // code are hashed and compared in place, and results are plain strings again.
                let viewed = strings::viewed_schema(&arrow_schema);
                self.runtime()?.block_on(async {
                    let options = ParquetReadOptions::default().schema(&viewed);
                    self.ctx
                        .register_parquet(reference, location, options)
                        .await
                        .map_err(to_error)
                })
            }
        }
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
        .map(|schema| strings::plain_schema(&schema))
    }
}

mod strings;
#[cfg(test)]
mod tests;
