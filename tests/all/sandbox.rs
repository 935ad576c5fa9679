//! What user SQL, data values and names can reach, driven through the binary: analyses,
//! notebook cells and `cohort query` read only their tables on both engines; paths never
//! come from data or a name; values from data are text; outputs and history are one unit;
//! a closed pipe is not an error.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cohort() -> Command {
    let mut c = Command::cargo_bin("cohort").expect("binary");
    c.current_dir(root());
    c.env("COHORT_NO_HISTORY", "1");
    c.env_remove("COHORT_FAIL_AFTER_STAGING");
    c
}

const ENGINES: [&str; 2] = ["datafusion", "duckdb"];

/// The secret every attack tries to read: a file outside the data folder.
const SECRET: &str = "TOP-SECRET-LINE";

/// A temp folder with a copy of `tests/fixtures/small` as `data/` (each cell equal to
/// `S1` replaced by `urn`, when given) and a secret file `secret.csv` beside it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Self::with_school(None)
    }

    fn with_school(renamed: Option<(&str, &str)>) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        for entry in std::fs::read_dir(root().join("tests/fixtures/small")).unwrap() {
            let path = entry.unwrap().path();
            let mut text = std::fs::read_to_string(&path).unwrap();
            if let Some((urn, name)) = renamed {
                text = text
                    .lines()
                    .map(|line| {
                        line.split(',')
                            .map(|cell| match cell {
                                "S1" => urn,
                                "Fixture Primary" => name,
                                other => other,
                            })
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n";
            }
            std::fs::write(data.join(path.file_name().unwrap()), text).unwrap();
        }
        std::fs::write(dir.path().join("secret.csv"), format!("line\n{SECRET}\n")).unwrap();
        Sandbox { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    /// A queries folder holding one analysis `attack/one` with `sql`, in versions.lock.
    fn queries(&self, name: &str, front: &str, sql: &str) -> PathBuf {
        let q = self.path(name);
        std::fs::create_dir_all(q.join("attack")).unwrap();
        std::fs::write(
            q.join("attack/one.sql"),
            format!(
                "-- ---\n-- id = \"attack/one\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n{front}-- ---\n{sql}\n"
            ),
        )
        .unwrap();
        // Locked as an older cohort (or a hand-edited lock) would have it: `cohort lock` itself
        // now refuses SQL that `cohort check` refuses, and these analyses are refused.
        let analyses = cohort::analysis::load_all(&q).unwrap();
        cohort::analysis::lock::write(&analyses, &q.join("versions.lock")).unwrap();
        q
    }
}

/// Runs `cohort query SQL` on `engine` and returns (exit code, stdout, stderr).
fn query(s: &Sandbox, engine: &str, sql: &str) -> (i32, String, String) {
    let out = cohort()
        .args(["query", sql, "--engine", engine, "--data"])
        .arg(s.data())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The attack failed cleanly (exit 1, no panic), leaked nothing and wrote nothing; its
/// message says why (one of `because`).
fn assert_blocked(s: &Sandbox, engine: &str, sql: &str, because: &[&str], not_written: &[&str]) {
    let (code, stdout, stderr) = query(s, engine, sql);
    assert_eq!(
        code, 1,
        "{engine}: `{sql}` must fail\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        because.iter().any(|b| stderr.contains(b)),
        "{engine}: `{sql}`: expected one of {because:?} in: {stderr}"
    );
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "{engine}: leaked"
    );
    for f in not_written {
        assert!(!s.path(f).exists(), "{engine}: `{sql}` wrote {f}");
    }
}

#[test]
fn copy_to_a_path_is_refused_on_both_engines() {
    let s = Sandbox::new();
    for engine in ENGINES {
        let target = s.path(&format!("leak-{engine}.csv"));
        let sql = format!(
            "COPY (SELECT child, dob, upn FROM header) TO '{}'",
            target.display()
        );
        let written = format!("leak-{engine}.csv");
        assert_blocked(&s, engine, &sql, &["refused"], &[written.as_str()]);
    }
}

#[test]
fn an_external_table_over_a_system_file_is_refused_on_both_engines() {
    let s = Sandbox::new();
    let secret = s.path("secret.csv");
    // DataFusion's own statement; DuckDB's way to make a table of a file.
    let datafusion = format!(
        "CREATE EXTERNAL TABLE secret STORED AS CSV LOCATION '{}'",
        secret.display()
    );
    assert_blocked(&s, "datafusion", &datafusion, &["refused"], &[]);
    let duckdb = format!(
        "CREATE TABLE secret AS SELECT * FROM read_csv('{}')",
        secret.display()
    );
    assert_blocked(&s, "duckdb", &duckdb, &["refused"], &[]);
    // Neither may name a file as a table in a SELECT.
    for engine in ENGINES {
        let sql = format!("SELECT * FROM '{}'", secret.display());
        assert_blocked(
            &s,
            engine,
            &sql,
            &["not found", "disabled", "Permission"],
            &[],
        );
    }
}

#[test]
fn file_reading_functions_attach_install_load_and_urls_fail_on_duckdb() {
    let s = Sandbox::new();
    let secret = s.path("secret.csv").display().to_string();
    let history = s.path("history.duckdb").display().to_string();
    for sql in [
        format!("SELECT * FROM read_csv('{secret}')"),
        format!("SELECT * FROM read_text('{secret}')"),
        format!("SELECT * FROM read_csv_auto('{secret}')"),
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')".to_string(),
    ] {
        assert_blocked(&s, "duckdb", &sql, &["disabled", "Permission"], &[]);
    }
    // A URL as a table name: with no extension loaded it is no table at all.
    assert_blocked(
        &s,
        "duckdb",
        "SELECT * FROM 'https://example.com/x.parquet'",
        &["does not exist", "disabled"],
        &[],
    );
    for (sql, written) in [
        (format!("ATTACH '{history}' AS h"), Some("history.duckdb")),
        ("INSTALL httpfs".to_string(), None),
        ("LOAD httpfs".to_string(), None),
        ("SET enable_external_access = true".to_string(), None),
    ] {
        assert_blocked(
            &s,
            "duckdb",
            &sql,
            &["refused"],
            &written.into_iter().collect::<Vec<_>>(),
        );
    }
    // DataFusion has no such functions at all.
    for sql in [
        format!("SELECT * FROM read_csv('{secret}')"),
        format!("SELECT * FROM read_text('{secret}')"),
    ] {
        assert_blocked(
            &s,
            "datafusion",
            &sql,
            &["not found", "Invalid function"],
            &[],
        );
    }
}

#[test]
fn chained_statements_are_refused_on_both_engines() {
    let s = Sandbox::new();
    for engine in ENGINES {
        let target = format!("chained-{engine}.csv");
        let sql = format!(
            "SELECT 1 AS x;\nCOPY (SELECT child FROM header) TO '{}'",
            s.path(&target).display()
        );
        assert_blocked(
            &s,
            engine,
            &sql,
            &["refused", "2 statements"],
            &[target.as_str()],
        );
    }
}

#[test]
fn a_refused_analysis_names_its_file_and_line_in_run_and_check_on_both_engines() {
    let s = Sandbox::new();
    for engine in ENGINES {
        let target = format!("analysis-leak-{engine}.csv");
        // The SQL starts on line 7 of the file (6 front matter lines), COPY on line 8.
        let q = s.queries(
            &format!("queries-{engine}"),
            "",
            &format!(
                "-- a comment\nCOPY (SELECT child, dob, upn FROM header) TO '{}'",
                s.path(&target).display()
            ),
        );
        let out = cohort()
            .args(["run", "--engine", engine, "--data"])
            .arg(s.data())
            .arg("--queries")
            .arg(&q)
            .arg("--out")
            .arg(s.path(&format!("out-{engine}")))
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("attack/one.sql:8:"), "{engine}: {stderr}");
        assert!(stderr.contains("refused"), "{engine}: {stderr}");
        assert!(
            !s.path(&target).exists(),
            "{engine}: the analysis wrote its file"
        );
        let check = cohort()
            .args(["check", "--data"])
            .arg(s.data())
            .arg("--queries")
            .arg(&q)
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert!(
            stderr.contains("attack/one.sql:8:") && stderr.contains("refused"),
            "{stderr}"
        );
        assert!(!s.path(&target).exists());
    }
}

#[test]
fn check_refuses_a_duckdb_variant_that_is_not_a_query() {
    let s = Sandbox::new();
    let target = s.path("variant-leak.csv");
    // `duckdb = """` is line 7, so the variant's SQL starts on line 8.
    let q = s.queries(
        "queries",
        &format!(
            "-- [engine_sql]\n-- duckdb = \"\"\"\n-- COPY (SELECT child FROM header) TO '{}'\n-- \"\"\"\n",
            target.display()
        ),
        "SELECT count(*) AS n FROM header",
    );
    let check = cohort()
        .args(["check", "--data"])
        .arg(s.data())
        .arg("--queries")
        .arg(&q)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("attack/one.sql:8:"), "{stderr}");
    assert!(stderr.contains("refused"), "{stderr}");
    // And the run on DuckDB refuses it too.
    cohort()
        .args(["run", "--engine", "duckdb", "--data"])
        .arg(s.data())
        .arg("--queries")
        .arg(&q)
        .arg("--out")
        .arg(s.path("out"))
        .assert()
        .code(1);
    assert!(!target.exists());
}

