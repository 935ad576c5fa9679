//! Charts: an analysis's chart declaration and its result become an accessible inline SVG
//! (drawn with plotters) and a one-sentence plain-English summary of what the chart shows.
//!
//! Charts are built to be read on paper as well as on screen: Okabe–Ito colours that survive
//! colour blindness, a different marker per series so lines survive greyscale printing, dashed
//! grey comparators, gaps (never zeros) where a figure is suppressed or missing, and output that
//! is byte-for-byte the same for the same inputs.

use super::format::{format_number, format_tick};
use super::words::capitalise;
pub use super::words::prettify;
use crate::analysis::{ChartKind, ChartSpec};
use crate::run::{ResultTable, Value};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawn chart: the `<svg>` element to inline in the page and a sentence saying what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// A complete `<svg>` element, 100% wide, with `role="img"`, `<title>` and `<desc>`.
    pub svg: String,
    /// One plain-English sentence saying what the chart shows, for the caption.
    pub summary: String,
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
    if table.rows.is_empty() {
        let summary = "No data for this chart.".to_string();
        let svg = finish_svg(&draw_empty()?, spec, &summary);
        return Ok(RenderedChart { svg, summary });
    }
    let mut data = extract(spec, table)?;
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
    let mut summary = summarise(spec, &data);
    if forest.is_some() {
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
    let svg = finish_svg(&draw(spec, &data, forest.as_ref())?, spec, &summary);
    Ok(RenderedChart { svg, summary })
}

/// A forest plot's rows: each category's interval (none where either end is missing) and
/// the colour its finding gives its bar.
struct Forest {
    intervals: Vec<Option<(f64, f64)>>,
    tones: Vec<RGBColor>,
}

fn forest_rows(spec: &ChartSpec, table: &ResultTable) -> Result<Option<Forest>, ChartError> {
    let Some(f) = &spec.forest else {
        return Ok(None);
    };
    let col = |name: &str| {
        table
            .column_index(name)
            .ok_or_else(|| ChartError::MissingColumn {
                column: name.to_string(),
                role: "interval",
                available: table.columns.clone(),
            })
    };
    let (lo, hi) = (col(&f.lower)?, col(&f.upper)?);
    let by = f.colour_by.as_deref().map(col).transpose()?;
    let mut intervals = Vec::new();
    let mut tones = Vec::new();
    for (n, r) in table.rows.iter().enumerate() {
        let a = numeric(cell(r, lo), &f.lower, "interval", n)?;
        let b = numeric(cell(r, hi), &f.upper, "interval", n)?;
        intervals.push(a.zip(b));
        let finding = by.map(|i| cell(r, i).to_string().to_ascii_lowercase());
        tones.push(match finding.as_deref() {
            Some(t) if t.starts_with("facilitator") => colour(0),
            Some(t) if t.starts_with("barrier") => colour(1),
            Some(_) => NO_FINDING,
            None => colour(0),
        });
    }
    Ok(Some(Forest { intervals, tones }))
}

