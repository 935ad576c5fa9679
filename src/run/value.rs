//! Result values and tables: what an engine returns and what the renderer draws.

use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// The DfE symbol for a figure suppressed for confidentiality.
pub const SUPPRESSED: &str = "c";

/// One cell of a result table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Date(NaiveDate),
    /// A figure withheld by disclosure control (DfE's symbol `c`); only the disclosure
    /// stage makes it, and it prints as `c`.
    Suppressed,
}

impl Value {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for a figure withheld by disclosure control.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Value::Suppressed)
    }
}

impl fmt::Display for Value {
    /// Plain text as written to CSV: no thousands separators, up to six decimals, trailing zeros trimmed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                let s = format!("{x:.6}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                write!(f, "{}", if s == "-0" { "0" } else { s })
            }
            Value::Text(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Suppressed => write!(f, "{}", SUPPRESSED),
        }
    }
}

/// A result set with named columns, rows in the order the SQL gave them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl ResultTable {
    /// The index of a column by name (case-insensitive, as SQL names are).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }

    /// All values of one column.
    pub fn column(&self, name: &str) -> Option<Vec<&Value>> {
        let i = self.column_index(name)?;
        Some(self.rows.iter().map(|r| &r[i]).collect())
    }

    /// The table as CSV text (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let line = |cells: Vec<String>| -> String {
            cells
                .into_iter()
                .map(|c| {
                    if c.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        out.push_str(&line(self.columns.clone()));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r.iter().map(|v| v.to_string()).collect()));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_without_noise() {
        assert_eq!(Value::Float(18.333333333).to_string(), "18.333333");
        assert_eq!(Value::Float(20.0).to_string(), "20");
        assert_eq!(Value::Float(-0.0000001).to_string(), "0");
        assert_eq!(Value::Float(0.5).to_string(), "0.5");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let t = ResultTable {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::Text("x, \"y\"".into()), Value::Null]],
        };
        assert_eq!(t.to_csv(), "a,b\n\"x, \"\"y\"\"\",\n");
    }
}
