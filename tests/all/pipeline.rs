//! Drives the `cohort` binary on the hand-made fixture in `tests/fixtures/small`,
//! whose every figure was worked out by hand (see the comments beside each assertion).
//! The analyses' hand-worked figures are checked in queries/**/*.test.toml, run by `cohort test`
//! (tests/all/analysis_tests.rs::every_plain_file_test_passes runs them in `cargo test`).

use super::common::cohort;
use predicates::prelude::*;
use std::path::Path;

#[test]
fn report_is_self_contained_and_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        cohort()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "report",
                "termly-impact",
                "--data",
                "tests/fixtures/small",
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    let html = std::fs::read_to_string(a.path().join("termly-impact.html")).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(b.path().join("termly-impact.html")).unwrap()
    );
    for section in [
        "The roll",
        "Attendance",
        "Suspensions and exclusions",
        "Attainment",
        "Personal Education Plans",
        "Pupil Premium Plus",
        "Provenance",
    ] {
        assert!(html.contains(section), "missing section {section}");
    }
    assert!(html.matches("<svg").count() >= 8);
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
}

fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// Replaces `from` by `to` in one fixture file, runs, and checks the error and that nothing was written.
fn bad_input(file: &str, from: &str, to: &str, expected: &[&str]) {
    let data = copy_fixture();
    let path = data.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let out = data.path().join("out");
    let assert = cohort()
        .args(["run", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for e in expected {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn unparsable_date_names_file_line_column_and_value() {
    bad_input(
        "episodes.csv",
        "01/01/2023",
        "2023-01-01",
        &["episodes.csv:2", "`DECOM`", "`2023-01-01`", "dd/mm/YYYY"],
    );
}

#[test]
fn wrong_type_is_reported() {
    bad_input(
        "suspensions.csv",
        "suspension,4,",
        "suspension,four,",
        &["suspensions.csv:2", "`sessions`", "`four`", "whole number"],
    );
}

#[test]
fn code_not_valid_on_its_date_is_reported() {
    // H (holiday) was retired on 19 August 2024.
    bad_input(
        "attendance.csv",
        "2024-09-02,AM,/",
        "2024-09-02,AM,H",
        &["attendance.csv:2", "`mark`", "`H`", "valid on 2024-09-02"],
    );
}

#[test]
fn duplicate_key_is_reported() {
    bad_input(
        "schools.csv",
        "S2,",
        "S1,",
        &["schools.csv:3", "unique key", "line 2"],
    );
}

#[test]
fn orphan_reference_is_reported() {
    bad_input(
        "enrolments.csv",
        "C1,S1",
        "C1,S9",
        &["enrolments.csv:2", "`urn`", "`S9`", "schools.urn"],
    );
}

#[test]
fn missing_column_is_reported() {
    bad_input(
        "schools.csv",
        "urn,name,phase,type,trust,in_authority",
        "urn,name,phase,type,trust",
        &["schools.csv:1", "`in_authority`"],
    );
}

#[test]
fn missing_table_is_reported() {
    let data = copy_fixture();
    std::fs::remove_file(data.path().join("peps.csv")).unwrap();
    let assert = cohort()
        .args(["check", "--data"])
        .arg(data.path())
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("required table `peps`"));
}

#[test]
fn changed_sql_without_a_new_version_fails_check() {
    let q = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    std::fs::create_dir_all(q.path().join("reference")).unwrap();
    std::fs::copy(
        root.join("reference/national_benchmarks.sql"),
        q.path().join("reference/national_benchmarks.sql"),
    )
    .unwrap();
    let lock = std::fs::read_to_string(root.join("versions.lock")).unwrap();
    let line = lock
        .lines()
        .find(|l| l.starts_with("reference/national_benchmarks "))
        .unwrap();
    std::fs::write(q.path().join("versions.lock"), format!("{line}\n")).unwrap();
    // No templates: `check` also checks every template's analyses, and this folder holds one.
    let templates = tempfile::tempdir().unwrap();
    let check = || {
        let mut c = cohort();
        c.args(["check", "--data", "tests/fixtures/small", "--templates"])
            .arg(templates.path())
            .arg("--queries")
            .arg(q.path());
        c
    };
    check().assert().success();
    let f = q.path().join("reference/national_benchmarks.sql");
    let sql = std::fs::read_to_string(&f)
        .unwrap()
        .replace("ORDER BY measure", "ORDER BY cohort");
    std::fs::write(&f, sql).unwrap();
    let assert = check().assert().code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("Raise `version` to 2"));
}

#[test]
fn attendance_code_j_is_refused_after_the_august_2024_change() {
    // J (at an interview, an approved educational activity) left the code list in the
    // August 2024 change and J1 (leave of absence for an interview) took its place: the
    // catalog refuses J on 4 September 2024, naming the date and the code. (How J and J1
    // are counted is checked in queries/attendance/sessions_by_term.test.toml.)
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("tests/fixtures/small").unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let marks = dir.path().join("attendance.csv");
    let text = std::fs::read_to_string(&marks)
        .unwrap()
        .replace("C1,S1,2024-09-04,AM,J1", "C1,S1,2024-09-04,AM,J");
    std::fs::write(&marks, text).unwrap();
    cohort()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("2024-09-04").and(predicates::str::contains("`J`")));
}

#[test]
fn headline_table_compares_with_the_term_before_and_national() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "report",
            "termly-impact",
            "--data",
            "tests/fixtures/small",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("termly-impact.html")).unwrap();
    let start = html.find("class=\"headlines\"").expect("a headline table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let row = |label: &str| -> Vec<String> {
        let i = table
            .find(&format!("<td>{label}</td>"))
            .unwrap_or_else(|| panic!("{label}"));
        let r = &table[i..i + table[i..].find("</tr>").unwrap()];
        r.split("</td>")
            .filter_map(|c| c.rsplit('>').next())
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    // Overall absence 11/60 = 18.3% this term; 0 of 8 sessions missed in summer 2023-24,
    // so up 18.3 points; national CLA 2024-25 9.0% (domain.md section 9), a whole year's
    // figure beside a term's, and said to be.
    assert_eq!(
        row("Overall absence"),
        [
            "Overall absence",
            "Autumn term 2024",
            "18.3%",
            "up 18.3 pts",
            "–",
            "9.0% (whole year 2024/25)"
        ]
    );
    // PEPs on time 2/4 = 50% against 1/1 = 100% in summer 2023-24: down 50 points, on a
    // base of 4 PEPs (fewer than 30, so the change says what it rests on).
    assert_eq!(row("PEPs completed on time")[3], "down 50.0 pts (on 4)");
    // SDQ is yearly: 15.0 in 2024-25 and in 2023-24.
    assert_eq!(
        row("SDQ average total difficulties score")[2..4],
        ["15.0", "no change"]
    );
}