#[test]
fn notebook_cells_pass_the_same_gate_on_both_engines() {
    let s = Sandbox::new();
    for engine in ENGINES {
        let target = format!("cell-leak-{engine}.csv");
        let nb = s.path(&format!("nb-{engine}.md"));
        // The second cell's SQL starts on line 10.
        std::fs::write(
            &nb,
            format!(
                "# Attack\n\n```sql\nSELECT count(*) AS n FROM header\n```\n\nThen:\n\n```sql\nCOPY (SELECT child FROM header) TO '{}'\n```\n",
                s.path(&target).display()
            ),
        )
        .unwrap();
        let out = cohort()
            .args(["notebook"])
            .arg(&nb)
            .args(["--engine", engine, "--data"])
            .arg(s.data())
            .arg("--out")
            .arg(s.path(&format!("nb-out-{engine}")))
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("nb-{engine}.md:10")),
            "{engine}: {stderr}"
        );
        assert!(stderr.contains("refused"), "{engine}: {stderr}");
        assert!(!s.path(&target).exists());
        assert!(
            !s.path(&format!("nb-out-{engine}/nb-{engine}.html"))
                .exists()
        );
    }
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(
                    files_under(&p)
                        .into_iter()
                        .map(|f| Path::new(&e.file_name()).join(f)),
                );
            } else {
                out.push(PathBuf::from(e.file_name()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_school_urn_that_is_a_path_writes_only_inside_out() {
    let s = Sandbox::with_school(Some(("../../../x", "Fixture Primary")));
    let out = s.path("a/b/out");
    cohort()
        .args(["report", "school-on-a-page", "--each", "school", "--data"])
        .arg(s.data())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    // The page is `x.html` inside the report's folder; nothing beside or above --out.
    let pages = files_under(&out);
    assert!(
        pages.contains(&PathBuf::from("school-on-a-page/x.html")),
        "{pages:?}"
    );
    assert!(!s.path("x.html").exists() && !s.path("a/x.html").exists());
    assert!(!s.path("a/b/x.html").exists());
    assert!(
        pages.iter().all(|p| p.starts_with("school-on-a-page")
            || p.starts_with("results")
            || p == Path::new("metrics.csv")),
        "{pages:?}"
    );
    let index = std::fs::read_to_string(out.join("school-on-a-page/index.html")).unwrap();
    assert!(index.contains("href=\"x.html\""), "{index}");
    assert!(index.contains("URN ../../../x"), "{index}");
}

#[test]
fn a_template_is_a_name_never_a_path() {
    let s = Sandbox::new();
    let templates = s.path("a/b");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        s.path("x.md"),
        "+++\ntitle = \"Outside\"\naudience = \"leadership\"\n+++\nRead from outside the templates folder.\n",
    )
    .unwrap();
    let out = s.path("a/b/out");
    let err = cohort()
        .args(["report", "../../x", "--data"])
        .arg(s.data())
        .arg("--templates")
        .arg(&templates)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("not a path"), "{err}");
    assert!(!s.path("x.html").exists() && !s.path("a/x.html").exists());
    assert!(files_under(&out).is_empty());
}

#[test]
fn school_names_that_are_markdown_links_or_images_stay_text() {
    for name in ["[x](javascript:alert(1))", "![](http://host/x.png)"] {
        let s = Sandbox::with_school(Some(("S1", name)));
        let out = s.path("out");
        cohort()
            .args(["report", "school-on-a-page", "--each", "school", "--data"])
            .arg(s.data())
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let page = std::fs::read_to_string(out.join("school-on-a-page/S1.html")).unwrap();
        assert!(!page.contains("href=\"javascript:"), "{name}: a link");
        assert!(!page.contains("<img"), "{name}: an image");
        // The name is shown as the characters it is, as the page's heading.
        assert!(page.contains(&format!(">{name}</h2>")), "{name}");
        let index = std::fs::read_to_string(out.join("school-on-a-page/index.html")).unwrap();
        assert!(!index.contains("href=\"javascript:") && !index.contains("<img"));
    }
}

/// How many runs a history file holds (0 when there is none).
fn runs_in(history: &Path) -> usize {
    if !history.exists() {
        return 0;
    }
    cohort::history::History::open(history)
        .unwrap()
        .list()
        .unwrap()
        .len()
}

#[test]
fn a_failure_after_staging_leaves_no_output_and_no_history_row() {
    let s = Sandbox::new();
    let history = s.path("history.duckdb");
    let out = s.path("out");
    for args in [
        vec!["report", "termly-impact", "--format", "html,pdf"],
        vec!["report", "school-on-a-page", "--each", "school"],
        vec!["run"],
    ] {
        let err = cohort()
            .env_remove("COHORT_NO_HISTORY")
            .env(cohort::staging::FAIL_AFTER_STAGING, "1")
            .args(&args)
            .arg("--data")
            .arg(s.data())
            .arg("--out")
            .arg(&out)
            .arg("--history")
            .arg(&history)
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&err);
        assert!(err.contains("nothing was published"), "{args:?}: {err}");
        assert!(
            files_under(&out).is_empty(),
            "{args:?}: {:?}",
            files_under(&out)
        );
        assert_eq!(runs_in(&history), 0, "{args:?}");
    }
    // Without the failure the same report is written and recorded, once.
    cohort()
        .env_remove("COHORT_NO_HISTORY")
        .args(["report", "termly-impact", "--data"])
        .arg(s.data())
        .arg("--out")
        .arg(&out)
        .arg("--history")
        .arg(&history)
        .assert()
        .success();
    // The report, and in its own folder the disclosed figures it rests on (metrics.csv,
    // results/).
    let files = files_under(&out);
    assert!(
        files.contains(&PathBuf::from("termly-impact.html")),
        "{files:?}"
    );
    assert!(
        files.iter().all(|p| p == Path::new("termly-impact.html")
            || p == Path::new("termly-impact/metrics.csv")
            || p.starts_with("termly-impact/results")),
        "{files:?}"
    );
    assert_eq!(runs_in(&history), 1);
}

