//! The Ballista engine: the same DataFusion planning, with execution distributed by an
//! Apache DataFusion Ballista scheduler to its executors (`--engine ballista`).
//!
//! Ballista ships logical plans to its scheduler, so every table must be one an executor
//! can read by path: the catalog's validated tables are registered as Parquet files, and
//! each result a later analysis reads is written as Parquet into the store between waves.

use super::datafusion::{plan_schema, read_only_frame, session_config, table_reference, to_error};
use super::{BallistaPlace, Engine, EngineError, Rows, TableName};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::config::TaskSchedulingPolicy;
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

static ENGINES: AtomicUsize = AtomicUsize::new(0);

/// A gRPC client of a Ballista scheduler.
type SchedulerClient = ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient<
    tonic::transport::Channel,
>;

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

/// How a scheduler hands tasks to its executors (Ballista's `TaskSchedulingPolicy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scheduling {
    /// Each executor asks the scheduler for work when it has a free slot, sleeping 50 ms
    /// between asks when there is none (`pull-staged`, Ballista's default).
    Pull,
    /// The scheduler sends each task to an executor as soon as its stage can run
    /// (`push-staged`): no executor waits out a poll between cohort's many small stages.
    #[default]
    Push,
}

/// A Ballista scheduler and its executors on this machine's loopback, served by this
/// process until dropped: standalone mode, tests, benchmarks, and trying a cluster before
/// building one.
pub struct LocalCluster {
    /// The scheduler's and executors' servers run on this runtime's threads until it drops.
    runtime: tokio::runtime::Runtime,
    /// Push executors stop when this is dropped (their servers and task loops listen).
    _shutdown: Option<ballista_executor::shutdown::ShutdownNotifier>,
    /// Where push executors may ask to be stopped; held so that the channel stays open.
    _stop: Option<tokio::sync::mpsc::Receiver<bool>>,
    /// The executors' working folders (shuffle files), removed on drop.
    work_dirs: Vec<PathBuf>,
    url: String,
}

impl LocalCluster {
    /// Starts a scheduler on a free port and `executors` executors with one task slot
    /// each, scheduled by [`Scheduling::default`].
    pub fn start(executors: usize) -> Result<Self, EngineError> {
        Self::start_with(executors, 1, Scheduling::default())
    }

