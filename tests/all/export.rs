//! `cohort export ees`: DfE's tidy format, after disclosure control for the audience.

use super::common::root;
use assert_cmd::Command;
use std::path::Path;

fn export(audience: &str, out: &Path) {
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(root())
        .args([
            "export",
            "ees",
            "--audience",
            audience,
            "--data",
            "tests/fixtures/small",
            "--no-history",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

/// The Total row's value of `column` in an EES file.
fn total(file: &Path, column: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == column)
        .unwrap_or_else(|| panic!("no {column} in {header:?}"));
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[10] == "Total")
        .expect("a Total row");
    row[i].to_string()
}

#[test]
fn leadership_sees_the_figure_and_a_board_sees_c() {
    let dir = tempfile::tempdir().unwrap();
    export("leadership", dir.path());
    export("board", dir.path());
    let file = |a: &str| {
        dir.path()
            .join("ees")
            .join(a)
            .join("attendance_autumn_term.csv")
    };
    // tests/fixtures/small, 2024-25-autumn: C3 alone is persistently absent, 1 of 3 pupils
    // = 33.3% for leadership; a board may not see a rate on 1 child of 3.
    assert_eq!(
        total(&file("leadership"), "persistent_absence_rate_percent"),
        "33.3"
    );
    assert_eq!(
        total(&file("board"), "persistent_absence_rate_percent"),
        "c"
    );
    // The authority from cohort.toml (874) and DfE's codes for it.
    let text = std::fs::read_to_string(file("board")).unwrap();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("E12000006,East of England,874,Peterborough,E06000031"),
        "{text}"
    );
    // Every column after the mandatory ones has a meta row.
    let meta =
        std::fs::read_to_string(dir.path().join("ees/board/attendance_autumn_term.meta.csv"))
            .unwrap();
    assert!(
        meta.contains("persistent_absence_rate_percent,Indicator,"),
        "{meta}"
    );
    // Years and terms are never mixed in one file.
    assert!(
        dir.path()
            .join("ees/board/attendance_academic_year.csv")
            .is_file()
    );
}
