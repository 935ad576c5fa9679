//! `cargo test` runs `cohort test`: every analysis's plain-file tests
//! (`queries/<area>/<name>.test.toml`), each case reported on its own line; and `cohort check`
//! on an analyst's mistakes (one error per broken file).

use super::common::root;
use assert_cmd::Command;
use std::path::Path;

#[test]
fn every_plain_file_test_passes() {
    let out = Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COHORT_NO_HISTORY", "1")
        .arg("test")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

#[test]
fn a_wrong_expectation_fails_and_says_what_it_got() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A copy of the queries folder whose test expects the wrong figure.
    let queries = dir.path().join("queries");
    copy(&root.join("queries"), &queries);
    std::fs::write(
        queries.join("ppplus/spend_by_term.test.toml"),
        "[[case]]\nname = \"wrong on purpose\"\ndata = \"tests/fixtures/small\"\nterm = \"2024-25-autumn\"\n\
         [[case.metric]]\nid = \"ppplus.requested_amount\"\nperiod = \"2024-25-autumn\"\nvalue = 1499.0\n",
    )
    .unwrap();
    let out = Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(root)
        .args(["test", "ppplus/", "--queries"])
        .arg(&queries)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        e.contains("FAIL ppplus/spend_by_term: wrong on purpose"),
        "{e}"
    );
    assert!(e.contains("expected 1499, got 1500"), "{e}");
    // The other ppplus/ files still pass: one wrong figure hides nothing else.
    assert!(e.contains("ok   ppplus/impact"), "{e}");
    assert!(e.contains(" passed, 1 failed"), "{e}");
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// `cohort check` on the small fixture with `queries`, expecting failure: its stderr.
fn check_fails(queries: &Path) -> String {
    let out = Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "--data",
            "tests/fixtures/small",
            "--no-history",
            "--queries",
        ])
        .arg(queries)
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn a_typo_in_one_front_matter_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries");
    copy(&root().join("queries"), &queries);
    // `version = 1` loses its `=`: a TOML error in attendance/sessions_by_term, on which the
    // other attendance analyses depend.
    let file = queries.join("attendance/sessions_by_term.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replacen("-- version = ", "-- version ", 1);
    assert_ne!(text, broken);
    std::fs::write(&file, broken).unwrap();
    let e = check_fails(&queries);
    assert!(e.contains("analyses (1 problem):"), "{e}");
    assert!(e.contains("sessions_by_term.sql"), "{e}");
    assert!(!e.contains("locked but has no file"), "{e}");
    // The line itself is shown, with the caret under its text, as in a release build.
    let line = text
        .lines()
        .find(|l| l.starts_with("-- version = "))
        .unwrap()
        .replacen("-- version = ", "-- version ", 1);
    assert!(e.contains(&format!(" | {line}\n")), "{e}");
    assert!(e.contains("^^^^^^^^^^^^"), "{e}");
}

#[test]
fn a_sql_error_shows_the_line_with_a_caret_under_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries");
    copy(&root().join("queries"), &queries);
    // A misspelt column in attendance/absence_by_term: the error names the file's line and underlines it.
    let file = queries.join("attendance/absence_by_term.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    // Line 89, `sum(possible_sessions) AS possible,` in the SQL after the front matter.
    let broken = text.replacen(
        "sum(possible_sessions) AS possible,",
        "sum(posible_sessions) AS possible,",
        1,
    );
    assert_ne!(text, broken);
    std::fs::write(&file, &broken).unwrap();
    let line = 1 + broken
        .lines()
        .position(|l| l.contains("posible_sessions"))
        .unwrap();
    let e = check_fails(&queries);
    assert!(e.contains(&format!("absence_by_term.sql:{line}:")), "{e}");
    let shown = broken.lines().nth(line - 1).unwrap().trim_end();
    assert!(e.contains(&format!(" {line} | {shown}")), "{e}");
    let column = shown.find("posible_sessions").unwrap();
    let pad = " ".repeat(line.to_string().len());
    assert!(
        e.contains(&format!(
            " {pad} | {}{}",
            " ".repeat(column),
            "^".repeat(16)
        )),
        "{e}"
    );
}
