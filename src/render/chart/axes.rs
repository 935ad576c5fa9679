//! The chart's axes: the value axis's nice range and ticks (and the plotters coordinate that
//! uses exactly those), and how category labels fit along the bottom.

use super::data::split_term;
use super::style::{LABEL_PX, LINE_GAP, text_width, truncate, wrap};
use crate::analysis::Unit;
use crate::render::format::format_tick;
use crate::render::words::capitalise;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// A linear axis with the tick values we chose (plotters would pick its own for an `f64` range).
pub(super) struct Scale {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for Scale {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = if self.hi > self.lo {
            (value - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        };
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// The value axis: its range, the ticks on it and the decimals their labels need.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ValueAxis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
    pub(super) decimals: usize,
}

impl ValueAxis {
    /// A tick's label: the unit's style with the axis's decimals, the same text the layout
    /// measures and the painter draws.
    pub(super) fn tick_label(&self, value: f64, unit: Unit) -> String {
        format_tick(value, unit, self.decimals)
    }
}

fn nice_step(raw: f64) -> f64 {
    let base = 10f64.powf(raw.log10().floor());
    let f = raw / base;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * base
}

fn decimals_of(step: f64) -> usize {
    (0..6)
        .find(|d| {
            let s = step * 10f64.powi(*d as i32);
            (s - s.round()).abs() < 1e-6
        })
        .unwrap_or(6)
}

/// A zero-based axis for counts, rates and bars (so bar lengths and levels are honest);
/// a padded one otherwise. Percentages stop at 100% when the data do.
pub(super) fn value_axis(values: &[f64], unit: Unit, zero_based: bool, headroom: f64) -> ValueAxis {
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, if unit == Unit::Percent { 100.0 } else { 1.0 });
    }
    let data_max = hi;
    if zero_based {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    } else {
        let pad = if hi > lo {
            (hi - lo) * 0.1
        } else {
            (hi.abs() * 0.1).max(1.0)
        };
        lo -= pad;
        hi += pad;
    }
    if hi - lo < 1e-9 {
        hi = lo + if unit == Unit::Percent { 10.0 } else { 1.0 };
    }
    hi += (hi - lo) * headroom;
    let mut step = nice_step((hi - lo) / 5.0);
    if unit == Unit::Count || unit == Unit::Pounds {
        step = if step < 1.0 {
            1.0
        } else if step == 2.5 {
            2.0
        } else {
            step
        };
    }
    let (first, last) = ((lo / step).floor(), (hi / step).ceil());
    if !step.is_finite() || !(last - first).is_finite() || last - first > 50.0 {
        // Only for absurd magnitudes: two ticks at the ends rather than a runaway loop.
        return ValueAxis {
            lo,
            hi,
            ticks: vec![lo, hi],
            decimals: 0,
        };
    }
    let (first, mut last) = (first as i64, last as i64);
    if unit == Unit::Percent
        && data_max <= 100.0
        && (last as f64) * step > 100.0
        && (100.0 / step).fract().abs() < 1e-9
    {
        last = (100.0 / step).round() as i64;
    }
    let decimals = decimals_of(step);
    let scale = 10f64.powi(decimals as i32);
    let ticks: Vec<f64> = (first..=last)
        .map(|k| ((k as f64) * step * scale).round() / scale)
        .collect();
    ValueAxis {
        lo: first as f64 * step,
        hi: last as f64 * step,
        ticks,
        decimals,
    }
}

/// Category labels along the bottom of a line or bar chart.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CategoryLabels {
    /// Terms: the term name under each point and the academic year centred under its terms.
    Terms {
        names: Vec<Option<String>>,
        years: Vec<(f64, String)>,
        bounds: Vec<f64>,
    },
    /// One or two horizontal lines per category (None where thinned out).
    Lines(Vec<Option<Vec<String>>>),
    /// Vertical text, for many or long categories.
    Rotated(Vec<Option<String>>),
}

impl CategoryLabels {
    /// Pixels the labels need below the axis.
    pub(super) fn height(&self) -> i32 {
        match self {
            CategoryLabels::Terms { .. } => 6 + 2 * LINE_GAP + 4,
            CategoryLabels::Lines(l) => {
                let lines = l.iter().flatten().map(Vec::len).max().unwrap_or(1) as i32;
                6 + lines * LINE_GAP + 4
            }
            CategoryLabels::Rotated(l) => {
                10 + l
                    .iter()
                    .flatten()
                    .map(|s| text_width(s, LABEL_PX).ceil() as i32)
                    .max()
                    .unwrap_or(0)
            }
        }
    }
}

/// Every `stride`-th label, so thinned-out axes stay regular.
fn thinned<T>(items: Vec<T>, stride: usize) -> Vec<Option<T>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i % stride.max(1) == 0).then_some(t))
        .collect()
}

pub(super) fn category_labels(categories: &[String], slot: f64) -> CategoryLabels {
    let px = LABEL_PX;
    let terms: Option<Vec<(&str, &str)>> = categories.iter().map(|c| split_term(c)).collect();
    if let Some(terms) = terms {
        let long = slot >= text_width("Autumn", px) + 6.0;
        let stride = (((text_width("Aut", px) + 6.0) / slot).ceil() as usize).max(1);
        let names = terms
            .iter()
            .map(|(_, t)| {
                let t = capitalise(t);
                if long { t } else { t.chars().take(3).collect() }
            })
            .collect();
        let mut years = Vec::new();
        let mut bounds = Vec::new();
        let mut start = 0;
        for i in 1..=terms.len() {
            if i == terms.len() || terms[i].0 != terms[start].0 {
                let year = terms[start].0;
                let span = (i - start) as f64 * slot;
                let label = if span >= text_width(year, px) + 4.0 {
                    Some(year.to_string())
                } else {
                    let short = year.get(2..).unwrap_or(year);
                    (span >= text_width(short, px) + 2.0).then(|| short.to_string())
                };
                if let Some(label) = label {
                    years.push(((start + i - 1) as f64 / 2.0, label));
                }
                if i < terms.len() {
                    bounds.push(i as f64 - 0.5);
                }
                start = i;
            }
        }
        return CategoryLabels::Terms {
            names: thinned(names, stride),
            years,
            bounds,
        };
    }
    let room = slot - 6.0;
    if categories.iter().all(|c| text_width(c, px) <= room) {
        return CategoryLabels::Lines(categories.iter().map(|c| Some(vec![c.clone()])).collect());
    }
    let wrapped: Vec<Vec<String>> = categories.iter().map(|c| wrap(c, room, px)).collect();
    if wrapped
        .iter()
        .all(|w| w.len() <= 2 && !w.iter().any(|l| l.ends_with('…')))
    {
        return CategoryLabels::Lines(wrapped.into_iter().map(Some).collect());
    }
    let stride = ((px + 4.0) / slot).ceil() as usize;
    CategoryLabels::Rotated(thinned(
        categories.iter().map(|c| truncate(c, 110.0, px)).collect(),
        stride,
    ))
}
