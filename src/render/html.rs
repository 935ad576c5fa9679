//! The HTML writer over the document model: a self-contained page with inline CSS and print
//! styles, a contents list, the body and the provenance. Nothing is fetched; nothing here
//! decides what a report shows.

use super::document::{self, Block, CellKind, Figure, Inline, Report, Table};
use super::escape::{cell_text, escape, escape_text};

/// A table block as an accessible HTML table: a caption, column headers with `scope`.
fn write_table(t: &Table) -> String {
    // A table wider than the page scrolls within its frame: the frame is a named region a
    // keyboard can reach (WCAG 2.1.1, axe's scrollable-region-focusable).
    let name = t.caption.as_deref().unwrap_or("Table");
    let mut out = format!(
        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table",
        escape(name)
    );
    if let Some(class) = &t.class {
        out.push_str(&format!(" class=\"{}\"", escape(class)));
    }
    out.push('>');
    if let Some(c) = &t.caption {
        out.push_str(&format!("<caption>{}</caption>", escape(c)));
    }
    out.push_str("<thead><tr>");
    for h in &t.header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    if t.rows.is_empty() {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\">No rows.</td></tr>",
            t.header.len().max(1)
        ));
    }
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let text = cell_text(&cell.text);
            match cell.kind {
                CellKind::Number => out.push_str(&format!("<td class=\"num\">{text}</td>")),
                CellKind::Code => out.push_str(&format!("<td><code>{text}</code></td>")),
                CellKind::Text => out.push_str(&format!("<td>{text}</td>")),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    for note in &t.notes {
        out.push_str(&format!("<p class=\"table-note\">{}</p>", escape(note)));
    }
    out.push_str("</div>");
    out
}

/// Inline runs as HTML.
fn write_inlines(runs: &[Inline], out: &mut String) {
    for r in runs {
        match r {
            Inline::Text(t) => out.push_str(&escape_text(t)),
            Inline::SoftBreak => out.push('\n'),
            Inline::Strong(x) => {
                out.push_str("<strong>");
                write_inlines(x, out);
                out.push_str("</strong>");
            }
            Inline::Emph(x) => {
                out.push_str("<em>");
                write_inlines(x, out);
                out.push_str("</em>");
            }
            Inline::Code(c) => {
                out.push_str("<code>");
                out.push_str(&escape_text(c));
                out.push_str("</code>");
            }
            Inline::Link { href, text } => {
                out.push_str(&format!("<a href=\"{}\">", escape(href)));
                write_inlines(text, out);
                out.push_str("</a>");
            }
        }
    }
}

/// A chart figure: title and summary as its caption, the SVG, and its data table in a
/// disclosure widget (open when short enough to read at a glance).
fn write_figure(f: &Figure, out: &mut String) {
    out.push_str(&format!(
        "<figure class=\"chart\" id=\"{}\">\n<figcaption><span class=\"chart-title\">{}</span><span class=\"chart-summary\">{}</span></figcaption>\n<div class=\"chart-svg\">{}</div>\n",
        escape(&f.id),
        escape(&f.title),
        escape(&f.summary),
        f.svg
    ));
    if let Some(t) = &f.data {
        let open = if t.rows.len() <= 12 { " open" } else { "" };
        out.push_str(&format!(
            "<details class=\"chart-data\"{open}><summary>Data for this chart ({} rows)</summary>\n{}</details>\n",
            t.rows.len(),
            write_table(t)
        ));
    }
    out.push_str("</figure>");
}

/// Blocks as HTML, in the markup pulldown-cmark gave the same Markdown.
fn write_blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    write_into(blocks, false, &mut out);
    out
}

fn write_into(blocks: &[Block], tight: bool, out: &mut String) {
    for b in blocks {
        match b {
            Block::Heading { level, id, text } => {
                out.push_str(&format!("<h{level} id=\"{}\">", escape(id)));
                write_inlines(text, out);
                out.push_str(&format!("</h{level}>\n"));
            }
            Block::Paragraph(runs) if tight => write_inlines(runs, out),
            Block::Paragraph(runs) => {
                out.push_str("<p>");
                write_inlines(runs, out);
                out.push_str("</p>\n");
            }
            Block::List {
                ordered,
                tight,
                items,
            } => {
                let tag = if *ordered { "ol" } else { "ul" };
                out.push_str(&format!("<{tag}>\n"));
                for item in items {
                    out.push_str("<li>");
                    write_into(item, *tight, out);
                    out.push_str("</li>\n");
                }
                out.push_str(&format!("</{tag}>\n"));
            }
            Block::Figure(f) => {
                write_figure(f, out);
                out.push('\n');
            }
            Block::Table(t) => {
                out.push_str(&write_table(t));
                out.push('\n');
            }
            Block::Callout(inner) => {
                out.push_str("<div class=\"callout\">\n");
                write_into(inner, false, out);
                out.push_str("</div>\n");
            }
            Block::Section { class, id, blocks } => {
                out.push_str(&format!("<section class=\"{}\"", escape(class)));
                if let Some(id) = id {
                    out.push_str(&format!(" id=\"{}\"", escape(id)));
                }
                out.push_str(">\n");
                write_into(blocks, false, out);
                out.push_str("</section>\n");
            }
            Block::Code(code) => {
                out.push_str(&format!(
                    "<pre><code>{}</code></pre>\n",
                    escape(code.trim_end())
                ));
            }
        }
    }
}

