//! The chart declaration applied to the result table: categories, series and comparators as
//! numbers (gaps where a figure is suppressed or missing), and a forest plot's intervals.

use super::ChartError;
use super::style::{NO_FINDING, colour};
use crate::analysis::ChartSpec;
use crate::render::words::prettify;
use crate::run::{ResultTable, Value};
use plotters::prelude::RGBColor;

/// One plotted line or bar colour: a name and one value per category (None is a gap).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) values: Vec<Option<f64>>,
}

/// What a chart draws, independent of how: categories in row order, series and comparators.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ChartData {
    pub(super) categories: Vec<String>,
    pub(super) series: Vec<Series>,
    pub(super) comparators: Vec<Series>,
    /// Series names come from the values of a `series` column (data), not column names.
    pub(super) series_from_column: bool,
    /// Categories where a new analysis version starts: lines are not joined across them.
    pub(super) breaks: Vec<usize>,
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

pub(super) fn extract(spec: &ChartSpec, table: &ResultTable) -> Result<ChartData, ChartError> {
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

/// A forest plot's rows: each category's interval (none where either end is missing) and
/// the colour its finding gives its bar.
pub(super) struct Forest {
    pub(super) intervals: Vec<Option<(f64, f64)>>,
    pub(super) tones: Vec<RGBColor>,
}

pub(super) fn forest_rows(
    spec: &ChartSpec,
    table: &ResultTable,
) -> Result<Option<Forest>, ChartError> {
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

/// "2023-24-autumn" → ("2023-24", "autumn") when the text is a term.
pub(super) fn split_term(s: &str) -> Option<(&str, &str)> {
    let (year, term) = (s.get(..7)?, s.get(8..)?);
    let b = year.as_bytes();
    let year_ok =
        b.len() == 7 && b[4] == b'-' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit);
    (year_ok
        && s.as_bytes().get(7) == Some(&b'-')
        && matches!(term, "autumn" | "spring" | "summer"))
    .then_some((year, term))
}
