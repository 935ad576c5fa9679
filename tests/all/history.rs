//! Run history in DuckDB and the second engine: recording, diff, verify, a killed run,
//! board reports that take earlier years from history, and DataFusion against DuckDB.

use assert_cmd::Command;
use cohort::app::{self, Project};
use cohort::history::History;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cohort() -> Command {
    let mut c = Command::cargo_bin("cohort").expect("binary");
    c.current_dir(root());
    c
}

/// A project over a copy of `tests/fixtures/small` (so a test may change a file), with
/// the shipped analyses and templates and its own history.
fn small_project(dir: &Path) -> Project {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures/small")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    Project {
        data,
        queries: root().join("queries"),
        templates: root().join("report-templates"),
        out: dir.join("out"),
        history: Some(dir.join("history.duckdb")),
        ..Project::default()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_run_records_exactly_the_figures_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let project = small_project(dir.path());
    let (output, run) = app::run_and_write(&project, None, None).unwrap();
    assert_eq!(run, Some(1));
    let history = project.history.as_deref().unwrap();
    // The figures in the history are metrics.csv, byte for byte.
    let written = std::fs::read_to_string(project.out.join("metrics.csv")).unwrap();
    let recorded = app::history::figures(history, 1).unwrap();
    assert_eq!(recorded.trim_end(), written.trim_end());
    // Every analysis with its version, every data file with its hash.
    let h = History::open(history).unwrap();
    let analyses = h.analyses(1).unwrap();
    assert_eq!(analyses.len(), output.analyses.len());
    let files = h.files(1).unwrap();
    assert_eq!(files.len(), output.files.len());
    for f in &output.files {
        assert!(
            files
                .iter()
                .any(|r| r.table == f.table && r.sha256 == f.sha256)
        );
    }
    // A result table comes back cell for cell.
    let roll = output.result("roll/summary").unwrap();
    assert_eq!(h.result(1, "roll/summary").unwrap(), roll.result);
    let list = app::history::list(history).unwrap();
    assert!(list.contains(&output.term.to_string()), "{list}");
}

#[test]
fn a_second_run_of_the_same_inputs_stores_no_cell_or_figure_again() {
    let dir = tempfile::tempdir().unwrap();
    let project = small_project(dir.path());
    let history = project.history.clone().unwrap();
    let count = |sql: &str| -> i64 {
        let conn = duckdb::Connection::open(&history).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let stored = "SELECT (SELECT count(*) FROM result_values) * 1000000 + (SELECT count(*) FROM metric_values) * 1000 + (SELECT count(*) FROM analysis_sources)";
    let (output, _) = app::run_and_write(&project, None, None).unwrap();
    let first = count(stored);
    let cells: usize = output
        .analyses
        .iter()
        .map(|a| a.result.rows.iter().map(Vec::len).sum::<usize>())
        .sum();
    assert!(cells > 0 && output.metrics.len() < 1000);
    app::run_and_write(&project, None, None).unwrap();
    // Run 2 read the same files with the same analyses: its results, figures and sources
    // are run 1's, so nothing of them is stored twice...
    assert_eq!(count(stored), first);
    // ...yet the views analysts query show both runs in full, as two copies.
    let per_run = |run: i64| {
        count(&format!(
            "SELECT count(*) FROM result_cells WHERE run_id = {run}"
        ))
    };
    assert_eq!((per_run(1), per_run(2)), (cells as i64, cells as i64));
    assert_eq!(
        count("SELECT count(*) FROM metrics WHERE run_id = 2"),
        output.metrics.len() as i64
    );
    // And each run reads back as it was recorded.
    let h = History::open(&history).unwrap();
    let roll = output.result("roll/summary").unwrap();
    assert_eq!(h.result(2, "roll/summary").unwrap(), roll.result);
    assert_eq!(h.metrics(2).unwrap(), h.metrics(1).unwrap());
    assert_eq!(h.analyses(2).unwrap(), h.analyses(1).unwrap());
}

#[test]
fn diff_names_the_changed_data_and_verify_notices_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = small_project(dir.path());
    let history = project.history.clone().unwrap();
    app::run_and_write(&project, None, None).unwrap();
    // The same inputs verify, and a second run of them differs in nothing.
    let verified = app::history::verify(&project, &history, 1).unwrap();
    assert!(verified.contains("run 1 verified"), "{verified}");
    app::run_and_write(&project, None, None).unwrap();
    let same = app::history::diff(&history, 1, 2).unwrap();
    assert!(same.contains("figures: all the same"), "{same}");
    // Drop the last suspension from the data: the suspension figures move, and say why.
    let path = project.data.join("suspensions.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    app::run_and_write(&project, None, None).unwrap();
    let d = app::history::diff(&history, 2, 3).unwrap();
    assert!(d.contains("data files that differ: suspensions"), "{d}");
    assert!(
        d.contains("exclusions."),
        "no suspension figure changed:\n{d}"
    );
    assert!(d.contains("(data files differ: suspensions)"), "{d}");
    // Run 1's files are no longer there as they were: verify says which.
    let e = app::history::verify(&project, &history, 1)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("suspensions.csv: the file has changed since run 1"),
        "{e}"
    );
}

