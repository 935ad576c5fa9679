//! Disclosure control for reports that leave the Virtual School team (domain.md section 10):
//! counts from 1 to 4 and figures resting on them become `c`; figures on fewer than 10
//! children become `c`; then secondary suppression hides a second cell wherever a single
//! hidden cell could be worked back from the rest of its row or column.

use crate::analysis::Analysis;
use crate::run::value::{ResultTable, Value};

/// The DfE symbol for a figure suppressed for confidentiality.
pub const SUPPRESSED: &str = "c";

/// True for a count that must not be shown: 1 to 4 (zero is shown).
pub fn small_count(v: f64) -> bool {
    v > 0.0 && v < 5.0
}

/// Whether a figure with this numerator and denominator may be published.
pub fn rate_is_safe(numerator: Option<f64>, denominator: Option<f64>) -> bool {
    !numerator.is_some_and(small_count) && !denominator.is_some_and(|d| d < 10.0)
}

fn is_derived(analysis: &Analysis, column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    let named = analysis.meta.metrics.iter().any(|m| m.value == column)
        || analysis
            .meta
            .charts
            .iter()
            .any(|ch| ch.y.iter().any(|y| y == column));
    let comparator = analysis
        .meta
        .charts
        .iter()
        .any(|ch| ch.comparators.iter().any(|k| k == column))
        || c.starts_with("national")
        || c.starts_with("all_pupils");
    let looks_derived = [
        "rate", "mean", "share", "gap", "lower", "upper", "per_", "odds",
    ]
    .iter()
    .any(|k| c.contains(k));
    (named || looks_derived) && !comparator
}

fn hidden(v: &Value) -> bool {
    matches!(v, Value::Text(t) if t == SUPPRESSED)
}

