//! The governing board report: disclosure control end to end on sample-data.

use super::common::cohort;

/// The tables of an HTML body: each a list of rows of cell texts (header row first).
fn tables(html: &str) -> Vec<Vec<Vec<String>>> {
    html.split("<table>")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().unwrap_or_default();
            t.split("<tr>")
                .skip(1)
                .map(|row| {
                    row.split("</t")
                        .filter_map(|cell| cell.rsplit('>').next())
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty() && !s.starts_with("r"))
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn board_report_suppresses_small_numbers_and_shows_no_child() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["report", "board-annual", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("board-annual.html")).unwrap();
    // The body, without the provenance footer (analysis versions and row counts).
    let body = html.split("<footer class=\"provenance\">").next().unwrap();
    // No pseudonymous id and no date of birth.
    assert!(!body.contains("VS0"), "a child id is in the board report");
    let dates = regex_like_dates(body);
    assert!(dates.is_empty(), "dates in the board report: {dates:?}");
    // No count from 1 to 4 anywhere in a table.
    for (t, table) in tables(body).iter().enumerate() {
        for row in table.iter().skip(1) {
            for cell in row {
                assert!(
                    !matches!(cell.as_str(), "1" | "2" | "3" | "4"),
                    "table {t} shows a count of {cell}: {row:?}"
                );
            }
        }
        // No count column holds a single suppressed cell that its total could give back.
        // Rows of different years or terms do not add up, so tables by period are checked
        // within a row only (each year's partner cell), the rest within the whole column
        // and within each group of rows sharing a first cell (a breakdown).
        let header = &table[0];
        let by_period = matches!(
            header.first().map(String::as_str),
            Some("Academic year" | "Term")
        );
        let width = header.len();
        let is_count = |col: usize| {
            table.iter().skip(1).all(|r| {
                r.get(col)
                    .is_none_or(|c| c == "c" || c.parse::<i64>().is_ok())
            })
        };
        for col in (0..width).filter(|&c| is_count(c) && !by_period) {
            let hidden = table
                .iter()
                .skip(1)
                .filter(|r| r.get(col).is_some_and(|c| c == "c"))
                .count();
            assert_ne!(hidden, 1, "table {t} column {col} hides exactly one count");
            let mut firsts: Vec<&String> = table.iter().skip(1).filter_map(|r| r.first()).collect();
            firsts.sort();
            firsts.dedup();
            for first in firsts {
                let group: Vec<&Vec<String>> = table
                    .iter()
                    .skip(1)
                    .filter(|r| r.first() == Some(first))
                    .collect();
                let hidden = group
                    .iter()
                    .filter(|r| r.get(col).is_some_and(|c| c == "c"))
                    .count();
                assert!(
                    group.len() < 2 || hidden != 1,
                    "table {t}, rows starting {first}: column {col} hides exactly one count"
                );
            }
        }
    }
    // Something was suppressed on this data, and the notes say what `c` means.
    assert!(
        body.contains(">c<"),
        "expected suppressed cells on sample-data"
    );
    assert!(body.contains("Notes on the figures"));
    // The figures as `cohort run` records them, to check the summary table against.
    cohort()
        .args(["run", "--out"])
        .arg(out.path().join("run"))
        .assert()
        .success();
    year_on_year_summary_matches_the_figures(&html, &out.path().join("run/metrics.csv"));
}

/// The summary page opens with the year-on-year charts of the OC2 cohort, before the
/// contents; the first year-on-year table shows the OC2 cohort's recorded figure each year
/// (the group DfE's national figure describes, one basis per comparison) and the change on
/// the year before.
fn year_on_year_summary_matches_the_figures(html: &str, metrics: &std::path::Path) {
    let charts = html
        .find("<section class=\"small-charts\">")
        .expect("the year-on-year charts");
    let contents = html.find("aria-label=\"Contents\"").expect("contents");
    assert!(charts < contents, "the charts open the report");
    let summary = html
        .find(
            "<caption>Year on year, children looked after 12 months at 31 March (the OC2 cohort):",
        )
        .expect("a year-on-year table");
    let from = html[..summary].rfind("<table").expect("a table");
    let table = tables(&html[from..].replacen("<table class=\"headlines\">", "<table>", 1))
        .into_iter()
        .next()
        .expect("the table");
    assert_eq!(
        table[0],
        [
            "Measure",
            "2022/23",
            "2023/24",
            "2024/25",
            "On the year before",
            "National CLA",
            "Statistical neighbours"
        ]
    );
    let csv = std::fs::read_to_string(metrics).unwrap();
    let figure = |year: &str| -> f64 {
        csv.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "attendance.overall_absence_rate,{year},cohort,OC2 cohort,"
                ))
            })
            .and_then(|l| l.split(',').nth(6))
            .and_then(|v| v.parse().ok())
            .expect("a recorded figure")
    };
    let row = table
        .iter()
        .find(|r| r[0] == "Overall absence")
        .expect("an overall absence row");
    let (before, now) = (figure("2023-24"), figure("2024-25"));
    assert_eq!(row[2], format!("{before:.1}%"));
    assert_eq!(row[3], format!("{now:.1}%"));
    // The change is the later year less the earlier, in points to one decimal.
    let d = now - before;
    let word = if d > 0.0 { "up" } else { "down" };
    assert_eq!(row[4], format!("{word} {:.1} pts", d.abs()));
    // Statistical neighbours: the mean of Peterborough's ten neighbours' 2024-25 figures for
    // children looked after 12 months in the shipped DfE comparators is 8.83, shown 8.8%.
    assert_eq!(row[6], "8.8% (2024/25)");
    // The overall absence chart's sentence opens with the same recorded figure and compares
    // it with the year before in words (which way is better is the metric's own).
    let chart = &html[html
        .find("id=\"year-chart-attendance-overall-absence-rate\"")
        .expect("the overall absence chart")..];
    let sentence = &chart[chart.find("chart-summary\">").expect("its sentence") + 15..];
    assert!(
        sentence.starts_with(&format!("{now:.1}% in 2024/25: ")),
        "{}",
        &sentence[..200.min(sentence.len())]
    );
    assert!(
        sentence[..sentence.find('<').unwrap_or(0)]
            .contains(&format!("the year before ({before:.1}%)"))
    );
}

