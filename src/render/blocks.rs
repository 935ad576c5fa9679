//! The blocks template functions build: a chart with its data table, a result table, and
//! the year-on-year and headline tables of figures; and the table block of any result.

use super::chart;
use super::context::ReportData;
use super::document::{Block, Cell, Figure as ChartFigure, Inline, Table};
use super::figures::{
    Figure, NEIGHBOURS, SMALL_BASE, base_note, counts_children, headline, headline_of,
    latest_reference, national_cell, short_change, show,
};
use super::format::format_value;
use super::lookups::{
    invalid, lookup, period_heading, report_year, require_metric, rows_for_term, rows_where,
};
use super::words::{
    Vocabulary, breakdown_label, category_label, metric_label_in, period_label, value_label,
};
use crate::analysis::Unit;
use crate::run::{ResultTable, Value};
use minijinja::Error;
use minijinja::value::Kwargs;

/// `chart(id, name=, where=, table=)`: the analysis's declared chart as a figure, with the
/// data it plots as its table.
pub(super) fn chart_block(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Block, Error> {
    let name: Option<String> = kwargs.get("name")?;
    let condition: Option<String> = kwargs.get("where")?;
    // `table=false` leaves out the chart's data table, for a page whose next table already
    // holds the same figures (the school page, which must fit on one side of A4).
    let with_table: Option<bool> = kwargs.get("table")?;
    // `title=` names what this call draws when `where=` keeps only part of what the
    // analysis's title promises (its OC2 rows but not all children in care).
    let title: Option<String> = kwargs.get("title")?;
    kwargs.assert_all_used()?;
    let (analysis, run) = lookup(data, id)?;
    let shown = &run.result;
    let filtered = condition
        .as_deref()
        .map(|c| rows_where(shown, id, c))
        .transpose()?;
    let result = filtered.as_ref().unwrap_or(shown);
    let original = result;
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
    let (mut spec, relabelled) = in_words(spec, result, &analysis.meta);
    if let Some(t) = title {
        spec.title = t;
    }
    let (spec, result) = (&spec, &relabelled);
    let drawn = chart::render_chart_with_breaks(spec, result, &breaks)
        .map_err(|e| invalid(format!("chart of `{id}`: {e}")))?;
    if !drawn.drawn {
        // Nothing to draw (every point suppressed or missing): one sentence saying why,
        // not an empty frame.
        return Ok(Block::Paragraph(vec![
            Inline::Strong(vec![Inline::Text(format!("{}.", spec.title))]),
            Inline::Text(format!(" {}", drawn.summary)),
        ]));
    }
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
    let notes = small_bases(original, &analysis.meta);
    let label = |c: &str| {
        analysis
            .meta
            .labels
            .get(c)
            .cloned()
            .unwrap_or(c.to_string())
    };
    let notes: Vec<Vec<(String, String)>> = notes
        .into_iter()
        .map(|r| r.into_iter().map(|(c, n)| (label(&c), n)).collect())
        .collect();
    // The counts of children by the names the chart's columns now have (their labels).
    let counts: Vec<String> = analysis.meta.suppress.iter().map(|c| label(c)).collect();
    let table = with_table.unwrap_or(true).then(|| {
        let mut t = result_table_with(
            &data_table,
            Some(spec.unit),
            None,
            Vocabulary::counting(&counts),
        );
        add_small_bases(&mut t, &data_table.columns, &notes);
        t
    });
    // The sentence names the plotted rates of the latest category that rest on small
    // bases, with their n (the data table has every one).
    let mut summary = drawn.summary;
    let x = result.column_index(&spec.x);
    let latest = x.and_then(|i| result.rows.last().map(|r| r[i].clone()));
    let small: Vec<String> = notes
        .iter()
        .zip(&result.rows)
        .filter(|(_, cells)| x.map(|i| &cells[i]) == latest.as_ref())
        .flat_map(|(row, cells)| {
            let group = spec
                .series
                .as_ref()
                .and_then(|c| result.column_index(c))
                .map(|i| format!("{}, ", cells[i]))
                .unwrap_or_default();
            row.iter()
                .filter(|(c, _)| spec.y.contains(c))
                .map(move |(c, n)| {
                    let what = if spec.y.len() == 1 && !group.is_empty() {
                        group.trim_end_matches(", ").to_string()
                    } else if c.contains('_') {
                        // A column with no label of its own is named in words, not by its id.
                        format!("{group}{}", super::words::breakdown_label(c))
                    } else {
                        format!("{group}{c}")
                    };
                    format!("{what} {n}")
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some(at) = latest.filter(|_| !small.is_empty()) {
        summary.push_str(&format!(
            " In {}, on bases under 30 (a few children move such a rate a long way): {}.",
            super::words::period_label(&at.to_string()),
            small.join(", ")
        ));
    }
    Ok(Block::Figure(Box::new(ChartFigure {
        id: anchor,
        title: spec.title.clone(),
        summary,
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

/// The n beside each rate of `table` that rests on fewer than [`SMALL_BASE`]: for each row,
/// the rate's column name and "(9 of 17)". A rate is a percent metric the analysis declares
/// with its denominator (and numerator) columns.
fn small_bases(
    table: &ResultTable,
    meta: &crate::analysis::FrontMatter,
) -> Vec<Vec<(String, String)>> {
    let rates: Vec<(String, usize, Option<usize>, usize)> = meta
        .metrics
        .iter()
        .filter(|m| m.unit == Unit::Percent)
        .filter_map(|m| {
            let value = table.column_index(&m.value)?;
            let den = m.denominator.as_deref().filter(|d| counts_children(d))?;
            let den = table.column_index(den)?;
            let num = m.numerator.as_deref().and_then(|c| table.column_index(c));
            Some((m.value.clone(), value, num, den))
        })
        .collect();
    table
        .rows
        .iter()
        .map(|row| {
            let mut notes: Vec<(String, String)> = Vec::new();
            for (name, value, num, den) in &rates {
                let (Some(_), Some(n)) = (row[*value].as_f64(), row[*den].as_f64()) else {
                    continue;
                };
                if n > 0.0 && n < SMALL_BASE && !notes.iter().any(|(c, _)| c == name) {
                    let k = num.and_then(|i| row[i].as_f64());
                    notes.push((name.clone(), base_note(k, n)));
                }
            }
            notes
        })
        .collect()
}

/// Appends each small-base note to its cell: `names` are the table's columns as the result
/// named them, in the table's order.
fn add_small_bases(table: &mut Table, names: &[String], notes: &[Vec<(String, String)>]) {
    for (row, notes) in table.rows.iter_mut().zip(notes) {
        for (cell, name) in row.iter_mut().zip(names) {
            if let Some((_, note)) = notes.iter().find(|(c, _)| c == name) {
                cell.text = format!("{} {note}", cell.text);
            }
        }
    }
}

/// `table(id, columns=, limit=, term_only=, caption=, where=, labels=, in_full=)`: an
/// analysis's result as a table in the analysis's own words (or the template's, with `labels=`).
pub(super) fn table_block(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Block, Error> {
    let columns: Option<Vec<String>> = kwargs.get("columns")?;
    let limit: Option<usize> = kwargs.get("limit")?;
    let term_only: Option<bool> = kwargs.get("term_only")?;
    let caption: Option<String> = kwargs.get("caption")?;
    let condition: Option<String> = kwargs.get("where")?;
    // `labels={"column": "Heading"}` names columns for this table's readers (a school's
    // designated teacher) where the analysis's own labels are an analyst's shorthand.
    // `in_full=true` keeps a long table in the body: a list that is the document's purpose
    // (the children an officer follows up), not a table of figures to look things up in.
    let in_full: Option<bool> = kwargs.get("in_full")?;
    let headings: Option<minijinja::Value> = kwargs.get("labels")?;
    let headings = headings
        .map(|v| -> Result<Vec<(String, String)>, Error> {
            v.try_iter()?
                .map(|k| {
                    let heading = v.get_item(&k)?;
                    Ok((k.to_string(), heading.to_string()))
                })
                .collect()
        })
        .transpose()?;
    kwargs.assert_all_used()?;
    let (analysis, run) = lookup(data, id)?;
    let mut meta = analysis.meta.clone();
    if let Some(h) = headings {
        if let Some((c, _)) = h.iter().find(|(c, _)| !run.result.columns.contains(c)) {
            return Err(invalid(format!(
                "`labels=` of `{id}` names no column `{c}` (columns: {})",
                run.result.columns.join(", ")
            )));
        }
        meta.labels.extend(h);
    }
    let shown = &run.result;
    let mut table = if term_only.unwrap_or(false) {
        rows_for_term(shown, &data.run.term.to_string())
    } else {
        shown.clone()
    };
    if let Some(c) = condition {
        table = rows_where(&table, id, &c)?;
    }
    let notes = small_bases(&table, &analysis.meta);
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
    let mut shown = result_table_with(&table, None, caption.as_deref(), Vocabulary::of(&meta));
    add_small_bases(&mut shown, &table.columns, &notes);
    if in_full.unwrap_or(false) {
        shown.class = Some(super::appendix::IN_FULL.into());
    }
    Ok(Block::Table(Box::new(shown)))
}

/// Year-on-year headline table for a board: each metric for up to five academic years ending
/// with the report's (the years any of them has), the change on the year before, and national.
/// `group` picks whose figures (`all`, or e.g. `OC2 cohort`); `national` false leaves the
/// national column out, for figures on another basis than DfE's (one basis per comparison).
pub(super) fn years_block(
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
        let figures: Vec<Option<Figure>> = years
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
            let cell = latest_reference(data, NEIGHBOURS, "neighbours_mean", id)
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
pub(super) fn headlines_block(data: &ReportData, ids: &[String]) -> Result<Block, Error> {
    let year = report_year(data)?;
    let mut rows = Vec::new();
    for id in ids {
        require_metric(data, id)?;
        let termly = headline(data, id, &data.run.term.to_string()).is_some();
        let (now, before, last_year) = if termly {
            (
                data.run.term.to_string(),
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

/// A result as a table block: numbers right-aligned and formatted by unit.
/// `chart_unit` formats the value columns of a chart's data; other columns by name.
pub(super) fn result_table(
    table: &ResultTable,
    chart_unit: Option<Unit>,
    caption: Option<&str>,
) -> Table {
    result_table_with(table, chart_unit, caption, Vocabulary::NONE)
}

/// [`result_table`] with the analysis's own words: its column labels and units, and code
/// values as their code-list labels (a `group` cell by its row's `breakdown`).
pub(super) fn result_table_with(
    table: &ResultTable,
    chart_unit: Option<Unit>,
    caption: Option<&str>,
    words: Vocabulary<'_>,
) -> Table {
    let breakdown = table.column_index("breakdown");
    let rows = table
        .rows
        .iter()
        .map(|row| {
            table
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| {
                    let by_name = words.unit(c, v);
                    let unit = match (by_name, v) {
                        (None, Value::Float(_)) => chart_unit,
                        (u, _) => u,
                    };
                    let text = match v {
                        Value::Text(t) if c == "breakdown" => breakdown_label(t),
                        Value::Text(t) if c == "group" => match breakdown.map(|b| &row[b]) {
                            Some(Value::Text(b)) => value_label(b, t),
                            _ => value_label(c, t),
                        },
                        Value::Text(t) => value_label(c, t),
                        // A count of children the data does not record at all (no kinship rows)
                        // is "not recorded", never 0 nor a dash that might be read as one.
                        Value::Null if words.counts_children(c) => "not recorded".to_string(),
                        // No figure reads as a dash, as in the headline tables, not a blank.
                        Value::Null => "–".to_string(),
                        _ => format_value(v, unit),
                    };
                    if v.as_f64().is_some() || v.is_suppressed() || *v == Value::Null {
                        Cell::number(text)
                    } else {
                        Cell::text(text)
                    }
                })
                .collect()
        })
        .collect();
    Table {
        caption: caption.map(str::to_string),
        class: None,
        header: table.columns.iter().map(|c| words.heading(c)).collect(),
        rows,
        notes: Vec::new(),
    }
}