    /// Starts a scheduler on a free port and `executors` executors with `slots` task
    /// slots each, all on 127.0.0.1, scheduled by `scheduling`.
    pub fn start_with(
        executors: usize,
        slots: usize,
        scheduling: Scheduling,
    ) -> Result<Self, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("cohort-ballista-cluster")
            .build()
            .map_err(|e| cluster_error("runtime", &e))?;
        let n = ENGINES.fetch_add(1, Ordering::Relaxed);
        let work_dirs: Vec<PathBuf> = (0..executors)
            .map(|i| {
                std::env::temp_dir().join(format!(
                    "cohort-ballista-executor-{}-{n}-{i}",
                    std::process::id()
                ))
            })
            .collect();
        for dir in &work_dirs {
            std::fs::create_dir_all(dir).map_err(|e| {
                EngineError::new(format!(
                    "cannot make the executor folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let mut cluster = LocalCluster {
            runtime,
            _shutdown: None,
            _stop: None,
            work_dirs,
            url: String::new(),
        };
        let url = match scheduling {
            Scheduling::Pull => cluster.runtime.block_on(async {
                let addr = ballista_scheduler::standalone::new_standalone_scheduler()
                    .await
                    .map_err(|e| cluster_error("scheduler", &e))?;
                // Ballista's standalone scheduler binds `localhost`, whichever address
                // that is here.
                let place = format!("localhost:{}", addr.port());
                for _ in 0..executors {
                    let client = scheduler_client(&format!("http://{place}")).await?;
                    ballista_executor::new_standalone_executor(
                        client,
                        slots,
                        ballista_core::serde::BallistaCodec::default(),
                    )
                    .await
                    .map_err(|e| cluster_error("executor", &e))?;
                }
                Ok::<String, EngineError>(format!("df://{place}"))
            })?,
            Scheduling::Push => {
                let shutdown = ballista_executor::shutdown::ShutdownNotifier::new();
                let (stop_send, stop) = tokio::sync::mpsc::channel(executors.max(1));
                let place = cluster.runtime.block_on(async {
                    let place = format!("127.0.0.1:{}", push_scheduler().await?);
                    for dir in &cluster.work_dirs {
                        let client = scheduler_client(&format!("http://{place}")).await?;
                        push_executor(client, dir, slots, &shutdown, stop_send.clone()).await?;
                    }
                    Ok::<String, EngineError>(place)
                })?;
                cluster._shutdown = Some(shutdown);
                cluster._stop = Some(stop);
                format!("df://{place}")
            }
        };
        cluster.url = url;
        Ok(cluster)
    }

    /// The scheduler's address for `--scheduler` (`df://127.0.0.1:PORT`, or
    /// `df://localhost:PORT` for [`Scheduling::Pull`]).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for dir in &self.work_dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// An error starting part of a [`LocalCluster`].
fn cluster_error(what: &str, e: &dyn std::fmt::Display) -> EngineError {
    EngineError::new(format!("cannot start a local Ballista {what}: {e}"))
}

/// A port on 127.0.0.1 that was free a moment ago (Ballista's servers bind by number).
fn free_port() -> Result<u16, EngineError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| cluster_error("server: no free port", &e))
}

/// A client of the scheduler at `endpoint` (`http://host:port`), waiting up to five
/// seconds for it to answer.
async fn scheduler_client(endpoint: &str) -> Result<SchedulerClient, EngineError> {
    let mut tries = 0;
    loop {
        match SchedulerClient::connect(endpoint.to_string()).await {
            Ok(c) => return Ok(c),
            Err(e) if tries >= 50 => return Err(cluster_error("executor", &e)),
            Err(_) => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Starts a push-staged scheduler on a free port of 127.0.0.1 and returns the port. It
/// tells executors to report to 127.0.0.1:port, so it binds that port itself.
async fn push_scheduler() -> Result<u16, EngineError> {
    use ballista_core::serde::BallistaCodec;
    use ballista_core::serde::protobuf::scheduler_grpc_server::SchedulerGrpcServer;
    use ballista_core::utils::{
        GrpcServerConfig, create_grpc_server, create_grpc_server_incoming, default_config_producer,
        default_session_builder,
    };
    use ballista_scheduler::cluster::BallistaCluster;
    use ballista_scheduler::config::SchedulerConfig;
    use ballista_scheduler::scheduler_server::SchedulerServer;
    let fail = |e: &dyn std::fmt::Display| cluster_error("scheduler", e);
    let port = free_port()?;
    let endpoint = format!("127.0.0.1:{port}");
    let config = SchedulerConfig::default()
        .with_hostname("127.0.0.1")
        .with_port(port)
        .with_scheduler_policy(TaskSchedulingPolicy::PushStaged);
    let cluster = BallistaCluster::new_memory(
        endpoint.clone(),
        Arc::new(default_session_builder),
        Arc::new(default_config_producer),
    );
    let metrics = ballista_scheduler::metrics::default_metrics_collector().map_err(|e| fail(&e))?;
    let codec: BallistaCodec = BallistaCodec::default();
    let mut server = SchedulerServer::new(endpoint, cluster, codec, Arc::new(config), metrics);
    server.init().await.map_err(|e| fail(&e))?;
    let grpc = GrpcServerConfig::default();
    let incoming =
        create_grpc_server_incoming(([127, 0, 0, 1], port).into(), &grpc).map_err(|e| fail(&e))?;
    tokio::spawn(
        create_grpc_server(&grpc)
            .add_service(SchedulerGrpcServer::new(server))
            .serve_with_incoming(incoming),
    );
    Ok(port)
}

/// Starts a push-staged executor with `slots` task slots working in `dir`: its Arrow
/// Flight server (shuffle files and results) and its task server on free ports of
/// 127.0.0.1, registered with `scheduler`. Unlike Ballista's `start_executor_process` it
/// installs no signal handlers, so Ctrl-C still stops cohort.
async fn push_executor(
    scheduler: SchedulerClient,
    dir: &Path,
    slots: usize,
    shutdown: &ballista_executor::shutdown::ShutdownNotifier,
    stop: tokio::sync::mpsc::Sender<bool>,
) -> Result<(), EngineError> {
    use arrow_flight::flight_service_server::FlightServiceServer;
    use ballista_core::registry::BallistaFunctionRegistry;
    use ballista_core::serde::BallistaCodec;
    use ballista_core::utils::{
        GrpcServerConfig, create_grpc_server, create_grpc_server_incoming, default_config_producer,
    };
    use ballista_core::{ConfigProducer, RuntimeProducer};
    use ballista_executor::executor::Executor;
    use ballista_executor::executor_process::{ExecutorProcessConfig, structure_executor_metadata};
    use ballista_executor::flight_service::BallistaFlightService;
    use datafusion::execution::runtime_env::RuntimeEnvBuilder;
    let fail = |e: &dyn std::fmt::Display| cluster_error("executor", e);
    let work_dir = dir
        .to_str()
        .ok_or_else(|| EngineError::new(format!("{}: not a UTF-8 path", dir.display())))?
        .to_string();
    let options = Arc::new(ExecutorProcessConfig {
        bind_host: "127.0.0.1".into(),
        external_host: Some("127.0.0.1".into()),
        port: free_port()?,
        grpc_port: free_port()?,
        vcores: slots,
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        work_dir: Some(work_dir.clone()),
        ..Default::default()
    });
    let grpc = GrpcServerConfig::default();
    let flight = FlightServiceServer::new(BallistaFlightService::new(work_dir.clone()))
        .max_decoding_message_size(options.grpc_max_decoding_message_size as usize)
        .max_encoding_message_size(options.grpc_max_encoding_message_size as usize);
    let incoming = create_grpc_server_incoming(([127, 0, 0, 1], options.port).into(), &grpc)
        .map_err(|e| fail(&e))?;
    tokio::spawn(
        create_grpc_server(&grpc)
            .add_service(flight)
            .serve_with_incoming(incoming),
    );
    let temp = work_dir.clone();
    let runtime: RuntimeProducer = Arc::new(move |_| {
        Ok(Arc::new(
            RuntimeEnvBuilder::new()
                .with_temp_file_path(temp.clone())
                .build()?,
        ))
    });
    let config: ConfigProducer = Arc::new(default_config_producer);
    let executor = Arc::new(Executor::with_default_execution_engine(
        structure_executor_metadata(&options, slots as u32),
        &work_dir,
        runtime,
        config,
        Arc::new(BallistaFunctionRegistry::default()),
        Arc::new(ballista_executor::metrics::LoggingMetricsCollector::default()),
        slots,
    ));
    let codec: BallistaCodec = BallistaCodec::default();
    ballista_executor::executor_server::startup(
        scheduler,
        options,
        executor,
        codec,
        stop,
        shutdown,
        ballista_executor::health::ExecutorHealth::new(),
    )
    .await
    .map_err(|e| fail(&e))?;
    Ok(())
}
