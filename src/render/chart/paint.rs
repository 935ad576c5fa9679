//! Painting a chart: the drawing of a laid-out line, bar or forest chart, element by element
//! in a fixed order, with the primitives of [`super::primitives`] (the labels, series breaks
//! and legend around the plot are in [`super::labels`]).

use super::Area;
use super::ChartError;
use super::axes::Scale;
use super::data::{ChartData, Forest};
use super::labels::{paint_breaks, paint_category_labels, paint_legend};
use super::layout::{Frame, Layout};
use super::primitives::{backend_error, cut, dashed, marker, path, runs, text};
use super::style::{
    AXIS, DESC_PX, GRID, LABEL_PX, MUTED, PAD, TEXT, TICK, colour, shape, style, text_width,
};
use super::svg::svg_buffer;
use crate::analysis::ChartSpec;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Paints a chart from its [`Layout`]: the axes and grid, the bars (with a forest plot's
/// intervals) or lines, series breaks, category labels and the legend, in that order.
pub(super) fn draw(
    spec: &ChartSpec,
    data: &ChartData,
    forest: Option<&Forest>,
    frame: &Frame,
) -> Result<String, ChartError> {
    let layout = Layout::of(spec, data, forest, frame);
    let &Layout {
        horizontal,
        bars,
        n,
        no_figures,
        left_area,
        right,
        top,
        bottom_area,
        width,
        height,
        ..
    } = &layout;
    let axis = &layout.axis;
    let unit = spec.unit;
    let tick_text = |v: &f64| axis.tick_label(*v, unit);

    let svg = svg_buffer(width, height, |root| {
        let categories = Scale {
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: Vec::new(),
        };
        let value_range = Scale {
            lo: axis.lo,
            hi: axis.hi,
            ticks: axis.ticks.clone(),
        };
        let mut builder = ChartBuilder::on(root);
        builder
            .margin_top(top)
            .margin_right(right)
            .margin_left(PAD)
            .margin_bottom(PAD - 4)
            .x_label_area_size(bottom_area)
            .y_label_area_size(left_area);
        let (x_range, y_range) = if horizontal {
            (value_range, categories)
        } else {
            (categories, value_range)
        };
        let mut chart = builder
            .build_cartesian_2d(x_range, y_range)
            .map_err(backend_error)?;
        let label_style = style(LABEL_PX, &TEXT, HPos::Center, VPos::Center);
        let desc_style = style(DESC_PX, &TEXT, HPos::Center, VPos::Center);
        let mut mesh = chart.configure_mesh();
        mesh.bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS.stroke_width(1))
            .set_all_tick_mark_size(TICK)
            .label_style(label_style)
            .axis_desc_style(desc_style);
        if horizontal {
            mesh.disable_y_mesh()
                .x_label_formatter(&tick_text)
                .x_desc(spec.y_label.as_str())
                .y_desc(layout.x_desc.as_str());
        } else {
            mesh.disable_x_mesh()
                .y_label_formatter(&tick_text)
                .x_desc(layout.x_desc.as_str())
                .y_desc(spec.y_label.as_str());
        }
        mesh.draw().map_err(backend_error)?;

        // Chart coordinates (category position, value) to pixels; category 0 is at the top of a horizontal chart.
        let at = |c: f64, v: f64| {
            if horizontal {
                chart.backend_coord(&(v, (n - 1) as f64 - c))
            } else {
                chart.backend_coord(&(c, v))
            }
        };
        let (px_x, px_y) = chart.plotting_area().get_pixel_range();
        let base = 0f64.clamp(axis.lo, axis.hi);
        if axis.lo < 0.0 {
            path(
                root,
                vec![at(-0.5, 0.0), at(n as f64 - 0.5, 0.0)],
                AXIS.stroke_width(1),
            )?;
        }

        if bars {
            paint_bars(root, &at, data, forest, &layout, base)?;
        } else {
            paint_lines(root, &at, data, &layout)?;
        }

        if !horizontal {
            paint_breaks(root, &at, data, &layout, &px_y)?;
        }

        if no_figures {
            let centre = ((px_x.start + px_x.end) / 2, (px_y.start + px_y.end) / 2);
            text(
                root,
                "No figures to show",
                centre,
                style(14.0, &MUTED, HPos::Center, VPos::Center),
            )?;
        }

        paint_category_labels(root, &at, &layout, &px_x, &px_y)?;
        paint_legend(root, &layout)?;
        Ok(())
    })?;
    Ok(svg)
}