fn report_command(s: &Sandbox, out: &str, history: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("cohort"));
    c.current_dir(root())
        .env_remove("COHORT_NO_HISTORY")
        .env_remove("COHORT_FAIL_AFTER_STAGING")
        .args(["report", "termly-impact", "--data"])
        .arg(s.data())
        .arg("--out")
        .arg(s.path(out))
        .arg("--history")
        .arg(history)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    c
}

#[test]
fn a_report_waits_for_a_history_in_use_and_then_records() {
    use std::io::BufRead;
    let s = Sandbox::new();
    let history = s.path("history.duckdb");
    // This process holds the history (and DuckDB's lock on it) while the report runs.
    let held = cohort::history::History::open(&history).unwrap();
    let mut child = report_command(&s, "out", &history).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("waiting for the run history") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // It says it is waiting (after its work), and goes on once the history is free.
    let said = rx.recv_timeout(Duration::from_secs(240)).is_ok();
    drop(held);
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert!(said, "{stderr}");
    assert!(status.success(), "{stderr}");
    assert_eq!(runs_in(&history), 1);
    assert!(s.path("out/termly-impact.html").exists());
}

#[test]
fn a_report_that_cannot_get_the_history_in_time_publishes_nothing() {
    let s = Sandbox::new();
    let history = s.path("history.duckdb");
    let held = cohort::history::History::open(&history).unwrap();
    let start = Instant::now();
    let output = report_command(&s, "out", &history)
        .env(cohort::history::WAIT_SECONDS, "1")
        .output()
        .unwrap();
    drop(held);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("waiting for the run history"), "{stderr}");
    assert!(stderr.contains("waited 1 s"), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(120));
    assert!(
        files_under(&s.path("out")).is_empty(),
        "{:?}",
        files_under(&s.path("out"))
    );
    assert_eq!(runs_in(&history), 0);
}

#[test]
fn two_reports_at_once_both_succeed_and_both_are_recorded() {
    let s = Sandbox::new();
    let history = s.path("history.duckdb");
    let a = report_command(&s, "out-a", &history).spawn().unwrap();
    let b = report_command(&s, "out-b", &history).spawn().unwrap();
    for (name, child) in [("a", a), ("b", b)] {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(runs_in(&history), 2);
    assert!(s.path("out-a/termly-impact.html").exists());
    assert!(s.path("out-b/termly-impact.html").exists());
}

/// Runs cohort with its stdout a pipe whose reader has already gone, as `| head` leaves it.
fn with_closed_pipe(args: &[&str], s: &Sandbox) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cohort"))
        .current_dir(root())
        .env("COHORT_NO_HISTORY", "1")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before cohort writes anything.
    drop(child.stdout.take());
    let _ = s;
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_query_and_history_list_quietly() {
    let s = Sandbox::new();
    let data = s.data().display().to_string();
    let history = s.path("history.duckdb").display().to_string();
    for args in [
        vec!["query", "SELECT * FROM attendance", "--data", data.as_str()],
        vec!["history", "list", "--history", history.as_str()],
    ] {
        let output = with_closed_pipe(&args, &s);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{stderr}"
        );
    }
}
