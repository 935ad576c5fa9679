//! Lookups the template functions share: an analysis's result as this audience may see it,
//! rows by term or condition, a metric's existence, and the report's periods.

use super::context::ReportData;
use super::words::period_label;
use crate::analysis::{Analysis, Level};
use crate::run::{AnalysisRun, ResultTable, Value};
use minijinja::{Error, ErrorKind};

/// A template function's error.
pub(super) fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// Finds a run result and its analysis, refusing child-level rows for audiences that may not see them.
pub(super) fn lookup<'a>(
    data: &'a ReportData,
    id: &str,
) -> Result<(&'a Analysis, &'a AnalysisRun), Error> {
    let analysis = data.analyses.iter().find(|a| a.id() == id).ok_or_else(|| {
        let known: Vec<&str> = data.analyses.iter().map(|a| a.id()).collect();
        invalid(format!(
            "no analysis `{id}` under queries/ (there are: {})",
            known.join(", ")
        ))
    })?;
    if analysis.meta.level == Level::Child && !data.policy.child_level_rows {
        return Err(invalid(
            format!(
                "`{id}` lists individual children and may not appear in a report for {:?}",
                data.audience
            )
            .to_lowercase(),
        ));
    }
    let run = data
        .run
        .result(id)
        .ok_or_else(|| invalid(format!("analysis `{id}` was not run")))?;
    Ok((analysis, run))
}

/// The rows of a table whose `term` column equals the report's term.
pub(super) fn rows_for_term(table: &ResultTable, term: &str) -> ResultTable {
    match table.column_index("term") {
        Some(i) => ResultTable {
            columns: table.columns.clone(),
            rows: table
                .rows
                .iter()
                .filter(|r| matches!(&r[i], Value::Text(t) if t == term))
                .cloned()
                .collect(),
        },
        None => table.clone(),
    }
}

/// Keeps the rows where `column=value` (the `where` argument of `chart` and `table`).
pub(super) fn rows_where(
    table: &ResultTable,
    id: &str,
    condition: &str,
) -> Result<ResultTable, Error> {
    let (column, value) = condition.split_once('=').ok_or_else(|| {
        invalid(format!(
            "where=\"{condition}\" for `{id}`: expected where=\"column=value\""
        ))
    })?;
    let i = table.column_index(column.trim()).ok_or_else(|| {
        invalid(format!(
            "where: `{id}` has no column `{}` (columns: {})",
            column.trim(),
            table.columns.join(", ")
        ))
    })?;
    Ok(ResultTable {
        columns: table.columns.clone(),
        rows: table
            .rows
            .iter()
            .filter(|r| r[i].to_string() == value.trim())
            .cloned()
            .collect(),
    })
}

/// A period as a column heading: the run's own academic year before its summer term is
/// marked "(year to date)", never shown as the full year.
pub(super) fn period_heading(data: &ReportData, period: &str) -> String {
    match crate::run::metrics::period_status(period, Some(data.period.term)) {
        "year_to_date" => format!("{} (year to date)", period_label(period)),
        _ => period_label(period),
    }
}

/// Errs when no analysis writes metric `id`: a misspelt id is a template error, not a dash.
pub(super) fn require_metric(data: &ReportData, id: &str) -> Result<(), Error> {
    // A metric some analysis declares is a real id even when this period or a small
    // authority gives it no rows: its cells read "–" rather than the report failing.
    let declared = data
        .analyses
        .iter()
        .any(|a| a.meta.metrics.iter().any(|m| m.id == id));
    if declared || data.metrics.iter().any(|m| m.row.metric == id) {
        Ok(())
    } else {
        Err(invalid(format!("no analysis writes metric `{id}`")))
    }
}

/// The report's academic year.
pub(super) fn report_year(data: &ReportData) -> Result<crate::contract::AcademicYear, Error> {
    Ok(data.period.year)
}

/// The report's academic year and the four before it, oldest first: the years a
/// year-on-year table or chart spans.
pub(super) fn report_years(data: &ReportData) -> Result<Vec<String>, Error> {
    let mut year = report_year(data)?;
    let mut years = Vec::new();
    for _ in 0..5 {
        years.push(year.to_string());
        year = year.previous();
    }
    years.reverse();
    Ok(years)
}
