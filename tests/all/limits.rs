//! Queries that would take the machine end with a clear error on both engines: an aggregate
//! over a cross join that grows without bound, a recursive CTE doubling a string, one that
//! never ends, a trillion-row series; in bounded memory, with an exit code (never a signal)
//! and no panic. Analyses and notebook cells that run too long name themselves.

use super::common::{cohort, root};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

const ENGINES: [&str; 2] = ["datafusion", "duckdb"];

/// The limits the tests run under: small, so each runaway stops in seconds.
const MEMORY: &str = "256MiB";
const TIME: &str = "4s";

/// A string of 1,000 bytes aggregated over a 10,000 x 10,000 cross join: 100 GB of text.
const STRING_AGG_BOMB: &str = "WITH big AS (SELECT repeat('x', 1000) AS x FROM generate_series(1, 10000)) \
     SELECT length(string_agg(a.x, ',')) AS n FROM big AS a CROSS JOIN big AS b";

/// A string that doubles every step: 2^40 bytes by the last.
const DOUBLING: &str = "WITH RECURSIVE t(s, n) AS (SELECT 'ab', 1 UNION ALL SELECT s || s, n + 1 FROM t WHERE n < 40) \
     SELECT max(length(s)) AS longest FROM t";

/// A recursive CTE with no end.
const ENDLESS: &str =
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) AS n FROM t";

/// A trillion rows, each looked at (the filter keeps an engine from counting by arithmetic).
const TRILLION: &str =
    "SELECT count(*) AS n FROM generate_series(1, 1000000000000) WHERE random() >= 0";

/// What a stopped command left: how it ended, what it said, its peak memory, how long it took.
struct Stopped {
    status: ExitStatus,
    stderr: String,
    peak_kib: Option<u64>,
    took: Duration,
}

/// The peak resident memory of a running process, in KiB (Linux only).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs cohort with `args`, watching its peak memory until it ends.
fn watched(args: &[&str]) -> Stopped {
    let start = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cohort"))
        .current_dir(root())
        .env("COHORT_NO_HISTORY", "1")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak = peak.max(peak_kib(pid));
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "still running after 4 minutes: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Stopped {
        status,
        stderr: reader.join().unwrap(),
        peak_kib: peak,
        took: start.elapsed(),
    }
}

/// `cohort query SQL` on `engine` over the small fixture under the tests' limits.
fn query(engine: &str, sql: &str) -> Stopped {
    query_within(engine, sql, TIME)
}

/// [`query`] with the time limit `time`.
fn query_within(engine: &str, sql: &str, time: &str) -> Stopped {
    watched(&[
        "query",
        sql,
        "--engine",
        engine,
        "--data",
        "tests/fixtures/small",
        "--no-cache",
        "--memory-limit",
        MEMORY,
        "--time-limit",
        time,
    ])
}

/// It ended by itself with exit code 1 (not a signal, not a panic), said everything in
/// `expected`, and stayed within `max_mib` of memory, well short of the machine.
fn assert_stopped(what: &str, s: &Stopped, expected: &[&str], max_mib: u64) {
    assert_eq!(
        s.status.code(),
        Some(1),
        "{what}: must exit with code 1, not a signal: {:?}\n{}",
        s.status,
        s.stderr
    );
    assert!(
        !s.stderr.contains("panicked") && !s.stderr.contains("RUST_BACKTRACE"),
        "{what}: a panic: {}",
        s.stderr
    );
    for e in expected {
        assert!(
            s.stderr.contains(e),
            "{what}: expected {e:?} in: {}",
            s.stderr
        );
    }
    if let Some(kib) = s.peak_kib {
        assert!(
            kib < max_mib * 1024,
            "{what}: peak memory {} MiB",
            kib / 1024
        );
    }
    assert!(
        s.took < Duration::from_secs(120),
        "{what}: took {:?}",
        s.took
    );
}

#[test]
fn an_aggregate_over_a_cross_join_stops_at_the_memory_limit_on_both_engines() {
    for engine in ENGINES {
        let s = query(engine, STRING_AGG_BOMB);
        // The statement is named, with the limit it ran into.
        assert_stopped(
            engine,
            &s,
            &[
                "the statement `WITH big AS (SELECT repeat('x', 1000)",
                "...` exceeded the memory limit of 256 MiB",
            ],
            1024,
        );
        assert!(s.stderr.contains("--memory-limit"), "{}", s.stderr);
    }
}

#[test]
fn a_recursive_cte_doubling_a_string_stops_with_an_error_on_both_engines() {
    for engine in ENGINES {
        // Time enough that memory is what stops it, even on a loaded machine.
        let s = query_within(engine, DOUBLING, "60s");
        assert_stopped(engine, &s, &["the statement `WITH RECURSIVE t(s, n)"], 2048);
        // The engine runs out of room in its memory limit, or past what a string may hold.
        assert!(
            s.stderr.contains("exceeded the memory limit of 256 MiB")
                || s.stderr.contains("failed inside the engine"),
            "{engine}: {}",
            s.stderr
        );
    }
}