/// Bars, grouped by category and coloured by series (or by a forest plot's finding), a gap
/// labelled `c` or "no data" in its slot (never a marker that reads as zero); then a forest plot's intervals, the comparators
/// and, on single-series bars, the value labels.
fn paint_bars(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    data: &ChartData,
    forest: Option<&Forest>,
    layout: &Layout,
    base: f64,
) -> Result<(), ChartError> {
    let &Layout {
        horizontal,
        n,
        k,
        labelled,
        slot,
        ..
    } = layout;
    let value_labels = &layout.value_labels;
    let group = 0.72;
    let width = group / k as f64;
    let gap = if k > 1 { 1 } else { 0 };
    for (si, s) in data.series.iter().enumerate() {
        for (ci, v) in s.values.iter().enumerate() {
            let c0 = ci as f64 - group / 2.0 + si as f64 * width;
            let c1 = c0 + width;
            match v {
                Some(v) => {
                    let (a, b) = (at(c0, base), at(c1, *v));
                    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
                    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
                    let (x0, x1, y0, y1) = if horizontal {
                        (x0, x1, y0 + gap, y1)
                    } else {
                        (x0, x1 - gap, y0, y1)
                    };
                    let fill = forest
                        .and_then(|f| f.tones.get(ci).copied())
                        .unwrap_or(colour(si));
                    root.draw(&Rectangle::new(
                        [(x0, y0), (x1.max(x0 + 1), y1.max(y0 + 1))],
                        fill.filled(),
                    ))
                    .map_err(backend_error)?;
                }
                None => gap_label(root, at, s, ci, (c0 + c1) / 2.0, base, layout)?,
            }
        }
    }
    paint_intervals(root, at, forest, horizontal)?;
    for (i, c) in data.comparators.iter().enumerate() {
        let present: Vec<f64> = c.values.iter().flatten().copied().collect();
        let constant = present.len() == n && present.iter().all(|v| *v == present[0]);
        if constant {
            dashed(
                root,
                &[at(-0.5, present[0]), at(n as f64 - 0.5, present[0])],
                i,
                2,
            )?;
        } else {
            for (ci, v) in c.values.iter().enumerate() {
                if let Some(v) = v {
                    let half = group / 2.0 + 0.06;
                    dashed(
                        root,
                        &[at(ci as f64 - half, *v), at(ci as f64 + half, *v)],
                        i,
                        3,
                    )?;
                }
            }
        }
    }
    if labelled {
        let fits = horizontal
            || value_labels
                .iter()
                .flatten()
                .all(|l| text_width(l, LABEL_PX) <= slot - 4.0);
        for (ci, (label, v)) in value_labels.iter().zip(&data.series[0].values).enumerate() {
            let (Some(label), Some(v)) = (label, v) else {
                continue;
            };
            if !fits {
                break;
            }
            let (x, y) = at(ci as f64, *v);
            if horizontal {
                // A negative bar's label sits just right of zero, so a long bar
                // cannot push it into the category names.
                let (hx, anchor) = if *v < 0.0 {
                    (at(ci as f64, 0.0).0 + 5, HPos::Left)
                } else {
                    (x + 5, HPos::Left)
                };
                text(
                    root,
                    label,
                    (hx, y),
                    style(LABEL_PX, &TEXT, anchor, VPos::Center),
                )?;
            } else if *v < 0.0 {
                text(
                    root,
                    label,
                    (x, y + 3),
                    style(LABEL_PX, &TEXT, HPos::Center, VPos::Top),
                )?;
            } else {
                text(
                    root,
                    label,
                    (x, y - 3),
                    style(LABEL_PX, &TEXT, HPos::Center, VPos::Bottom),
                )?;
            }
        }
    }
    Ok(())
}

