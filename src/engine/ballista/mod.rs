//! The Ballista engine: the same DataFusion planning, with execution distributed by an
//! Apache DataFusion Ballista scheduler to its executors (`--engine ballista`).
//!
//! Ballista ships logical plans to its scheduler, so every table must be one an executor
//! can read by path: the catalog's validated tables are registered as Parquet files, and
//! each result a later analysis reads is written as Parquet into the store between waves.

mod cluster;
mod one_row;

pub use cluster::{LocalCluster, Scheduling};

use super::datafusion::{plan_schema, read_only_frame, session_config, table_reference, to_error};
use super::{BallistaPlace, Engine, EngineError, Rows, TableName};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SessionStateBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A Ballista session with its tokio runtime and the folder of the files it registers.
pub struct BallistaEngine {
    ctx: SessionContext,
    runtime: tokio::runtime::Runtime,
    /// Standalone: the scheduler and executor this process serves (dropped after `ctx`).
    _cluster: Option<LocalCluster>,
    store: PathBuf,
    /// Whether this engine made `store` (and so removes it).
    owns_store: bool,
    /// Whether executors may not share this machine's files (a remote scheduler).
    remote: bool,
    /// Numbers the files in the store: names never come from table or analysis names.
    next_file: AtomicUsize,
}

/// Numbers this process's engines and clusters, for their folders' names.
static ENGINES: AtomicUsize = AtomicUsize::new(0);

impl BallistaEngine {
    /// Connects to `setup.scheduler`, or starts a scheduler and one executor in this
    /// process ([`LocalCluster`], with [`Scheduling::default`]).
    pub fn new(setup: &BallistaPlace) -> Result<Self, EngineError> {
        // Ballista's scheduler and executors log through `log`: RUST_LOG=info shows them.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = env_logger::try_init();
        }
        let config = ballista_config()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("cohort-ballista")
            .build()
            .map_err(|e| EngineError::new(format!("cannot start the query runtime: {e}")))?;
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .with_optimizer_rule(Arc::new(one_row::OneRowAsValues))
            .build();
        // Standalone is a cluster of one executor with two task slots, the partitions
        // DataFusion plans for: the same code path, and scheduling, as a real cluster.
        let (cluster, url) = match &setup.scheduler {
            Some(url) => {
                runtime.block_on(reachable(url))?;
                (None, url.clone())
            }
            None => {
                let cluster = LocalCluster::start_with(1, 2, Scheduling::default())?;
                let url = cluster.url().to_string();
                (Some(cluster), url)
            }
        };
        let ctx = runtime
            .block_on(SessionContext::remote_with_state(&url, state))
            .map_err(|e| {
                let at = setup
                    .scheduler
                    .as_deref()
                    .unwrap_or("a standalone scheduler");
                EngineError::new(format!(
                    "cannot start Ballista at {at}: {}",
                    e.strip_backtrace()
                ))
            })?;
        let (store, owns_store) = match &setup.store {
            Some(s) => (s.clone(), false),
            None => {
                let n = ENGINES.fetch_add(1, Ordering::Relaxed);
                let dir = std::env::temp_dir()
                    .join(format!("cohort-ballista-{}-{n}", std::process::id()));
                (dir, true)
            }
        };
        std::fs::create_dir_all(&store).map_err(|e| {
            EngineError::new(format!(
                "cannot make the Ballista store {}: {e}",
                store.display()
            ))
        })?;
        let store = std::fs::canonicalize(&store)
            .map_err(|e| EngineError::new(format!("cannot find {}: {e}", store.display())))?;
        Ok(BallistaEngine {
            ctx,
            runtime,
            _cluster: cluster,
            store,
            owns_store,
            remote: setup.scheduler.is_some(),
            next_file: AtomicUsize::new(0),
        })
    }

    /// A new file name in the store.
    fn new_file(&self) -> PathBuf {
        let n = self.next_file.fetch_add(1, Ordering::Relaxed);
        self.store.join(format!("t{n:05}.parquet"))
    }

    /// A cached Parquet file as every executor can read it.
    fn readable(&self, path: &Path) -> Result<PathBuf, EngineError> {
        let absolute = std::fs::canonicalize(path)
            .map_err(|e| EngineError::new(format!("cannot find {}: {e}", path.display())))?;
        // A scheduler elsewhere has executors that cannot see this machine's cache: the
        // file goes into the shared store (a hard link where it is on the same disk).
        Ok(if self.remote && !absolute.starts_with(&self.store) {
            let copy = self.new_file();
            if std::fs::hard_link(&absolute, &copy).is_err() {
                std::fs::copy(&absolute, &copy).map_err(|e| {
                    EngineError::new(format!(
                        "cannot copy {} into the Ballista store {}: {e}",
                        absolute.display(),
                        self.store.display()
                    ))
                })?;
            }
            copy
        } else {
            absolute
        })
    }

    /// Registers the Parquet file at `path` (absolute, readable by every executor).
    fn register_file(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: &SchemaRef,
        path: &Path,
    ) -> Result<(), EngineError> {
        let location = path
            .to_str()
            .ok_or_else(|| EngineError::new(format!("{}: not a UTF-8 path", path.display())))?;
        let reference = table_reference(&self.ctx, schema, name)?;
        let arrow_schema = all_nullable(arrow_schema);
        self.runtime.block_on(async {
            let options = ParquetReadOptions::default().schema(&arrow_schema);
            self.ctx
                .register_parquet(reference, location, options)
                .await
                .map_err(to_error)
        })
    }
}

