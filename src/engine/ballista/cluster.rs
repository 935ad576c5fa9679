//! A Ballista scheduler and its executors served by this process: standalone mode, tests,
//! benchmarks, and trying a cluster before building one.

use super::ENGINES;
use crate::engine::EngineError;
use ballista_core::config::TaskSchedulingPolicy;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// A gRPC client of a Ballista scheduler.
type SchedulerClient = ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient<
    tonic::transport::Channel,
>;

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
