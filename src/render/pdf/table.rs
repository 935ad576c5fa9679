//! Tables in the PDF: a layout that fits the page (text size, column widths, landscape when
//! nothing else fits), and the Typst markup of a table that breaks across pages.

use super::{string_literal, text};
use crate::render::document::{CellKind, Table};
use std::fmt::Write as _;

/// The usable width of an A4 page with the report's margins (1.8 cm each side), in points:
/// 595.3 - 2 × 51.0.
pub(super) const PORTRAIT_WIDTH: f64 = 493.0;
/// The same for a landscape page: 841.9 - 2 × 51.0.
const LANDSCAPE_WIDTH: f64 = 739.0;
/// Cell padding on each side, in points.
const INSET: f64 = 3.0;

/// How a table is laid out on the page: its text size, column widths (points; `None`
/// lets Typst size them to their content) and whether it needs a landscape page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TableLayout {
    pub(super) size: f64,
    pub(super) widths: Option<Vec<f64>>,
    pub(super) landscape: bool,
}

/// What a column needs, in characters (monospace counts wider).
#[derive(Debug, Clone, Copy)]
struct Needs {
    /// The widest its content may need: its longest cell or header, up to 45 characters.
    natural: f64,
    /// The narrowest it can go: its longest word.
    word: f64,
    /// The width that keeps every cell on one line (up to 45 characters), the header
    /// wrapping at its words.
    rows: f64,
}

fn column_needs(t: &Table) -> Vec<Needs> {
    (0..t.column_count())
        .map(|i| {
            let header = t.header.get(i).map(String::as_str).unwrap_or("");
            // Bold header letters are about a tenth wider than body text.
            let mut word = longest_word(header) as f64 * 1.1;
            let mut natural = (header.chars().count() as f64 * 1.1).min(18.0);
            let mut rows = word;
            for row in &t.rows {
                if let Some(c) = row.get(i) {
                    let scale = if c.kind == CellKind::Code { 1.2 } else { 1.0 };
                    let whole = (c.text.chars().count() as f64).min(45.0) * scale;
                    word = word.max(longest_word(&c.text) as f64 * scale);
                    natural = natural.max(whole);
                    rows = rows.max(whole);
                }
            }
            Needs {
                natural: natural.max(word),
                word: word.max(1.0),
                rows: rows.max(word).max(1.0),
            }
        })
        .collect()
}

/// Widths from each column's `least` up, sharing what is left of `width` by how much more
/// each column's natural width would take.
fn share(needs: &[Needs], least: impl Fn(&Needs) -> f64, em: f64, width: f64) -> Vec<f64> {
    let floor: f64 = needs.iter().map(|n| least(n) * em + 2.0 * INSET).sum();
    let spare = width - floor;
    let wants: f64 = needs
        .iter()
        .map(|n| (n.natural - least(n)).max(0.0) * em)
        .sum();
    let count = needs.len().max(1) as f64;
    needs
        .iter()
        .map(|n| {
            let extra = if wants > 0.0 {
                spare * (n.natural - least(n)).max(0.0) * em / wants
            } else {
                spare / count
            };
            least(n) * em + 2.0 * INSET + extra
        })
        .collect()
}

fn longest_word(s: &str) -> usize {
    s.split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

/// Fits a table to the page: the largest text size (from one that suits its column count
/// down to 6.5 pt) at which every column's longest word fits; content-sized columns when
/// everything fits on one line, else widths from the longest word up, sharing what is left
/// by how much more each column would take. A table no size fits goes on a landscape page.
pub(super) fn table_layout(t: &Table, base: f64) -> TableLayout {
    let needs = column_needs(t);
    let n = needs.len().max(1) as f64;
    let start = match needs.len() {
        0..=5 => base,
        6..=7 => base.min(8.5),
        8..=9 => base.min(8.0),
        _ => base.min(7.5),
    };
    for (width, landscape) in [(PORTRAIT_WIDTH, false), (LANDSCAPE_WIDTH, true)] {
        let mut size = start;
        while size >= 6.5 {
            // An average letter of the serif face is about half an em wide.
            let em = 0.52 * size;
            let sum = |f: &dyn Fn(&Needs) -> f64| -> f64 {
                needs.iter().map(|n| f(n) * em + 2.0 * INSET).sum()
            };
            if sum(&|n| n.natural) <= width {
                return TableLayout {
                    size,
                    widths: None,
                    landscape,
                };
            }
            // Every cell on one line and the headers wrapping: a row is read once per row,
            // a header once.
            let (least, fits): (&dyn Fn(&Needs) -> f64, bool) = if sum(&|n| n.rows) <= width {
                (&|n| n.rows, true)
            } else {
                (&|n| n.word, sum(&|n| n.word) <= width)
            };
            if fits {
                return TableLayout {
                    size,
                    widths: Some(share(&needs, least, em, width)),
                    landscape,
                };
            }
            size -= 0.5;
        }
    }
    // Nothing fits: equal shares of a landscape page, words wrapping where they must.
    TableLayout {
        size: 6.5,
        widths: Some(vec![LANDSCAPE_WIDTH / n; needs.len()]),
        landscape: true,
    }
}

/// A table: its caption kept with its first rows, the header row repeated on every page,
/// figures right-aligned, in a layout that fits the page.
pub(super) fn table(t: &Table, base: f64, out: &mut String) {
    let layout = table_layout(t, base);
    let columns = t.column_count().max(1);
    if layout.landscape {
        out.push_str("\n#page(flipped: true)[\n");
    }
    if let Some(c) = &t.caption {
        let _ = write!(
            out,
            "\n#block(sticky: true, above: 1.1em, below: 0.5em, text(weight: \"bold\", size: {:.1}pt)[{}])\n",
            (layout.size + 1.0).min(10.0),
            text(c)
        );
    }
    let widths = match &layout.widths {
        None => vec!["auto".to_string(); columns],
        Some(w) => w.iter().map(|w| format!("{w:.1}pt")).collect(),
    };
    let numeric = t.numeric_columns();
    let align: Vec<&str> = (0..columns)
        .map(|i| {
            if numeric.get(i).copied().unwrap_or(false) {
                "right"
            } else {
                "left"
            }
        })
        .collect();
    let _ = write!(
        out,
        "#[\n#set text(size: {:.1}pt)\n#set par(justify: false)\n#table(columns: ({},), align: ({},), stroke: (x: none, y: 0.4pt + luma(170)), inset: {INSET}pt,\n  table.header(repeat: true, {}),\n",
        layout.size,
        widths.join(", "),
        align.join(", "),
        (0..columns)
            .map(|i| format!(
                "[#strong[{}];]",
                text(t.header.get(i).map(String::as_str).unwrap_or(""))
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if t.rows.is_empty() {
        let _ = writeln!(out, "  table.cell(colspan: {columns})[No rows.],");
    }
    for row in &t.rows {
        out.push_str("  ");
        for i in 0..columns {
            match row.get(i) {
                Some(c) if c.kind == CellKind::Code => {
                    let _ = write!(out, "[#raw({});], ", string_literal(&c.text));
                }
                Some(c) => {
                    let _ = write!(out, "[{}], ", text(&c.text));
                }
                None => out.push_str("[], "),
            }
        }
        out.push('\n');
    }
    out.push_str(")\n]\n");
    for note in &t.notes {
        let _ = writeln!(out, "#text(size: 8pt)[{}]\n", text(note));
    }
    if layout.landscape {
        out.push_str("]\n");
    }
}
