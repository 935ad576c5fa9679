//! The SVG around a drawing: plotters' buffer on a white ground, the drawing for an empty
//! table, and the scalable, accessible `<svg>` element the page inlines.

use super::Area;
use super::ChartError;
use super::primitives::{backend_error, text};
use super::style::{MUTED, WIDTH, style};
use crate::analysis::ChartSpec;
use crate::render::escape::escape;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub(super) fn svg_buffer(
    width: u32,
    height: u32,
    paint: impl FnOnce(&Area) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(backend_error)?;
        paint(&root)?;
        root.present().map_err(backend_error)?;
    }
    Ok(buf)
}

pub(super) fn draw_empty() -> Result<String, ChartError> {
    svg_buffer(WIDTH, 120, |root| {
        text(
            root,
            "No data for this chart",
            (WIDTH as i32 / 2, 60),
            style(14.0, &MUTED, HPos::Center, VPos::Center),
        )
    })
}

/// An attribute of the root `<svg>` element of plotters' output (`width`, `viewBox`, ...).
pub(super) fn root_attr<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let open = &raw[..raw.find('>')?];
    let start = open.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = open[start..].find('"')?;
    Some(&open[start..start + len])
}

/// What is inside the root `<svg>` element of plotters' output, without the element itself.
pub(super) fn root_body(raw: &str) -> &str {
    let start = match (raw.find("<svg"), raw.find('>')) {
        (Some(0), Some(end)) => end + 1,
        _ => 0,
    };
    let end = raw
        .rfind("</svg>")
        .filter(|e| *e >= start)
        .unwrap_or(raw.len());
    &raw[start..end]
}

/// Makes plotters' fixed-size SVG scalable and accessible: width 100% with the same viewBox,
/// `role="img"` with an `aria-label`, and a `<title>` and `<desc>` (the summary) inside.
pub(super) fn finish_svg(raw: &str, spec: &ChartSpec, summary: &str) -> String {
    let attr = |name: &str| root_attr(raw, name);
    let view_box = attr("viewBox").map(str::to_string).unwrap_or_else(|| {
        format!(
            "0 0 {} {}",
            attr("width").unwrap_or("720"),
            attr("height").unwrap_or("360")
        )
    });
    let body = match (raw.find("<svg"), raw.find('>')) {
        (Some(0), Some(end)) => &raw[end + 1..],
        _ => raw,
    };
    let title = escape(&spec.title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"{}\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"{title}\">\n<title>{title}</title>\n<desc>{}</desc>{body}",
        escape(&view_box),
        escape(summary),
    )
}
