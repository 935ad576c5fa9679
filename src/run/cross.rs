//! Cross-engine checking: the same analyses on two engines must give the same tables,
//! counts exactly and rates to a relative 1e-9, whatever order the rows come in. A number
//! that is zero up to rounding (a difference of two equal means, summed in another order)
//! may differ by 1e-12 at most: relative error means nothing next to zero.

use super::value::{ResultTable, Value};
use std::fmt;

/// Relative tolerance for non-integer numbers.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;

/// Absolute tolerance for non-integer numbers next to zero, where rounding error is
/// relative to the operands (say two means of 0.3) rather than to the result.
pub const ABSOLUTE_TOLERANCE: f64 = 1e-12;

/// Where and how two engines disagree on one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub analysis: String,
    /// 1-based row in the canonical (sorted) order, with the row's identifying values.
    pub row: Option<usize>,
    pub row_key: String,
    pub column: Option<String>,
    pub left: String,
    pub right: String,
    pub engines: (String, String),
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.analysis)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
            if !self.row_key.is_empty() {
                write!(f, " ({})", self.row_key)?;
            }
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(
            f,
            ": {} gives {}, {} gives {}",
            self.engines.0, self.left, self.engines.1, self.right
        )
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Float(x) => format!("{x:?}"),
        other => other.to_string(),
    }
}

/// Whether two cells agree: numbers compared as numbers (integers exactly), the rest exactly.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) if x.is_nan() || y.is_nan() => x.is_nan() && y.is_nan(),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let (x, y) = (number(a), number(b));
            if x == y {
                return true;
            }
            let scale = x.abs().max(y.abs());
            (x - y).abs() <= (RELATIVE_TOLERANCE * scale).max(ABSOLUTE_TOLERANCE)
        }
        _ => a == b,
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// A sort key that is the same for rows the engines agree on: non-numeric cells as text,
/// numbers (integer or not) rounded to 6 significant figures.
fn key(row: &[Value]) -> Vec<(u8, String)> {
    row.iter()
        .map(|v| match v {
            Value::Null => (0, String::new()),
            Value::Int(_) | Value::Float(_) => (1, format!("{:.5e}", number(v))),
            Value::Bool(b) => (2, b.to_string()),
            Value::Text(s) => (3, s.clone()),
            Value::Date(d) => (4, d.to_string()),
            Value::Suppressed => (5, String::new()),
        })
        .collect()
}

fn sorted(t: &ResultTable) -> Vec<&Vec<Value>> {
    let mut rows: Vec<&Vec<Value>> = t.rows.iter().collect();
    rows.sort_by_cached_key(|r| key(r));
    rows
}