#[test]
fn an_endless_recursive_cte_stops_at_the_time_limit_on_both_engines() {
    for engine in ENGINES {
        let s = query(engine, ENDLESS);
        assert_stopped(
            engine,
            &s,
            &[
                "the statement `WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL",
                "...` ran past the time limit of 4 s",
            ],
            1024,
        );
        assert!(s.stderr.contains("--time-limit"), "{}", s.stderr);
        // It stopped at the limit, not long after (opening the fixture takes a moment too).
        assert!(s.took >= Duration::from_secs(4), "{engine}: {:?}", s.took);
    }
}

#[test]
fn a_trillion_row_series_stops_at_the_time_limit_on_both_engines() {
    for engine in ENGINES {
        let s = query(engine, TRILLION);
        assert_stopped(engine, &s, &["ran past the time limit of 4 s"], 1024);
    }
}

/// A queries folder under `dir` holding one analysis `runaway/endless` with `sql`, locked.
fn runaway_queries(dir: &Path, sql: &str) -> std::path::PathBuf {
    let q = dir.join("queries");
    std::fs::create_dir_all(q.join("runaway")).unwrap();
    std::fs::write(
        q.join("runaway/endless.sql"),
        format!(
            "-- ---\n-- id = \"runaway/endless\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n-- ---\n{sql}\n"
        ),
    )
    .unwrap();
    cohort()
        .arg("lock")
        .arg("--queries")
        .arg(&q)
        .assert()
        .success();
    q
}

#[test]
fn an_analysis_past_the_time_limit_names_itself_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let q = runaway_queries(dir.path(), ENDLESS);
    let q = q.to_str().unwrap();
    for engine in ENGINES {
        let out = dir.path().join(format!("out-{engine}"));
        let s = watched(&[
            "run",
            "--engine",
            engine,
            "--data",
            "tests/fixtures/small",
            "--no-cache",
            "--queries",
            q,
            "--out",
            out.to_str().unwrap(),
            "--time-limit",
            TIME,
        ]);
        assert_stopped(
            engine,
            &s,
            &["analysis `runaway/endless` ran past the time limit of 4 s"],
            1024,
        );
        assert!(s.stderr.contains("endless.sql"), "{engine}: {}", s.stderr);
        assert!(
            !out.join("run.json").exists(),
            "{engine}: a run was written"
        );
    }
}

#[test]
fn a_notebook_cell_past_the_time_limit_names_itself_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let nb = dir.path().join("runaway.md");
    // The second cell's SQL is on line 8.
    std::fs::write(
        &nb,
        format!(
            "# Runaway\n\n```sql\nSELECT count(*) AS n FROM header\n```\n\n```sql\n{ENDLESS}\n```\n"
        ),
    )
    .unwrap();
    for engine in ENGINES {
        let out = dir.path().join(format!("out-{engine}"));
        let s = watched(&[
            "notebook",
            nb.to_str().unwrap(),
            "--engine",
            engine,
            "--data",
            "tests/fixtures/small",
            "--no-cache",
            "--out",
            out.to_str().unwrap(),
            "--time-limit",
            TIME,
        ]);
        assert_stopped(
            engine,
            &s,
            &["runaway.md:8: cell 2 ran past the time limit of 4 s"],
            1024,
        );
        assert!(!out.join("runaway.html").exists(), "{engine}");
    }
}

#[test]
fn limits_come_from_cohort_toml_and_bad_ones_are_refused() {
    // A project folder whose cohort.toml sets a time limit of 2 s for `cohort query`.
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("tests/fixtures/small");
    std::fs::write(
        dir.path().join("cohort.toml"),
        format!(
            "data = {:?}\nqueries = {:?}\n[limits]\nquery_time = \"2s\"\nmemory = \"25%\"\n",
            data.display().to_string(),
            root().join("queries").display().to_string()
        ),
    )
    .unwrap();
    let out = cohort()
        .current_dir(dir.path())
        .args(["query", ENDLESS, "--no-cache"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ran past the time limit of 2 s"),
        "{stderr}"
    );
    // A limit that cannot be read is refused, naming the setting.
    std::fs::write(
        dir.path().join("cohort.toml"),
        "[limits]\nmemory = \"lots\"\n",
    )
    .unwrap();
    let out = cohort()
        .current_dir(dir.path())
        .args(["query", "SELECT 1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("[limits] memory: `lots`"), "{stderr}");
    let out = cohort()
        .args(["query", "SELECT 1", "--time-limit", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`soon`"));
}