/// Dates written as dd/mm/yyyy or yyyy-mm-dd in the text.
fn regex_like_dates(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let shape = |w: &[u8], seps: [usize; 2], sep: u8| {
        w.iter().enumerate().all(|(k, c)| {
            if seps.contains(&k) {
                *c == sep
            } else {
                c.is_ascii_digit()
            }
        })
    };
    b.windows(10)
        .filter(|w| shape(w, [2, 5], b'/') || shape(w, [4, 7], b'-'))
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

#[test]
fn child_level_analyses_are_refused_for_every_audience_but_officers() {
    for audience in ["board", "school", "leadership"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("leak.md"),
            format!(
                "+++\ntitle = \"Leak\"\naudience = \"{audience}\"\n+++\n{{{{ table(\"roll/cla_at_term_end\") }}}}\n"
            ),
        )
        .unwrap();
        let project = cohort::app::Project {
            templates: dir.path().to_path_buf(),
            out: dir.path().join("out"),
            data: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
            queries: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries"),
            ..cohort::app::Project::default()
        };
        let e = cohort::app::report(&project, "leak", None).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("roll/cla_at_term_end")
                && message.contains("individual children")
                && message.contains(audience),
            "{audience}: {message}"
        );
        assert!(!dir.path().join("out/leak.html").exists());
    }
}

#[test]
fn a_page_per_school_without_a_school_says_how_to_run_it_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let assert = cohort()
        .args(["report", "school-on-a-page", "--no-history", "--out"])
        .arg(out.path())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("one report per school") && stderr.contains("--each school"),
        "{stderr}"
    );
    assert!(!stderr.contains("undefined value"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn a_page_per_school_names_only_that_school() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["report", "school-on-a-page", "--each", "school", "--out"])
        .arg(out.path())
        .assert()
        .success();
    cohort()
        .args(["run", "--out"])
        .arg(out.path().join("run"))
        .assert()
        .success();
    let mut reader =
        csv::Reader::from_path(out.path().join("run/results/schools/summary.csv")).unwrap();
    let schools: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[2].to_string())
        })
        .collect();
    assert!(schools.len() > 10, "{schools:?}");
    let dir = out.path().join("school-on-a-page");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for (urn, name) in &schools {
        let page = std::fs::read_to_string(dir.join(format!("{urn}.html")))
            .unwrap_or_else(|_| panic!("no page for {urn}"));
        // Names are whole between tags (`Ashfield Primary School` is not `... School 2`).
        let named = |n: &str| page.contains(&format!(">{n}<"));
        assert!(named(name) && page.contains(urn.as_str()));
        for (other_urn, other) in &schools {
            if other_urn != urn {
                assert!(!named(other), "{urn}'s page names {other}");
                assert!(!page.contains(&format!("URN {other_urn}")));
            }
        }
        assert!(!page.contains("VS0"), "a child id on {urn}'s page");
        assert!(index.contains(&format!("href=\"{urn}.html\"")));
    }
    // One page per school and the index, and the publication's own metrics.csv and
    // results/ beside them; nothing else (no PDFs unless asked for).
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), schools.len() + 3, "{names:?}");
    assert!(names.contains(&"metrics.csv".into()) && names.contains(&"results".into()));
}