#[test]
fn diff_names_a_changed_analysis_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = small_project(dir.path());
    let history = project.history.clone().unwrap();
    app::run_and_write(&project, None, None).unwrap();
    // A copy of the analyses where roll/children_by_term counts one child fewer, as version 99.
    let queries = dir.path().join("queries");
    copy_dir(&root().join("queries"), &queries);
    let file = queries.join("roll/children_by_term.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    let version_line = text
        .lines()
        .find(|l| l.starts_with("-- version = "))
        .unwrap();
    let changed = text.replacen(version_line, "-- version = 99", 1).replacen(
        "CAST(count(l.child) AS BIGINT) AS children",
        "CAST(count(l.child) - 1 AS BIGINT) AS children",
        1,
    );
    assert_ne!(
        changed, text,
        "roll/children_by_term no longer counts `count(l.child)` children"
    );
    std::fs::write(&file, changed).unwrap();
    project.queries = queries;
    app::write_lock(&project).unwrap();
    app::run_and_write(&project, None, None).unwrap();
    let d = app::history::diff(&history, 1, 2).unwrap();
    assert!(d.contains("roll/children_by_term: version"), "{d}");
    assert!(d.contains("-> 99"), "{d}");
    assert!(
        d.contains("(analysis roll/children_by_term: version"),
        "a changed figure does not name the version change:\n{d}"
    );
    // Diff compares one term only.
    app::run_and_write(&project, Some(term("2023-24-summer")), None).unwrap();
    let e = app::history::diff(&history, 2, 3).unwrap_err().to_string();
    assert!(e.contains("same term"), "{e}");
}

#[test]
fn a_run_killed_while_recording_leaves_the_history_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.duckdb");
    let run = |out: &str| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("cohort"));
        c.current_dir(root())
            .args(["run", "--data", "tests/fixtures/small", "--out"])
            .arg(dir.path().join(out))
            .arg("--history")
            .arg(&history);
        c
    };
    assert!(run("first").status().unwrap().success());
    let marker = dir.path().join("holding");
    let mut child = run("second")
        .env(cohort::history::HOLD_BEFORE_COMMIT, &marker)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !marker.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the second run never reached its commit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Every row of run 2 is written but not committed: kill it there.
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "2");
    child.kill().unwrap();
    child.wait().unwrap();
    let h = History::open(&history).unwrap();
    let runs = h.list().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].run_id, 1);
    assert!(h.metrics(2).unwrap().is_empty());
    assert!(h.analyses(2).unwrap().is_empty());
    assert!(!h.metrics(1).unwrap().is_empty());
    drop(h);
    // And the next run is run 2.
    assert!(run("third").status().unwrap().success());
    let h = History::open(&history).unwrap();
    assert_eq!(h.list().unwrap()[0].run_id, 2);
}

