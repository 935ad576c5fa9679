//! Disclosure control as its own stage, end to end: the attacker's test over the board
//! report and the school pages of one term (one publication), on a 30-child sample and on
//! sample-data; charts that agree with the figures beside them; and exports that follow
//! the same rule.

use super::common::{cohort, root};
use cohort::app::Project;
use cohort::disclosure::{Audience, Disclosed, Policy};
use std::path::{Path, PathBuf};

fn project(data: &Path, out: &Path) -> Project {
    Project {
        data: data.to_path_buf(),
        queries: root().join("queries"),
        templates: root().join("report-templates"),
        out: out.to_path_buf(),
        ..Project::default()
    }
}

/// A 30-child, one-year Virtual School: small enough that most figures are small.
fn small_sample(dir: &Path) -> PathBuf {
    sample_of(dir, 30, 5)
}

/// A one-year sample of `children` children from `seed`.
fn sample_of(dir: &Path, children: u32, seed: u32) -> PathBuf {
    let data = dir.join(format!("data-{children}-{seed}"));
    cohort()
        .args(["sample", "--years", "1", "--children"])
        .arg(children.to_string())
        .arg("--seed")
        .arg(seed.to_string())
        .arg("--out")
        .arg(&data)
        .assert()
        .success();
    data
}

/// The attacker's test on the board report and the school pages of `data`'s latest term,
/// and the check that both disclose the shared figures identically (one publication).
fn publication_is_safe(data: &Path) {
    let out = tempfile::tempdir().unwrap();
    let p = project(data, out.path());
    let (raw, analyses, board) =
        cohort::app::disclosed_report(&p, "board-annual", None).expect("the board report");
    assert_eq!(board.policy, Policy::for_audience(Audience::Board));
    let leaks = board.attack(&raw, &analyses);
    assert!(leaks.is_empty(), "board: {leaks:#?}");
    let (raw_s, analyses_s, school) =
        cohort::app::disclosed_report(&p, "school-on-a-page", None).expect("the school pages");
    let leaks = school.attack(&raw_s, &analyses_s);
    assert!(leaks.is_empty(), "school pages: {leaks:#?}");
    // Every table both reports hold is disclosed the same way.
    let mut shared = 0;
    for a in &board.run.analyses {
        if let Some(t) = school.table(&a.id) {
            assert_eq!(&a.result, t, "{} differs between board and school", a.id);
            shared += 1;
        }
    }
    assert!(shared > 10, "{shared} shared tables");
    assert!(
        board.run.analyses.iter().any(|a| a
            .result
            .rows
            .iter()
            .flatten()
            .any(|v| v.is_suppressed())),
        "expected something suppressed"
    );
    // A school page shows the school's own counts: some school has a count from 1 to 4
    // on its page, and no page shows money resting on 1 to 4 children.
    let summary = raw.result("schools/summary").expect("schools/summary");
    let col = |n: &str| summary.result.column_index(n).expect(n);
    let (urn, children, funded, amount) = (
        col("urn"),
        col("children"),
        col("children_funded"),
        col("pp_approved_amount"),
    );
    let mut small_shown = 0;
    let mut money_hidden = 0;
    for (r, row) in summary.result.rows.iter().enumerate() {
        let page: Disclosed = school.for_school(&row[urn].to_string());
        let Some(own) = page.table("schools/summary").and_then(|t| t.rows.get(r)) else {
            continue; // withheld whole
        };
        let n = row[children].as_f64().unwrap_or(0.0);
        if n > 0.0 && n < 5.0 {
            assert_eq!(own[children], row[children]);
            small_shown += 1;
        }
        // Money rests on the children it was approved for (issue 29), not on the roll.
        let f = row[funded].as_f64().unwrap_or(0.0);
        if f > 0.0 && f < 5.0 && !row[amount].is_null() {
            assert!(
                own[amount].is_suppressed(),
                "£ on {f} children funded: {own:?}"
            );
            money_hidden += 1;
        }
    }
    assert!(small_shown > 0);
    assert!(money_hidden > 0, "no school had 1 to 4 children funded");
}

