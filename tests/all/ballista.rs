//! `--engine ballista`: with the `ballista` feature, a scheduler and two executors on
//! loopback run every shipped analysis and agree with DataFusion; without it, a clear refusal.

use crate::common::cohort;

#[cfg(feature = "ballista")]
mod cluster {
    use super::*;
    use crate::common::root;
    use cohort::app::{self, Project};
    use cohort::engine::{BallistaPlace, EngineKind, LocalCluster, Scheduling};
    use std::path::Path;

    fn local_cluster() -> LocalCluster {
        LocalCluster::start(2).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every shipped analysis over `data` on `cluster` gives DataFusion's results
    /// (`check --cross-engine`, the library's own), its tables and results written into a
    /// shared store.
    fn agrees_with_datafusion(cluster: &LocalCluster, data: &Path) {
        let store = tempfile::tempdir().unwrap();
        let project = Project::default();
        let project = Project {
            data: data.to_path_buf(),
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

    /// Every shipped analysis over the sample data, on a scheduler with two executors on
    /// 127.0.0.1 (push-scheduled, static planner: the defaults), gives DataFusion's results.
    #[test]
    fn a_scheduler_and_two_executors_agree_with_datafusion_on_every_analysis() {
        let cluster = local_cluster();
        agrees_with_datafusion(&cluster, &root().join(Project::default().data));
    }

    /// The twelve-child fixture, on which Ballista 55's adaptive planner stalled for ever
    /// on `exclusions/reasons_by_year`; with the static planner every
    /// analysis runs and agrees with DataFusion.
    #[test]
    fn the_small_fixture_runs_to_the_end_and_agrees_with_datafusion() {
        let cluster = local_cluster();
        agrees_with_datafusion(&cluster, &root().join("tests/fixtures/small"));
    }

    /// Ballista's own pull scheduling (executors that poll) gives the same results: the
    /// default only changes how fast tasks reach the executors.
    #[test]
    fn pull_scheduled_executors_agree_with_datafusion_too() {
        let cluster =
            LocalCluster::start_with(2, 1, Scheduling::Pull).unwrap_or_else(|e| panic!("{e}"));
        agrees_with_datafusion(&cluster, &root().join("tests/fixtures/small"));
    }

    /// The command line reaches a cluster by its URL: `run` and `check --cross-engine`.
    #[test]
    fn the_cli_runs_and_cross_checks_on_a_cluster_by_its_url() {
        let cluster = local_cluster();
        let dir = tempfile::tempdir().unwrap();
        // The small fixture, where the adaptive planner stalled; a stall fails in 300 s.
        cohort()
            .env("COHORT_BALLISTA_TIMEOUT", "300")
            .args(["run", "--engine", "ballista", "--no-history"])
            .args(["--data", "tests/fixtures/small"])
            .args(["--scheduler", cluster.url(), "--ballista-store"])
            .arg(dir.path().join("store"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .success()
            .stdout(predicates::str::contains("on ballista"));
        cohort()
            .env("COHORT_BALLISTA_TIMEOUT", "300")
            .args(["check", "--cross-engine", "--engine", "ballista"])
            .args(["--scheduler", cluster.url()])
            .assert()
            .success()
            .stdout(predicates::str::contains("datafusion and ballista"));
    }

    /// Without a scheduler, Ballista starts one with an executor inside the process, and
    /// runs every analysis the DataFusion run does.
    #[test]
    fn standalone_runs_in_one_process() {
        let dir = tempfile::tempdir().unwrap();
        let ran = |engine: &str, out: &str| {
            let output = cohort()
                .env("COHORT_BALLISTA_TIMEOUT", "300")
                .args(["run", "--engine", engine, "--no-history", "--no-cache"])
                .args(["--data", "tests/fixtures/small", "--out"])
                .arg(dir.path().join(out))
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout).to_string();
            assert!(
                output.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            // "ran 66 analyses for 2024-25-summer on ballista; ..."
            let words: Vec<&str> = stdout.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "ran").unwrap();
            assert_eq!(words[at + 2], "analyses", "{stdout}");
            assert!(stdout.contains(&format!("on {engine};")), "{stdout}");
            words[at + 1].parse::<usize>().unwrap()
        };
        let on_datafusion = ran("datafusion", "df");
        assert!(on_datafusion > 40, "{on_datafusion} analyses");
        assert_eq!(ran("ballista", "ballista"), on_datafusion);
    }

    /// A planner that is not `static` or `adaptive` is refused, naming the setting.
    #[test]
    fn an_unknown_planner_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        cohort()
            .env("COHORT_BALLISTA_PLANNER", "clever")
            .args([
                "run",
                "--engine",
                "ballista",
                "--data",
                "tests/fixtures/small",
            ])
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .failure()
            .stderr(predicates::str::contains("COHORT_BALLISTA_PLANNER=clever"));
        assert!(!dir.path().join("out").exists());
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

    /// One `cohort run` of every analysis with `--no-history`, the validated tables from
    /// the cache in `work` and no kept results: its wall seconds and each analysis's
    /// seconds (from run.json), or the first line of its error.
    fn timed_run(
        work: &Path,
        data: &Path,
        scheduler: Option<&str>,
        planner: &str,
    ) -> Result<(f64, Vec<(String, f64)>), String> {
        // Kept results would be reused: every setting must run every analysis.
        if let Ok(caches) = std::fs::read_dir(work.join(".cohort/cache")) {
            for c in caches.flatten() {
                let _ = std::fs::remove_dir_all(c.path().join("results"));
            }
        }
        let out = work.join("out");
        let _ = std::fs::remove_dir_all(&out);
        let mut c = cohort();
        c.current_dir(work)
            .env("COHORT_BALLISTA_PLANNER", planner)
            .env(
                "COHORT_BALLISTA_TIMEOUT",
                std::env::var("COHORT_BALLISTA_TIMEOUT").unwrap_or_else(|_| "120".into()),
            )
            .args(["run", "--no-history", "--data"])
            .arg(data)
            .arg("--queries")
            .arg(root().join("queries"))
            .arg("--templates")
            .arg(root().join("report-templates"))
            .arg("--out")
            .arg(&out);
        match scheduler {
            Some(url) => c.args(["--engine", "ballista", "--scheduler", url]),
            None => c.args(["--engine", "datafusion"]),
        };
        let started = std::time::Instant::now();
        let output = c.output().map_err(|e| e.to_string())?;
        let wall = started.elapsed().as_secs_f64();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let line = stderr.lines().find(|l| l.contains("error")).unwrap_or("");
            return Err(line.chars().take(200).collect());
        }
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
        let time = |v: &serde_json::Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap()
        };
        let analyses = run["analyses"].as_array().unwrap();
        let each = analyses
            .iter()
            .map(|a| {
                let took = time(&a["finished"]) - time(&a["started"]);
                let id = a["id"].as_str().unwrap().to_string();
                (id, took.num_microseconds().unwrap() as f64 / 1e6)
            })
            .collect();
        Ok((wall, each))
    }

    /// The measurement behind docs/ballista.md: every analysis over each data set on
    /// DataFusion, then on a scheduler and two one-slot executors on 127.0.0.1 under each
    /// planner and each scheduling policy, run after run in one process. Prints each
    /// run's wall time, the sum, median and largest of its analyses' times, and the
    /// median per-analysis time above DataFusion's. Sets: `COHORT_BALLISTA_SETS`
    /// (colon-separated), else the small fixture, the sample data and
    /// /tmp/cohort-scale/data-10000x5 where it exists.
    #[test]
    #[ignore = "a measurement of minutes: cargo test --release --features ballista -- --ignored --nocapture ballista_settings_timed"]
    fn ballista_settings_timed() {
        let sets: Vec<std::path::PathBuf> = match std::env::var("COHORT_BALLISTA_SETS") {
            Ok(v) => v.split(':').map(std::path::PathBuf::from).collect(),
            Err(_) => vec![
                root().join("tests/fixtures/small"),
                root().join("sample-data"),
                std::path::PathBuf::from("/tmp/cohort-scale/data-10000x5"),
            ],
        };
        let settings = [
            (Scheduling::Pull, "adaptive"),
            (Scheduling::Pull, "static"),
            (Scheduling::Push, "adaptive"),
            (Scheduling::Push, "static"),
        ];
        let median = |mut v: Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        println!(
            "| data | engine | scheduling | planner | wall s | sum of analyses s | median analysis s | largest s | median above DataFusion s |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for data in sets.iter().filter(|d| d.exists()) {
            let work = tempfile::tempdir().unwrap();
            let name = data.file_name().unwrap().to_string_lossy().to_string();
            // DataFusion first: it also checks the files once into `work`'s cache.
            let _ = timed_run(work.path(), data, None, "static");
            let (wall, base) = timed_run(work.path(), data, None, "static").unwrap();
            let base_of: std::collections::BTreeMap<_, _> = base.iter().cloned().collect();
            let row = |engine: &str,
                       sched: &str,
                       planner: &str,
                       wall: f64,
                       each: &[(String, f64)]| {
                let times: Vec<f64> = each.iter().map(|x| x.1).collect();
                let above: Vec<f64> = each
                    .iter()
                    .map(|(id, t)| t - base_of.get(id).copied().unwrap_or(0.0))
                    .collect();
                println!(
                    "| {name} | {engine} | {sched} | {planner} | {wall:.1} | {:.1} | {:.3} | {:.2} | {:.3} |",
                    times.iter().sum::<f64>(),
                    median(times.clone()),
                    times.iter().copied().fold(0.0, f64::max),
                    median(above),
                );
            };
            row("datafusion", "-", "-", wall, &base);
            for (scheduling, planner) in settings {
                let cluster = LocalCluster::start_with(2, 1, scheduling).unwrap();
                let sched = format!("{scheduling:?}").to_lowercase();
                match timed_run(work.path(), data, Some(cluster.url()), planner) {
                    Ok((wall, each)) => row("ballista", &sched, planner, wall, &each),
                    Err(e) => {
                        println!("| {name} | ballista | {sched} | {planner} | failed: {e} |||||")
                    }
                }
            }
        }
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