/// A label for the middle of a sentence: "Overall absence rate" → "overall absence rate",
/// but "CLA rate" and "KS2 expected" keep their capitals.
fn lower_first(s: &str) -> String {
    let first = s.split(' ').next().unwrap_or_default();
    let letters: Vec<char> = first.chars().filter(|c| c.is_alphabetic()).collect();
    let acronym = letters.len() > 1 && letters.iter().filter(|c| c.is_uppercase()).count() > 1;
    if acronym {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Data: the declaration applied to the result table.

/// One plotted line or bar colour: a name and one value per category (None is a gap).
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    values: Vec<Option<f64>>,
}

/// What a chart draws, independent of how: categories in row order, series and comparators.
#[derive(Debug, Clone, PartialEq)]
struct ChartData {
    categories: Vec<String>,
    series: Vec<Series>,
    comparators: Vec<Series>,
    /// Series names come from the values of a `series` column (data), not column names.
    series_from_column: bool,
    /// Categories where a new analysis version starts: lines are not joined across them.
    breaks: Vec<usize>,
}

static NULL: Value = Value::Null;

fn cell(row: &[Value], i: usize) -> &Value {
    row.get(i).unwrap_or(&NULL)
}

/// A cell as a category label.
fn category(v: &Value) -> String {
    match v {
        Value::Null => "(blank)".to_string(),
        other => other.to_string(),
    }
}

/// A cell as a plotted number: null, non-finite numbers and suppressed figures (`c`) are
/// gaps; other text is an error.
fn numeric(
    v: &Value,
    column: &str,
    role: &'static str,
    row: usize,
) -> Result<Option<f64>, ChartError> {
    let found = match v {
        Value::Null => return Ok(None),
        Value::Suppressed => return Ok(None),
        Value::Int(i) => return Ok(Some(*i as f64)),
        Value::Float(f) => return Ok(f.is_finite().then_some(*f)),
        Value::Bool(_) => "the true/false value",
        Value::Text(_) => "the text",
        Value::Date(_) => "the date",
    };
    Err(ChartError::NotNumeric {
        column: column.to_string(),
        role,
        row: row + 1,
        found,
        value: v.to_string(),
    })
}

fn extract(spec: &ChartSpec, table: &ResultTable) -> Result<ChartData, ChartError> {
    let col = |name: &str, role: &'static str| {
        table
            .column_index(name)
            .ok_or_else(|| ChartError::MissingColumn {
                column: name.to_string(),
                role,
                available: table.columns.clone(),
            })
    };
    if spec.y.is_empty() {
        return Err(ChartError::Spec("it names no y column".to_string()));
    }
    let x = col(&spec.x, "x")?;
    let ys = spec
        .y
        .iter()
        .map(|y| col(y, "y").map(|i| (y, i)))
        .collect::<Result<Vec<_>, _>>()?;
    let split = spec
        .series
        .as_deref()
        .map(|s| col(s, "series").map(|i| (s, i)))
        .transpose()?;
    let comps = spec
        .comparators
        .iter()
        .map(|c| col(c, "comparator").map(|i| (c, i)))
        .collect::<Result<Vec<_>, _>>()?;

    let Some((_, split)) = split else {
        let categories = table.rows.iter().map(|r| category(cell(r, x))).collect();
        let column =
            |(name, i): &(&String, usize), role: &'static str| -> Result<Series, ChartError> {
                let values = table
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(n, r)| numeric(cell(r, *i), name, role, n))
                    .collect::<Result<_, _>>()?;
                Ok(Series {
                    name: prettify(name),
                    values,
                })
            };
        return Ok(ChartData {
            categories,
            series: ys
                .iter()
                .map(|y| column(y, "y"))
                .collect::<Result<_, _>>()?,
            comparators: comps
                .iter()
                .map(|c| column(c, "comparator"))
                .collect::<Result<_, _>>()?,
            series_from_column: false,
            breaks: Vec::new(),
        });
    };
    let [(y_name, y)] = ys[..] else {
        return Err(ChartError::Spec(format!(
            "a `series` column needs exactly one y column, and it names {}",
            ys.len()
        )));
    };
    // Categories and series in order of first appearance; linear search keeps the order stable.
    let mut categories: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut cells: Vec<(usize, usize, Option<f64>)> = Vec::new();
    let mut comp_values: Vec<Vec<Option<f64>>> = vec![Vec::new(); comps.len()];
    for (n, r) in table.rows.iter().enumerate() {
        let c = category(cell(r, x));
        let ci = categories.iter().position(|k| *k == c).unwrap_or_else(|| {
            categories.push(c);
            comp_values.iter_mut().for_each(|v| v.push(None));
            categories.len() - 1
        });
        let s = category(cell(r, split));
        let si = names.iter().position(|k| *k == s).unwrap_or_else(|| {
            names.push(s);
            names.len() - 1
        });
        cells.push((si, ci, numeric(cell(r, y), y_name, "y", n)?));
        for (values, (name, i)) in comp_values.iter_mut().zip(&comps) {
            let v = numeric(cell(r, *i), name, "comparator", n)?;
            if let Some(slot) = values.get_mut(ci)
                && slot.is_none()
            {
                *slot = v;
            }
        }
    }
    let mut series: Vec<Series> = names
        .into_iter()
        .map(|name| Series {
            name,
            values: vec![None; categories.len()],
        })
        .collect();
    for (si, ci, v) in cells {
        if let Some(slot) = series.get_mut(si).and_then(|s| s.values.get_mut(ci))
            && slot.is_none()
        {
            *slot = v;
        }
    }
    let comparators = comps
        .iter()
        .zip(comp_values)
        .map(|((name, _), values)| Series {
            name: prettify(name),
            values,
        })
        .collect();
    Ok(ChartData {
        categories,
        series,
        comparators,
        series_from_column: true,
        breaks: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Summary sentence.

/// "2023-24-autumn" → ("2023-24", "autumn") when the text is a term.
fn split_term(s: &str) -> Option<(&str, &str)> {
    let (year, term) = (s.get(..7)?, s.get(8..)?);
    let b = year.as_bytes();
    let year_ok =
        b.len() == 7 && b[4] == b'-' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit);
    (year_ok
        && s.as_bytes().get(7) == Some(&b'-')
        && matches!(term, "autumn" | "spring" | "summer"))
    .then_some((year, term))
}

/// A category as written in a sentence: terms as "autumn term 2023", years as "2023/24",
/// anything else as it is.
fn spoken(category: &str) -> String {
    match super::words::term_label(category) {
        Some(t) => lower_first(&t),
        None => super::words::year_label(category).unwrap_or_else(|| category.to_string()),
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn last_some(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))
}

fn summarise(spec: &ChartSpec, data: &ChartData) -> String {
    let noun = if spec.kind == ChartKind::Line {
        "point"
    } else {
        "bar"
    };
    let total: usize = data.series.iter().map(|s| s.values.len()).sum();
    let missing: usize = data
        .series
        .iter()
        .map(|s| s.values.iter().filter(|v| v.is_none()).count())
        .sum();
    if missing == total {
        return format!(
            "No figures to show: {} suppressed or missing.",
            if total == 1 {
                "the only point is".to_string()
            } else {
                format!("all {total} {noun}s are")
            }
        );
    }
    let body = match spec.kind {
        ChartKind::Line => line_summary(spec, data),
        ChartKind::Bar | ChartKind::HBar => bar_summary(spec, data),
    };
    let tail = if missing > 0 {
        format!("; {} suppressed or missing", plural(missing, noun))
    } else {
        String::new()
    };
    format!("{body}{tail}.")
}

fn series_label(data: &ChartData, s: &Series) -> String {
    if data.series_from_column {
        s.name.clone()
    } else {
        lower_first(&s.name)
    }
}

/// Comparators at category `at` (or their latest figure, saying when): "national CLA 9.0%".
fn comparator_phrases(spec: &ChartSpec, data: &ChartData, at: usize) -> Vec<String> {
    data.comparators
        .iter()
        .filter_map(|c| {
            let name = lower_first(&c.name);
            match c.values.get(at).copied().flatten() {
                Some(v) => Some(format!("{name} {}", format_number(v, &spec.unit))),
                None => last_some(&c.values).map(|(j, v)| {
                    format!(
                        "{name} {} in {}",
                        format_number(v, &spec.unit),
                        spoken(&data.categories[j])
                    )
                }),
            }
        })
        .collect()
}

fn line_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, &spec.unit);
    let cat = |i: usize| spoken(&data.categories[i]);
    let (body, at) = match &data.series[..] {
        [s] if !data.series_from_column => {
            let first = s
                .values
                .iter()
                .enumerate()
                .find_map(|(i, v)| v.map(|v| (i, v)));
            match (first, last_some(&s.values)) {
                (Some((i, a)), Some((j, b))) if i != j => (
                    format!(
                        "{} went from {} in {} to {} in {}",
                        s.name,
                        fmt(a),
                        cat(i),
                        fmt(b),
                        cat(j)
                    ),
                    j,
                ),
                (_, Some((j, b))) => (format!("{} was {} in {}", s.name, fmt(b), cat(j)), j),
                _ => (String::new(), 0),
            }
        }
        all => {
            let at = all
                .iter()
                .filter_map(|s| last_some(&s.values))
                .map(|(i, _)| i)
                .max()
                .unwrap_or(0);
            let items: Vec<String> = all
                .iter()
                .map(|s| {
                    let name = series_label(data, s);
                    match (s.values.get(at).copied().flatten(), last_some(&s.values)) {
                        (Some(v), _) => format!("{name} {}", fmt(v)),
                        (None, Some((j, v))) => format!("{name} {} in {}", fmt(v), cat(j)),
                        (None, None) => format!("{name} no figures"),
                    }
                })
                .collect();
            (format!("In {}: {}", cat(at), join_and(&items)), at)
        }
    };
    let comps = comparator_phrases(spec, data, at);
    if comps.is_empty() {
        body
    } else {
        format!("{body} ({})", comps.join(", "))
    }
}

