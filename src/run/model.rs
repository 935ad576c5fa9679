//! Fits an analysis's declared model (`[model]` in its front matter) to its SQL rows and
//! returns the model's table: one row per group and factor, with n, events, the adjusted
//! odds ratio, its 95% interval, its Wald p value, the Benjamini-Hochberg q value over every
//! factor of every model in the table, and a finding worded as in facilitators and barriers:
//! a facilitator or barrier only when the interval excludes 1 and q is at most 0.05.

use super::value::{ResultTable, Value};
use crate::analysis::file::ModelSpec;
use crate::stats::{fdr, logistic};
use std::collections::BTreeMap;

/// Why a model could not be applied to the rows (a mistake in the analysis, not the data).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model kind `{0}` is not known (expected `logistic`)")]
    Kind(String),
    #[error("model column `{0}` is not in the SQL's result")]
    Column(String),
    #[error("model column `{column}` holds `{value}`; expected a number (the outcome 0 or 1)")]
    Value { column: String, value: String },
}

/// The model's result columns.
pub const COLUMNS: &[&str] = &[
    "model",
    "factor",
    "n",
    "events",
    "children_with_factor",
    "odds_ratio",
    "ci_lower",
    "ci_upper",
    "p_value",
    "q_value",
    "finding",
    "finding_unadjusted",
    "note",
];

/// The false discovery rate the adjusted finding controls, over every fitted factor.
const FDR: f64 = 0.05;