impl Drop for BallistaEngine {
    fn drop(&mut self) {
        if self.owns_store {
            let _ = std::fs::remove_dir_all(&self.store);
        }
    }
}

/// Fails, naming the scheduler, unless one answers at `url` (`df://host:port`) within
/// five seconds: a wrong address is a clear error before any table is written.
async fn reachable(url: &str) -> Result<(), EngineError> {
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
    let Some(place) = url.strip_prefix("df://") else {
        return Err(EngineError::new(format!(
            "--scheduler {url}: expected df://host:port"
        )));
    };
    let endpoint = format!("http://{place}");
    let wait = std::time::Duration::from_secs(5);
    match tokio::time::timeout(wait, SchedulerGrpcClient::connect(endpoint)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(EngineError::new(format!(
            "no Ballista scheduler answers at {url}: {e}"
        ))),
        Err(_) => Err(EngineError::new(format!(
            "no Ballista scheduler answered at {url} within 5 s"
        ))),
    }
}

/// How long one query may run on Ballista before it is an error rather than a wait with no
/// end: `COHORT_BALLISTA_TIMEOUT` seconds, an hour if unset or not a number.
fn job_timeout() -> std::time::Duration {
    let secs = std::env::var("COHORT_BALLISTA_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(3600);
    std::time::Duration::from_secs(secs)
}

/// The shared DataFusion settings as Ballista needs them, for the client, the scheduler
/// and its executors alike: Ballista's own defaults (`upgrade_for_ballista`), the static
/// planner unless `COHORT_BALLISTA_PLANNER=adaptive` ([`adaptive_planner`]), and no
/// dynamic filters of any kind. A filter a join's build side fills cannot cross the stage
/// boundary to the scan that reads it, and Ballista's adaptive planner refuses to swap a
/// join that carries one: the job then never finishes (a join feeding a `UNION ALL`,
/// as in `progress/on_track`). The master switch alone leaves the join, TopK and
/// aggregate switches on when set field by field, so each is set.
fn ballista_config() -> Result<SessionConfig, EngineError> {
    let mut config = session_config()
        .upgrade_for_ballista()
        .with_ballista_adaptive_query_planner(adaptive_planner()?);
    let optimizer = &mut config.options_mut().optimizer;
    // Hash joins, as on DataFusion: Ballista's default, sort-merge joins (they spill), failed
    // `exclusions/suspensions_by_group` on a LEFT JOIN with a filter over the right side's
    // columns ("Column 'location' is declared as non-nullable but contains null values").
    optimizer.prefer_hash_join = true;
    optimizer.enable_dynamic_filter_pushdown = false;
    optimizer.enable_join_dynamic_filter_pushdown = false;
    optimizer.enable_topk_dynamic_filter_pushdown = false;
    optimizer.enable_aggregate_dynamic_filter_pushdown = false;
    Ok(config)
}

/// Whether the scheduler plans jobs with Ballista 55's adaptive planner (AQE): only when
/// `COHORT_BALLISTA_PLANNER=adaptive`. The default, `static`, plans every stage before the
/// job starts: the adaptive planner, experimental upstream, stalled for ever on
/// `exclusions/reasons_by_year` over `tests/fixtures/small` (see docs/ballista.md). The
/// setting travels with each job, so it holds on a remote scheduler too.
fn adaptive_planner() -> Result<bool, EngineError> {
    match std::env::var("COHORT_BALLISTA_PLANNER") {
        Err(std::env::VarError::NotPresent) => Ok(false),
        Ok(v) if v.trim() == "static" => Ok(false),
        Ok(v) if v.trim() == "adaptive" => Ok(true),
        Ok(v) => Err(EngineError::new(format!(
            "COHORT_BALLISTA_PLANNER={v}: expected `static` (the default) or `adaptive`"
        ))),
        Err(e) => Err(EngineError::new(format!("COHORT_BALLISTA_PLANNER: {e}"))),
    }
}

/// `schema` with every column nullable. Ballista's static planner (adaptive planning off)
/// gave a `UNION ALL` the nullability of one branch (`s.urn` of a required column beside
/// `CAST(NULL AS VARCHAR)`) and failed on the nulls; the contract has already checked which
/// columns must be filled, so the engine need not know.
fn all_nullable(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Writes `batches` (possibly none) as one Parquet file with `schema`.
fn write_parquet(
    path: &Path,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), EngineError> {
    let fail = |e: &dyn std::fmt::Display| {
        EngineError::new(format!("cannot write {} for Ballista: {e}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None).map_err(|e| fail(&e))?;
    for b in batches {
        writer.write(b).map_err(|e| fail(&e))?;
    }
    writer.close().map_err(|e| fail(&e))?;
    Ok(())
}

impl Engine for BallistaEngine {
    fn name(&self) -> &'static str {
        "ballista"
    }

    fn register(&self, table: TableName<'_>, rows: Rows) -> Result<(), EngineError> {
        let (arrow_schema, path) = match rows {
            Rows::Batches(arrow_schema, batches) => {
                let path = self.new_file();
                write_parquet(&path, &arrow_schema, &batches)?;
                (arrow_schema, path)
            }
            Rows::Parquet(arrow_schema, path) => (arrow_schema, self.readable(&path)?),
        };
        self.register_file(table.schema, table.name, &arrow_schema, &path)
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.runtime.block_on(async {
            let (df, schema) = read_only_frame(&self.ctx, sql).await?;
            let wait = job_timeout();
            let batches = tokio::time::timeout(wait, df.collect())
                .await
                .map_err(|_| {
                    EngineError::new(format!(
                        "the Ballista job did not finish within {} s (COHORT_BALLISTA_TIMEOUT); \
                         its scheduler's log (RUST_LOG=warn) names the stage it waits on \
                         (Ballista 55's adaptive planner, COHORT_BALLISTA_PLANNER=adaptive, \
                         can stall for ever)",
                        wait.as_secs()
                    ))
                })?
                .map_err(to_error)?;
            // No rows still has columns: keep the schema so dependents can select from it.
            if batches.iter().all(|b| b.num_rows() == 0) {
                Ok(vec![RecordBatch::new_empty(schema)])
            } else {
                Ok(batches)
            }
        })
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        self.runtime.block_on(plan_schema(&self.ctx, sql))
    }
}