/// The table with disclosure control applied: suppressed cells hold the text `c`, which
/// tables print and charts draw as gaps.
pub fn apply(analysis: &Analysis, table: &ResultTable) -> ResultTable {
    let counts: Vec<usize> = analysis
        .meta
        .suppress
        .iter()
        .filter_map(|c| table.column_index(c))
        .collect();
    let derived: Vec<usize> = (0..table.columns.len())
        .filter(|i| !counts.contains(i) && is_derived(analysis, &table.columns[*i]))
        .collect();
    // Rows that add up together: the same period and, in long tables, the same breakdown
    // or outcome; a hidden cell must not be the only one in its group.
    let keys: Vec<usize> = [
        "term",
        "academic_year",
        "time_period",
        "year",
        "breakdown",
        "outcome",
        "model",
    ]
    .iter()
    .filter_map(|c| table.column_index(c))
    .collect();
    let group_of = |row: &[Value]| -> String {
        keys.iter()
            .map(|&k| row[k].to_string())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    };
    let mut out = table.clone();
    // Primary: counts from 1 to 4.
    for row in &mut out.rows {
        for &i in &counts {
            if row[i].as_f64().is_some_and(small_count) {
                row[i] = Value::Text(SUPPRESSED.into());
            }
        }
    }
    // Secondary: never leave a single hidden count in a row or in a column of one period.
    loop {
        let mut changed = false;
        for row in &mut out.rows {
            let hidden_here = counts.iter().filter(|&&i| hidden(&row[i])).count();
            if hidden_here == 1 {
                changed |= hide_smallest(row, &counts);
            }
        }
        for &col in &counts {
            let mut groups: Vec<String> = out.rows.iter().map(|r| group_of(r)).collect();
            groups.sort();
            groups.dedup();
            for g in groups {
                let members: Vec<usize> = (0..out.rows.len())
                    .filter(|&r| group_of(&out.rows[r]) == g)
                    .collect();
                let hidden_here = members
                    .iter()
                    .filter(|&&r| hidden(&out.rows[r][col]))
                    .count();
                if hidden_here == 1 {
                    let smallest = members
                        .iter()
                        .filter(|&&r| out.rows[r][col].as_f64().is_some_and(|v| v > 0.0))
                        .min_by(|&&a, &&b| {
                            let va = out.rows[a][col].as_f64().unwrap_or(f64::MAX);
                            let vb = out.rows[b][col].as_f64().unwrap_or(f64::MAX);
                            va.total_cmp(&vb)
                        })
                        .copied();
                    if let Some(r) = smallest {
                        out.rows[r][col] = Value::Text(SUPPRESSED.into());
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Figures resting on a hidden count, or on fewer than 10 children, are hidden too.
    for (row, original) in out.rows.iter_mut().zip(&table.rows) {
        let any_hidden = counts.iter().any(|&i| hidden(&row[i]));
        let largest = counts
            .iter()
            .filter_map(|&i| original[i].as_f64())
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        let few = largest.is_some_and(|n| n < 10.0);
        if any_hidden || few {
            for &i in &derived {
                if !row[i].is_null() {
                    row[i] = Value::Text(SUPPRESSED.into());
                }
            }
        }
    }
    out
}

fn hide_smallest(row: &mut [Value], counts: &[usize]) -> bool {
    let smallest = counts
        .iter()
        .filter(|&&i| row[i].as_f64().is_some_and(|v| v > 0.0))
        .min_by(|&&a, &&b| {
            let va = row[a].as_f64().unwrap_or(f64::MAX);
            let vb = row[b].as_f64().unwrap_or(f64::MAX);
            va.total_cmp(&vb)
        })
        .copied();
    match smallest {
        Some(i) => {
            row[i] = Value::Text(SUPPRESSED.into());
            true
        }
        None => false,
    }
}

/// The notes a board or school report ends with, explaining the symbols.
pub const NOTES: &str = "<section class=\"notes\"><h2 id=\"notes\">Notes on the figures</h2>\
<p><strong>c</strong>: suppressed to protect confidentiality. Counts from 1 to 4 are not shown, nor are \
percentages and averages that rest on them or on fewer than 10 children; where one hidden figure could \
be worked out from a total or from the other figures in its row or column, a second figure is hidden too \
(DfE's symbol and practice; this project's thresholds, domain.md section 10). Charts leave a gap where a \
figure is suppressed. No child is named or identifiable in this report.</p></section>";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::file::Analysis;

    fn analysis(suppress: &[&str]) -> Analysis {
        let sql = format!(
            "-- ---\n-- id = \"t/x\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n-- suppress = [{}]\n-- ---\nSELECT 1",
            suppress
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Analysis::parse(std::path::Path::new("queries/t/x.sql"), "t/x", &sql).unwrap()
    }

    fn table(columns: &[&str], rows: &[&[Value]]) -> ResultTable {
        ResultTable {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows.iter().map(|r| r.to_vec()).collect(),
        }
    }

    fn text(t: &ResultTable) -> Vec<String> {
        t.rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    #[test]
    fn a_single_small_count_takes_a_second_cell_with_it() {
        use Value::*;
        // Children by school location in one term: 3 out of authority is primary-suppressed;
        // the total (25) would give it back from 22 + 3, so the next smallest (the 7 not in
        // school) goes too; the share beside each hidden count goes with it.
        let a = analysis(&["children"]);
        let t = table(
            &["term", "location", "children", "share"],
            &[
                &[Text("T".into()), Text("in".into()), Int(15), Float(60.0)],
                &[Text("T".into()), Text("out".into()), Int(3), Float(12.0)],
                &[Text("T".into()), Text("none".into()), Int(7), Float(28.0)],
            ],
        );
        assert_eq!(
            text(&apply(&a, &t)),
            vec!["T,in,15,60", "T,out,c,c", "T,none,c,c"]
        );
    }

    #[test]
    fn rows_hide_a_partner_and_small_denominators_hide_rates() {
        use Value::*;
        // n_with 2 is primary; n_without 40 is then its row partner (else 2 = total - 40);
        // the rates beside them go. A row on 8 children hides its rate though no count is 1-4.
        let a = analysis(&["n_with", "n_without"]);
        let t = table(
            &["factor", "n_with", "n_without", "rate_with"],
            &[
                &[Text("a".into()), Int(2), Int(40), Float(50.0)],
                &[Text("b".into()), Int(8), Int(0), Float(25.0)],
                &[Text("c".into()), Int(20), Int(22), Float(45.0)],
            ],
        );
        let out = apply(&a, &t);
        assert_eq!(out.rows[0][1].to_string(), "c");
        assert_eq!(out.rows[0][2].to_string(), "c");
        assert_eq!(out.rows[0][3].to_string(), "c");
        assert_eq!(out.rows[1][3].to_string(), "c");
        // Column n_with then has one hidden cell (no period column, so one group): the
        // smallest other non-zero, 8, goes; column n_without likewise loses 22 (0 is shown).
        // Row c then has one hidden count, so its n_with 20 goes too.
        assert_eq!(out.rows[1][1].to_string(), "c");
        assert_eq!(out.rows[2][2].to_string(), "c");
        assert_eq!(out.rows[2][1].to_string(), "c");
        // Nothing anywhere is left as a lone hidden cell in its row or column.
        for col in 1..=2 {
            let hidden_in_col = out.rows.iter().filter(|r| hidden(&r[col])).count();
            assert_ne!(hidden_in_col, 1);
        }
    }

    #[test]
    fn zeros_and_large_counts_are_shown() {
        use Value::*;
        let a = analysis(&["children"]);
        let t = table(
            &["group", "children"],
            &[&[Text("x".into()), Int(0)], &[Text("y".into()), Int(12)]],
        );
        assert_eq!(text(&apply(&a, &t)), vec!["x,0", "y,12"]);
        assert!(rate_is_safe(Some(0.0), Some(10.0)));
        assert!(!rate_is_safe(Some(3.0), Some(100.0)));
        assert!(!rate_is_safe(Some(6.0), Some(9.0)));
    }
}
