//! Reports never fail on ordinary data: an early term whose later tables are empty, and a
//! small authority. Only a broken template or analysis is an error.

use assert_cmd::Command;
use std::path::Path;

fn cohort() -> Command {
    let mut c = Command::cargo_bin("cohort").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COHORT_NO_HISTORY", "1");
    c
}

fn report(template: &str, data: &Path, term: Option<&str>, out: &Path) -> (bool, String) {
    let mut c = cohort();
    c.args(["report", template, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out);
    if let Some(t) = term {
        c.args(["--term", t]);
    }
    let o = c.output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_termly_report_renders_for_every_term_of_the_bundled_data() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let out = tempfile::tempdir().unwrap();
    // sample-data covers 2022-23 to 2024-25: nine terms. The first ones have no SDQ, no
    // termly progress and no care leavers' activity yet.
    for year in ["2022-23", "2023-24", "2024-25"] {
        for season in ["autumn", "spring", "summer"] {
            let term = format!("{year}-{season}");
            let (ok, err) = report("termly-impact", &data, Some(&term), out.path());
            assert!(ok, "termly-impact for {term} failed:\n{err}");
        }
    }
}

#[test]
fn a_small_authority_gets_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cohort()
        .args(["sample", "--children", "50", "--years", "1", "--out"])
        .arg(&data)
        .assert()
        .success();
    for template in ["termly-impact", "board-annual"] {
        let (ok, err) = report(template, &data, None, &dir.path().join("out"));
        assert!(ok, "{template} on 50 children over one year failed:\n{err}");
    }
}