fn bar_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, &spec.unit);
    let many = data.series.len() > 1;
    let label = |si: usize, ci: usize| {
        let c = spoken(&data.categories[ci]);
        if many {
            format!("{c}, {}", series_label(data, &data.series[si]))
        } else {
            c
        }
    };
    let bars: Vec<(usize, usize, f64)> = data
        .series
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.values
                .iter()
                .enumerate()
                .filter_map(move |(ci, v)| v.map(|v| (si, ci, v)))
        })
        .collect();
    // Row order within a series, then series order: ties go to the first.
    let mut hi = bars[0];
    let mut lo = bars[0];
    for &b in &bars[1..] {
        if b.2 > hi.2 {
            hi = b;
        }
        if b.2 < lo.2 {
            lo = b;
        }
    }
    let mut body = if bars.len() == 1 {
        format!("{}: {}", label(hi.0, hi.1), fmt(hi.2))
    } else if hi.2 == lo.2 {
        format!("All {} bars show {}", bars.len(), fmt(hi.2))
    } else {
        format!(
            "Highest: {} ({}); lowest: {} ({})",
            label(hi.0, hi.1),
            fmt(hi.2),
            label(lo.0, lo.1),
            fmt(lo.2)
        )
    };
    // Comparators at their latest figure; "in <category>" only where they vary, said once if shared.
    let mut constant = Vec::new();
    let mut latest: Vec<(usize, String)> = Vec::new();
    for c in &data.comparators {
        let Some((j, v)) = last_some(&c.values) else {
            continue;
        };
        let phrase = format!("{} {}", lower_first(&c.name), fmt(v));
        if c.values.iter().flatten().all(|x| *x == v) {
            constant.push(phrase)
        } else {
            latest.push((j, phrase))
        }
    }
    let mut comps = vec![join_and(&constant)];
    match latest.first() {
        Some((j, _)) if latest.iter().all(|(k, _)| k == j) => {
            let phrases: Vec<String> = latest.iter().map(|(_, p)| p.clone()).collect();
            comps.push(format!(
                "in {}, {}",
                spoken(&data.categories[*j]),
                join_and(&phrases)
            ));
        }
        _ => comps.extend(
            latest
                .iter()
                .map(|(j, p)| format!("{p} in {}", spoken(&data.categories[*j]))),
        ),
    }
    comps.retain(|c| !c.is_empty());
    if !comps.is_empty() {
        body.push_str(&format!("; {}", comps.join("; ")));
    }
    body
}

// ---------------------------------------------------------------------------------------------
// Drawing.

const WIDTH: u32 = 720;
const HEIGHT: u32 = 360;
/// Outer margin around everything.
const PAD: i32 = 10;
/// Room for an axis description (rotated on the left, below the labels at the bottom).
const DESC_AREA: i32 = 22;
const TICK: i32 = 4;
const LABEL_PX: f64 = 12.0;
const DESC_PX: f64 = 12.5;
const LEGEND_ROW: i32 = 20;
const LINE_GAP: i32 = 14;