#[test]
fn no_suppressed_figure_can_be_worked_back_on_a_30_child_sample() {
    let dir = tempfile::tempdir().unwrap();
    publication_is_safe(&small_sample(dir.path()));
}

/// Samples the solver was not tuned on: other seeds, and a larger small authority.
#[test]
fn no_suppressed_figure_can_be_worked_back_on_other_small_samples() {
    for (children, seed) in [(30, 11), (30, 23), (60, 7)] {
        let dir = tempfile::tempdir().unwrap();
        publication_is_safe(&sample_of(dir.path(), children, seed));
    }
}

#[test]
fn no_suppressed_figure_can_be_worked_back_on_sample_data() {
    publication_is_safe(&root().join("sample-data"));
}

/// The charts of each board analysis draw what the figures beside them show: a chart
/// is left undrawn (a sentence in its place) only when no figure it plots is shown.
#[test]
fn board_charts_agree_with_the_figures_they_draw() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_sample(dir.path());
    let p = project(&data, dir.path());
    let (_, analyses, board) = cohort::app::disclosed_report(&p, "board-annual", None).unwrap();
    let mut drawn = 0;
    for a in &analyses {
        let Some(table) = board.table(a.id()) else {
            continue;
        };
        for spec in &a.meta.charts {
            let Ok(chart) = cohort::render::chart::render_chart_with_breaks(spec, table, &[])
            else {
                continue;
            };
            let shown = spec
                .y
                .iter()
                .filter_map(|y| table.column_index(y))
                .any(|c| table.rows.iter().any(|r| r[c].as_f64().is_some()));
            assert_eq!(!chart.drawn, !shown, "{}: {}", a.id(), chart.summary);
            drawn += 1;
            // Yearly figures the summary table prints are drawn where the chart has them.
            for m in board.metrics.iter().filter(|m| m.row.analysis == a.id()) {
                let spec_value = a.meta.metrics.iter().find(|s| s.id == m.row.metric);
                if let Some(s) = spec_value
                    && spec.y.contains(&s.value)
                    && !m.value_suppressed
                    && m.row.value.is_some()
                {
                    assert!(
                        shown,
                        "{}: {} is printed but not drawn",
                        a.id(),
                        m.row.metric
                    );
                }
            }
        }
    }
    assert!(drawn > 5, "{drawn} charts");
}

#[test]
fn a_board_report_exports_only_disclosed_figures_and_no_child() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["report", "board-annual", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let metrics = std::fs::read_to_string(out.path().join("board-annual/metrics.csv")).unwrap();
    assert!(
        metrics
            .starts_with("metric,time_period,breakdown,group,numerator,denominator,value,unit\n")
    );
    assert!(metrics.contains(",c,"), "nothing suppressed in metrics.csv");
    // No count column in any exported result holds a number from 1 to 4.
    let results = out.path().join("board-annual/results");
    assert!(!results.join("OFFICIAL-SENSITIVE").exists());
    assert!(!results.join("roll/cla_at_term_end.csv").exists());
    let summary = std::fs::read_to_string(results.join("schools/summary.csv")).unwrap();
    assert!(!summary.contains("VS0"), "a child id in an export");
    let mut reader = csv::Reader::from_path(results.join("roll/by_characteristic.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let children = header.iter().position(|h| h == "children").unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        assert!(!matches!(&r[children], "1" | "2" | "3" | "4"), "{r:?}");
    }
}

#[test]
fn only_an_officers_report_exports_child_level_rows_and_marks_their_folder() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["report", "attendance-alerts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let alerts = out
        .path()
        .join("attendance-alerts/results/OFFICIAL-SENSITIVE/attendance/alerts.csv");
    let text = std::fs::read_to_string(&alerts).unwrap();
    assert!(
        text.contains("VS0"),
        "the officers' export lists children by id"
    );
    assert!(
        !out.path()
            .join("attendance-alerts/results/attendance/alerts.csv")
            .exists()
    );
}
