//! The layout step: everything a chart measures before it draws — the value axis, the room
//! round the plot, the legend's rows, the category slots and labels, and the SVG's height.

use super::axes::{CategoryLabels, ValueAxis, category_labels, value_axis};
use super::data::{ChartData, Forest};
use super::legend::{Swatch, legend_items, legend_rows, row_height, swatch_width};
use super::style::{DESC_AREA, HEIGHT, LABEL_PX, LINE_GAP, PAD, TICK, WIDTH, text_width, wrap};
use crate::analysis::{ChartKind, ChartSpec, Unit};
use crate::render::format::format_number;
use crate::render::words::prettify;

/// The box a chart is drawn in: its width, its least height and plot height, and a value range
/// its axis must cover (small multiples share one scale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Frame {
    pub(super) width: u32,
    pub(super) min_height: u32,
    pub(super) min_plot: i32,
    pub(super) span: Option<(f64, f64)>,
}

impl Frame {
    /// A chart on its own: the page's full width.
    pub(super) const FULL: Frame = Frame {
        width: WIDTH,
        min_height: HEIGHT,
        min_plot: 180,
        span: None,
    };

    /// A chart set three across: drawn 270 pixels wide (scaled to a third of the page, its
    /// labels a little smaller than a full chart's), room for "2024/25" under each of three years.
    pub(super) const THIRD: Frame = Frame {
        width: 270,
        min_height: 170,
        min_plot: 100,
        span: None,
    };
}

/// Where everything goes on a line, bar or forest chart, measured before anything is drawn;
/// [`super::paint::draw`] paints from it.
pub(super) struct Layout {
    /// Horizontal bars: categories down the left, values along the bottom.
    pub(super) horizontal: bool,
    /// Bars (vertical or horizontal) rather than lines.
    pub(super) bars: bool,
    /// How many categories (at least one).
    pub(super) n: usize,
    /// How many series (at least one).
    pub(super) k: usize,
    /// No series, comparator or interval has a single figure to plot.
    pub(super) no_figures: bool,
    /// Single-series bars carry their value as a label.
    pub(super) labelled: bool,
    /// The value axis: range, ticks and the decimals their labels need.
    pub(super) axis: ValueAxis,
    /// The category axis's description.
    pub(super) x_desc: String,
    /// A horizontal chart's category names, one or two lines each (empty otherwise).
    pub(super) hbar_labels: Vec<Vec<String>>,
    /// Pixels left of the plot for its labels and axis description.
    pub(super) left_area: i32,
    /// The first series' figures as labels (None where a figure is missing).
    pub(super) value_labels: Vec<Option<String>>,
    /// Pixels right of the plot.
    pub(super) right: i32,
    /// The plot's left edge, where the legend starts too.
    pub(super) plot_left: i32,
    /// Legend entries, each label one line or two (wrapped to fit).
    pub(super) legend: Vec<(Swatch, Vec<String>)>,
    /// The legend laid out in rows: each row a list of (entry, x offset).
    pub(super) rows: Vec<Vec<(usize, i32)>>,
    /// Pixels above the plot (the legend's rows and the outer margin).
    pub(super) top: i32,
    /// Pixels per category along the plot's width.
    pub(super) slot: f64,
    /// Category labels along the bottom (None for horizontal bars).
    pub(super) labels: Option<CategoryLabels>,
    /// Pixels below the plot for the category labels and the axis description.
    pub(super) bottom_area: i32,
    /// The SVG's width in pixels.
    pub(super) width: u32,
    /// The SVG's height in pixels.
    pub(super) height: u32,
}

