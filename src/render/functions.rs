//! The functions a template calls (`chart`, `table`, `metric`, `metric_value`, `change`,
//! `headlines`, `years`, `year_charts`, `national`, `rows`, `describe`) and its globals, registered for one
//! report. Each reads only the disclosed run it is given.

use super::blocks::{chart_block, headlines_block, years_block};
use super::context::ReportData;
use super::document::{Block, BlockStore};
use super::escape::escape;
use super::figures::{
    Figure, NATIONAL, NEIGHBOURS, Reference, change_text, latest_national, metric_figure,
};
use super::lookups::{invalid, lookup, require_metric};
use super::tables::table_block;
use super::words::period_label;
use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error};
use std::sync::Arc;

/// The reference analyses a template function reads beyond those its arguments name: a
/// template that calls one needs them run (what [`super::template`] adds to its analyses).
/// `years(.., neighbours=true)` also reads the statistical neighbours, which a template
/// showing them names in its own `table(..)` of them.
pub(super) const READS: &[(&str, &[&str])] = &[
    ("national", &[NATIONAL]),
    ("headlines", &[NATIONAL]),
    ("years", &[NATIONAL]),
    ("attention", &[NATIONAL, NEIGHBOURS]),
    ("year_charts", &[NATIONAL, NEIGHBOURS]),
];

/// The value of one metric row, by id, period, breakdown and group.
fn metric_lookup(data: &ReportData, id: &str, kwargs: &Kwargs) -> Result<Option<Figure>, Error> {
    let period: Option<String> = kwargs.get("period")?;
    let group: Option<String> = kwargs.get("group")?;
    let breakdown: Option<String> = kwargs.get("breakdown")?;
    kwargs.assert_all_used()?;
    let period = period.unwrap_or_else(|| data.run.term.to_string());
    let group = group.unwrap_or_else(|| "all".into());
    require_metric(data, id)?;
    Ok(metric_figure(
        data,
        id,
        &period,
        &group,
        breakdown.as_deref(),
    ))
}

/// Registers the template functions and globals for one report.
/// Functions that draw a chart or a table store the block in `store` and return the
/// placeholder that stands for it in the Markdown.
pub(super) fn register(
    env: &mut Environment<'static>,
    data: Arc<ReportData>,
    store: Arc<BlockStore>,
) {
    let placeholder =
        |store: &BlockStore, block: Block| JValue::from_safe_string(store.placeholder(block));
    let (d, st) = (data.clone(), store.clone());
    env.add_function("chart", move |id: String, kwargs: Kwargs| {
        chart_block(&d, &id, &kwargs).map(|b| placeholder(&st, b))
    });
    let (d, st) = (data.clone(), store.clone());
    env.add_function("table", move |id: String, kwargs: Kwargs| {
        table_block(&d, &id, &kwargs).map(|b| placeholder(&st, b))
    });
    let d = data.clone();
    env.add_function("metric", move |id: String, kwargs: Kwargs| {
        Ok::<_, Error>(match metric_lookup(&d, &id, &kwargs)? {
            Some(f) if f.shown => f.text(),
            Some(_) => crate::run::value::SUPPRESSED.to_string(),
            None => "not available".to_string(),
        })
    });
    let d = data.clone();
    env.add_function("metric_value", move |id: String, kwargs: Kwargs| {
        Ok::<_, Error>(
            metric_lookup(&d, &id, &kwargs)?
                .filter(|f| f.shown)
                .map(|f| JValue::from(f.value))
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
        let to = to.unwrap_or_else(|| d.run.term.to_string());
        Ok::<_, Error>(change_text(at(from)?, at(to)?))
    });
    let (d, st) = (data.clone(), store.clone());
    env.add_function("headlines", move |ids: Vec<String>| {
        headlines_block(&d, &ids).map(|b| placeholder(&st, b))
    });
    let (d, st) = (data.clone(), store.clone());
    env.add_function("year_charts", move |ids: Vec<String>, kwargs: Kwargs| {
        let group: Option<String> = kwargs.get("group")?;
        kwargs.assert_all_used()?;
        let group = group.unwrap_or_else(|| "all".into());
        super::governors::year_charts_block(&d, &ids, &group).map(|b| placeholder(&st, b))
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
        let (_, run) = lookup(&d, NATIONAL)?;
        let reference = Reference::read(&run.result, "value")
            .map_err(|column| invalid(format!("{NATIONAL} has no column `{column}`")))?;
        Ok::<_, Error>(
            reference
                .figure(&measure, &year, &cohort)
                .unwrap_or_else(|| format!("not published for {}", period_label(&year))),
        )
    });
    let d = data.clone();
    env.add_function("rows", move |id: String, kwargs: Kwargs| {
        // Child-level results are refused here too: for a board, a count of listed children
        // would be a small number of its own. `where="column=value"` counts only those rows
        // (a school page asks whether its school has any).
        let condition: Option<String> = kwargs.get("where")?;
        kwargs.assert_all_used()?;
        let (_, run) = lookup(&d, &id)?;
        Ok::<_, Error>(match condition {
            Some(c) => super::lookups::rows_where(&run.result, &id, &c)?.rows.len(),
            None => run.result.rows.len(),
        })
    });
    let d = data.clone();
    env.add_function("describe", move |id: String| {
        // An analysis's description is written by its author, Markdown and all (not data).
        lookup(&d, &id)
            .map(|(analysis, _)| JValue::from_safe_string(escape(&analysis.meta.description)))
    });
    // The period's names and values exactly as SQL's `params` table has them, and every
    // report parameter (none unless the report is for one value: `--each`, `--param`).
    for (name, value) in data.period.values() {
        env.add_global(name, period_value(value));
    }
    for p in crate::period::PARAMETERS {
        env.add_global(p.name, JValue::from(()));
    }
}

/// A period value as a template variable: text, a number, a date as `YYYY-MM-DD`, a flag.
fn period_value(value: crate::period::PeriodValue) -> JValue {
    use crate::period::PeriodValue;
    match value {
        PeriodValue::Text(s) => JValue::from(s),
        PeriodValue::Int(n) => JValue::from(n),
        PeriodValue::Date(d) => JValue::from(d.format("%Y-%m-%d").to_string()),
        PeriodValue::Bool(b) => JValue::from(b),
    }
}