/// Okabe–Ito colours, darkest and most distinct first; yellow last as it is faint on white.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
];
const COMPARATOR: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
/// A forest plot's bar with no clear finding: mid grey, 3.3:1 on white, the interval line dark on it.
const NO_FINDING: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Dash patterns (on, off, ...) in pixels, one per comparator in turn.
const DASHES: [&[f64]; 3] = [&[7.0, 4.0], &[2.0, 3.0], &[10.0, 3.0, 2.0, 3.0]];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
}
const SHAPES: [Shape; 4] = [
    Shape::Circle,
    Shape::Square,
    Shape::Triangle,
    Shape::Diamond,
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn shape(i: usize) -> Shape {
    SHAPES[i % SHAPES.len()]
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A linear axis with the tick values we chose (plotters would pick its own for an `f64` range).
struct Scale {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
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

fn backend_error<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Backend(e.to_string())
}

/// A text style at `px` pixels (plotters' SVG backend writes `font-size` as size / 1.24).
fn style(px: f64, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", px * 1.24)
        .into_font()
        .color(color)
        .pos(Pos::new(h, v))
}

fn text(area: &Area, s: &str, at: (i32, i32), style: TextStyle<'static>) -> Result<(), ChartError> {
    area.draw(&Text::new(s.to_string(), at, style))
        .map_err(backend_error)
}

fn path(area: &Area, points: Vec<(i32, i32)>, style: ShapeStyle) -> Result<(), ChartError> {
    area.draw(&PathElement::new(points, style))
        .map_err(backend_error)
}

/// Estimated width in pixels of `s` in a sans-serif face at `px`; deliberately generous so
/// labels measured to fit do fit in the common faces (Arial, Helvetica, DejaVu Sans).
fn text_width(s: &str, px: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '-' | '/' => 0.38,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.9,
            c if c.is_ascii_uppercase() => 0.7,
            c if c.is_ascii_digit() => 0.62,
            _ => 0.58,
        })
        .sum::<f64>()
        * px
}

