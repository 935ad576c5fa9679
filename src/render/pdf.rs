//! PDF output, made in-process with Typst: the Typst writer over the document model
//! ([`super::document`]). Charts are embedded as vector SVG with their alt text and kept
//! whole; their data tables and every other table follow as tables that break across pages
//! with the header row repeated, in column widths that fit A4. Pages carry a running header
//! and "page X of Y"; the PDF conforms to PDF/UA-1 (tagged, titled, in English). Fonts are
//! compiled into the binary (typst-assets).

use super::document::{self, Block, CellKind, Figure, Inline, Report, Table};
use std::fmt::Write as _;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("typesetting the PDF failed: {0}")]
    Typeset(String),
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The fonts the PDFs use, and no others: Libertinus Serif for text (its bold and semibold for
/// headings and emphasis) and DejaVu Sans Mono for SQL. typst-assets' `fonts` feature would
/// also bring New Computer Modern (5.7 MB) into every binary, for no page of ours.
const FONT_FILES: [&[u8]; 10] = [
    include_bytes!("../../assets/fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../../assets/fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../../assets/fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../../assets/fonts/LibertinusSerif-BoldItalic.otf"),
    include_bytes!("../../assets/fonts/LibertinusSerif-Semibold.otf"),
    include_bytes!("../../assets/fonts/LibertinusSerif-SemiboldItalic.otf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono-Oblique.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono-BoldOblique.ttf"),
];

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        Fonts {
            book: LazyHash::new(book),
            fonts,
        }
    })
}

struct ReportWorld {
    library: LazyHash<Library>,
    source: Source,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }
    fn main(&self) -> FileId {
        self.source.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        // Deterministic: the document never asks for today's date.
        None
    }
}

/// Typesets Typst markup into PDF bytes.
pub fn typeset(markup: &str) -> Result<Vec<u8>, PdfError> {
    let world = ReportWorld {
        library: LazyHash::new(Library::default()),
        source: Source::new(
            FileId::new(None, VirtualPath::new("report.typ")),
            markup.into(),
        ),
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| typeset_error(&errors))?;
    let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1])
        .map_err(|e| PdfError::Typeset(e.to_string()))?;
    let options = typst_pdf::PdfOptions {
        standards,
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| typeset_error(&errors))
}