#[test]
fn report_without_a_name_lists_the_templates_with_their_audience_and_title() {
    let assert = cohort().arg("report").assert().success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for (name, audience) in [
        ("termly-impact", "leadership"),
        ("board-annual", "board"),
        ("school-on-a-page", "school"),
        ("attendance-alerts", "officers"),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} not listed: {text}"));
        assert!(line.contains(audience), "{line}");
    }
}

/// `cohort run` on `data` with `args`; the exit status, stderr and the output folder.
fn run_in(data: &Path, args: &[&str]) -> (bool, String, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = cohort()
        .args(["run", "--data"])
        .arg(data)
        .args(args)
        .arg("--out")
        .arg(out.path().join("o"))
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).to_string(),
        out,
    )
}

#[test]
fn run_only_reads_the_tables_its_analyses_need_and_gives_the_same_figures() {
    let data = copy_fixture();
    let d = data.path();
    let term = ["--term", "2024-25-autumn"];
    let only = "peps/timeliness_by_term,ppplus/spend_by_term,attainment/ks2_by_year";
    let (ok, err, full) = run_in(d, &term);
    assert!(ok, "{err}");
    let (ok, err, some) = run_in(d, &[term[0], term[1], "--only", only]);
    assert!(ok, "{err}");
    // The same results, byte for byte, for each analysis run (and roll/care_periods, which
    // the KS2 figures depend on).
    let results = |dir: &Path, id: &str| {
        std::fs::read_to_string(dir.join("o/results").join(format!("{id}.csv"))).unwrap()
    };
    for id in only.split(',').chain(["roll/care_periods"]) {
        assert_eq!(results(full.path(), id), results(some.path(), id), "{id}");
    }
    assert!(
        !some
            .path()
            .join("o/results/attendance/absence_by_term.csv")
            .exists(),
        "only the chosen analyses run"
    );
    // The tables read: those the SQL names and what their references need; not attendance.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(some.path().join("o/run.json")).unwrap())
            .unwrap();
    let mut tables: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["table"].as_str())
        .collect();
    tables.sort();
    tables.dedup();
    assert_eq!(
        tables,
        [
            "episodes",
            "header",
            "ks2_results",
            "peps",
            "pp_plus",
            "schools",
            "wider_cohort"
        ]
    );
    // A broken attendance file stops a full run but not one that does not read it; a broken
    // table that it reads stops it.
    let attendance = std::fs::read_to_string(d.join("attendance.csv")).unwrap();
    std::fs::write(
        d.join("attendance.csv"),
        attendance.replacen("2024-", "2O24-", 1),
    )
    .unwrap();
    assert!(!run_in(d, &term).0);
    let (ok, err, _) = run_in(d, &[term[0], term[1], "--only", only]);
    assert!(ok, "{err}");
    let peps = std::fs::read_to_string(d.join("peps.csv")).unwrap();
    std::fs::write(d.join("peps.csv"), peps.replacen("green", "purple", 1)).unwrap();
    let (ok, err, _) = run_in(d, &[term[0], term[1], "--only", only]);
    assert!(
        !ok && err.contains("peps.csv") && err.contains("purple"),
        "{err}"
    );
    // An id that is no analysis is an error with the nearest names.
    let (ok, err, _) = run_in(d, &["--only", "peps/timeliness_by_trm"]);
    assert!(
        !ok && err.contains("did you mean peps/timeliness_by_term"),
        "{err}"
    );
}
