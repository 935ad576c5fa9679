//! The words and rules around a painted chart: the dashed rules at series breaks, the
//! category labels and the legend, drawn by [`super::paint::draw`] after the plot.

use super::Area;
use super::ChartError;
use super::axes::CategoryLabels;
use super::data::ChartData;
use super::layout::Layout;
use super::legend::{draw_swatch, row_height, swatch_width};
use super::primitives::{path, text};
use super::style::{GRID, LABEL_PX, LEGEND_ROW, LINE_GAP, MUTED, PAD, TEXT, TICK, style};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::ops::Range;

/// A dashed rule, labelled, where each series break falls.
pub(super) fn paint_breaks(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    data: &ChartData,
    layout: &Layout,
    px_y: &Range<i32>,
) -> Result<(), ChartError> {
    let axis = &layout.axis;
    for &b in &data.breaks {
        let x = at(b as f64 - 0.5, axis.lo).0;
        let (y0, y1) = (px_y.start, px_y.end);
        let mut y = y0;
        while y < y1 {
            path(
                root,
                vec![(x, y), (x, (y + 5).min(y1))],
                MUTED.stroke_width(1),
            )?;
            y += 9;
        }
        text(
            root,
            "series break",
            (x + 3, y0 + 2),
            style(LABEL_PX - 1.0, &MUTED, HPos::Left, VPos::Top),
        )?;
    }
    Ok(())
}

/// Category labels: down the left of horizontal bars, along the bottom otherwise.
pub(super) fn paint_category_labels(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    layout: &Layout,
    px_x: &Range<i32>,
    px_y: &Range<i32>,
) -> Result<(), ChartError> {
    let axis = &layout.axis;
    if layout.horizontal {
        for (ci, lines) in layout.hbar_labels.iter().enumerate() {
            let (_, y) = at(ci as f64, axis.lo);
            let x = px_x.start - TICK - 6;
            let first = y - (lines.len() as i32 - 1) * LINE_GAP / 2;
            for (li, line) in lines.iter().enumerate() {
                text(
                    root,
                    line,
                    (x, first + li as i32 * LINE_GAP),
                    style(LABEL_PX, &TEXT, HPos::Right, VPos::Center),
                )?;
            }
        }
    } else if let Some(labels) = &layout.labels {
        let y0 = px_y.end + 6;
        let top_style = style(LABEL_PX, &TEXT, HPos::Center, VPos::Top);
        match labels {
            CategoryLabels::Terms {
                names,
                years,
                bounds,
            } => {
                for (ci, name) in names.iter().enumerate() {
                    if let Some(name) = name {
                        text(
                            root,
                            name,
                            (at(ci as f64, axis.lo).0, y0),
                            top_style.clone(),
                        )?;
                    }
                }
                for (c, year) in years {
                    text(
                        root,
                        year,
                        (at(*c, axis.lo).0, y0 + LINE_GAP + 2),
                        style(LABEL_PX, &MUTED, HPos::Center, VPos::Top),
                    )?;
                }
                for b in bounds {
                    let x = at(*b, axis.lo).0;
                    path(
                        root,
                        vec![(x, px_y.end), (x, y0 + 2 * LINE_GAP + 2)],
                        GRID.stroke_width(1),
                    )?;
                }
            }
            CategoryLabels::Lines(all) => {
                for (ci, lines) in all.iter().enumerate() {
                    for (li, line) in lines.iter().flatten().enumerate() {
                        text(
                            root,
                            line,
                            (at(ci as f64, axis.lo).0, y0 + li as i32 * LINE_GAP),
                            top_style.clone(),
                        )?;
                    }
                }
            }
            CategoryLabels::Rotated(all) => {
                let rotated = style(LABEL_PX, &TEXT, HPos::Right, VPos::Center)
                    .transform(FontTransform::Rotate270);
                for (ci, label) in all.iter().enumerate() {
                    if let Some(label) = label {
                        text(root, label, (at(ci as f64, axis.lo).0, y0), rotated.clone())?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The legend above the plot, aligned with its left edge; a wrapped label's second line
/// sits under its first, and the rows below make room for it.
pub(super) fn paint_legend(root: &Area, layout: &Layout) -> Result<(), ChartError> {
    let mut top = PAD + 4;
    for row in &layout.rows {
        let y = top + LEGEND_ROW / 2;
        for (i, x) in row {
            let (swatch, lines) = &layout.legend[*i];
            let x = layout.plot_left + x;
            draw_swatch(root, *swatch, (x, y))?;
            for (k, line) in lines.iter().enumerate() {
                text(
                    root,
                    line,
                    (x + swatch_width(*swatch) + 6, y + k as i32 * LINE_GAP),
                    style(LABEL_PX, &TEXT, HPos::Left, VPos::Center),
                )?;
            }
        }
        top += row_height(&layout.legend, row);
    }
    Ok(())
}
