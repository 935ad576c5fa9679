//! The document model both writers read, as snapshots (`insta`): each shipped report on the
//! small fixture, and two canonical charts' SVG. A layout or wording change shows as a diff
//! to review (`cargo insta review`, or `INSTA_UPDATE=always` to accept). Every shipped report
//! also typesets as PDF/UA-1, tagged.

use chrono::TimeZone;
use cohort::analysis::spec::{ChartKind, ChartSpec};
use cohort::app::{self, Project};
use cohort::render::{self, ReportTemplate, chart, document};
use cohort::run::{ResultTable, Value};
use std::sync::OnceLock;

/// One run of every analysis on the small fixture, shared by the tests here.
fn fixture_run() -> &'static (cohort::run::RunOutput, Vec<cohort::analysis::Analysis>) {
    static RUN: OnceLock<(cohort::run::RunOutput, Vec<cohort::analysis::Analysis>)> =
        OnceLock::new();
    RUN.get_or_init(|| {
        let project = Project {
            data: "tests/fixtures/small".into(),
            ..Project::default()
        };
        app::run(&project, None, None).expect("the small fixture runs")
    })
}

/// The report's document model on the small fixture (school pages for Fixture Primary).
fn model(template: &str) -> document::Report {
    let (run, analyses) = fixture_run();
    let t =
        ReportTemplate::load(std::path::Path::new("report-templates"), template).expect("template");
    let term = run.term;
    let when = chrono::Utc
        .timestamp_opt(1_767_225_600, 0)
        .single()
        .expect("a time");
    let globals = [
        ("school_urn", "S1".to_string()),
        ("school_name", "Fixture Primary".to_string()),
    ];
    let globals: &[(&str, String)] = if template == "school-on-a-page" {
        &globals
    } else {
        &[]
    };
    let disclosed = cohort::disclosure::disclose(
        cohort::disclosure::Policy::for_audience(t.meta.audience),
        run,
        analyses,
    )
    .unwrap_or_else(|e| panic!("{template}: {e}"));
    render::report(&t, &disclosed, analyses, term, when, globals)
        .unwrap_or_else(|e| panic!("{template}: {e}"))
}

const REPORTS: [&str; 4] = [
    "termly-impact",
    "board-annual",
    "school-on-a-page",
    "attendance-alerts",
];

#[test]
fn each_reports_document_model() {
    for name in REPORTS {
        insta::assert_snapshot!(name, document::outline(&model(name)));
    }
}

#[test]
fn every_report_typesets_as_tagged_pdf_ua() {
    for name in REPORTS {
        let report = model(name);
        let pdf = report
            .pdf(std::path::Path::new(name), 1)
            .unwrap_or_else(|e| panic!("{name} does not typeset as PDF/UA-1: {e}"));
        let raw = String::from_utf8_lossy(&pdf);
        // A tagged PDF: a structure tree, marked content, the document language and the
        // PDF/UA identification in its metadata.
        for key in ["/StructTreeRoot", "/MarkInfo", "/Lang", "pdfuaid"] {
            assert!(raw.contains(key), "{name}: no {key} in the PDF");
        }
    }
}

#[test]
fn every_figure_has_a_title_and_a_summary_for_its_alt_text() {
    for name in REPORTS {
        let report = model(name);
        let mut figures = 0;
        let mut stack: Vec<&document::Block> = report.body.iter().collect();
        while let Some(b) = stack.pop() {
            match b {
                document::Block::Figure(f) => {
                    figures += 1;
                    assert!(!f.title.trim().is_empty(), "{name}: a figure without title");
                    assert!(
                        !f.summary.trim().is_empty(),
                        "{name}: {} has no summary",
                        f.id
                    );
                }
                document::Block::Callout(inner)
                | document::Block::Section { blocks: inner, .. } => stack.extend(inner),
                _ => {}
            }
        }
        // The HTML writer draws every figure of the model, and only those.
        let html = report.html();
        assert_eq!(
            html.matches("<figure").count(),
            figures,
            "{name}: the HTML has a different number of figures from the model"
        );
        if name == "termly-impact" {
            assert!(figures >= 15, "{name}: only {figures} figures");
        }
    }
}

/// Every figure of a report, however deeply its sections nest.
fn figures(report: &document::Report) -> Vec<&document::Figure> {
    let mut out = Vec::new();
    let mut stack: Vec<&document::Block> = report.body.iter().rev().collect();
    while let Some(b) = stack.pop() {
        match b {
            document::Block::Figure(f) => out.push(f.as_ref()),
            document::Block::Callout(inner) | document::Block::Section { blocks: inner, .. } => {
                stack.extend(inner.iter().rev())
            }
            document::Block::List { items, .. } => stack.extend(items.iter().flatten().rev()),
            _ => {}
        }
    }
    out
}