impl Layout {
    /// Measures `data` drawn as `spec` declares (with `forest`'s intervals, if any) in `frame`.
    pub(super) fn of(
        spec: &ChartSpec,
        data: &ChartData,
        forest: Option<&Forest>,
        frame: &Frame,
    ) -> Layout {
        let unit = spec.unit;
        let horizontal = spec.kind == ChartKind::HBar;
        let bars = spec.kind != ChartKind::Line;
        let n = data.categories.len().max(1);
        let k = data.series.len().max(1);
        let fmt = |v: f64| format_number(v, unit);

        let values: Vec<f64> = data
            .series
            .iter()
            .chain(&data.comparators)
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(
                forest
                    .iter()
                    .flat_map(|f| f.intervals.iter().flatten().flat_map(|(a, b)| [*a, *b])),
            )
            .collect();
        let no_figures = values.is_empty();
        let values: Vec<f64> = values
            .into_iter()
            .chain(frame.span.iter().flat_map(|(lo, hi)| [*lo, *hi]))
            .collect();
        let zero_based = bars
            || matches!(
                unit,
                Unit::Percent | Unit::Count | Unit::Per100 | Unit::Pounds
            );
        // Value labels on single-series bars: beside horizontal bars, above vertical ones if they fit.
        // Not with comparators, whose markers would run through them (the data table has the figures).
        let labelled = bars && k == 1 && data.comparators.is_empty() && forest.is_none();
        let axis = value_axis(
            &values,
            unit,
            zero_based,
            if labelled && !horizontal { 0.08 } else { 0.0 },
        );
        let tick_text = |v: &f64| axis.tick_label(*v, unit);
        let tick_width = axis
            .ticks
            .iter()
            .map(|t| text_width(&tick_text(t), LABEL_PX))
            .fold(0.0, f64::max);
        let x_desc = spec.x_label.clone().unwrap_or_else(|| prettify(&spec.x));

        // Left side: value ticks, or category names for horizontal bars.
        let width = frame.width;
        let cap = width as f64 * 0.34;
        let hbar_labels: Vec<Vec<String>> = if horizontal {
            data.categories
                .iter()
                .map(|c| wrap(c, cap, LABEL_PX))
                .collect()
        } else {
            Vec::new()
        };
        let left_labels = if horizontal {
            hbar_labels
                .iter()
                .flatten()
                .map(|l| text_width(l, LABEL_PX))
                .fold(0.0, f64::max)
        } else {
            tick_width
        };
        let left_area = left_labels.ceil() as i32 + 2 * TICK + 8 + DESC_AREA;
        let value_labels: Vec<Option<String>> =
            data.series[0].values.iter().map(|v| v.map(fmt)).collect();
        let right = if horizontal && labelled {
            PAD + 8
                + value_labels
                    .iter()
                    .flatten()
                    .map(|l| text_width(l, LABEL_PX).ceil() as i32)
                    .max()
                    .unwrap_or(0)
        } else {
            PAD + 8
        };
        let plot_left = PAD + left_area;
        let plot_w = (width as i32 - plot_left - right).max(40);

        let legend_width = width as i32 - plot_left - PAD;
        // A label too long for the legend's width (a chart set three across) wraps onto a
        // second line rather than losing its end.
        let legend: Vec<(Swatch, Vec<String>)> = legend_items(spec, data)
            .into_iter()
            .map(|(swatch, label)| {
                let room = (legend_width - swatch_width(swatch) - 6) as f64;
                (swatch, wrap(&label, room, LABEL_PX))
            })
            .collect();
        let rows = legend_rows(&legend, legend_width);
        let legend_height: i32 = rows.iter().map(|r| row_height(&legend, r)).sum();
        let top = PAD + 10 + legend_height + if labelled && !horizontal { 6 } else { 0 };

        let slot = plot_w as f64 / n as f64;
        let labels = if horizontal {
            None
        } else {
            Some(category_labels(&data.categories, slot))
        };
        let bottom_area = labels
            .as_ref()
            .map(CategoryLabels::height)
            .unwrap_or(6 + LINE_GAP + 4)
            + DESC_AREA;
        let height = if horizontal {
            let per =
                (12 * k as i32 + 12)
                    .max(24)
                    .max(if hbar_labels.iter().any(|l| l.len() > 1) {
                        32
                    } else {
                        0
                    });
            (frame.min_height as i32).max(top + bottom_area + PAD + n as i32 * per) as u32
        } else {
            // Taller only when a long legend or long labels would squeeze the plot.
            (frame.min_height as i32).max(top + bottom_area + PAD + frame.min_plot) as u32
        };

        Layout {
            horizontal,
            bars,
            n,
            k,
            no_figures,
            labelled,
            axis,
            x_desc,
            hbar_labels,
            left_area,
            value_labels,
            right,
            plot_left,
            legend,
            rows,
            top,
            slot,
            labels,
            bottom_area,
            width,
            height,
        }
    }
}
