//! The template function `attention()`: the report's disclosed figures and comparators as
//! the rules read them, and the judgement written as Markdown.

use super::RULES_FILE;
use super::rules::{Comparators, Flag, Judgement, Observed, Rules};
use crate::render::context::ReportData;
use crate::render::escape::escape;
use crate::render::figures::{NATIONAL, NEIGHBOURS, metric_counts_children};
use crate::render::lookups::{invalid, require_metric};
use minijinja::value::Value as JValue;
use minijinja::{Environment, Error};
use std::path::PathBuf;
use std::sync::Arc;

/// The report's disclosed figures as the rules read them.
fn observed(data: &ReportData) -> Vec<Observed> {
    data.metrics
        .iter()
        .map(|m| {
            let children = metric_counts_children(data, &m.row.metric);
            Observed {
                metric: m.row.metric.clone(),
                period: m.row.time_period.clone(),
                breakdown: m.row.breakdown.clone(),
                group: m.row.group.clone(),
                value: m.row.value.filter(|_| !m.value_suppressed),
                numerator: m.row.numerator.filter(|_| !m.numerator_suppressed),
                denominator: m.row.denominator.filter(|_| !m.denominator_suppressed),
                unit: m.row.unit,
                children,
                shown: !m.value_suppressed,
            }
        })
        .collect()
}

/// Every figure for children looked after 12 months in column `value` of reference analysis
/// `id` (`measure`, `academic_year`, `cohort`): DfE's national figures or the neighbours'.
fn reference_figures(data: &ReportData, id: &str, value: &str) -> Vec<(String, String, f64)> {
    let Some(run) = data.run.result(id) else {
        return Vec::new();
    };
    let table = &run.result;
    let col = |n: &str| table.column_index(n);
    let (Some(m), Some(y), Some(c), Some(v)) = (
        col("measure"),
        col("academic_year"),
        col("cohort"),
        col(value),
    ) else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .filter(|r| r[c].to_string() == "cla_12m")
        .filter_map(|r| Some((r[m].to_string(), r[y].to_string(), r[v].as_f64()?)))
        .collect()
}

/// What the rules compare a report's figures with.
fn comparators(data: &ReportData) -> Comparators {
    Comparators {
        national: reference_figures(data, NATIONAL, "value"),
        neighbours: reference_figures(data, NEIGHBOURS, "neighbours_mean"),
        better: Comparators::directions(&data.analyses),
    }
}

/// The judgement as Markdown: the flags as a numbered list, each linking to its section,
/// and what went well.
pub(super) fn markdown(j: &Judgement) -> String {
    let item = |f: &Flag| format!("[{}](#{})", escape(&f.sentence), f.anchor);
    let mut out = String::from("## What needs attention\n\n");
    if j.attention.is_empty() {
        out.push_str("No figure is beyond its comparator by the margins the rules set.\n\n");
    }
    for (i, f) in j.attention.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, item(f)));
    }
    out.push_str("\n### What went well\n\n");
    if j.well.is_empty() {
        out.push_str("No figure is better than its comparator by the margins the rules set.\n");
    }
    for f in &j.well {
        out.push_str(&format!("- {}\n", item(f)));
    }
    out.push('\n');
    out
}

/// Registers `attention()`, reading its rules from `dir/attention.toml`.
pub(in crate::render) fn register(
    env: &mut Environment<'static>,
    data: Arc<ReportData>,
    dir: PathBuf,
) {
    env.add_function("attention", move || {
        let path = dir.join(RULES_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| invalid(format!("attention(): cannot read {}: {e}", path.display())))?;
        let rules = Rules::parse(&path, &text).map_err(invalid)?;
        for r in &rules.rules {
            require_metric(&data, &r.metric)?;
        }
        let judgement = rules.judge(
            &observed(&data),
            &data.run.term.to_string(),
            &data.academic_year,
            &comparators(&data),
        );
        Ok::<_, Error>(JValue::from_safe_string(markdown(&judgement)))
    });
}