#[test]
fn the_board_report_shows_earlier_years_as_published_and_marks_a_series_break() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries");
    copy_dir(&root().join("queries"), &queries);
    let mut project = Project {
        data: root().join("sample-data"),
        queries: queries.clone(),
        templates: root().join("report-templates"),
        out: dir.path().join("out"),
        history: Some(dir.path().join("history.duckdb")),
        ..Project::default()
    };
    // Last year's board report, recorded as run 1.
    app::report(&project, "board-annual", Some(term("2023-24-summer"))).unwrap();
    // This year, persistent absence is defined differently: version 99.
    let file = queries.join("attendance/absence_by_year.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    let version_line = text
        .lines()
        .find(|l| l.starts_with("-- version = "))
        .unwrap();
    std::fs::write(&file, text.replacen(version_line, "-- version = 99", 1)).unwrap();
    app::write_lock(&project).unwrap();
    project.out = dir.path().join("out2");
    let path = app::report(&project, "board-annual", Some(term("2024-25-summer"))).unwrap();
    let html = std::fs::read_to_string(path).unwrap();
    assert!(
        html.contains("Earlier years: published or recomputed"),
        "no sources section"
    );
    assert!(
        html.contains("<td><code>attendance/absence_by_year</code></td><td>2023-24</td><td>as published: run 1"),
        "2023-24 absence is not taken from run 1"
    );
    assert!(
        html.contains("<td><code>attendance/absence_by_year</code></td><td>2022-23</td><td>as published: run 1"),
        "2022-23 absence is not taken from run 1 (last year's report showed it too)"
    );
    assert!(
        html.contains("a series break before 2024-25"),
        "no series-break note"
    );
    assert!(
        html.contains(">\nseries break\n</text>"),
        "no series-break mark on a chart"
    );
}

#[test]
fn published_rows_replace_recomputed_ones_year_by_year() {
    use cohort::run::{AnalysisRun, ResultTable, RunOutput, Value};
    let dir = tempfile::tempdir().unwrap();
    let analysis = cohort::analysis::Analysis::parse(
        Path::new("x.sql"),
        "attendance/rate_by_year",
        "-- ---\n-- id = \"attendance/rate_by_year\"\n-- version = 1\n-- title = \"t\"\n-- description = \"d\"\n-- [[metric]]\n-- id = \"attendance.rate\"\n-- value = \"rate\"\n-- time_period = \"year\"\n-- unit = \"percent\"\n-- ---\nSELECT 1",
    )
    .unwrap();
    let output = |rows: Vec<(&str, f64)>, version: u32, term: &str| RunOutput {
        tool: "cohort".into(),
        tool_version: "test".into(),
        engine: "datafusion".into(),
        term: term.parse().expect("a term"),
        data_dir: PathBuf::from("d"),
        files: vec![],
        rows_read: 0,
        cache: None,
        analyses: vec![AnalysisRun {
            id: "attendance/rate_by_year".into(),
            version,
            sql_hash: "h".into(),
            rows: rows.len(),
            started: chrono::Utc::now(),
            finished: chrono::Utc::now(),
            result: ResultTable {
                columns: vec!["year".into(), "rate".into()],
                rows: rows
                    .into_iter()
                    .map(|(y, r)| vec![Value::Text(y.into()), Value::Float(r)])
                    .collect(),
            },
            profile: None,
        }],
        metrics: vec![],
        sources: vec![],
        results: None,
        drafts: vec![],
        parameters: Default::default(),
        family: Vec::new(),
    };
    let mut h = History::open(&dir.path().join("h.duckdb")).unwrap();
    let report = cohort::history::RunKind {
        command: "report",
        template: Some("board-annual".into()),
    };
    // Published last summer (version 1): 2022-23 at 9.0, 2023-24 at 9.5.
    let last_year = output(
        vec![("2022-23", 9.0), ("2023-24", 9.5)],
        1,
        "2023-24-summer",
    );
    h.record(
        &report,
        &last_year,
        &|_| String::new(),
        &[],
        chrono::Utc::now(),
    )
    .unwrap();
    // Recomputed this year with version 2: 9.2, 9.9 and 10.1.
    let mut now = output(
        vec![("2022-23", 9.2), ("2023-24", 9.9), ("2024-25", 10.1)],
        2,
        "2024-25-summer",
    );
    cohort::history::published::apply(
        &h,
        &mut now,
        std::slice::from_ref(&analysis),
        cohort::contract::AcademicYear::new(2024),
    )
    .unwrap();
    let rates: Vec<String> = now.analyses[0]
        .result
        .rows
        .iter()
        .map(|r| format!("{} {}", r[0], r[1]))
        .collect();
    // The two earlier years as published (9.0, 9.5), this year as computed (10.1).
    assert_eq!(rates, ["2022-23 9", "2023-24 9.5", "2024-25 10.1"]);
    let sources: Vec<(String, String, u32)> = now
        .sources
        .iter()
        .map(|s| (s.year.clone(), s.source.clone(), s.version))
        .collect();
    assert_eq!(
        sources,
        [
            ("2022-23".to_string(), "published".to_string(), 1),
            ("2023-24".to_string(), "published".to_string(), 1),
            ("2024-25".to_string(), "recomputed".to_string(), 2),
        ]
    );
    // Versions 1, 1, 2: one break, before 2024-25.
    assert_eq!(
        cohort::run::series_breaks(&now.sources, "attendance/rate_by_year"),
        ["2024-25"]
    );
    // The figures are re-read from the rows: 2023-24 is 9.5 again.
    let m = now
        .metrics
        .iter()
        .find(|m| m.time_period == "2023-24")
        .unwrap();
    assert_eq!(m.value, Some(9.5));
}

