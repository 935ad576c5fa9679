//! The one HTML escaper, and what rests on it. Values from data are text, never markup: a
//! school named `[x](javascript:alert(1))` is shown as those characters, not as a link.
//! Every value a template prints with `{{ ... }}` (other than the HTML that cohort's own
//! functions build) passes through [`formatter`], and every table cell through [`cell_text`].

use minijinja::{AutoEscape, Error, ErrorKind, Output, State, Value};

/// Escapes text for HTML: `&`, `<` and `>` always; with `quotes`, `"` and `'` too.
fn escape_html(s: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            '\'' if quotes => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values (SVG and the lineage
/// drawing too).
pub(crate) fn escape(s: &str) -> String {
    escape_html(s, true)
}

/// Escapes element text as pulldown-cmark did (`&`, `<`, `>`): the writer's text runs.
pub(super) fn escape_text(s: &str) -> String {
    escape_html(s, false)
}

/// The ASCII punctuation Markdown gives a meaning to (`<`, `>`, `&` and quotes are
/// left to HTML escaping, which Markdown decodes back to the same characters).
const MARKDOWN: &str = "\\`*_{}[]()#+-.!|~^";

/// Text with every Markdown-significant character backslashed and line breaks made
/// spaces, so it renders as exactly these characters, on one line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if MARKDOWN.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A data value as it enters a template's Markdown: Markdown-escaped, then HTML-escaped.
pub fn data_text(text: &str) -> String {
    escape(&escape_markdown(text))
}

/// A value for a table cell, which sits in an HTML block inside the Markdown: HTML-escaped,
/// with line breaks as character references so no value can end the block early.
pub fn cell_text(text: &str) -> String {
    escape(text).replace('\r', "&#13;").replace('\n', "&#10;")
}

/// The template formatter: safe strings (HTML made by cohort's functions) go out as they
/// are, every other value as [`data_text`].
pub fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if value.is_safe()
        || value.is_undefined()
        || value.is_none()
        || matches!(state.auto_escape(), AutoEscape::None)
    {
        return minijinja::escape_formatter(out, state, value);
    }
    out.write_str(&data_text(&value.to_string())).map_err(|_| {
        Error::new(
            ErrorKind::WriteFailure,
            "cannot write the rendered template",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_images_in_data_become_text() {
        let (html, _) = crate::render::html::markdown(&format!(
            "## {}\n\nSchool {} and {}.",
            data_text("[x](javascript:alert(1))"),
            data_text("![](http://host/x.png)"),
            data_text("<b>bold</b> & *stars*\n\n# heading")
        ));
        assert!(!html.contains("<a "), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            !html.contains("<b>") && !html.contains("<em>") && !html.contains("<h1"),
            "{html}"
        );
        assert!(html.contains("[x](javascript:alert(1))"), "{html}");
        assert!(html.contains("![](http://host/x.png)"), "{html}");
        // The blank line became two spaces: the heading stays in the sentence.
        assert!(
            html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; *stars*  # heading"),
            "{html}"
        );
    }

    #[test]
    fn ordinary_values_render_as_before() {
        // 12.5%, a term and a plain name: escaping changes nothing a reader sees.
        for v in [
            "12.5%",
            "2024-25-spring",
            "Fixture Primary",
            "up 1.3 percentage points",
        ] {
            let (escaped, _) = crate::render::html::markdown(&data_text(v));
            let (plain, _) = crate::render::html::markdown(v);
            assert_eq!(escaped, plain, "{v}");
        }
    }

    #[test]
    fn a_cell_cannot_end_its_html_block() {
        assert_eq!(cell_text("a\n\n[x](y)"), "a&#10;&#10;[x](y)");
    }
}
