//! Small multiples: a breakdown with more than a few groups drawn as one small panel per group,
//! every panel on the same scale and over the same categories, each with the comparators, so a
//! reader compares groups by position rather than untangling a knot of lines.

use super::ChartError;
use super::data::ChartData;
use super::layout::Frame;
use super::paint::draw;
use super::style::{PAD, WIDTH};
use super::svg::{root_attr, root_body};
use crate::analysis::{ChartKind, ChartSpec};

/// More series than this on a line or bar chart are drawn as panels without being asked.
pub(super) const MOST_SERIES: usize = 4;
/// Panels across the page: two keep the labels at the size of every other chart; more than
/// six panels go three across, so that the grid stays about as tall as it is wide and fits a
/// printed page whole.
fn columns(panels: usize) -> usize {
    if panels > 6 { 3 } else { 2 }
}

/// The spec a panelled chart is drawn with (its series column is the panel column), or None
/// when `spec` is drawn as one chart. `series` is how many series the plain chart would have.
pub(super) fn panel_spec(spec: &ChartSpec, series: usize) -> Result<Option<ChartSpec>, ChartError> {
    match (&spec.panels, &spec.series) {
        (Some(p), Some(s)) if p != s => Err(ChartError::Spec(format!(
            "`panels` ({p}) and `series` ({s}) must name the same column: each panel draws one group"
        ))),
        (Some(_), _) if spec.forest.is_some() || spec.kind == ChartKind::HBar => {
            Err(ChartError::Spec(
                "panels are drawn for line and bar charts, not horizontal bars".into(),
            ))
        }
        (Some(p), _) if spec.y.len() > 1 => Err(ChartError::Spec(format!(
            "panels by `{p}` need one y column; this chart has {}",
            spec.y.len()
        ))),
        (Some(p), _) => Ok(Some(ChartSpec {
            series: Some(p.clone()),
            ..spec.clone()
        })),
        (None, Some(_))
            if series > MOST_SERIES && spec.kind != ChartKind::HBar && spec.forest.is_none() =>
        {
            Ok(Some(ChartSpec {
                panels: spec.series.clone(),
                ..spec.clone()
            }))
        }
        _ => Ok(None),
    }
}

/// One panel per series of `data`, laid out two or three across, as one SVG drawing (not yet
/// finished with its title and description).
pub(super) fn draw_panels(spec: &ChartSpec, data: &ChartData) -> Result<String, ChartError> {
    let values = data
        .series
        .iter()
        .chain(&data.comparators)
        .flat_map(|s| s.values.iter().flatten().copied());
    let span = values.fold(None, |acc: Option<(f64, f64)>, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    });
    let across = columns(data.series.len());
    let width = (WIDTH - PAD as u32 * (across as u32 - 1)) / across as u32;
    let frame = Frame {
        width,
        min_height: 200,
        min_plot: 110,
        span,
    };
    let drawn = data
        .series
        .iter()
        .map(|series| {
            let panel = ChartData {
                series: vec![series.clone()],
                ..data.clone()
            };
            let raw = draw(spec, &panel, None, &frame)?;
            let height: u32 = root_attr(&raw, "height")
                .and_then(|h| h.parse().ok())
                .unwrap_or(frame.min_height);
            Ok((raw, height))
        })
        .collect::<Result<Vec<_>, ChartError>>()?;

    let mut body = String::new();
    let mut top = 0;
    for row in drawn.chunks(across) {
        let row_height = row.iter().map(|(_, h)| *h).max().unwrap_or(0);
        for (i, (raw, _)) in row.iter().enumerate() {
            let left = i as u32 * (width + PAD as u32);
            body.push_str(&format!(
                "<g transform=\"translate({left},{top})\">{}</g>\n",
                root_body(raw)
            ));
        }
        top += row_height;
    }
    Ok(format!(
        "<svg width=\"{WIDTH}\" height=\"{top}\" viewBox=\"0 0 {WIDTH} {top}\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{top}\" fill=\"#FFFFFF\"/>\n{body}</svg>"
    ))
}

/// The sentence before a panelled chart's summary: how it is drawn.
pub(super) fn panels_phrase(spec: &ChartSpec, data: &ChartData) -> String {
    let column = spec.panels.as_deref().unwrap_or("group");
    let lines = if data.comparators.is_empty() {
        ""
    } else {
        ", each with the comparison lines"
    };
    format!(
        "Drawn as {} panels on one scale, one for each {}{lines}.",
        data.series.len(),
        super::prettify(column).to_lowercase()
    )
}
