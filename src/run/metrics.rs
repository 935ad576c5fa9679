//! `metrics.csv`: every headline figure as one tidy row, read the same way by reports,
//! later runs and Power BI. Its last column, `period_status`, is derived from the run's term
//! (`year_to_date` or `complete`), so the history need not store it.

use super::value::{ResultTable, Value};
use crate::analysis::{MetricSpec, Unit};
use crate::contract::{Season, Term};
use serde::Serialize;

/// One figure: `metric, time_period, breakdown, group, numerator, denominator, value, unit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRow {
    /// The analysis that produced the figure (not a `metrics.csv` column).
    #[serde(skip)]
    pub analysis: String,
    pub metric: String,
    pub time_period: String,
    pub breakdown: String,
    pub group: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub unit: Unit,
}

#[cfg(test)]
impl MetricRow {
    /// A yearly percentage for `attendance/absence_by_year`, breakdown and group `all`: the
    /// figure the history tests compare.
    pub(crate) fn yearly_percent(metric: &str, value: f64) -> MetricRow {
        MetricRow {
            analysis: "attendance/absence_by_year".into(),
            metric: metric.into(),
            time_period: "2024-25".into(),
            breakdown: "all".into(),
            group: "all".into(),
            numerator: None,
            denominator: None,
            value: Some(value),
            unit: Unit::Percent,
        }
    }
}

/// A metric spec names a column the result does not have.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "metric `{metric}` reads column `{column}`, which the result does not have (columns: {available})"
)]
pub struct MetricColumnError {
    pub metric: String,
    pub column: String,
    pub available: String,
}

/// Reads the rows of one metric spec out of a result table.
pub fn extract(
    spec: &MetricSpec,
    table: &ResultTable,
) -> Result<Vec<MetricRow>, MetricColumnError> {
    let index = |name: &str| {
        table.column_index(name).ok_or_else(|| MetricColumnError {
            metric: spec.id.clone(),
            column: name.to_string(),
            available: table.columns.join(", "),
        })
    };
    let value = index(&spec.value)?;
    let period = index(&spec.time_period)?;
    let numerator = spec.numerator.as_deref().map(index).transpose()?;
    let denominator = spec.denominator.as_deref().map(index).transpose()?;
    let group = spec.group.as_deref().map(index).transpose()?;
    let breakdown_column = spec.breakdown_column.as_deref().map(index).transpose()?;
    let breakdown = spec
        .breakdown
        .clone()
        .or_else(|| spec.group.clone())
        .unwrap_or_else(|| "all".into());
    Ok(table
        .rows
        .iter()
        .map(|r| MetricRow {
            analysis: String::new(),
            metric: spec.id.clone(),
            time_period: r[period].to_string(),
            breakdown: breakdown_column
                .map(|b| text_or(&r[b], "unknown"))
                .unwrap_or_else(|| breakdown.clone()),
            group: group
                .map(|g| text_or(&r[g], "unknown"))
                .unwrap_or_else(|| "all".into()),
            numerator: numerator.and_then(|i| r[i].as_f64()),
            denominator: denominator.and_then(|i| r[i].as_f64()),
            value: r[value].as_f64(),
            unit: spec.unit,
        })
        .collect())
}

fn text_or(v: &Value, default: &str) -> String {
    if v.is_null() {
        default.to_string()
    } else {
        v.to_string()
    }
}

/// Whether a figure covers its whole period: `year_to_date` for the run's own academic year
/// when the run's term is autumn or spring (the year has not ended), else `complete`.
pub fn period_status(time_period: &str, term: Option<Term>) -> &'static str {
    match term {
        Some(t) if t.season != Season::Summer && time_period == t.year.to_string() => {
            "year_to_date"
        }
        _ => "complete",
    }
}

/// The rows as CSV for a run of `term`, sorted so the file is the same for the same inputs;
/// `period_status` says which figures are year to date.
pub fn to_csv(rows: &[MetricRow], term: Term) -> String {
    let mut sorted: Vec<&MetricRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.metric, &a.time_period, &a.breakdown, &a.group).cmp(&(
            &b.metric,
            &b.time_period,
            &b.breakdown,
            &b.group,
        ))
    });
    let num = |x: Option<f64>| x.map(|v| Value::Float(v).to_string()).unwrap_or_default();
    let quote = |s: &str| {
        if s.contains([',', '"']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from(
        "metric,time_period,breakdown,group,numerator,denominator,value,unit,period_status\n",
    );
    for r in sorted {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            quote(&r.metric),
            quote(&r.time_period),
            quote(&r.breakdown),
            quote(&r.group),
            num(r.numerator),
            num(r.denominator),
            num(r.value),
            quote(r.unit.as_str()),
            period_status(&r.time_period, Some(term))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_is_year_to_date_until_its_summer_term() {
        let autumn: Term = "2024-25-autumn".parse().unwrap();
        let summer: Term = "2024-25-summer".parse().unwrap();
        // An autumn run's 2024-25 is the autumn term only: year to date.
        assert_eq!(period_status("2024-25", Some(autumn)), "year_to_date");
        // Earlier years, and terms, are complete; so is 2024-25 once the summer term is run.
        assert_eq!(period_status("2023-24", Some(autumn)), "complete");
        assert_eq!(period_status("2024-25-autumn", Some(autumn)), "complete");
        assert_eq!(period_status("2024-25", Some(summer)), "complete");
        let csv = to_csv(
            &[MetricRow::yearly_percent(
                "attendance.overall_absence_rate",
                9.5,
            )],
            "2024-25-spring".parse().expect("a term"),
        );
        assert_eq!(
            csv,
            "metric,time_period,breakdown,group,numerator,denominator,value,unit,period_status\n\
             attendance.overall_absence_rate,2024-25,all,all,,,9.5,percent,year_to_date\n"
        );
    }
}
