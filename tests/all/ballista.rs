//! `--engine ballista`: with the `ballista` feature, a scheduler and two executors on
//! loopback run every shipped analysis and agree with DataFusion; without it, a clear refusal.

use crate::common::cohort;

#[cfg(feature = "ballista")]
mod cluster {
    use super::*;
    use crate::common::root;
    use cohort::app::{self, Project};
    use cohort::engine::{BallistaPlace, EngineKind, LocalCluster};

    fn local_cluster() -> LocalCluster {
        LocalCluster::start(2).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every shipped analysis over the sample data, on a scheduler with two executors on
    /// 127.0.0.1, gives DataFusion's results (`check --cross-engine`, the library's own).
    #[test]
    fn a_scheduler_and_two_executors_agree_with_datafusion_on_every_analysis() {
        let cluster = local_cluster();
        let store = tempfile::tempdir().unwrap();
        let project = Project::default();
        let project = Project {
            data: root().join(&project.data),
            queries: root().join(&project.queries),
            templates: root().join(&project.templates),
            engine: EngineKind::Ballista(BallistaPlace {
                scheduler: Some(cluster.url().to_string()),
                store: Some(store.path().to_path_buf()),
            }),
            ..project
        };
        match app::history::cross_engine(&project, None) {
            Ok(message) => {
                assert!(message.starts_with("ok:"), "{message}");
                assert!(message.contains("datafusion and ballista"), "{message}");
            }
            Err(e) => panic!("{e}"),
        }
        // The results the executors read between waves were written into the shared store.
        let files = std::fs::read_dir(store.path()).unwrap().count();
        assert!(files > 10, "{files} files in the store");
    }

    /// The command line reaches a cluster by its URL: `run` and `check --cross-engine`.
    #[test]
    fn the_cli_runs_and_cross_checks_on_a_cluster_by_its_url() {
        let cluster = local_cluster();
        let dir = tempfile::tempdir().unwrap();
        // The sample data: on tests/fixtures/small, Ballista 55's adaptive scheduler stalls
        // on `exclusions/reasons` (a task's metrics it cannot merge; see the README).
        cohort()
            .args(["run", "--engine", "ballista", "--no-history"])
            .args(["--scheduler", cluster.url(), "--ballista-store"])
            .arg(dir.path().join("store"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .success()
            .stdout(predicates::str::contains("on ballista"));
        cohort()
            .args(["check", "--cross-engine", "--engine", "ballista"])
            .args(["--scheduler", cluster.url()])
            .assert()
            .success()
            .stdout(predicates::str::contains("datafusion and ballista"));
    }

    /// Without a scheduler, Ballista starts one with an executor inside the process.
    #[test]
    fn standalone_runs_in_one_process() {
        let dir = tempfile::tempdir().unwrap();
        cohort()
            .args(["run", "--engine", "ballista", "--no-history", "--out"])
            .arg(dir.path())
            .assert()
            .success()
            .stdout(predicates::str::contains("47 analyses"))
            .stdout(predicates::str::contains("on ballista"));
    }

    /// A job that does not finish in `COHORT_BALLISTA_TIMEOUT` seconds is an error naming
    /// the analysis, with nothing written, not a wait with no end.
    #[test]
    fn a_job_past_its_time_is_an_error_not_a_wait() {
        let dir = tempfile::tempdir().unwrap();
        cohort()
            .env("COHORT_BALLISTA_TIMEOUT", "0")
            .args(["run", "--engine", "ballista", "--no-history", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .failure()
            .stderr(predicates::str::contains("did not finish within 0 s"))
            .stderr(predicates::str::contains(".sql"));
        assert!(!dir.path().join("out").exists());
    }

    /// A scheduler that is not there is an error naming it, not a hang or a panic.
    #[test]
    fn a_scheduler_that_is_not_there_is_named() {
        let dir = tempfile::tempdir().unwrap();
        cohort()
            .args([
                "run",
                "--data",
                "tests/fixtures/small",
                "--engine",
                "ballista",
            ])
            .args(["--scheduler", "df://localhost:9", "--out"])
            .arg(dir.path())
            .assert()
            .failure()
            .stderr(predicates::str::contains("localhost:9"));
    }
}

/// A build without the feature says how to get Ballista instead of running something else.
#[cfg(not(feature = "ballista"))]
#[test]
fn without_the_feature_ballista_is_refused_with_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "run",
            "--data",
            "tests/fixtures/small",
            "--engine",
            "ballista",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicates::str::contains("--features ballista"));
    assert!(!dir.path().join("run.json").exists());
}

/// `--scheduler` means nothing to the other engines: refused, not ignored.
#[test]
fn a_scheduler_without_ballista_is_refused() {
    cohort()
        .args(["run", "--data", "tests/fixtures/small"])
        .args(["--scheduler", "df://localhost:50050"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("--engine ballista"));
}
