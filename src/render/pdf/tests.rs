//! The PDF writer's tests: page fit, table layout and typesetting.

use super::table::{PORTRAIT_WIDTH, TableLayout, table_layout};
use super::*;
use crate::render::document::{Cell, Table};

#[test]
fn a_drawing_taller_than_a_page_allows_is_narrowed_to_fit() {
    // 720 x 360: half as tall as wide, printed at the full chart width.
    assert_eq!(page_fit("<svg viewBox=\"0 0 720 360\">"), "1");
    // 720 x 1440: twice as tall as wide; 1.3 x 720 / 1440 = 0.65 of the width keeps it
    // 1.3 chart widths tall.
    assert_eq!(page_fit("<svg viewBox=\"0 0 720 1440\">"), "0.650");
    // No viewBox: as it is.
    assert_eq!(page_fit("<svg width=\"10\">"), "1");
}

#[test]
fn markup_characters_are_escaped() {
    assert_eq!(
        escape_markup("9.7% (a*b) #1 <x>"),
        "9.7% (a\\*b) \\#1 \\<x\\>"
    );
}

fn wide_table() -> Table {
    Table {
        caption: Some("Change after PP+ funding".into()),
        header: [
            "Measure",
            "Breakdown",
            "Group",
            "Funded",
            "Comparison",
            "Difference",
            "Difference lower",
            "Difference upper",
            "Cost per child",
            "Finding",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            Cell::text("On-track rate"),
            Cell::text("EEF tier"),
            Cell::text("Targeted academic support"),
            Cell::number("12.5%"),
            Cell::number("8.0%"),
            Cell::number("4.5"),
            Cell::number("-1.2"),
            Cell::number("10.2"),
            Cell::number("£1,250"),
            Cell::text("No clear difference: the interval includes zero"),
        ]],
        ..Table::default()
    }
}

#[test]
fn a_wide_table_gets_widths_that_fit_a_portrait_page() {
    let layout = table_layout(&wide_table(), 9.0);
    // Ten columns start at 7.5 pt; their longest words ("Comparison" and "Difference",
    // 10 letters × 1.1 for bold = 11 characters) fit, so the page stays portrait.
    assert!(!layout.landscape, "{layout:?}");
    let widths = layout.widths.expect("explicit widths");
    let total: f64 = widths.iter().sum();
    // Shares of what is left fill the width exactly: 493 pt.
    assert!((total - PORTRAIT_WIDTH).abs() < 0.5, "{total}");
    // Every column is at least its longest word wide: "Comparison" at 7.5 pt is
    // 11 × 0.52 × 7.5 = 42.9 pt plus 2 × 3 pt of padding = 48.9 pt.
    assert!(widths[4] >= 48.8, "{widths:?}");
}

#[test]
fn a_narrow_table_is_sized_by_its_content() {
    let t = Table {
        header: vec!["Year".into(), "Children".into()],
        rows: vec![vec![Cell::text("2024-25"), Cell::number("311")]],
        ..Table::default()
    };
    assert_eq!(
        table_layout(&t, 9.0),
        TableLayout {
            size: 9.0,
            widths: None,
            landscape: false
        }
    );
}

#[test]
fn a_small_report_typesets_to_a_tagged_pdf() {
    let body = crate::render::document::parse_markdown(
        "## The roll\n\nThere were **311** children. 2024. (a)\n\n### Detail\n\n#### Deeper\n\n- one\n- two\n",
        None,
    );
    let mut body = body;
    body.push(Block::Table(Box::new(wide_table())));
    body.push(Block::Figure(Box::new(Figure {
        id: "chart-x".into(),
        title: "Children by year".into(),
        summary: "311 children in 2024-25.".into(),
        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\"><rect width=\"50\" height=\"20\" fill=\"#0b5394\"/></svg>".into(),
        data: Some(Table {
            header: vec!["Year".into(), "Children".into()],
            rows: vec![vec![Cell::text("2024-25"), Cell::number("311")]],
            ..Table::default()
        }),
    })));
    let report = Report {
        title: "Report".into(),
        subtitle: "Term".into(),
        audience_label: "leadership".into(),
        body,
        provenance: crate::render::document::parse_markdown("## Provenance\n\nx", None),
        contents: true,
        compact: false,
        ..Report::default()
    };
    let typ = document(&report);
    let pdf = typeset(&typ).unwrap_or_else(|e| panic!("{e}\n{typ}"));
    assert!(pdf.starts_with(b"%PDF"));
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/StructTreeRoot") && raw.contains("/MarkInfo"));
}
