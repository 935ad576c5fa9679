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

/// The report's document model on the small fixture (school pages for Fixture Primary, a
/// team's page for every team).
pub(crate) fn model(template: &str) -> document::Report {
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
    let every_team = [("team", String::new())];
    let globals: &[(&str, String)] = match template {
        "school-on-a-page" => &globals,
        "team-peps" => &every_team,
        _ => &[],
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
            // A long data table is in the appendix, under the chart's title.
            let Some(table) = f
                .data
                .as_ref()
                .or_else(|| appendix_table(&report, &f.title))
            else {
                continue;
            };
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
                cells
                    .iter()
                    .any(|c| !matches!(*c, "c" | "–" | "" | "not recorded")),
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

#[test]
fn a_governors_chart_with_every_figure_suppressed_is_a_sentence_not_an_empty_frame() {
    // On the small fixture the OC2 cohort is a handful of children each year, so every year
    // of ours in each of the board's five year-on-year charts is suppressed (c) or absent:
    // none is drawn, each is its title and one sentence saying why.
    let report = model("board-annual");
    let charts = report
        .body
        .iter()
        .find_map(|b| match b {
            document::Block::Section { class, blocks, .. } if class == "small-charts" => {
                Some(blocks)
            }
            _ => None,
        })
        .expect("the year-on-year charts");
    let titles = [
        "Overall absence: lower is better",
        "Persistent absence (10% or more, pupil basis): lower is better",
        "KS2 reading, writing and maths at the expected standard: higher is better",
        "KS4 average Attainment 8: higher is better",
        "KS4 grade 4 or above in English and maths: higher is better",
    ];
    assert_eq!(charts.len(), titles.len(), "{charts:?}");
    let mut sentences = Vec::new();
    for (block, title) in charts.iter().zip(titles) {
        let document::Block::Paragraph(runs) = block else {
            panic!("{title}: drawn with no figure of ours: {block:?}");
        };
        let text = document::plain(runs);
        assert!(
            text.starts_with(&format!("{title}. Not drawn: "))
                && text.contains("suppressed")
                && text.ends_with('.'),
            "{text}"
        );
        // One sentence after the title.
        assert_eq!(text.matches(". ").count(), 1, "{text}");
        sentences.push(text);
    }
    // The HTML draws no frame there: the section holds the sentences and no figure.
    let html = report.html();
    let from = html
        .find("<section class=\"small-charts\">")
        .expect("the section");
    let section = &html[from..from + html[from..].find("</section>").expect("its end")];
    assert!(
        !section.contains("<figure") && !section.contains("<svg"),
        "{section}"
    );
    assert_eq!(section.matches("<p>").count(), titles.len(), "{section}");
    // The PDF prints the same sentences where the charts would be.
    let pdf = report
        .pdf(std::path::Path::new("board-annual"), 1)
        .expect("the PDF");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("board.pdf");
    std::fs::write(&path, pdf).expect("written");
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            for s in &sentences {
                let why = s.split_once(". Not drawn: ").map_or(s.as_str(), |(_, w)| w);
                assert!(text.contains(why), "the PDF lacks: {why}");
            }
        }
        _ => {
            eprintln!("SKIPPED: poppler-utils (pdftotext) not installed; the PDF was not read back")
        }
    }
}

/// The appendix table holding the data of the chart titled `title`, if it was moved there.
fn appendix_table<'r>(report: &'r document::Report, title: &str) -> Option<&'r document::Table> {
    let want = format!("Data for the chart: {title}");
    report.body.iter().find_map(|b| match b {
        document::Block::Section { blocks, .. } => match blocks.as_slice() {
            [
                document::Block::Heading { text, .. },
                document::Block::Table(t),
            ] if document::plain(text).ends_with(&want) => Some(t.as_ref()),
            _ => None,
        },
        _ => None,
    })
}

/// Every table of blocks, charts' data included, with whether it sits before the appendix.
fn tables(blocks: &[document::Block]) -> Vec<&document::Table> {
    let mut out = Vec::new();
    for b in blocks {
        match b {
            document::Block::Table(t) => out.push(t.as_ref()),
            document::Block::Figure(f) => out.extend(f.data.as_ref()),
            document::Block::Callout(inner) | document::Block::Section { blocks: inner, .. } => {
                out.extend(tables(inner))
            }
            document::Block::List { items, .. } => out.extend(items.iter().flat_map(|i| tables(i))),
            _ => {}
        }
    }
    out
}

