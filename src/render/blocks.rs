//! The blocks template functions build: a chart with its data table, and the year-on-year
//! and headline tables of figures (result tables are in [`super::tables`]).

use super::chart;
use super::context::ReportData;
use super::document::{Block, Cell, Figure as ChartFigure, Inline, Table};
use super::figures::{
    Figure, NEIGHBOURS, headline, headline_of, latest_reference, national_cell, short_change, show,
};
use super::lookups::{
    invalid, lookup, period_heading, report_year, report_years, require_metric, rows_where,
};
use super::tables::{add_small_bases, result_table_with, small_bases};
use super::words::{Vocabulary, category_label, metric_label_in, period_label};
use crate::run::{ResultTable, Value};
use minijinja::Error;
use minijinja::value::Kwargs;

/// A chart with nothing to draw (every point suppressed or missing): its title and one
/// sentence saying why (`why`, the chart's summary), in place of an empty frame.
pub(super) fn not_drawn(title: &str, why: &str) -> Block {
    Block::Paragraph(vec![
        Inline::Strong(vec![Inline::Text(format!(
            "{}.",
            title.trim_end_matches('.')
        ))]),
        Inline::Text(format!(" {why}")),
    ])
}

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
        return Ok(not_drawn(&spec.title, &drawn.summary));
    }
    let anchor = match &spec.name {
        Some(n) => format!("chart-{}-{n}", id.replace('/', "-")),
        None => format!("chart-{}", id.replace('/', "-")),
    };
    let svg = drawn.inline_svg();
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
    let mut years = report_years(data)?;
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
            row.push(Cell::number(national_cell(data, id, false)));
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
            Cell::number(national_cell(data, id, termly)),
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