/// Fits the model to `table` and returns its result table.
pub fn apply(spec: &ModelSpec, table: &ResultTable) -> Result<ResultTable, ModelError> {
    if spec.kind != "logistic" {
        return Err(ModelError::Kind(spec.kind.clone()));
    }
    let index = |name: &str| {
        table
            .column_index(name)
            .ok_or_else(|| ModelError::Column(name.to_string()))
    };
    let outcome = index(&spec.outcome)?;
    let by = spec.by.as_deref().map(index).transpose()?;
    let factors: Vec<usize> = spec
        .factors
        .iter()
        .map(|f| index(f))
        .collect::<Result<_, _>>()?;
    let label = |i: usize| {
        spec.labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| spec.factors[i].clone())
    };
    // Rows per group: (factor values, empty where unknown; outcome).
    type Raw = (Vec<Vec<Option<f64>>>, Vec<f64>);
    let mut groups: BTreeMap<String, Raw> = BTreeMap::new();
    for row in &table.rows {
        let group = by.map_or_else(|| "all".to_string(), |b| row[b].to_string());
        let entry = groups.entry(group).or_default();
        let y = match &row[outcome] {
            Value::Null => continue,
            v => v.as_f64().ok_or_else(|| ModelError::Value {
                column: spec.outcome.clone(),
                value: v.to_string(),
            })?,
        };
        let mut x = Vec::with_capacity(factors.len());
        for (k, &f) in factors.iter().enumerate() {
            x.push(match &row[f] {
                Value::Null => None,
                Value::Bool(b) => Some(f64::from(u8::from(*b))),
                v => Some(v.as_f64().ok_or_else(|| ModelError::Value {
                    column: spec.factors[k].clone(),
                    value: v.to_string(),
                })?),
            });
        }
        entry.0.push(x);
        entry.1.push(y);
    }
    let mut rows: Vec<Vec<Value>> = Vec::new();
    // (row, p value) of every factor fitted, for the false discovery rate.
    let mut tested: Vec<(usize, f64)> = Vec::new();
    for (group, (raw, raw_y)) in groups {
        // A factor known for no child in the group stays out; the rest need complete cases.
        let known: Vec<bool> = (0..factors.len())
            .map(|k| raw.iter().any(|r| r[k].is_some()))
            .collect();
        let (x, y): (Vec<Vec<f64>>, Vec<f64>) = raw
            .iter()
            .zip(&raw_y)
            .filter(|(r, _)| r.iter().zip(&known).all(|(v, &kn)| v.is_some() || !kn))
            .map(|(r, &v)| (r.iter().map(|c| c.unwrap_or(0.0)).collect(), v))
            .unzip();
        let n = x.len();
        let events = y.iter().filter(|v| **v > 0.5).count();
        let with: Vec<usize> = (0..factors.len())
            .map(|k| x.iter().filter(|r| r[k] != 0.0).count())
            .collect();
        // Factors with too few children on either side cannot be estimated, nor can one whose
        // children (with or without it) all share one outcome: leave them out of the model.
        let events_with: Vec<usize> = (0..factors.len())
            .map(|k| {
                x.iter()
                    .zip(&y)
                    .filter(|(r, v)| r[k] != 0.0 && **v > 0.5)
                    .count()
            })
            .collect();
        let separates = |k: usize| {
            let without = n - with[k];
            let events_without = events - events_with[k];
            events_with[k] == 0
                || events_with[k] == with[k]
                || events_without == 0
                || events_without == without
        };
        let enough = |k: usize| with[k] >= spec.min_group && n - with[k] >= spec.min_group;
        let kept: Vec<usize> = (0..factors.len())
            .filter(|&k| enough(k) && !separates(k))
            .collect();
        let x_kept: Vec<Vec<f64>> = x
            .iter()
            .map(|r| kept.iter().map(|&k| r[k]).collect())
            .collect();
        let fitted = if kept.is_empty() {
            Err(logistic::FitError::Empty)
        } else {
            logistic::fit(&x_kept, &y)
        };
        let sparse = events.min(n - events) < 10 * kept.len().max(1);
        for k in 0..factors.len() {
            let base = vec![
                Value::Text(group.clone()),
                Value::Text(label(k)),
                Value::Int(n as i64),
                Value::Int(events as i64),
                Value::Int(with[k] as i64),
            ];
            let tail = match (&fitted, kept.iter().position(|&j| j == k)) {
                (_, None) if !known[k] => too_few("not known for any child".into()),
                (_, None) if enough(k) => too_few(
                    "every child with it, or every child without it, had the same outcome".into(),
                ),
                (_, None) => too_few(format!(
                    "fewer than {} children with or without it",
                    spec.min_group
                )),
                (Err(e), Some(_)) => too_few(format!("not fitted: {e}")),
                (Ok(coefs), Some(j)) => {
                    let (or, lo, hi) = coefs[j].odds_ratio();
                    let p = fdr::two_sided_p(coefs[j].beta / coefs[j].se);
                    let finding = if lo > 1.0 {
                        "facilitator"
                    } else if hi < 1.0 {
                        "barrier"
                    } else {
                        "no clear difference"
                    };
                    let note = if sparse {
                        "fewer than 10 outcomes per factor: read the interval with caution"
                    } else {
                        ""
                    };
                    tested.push((rows.len(), p));
                    vec![
                        Value::Float(or),
                        Value::Float(lo),
                        Value::Float(hi),
                        Value::Float(p),
                        Value::Null,
                        Value::Text(finding.into()),
                        Value::Text(finding.into()),
                        Value::Text(note.into()),
                    ]
                }
            };
            rows.push(base.into_iter().chain(tail).collect());
        }
    }
    // The false discovery rate over every fitted factor of every model in the table: the
    // finding stands only where q is at most 0.05; the interval's own call stays beside it.
    let p: Vec<f64> = tested.iter().map(|(_, p)| *p).collect();
    let q_col = COLUMNS.iter().position(|c| *c == "q_value").unwrap_or(9);
    let finding_col = COLUMNS.iter().position(|c| *c == "finding").unwrap_or(10);
    for ((row, _), q) in tested.iter().zip(fdr::benjamini_hochberg(&p)) {
        let r: &mut Vec<Value> = &mut rows[*row];
        r[q_col] = Value::Float(q);
        if q > FDR || !q.is_finite() {
            r[finding_col] = Value::Text("no clear difference".into());
        }
    }
    Ok(ResultTable {
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}

/// The columns after the counts for a factor left out of its model.
fn too_few(note: String) -> Vec<Value> {
    vec![
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Text("too few to say".into()),
        Value::Text("too few to say".into()),
        Value::Text(note),
    ]
}