#[test]
fn long_tables_and_grids_with_no_clear_difference_wait_in_the_appendix() {
    // The termly report on the small fixture: the on-track chart's data has 12 rows (stays);
    // each outcome's adjusted odds have 12 rows (stay unless no row finds anything); the
    // analyses list of the provenance (58 rows) is no body table.
    let mut moved = 0;
    for name in REPORTS {
        let report = model(name);
        let at = |id: &str| {
            report.body.iter().position(
                |b| matches!(b, document::Block::Heading { level: 2, id: i, .. } if i == id),
            )
        };
        let annex = at("technical-annex").unwrap_or_else(|| panic!("{name}: no annex"));
        let appendix = at("appendix").unwrap_or(annex);
        assert!(
            appendix <= annex,
            "{name}: the appendix comes before the annex"
        );
        for t in tables(&report.body[..appendix]) {
            assert!(
                t.rows.len() <= 12,
                "{name}: {:?} has {} rows in the body",
                t.caption,
                t.rows.len()
            );
            if let Some(i) = t.header.iter().position(|h| h == "Finding") {
                assert!(
                    t.rows
                        .iter()
                        .any(|r| !r[i].text.starts_with("No clear difference")
                            && !r[i].text.starts_with("Too few")),
                    "{name}: {:?} finds nothing and stays in the body",
                    t.caption
                );
            }
        }
        // Each appendix table has a sentence in the body linking to it.
        let mut html = String::new();
        for b in &report.body[appendix..annex] {
            if let document::Block::Section { blocks, .. } = b
                && let Some(document::Block::Heading { id, .. }) = blocks.first()
            {
                moved += 1;
                let link = format!("href=\"#{id}\"");
                html = if html.is_empty() { report.html() } else { html };
                assert_eq!(
                    html.matches(&link).count(),
                    1,
                    "{name}: no sentence in the body points to {id}"
                );
            }
        }
    }
    assert!(
        moved > 0,
        "nothing went to an appendix: the test tests nothing"
    );
}

/// The text of every paragraph of blocks, however deeply nested.
fn paragraphs(blocks: &[document::Block], out: &mut Vec<String>) {
    for b in blocks {
        match b {
            document::Block::Paragraph(runs) => out.push(document::plain(runs)),
            document::Block::Callout(inner) | document::Block::Section { blocks: inner, .. } => {
                paragraphs(inner, out)
            }
            document::Block::List { items, .. } => items.iter().for_each(|i| paragraphs(i, out)),
            _ => {}
        }
    }
}

#[test]
fn a_rate_on_fewer_than_30_children_shows_its_n_in_sentences_tables_and_chart_data() {
    let report = model("termly-impact");
    let mut text = Vec::new();
    paragraphs(&report.body, &mut text);
    let text = text.join("\n");
    // The fixture's roll: 5 children in care at the end of autumn 2024, one (C1) with an EHC
    // plan in sen.csv: 1/5 = 20.0%.
    assert!(
        text.contains("20.0% (1 of 5) have an education, health and care plan"),
        "{text}"
    );
    // Pupils with marks in autumn 2024: C1, C2, C3. Suspensions: C3 twice (a suspension and
    // a lunchtime one), C1 once; C2's exclusion is permanent. One or more: 2/3 = 66.7%; two
    // or more: 1/3 = 33.3%.
    assert!(
        text.contains("66.7% (2 of 3) of pupils had at least one"),
        "{text}"
    );
    let all = tables(&report.body);
    let cell = |caption_or_header: &str, row: &str| -> Vec<String> {
        all.iter()
            .filter(|t| {
                t.caption.as_deref() == Some(caption_or_header)
                    || t.header.iter().any(|h| h == caption_or_header)
            })
            .flat_map(|t| t.rows.iter())
            .filter(|r| r.first().is_some_and(|c| c.text == row))
            .map(|r| {
                r.iter()
                    .map(|c| c.text.clone())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    };
    // The chart's data table: the term's rate with its n.
    let term = cell("Pupils with one or more suspensions", "Autumn term 2024");
    assert!(
        term.iter().any(|r| r.contains("66.7% (2 of 3)")),
        "{term:?}"
    );
    // The headline table: the figure with its n, the change saying its base.
    let headline = cell("Measure", "Pupils with two or more suspensions");
    assert!(
        headline
            .iter()
            .any(|r| r.contains("33.3% (1 of 3)") && r.contains("(on 3)")),
        "{headline:?}"
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
