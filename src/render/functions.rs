//! The functions a template calls: `chart`, `table`, `metric`, `metric_value`,
//! `change` and `national`. Each reads only the finished run it is given.

use super::document::{Block, BlockStore, Cell, Figure as ChartFigure, Inline, Table};
use super::format::{format_number, format_value};
use super::html::{escape, result_table, result_table_with};
use super::words::{Vocabulary, category_label, metric_label_in, period_label};
use super::{ReportData, chart};
use crate::analysis::{Analysis, Level};
use crate::run::{AnalysisRun, ResultTable, Value};
use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error, ErrorKind};
use std::sync::Arc;

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// Finds a run result and its analysis, refusing child-level rows for audiences that may not see them.
fn lookup<'a>(data: &'a ReportData, id: &str) -> Result<(&'a Analysis, &'a AnalysisRun), Error> {
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
fn rows_for_term(table: &ResultTable, term: &str) -> ResultTable {
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
fn rows_where(table: &ResultTable, id: &str, condition: &str) -> Result<ResultTable, Error> {
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

fn chart_fn(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Block, Error> {
    let name: Option<String> = kwargs.get("name")?;
    let condition: Option<String> = kwargs.get("where")?;
    // `table=false` leaves out the chart's data table, for a page whose next table already
    // holds the same figures (the school page, which must fit on one side of A4).
    let with_table: Option<bool> = kwargs.get("table")?;
    kwargs.assert_all_used()?;
    let (analysis, run) = lookup(data, id)?;
    let shown = &run.result;
    let filtered = condition
        .as_deref()
        .map(|c| rows_where(shown, id, c))
        .transpose()?;
    let result = filtered.as_ref().unwrap_or(shown);
    let spec = match &name {
        Some(n) => analysis
            .meta
            .charts
            .iter()
            .find(|c| c.name.as_deref() == Some(n.as_str())),
        None => analysis.meta.charts.first(),
    }
    .ok_or_else(|| {
        invalid(format!(
            "analysis `{id}` declares no chart{} in its front matter",
            name.map(|n| format!(" named `{n}`")).unwrap_or_default()
        ))
    })?;
    let breaks = crate::run::series_breaks(&data.run.sources, id);
    let (spec, relabelled) = in_words(spec, result, &analysis.meta);
    let (spec, result) = (&spec, &relabelled);
    let drawn = chart::render_chart_with_breaks(spec, result, &breaks)
        .map_err(|e| invalid(format!("chart of `{id}`: {e}")))?;
    let anchor = match &spec.name {
        Some(n) => format!("chart-{}-{n}", id.replace('/', "-")),
        None => format!("chart-{}", id.replace('/', "-")),
    };
    let svg: String = drawn
        .svg
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // The data table holds what the chart plots (its x, series, values and comparators),
    // open when short enough to read at a glance.
    let plotted: Vec<&String> = std::iter::once(&spec.x)
        .chain(spec.series.iter())
        .chain(spec.y.iter())
        .chain(spec.comparators.iter())
        .chain(
            spec.forest
                .iter()
                .flat_map(|f| [&f.lower, &f.upper].into_iter().chain(f.colour_by.as_ref())),
        )
        .collect();
    let keep: Vec<usize> = plotted
        .iter()
        .filter_map(|c| result.column_index(c))
        .collect();
    let data_table = ResultTable {
        columns: keep.iter().map(|&i| result.columns[i].clone()).collect(),
        rows: result
            .rows
            .iter()
            .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
            .collect(),
    };
    // `table=false` draws no data table: the page's next table holds the same figures.
    let table = with_table
        .unwrap_or(true)
        .then(|| result_table(&data_table, Some(&spec.unit), None));
    Ok(Block::Figure(Box::new(ChartFigure {
        id: anchor,
        title: spec.title.clone(),
        summary: drawn.summary,
        svg,
        data: table,
    })))
}

/// A chart's declaration and rows in the reader's words: columns the analysis labels are
/// renamed to their labels (so series and axes read as words) and code values in the x and
/// series columns become their code-list labels. The figures are untouched.
fn in_words(
    spec: &crate::analysis::ChartSpec,
    table: &ResultTable,
    meta: &crate::analysis::FrontMatter,
) -> (crate::analysis::ChartSpec, ResultTable) {
    let mut spec = spec.clone();
    // Panels group rows as a series does: name and relabel them as one.
    if spec.series.is_none() {
        spec.series = spec.panels.clone();
    }
    let mut table = table.clone();
    let categorical: Vec<usize> = std::iter::once(&spec.x)
        .chain(spec.series.iter())
        .filter_map(|c| table.column_index(c))
        .collect();
    let n = spec
        .forest
        .as_ref()
        .and_then(|f| f.n.as_deref())
        .and_then(|c| table.column_index(c));
    let x = table.column_index(&spec.x);
    for row in &mut table.rows {
        for &i in &categorical {
            if let Value::Text(t) = &row[i] {
                row[i] = Value::Text(category_label(&table.columns[i], t));
            }
        }
        // A forest plot names each row's n beside its category: "Attendance below 90% (n = 42)".
        if let (Some(n), Some(x)) = (n, x) {
            let count = row[n].to_string();
            if let Value::Text(t) = &row[x] {
                row[x] = Value::Text(format!("{t} (n = {count})"));
            }
        }
    }
    let rename = |c: &mut String| {
        if let Some(label) = meta.labels.get(c.as_str()) {
            *c = label.clone();
        }
    };
    for c in &mut table.columns {
        rename(c);
    }
    if spec.x_label.is_none() {
        spec.x_label = meta.labels.get(&spec.x).cloned();
    }
    rename(&mut spec.x);
    spec.y.iter_mut().for_each(rename);
    spec.comparators.iter_mut().for_each(rename);
    if let Some(s) = spec.series.as_mut() {
        rename(s);
    }
    if let Some(p) = spec.panels.as_mut() {
        rename(p);
    }
    if let Some(f) = spec.forest.as_mut() {
        rename(&mut f.lower);
        rename(&mut f.upper);
        if let Some(c) = f.colour_by.as_mut() {
            rename(c);
        }
    }
    (spec, table)
}

fn table_fn(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Block, Error> {
    let columns: Option<Vec<String>> = kwargs.get("columns")?;
    let limit: Option<usize> = kwargs.get("limit")?;
    let term_only: Option<bool> = kwargs.get("term_only")?;
    let caption: Option<String> = kwargs.get("caption")?;
    let condition: Option<String> = kwargs.get("where")?;
    kwargs.assert_all_used()?;
    let (analysis, run) = lookup(data, id)?;
    let shown = &run.result;
    let mut table = if term_only.unwrap_or(false) {
        rows_for_term(shown, &data.run.term)
    } else {
        shown.clone()
    };
    if let Some(c) = condition {
        table = rows_where(&table, id, &c)?;
    }
    if let Some(cols) = columns {
        let idx: Vec<usize> = cols
            .iter()
            .map(|c| {
                table.column_index(c).ok_or_else(|| {
                    invalid(format!(
                        "`{id}` has no column `{c}` (columns: {})",
                        table.columns.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        table = ResultTable {
            columns: idx.iter().map(|&i| table.columns[i].clone()).collect(),
            rows: table
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        };
    }
    if let Some(n) = limit {
        table.rows.truncate(n);
    }
    Ok(Block::Table(Box::new(result_table_with(
        &table,
        None,
        caption.as_deref(),
        Vocabulary::of(&analysis.meta),
    ))))
}

/// A figure, its unit and whether this report's audience may see it (`None`: no figure).
type Figure = Option<(f64, String, bool)>;

/// A metric's headline figure (breakdown and group `all`) for one period, as disclosed.
fn headline(data: &ReportData, id: &str, period: &str) -> Figure {
    data.metrics
        .iter()
        .find(|m| {
            let m = &m.row;
            m.metric == id && m.time_period == period && m.group == "all" && m.breakdown == "all"
        })
        .and_then(figure)
}

/// A metric's figure for one group (`all`: breakdown and group `all`; else the group of
/// whichever breakdown has it, e.g. `OC2 cohort`) for one period.
fn headline_of(data: &ReportData, id: &str, period: &str, group: &str) -> Figure {
    if group == "all" {
        return headline(data, id, period);
    }
    data.metrics
        .iter()
        .find(|m| m.row.metric == id && m.row.time_period == period && m.row.group == group)
        .and_then(figure)
}

/// A period as a column heading: the run's own academic year before its summer term is
/// marked "(year to date)", never shown as the full year.
fn period_heading(data: &ReportData, period: &str) -> String {
    match crate::run::metrics::period_status(period, data.run.term.parse().ok()) {
        "year_to_date" => format!("{} (year to date)", period_label(period)),
        _ => period_label(period),
    }
}

/// A disclosed metric row's value and unit, and whether it is shown (`false`: suppressed).
fn figure(m: &crate::disclosure::DisclosedMetric) -> Figure {
    if m.value_suppressed {
        Some((0.0, m.row.unit.clone(), false))
    } else {
        m.row.value.map(|v| (v, m.row.unit.clone(), true))
    }
}

/// The latest national CLA figure for a metric up to the report's year, with its year.
fn latest_national(data: &ReportData, id: &str) -> Option<(String, String)> {
    latest_reference(data, "reference/national_benchmarks", "value", id)
}

/// The latest figure for children looked after 12 months in column `value` of a reference
/// analysis (`measure`, `academic_year`, `cohort`, `unit` columns) up to the report's year.
fn latest_reference(
    data: &ReportData,
    analysis: &str,
    value: &str,
    id: &str,
) -> Option<(String, String)> {
    let run = data.run.result(analysis)?;
    let t = &run.result;
    let (m, y, c, v, u) = (
        t.column_index("measure")?,
        t.column_index("academic_year")?,
        t.column_index("cohort")?,
        t.column_index(value)?,
        t.column_index("unit")?,
    );
    t.rows
        .iter()
        .filter(|r| {
            r[m].to_string() == id
                && r[c].to_string() == "cla_12m"
                && r[y].to_string() <= data.academic_year
                && r[v].as_f64().is_some()
        })
        .max_by_key(|r| r[y].to_string())
        .map(|r| {
            (
                format_value(&r[v], Some(&r[u].to_string())),
                period_label(&r[y].to_string()),
            )
        })
}

/// A headline cell: the figure, `c` when suppressed, a dash when there is none.
fn show(f: &Figure) -> String {
    match f {
        Some((v, unit, true)) => format_number(*v, unit),
        Some((_, _, false)) => crate::run::value::SUPPRESSED.to_string(),
        None => "–".to_string(),
    }
}

/// How a figure moved between two periods, before it is put into words: `Up` and `Down`
/// carry the size, percentages in `points` (the caller's word for percentage points).
enum Movement {
    Suppressed,
    Missing,
    Same,
    Up(String),
    Down(String),
}

fn movement(from: &Figure, to: &Figure, points: &str) -> Movement {
    match (from, to) {
        (Some((_, _, false)), _) | (_, Some((_, _, false))) => Movement::Suppressed,
        (Some((a, unit, _)), Some((b, _, _))) => {
            let d = b - a;
            let size = if unit == "percent" {
                format!("{:.1} {points}", d.abs())
            } else {
                format_number(d.abs(), unit)
            };
            if d.abs() < 0.05 {
                Movement::Same
            } else if d > 0.0 {
                Movement::Up(size)
            } else {
                Movement::Down(size)
            }
        }
        _ => Movement::Missing,
    }
}

/// A change in a table cell: "up 1.2 pts", "no change", `c` when either side is suppressed.
fn short_change(from: &Figure, to: &Figure) -> String {
    match movement(from, to, "pts") {
        Movement::Suppressed => crate::run::value::SUPPRESSED.to_string(),
        Movement::Missing => "–".to_string(),
        Movement::Same => "no change".to_string(),
        Movement::Up(size) => format!("up {size}"),
        Movement::Down(size) => format!("down {size}"),
    }
}

/// A change in a sentence: "up 1.2 percentage points", "unchanged", or why there is none.
fn change_text(from: Figure, to: Figure) -> String {
    match movement(&from, &to, "percentage points") {
        Movement::Suppressed => "not shown (a figure is suppressed)".to_string(),
        Movement::Missing => "not comparable (no figure for one of the periods)".to_string(),
        Movement::Same => "unchanged".to_string(),
        Movement::Up(size) => format!("up {size}"),
        Movement::Down(size) => format!("down {size}"),
    }
}

/// Errs when no analysis writes metric `id`: a misspelt id is a template error, not a dash.
fn require_metric(data: &ReportData, id: &str) -> Result<(), Error> {
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

/// The national cell of a headline table: the latest national CLA figure and its year.
fn national_cell(data: &ReportData, id: &str) -> String {
    latest_national(data, id)
        .map(|(v, y)| format!("{v} ({y})"))
        .unwrap_or_else(|| "–".into())
}

/// The report's academic year.
fn report_year(data: &ReportData) -> Result<crate::contract::AcademicYear, Error> {
    data.academic_year
        .parse()
        .map_err(|_| invalid(format!("academic year `{}`", data.academic_year)))
}

/// Year-on-year headline table for a board: each metric for up to five academic years ending
/// with the report's (the years any of them has), the change on the year before, and national.
/// `group` picks whose figures (`all`, or e.g. `OC2 cohort`); `national` false leaves the
/// national column out, for figures on another basis than DfE's (one basis per comparison).
fn years_block(
    data: &ReportData,
    ids: &[String],
    group: &str,
    national: bool,
    neighbours: bool,
) -> Result<Block, Error> {
    let mut year = report_year(data)?;
    let mut years = Vec::new();
    for _ in 0..5 {
        years.push(year.to_string());
        year = year.previous();
    }
    years.reverse();
    for id in ids {
        require_metric(data, id)?;
    }
    years.retain(|y| {
        ids.iter()
            .any(|id| headline_of(data, id, y, group).is_some())
    });
    let Some(last) = years.last().map(|y| period_label(y)) else {
        // Ordinary data (an early term, a small authority): say so rather than fail.
        return Ok(Block::Paragraph(vec![Inline::Text(format!(
            "No figures yet for these measures for an academic year up to {}.",
            period_label(&data.academic_year)
        ))]));
    };
    let mut rows = Vec::new();
    for id in ids {
        let figures: Vec<Figure> = years
            .iter()
            .map(|y| headline_of(data, id, y, group))
            .collect();
        let change = match figures.as_slice() {
            [.., before, now] => short_change(before, now),
            _ => "–".to_string(),
        };
        let mut row = vec![Cell::text(metric_label_in(&data.analyses, id))];
        row.extend(figures.iter().map(|f| Cell::number(show(f))));
        row.push(Cell::text(change));
        if national {
            row.push(Cell::number(national_cell(data, id)));
        }
        if neighbours {
            let cell = latest_reference(data, "reference/la_comparators", "neighbours_mean", id)
                .map(|(v, y)| format!("{v} ({y})"))
                .unwrap_or_else(|| "–".into());
            row.push(Cell::number(cell));
        }
        rows.push(row);
    }
    let mut header = vec!["Measure".to_string()];
    header.extend(years.iter().map(|y| period_heading(data, y)));
    header.push("On the year before".into());
    let whose = match group {
        "all" => "all children in care".to_string(),
        "OC2 cohort" => "children looked after 12 months at 31 March (the OC2 cohort)".to_string(),
        other => other.to_string(),
    };
    let caption = if national {
        header.push("National CLA".into());
        format!(
            "Year on year, {whose}: each measure by academic year to {last}, the change on the year before and the latest national figure for children looked after 12 months"
        )
    } else {
        format!(
            "Year on year, {whose}: each measure by academic year to {last} and the change on the year before (no national column: DfE's national figures describe children looked after 12 months, a different group)"
        )
    };
    let caption = if neighbours {
        header.push("Statistical neighbours".into());
        format!(
            "{caption}; beside it, the average of the authority's statistical neighbours (DfE's model) for the same children"
        )
    } else {
        caption
    };
    Ok(Block::Table(Box::new(Table {
        caption: Some(caption),
        class: Some("headlines".into()),
        header,
        rows,
        notes: Vec::new(),
    })))
}

/// `headlines([...])`: each metric this period, against the period before, the same term
/// last year (or the year before, for yearly figures) and the latest national CLA figure.
fn headlines_block(data: &ReportData, ids: &[String]) -> Result<Block, Error> {
    let year = report_year(data)?;
    let mut rows = Vec::new();
    for id in ids {
        require_metric(data, id)?;
        let termly = headline(data, id, &data.run.term).is_some();
        let (now, before, last_year) = if termly {
            (
                data.run.term.clone(),
                data.previous_term.clone(),
                data.same_term_last_year.clone(),
            )
        } else {
            (
                year.to_string(),
                year.previous().to_string(),
                year.previous().to_string(),
            )
        };
        let (a, b, c) = (
            headline(data, id, &now),
            headline(data, id, &before),
            headline(data, id, &last_year),
        );
        rows.push(vec![
            Cell::text(metric_label_in(&data.analyses, id)),
            Cell::text(period_heading(data, &now)),
            Cell::number(show(&a)),
            Cell::text(short_change(&b, &a)),
            Cell::text(short_change(&c, &a)),
            Cell::number(national_cell(data, id)),
        ]);
    }
    Ok(Block::Table(Box::new(Table {
        caption: Some("Headline figures: this period against the one before, a year earlier and the latest national figure for children looked after 12 months".into()),
        class: Some("headlines".into()),
        header: [
            "Measure",
            "Period",
            "Figure",
            "On the period before",
            "On a year earlier",
            "National CLA",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: Vec::new(),
    })))
}

/// The value of one metric row, by id, period, breakdown and group.
fn metric_lookup(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Figure, Error> {
    let period: Option<String> = kwargs.get("period")?;
    let group: Option<String> = kwargs.get("group")?;
    let breakdown: Option<String> = kwargs.get("breakdown")?;
    kwargs.assert_all_used()?;
    let period = period.unwrap_or_else(|| data.run.term.clone());
    let group = group.unwrap_or_else(|| "all".into());
    require_metric(data, id)?;
    Ok(data
        .metrics
        .iter()
        .find(|m| {
            let m = &m.row;
            m.metric == id
                && m.time_period == period
                && m.group == group
                && breakdown.as_ref().is_none_or(|b| &m.breakdown == b)
        })
        .and_then(figure))
}

/// Registers the template functions and globals for one report.
/// Functions that draw a chart or a table store the block in `store` and return the
/// placeholder that stands for it in the Markdown.
pub fn register(env: &mut Environment<'static>, data: Arc<ReportData>, store: Arc<BlockStore>) {
    let placeholder =
        |store: &BlockStore, block: Block| JValue::from_safe_string(store.placeholder(block));
    let (d, st) = (data.clone(), store.clone());
    env.add_function("chart", move |id: String, kwargs: Kwargs| {
        chart_fn(&d, &id, &kwargs).map(|b| placeholder(&st, b))
    });
    let (d, st) = (data.clone(), store.clone());
    env.add_function("table", move |id: String, kwargs: Kwargs| {
        table_fn(&d, &id, &kwargs).map(|b| placeholder(&st, b))
    });
    let d = data.clone();
    env.add_function("metric", move |id: String, kwargs: Kwargs| {
        Ok::<_, Error>(match metric_lookup(&d, &id, &kwargs)? {
            Some((v, unit, true)) => format_number(v, &unit),
            Some((_, _, false)) => crate::run::value::SUPPRESSED.to_string(),
            None => "not available".to_string(),
        })
    });
    let d = data.clone();
    env.add_function("metric_value", move |id: String, kwargs: Kwargs| {
        Ok::<_, Error>(
            metric_lookup(&d, &id, &kwargs)?
                .filter(|(_, _, safe)| *safe)
                .map(|(v, _, _)| JValue::from(v))
                .unwrap_or(JValue::from(())),
        )
    });
    let d = data.clone();
    env.add_function("change", move |id: String, kwargs: Kwargs| {
        let from: Option<String> = kwargs.get("from")?;
        let to: Option<String> = kwargs.get("to")?;
        let group: Option<String> = kwargs.get("group")?;
        kwargs.assert_all_used()?;
        let at = |period: String| {
            let k = Kwargs::from_iter([
                ("period", JValue::from(period)),
                (
                    "group",
                    JValue::from(group.clone().unwrap_or_else(|| "all".into())),
                ),
            ]);
            metric_lookup(&d, &id, &k)
        };
        let from = from.unwrap_or_else(|| d.previous_term.clone());
        let to = to.unwrap_or_else(|| d.run.term.clone());
        Ok::<_, Error>(change_text(at(from)?, at(to)?))
    });
    let (d, st) = (data.clone(), store.clone());
    env.add_function("headlines", move |ids: Vec<String>| {
        headlines_block(&d, &ids).map(|b| placeholder(&st, b))
    });
    let (d, st) = (data.clone(), store);
    env.add_function("years", move |ids: Vec<String>, kwargs: Kwargs| {
        let group: Option<String> = kwargs.get("group")?;
        let national: Option<bool> = kwargs.get("national")?;
        let neighbours: Option<bool> = kwargs.get("neighbours")?;
        kwargs.assert_all_used()?;
        let group = group.unwrap_or_else(|| "all".into());
        years_block(
            &d,
            &ids,
            &group,
            national.unwrap_or(true),
            neighbours.unwrap_or(false),
        )
        .map(|b| placeholder(&st, b))
    });
    let d = data.clone();
    env.add_function("national", move |measure: String, kwargs: Kwargs| {
        let year: Option<String> = kwargs.get("year")?;
        let cohort: Option<String> = kwargs.get("cohort")?;
        // `latest=true`: DfE's latest published figure up to the report's year, with its year,
        // for measures DfE publishes a year behind (an SDQ mean for the year just ended).
        let latest: Option<bool> = kwargs.get("latest")?;
        kwargs.assert_all_used()?;
        if latest == Some(true) {
            return Ok(match latest_national(&d, &measure) {
                Some((v, y)) => format!("{v} in {y}"),
                None => format!("not published up to {}", period_label(&d.academic_year)),
            });
        }
        let year = year.unwrap_or_else(|| d.academic_year.clone());
        let cohort = cohort.unwrap_or_else(|| "cla_12m".into());
        let (_, run) = lookup(&d, "reference/national_benchmarks")?;
        let t = &run.result;
        let col = |n: &str| {
            t.column_index(n).ok_or_else(|| {
                invalid(format!("reference/national_benchmarks has no column `{n}`"))
            })
        };
        let (m, y, c, v, u) = (
            col("measure")?,
            col("academic_year")?,
            col("cohort")?,
            col("value")?,
            col("unit")?,
        );
        let found = t.rows.iter().find(|r| {
            r[m].to_string() == measure && r[y].to_string() == year && r[c].to_string() == cohort
        });
        Ok::<_, Error>(match found {
            Some(r) => format_value(&r[v], Some(&r[u].to_string())),
            None => format!("not published for {}", period_label(&year)),
        })
    });
    let d = data.clone();
    env.add_function("rows", move |id: String| {
        // Child-level results are refused here too: for a board, a count of listed children
        // would be a small number of its own.
        lookup(&d, &id).map(|(_, run)| run.result.rows.len())
    });
    let d = data.clone();
    env.add_function("describe", move |id: String| {
        // An analysis's description is written by its author, Markdown and all (not data).
        lookup(&d, &id)
            .map(|(analysis, _)| JValue::from_safe_string(escape(&analysis.meta.description)))
    });
    env.add_global("term", data.run.term.clone());
    env.add_global("academic_year", data.academic_year.clone());
    // The run's academic year as reports should name it: "2024-25 (year to date)" before
    // its summer term, so a part year is never shown as the full year.
    env.add_global(
        "academic_year_label",
        period_heading(&data, &data.academic_year),
    );
    env.add_global(
        "year_to_date",
        crate::run::metrics::period_status(&data.academic_year, data.run.term.parse().ok())
            == "year_to_date",
    );
    env.add_global("previous_term", data.previous_term.clone());
    env.add_global("same_term_last_year", data.same_term_last_year.clone());
    // The same periods in words, for prose: "Summer term 2025", "2024/25".
    env.add_global("term_label", period_label(&data.run.term));
    env.add_global("year_label", period_label(&data.academic_year));
    env.add_global("previous_term_label", period_label(&data.previous_term));
    env.add_global(
        "same_term_last_year_label",
        period_label(&data.same_term_last_year),
    );
    if let Ok(year) = report_year(&data) {
        env.add_global("previous_year", year.previous().to_string());
        env.add_global(
            "previous_year_label",
            period_label(&year.previous().to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_worded_in_points_for_percentages() {
        // 9.4% - 8.1% = 1.3 percentage points
        assert_eq!(
            change_text(
                Some((8.1, "percent".into(), true)),
                Some((9.4, "percent".into(), true))
            ),
            "up 1.3 percentage points"
        );
        assert_eq!(
            change_text(
                Some((20.0, "mean".into(), true)),
                Some((18.5, "mean".into(), true))
            ),
            "down 1.5"
        );
        assert_eq!(
            change_text(
                Some((5.0, "percent".into(), true)),
                Some((5.01, "percent".into(), true))
            ),
            "unchanged"
        );
        assert!(change_text(None, Some((1.0, "count".into(), true))).starts_with("not comparable"));
        // A suppressed figure at either end hides the change too.
        assert!(
            change_text(
                Some((3.0, "count".into(), false)),
                Some((9.0, "count".into(), true))
            )
            .starts_with("not shown")
        );
    }
}