/// Typst's diagnostics (from compiling or from writing the PDF) as one error.
fn typeset_error(errors: &[SourceDiagnostic]) -> PdfError {
    PdfError::Typeset(
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Escapes text for Typst markup: every character with a meaning is backslashed.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\*_`#$<>@[]~/-+=\"'".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Typst string literal.
fn string_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text as Typst markup on one line: control characters become spaces.
fn text(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    escape_markup(&one_line)
}

/// Inline runs as Typst markup. Every function call ends with `;` so that text after it
/// (a full stop, a bracket) is never read as part of the call.
fn inlines(runs: &[Inline], out: &mut String) {
    for r in runs {
        match r {
            Inline::Text(t) => out.push_str(&text(t)),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(x) => {
                out.push_str("#strong[");
                inlines(x, out);
                out.push_str("];");
            }
            Inline::Emph(x) => {
                out.push_str("#emph[");
                inlines(x, out);
                out.push_str("];");
            }
            Inline::Code(c) => {
                let _ = write!(out, "#raw({});", string_literal(c));
            }
            Inline::Link { href, text: x } => {
                let _ = write!(out, "#link({})[", string_literal(href));
                inlines(x, out);
                out.push_str("];");
            }
        }
    }
}

/// The usable width of an A4 page with the report's margins (1.8 cm each side), in points:
/// 595.3 - 2 × 51.0.
const PORTRAIT_WIDTH: f64 = 493.0;
/// The same for a landscape page: 841.9 - 2 × 51.0.
const LANDSCAPE_WIDTH: f64 = 739.0;
/// Cell padding on each side, in points.
const INSET: f64 = 3.0;

/// How a table is laid out on the page: its text size, column widths (points; `None`
/// lets Typst size them to their content) and whether it needs a landscape page.
#[derive(Debug, Clone, PartialEq)]
struct TableLayout {
    size: f64,
    widths: Option<Vec<f64>>,
    landscape: bool,
}

/// The widest a column's content may need (its longest cell, up to 45 characters) and the
/// narrowest it can go (its longest word), in characters; monospace counts wider.
fn column_needs(t: &Table) -> Vec<(f64, f64)> {
    (0..t.column_count())
        .map(|i| {
            let header = t.header.get(i).map(String::as_str).unwrap_or("");
            // Bold header letters are about a tenth wider than body text.
            let mut word = longest_word(header) as f64 * 1.1;
            let mut natural = (header.chars().count() as f64 * 1.1).min(18.0);
            for row in &t.rows {
                if let Some(c) = row.get(i) {
                    let scale = if c.kind == CellKind::Code { 1.2 } else { 1.0 };
                    word = word.max(longest_word(&c.text) as f64 * scale);
                    natural = natural.max((c.text.chars().count() as f64).min(45.0) * scale);
                }
            }
            (natural.max(word), word.max(1.0))
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
fn table_layout(t: &Table, base: f64) -> TableLayout {
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
            let natural: f64 = needs.iter().map(|(nat, _)| nat * em + 2.0 * INSET).sum();
            let least: f64 = needs.iter().map(|(_, w)| w * em + 2.0 * INSET).sum();
            if natural <= width {
                return TableLayout {
                    size,
                    widths: None,
                    landscape,
                };
            }
            if least <= width {
                let spare = width - least;
                let wants: f64 = needs.iter().map(|(nat, w)| (nat - w) * em).sum();
                let widths = needs
                    .iter()
                    .map(|(nat, w)| {
                        let share = if wants > 0.0 {
                            spare * (nat - w) * em / wants
                        } else {
                            spare / n
                        };
                        w * em + 2.0 * INSET + share
                    })
                    .collect();
                return TableLayout {
                    size,
                    widths: Some(widths),
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
fn table(t: &Table, base: f64, out: &mut String) {
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

/// How tall a chart may be for its width and still fit a page whole with its title: a
/// drawing at chart width on A4 has room for about 1.4 times its width in height.
const TALLEST: f64 = 1.3;

/// The share of the chart width a drawing is printed at: all of it, unless it is taller than
/// [`TALLEST`] times its width (a grid of many small panels), when it is narrowed to fit.
fn page_fit(svg: &str) -> String {
    let view_box = svg
        .split_once("viewBox=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v);
    let size: Vec<f64> = view_box
        .map(|v| {
            v.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match size[..] {
        [_, _, w, h] if w > 0.0 && h / w > TALLEST => format!("{:.3}", TALLEST * w / h),
        _ => "1".into(),
    }
}

/// A chart kept whole (title, summary and drawing, with the alt text a screen reader
/// reads), then its data as a table that may break across pages.
fn figure(f: &Figure, out: &mut String) {
    let alt = if f.summary.is_empty() {
        f.title.clone()
    } else {
        format!("{}. {}", f.title.trim_end_matches('.'), f.summary)
    };
    let _ = write!(
        out,
        "\n#block(breakable: false, width: 100%, above: 1.4em, below: 0.8em)[\n#text(weight: \"bold\")[{}] \\\n#text(size: 9pt, fill: luma(70))[{}]\n#align(center, image(bytes({}), format: \"svg\", width: chart-width * {}, alt: {}))\n]\n",
        text(&f.title),
        text(&f.summary),
        string_literal(&f.svg),
        page_fit(&f.svg),
        string_literal(&alt),
    );
    if let Some(t) = &f.data {
        let mut data = t.clone();
        data.caption = Some(format!("Data for this chart ({} rows)", t.rows.len()));
        table(&data, 8.0, out);
    }
}

/// Blocks as Typst markup. Heading levels never skip one (PDF/UA-1): a level deeper than
/// the one before plus one is raised to it.
fn blocks(bs: &[Block], last_level: &mut u8, out: &mut String) {
    for b in bs {
        match b {
            Block::Heading { level, text: t, .. } => {
                let level = (*level).clamp(2, *last_level + 1);
                *last_level = level;
                let _ = write!(out, "\n#heading(level: {level})[");
                inlines(t, out);
                out.push_str("]\n");
            }
            Block::Paragraph(runs) => {
                out.push('\n');
                inlines(runs, out);
                out.push_str("\n\n");
            }
            Block::List { ordered, items, .. } => {
                let f = if *ordered { "enum" } else { "list" };
                let _ = write!(out, "\n#{f}(");
                for item in items {
                    out.push('[');
                    blocks(item, last_level, out);
                    out.push_str("], ");
                }
                out.push_str(");\n");
            }
            Block::Figure(f) => figure(f, out),
            Block::Table(t) => table(t, 9.0, out),
            Block::Callout(inner) => {
                out.push_str("\n#block(fill: luma(242), inset: 10pt, radius: 2pt, width: 100%)[\n");
                blocks(inner, last_level, out);
                out.push_str("\n]\n");
            }
            Block::Section { blocks: inner, .. } => blocks(inner, last_level, out),
            Block::Code(code) => {
                let _ = writeln!(
                    out,
                    "\n#block(fill: luma(245), inset: 6pt, width: 100%, raw(block: true, lang: \"sql\", {}))",
                    string_literal(code.trim_end())
                );
            }
        }
    }
}

/// A whole report as Typst markup: page set-up (A4, running header, page X of Y), the
/// document's title and language, the title block, contents when asked, body and provenance.
/// Headings stay with what follows them; no section is forced onto a new page.
pub fn document(r: &Report) -> String {
    let header = format!(
        "{}{} · {}",
        r.marking
            .as_ref()
            .map(|m| format!("{m} · "))
            .unwrap_or_default(),
        r.title,
        r.subtitle
    );
    // A one-sheet page keeps to its sheet: narrower margins and charts under two thirds wide.
    let (margin, chart_width) = if r.compact {
        ("(x: 1.6cm, top: 1.6cm, bottom: 1.5cm)", "62%")
    } else {
        ("(x: 1.8cm, top: 2.2cm, bottom: 2cm)", "92%")
    };
    let mut out = format!(
        "#let chart-width = {chart_width}\n#set document(title: {})\n#set page(paper: \"a4\", margin: {margin},\n  header: align(right, text(size: 8pt, fill: luma(90))[{}]),\n  footer: context align(center, text(size: 8pt, fill: luma(90))[Page #counter(page).display() of #counter(page).final().first(){}]))\n#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"en\", region: \"gb\")\n#set heading(numbering: none)\n#show heading: set block(above: 1.4em, below: 0.7em)\n#show heading.where(level: 1): set text(size: 20pt)\n#show heading.where(level: 2): set text(size: 14pt)\n#show heading.where(level: 3): set text(size: 11.5pt)\n#text(size: 9pt, fill: luma(90))[{}]\n#heading(level: 1, outlined: false)[{}]\n#text(fill: luma(70))[{}]\n",
        string_literal(&r.title),
        text(&header),
        r.marking
            .as_ref()
            .map(|m| format!(" · {}", text(m)))
            .unwrap_or_default(),
        text(&r.audience_label.to_uppercase()),
        text(&r.title),
        text(&r.subtitle),
    );
    let mut level = 1;
    if r.contents {
        // The summary page first, then the contents, then the sections.
        let (summary, sections) = document::split_summary(&r.body);
        blocks(summary, &mut level, &mut out);
        out.push_str(
            "\n#pagebreak(weak: true)\n#outline(title: [Contents], depth: 2)\n#pagebreak()\n",
        );
        blocks(sections, &mut level, &mut out);
    } else {
        blocks(&r.body, &mut level, &mut out);
    }
    out.push_str("\n#[\n#set text(size: 9pt)\n");
    blocks(&r.provenance, &mut level, &mut out);
    out.push_str("\n]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::document::Cell;

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
}
