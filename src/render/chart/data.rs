//! The chart declaration applied to the result table: categories, series and comparators as
//! numbers (gaps where a figure is suppressed or missing), and a forest plot's intervals.

use super::ChartError;
use super::style::{NO_FINDING, colour};
use crate::analysis::ChartSpec;
use crate::render::words::{category_label, prettify};
use crate::run::{ResultTable, Value};
use plotters::prelude::RGBColor;

/// One plotted line or bar colour: a name and one value per category (None is a gap), and
/// which gaps are suppressed figures (`c`) rather than figures the data does not have.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) values: Vec<Option<f64>>,
    pub(super) suppressed: Vec<bool>,
    /// Gaps a forest plot's table calls "too few to say" (too few children to estimate).
    pub(super) too_few: Vec<bool>,
}

impl Series {
    /// What a gap at category `ci` is labelled on the chart: `c` where the figure is
    /// suppressed, "No data" where there is none; `None` where there is a figure.
    pub(super) fn gap_label(&self, ci: usize) -> Option<&'static str> {
        match self.values.get(ci) {
            Some(Some(_)) => None,
            _ if self.suppressed.get(ci).copied().unwrap_or(false) => Some("c"),
            _ if self.too_few.get(ci).copied().unwrap_or(false) => Some("Too few"),
            _ => Some("No data"),
        }
    }
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

/// A cell as a category label: a code as its code-list label and an identifier as words
/// (`foster_kin` → "Foster kin"), as tables print them; `column` names the code list.
fn category(v: &Value, column: &str) -> String {
    match v {
        Value::Null => "(blank)".to_string(),
        Value::Text(t) => category_label(column, t),
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
        let categories = table
            .rows
            .iter()
            .map(|r| category(cell(r, x), &spec.x))
            .collect();
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
                    suppressed: table
                        .rows
                        .iter()
                        .map(|r| *cell(r, *i) == Value::Suppressed)
                        .collect(),
                    too_few: vec![false; table.rows.len()],
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
    let mut cells: Vec<(usize, usize, Option<f64>, bool)> = Vec::new();
    let mut comp_values: Vec<Vec<Option<f64>>> = vec![Vec::new(); comps.len()];
    for (n, r) in table.rows.iter().enumerate() {
        let c = category(cell(r, x), &spec.x);
        let ci = categories.iter().position(|k| *k == c).unwrap_or_else(|| {
            categories.push(c);
            comp_values.iter_mut().for_each(|v| v.push(None));
            categories.len() - 1
        });
        let s = category(cell(r, split), spec.series.as_deref().unwrap_or_default());
        let si = names.iter().position(|k| *k == s).unwrap_or_else(|| {
            names.push(s);
            names.len() - 1
        });
        let hidden = *cell(r, y) == Value::Suppressed;
        cells.push((si, ci, numeric(cell(r, y), y_name, "y", n)?, hidden));
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
            suppressed: vec![false; categories.len()],
            too_few: vec![false; categories.len()],
        })
        .collect();
    for (si, ci, v, hidden) in cells {
        let Some(s) = series.get_mut(si) else {
            continue;
        };
        if let Some(slot) = s.values.get_mut(ci)
            && slot.is_none()
        {
            *slot = v;
            if let Some(h) = s.suppressed.get_mut(ci) {
                *h = hidden && v.is_none();
            }
        }
    }
    let comparators = comps
        .iter()
        .zip(comp_values)
        .map(|((name, _), values)| Series {
            name: prettify(name),
            suppressed: vec![false; values.len()],
            too_few: vec![false; values.len()],
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
    /// Each row's finding, as its table states it (None where the table has no finding column).
    pub(super) findings: Vec<Option<Finding>>,
}

/// What a forest plot's row found: a facilitator or a barrier, or no clear difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Finding {
    Facilitator,
    Barrier,
    NoClearDifference,
    /// Too few children in the group to estimate a difference.
    TooFew,
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
    let mut findings = Vec::new();
    for (n, r) in table.rows.iter().enumerate() {
        let a = numeric(cell(r, lo), &f.lower, "interval", n)?;
        let b = numeric(cell(r, hi), &f.upper, "interval", n)?;
        intervals.push(a.zip(b));
        let finding = by.map(|i| cell(r, i).to_string().to_ascii_lowercase());
        let found = match finding.as_deref() {
            Some(t) if t.starts_with("facilitator") => Some(Finding::Facilitator),
            Some(t) if t.starts_with("barrier") => Some(Finding::Barrier),
            Some(t) if t.starts_with("too few") => Some(Finding::TooFew),
            Some(_) => Some(Finding::NoClearDifference),
            None => None,
        };
        tones.push(match found {
            Some(Finding::Facilitator) | None => colour(0),
            Some(Finding::Barrier) => colour(1),
            Some(Finding::NoClearDifference | Finding::TooFew) => NO_FINDING,
        });
        findings.push(found);
    }
    Ok(Some(Forest {
        intervals,
        tones,
        findings,
    }))
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
