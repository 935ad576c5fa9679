//! `cohort check` on an analyst's mistakes: one error per broken file.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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
        .arg(&queries)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("analyses (1 problem):"), "{e}");
    assert!(e.contains("sessions_by_term.sql"), "{e}");
    assert!(!e.contains("locked but has no file"), "{e}");
}