/// The text columns of a row, to name it in a message.
fn row_key(columns: &[String], row: &[Value]) -> String {
    columns
        .iter()
        .zip(row)
        .filter(|(_, v)| matches!(v, Value::Text(_) | Value::Date(_)))
        .take(4)
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares one analysis's tables from two engines; the first difference found, if any.
pub fn compare(
    analysis: &str,
    engines: (&str, &str),
    left: &ResultTable,
    right: &ResultTable,
) -> Option<Difference> {
    let diff =
        |row: Option<usize>, row_key: String, column: Option<String>, l: String, r: String| {
            Some(Difference {
                analysis: analysis.to_string(),
                row,
                row_key,
                column,
                left: l,
                right: r,
                engines: (engines.0.to_string(), engines.1.to_string()),
            })
        };
    let lower = |t: &ResultTable| -> Vec<String> {
        t.columns.iter().map(|c| c.to_ascii_lowercase()).collect()
    };
    if lower(left) != lower(right) {
        return diff(
            None,
            String::new(),
            None,
            format!("columns [{}]", left.columns.join(", ")),
            format!("columns [{}]", right.columns.join(", ")),
        );
    }
    if left.rows.len() != right.rows.len() {
        return diff(
            None,
            String::new(),
            None,
            format!("{} rows", left.rows.len()),
            format!("{} rows", right.rows.len()),
        );
    }
    for (i, (l, r)) in sorted(left).into_iter().zip(sorted(right)).enumerate() {
        for (c, (a, b)) in l.iter().zip(r.iter()).enumerate() {
            if !same(a, b) {
                return diff(
                    Some(i + 1),
                    row_key(&left.columns, l),
                    left.columns.get(c).cloned(),
                    shown(a),
                    shown(b),
                );
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<Value>>) -> ResultTable {
        ResultTable {
            columns: vec!["group".into(), "children".into(), "rate".into()],
            rows,
        }
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn counts_must_match_exactly_and_rates_to_one_in_a_billion() {
        let a = table(vec![vec![t("boys"), Value::Int(12), Value::Float(0.25)]]);
        // 0.25 * (1 + 5e-10) is within 1e-9 relative of 0.25: the same.
        let close = table(vec![vec![
            t("boys"),
            Value::Float(12.0),
            Value::Float(0.25 * (1.0 + 5e-10)),
        ]]);
        assert_eq!(compare("x", ("datafusion", "duckdb"), &a, &close), None);
        // 0.25 * (1 + 2e-9) is not.
        let far = table(vec![vec![
            t("boys"),
            Value::Int(12),
            Value::Float(0.25 * (1.0 + 2e-9)),
        ]]);
        let d =
            compare("x", ("datafusion", "duckdb"), &a, &far).unwrap_or_else(|| panic!("differs"));
        assert_eq!((d.row, d.column.as_deref()), (Some(1), Some("rate")));
        assert_eq!(d.row_key, "group=boys");
        // Zero up to rounding: -8.9e-16 and 8.9e-16 (seen from two summation orders) are
        // 1.8e-15 apart, within 1e-12; 0 and 1e-11 are not.
        let a0 = table(vec![vec![
            t("boys"),
            Value::Int(12),
            Value::Float(-8.881784197001252e-16),
        ]]);
        let b0 = table(vec![vec![
            t("boys"),
            Value::Int(12),
            Value::Float(8.881784197001252e-16),
        ]]);
        assert_eq!(compare("x", ("datafusion", "duckdb"), &a0, &b0), None);
        let c0 = table(vec![vec![t("boys"), Value::Int(12), Value::Float(1e-11)]]);
        assert!(compare("x", ("datafusion", "duckdb"), &a0, &c0).is_some());
        let off_by_one = table(vec![vec![t("boys"), Value::Int(13), Value::Float(0.25)]]);
        let d = compare("x", ("datafusion", "duckdb"), &a, &off_by_one)
            .unwrap_or_else(|| panic!("differs"));
        assert_eq!(d.column.as_deref(), Some("children"));
        assert!(
            d.to_string()
                .contains("datafusion gives 12, duckdb gives 13"),
            "{d}"
        );
    }

    #[test]
    fn row_order_does_not_matter_but_row_counts_and_nulls_do() {
        let a = table(vec![
            vec![t("boys"), Value::Int(12), Value::Null],
            vec![t("girls"), Value::Int(9), Value::Float(0.5)],
        ]);
        let b = table(vec![
            vec![t("girls"), Value::Int(9), Value::Float(0.5)],
            vec![t("boys"), Value::Int(12), Value::Null],
        ]);
        assert_eq!(compare("x", ("a", "b"), &a, &b), None);
        let fewer = table(vec![vec![t("girls"), Value::Int(9), Value::Float(0.5)]]);
        let d = compare("x", ("a", "b"), &a, &fewer).unwrap_or_else(|| panic!("differs"));
        assert_eq!((d.left.as_str(), d.right.as_str()), ("2 rows", "1 rows"));
        let zero = table(vec![
            vec![t("boys"), Value::Int(12), Value::Float(0.0)],
            vec![t("girls"), Value::Int(9), Value::Float(0.5)],
        ]);
        assert!(compare("x", ("a", "b"), &a, &zero).is_some());
    }
}