#[test]
fn every_shipped_analysis_gives_the_same_results_on_duckdb() {
    let project = Project::default();
    let project = Project {
        data: root().join(&project.data),
        queries: root().join(&project.queries),
        templates: root().join(&project.templates),
        ..project
    };
    match app::history::cross_engine(&project, None) {
        Ok(message) => assert!(message.starts_with("ok:"), "{message}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_cli_lists_shows_and_checks_across_engines() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h.duckdb");
    cohort()
        .args([
            "run",
            "--data",
            "tests/fixtures/small",
            "--engine",
            "duckdb",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg("--history")
        .arg(&history)
        .assert()
        .success()
        .stdout(predicates::str::contains("on duckdb"))
        .stdout(predicates::str::contains("recorded as run 1"));
    cohort()
        .args(["history", "list", "--history"])
        .arg(&history)
        .assert()
        .success()
        .stdout(predicates::str::contains("duckdb"));
    cohort()
        .args(["history", "show", "1", "--history"])
        .arg(&history)
        .assert()
        .success()
        .stdout(predicates::str::contains("roll/summary"));
    cohort()
        .args(["history", "show", "7", "--history"])
        .arg(&history)
        .assert()
        .failure()
        .stderr(predicates::str::contains("there is no run 7"));
}

/// An analysis whose SQL changed since the lock runs as a draft for `run` and for a
/// leadership report (which carries a DRAFT banner naming it; the history records it),
/// while a board report and `history diff` refuse it.
#[test]
fn an_analysis_changed_since_the_lock_runs_as_a_draft_and_is_never_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = small_project(dir.path());
    let queries = dir.path().join("queries");
    copy_dir(&root().join("queries"), &queries);
    let f = queries.join("reference/national_benchmarks.sql");
    let sql = std::fs::read_to_string(&f).unwrap();
    assert!(sql.contains("ORDER BY measure"));
    std::fs::write(&f, sql.replace("ORDER BY measure", "ORDER BY cohort")).unwrap();
    project.queries = queries;
    let (output, run) = app::run_and_write(&project, None, None).unwrap();
    assert_eq!(
        output.drafts,
        vec!["reference/national_benchmarks".to_string()]
    );
    let json = std::fs::read_to_string(project.out.join("run.json")).unwrap();
    assert!(json.contains("\"drafts\""), "run.json names the drafts");
    let termly = app::report_formats(&project, "termly-impact", None, false).unwrap();
    let html = std::fs::read_to_string(&termly.paths[0]).unwrap();
    assert!(
        html.contains("DRAFT, not for publication"),
        "no DRAFT banner"
    );
    assert!(html.contains("reference/national_benchmarks"));
    let board = app::report_formats(&project, "board-annual", None, false)
        .expect_err("a board report rests only on locked analyses")
        .to_string();
    assert!(board.contains("Raise `version` to 2"), "{board}");
    let history = project.history.as_deref().unwrap();
    let list = app::history::list(history).unwrap();
    assert!(
        list.contains("(draft: reference/national_benchmarks)"),
        "{list}"
    );
    let (first, second) = (run.unwrap(), termly.run.unwrap());
    let diff = app::history::diff(history, first, second)
        .expect_err("diff refuses drafts")
        .to_string();
    assert!(diff.contains("carried drafts"), "{diff}");
}

/// A term written as a test gives it.
fn term(text: &str) -> cohort::contract::Term {
    text.parse().expect("a term")
}
