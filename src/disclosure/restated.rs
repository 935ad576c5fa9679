//! Figures an analysis repeats from another's metrics (our figure beside DfE's): shown only
//! where the figure they repeat is shown. Disclosure hides them ([`hide`]) and the attacker
//! checks it did ([`leaks`]), both reading each row the same way ([`rows`]).

use super::{Disclosed, DisclosedMetric, check};
use crate::analysis::{Analysis, Restates};
use crate::run::{ResultTable, RunOutput, Value};

/// Whether one row's repeated figure, and its denominator, are hidden from the publication
/// (or not in it at all).
struct Hidden {
    value: bool,
    denominator: bool,
}

/// What the analysis `id` declares it restates, if anything.
fn restates<'a>(analyses: &'a [Analysis], id: &str) -> Option<&'a Restates> {
    analyses
        .iter()
        .find(|x| x.id() == id)
        .and_then(|x| x.meta.restates.as_ref())
}

/// Row by row of a restating table, whether what it repeats is hidden.
fn rows(r: &Restates, table: &ResultTable, figures: &[DisclosedMetric]) -> Vec<Hidden> {
    let cell = |row: &[Value], name: &str| table.column_index(name).map(|i| row[i].to_string());
    table
        .rows
        .iter()
        .map(|row| {
            let source = (|| {
                let (metric, period) = (cell(row, &r.metric)?, cell(row, &r.time_period)?);
                figures.iter().find(|f| {
                    f.row.metric == metric
                        && f.row.time_period == period
                        && f.row.breakdown == r.breakdown
                })
            })();
            Hidden {
                value: source.is_none_or(|f| f.value_suppressed || f.row.value.is_none()),
                denominator: source.is_none_or(|f| f.denominator_suppressed),
            }
        })
        .collect()
}

/// Hides what an analysis repeats from another (our figure beside DfE's, its children and
/// its gap) wherever the figure repeated is hidden, or is not in the publication at all.
pub(super) fn hide(out: &mut RunOutput, figures: &[DisclosedMetric], analyses: &[Analysis]) {
    for a in &mut out.analyses {
        let Some(r) = restates(analyses, &a.id) else {
            continue;
        };
        let index = |n: &str| a.result.column_index(n);
        let value = index(&r.value);
        let denominator = r.denominator.as_deref().and_then(index);
        let derived: Vec<usize> = r.derived.iter().filter_map(|d| index(d)).collect();
        let hidden = rows(r, &a.result, figures);
        for (row, hidden) in a.result.rows.iter_mut().zip(hidden) {
            if hidden.value {
                for c in value.iter().chain(&derived) {
                    if !row[*c].is_null() {
                        row[*c] = Value::Suppressed;
                    }
                }
            }
            if let Some(c) = denominator
                && hidden.denominator
                && !row[c].is_null()
            {
                row[c] = Value::Suppressed;
            }
        }
    }
}

/// Figures an analysis repeats shown where the publication hides the figure they repeat.
pub(super) fn leaks(disclosed: &Disclosed, analyses: &[Analysis]) -> Vec<check::Leak> {
    let mut leaks = Vec::new();
    for a in &disclosed.run.analyses {
        let Some(r) = restates(analyses, &a.id) else {
            continue;
        };
        let Some(v) = a.result.column_index(&r.value) else {
            continue;
        };
        let hidden = rows(r, &a.result, &disclosed.metrics);
        for (i, (row, hidden)) in a.result.rows.iter().zip(hidden).enumerate() {
            if let Some(value) = row[v].as_f64()
                && hidden.value
            {
                leaks.push(check::Leak {
                    place: format!("{} row {} column {}", a.id, i + 1, r.value),
                    value,
                    how: "repeats a figure the publication hides".into(),
                });
            }
        }
    }
    leaks
}
