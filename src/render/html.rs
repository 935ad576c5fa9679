//! The self-contained HTML page: inline CSS with print styles, a contents list,
//! the rendered Markdown, and the provenance of every figure. Nothing is fetched.

use super::format::format_value;
use super::words::{Vocabulary, value_label};
pub use super::words::{breakdown_label, heading, unit_for_column};
use crate::run::{ResultTable, Value};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A result as an accessible HTML table; numbers right-aligned and formatted by unit.
/// `chart_unit` formats the value columns of a chart's data; other columns by name.
pub fn table_html(
    table: &ResultTable,
    chart_unit: Option<&str>,
    caption: Option<&str>,
    suppress: &[String],
) -> String {
    table_html_with(table, chart_unit, caption, suppress, Vocabulary::NONE)
}

/// [`table_html`] with the analysis's own words: its column labels and units, and code
/// values as their code-list labels (a `group` cell by its row's `breakdown`).
pub fn table_html_with(
    table: &ResultTable,
    chart_unit: Option<&str>,
    caption: Option<&str>,
    _suppress: &[String],
    words: Vocabulary<'_>,
) -> String {
    let mut out = String::from("<div class=\"table-wrap\"><table>");
    if let Some(c) = caption {
        out.push_str(&format!("<caption>{}</caption>", escape(c)));
    }
    out.push_str("<thead><tr>");
    for c in &table.columns {
        out.push_str(&format!(
            "<th scope=\"col\">{}</th>",
            escape(&words.heading(c))
        ));
    }
    out.push_str("</tr></thead><tbody>");
    if table.rows.is_empty() {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\">No rows.</td></tr>",
            table.columns.len().max(1)
        ));
    }
    let breakdown = table.column_index("breakdown");
    for row in &table.rows {
        out.push_str("<tr>");
        for (c, v) in table.columns.iter().zip(row) {
            let by_name = words.unit(c, v);
            let unit = match (by_name, v) {
                (None, Value::Float(_)) => chart_unit.map(str::to_string),
                (u, _) => u,
            };
            let suppressed = v.is_suppressed();
            let class = if v.as_f64().is_some() || suppressed {
                " class=\"num\""
            } else {
                ""
            };
            let text = match v {
                Value::Text(t) if c == "breakdown" => breakdown_label(t),
                Value::Text(t) if c == "group" => match breakdown.map(|b| &row[b]) {
                    Some(Value::Text(b)) => value_label(b, t),
                    _ => value_label(c, t),
                },
                Value::Text(t) => value_label(c, t),
                _ => format_value(v, unit.as_deref()),
            };
            out.push_str(&format!(
                "<td{class}>{}</td>",
                super::escape::cell_text(&text)
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// A heading's anchor: lower case, words joined by hyphens.
fn slug(text: &str) -> String {
    let s: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Renders Markdown to HTML, giving every `##` heading an id; returns the HTML and the contents (id, text).
pub fn markdown(md: &str) -> (String, Vec<(String, String)>) {
    let events: Vec<Event> = Parser::new_ext(
        md,
        Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES,
    )
    .collect();
    let mut toc = Vec::new();
    let mut out_events = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i]
        {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let anchor = id
                .clone()
                .map(|s| s.to_string())
                .unwrap_or_else(|| slug(&text));
            if *level == HeadingLevel::H2 {
                toc.push((anchor.clone(), text));
            }
            out_events.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(anchor)),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
        } else {
            out_events.push(events[i].clone());
        }
        i += 1;
    }
    let mut body = String::new();
    html::push_html(&mut body, out_events.into_iter());
    (body, toc)
}

/// What the page shell needs besides the body.
pub struct Page<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub audience_label: &'a str,
    pub marking: Option<&'a str>,
    pub body: &'a str,
    pub toc: &'a [(String, String)],
    pub provenance: &'a str,
}

/// Splits a body at its first section heading: the summary written before it is shown
/// first, above the contents list (a board's summary page).
pub fn split_summary(body: &str) -> (&str, &str) {
    match body.find("<h2") {
        Some(i) => body.split_at(i),
        None => ("", body),
    }
}

/// The whole HTML document.
pub fn page(p: &Page) -> String {
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
details.chart-data summary { cursor: pointer; color: var(--muted); font-size: 0.9rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 700; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td.num { text-align: right; }
.callout { border-left: 5px solid var(--accent); background: var(--bg-alt); padding: 0.6rem 1rem; }
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
