//! Printing a result for a person or a program: an aligned text table (numbers right-aligned
//! and rounded for display), CSV, JSON or Markdown (full precision in CSV and JSON).

use crate::run::{ResultTable, Value};

/// How `cohort query` prints a result (`--mode`, `.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Table,
    Csv,
    Json,
    Markdown,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Mode::Table),
            "csv" => Ok(Mode::Csv),
            "json" => Ok(Mode::Json),
            "markdown" | "md" => Ok(Mode::Markdown),
            other => Err(format!(
                "unknown mode `{other}`: expected table, csv, json or markdown"
            )),
        }
    }
}

/// The rows a table view shows when no limit is given; CSV and JSON print every row.
pub const DEFAULT_LIMIT: usize = 40;

/// `t` in `mode`, at most `limit` rows (0: all) with a note of how many were left out.
pub fn format(t: &ResultTable, mode: Mode, limit: Option<usize>) -> String {
    let limit = match (limit, mode) {
        (Some(0), _) => None,
        (Some(n), _) => Some(n),
        (None, Mode::Table | Mode::Markdown) => Some(DEFAULT_LIMIT),
        (None, _) => None,
    };
    let shown = limit.map_or(t.rows.len(), |n| n.min(t.rows.len()));
    let rows = &t.rows[..shown];
    let left = t.rows.len() - shown;
    let mut out = match mode {
        Mode::Table => text_table(&t.columns, rows),
        Mode::Markdown => markdown(&t.columns, rows),
        Mode::Csv => csv_text(&t.columns, rows),
        Mode::Json => json(&t.columns, rows),
    };
    if left > 0 && matches!(mode, Mode::Table | Mode::Markdown) {
        out.push_str(&format!(
            "\n({} rows; {left} more not shown: --limit 0 or .limit 0 shows all)",
            t.rows.len()
        ));
    } else if matches!(mode, Mode::Table) {
        let n = t.rows.len();
        out.push_str(&format!("\n({n} row{})", if n == 1 { "" } else { "s" }));
    }
    out
}

/// A value for a person: floats to two decimals, everything else as written to CSV.
fn display(v: &Value) -> String {
    match v {
        Value::Float(x) if x.is_finite() => {
            let s = format!("{x:.2}");
            if s == "-0.00" { "0.00".into() } else { s }
        }
        Value::Null => "NULL".into(),
        other => other.to_string(),
    }
}

fn numeric(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// An aligned plain-text table: numbers right-aligned, text left-aligned.
pub fn text_table(columns: &[String], rows: &[Vec<Value>]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(display).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let right: Vec<bool> = (0..columns.len())
        .map(|i| {
            rows.iter().any(|r| numeric(&r[i]))
                && rows.iter().all(|r| numeric(&r[i]) || r[i].is_null())
        })
        .collect();
    let line = |vals: &[String]| -> String {
        vals.iter()
            .enumerate()
            .map(|(i, v)| {
                let w = widths[i];
                if right[i] {
                    format!("{v:>w$}")
                } else {
                    format!("{v:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![line(columns)];
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    out.extend(cells.iter().map(|r| line(r)));
    out.join("\n")
}

fn markdown(columns: &[String], rows: &[Vec<Value>]) -> String {
    let esc = |s: String| s.replace('|', "\\|");
    let mut out = vec![
        format!(
            "| {} |",
            columns
                .iter()
                .map(|c| esc(c.clone()))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        format!(
            "|{}|",
            columns.iter().map(|_| "---").collect::<Vec<_>>().join("|")
        ),
    ];
    out.extend(rows.iter().map(|r| {
        format!(
            "| {} |",
            r.iter()
                .map(|v| esc(display(v)))
                .collect::<Vec<_>>()
                .join(" | ")
        )
    }));
    out.join("\n")
}

fn csv_text(columns: &[String], rows: &[Vec<Value>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(columns);
    for r in rows {
        let _ = w.write_record(r.iter().map(full_precision));
    }
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    text.trim_end().to_string()
}

/// Every digit the value has (CSV and JSON are for programs).
fn full_precision(v: &Value) -> String {
    match v {
        Value::Float(x) => format!("{x}"),
        other => other.to_string(),
    }
}

fn json(columns: &[String], rows: &[Vec<Value>]) -> String {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            for (c, v) in columns.iter().zip(r) {
                let j = match v {
                    Value::Null => serde_json::Value::Null,
                    Value::Suppressed => serde_json::Value::String(v.to_string()),
                    Value::Bool(b) => (*b).into(),
                    Value::Int(i) => (*i).into(),
                    Value::Float(f) => serde_json::Number::from_f64(*f)
                        .map(serde_json::Value::Number)
                        .unwrap_or(serde_json::Value::Null),
                    Value::Text(s) => s.clone().into(),
                    Value::Date(d) => d.format("%Y-%m-%d").to_string().into(),
                };
                o.insert(c.clone(), j);
            }
            serde_json::Value::Object(o)
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> ResultTable {
        ResultTable {
            columns: vec!["term".into(), "rate".into(), "n".into()],
            rows: vec![
                vec![
                    Value::Text("2024-25-autumn".into()),
                    Value::Float(8.333333333),
                    Value::Int(12),
                ],
                vec![
                    Value::Text("2024-25-spring".into()),
                    Value::Float(10.5),
                    Value::Int(7),
                ],
                vec![Value::Text("x".into()), Value::Null, Value::Int(100)],
            ],
        }
    }

    #[test]
    fn the_table_rounds_and_right_aligns_numbers() {
        let s = format(&t(), Mode::Table, None);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "term           |  rate |   n");
        assert_eq!(lines[2], "2024-25-autumn |  8.33 |  12");
        assert_eq!(lines[3], "2024-25-spring | 10.50 |   7");
        assert_eq!(lines[4], "x              |  NULL | 100");
        assert_eq!(lines[5], "(3 rows)");
    }

    #[test]
    fn a_limit_says_how_many_rows_it_left_out() {
        let s = format(&t(), Mode::Table, Some(1));
        assert!(
            s.ends_with("(3 rows; 2 more not shown: --limit 0 or .limit 0 shows all)"),
            "{s}"
        );
        assert_eq!(format(&t(), Mode::Table, Some(0)).lines().count(), 6);
    }

    #[test]
    fn csv_and_json_keep_full_precision() {
        let c = format(&t(), Mode::Csv, None);
        assert_eq!(c.lines().nth(1), Some("2024-25-autumn,8.333333333,12"));
        let j: serde_json::Value = serde_json::from_str(&format(&t(), Mode::Json, None)).unwrap();
        assert_eq!(j[0]["rate"], serde_json::json!(8.333333333));
        assert_eq!(j[2]["rate"], serde_json::Value::Null);
    }

    #[test]
    fn markdown_escapes_pipes() {
        let mut x = t();
        x.rows[2][0] = Value::Text("a|b".into());
        assert!(format(&x, Mode::Markdown, None).contains("| a\\|b |"));
    }
}