#[test]
fn no_suppressed_point_sits_on_a_zero_line() {
    // The small fixture suppresses most of the board's figures, so its charts have gaps.
    let mut gaps_seen = 0;
    for name in REPORTS {
        let report = model(name);
        for f in figures(&report) {
            let lines: Vec<&str> = f.svg.lines().collect();
            // A hollow marker (white-filled circle or polygon, or a white square that is not
            // a panel's background) is how a gap used to be drawn: on the baseline, as a zero.
            let hollow = lines.iter().any(|l| {
                l.contains("fill=\"#FFFFFF\"")
                    && (l.starts_with("<circle")
                        || l.starts_with("<polygon")
                        || (l.starts_with("<rect") && !l.contains("x=\"0\" y=\"0\"")))
            });
            assert!(!hollow, "{name}: {} draws a gap as a marker", f.id);
            // Each gap is labelled in the plot: `c` for a suppressed figure.
            let labels: Vec<&str> = lines
                .windows(2)
                .filter(|w| w[0].starts_with("<text") && w[0].contains("font-style=\"italic\""))
                .map(|w| w[1].trim())
                .collect();
            let Some(table) = &f.data else { continue };
            let numeric = table.numeric_columns();
            let cells: Vec<&str> = table
                .rows
                .iter()
                .flat_map(|r| r.iter().zip(&numeric))
                .filter(|(_, n)| **n)
                .map(|(c, _)| c.text.as_str())
                .collect();
            let suppressed = cells.iter().filter(|c| **c == "c").count();
            gaps_seen += suppressed;
            if suppressed > 0 {
                assert!(
                    labels.contains(&"c"),
                    "{name}: {} has {suppressed} suppressed cells and no `c` in the chart",
                    f.id
                );
            }
            // A chart with no figure at all is a sentence, not an empty frame.
            assert!(
                cells.iter().any(|c| !matches!(*c, "c" | "–" | "")),
                "{name}: {} is drawn with every figure suppressed or missing",
                f.id
            );
        }
    }
    assert!(
        gaps_seen > 0,
        "the fixture's charts suppress nothing: the test tests nothing"
    );
}

fn spec(kind: ChartKind, title: &str, y: &[&str], comparators: &[&str], unit: &str) -> ChartSpec {
    ChartSpec {
        name: None,
        kind,
        title: title.into(),
        x: "term".into(),
        y: y.iter().map(|s| s.to_string()).collect(),
        series: None,
        panels: None,
        comparators: comparators.iter().map(|s| s.to_string()).collect(),
        y_label: "Absence, % of sessions".into(),
        x_label: Some("Term".into()),
        unit: unit.parse().expect("a known unit"),
        forest: None,
    }
}

#[test]
fn canonical_charts_draw_the_same_svg() {
    // A line over three terms against a national comparator.
    let terms = ResultTable {
        columns: vec!["term".into(), "rate".into(), "national".into()],
        rows: vec![
            vec![
                Value::Text("2024-25-autumn".into()),
                Value::Float(8.1),
                Value::Float(7.0),
            ],
            vec![
                Value::Text("2024-25-spring".into()),
                Value::Float(9.4),
                Value::Float(7.0),
            ],
            vec![
                Value::Text("2024-25-summer".into()),
                Value::Float(10.2),
                Value::Float(7.0),
            ],
        ],
    };
    let line = chart::render_chart(
        &spec(
            ChartKind::Line,
            "Absence by term",
            &["rate"],
            &["national"],
            "percent",
        ),
        &terms,
    )
    .expect("a line chart");
    insta::assert_snapshot!("line_chart_summary", line.summary);
    insta::assert_snapshot!("line_chart_svg", line.svg);
    // Horizontal bars, one a suppressed figure (a gap).
    let groups = ResultTable {
        columns: vec!["term".into(), "children".into()],
        rows: vec![
            vec![Value::Text("Autism".into()), Value::Int(41)],
            vec![
                Value::Text("Moderate learning difficulty".into()),
                Value::Int(23),
            ],
            vec![Value::Text("Hearing impairment".into()), Value::Suppressed],
        ],
    };
    let bars = chart::render_chart(
        &spec(
            ChartKind::HBar,
            "Children by primary need",
            &["children"],
            &[],
            "count",
        ),
        &groups,
    )
    .expect("a bar chart");
    insta::assert_snapshot!("hbar_chart_summary", bars.summary);
    insta::assert_snapshot!("hbar_chart_svg", bars.svg);
}
