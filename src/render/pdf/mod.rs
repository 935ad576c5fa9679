//! PDF output, made in-process with Typst: the Typst writer over the document model
//! ([`super::document`]). Charts are embedded as vector SVG with their alt text and kept
//! whole; their data tables and every other table follow as tables that break across pages
//! with the header row repeated, in column widths that fit A4. Pages carry a running header
//! and "page X of Y"; the PDF conforms to PDF/UA-1 (tagged, titled, in English). Fonts are
//! compiled into the binary (typst-assets).

mod table;
#[cfg(test)]
mod tests;

use super::document::{self, Block, Figure, Inline, Report};
use std::fmt::Write as _;
use std::sync::OnceLock;
use table::table;
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
    include_bytes!("../../../assets/fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../../../assets/fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../../../assets/fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../../../assets/fonts/LibertinusSerif-BoldItalic.otf"),
    include_bytes!("../../../assets/fonts/LibertinusSerif-Semibold.otf"),
    include_bytes!("../../../assets/fonts/LibertinusSerif-SemiboldItalic.otf"),
    include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSansMono-Bold.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSansMono-Oblique.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSansMono-BoldOblique.ttf"),
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

/// Small charts three across (the governors' first page): each kept whole, its title, its
/// drawing and its sentence, with the alt text a screen reader reads.
fn small_figures(bs: &[Block], last_level: &mut u8, out: &mut String) {
    out.push_str("\n#grid(columns: (1fr, 1fr, 1fr), column-gutter: 1.1em, row-gutter: 0.9em,\n");
    for b in bs {
        match b {
            Block::Figure(f) => {
                let alt = format!("{}. {}", f.title.trim_end_matches('.'), f.summary);
                let _ = writeln!(
                    out,
                    "[#block(breakable: false, width: 100%)[#text(weight: \"bold\", size: 9pt)[{}] \\\n#image(bytes({}), format: \"svg\", width: 100%, alt: {})\n#text(size: 8pt, fill: luma(50))[{}]]],",
                    text(&f.title),
                    string_literal(&f.svg),
                    string_literal(&alt),
                    text(&f.summary),
                );
            }
            other => {
                let mut inner = String::new();
                blocks(std::slice::from_ref(other), last_level, &mut inner);
                let _ = writeln!(out, "[{inner}],");
            }
        }
    }
    out.push_str(")\n");
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
            Block::Section {
                class,
                blocks: inner,
                ..
            } if class == super::governors::SMALL_CHARTS => small_figures(inner, last_level, out),
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
    // A one-sheet page keeps to its sheet: narrower margins and charts a little over half wide
    // (room for a term-by-term table whose small rates carry their n).
    let (margin, chart_width) = if r.compact {
        ("(x: 1.6cm, top: 1.6cm, bottom: 1.5cm)", "55%")
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