/// `s` cut with an ellipsis to fit `max` pixels.
fn truncate(s: &str, max: f64, px: f64) -> String {
    if text_width(s, px) <= max {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() && text_width(&format!("{}…", out.trim_end()), px) > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// `s` as one line, or two split at the space that best balances them, each cut to `max`.
fn wrap(s: &str, max: f64, px: f64) -> Vec<String> {
    if text_width(s, px) <= max {
        return vec![s.to_string()];
    }
    let best = s
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .map(|(i, _)| (i, text_width(&s[..i], px).max(text_width(&s[i + 1..], px))))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((i, _)) => vec![truncate(&s[..i], max, px), truncate(&s[i + 1..], max, px)],
        None => vec![truncate(s, max, px)],
    }
}

/// The value axis: its range, the ticks on it and the decimals their labels need.
#[derive(Debug, Clone, PartialEq)]
struct ValueAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    decimals: usize,
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
fn value_axis(values: &[f64], unit: &str, zero_based: bool, headroom: f64) -> ValueAxis {
    let unit = unit.to_ascii_lowercase();
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, if unit == "percent" { 100.0 } else { 1.0 });
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
        hi = lo + if unit == "percent" { 10.0 } else { 1.0 };
    }
    hi += (hi - lo) * headroom;
    let mut step = nice_step((hi - lo) / 5.0);
    if unit == "count" || unit == "pounds" {
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
    if unit == "percent"
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
enum CategoryLabels {
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
    fn height(&self) -> i32 {
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

fn category_labels(categories: &[String], slot: f64) -> CategoryLabels {
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

/// What a legend entry shows beside its text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Swatch {
    Line(usize),
    Bar(usize),
    Comparator(usize),
    Missing,
}

fn swatch_width(s: Swatch) -> i32 {
    match s {
        Swatch::Line(_) | Swatch::Comparator(_) => 28,
        Swatch::Bar(_) | Swatch::Missing => 12,
    }
}

fn legend_items(spec: &ChartSpec, data: &ChartData) -> Vec<(Swatch, String)> {
    let mut items = Vec::new();
    if data.series.len() > 1 || !data.comparators.is_empty() {
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
    if data
        .series
        .iter()
        .any(|s| s.values.iter().any(Option::is_none))
    {
        items.push((
            Swatch::Missing,
            "No figure (suppressed or missing)".to_string(),
        ));
    }
    items
}

/// Lays legend entries out in rows within `width`: each row a list of (entry, x offset).
fn legend_rows(items: &[(Swatch, String)], width: i32) -> Vec<Vec<(usize, i32)>> {
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut x = 0;
    for (i, (swatch, label)) in items.iter().enumerate() {
        let w = swatch_width(*swatch) + 6 + text_width(label, LABEL_PX).ceil() as i32;
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

/// Points along `points` split into dashes by `pattern` (on, off, on, off ... pixels).
fn dashes(points: &[(i32, i32)], pattern: &[f64]) -> Vec<Vec<(i32, i32)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    if pattern.is_empty() || pattern.iter().any(|p| *p <= 0.0) {
        return vec![points.to_vec()];
    }
    let mut current: Vec<(f64, f64)> = Vec::new();
    let (mut idx, mut left, mut on) = (0, pattern[0], true);
    for w in points.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        if len == 0.0 {
            continue;
        }
        if on && current.is_empty() {
            current.push(a);
        }
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if on {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            on = !on;
            idx = (idx + 1) % pattern.len();
            left = pattern[idx];
        }
        left -= len - t;
        if on {
            current.push(b);
        }
    }
    if on && current.len() >= 2 {
        out.push(current);
    }
    out.into_iter()
        .map(|d| {
            let mut pts: Vec<(i32, i32)> = d
                .into_iter()
                .map(|(x, y)| (x.round() as i32, y.round() as i32))
                .collect();
            pts.dedup();
            pts
        })
        .filter(|d| d.len() >= 2)
        .collect()
}

fn dashed(
    area: &Area,
    points: &[(i32, i32)],
    comparator: usize,
    stroke: u32,
) -> Result<(), ChartError> {
    for d in dashes(points, DASHES[comparator % DASHES.len()]) {
        path(area, d, COMPARATOR.stroke_width(stroke))?;
    }
    Ok(())
}

/// A series marker centred on `at`; hollow markers get a white fill so lines do not show through.
fn marker(
    area: &Area,
    shape: Shape,
    (x, y): (i32, i32),
    color: RGBColor,
    filled: bool,
) -> Result<(), ChartError> {
    let fill = color.filled();
    let outline = color.stroke_width(2);
    let draw = |e: Result<(), DrawingAreaErrorKind<std::io::Error>>| e.map_err(backend_error);
    match shape {
        Shape::Circle => {
            if filled {
                draw(area.draw(&Circle::new((x, y), 4, fill)))
            } else {
                draw(area.draw(&Circle::new((x, y), 4, WHITE.filled())))?;
                draw(area.draw(&Circle::new((x, y), 4, outline)))
            }
        }
        Shape::Square => {
            let corners = [(x - 4, y - 4), (x + 4, y + 4)];
            if filled {
                draw(area.draw(&Rectangle::new(corners, fill)))
            } else {
                draw(area.draw(&Rectangle::new(corners, WHITE.filled())))?;
                draw(area.draw(&Rectangle::new(corners, outline)))
            }
        }
        Shape::Triangle | Shape::Diamond => {
            let pts = if shape == Shape::Triangle {
                vec![(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
            } else {
                vec![(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)]
            };
            if filled {
                draw(area.draw(&Polygon::new(pts, fill)))
            } else {
                draw(area.draw(&Polygon::new(pts.clone(), WHITE.filled())))?;
                let mut closed = pts.clone();
                closed.push(pts[0]);
                path(area, closed, outline)
            }
        }
    }
}

fn draw_swatch(area: &Area, swatch: Swatch, (x, y): (i32, i32)) -> Result<(), ChartError> {
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
        Swatch::Missing => marker(area, Shape::Circle, (x + 6, y), MUTED, false),
    }
}

/// Consecutive runs of present values: [(start index, values)].
/// Splits a run of points wherever a series break falls inside it.
fn cut(run: Vec<(usize, f64)>, breaks: &[usize]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for p in run {
        if breaks.contains(&p.0) && out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(p);
        }
    }
    out
}

fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn svg_buffer(
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

fn draw_empty() -> Result<String, ChartError> {
    svg_buffer(WIDTH, 120, |root| {
        text(
            root,
            "No data for this chart",
            (WIDTH as i32 / 2, 60),
            style(14.0, &MUTED, HPos::Center, VPos::Center),
        )
    })
}

fn draw(spec: &ChartSpec, data: &ChartData, forest: Option<&Forest>) -> Result<String, ChartError> {
    let unit = spec.unit.as_str();
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
    let zero_based = bars
        || matches!(
            unit.to_ascii_lowercase().as_str(),
            "percent" | "count" | "per_100" | "pounds"
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
    let tick_text = |v: &f64| format_tick(*v, unit, axis.decimals);
    let tick_width = axis
        .ticks
        .iter()
        .map(|t| text_width(&tick_text(t), LABEL_PX))
        .fold(0.0, f64::max);
    let x_desc = spec.x_label.clone().unwrap_or_else(|| prettify(&spec.x));

    // Left side: value ticks, or category names for horizontal bars.
    let cap = WIDTH as f64 * 0.34;
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
    let plot_w = (WIDTH as i32 - plot_left - right).max(40);

    let legend_width = WIDTH as i32 - plot_left - PAD;
    let legend: Vec<(Swatch, String)> = legend_items(spec, data)
        .into_iter()
        .map(|(swatch, label)| {
            let room = (legend_width - swatch_width(swatch) - 6) as f64;
            (swatch, truncate(&label, room, LABEL_PX))
        })
        .collect();
    let rows = legend_rows(&legend, legend_width);
    let top =
        PAD + 10 + rows.len() as i32 * LEGEND_ROW + if labelled && !horizontal { 6 } else { 0 };

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
        let per = (12 * k as i32 + 12)
            .max(24)
            .max(if hbar_labels.iter().any(|l| l.len() > 1) {
                32
            } else {
                0
            });
        (HEIGHT as i32).max(top + bottom_area + PAD + n as i32 * per) as u32
    } else {
        // Taller only when a long legend or long labels would squeeze the plot.
        (HEIGHT as i32).max(top + bottom_area + PAD + 180) as u32
    };

    let svg = svg_buffer(WIDTH, height, |root| {
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
                .y_desc(x_desc.as_str());
        } else {
            mesh.disable_x_mesh()
                .y_label_formatter(&tick_text)
                .x_desc(x_desc.as_str())
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
                        None => marker(
                            root,
                            Shape::Circle,
                            at((c0 + c1) / 2.0, base),
                            colour(si),
                            false,
                        )?,
                    }
                }
            }
            // A forest plot's intervals: a line from lower to upper through the bar's middle,
            // with end caps.
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
                for (ci, (label, v)) in value_labels.iter().zip(&data.series[0].values).enumerate()
                {
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
        } else {
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
                        None => marker(root, shape(si), at(ci as f64, axis.lo), colour(si), false)?,
                    }
                }
            }
        }

        if !horizontal {
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
        }

        if values.is_empty() {
            let centre = ((px_x.start + px_x.end) / 2, (px_y.start + px_y.end) / 2);
            text(
                root,
                "No figures to show",
                centre,
                style(14.0, &MUTED, HPos::Center, VPos::Center),
            )?;
        }

        // Category labels.
        if horizontal {
            for (ci, lines) in hbar_labels.iter().enumerate() {
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
        } else if let Some(labels) = &labels {
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

        // Legend above the plot, aligned with its left edge.
        for (r, row) in rows.iter().enumerate() {
            let y = PAD + 4 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            for (i, x) in row {
                let (swatch, label) = &legend[*i];
                let x = plot_left + x;
                draw_swatch(root, *swatch, (x, y))?;
                text(
                    root,
                    label,
                    (x + swatch_width(*swatch) + 6, y),
                    style(LABEL_PX, &TEXT, HPos::Left, VPos::Center),
                )?;
            }
        }
        Ok(())
    })?;
    Ok(svg)
}

/// Makes plotters' fixed-size SVG scalable and accessible: width 100% with the same viewBox,
/// `role="img"` with an `aria-label`, and a `<title>` and `<desc>` (the summary) inside.
fn finish_svg(raw: &str, spec: &ChartSpec, summary: &str) -> String {
    let attr = |name: &str| -> Option<&str> {
        let open = &raw[..raw.find('>')?];
        let start = open.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = open[start..].find('"')?;
        Some(&open[start..start + len])
    };
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
    let title = super::html::escape(&spec.title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"{}\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"{title}\">\n<title>{title}</title>\n<desc>{}</desc>{body}",
        super::html::escape(&view_box),
        super::html::escape(summary),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: ChartKind, x: &str, y: &[&str]) -> ChartSpec {
        ChartSpec {
            name: None,
            kind,
            title: "Absence by term".into(),
            x: x.into(),
            y: y.iter().map(|s| s.to_string()).collect(),
            series: None,
            comparators: Vec::new(),
            y_label: "Absence, % of possible sessions".into(),
            x_label: Some("Term".into()),
            unit: "percent".into(),
            forest: None,
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// Five terms of overall absence with the autumn 2023-24 figure suppressed, and the national figure.
    fn absence() -> ResultTable {
        let rows = [
            ("2022-23-autumn", Value::Float(8.1), Value::Float(9.0)),
            ("2022-23-spring", Value::Float(8.6), Value::Float(9.0)),
            ("2023-24-autumn", Value::Null, Value::Float(9.2)),
            ("2023-24-spring", Value::Float(8.9), Value::Float(9.2)),
            ("2024-25-summer", Value::Float(9.44), Value::Float(9.0)),
        ];
        ResultTable {
            columns: vec![
                "term".into(),
                "overall_absence_rate".into(),
                "national_cla".into(),
            ],
            rows: rows
                .into_iter()
                .map(|(t, a, n)| vec![text(t), a, n])
                .collect(),
        }
    }

    fn by_year_group() -> ResultTable {
        let rows = [
            ("Reception", 3),
            ("Year 1", 5),
            ("Year 10", 42),
            ("Year 11", 42),
        ];
        ResultTable {
            columns: vec!["year_group".into(), "children".into()],
            rows: rows
                .into_iter()
                .map(|(g, c)| vec![text(g), Value::Int(c)])
                .collect(),
        }
    }

    fn polylines_in(svg: &str, color: &str) -> usize {
        svg.lines()
            .filter(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{color}\"")))
            .count()
    }

    #[test]
    fn prettify_upper_cases_known_acronyms() {
        assert_eq!(prettify("national_cla"), "National CLA");
        assert_eq!(prettify("ks2_rwm_expected_rate"), "KS2 RWM expected rate");
        assert_eq!(prettify("pp+_spend"), "PP+ spend");
        assert_eq!(prettify("peps_on_time"), "PEPs on time");
        assert_eq!(prettify("neet_rate"), "NEET rate");
        assert_eq!(prettify("overall_absence_rate"), "Overall absence rate");
        assert_eq!(lower_first("National CLA"), "national CLA");
        assert_eq!(lower_first("CLA rate"), "CLA rate");
        assert_eq!(lower_first("KS2 rate"), "KS2 rate");
    }

    #[test]
    fn a_line_with_a_suppressed_point_breaks_into_two_segments() {
        let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
        let chart = render_chart(&s, &absence()).expect("chart");
        let svg = &chart.svg;
        assert!(
            svg.starts_with(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 720 360\""
            ),
            "{svg}"
        );
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-label=\"Absence by term\""));
        assert!(svg.contains("<title>Absence by term</title>"));
        assert_eq!(
            polylines_in(svg, "#0072B2"),
            2,
            "one line either side of the gap"
        );
        // The gap is marked by a hollow marker on the axis, explained in the legend.
        assert!(svg.contains("No figure (suppressed or missing)"));
        assert!(svg.contains(">\nAut\n") || svg.contains(">\nAutumn\n"));
        assert!(svg.contains("2023-24"));
        assert!(svg.contains("font-family=\"sans-serif\""));
    }

    #[test]
    fn line_summary_is_one_plain_sentence() {
        let mut s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
        s.comparators = vec!["national_cla".into()];
        let chart = render_chart(&s, &absence()).expect("chart");
        assert_eq!(
            chart.summary,
            "Overall absence rate went from 8.1% in autumn term 2022 to 9.4% in summer term 2025 (national CLA 9.0%); 1 point suppressed or missing."
        );
        // Comparators are dashed grey lines, named in the legend.
        assert!(chart.svg.contains("stroke=\"#4D4D4D\""));
        assert!(chart.svg.contains("National CLA"));
    }

    #[test]
    fn several_lines_summarise_their_latest_points() {
        let mut t = absence();
        t.columns.push("authorised_absence_rate".into());
        // A non-finite figure is a gap too.
        for (r, v) in t.rows.iter_mut().zip([5.0, 5.5, 6.0, 6.1, f64::NAN]) {
            r.push(Value::Float(v));
        }
        let s = spec(
            ChartKind::Line,
            "term",
            &["overall_absence_rate", "authorised_absence_rate"],
        );
        let chart = render_chart(&s, &t).expect("chart");
        assert_eq!(
            chart.summary,
            "In summer term 2025: overall absence rate 9.4% and authorised absence rate 6.1% in spring term 2024; 2 points suppressed or missing."
        );
        // The second series has its own colour and marker shape (a square).
        assert!(chart.svg.contains("fill=\"#D55E00\""));
        assert!(chart.svg.contains("<rect"));
    }

    #[test]
    fn a_series_column_splits_rows_into_lines() {
        let rows = [
            ("2023-24", "Primary", 4.0),
            ("2023-24", "Secondary", 9.0),
            ("2024-25", "Primary", 4.5),
            ("2024-25", "Secondary", 9.5),
        ];
        let t = ResultTable {
            columns: vec!["academic_year".into(), "phase".into(), "rate".into()],
            rows: rows
                .into_iter()
                .map(|(y, p, r)| vec![text(y), text(p), Value::Float(r)])
                .collect(),
        };
        let mut s = spec(ChartKind::Line, "academic_year", &["rate"]);
        s.series = Some("phase".into());
        let chart = render_chart(&s, &t).expect("chart");
        assert_eq!(
            chart.summary,
            "In 2024/25: Primary 4.5% and Secondary 9.5%."
        );
        assert_eq!(
            polylines_in(&chart.svg, "#0072B2"),
            2,
            "a line and its legend sample"
        );
        s.y.push("rate".into());
        assert!(matches!(render_chart(&s, &t), Err(ChartError::Spec(_))));
    }

    #[test]
    fn bar_summary_names_highest_and_lowest() {
        let mut s = spec(ChartKind::Bar, "year_group", &["children"]);
        s.unit = "count".into();
        let chart = render_chart(&s, &by_year_group()).expect("chart");
        assert_eq!(
            chart.summary,
            "Highest: Year 10 (42); lowest: Reception (3)."
        );
        assert_eq!(chart.svg.matches("fill=\"#0072B2\"").count(), 4);
    }

    #[test]
    fn horizontal_bars_label_categories_and_values() {
        let mut t = by_year_group();
        t.rows[1][1] = Value::Null;
        let mut s = spec(ChartKind::HBar, "year_group", &["children"]);
        s.unit = "pounds".into();
        let chart = render_chart(&s, &t).expect("chart");
        assert_eq!(
            chart.summary,
            "Highest: Year 10 (£42); lowest: Reception (£3); 1 bar suppressed or missing."
        );
        assert!(chart.svg.contains("Reception"));
        assert!(chart.svg.contains("£42"));
    }

    #[test]
    fn renders_are_deterministic() {
        let mut s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
        s.comparators = vec!["national_cla".into()];
        let a = render_chart(&s, &absence()).expect("chart");
        let b = render_chart(&s, &absence()).expect("chart");
        assert_eq!(a, b);
    }

    #[test]
    fn a_missing_column_is_named_with_the_columns_there_are() {
        let s = spec(ChartKind::Line, "term", &["overall_absense_rate"]);
        let e = render_chart(&s, &absence()).expect_err("no such column");
        let msg = e.to_string();
        assert!(msg.contains("`overall_absense_rate`"), "{msg}");
        assert!(
            msg.contains("term, overall_absence_rate, national_cla"),
            "{msg}"
        );
    }

    #[test]
    fn text_in_a_value_column_is_an_error() {
        let s = spec(ChartKind::Bar, "overall_absence_rate", &["term"]);
        let e = render_chart(&s, &absence()).expect_err("text is not a number");
        assert!(matches!(e, ChartError::NotNumeric { row: 1, .. }), "{e}");
    }

    #[test]
    fn an_empty_table_says_so() {
        let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
        let chart = render_chart(&s, &ResultTable::default()).expect("chart");
        assert_eq!(chart.summary, "No data for this chart.");
        assert!(chart.svg.contains("No data for this chart"));
        assert!(chart.svg.contains("<title>Absence by term</title>"));
    }

    #[test]
    fn all_figures_missing_still_draws_axes() {
        let mut t = absence();
        t.rows.iter_mut().for_each(|r| r[1] = Value::Null);
        let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
        let chart = render_chart(&s, &t).expect("chart");
        assert_eq!(
            chart.summary,
            "No figures to show: all 5 points are suppressed or missing."
        );
    }

    #[test]
    fn titles_are_escaped() {
        let mut s = spec(ChartKind::Bar, "year_group", &["children"]);
        s.title = "Boys & girls <by year>".into();
        let chart = render_chart(&s, &by_year_group()).expect("chart");
        assert!(
            chart
                .svg
                .contains("<title>Boys &amp; girls &lt;by year&gt;</title>")
        );
    }

    #[test]
    fn odd_tables_never_panic() {
        let wide = ResultTable {
            columns: (0..20)
                .map(|i| format!("series_{i}"))
                .chain(["x".to_string()])
                .collect(),
            rows: vec![
                (0..20)
                    .map(|i| Value::Float(i as f64 * 1e300))
                    .chain([Value::Null])
                    .collect(),
                vec![Value::Int(1)],
            ],
        };
        let names: Vec<String> = (0..20).map(|i| format!("series_{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        for kind in [ChartKind::Line, ChartKind::Bar, ChartKind::HBar] {
            for unit in ["percent", "count", "mean", "pounds", "odd"] {
                let mut s = spec(kind, "x", &names);
                s.unit = unit.into();
                let chart = render_chart(&s, &wide).expect("chart");
                assert!(chart.svg.contains("<title>"));
                let one = ResultTable {
                    columns: vec!["x".into(), "y".into()],
                    rows: vec![vec![Value::Null, Value::Float(-0.0)]],
                };
                let mut s = spec(kind, "x", &["y"]);
                s.unit = unit.into();
                let chart = render_chart(&s, &one).expect("chart");
                assert!(chart.summary.ends_with('.'), "{}", chart.summary);
            }
        }
    }

    #[test]
    fn value_axes_are_nice() {
        let a = value_axis(&[8.1, 9.4], "percent", true, 0.0);
        assert_eq!((a.lo, a.hi, a.decimals), (0.0, 10.0, 0));
        assert_eq!(a.ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let a = value_axis(&[95.0, 99.0], "percent", true, 0.0);
        assert_eq!(a.hi, 100.0);
        let a = value_axis(&[17.0, 22.0], "mean", false, 0.0);
        assert_eq!((a.lo, a.hi), (16.0, 24.0));
        let a = value_axis(&[-3.0, 2.0], "count", true, 0.0);
        assert_eq!((a.lo, a.hi), (-3.0, 2.0));
        let a = value_axis(&[], "count", true, 0.0);
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
    }

    #[test]
    fn dashes_follow_the_pattern() {
        let d = dashes(&[(0, 0), (20, 0)], &[7.0, 4.0]);
        assert_eq!(d, vec![vec![(0, 0), (7, 0)], vec![(11, 0), (18, 0)]]);
    }

    #[test]
    fn terms_get_short_names_and_grouped_years() {
        let cats: Vec<String> = [
            "2023-24-autumn",
            "2023-24-spring",
            "2023-24-summer",
            "2024-25-autumn",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let CategoryLabels::Terms {
            names,
            years,
            bounds,
        } = category_labels(&cats, 80.0)
        else {
            panic!("terms")
        };
        assert_eq!(names[0].as_deref(), Some("Autumn"));
        assert_eq!(
            years,
            vec![(1.0, "2023-24".to_string()), (3.0, "2024-25".to_string())]
        );
        assert_eq!(bounds, vec![2.5]);
        let CategoryLabels::Terms { names, .. } = category_labels(&cats, 30.0) else {
            panic!("terms")
        };
        assert_eq!(names[1].as_deref(), Some("Spr"));
    }

    #[test]
    fn a_forest_plot_colours_bars_by_finding_and_draws_each_interval() {
        let mut s = spec(ChartKind::HBar, "factor", &["gap"]);
        s.unit = "points".into();
        s.forest = Some(crate::analysis::ForestSpec {
            lower: "lower".into(),
            upper: "upper".into(),
            colour_by: Some("finding".into()),
            n: None,
        });
        let row = |f: &str, gap: f64, lo: Value, hi: Value, finding: &str| {
            vec![text(f), Value::Float(gap), lo, hi, text(finding)]
        };
        let table = ResultTable {
            columns: ["factor", "gap", "lower", "upper", "finding"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                // 22.9 pts, interval 8.5 to 36.1: excludes zero, a facilitator (blue bar).
                row(
                    "Attendance above 95%",
                    22.9,
                    Value::Float(8.5),
                    Value::Float(36.1),
                    "Facilitator",
                ),
                // -35.7 pts, interval -50.7 to -11.5: a barrier (orange bar).
                row(
                    "3 or more placements",
                    -35.7,
                    Value::Float(-50.7),
                    Value::Float(-11.5),
                    "Barrier",
                ),
                // No interval (too few): a grey bar and no interval line.
                row(
                    "Alternative provision",
                    1.0,
                    Value::Null,
                    Value::Null,
                    "Too few to say",
                ),
            ],
        };
        let chart = render_chart(&s, &table).expect("forest");
        assert!(chart.svg.contains("fill=\"#0072B2\""), "no facilitator bar");
        assert!(chart.svg.contains("fill=\"#D55E00\""), "no barrier bar");
        assert!(chart.svg.contains("fill=\"#8C8C8C\""), "no grey bar");
        assert!(chart.summary.contains("95% interval"), "{}", chart.summary);
        // Two intervals, each a line and two end caps, in the text colour: six paths.
        let lines = chart.svg.matches("stroke=\"#222222\"").count();
        assert!(lines >= 6, "{lines} dark strokes");
        // Without the intervals, no interval lines are drawn.
        let without = {
            let mut t = table.clone();
            for r in &mut t.rows {
                r[2] = Value::Null;
                r[3] = Value::Null;
            }
            render_chart(&s, &t).expect("no intervals")
        };
        assert_ne!(chart.svg, without.svg);
        assert!(
            chart.svg.matches("stroke=\"#222222\"").count()
                > without.svg.matches("stroke=\"#222222\"").count()
        );
    }
}
