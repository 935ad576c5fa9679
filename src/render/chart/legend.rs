//! The legend: which entries a chart has, how they wrap into rows above the plot, and the
//! swatch drawn beside each.

use super::Area;
use super::ChartError;
use super::data::ChartData;
use super::primitives::{backend_error, dashed, marker, path};
use super::style::{LABEL_PX, LEGEND_ROW, LINE_GAP, MUTED, colour, shape, text_width};
use crate::analysis::{ChartKind, ChartSpec};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a legend entry shows beside its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Swatch {
    Line(usize),
    Bar(usize),
    Comparator(usize),
    Missing,
}

pub(super) fn swatch_width(s: Swatch) -> i32 {
    match s {
        Swatch::Line(_) | Swatch::Comparator(_) => 28,
        Swatch::Bar(_) | Swatch::Missing => 12,
    }
}

pub(super) fn legend_items(spec: &ChartSpec, data: &ChartData) -> Vec<(Swatch, String)> {
    let mut items = Vec::new();
    // A panel of small multiples names its group here even when it is the only series.
    if data.series.len() > 1 || !data.comparators.is_empty() || spec.panels.is_some() {
        for (i, s) in data.series.iter().enumerate() {
            items.push((
                if spec.kind == ChartKind::Line {
                    Swatch::Line(i)
                } else {
                    Swatch::Bar(i)
                },
                s.name.clone(),
            ));
        }
    }
    for (i, c) in data.comparators.iter().enumerate() {
        items.push((Swatch::Comparator(i), c.name.clone()));
    }
    // A gap is labelled where it falls (`c` or "no data"); the legend says what `c` means.
    if data.series.iter().any(|s| s.suppressed.iter().any(|h| *h)) {
        items.push((
            Swatch::Missing,
            "suppressed: too few children to publish".to_string(),
        ));
    }
    items
}

/// Lays legend entries (each label one line, or two when wrapped) out in rows within
/// `width`: each row a list of (entry, x offset).
pub(super) fn legend_rows(items: &[(Swatch, Vec<String>)], width: i32) -> Vec<Vec<(usize, i32)>> {
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut x = 0;
    for (i, (swatch, lines)) in items.iter().enumerate() {
        let text = lines
            .iter()
            .map(|l| text_width(l, LABEL_PX))
            .fold(0.0, f64::max);
        let w = swatch_width(*swatch) + 6 + text.ceil() as i32;
        if rows.is_empty() || (x > 0 && x + w > width) {
            rows.push(Vec::new());
            x = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((i, x));
        }
        x += w + 18;
    }
    rows
}

/// The height of a legend row: one line, and a line more for each further line of its
/// most wrapped label.
pub(super) fn row_height(items: &[(Swatch, Vec<String>)], row: &[(usize, i32)]) -> i32 {
    let lines = row
        .iter()
        .filter_map(|(i, _)| items.get(*i).map(|(_, l)| l.len()))
        .max()
        .unwrap_or(1)
        .max(1);
    LEGEND_ROW + (lines as i32 - 1) * LINE_GAP
}

pub(super) fn draw_swatch(
    area: &Area,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    match swatch {
        Swatch::Line(i) => {
            path(area, vec![(x, y), (x + 28, y)], colour(i).stroke_width(3))?;
            marker(area, shape(i), (x + 14, y), colour(i), true)
        }
        Swatch::Bar(i) => area
            .draw(&Rectangle::new(
                [(x, y - 6), (x + 12, y + 6)],
                colour(i).filled(),
            ))
            .map_err(backend_error),
        Swatch::Comparator(i) => dashed(area, &[(x, y), (x + 28, y)], i, 2),
        Swatch::Missing => area
            .draw(&Text::new(
                "c".to_string(),
                (x + 6, y),
                ("sans-serif", LABEL_PX * 1.24)
                    .into_font()
                    .style(FontStyle::Italic)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(backend_error),
    }
}
