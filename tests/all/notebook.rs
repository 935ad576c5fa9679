//! `cohort notebook`: SQL cells run in order over the data, each followed by its result.

use super::common::cohort;

#[test]
fn the_shipped_notebook_runs_its_cells_in_order() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "notebook",
            "notebooks/absence-by-placement-type.md",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("absence-by-placement-type.html")).unwrap();
    // Two cells; the second reads the first's result (cell_1) and draws a chart.
    assert!(html.contains("id=\"cell-1\"") && html.contains("id=\"cell-2\""));
    assert_eq!(html.matches("<svg").count(), 1);
    assert!(html.contains("Absence this year by placement group"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}

#[test]
fn a_failing_cell_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.md");
    std::fs::write(
        &file,
        "# Broken\n\nFine:\n\n```sql\nSELECT count(*) AS n FROM header\n```\n\nNot fine:\n\n```sql\nSELECT no_such_column\nFROM header\n```\n",
    )
    .unwrap();
    let output = cohort()
        .args(["notebook"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&output);
    // The second cell's SQL starts on line 12.
    assert!(message.contains("broken.md:12"), "{message}");
    assert!(message.contains("no_such_column"), "{message}");
    assert!(!dir.path().join("out/broken.html").exists());
}
