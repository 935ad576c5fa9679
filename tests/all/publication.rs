//! A publication is every file written for its audience (issue 29): the board report's side
//! files, the school pages and the EES export are disclosed together, so sessions, money and
//! restated figures never give back what a page hides; reports for two audiences written to
//! one folder never mix; a board export refuses drafts as the board report does.

use super::common::{cohort, root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A three-year sample of `children` children from `seed`.
fn sample(dir: &Path, children: u32, seed: u32) -> PathBuf {
    let data = dir.join(format!("data-{children}-{seed}"));
    cohort()
        .args(["sample", "--years", "3", "--children"])
        .arg(children.to_string())
        .arg("--seed")
        .arg(seed.to_string())
        .arg("--out")
        .arg(&data)
        .assert()
        .success();
    data
}

/// A result file as rows of column name to text.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn number(v: Option<&String>) -> Option<f64> {
    v.and_then(|s| s.parse::<f64>().ok())
}

/// Every `results/**/*.csv` under `dir`, by analysis id.
fn results(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let base = dir.join("results");
    let mut stack = vec![base.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                let id = p
                    .strip_prefix(&base)
                    .expect("under results")
                    .with_extension("")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(id, p);
            }
        }
    }
    out
}

/// The board report, the school pages and the board's EES export of one sample, with the
/// raw run beside them, checked file by file.
fn whole_publication_is_safe(children: u32, seed: u32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = sample(dir.path(), children, seed);
    let out = dir.path().join("out");
    let raw = dir.path().join("raw");
    for args in [
        vec!["report", "board-annual"],
        vec!["report", "school-on-a-page", "--each", "school"],
        vec!["export", "ees", "--audience", "board"],
    ] {
        cohort()
            .args(&args)
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    }
    cohort()
        .arg("run")
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&raw)
        .assert()
        .success();
    let raw_results = results(&raw);
    let mut checked_sessions = 0;
    let mut checked_money = 0;
    for folder in ["board-annual", "school-on-a-page"] {
        for (id, path) in results(&out.join(folder)) {
            let shown = rows(&path);
            let Some(raw_path) = raw_results.get(&id) else {
                continue;
            };
            let truth = rows(raw_path);
            assert_eq!(
                shown.len(),
                truth.len(),
                "{folder} {id}: rows differ from the run"
            );
            for (r, (s, t)) in shown.iter().zip(&truth).enumerate() {
                // Sessions rest on the row's pupils: never shown when they are hidden or
                // fewer than 10.
                if let Some(pupils) = s.get("pupils") {
                    let few = number(t.get("pupils")).is_some_and(|n| n > 0.0 && n < 10.0);
                    for (c, v) in s {
                        let session = c.contains("session") && !c.contains("per_");
                        if session && !c.contains("rate") && (pupils == "c" || few) {
                            assert!(
                                v == "c" || v.is_empty(),
                                "{folder} {id} row {}: {c} = {v} for pupils {pupils} ({:?})",
                                r + 1,
                                t.get("pupils")
                            );
                            checked_sessions += 1;
                        }
                    }
                }
                // Money is shown only on 5 or more children it was requested or approved for.
                for (amount, on) in [
                    ("requested_amount", "children_requested"),
                    ("approved_amount", "children_funded"),
                    ("pp_approved_amount", "children_funded"),
                    ("declined_amount", "children_declined"),
                ] {
                    let (Some(v), Some(n)) = (s.get(amount), number(t.get(on))) else {
                        continue;
                    };
                    if n > 0.0 && n < 5.0 {
                        assert!(
                            v == "c" || v.is_empty(),
                            "{folder} {id} row {}: {amount} = {v} on {n} children",
                            r + 1
                        );
                        checked_money += 1;
                    }
                }
            }
        }
    }
    assert!(
        checked_sessions > 0,
        "no small group's sessions were checked"
    );
    assert!(
        checked_money > 0,
        "no amount on 1 to 4 children was checked"
    );
    // The reconciliation hides our figure wherever the board hides the OC2 figure it repeats.
    let board = results(&out.join("board-annual"));
    let recon = rows(&board["reference/reconciliation"]);
    let years = rows(&board["attendance/absence_by_year"]);
    let mut compared = 0;
    for r in &recon {
        let Some(column) = r["measure"].strip_prefix("attendance.") else {
            continue;
        };
        let Some(oc2) = years
            .iter()
            .find(|y| y["breakdown"] == "cohort" && y["academic_year"] == r["academic_year"])
        else {
            continue;
        };
        if oc2[column] == "c" {
            assert_eq!(r["cohort_value"], "c", "{r:?} beside {oc2:?}");
            assert_eq!(r["difference"], "c", "{r:?}");
        }
        compared += 1;
    }
    assert!(
        compared > 0 || recon.is_empty(),
        "no reconciliation row compared"
    );
    // No raw code in the export, and every PP+ amount on 1 to 4 children is `c` there too.
    let ees = out.join("ees/board");
    let raw_spend = rows(&raw_results["ppplus/spend_by_term"]);
    for e in std::fs::read_dir(&ees).expect("the EES folder").flatten() {
        let text = std::fs::read_to_string(e.path()).expect("an EES file");
        assert!(!text.contains("foster_kin"), "{:?}", e.path());
        if !e.file_name().to_string_lossy().starts_with("ppplus_") {
            continue;
        }
        if e.file_name().to_string_lossy().ends_with(".meta.csv") {
            continue;
        }
        for row in rows(&e.path()) {
            if row["breakdown"] != "Total" {
                continue;
            }
            let Some(season) = row["time_identifier"].strip_suffix(" term") else {
                continue;
            };
            let tp = &row["time_period"];
            let term = format!("{}-{}-{}", &tp[..4], &tp[4..], season.to_ascii_lowercase());
            let Some(t) = raw_spend
                .iter()
                .find(|x| x["term"] == term && x["breakdown"] == "all")
            else {
                continue;
            };
            let few = number(t.get("children_requested")).is_some_and(|n| n > 0.0 && n < 5.0);
            if let (true, Some(v)) = (few, row.get("requested_amount_gbp")) {
                assert_eq!(
                    v, "c",
                    "{term}: £{v} requested for {:?} children",
                    t["children_requested"]
                );
            }
        }
    }
}

