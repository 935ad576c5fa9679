//! Charts: an analysis's chart declaration and its result become an accessible inline SVG
//! (drawn with plotters) and a one-sentence plain-English summary of what the chart shows.
//!
//! Charts are built to be read on paper as well as on screen: Okabe–Ito colours that survive
//! colour blindness, a different marker per series so lines survive greyscale printing, dashed
//! grey comparators, gaps (never zeros) where a figure is suppressed or missing, and output that
//! is byte-for-byte the same for the same inputs.
//!
//! The work is split along its seams: `data` applies the declaration to the result table,
//! `summary` writes the sentence, `layout` measures the chart, `paint` draws it from that
//! layout (with the `axes`, `legend` and `style` it needs), `panels` draws a breakdown of
//! many groups as small multiples, and `svg` wraps what it drew.

mod axes;
mod data;
mod labels;
mod layout;
mod legend;
mod paint;
mod panels;
mod primitives;
mod style;
mod summary;
mod svg;
#[cfg(test)]
mod tests;

use self::data::{extract, forest_rows};
use self::layout::Frame;
use self::paint::draw;
use self::panels::{draw_panels, panel_spec, panels_phrase};
use self::summary::{nothing_to_draw, spoken, summarise};
use self::svg::{draw_empty, finish_svg};
pub use super::words::prettify;
use crate::analysis::ChartSpec;
use crate::run::ResultTable;

/// What every painter draws on: a plotters drawing area on the SVG backend.
type Area<'a> =
    plotters::prelude::DrawingArea<plotters::prelude::SVGBackend<'a>, plotters::coord::Shift>;

/// A drawn chart: the `<svg>` element to inline in the page and a sentence saying what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// A complete `<svg>` element, 100% wide, with `role="img"`, `<title>` and `<desc>`.
    pub svg: String,
    /// One plain-English sentence saying what the chart shows, for the caption.
    pub summary: String,
    /// Whether there is anything to draw. False when the table is empty or every point is
    /// suppressed or missing: the page then prints the summary, which says why, in its place.
    pub drawn: bool,
}

impl RenderedChart {
    /// The `<svg>` element as a page inlines it: without the blank lines plotters leaves
    /// between elements.
    pub fn inline_svg(&self) -> String {
        self.svg
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Why a chart could not be drawn: the declaration does not match the result it is drawn from.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A column the chart names (as x, y, series or comparator) is not in the result.
    #[error("the chart's {role} column `{column}` is not in the result (columns: {})", available.join(", "))]
    MissingColumn {
        column: String,
        role: &'static str,
        available: Vec<String>,
    },
    /// A value column holds text, a date or a boolean (row is 1-based).
    #[error(
        "the chart's {role} column `{column}` holds {found} `{value}` in row {row}, not a number"
    )]
    NotNumeric {
        column: String,
        role: &'static str,
        row: usize,
        found: &'static str,
        value: String,
    },
    /// The declaration contradicts itself (no y column, or `series` with several y columns).
    #[error("the chart declaration cannot be drawn: {0}")]
    Spec(String),
    /// plotters' SVG backend failed.
    #[error("drawing the chart failed: {0}")]
    Backend(String),
}

/// Draws `table` as `spec` declares, as an inline SVG, and summarises it in one sentence.
/// An empty table gives a small SVG saying there is no data, not an error.
pub fn render_chart(spec: &ChartSpec, table: &ResultTable) -> Result<RenderedChart, ChartError> {
    render_chart_with_breaks(spec, table, &[])
}

/// [`render_chart`] with series breaks: `breaks` names the x values (e.g. `2023-24`) where
/// a different analysis version starts. The line is not joined across a break, a dashed
/// rule marks it, and the summary says so.
pub fn render_chart_with_breaks(
    spec: &ChartSpec,
    table: &ResultTable,
    breaks: &[String],
) -> Result<RenderedChart, ChartError> {
    render_in(spec, table, breaks, &Frame::FULL)
}

/// [`render_chart`] drawn a third of the page wide, for charts set three across (the
/// governors' first page of small year-on-year charts).
pub fn render_small(spec: &ChartSpec, table: &ResultTable) -> Result<RenderedChart, ChartError> {
    render_in(spec, table, &[], &Frame::THIRD)
}

/// Draws a chart in `frame` (small multiples keep their own panel frames).
fn render_in(
    spec: &ChartSpec,
    table: &ResultTable,
    breaks: &[String],
    frame: &Frame,
) -> Result<RenderedChart, ChartError> {
    if table.rows.is_empty() {
        let summary = "No data for this chart.".to_string();
        let svg = finish_svg(&draw_empty()?, spec, &summary);
        return Ok(RenderedChart {
            svg,
            summary,
            drawn: false,
        });
    }
    let plain = extract(spec, table)?;
    let panelled = panel_spec(spec, plain.series.len())?;
    let (spec, mut data) = match &panelled {
        Some(p) if spec.panels.is_some() => (p, extract(p, table)?),
        Some(p) => (p, plain),
        None => (spec, plain),
    };
    data.breaks = data
        .categories
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            *i > 0
                && breaks.iter().any(|b| {
                    c.starts_with(b.as_str()) && !data.categories[i - 1].starts_with(b.as_str())
                })
        })
        .map(|(i, _)| i)
        .collect();
    let forest = forest_rows(spec, table)?;
    // A forest plot's row with too few children to estimate is labelled so, not "no data".
    if let Some(f) = &forest
        && let Some(s) = data.series.first_mut()
    {
        for (flag, finding) in s.too_few.iter_mut().zip(&f.findings) {
            *flag = *finding == Some(data::Finding::TooFew);
        }
    }
    let drawn = !nothing_to_draw(&data);
    let mut summary = summarise(spec, &data, forest.as_ref());
    if panelled.is_some() && drawn {
        summary = format!("{} {summary}", panels_phrase(spec, &data));
    }
    if forest.is_some() && drawn {
        summary.push_str(
            " Each line is the 95% interval; bars are coloured by finding (blue a facilitator, orange a barrier, grey no clear difference).",
        );
    }
    for &b in &data.breaks {
        summary.push_str(&format!(
            " The series breaks before {}: the analysis changed, so figures either side of the break are not directly comparable.",
            spoken(&data.categories[b])
        ));
    }
    let raw = if panelled.is_some() {
        draw_panels(spec, &data)?
    } else {
        draw(spec, &data, forest.as_ref(), frame)?
    };
    let svg = finish_svg(&raw, spec, &summary);
    Ok(RenderedChart {
        svg,
        summary,
        drawn,
    })
}