/// A forest plot's intervals: a line from lower to upper through the bar's middle,
/// with end caps.
fn paint_intervals(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    forest: Option<&Forest>,
    horizontal: bool,
) -> Result<(), ChartError> {
    for (ci, iv) in forest.iter().flat_map(|f| f.intervals.iter().enumerate()) {
        if let Some((a, b)) = iv {
            let (p, q) = (at(ci as f64, *a), at(ci as f64, *b));
            path(root, vec![p, q], TEXT.stroke_width(2))?;
            for end in [p, q] {
                let cap = if horizontal {
                    vec![(end.0, end.1 - 5), (end.0, end.1 + 5)]
                } else {
                    vec![(end.0 - 5, end.1), (end.0 + 5, end.1)]
                };
                path(root, cap, TEXT.stroke_width(2))?;
            }
        }
    }
    Ok(())
}

/// Lines: comparators dashed underneath, then each series as solid runs (broken at gaps and
/// series breaks) and its markers, hollow on the axis where a figure is missing.
fn paint_lines(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    data: &ChartData,
    layout: &Layout,
) -> Result<(), ChartError> {
    let axis = &layout.axis;
    for (i, c) in data.comparators.iter().enumerate() {
        for run in runs(&c.values) {
            let points: Vec<(i32, i32)> = if let [(ci, v)] = run[..] {
                vec![at(ci as f64 - 0.3, v), at(ci as f64 + 0.3, v)]
            } else {
                run.iter().map(|(ci, v)| at(*ci as f64, *v)).collect()
            };
            dashed(root, &points, i, 2)?;
        }
    }
    for (si, s) in data.series.iter().enumerate() {
        for run in runs(&s.values)
            .into_iter()
            .flat_map(|r| cut(r, &data.breaks))
            .filter(|r| r.len() > 1)
        {
            path(
                root,
                run.iter().map(|(ci, v)| at(*ci as f64, *v)).collect(),
                colour(si).stroke_width(3),
            )?;
        }
    }
    for (si, s) in data.series.iter().enumerate() {
        for (ci, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => marker(root, shape(si), at(ci as f64, *v), colour(si), true)?,
                None => {
                    // The label sits where the line would pass, between the figures either
                    // side, so it reads as a gap in this series and never as a zero.
                    let before = s.values[..ci].iter().rev().flatten().next();
                    let after = s.values[ci + 1..].iter().flatten().next();
                    let y = match (before, after) {
                        (Some(a), Some(b)) => (a + b) / 2.0,
                        (Some(a), None) | (None, Some(a)) => *a,
                        (None, None) => (axis.lo + axis.hi) / 2.0,
                    };
                    gap_label(root, at, s, ci, ci as f64, y, layout)?
                }
            }
        }
    }
    Ok(())
}

/// The label of a gap in `series` at category `ci`, drawn at chart position (`c`, `v`):
/// `c` for a suppressed figure, "no data" for a missing one, in muted italics. On vertical
/// bars it stands just above the baseline; on horizontal bars just right of it; on a line
/// it is centred where the line would have passed.
fn gap_label(
    root: &Area,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    series: &super::data::Series,
    ci: usize,
    c: f64,
    v: f64,
    layout: &Layout,
) -> Result<(), ChartError> {
    let Some(label) = series.gap_label(ci) else {
        return Ok(());
    };
    let (x, y) = at(c, v);
    let gap_style = |h: HPos, vp: VPos| {
        ("sans-serif", LABEL_PX * 1.24)
            .into_font()
            .style(FontStyle::Italic)
            .color(&MUTED)
            .pos(Pos::new(h, vp))
    };
    if layout.bars && layout.horizontal {
        text(root, label, (x + 5, y), gap_style(HPos::Left, VPos::Center))
    } else if layout.bars {
        if text_width(label, LABEL_PX) > layout.slot / layout.k as f64 {
            // Too wide for its slot: it reads upwards from the baseline.
            let up = gap_style(HPos::Left, VPos::Center).transform(FontTransform::Rotate270);
            text(root, label, (x, y - 4), up)
        } else {
            text(
                root,
                label,
                (x, y - 4),
                gap_style(HPos::Center, VPos::Bottom),
            )
        }
    } else {
        text(root, label, (x, y), gap_style(HPos::Center, VPos::Center))
    }
}