/// Renders Markdown to HTML through the document model, giving every heading an id;
/// returns the HTML and the contents (id, text).
#[cfg(test)]
pub(super) fn markdown(md: &str) -> (String, Vec<(String, String)>) {
    let blocks = document::parse_markdown(md, None);
    (write_blocks(&blocks), document::contents(&blocks))
}

/// A whole report as one self-contained HTML page.
pub(super) fn report_page(r: &Report) -> String {
    let (summary, sections) = document::split_summary(&r.body);
    let body = format!("{}{}", write_blocks(summary), write_blocks(sections));
    let toc = document::contents(&r.body);
    let provenance = write_blocks(&r.provenance);
    page(&Page {
        title: &r.title,
        subtitle: &r.subtitle,
        audience_label: &r.audience_label,
        marking: r.marking.as_deref(),
        body: &body,
        toc: &toc,
        provenance: provenance.trim_end(),
    })
}

/// What the page shell needs besides the body.
struct Page<'a> {
    title: &'a str,
    subtitle: &'a str,
    audience_label: &'a str,
    marking: Option<&'a str>,
    body: &'a str,
    toc: &'a [(String, String)],
    provenance: &'a str,
}

/// Splits a body at its first section heading: the summary written before it is shown
/// first, above the contents list (a board's summary page).
fn split_summary(body: &str) -> (&str, &str) {
    match body.find("<h2") {
        Some(i) => body.split_at(i),
        None => ("", body),
    }
}

/// The whole HTML document.
fn page(p: &Page) -> String {
    let mut toc = String::new();
    if !p.toc.is_empty() {
        toc.push_str(
            "<nav class=\"toc\" aria-label=\"Contents\"><h2 class=\"toc-title\">Contents</h2><ol>",
        );
        for (id, text) in p.toc {
            toc.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>",
                escape(id),
                escape(text)
            ));
        }
        toc.push_str("</ol></nav>");
    }
    let marking = p
        .marking
        .map(|m| format!("<p class=\"marking\">{}</p>", escape(m)))
        .unwrap_or_default();
    let (summary, body) = split_summary(p.body);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>\n{css}</style>\n</head>\n<body>\n{marking}<header class=\"report-header\">\n<p class=\"kicker\">{audience}</p>\n<h1>{title}</h1>\n<p class=\"subtitle\">{subtitle}</p>\n</header>\n<main>\n{summary}{toc}\n{body}\n</main>\n<footer class=\"provenance\">\n{provenance}\n</footer>\n{marking}</body>\n</html>\n",
        title = escape(p.title),
        css = CSS,
        audience = escape(p.audience_label),
        subtitle = escape(p.subtitle),
        provenance = p.provenance,
    )
}

const CSS: &str = r#":root { --ink: #1b1b1b; --muted: #505a5f; --rule: #b1b4b6; --accent: #0b5394; --bg-alt: #f3f2f1; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); max-width: 60rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
h1 { font-size: 2rem; margin: 0.2rem 0; }
h2 { font-size: 1.45rem; margin-top: 2.2rem; border-bottom: 3px solid var(--accent); padding-bottom: 0.2rem; }
h3 { font-size: 1.15rem; margin-top: 1.6rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-size: 0.85rem; margin: 0; }
.subtitle { color: var(--muted); margin-top: 0; }
.marking { font-weight: 700; text-align: center; letter-spacing: 0.1em; border: 2px solid var(--ink); padding: 0.2rem; }
.toc { background: var(--bg-alt); padding: 0.6rem 1.2rem; margin: 1rem 0; }
.toc-title { border: none; font-size: 1.1rem; margin: 0.4rem 0; }
.toc ol { columns: 2; margin: 0; }
a { color: var(--accent); }
figure.chart { margin: 1.5rem 0; page-break-inside: avoid; break-inside: avoid; }
figcaption { display: flex; flex-direction: column; margin-bottom: 0.4rem; }
.chart-title { font-weight: 700; font-size: 1.05rem; }
.chart-summary { color: var(--muted); }
.chart-svg svg { width: 100%; height: auto; max-width: 45rem; display: block; }
.graph .chart-svg { overflow-x: auto; }
.graph .chart-svg svg { width: auto; max-width: none; }
details.chart-data summary { cursor: pointer; color: var(--muted); font-size: 0.9rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 700; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td.num { text-align: right; }
.callout { border-left: 5px solid var(--accent); background: var(--bg-alt); padding: 0.6rem 1rem; }
.small-charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.6rem 1.2rem; }
@media (max-width: 700px) { .small-charts { grid-template-columns: minmax(0, 1fr); } }
.small-charts figure.chart { margin: 0; }
.provenance { margin-top: 3rem; border-top: 1px solid var(--rule); font-size: 0.8rem; color: var(--muted); }
.provenance table { font-size: 0.75rem; }
code { font-size: 0.85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  details.chart-data summary { display: none; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  .toc { page-break-after: always; break-after: page; }
}
@page { size: A4; margin: 18mm 15mm; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::render::words::breakdown_label;

    #[test]
    fn breakdown_names_read_as_words() {
        assert_eq!(breakdown_label("sen_status"), "SEN status");
        assert_eq!(breakdown_label("primary_need"), "Primary need");
        assert_eq!(breakdown_label("all"), "All");
    }

    #[test]
    fn headings_get_anchors_and_contents() {
        let (html, toc) = markdown("## Attendance & absence\n\ntext\n\n### Detail\n");
        assert!(html.contains("<h2 id=\"attendance-absence\">"), "{html}");
        assert_eq!(
            toc,
            vec![(
                "attendance-absence".to_string(),
                "Attendance & absence".to_string()
            )]
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