#[test]
fn every_file_of_a_publication_is_disclosed_on_a_30_child_sample() {
    whole_publication_is_safe(30, 5);
}

#[test]
fn every_file_of_a_publication_is_disclosed_on_a_60_child_sample() {
    whole_publication_is_safe(60, 7);
}

#[test]
fn every_file_of_a_publication_is_disclosed_on_a_400_child_sample() {
    whole_publication_is_safe(400, 11);
}

/// The board's metrics.csv and results are its own: a leadership report written to the same
/// folder afterwards puts its unsuppressed files under its own name.
#[test]
fn reports_for_two_audiences_in_one_folder_never_mix() {
    let out = tempfile::tempdir().expect("temp dir");
    let write = |template: &str| {
        cohort()
            .args(["report", template, "--out"])
            .arg(out.path())
            .assert()
            .success();
    };
    write("board-annual");
    let board = std::fs::read(out.path().join("board-annual/metrics.csv")).expect("board metrics");
    write("termly-impact");
    assert_eq!(
        std::fs::read(out.path().join("board-annual/metrics.csv")).expect("board metrics"),
        board,
        "the leadership report replaced the board's metrics.csv"
    );
    assert!(out.path().join("termly-impact/metrics.csv").exists());
    assert!(!out.path().join("metrics.csv").exists());
    assert!(!out.path().join("results").exists());
}

/// A new analysis not yet in versions.lock is a draft: the board report refuses it, and so
/// does a board export; leadership may export it.
#[test]
fn a_board_export_refuses_drafts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let queries = dir.path().join("queries");
    copy(&root().join("queries"), &queries);
    std::fs::write(
        queries.join("roll/draft_count.sql"),
        "-- ---\n-- id = \"roll/draft_count\"\n-- version = 1\n-- title = \"Draft\"\n-- description = \"A draft.\"\n-- suppress = [\"children\"]\n-- ---\nSELECT count(*) AS children FROM header\n",
    )
    .expect("a draft");
    let out = dir.path().join("out");
    let run = |audience: &str| {
        cohort()
            .args(["export", "ees", "--audience", audience, "--queries"])
            .arg(&queries)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("ran")
    };
    let board = run("board");
    let e = String::from_utf8_lossy(&board.stderr);
    assert!(!board.status.success());
    assert!(e.contains("draft") && e.contains("roll/draft_count"), "{e}");
    assert!(
        !out.join("ees/board").exists(),
        "a refused export wrote files"
    );
    assert!(run("leadership").status.success());
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}
