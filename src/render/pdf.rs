//! PDF output, made in-process with Typst: the rendered report (our own, known HTML) is
//! turned into Typst markup, with charts embedded as vector SVG, and typeset on A4 with a
//! running header, "page X of Y", tables that repeat their header row across pages and
//! figures that are never split. Fonts are compiled into the binary (typst-assets).

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

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
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
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| typeset_error(&errors))
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

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[derive(Debug)]
enum Token<'a> {
    Open(&'a str, &'a str),
    Close(&'a str),
    Text(&'a str),
}

fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').unwrap_or(rest.len() - 1);
                let tag = &rest[1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    out.push(Token::Close(name.trim()));
                } else if !tag.starts_with('!') {
                    let name = tag.split_whitespace().next().unwrap_or("");
                    out.push(Token::Open(name.trim_end_matches('/'), tag));
                }
                rest = &rest[end + 1..];
            }
            Some(i) => {
                out.push(Token::Text(&rest[..i]));
                rest = &rest[i..];
            }
            None => {
                out.push(Token::Text(rest));
                rest = "";
            }
        }
    }
    out
}

/// Converts the report's HTML body (what sits inside `<main>`) and its provenance to Typst.
pub fn html_to_typst(html: &str) -> String {
    let mut out = String::new();
    let toks = tokens(html);
    let mut i = 0;
    let mut in_list: Vec<&str> = Vec::new();
    let mut skip_depth = 0usize;
    // Which open <div>s are callouts (the only ones that open a Typst block).
    let mut divs: Vec<bool> = Vec::new();
    while i < toks.len() {
        match &toks[i] {
            Token::Open("svg", _) => {
                // The whole SVG, verbatim, as an image.
                let start = html_offset(html, &toks, i);
                let end = html[start..]
                    .find("</svg>")
                    .map_or(html.len(), |e| start + e + 6);
                let svg = &html[start..end];
                out.push_str(&format!(
                    "\n#align(center, image(bytes({}), format: \"svg\", width: 100%))\n",
                    string_literal(svg)
                ));
                while i < toks.len() && !matches!(toks[i], Token::Close("svg")) {
                    i += 1;
                }
            }
            Token::Open("nav", _) | Token::Open("summary", _) | Token::Open("style", _) => {
                skip_depth += 1;
            }
            Token::Close("nav") | Token::Close("summary") | Token::Close("style") => {
                skip_depth = skip_depth.saturating_sub(1);
            }
            _ if skip_depth > 0 => {}
            Token::Open("table", _) => {
                let (markup, next) = table(&toks, i);
                out.push_str(&markup);
                i = next;
            }
            Token::Open("h1", _) => out.push_str("\n= "),
            Token::Open("h2", _) => out.push_str("\n== "),
            Token::Open("h3", _) => out.push_str("\n=== "),
            Token::Open("h4", _) => out.push_str("\n==== "),
            Token::Close("h1" | "h2" | "h3" | "h4") => out.push('\n'),
            Token::Open("p", _) => out.push_str("\n\n"),
            Token::Close("p") => out.push_str("\n\n"),
            Token::Open("br", _) => out.push_str(" \\\n"),
            Token::Open("strong" | "b", _) => out.push_str("#strong["),
            Token::Close("strong" | "b") => out.push(']'),
            Token::Open("em" | "i", _) => out.push_str("#emph["),
            Token::Close("em" | "i") => out.push(']'),
            Token::Open("code", _) => out.push_str("#raw("),
            Token::Close("code") => out.push(')'),
            Token::Open("ul", _) => in_list.push("-"),
            Token::Open("ol", _) => in_list.push("+"),
            Token::Close("ul" | "ol") => {
                in_list.pop();
                out.push('\n');
            }
            Token::Open("li", _) => {
                out.push('\n');
                out.push_str(&"  ".repeat(in_list.len().saturating_sub(1)));
                out.push_str(in_list.last().copied().unwrap_or("-"));
                out.push(' ');
            }
            Token::Open("div", attrs) => {
                let callout = attrs.contains("callout");
                if callout {
                    out.push_str(
                        "\n#block(fill: luma(242), inset: 10pt, radius: 2pt, width: 100%)[\n",
                    );
                }
                divs.push(callout);
            }
            // Only a callout div opened a block, so only its close shuts one.
            Token::Close("div") => out.push_str(match divs.pop() {
                Some(true) => "\n]\n",
                _ => "",
            }),
            Token::Open("figure", _) => out.push_str("\n#block(breakable: false)[\n"),
            Token::Close("figure") => out.push_str("\n]\n"),
            Token::Open("span", attrs) if attrs.contains("chart-title") => {
                out.push_str("\n#text(weight: \"bold\")[")
            }
            Token::Open("span", attrs) if attrs.contains("chart-summary") => {
                out.push_str("\\\n#text(size: 9pt, fill: luma(80))[")
            }
            Token::Close("span") => out.push(']'),
            Token::Open("section", attrs) if attrs.contains("notes") => {}
            Token::Text(t) => {
                let text = decode_entities(t);
                let inside_code =
                    matches!(toks.get(i.wrapping_sub(1)), Some(Token::Open("code", _)));
                if inside_code {
                    out.push_str(&string_literal(&text));
                } else {
                    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let lead = if text.starts_with(char::is_whitespace) && !collapsed.is_empty() {
                        " "
                    } else {
                        ""
                    };
                    let trail = if text.ends_with(char::is_whitespace) && !collapsed.is_empty() {
                        " "
                    } else {
                        ""
                    };
                    out.push_str(lead);
                    out.push_str(&escape_markup(&collapsed));
                    out.push_str(trail);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where token `i` starts in the HTML (tokens borrow from it).
fn html_offset(html: &str, toks: &[Token<'_>], i: usize) -> usize {
    match &toks[i] {
        Token::Open(_, tag) => (tag.as_ptr() as usize - html.as_ptr() as usize).saturating_sub(1),
        Token::Close(name) => (name.as_ptr() as usize - html.as_ptr() as usize).saturating_sub(2),
        Token::Text(t) => t.as_ptr() as usize - html.as_ptr() as usize,
    }
}

/// A `<table>` from token `start` as a Typst table; returns the markup and the index after it.
fn table(toks: &[Token<'_>], start: usize) -> (String, usize) {
    let mut caption = String::new();
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(String, bool)>> = Vec::new();
    let mut cell: Option<String> = None;
    let mut numeric = false;
    let mut in_caption = false;
    let mut in_head = false;
    let mut i = start + 1;
    while i < toks.len() {
        match &toks[i] {
            Token::Close("table") => break,
            Token::Open("caption", _) => in_caption = true,
            Token::Close("caption") => in_caption = false,
            Token::Open("thead", _) => in_head = true,
            Token::Close("thead") => in_head = false,
            Token::Open("tr", _) if !in_head => rows.push(Vec::new()),
            Token::Open("th" | "td", attrs) => {
                cell = Some(String::new());
                numeric = attrs.contains("num");
            }
            Token::Close("th" | "td") => {
                let text = escape_markup(cell.take().unwrap_or_default().trim());
                if in_head {
                    header.push(text);
                } else if let Some(r) = rows.last_mut() {
                    r.push((text, numeric));
                }
            }
            Token::Text(t) => {
                let text = decode_entities(t);
                if in_caption {
                    caption.push_str(&text);
                } else if let Some(c) = cell.as_mut() {
                    c.push_str(&text);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let columns = header
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let mut out = String::from("\n");
    if !caption.trim().is_empty() {
        // Sticky: a caption never ends a page without its table.
        out.push_str(&format!(
            "#block(sticky: true, text(weight: \"bold\", size: 9.5pt)[{}])\n",
            escape_markup(caption.trim())
        ));
    }
    out.push_str(&format!(
        "#table(columns: {columns}, stroke: (x: none, y: 0.4pt + luma(170)), inset: 4pt,\n  table.header(repeat: true, {}),\n",
        header
            .iter()
            .map(|h| format!("text(weight: \"bold\")[{h}]"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .map(|(t, num)| {
                if *num {
                    format!("align(right)[{t}]")
                } else {
                    format!("[{t}]")
                }
            })
            .collect();
        out.push_str("  ");
        out.push_str(&cells.join(", "));
        out.push_str(",\n");
    }
    out.push_str(")\n");
    (out, i)
}

/// A whole document: page set-up, title block, contents when asked, body and provenance.
pub fn document(page: &super::html::Page, contents: bool) -> String {
    let super::html::Page {
        title,
        subtitle,
        audience_label: audience,
        marking,
        body: body_html,
        provenance: provenance_html,
        toc: _,
    } = *page;
    let header = format!(
        "{}{} · {}",
        marking.map(|m| format!("{m} · ")).unwrap_or_default(),
        title,
        subtitle
    );
    let mut out = format!(
        "#set page(paper: \"a4\", margin: (x: 1.8cm, top: 2.2cm, bottom: 2cm),\n  header: align(right, text(size: 8pt, fill: luma(90))[{}]),\n  footer: context align(center, text(size: 8pt, fill: luma(90))[Page #counter(page).display() of #counter(page).final().first(){}]))\n#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"en\", region: \"gb\")\n#set heading(numbering: none)\n#show heading.where(level: 2): it => block(above: 1.4em, below: 0.8em, text(size: 14pt, it.body))\n#text(size: 9pt, fill: luma(90))[{}]\n\n#text(size: 20pt, weight: \"bold\")[{}]\n\n#text(fill: luma(70))[{}]\n",
        escape_markup(&header),
        marking
            .map(|m| format!(" · {}", escape_markup(m)))
            .unwrap_or_default(),
        escape_markup(&audience.to_uppercase()),
        escape_markup(title),
        escape_markup(subtitle),
    );
    if contents {
        // The summary page first, then the contents, then the sections.
        let (summary, sections) = super::html::split_summary(body_html);
        out.push_str(&html_to_typst(summary));
        out.push_str(
            "\n#pagebreak(weak: true)\n#outline(title: [Contents], depth: 2)\n#pagebreak()\n",
        );
        out.push_str(&html_to_typst(sections));
    } else {
        out.push_str(&html_to_typst(body_html));
    }
    out.push_str("\n#pagebreak(weak: true)\n");
    out.push_str(&html_to_typst(provenance_html));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape_markup("9.7% (a*b) #1 <x>"),
            "9.7% (a\\*b) \\#1 \\<x\\>"
        );
    }

    #[test]
    fn a_small_report_typesets_to_pdf() {
        let body = "<h2 id=\"a\">The roll</h2><p>There were <strong>311</strong> children.</p><div class=\"table-wrap\"><table><caption>By year</caption><thead><tr><th scope=\"col\">Year</th><th scope=\"col\">Children</th></tr></thead><tbody><tr><td>2024-25</td><td class=\"num\">311</td></tr></tbody></table></div>";
        let page = crate::render::html::Page {
            title: "Report",
            subtitle: "Term",
            audience_label: "leadership",
            marking: None,
            body,
            toc: &[],
            provenance: "<h2>Provenance</h2><p>x</p>",
        };
        let typ = document(&page, true);
        let pdf = typeset(&typ).unwrap_or_else(|e| panic!("{e}\n{typ}"));
        assert!(pdf.starts_with(b"%PDF"));
    }
}
