//! Tables of results: the `table()` block of any analysis's result, a result as a table in
//! the analysis's own words, and the small-base notes beside rates resting on few children.

use super::context::ReportData;
use super::document::{Block, Cell, Table};
use super::figures::{SMALL_BASE, base_note, counts_children};
use super::format::format_value;
use super::lookups::{invalid, lookup, rows_for_term, rows_where};
use super::words::{Vocabulary, breakdown_label, value_label};
use crate::analysis::Unit;
use crate::run::{ResultTable, Value};
use minijinja::Error;
use minijinja::value::Kwargs;
use std::collections::BTreeMap;

/// A rate column with the counts it rests on: (name, rate, numerator, denominator) indexes.
type Rate = (String, usize, Option<usize>, usize);

/// The n beside each rate of `table` that rests on fewer than [`SMALL_BASE`]: for each row,
/// the rate's column name and "(9 of 17)". A rate is a percent metric the analysis declares
/// with its denominator (and numerator) columns.
pub(super) fn small_bases(
    table: &ResultTable,
    meta: &crate::analysis::FrontMatter,
) -> Vec<Vec<(String, String)>> {
    let rates: Vec<Rate> = meta
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
    notes_of(table, &rates)
}

/// The small-base notes of `rates`, row by row (a rate's first note only).
fn notes_of(table: &ResultTable, rates: &[Rate]) -> Vec<Vec<(String, String)>> {
    table
        .rows
        .iter()
        .map(|row| {
            let mut notes: Vec<(String, String)> = Vec::new();
            for (name, value, num, den) in rates {
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
pub(super) fn add_small_bases(
    table: &mut Table,
    names: &[String],
    notes: &[Vec<(String, String)>],
) {
    for (row, notes) in table.rows.iter_mut().zip(notes) {
        for (cell, name) in row.iter_mut().zip(names) {
            if let Some((_, note)) = notes.iter().find(|(c, _)| c == name) {
                cell.text = format!("{} {note}", cell.text);
            }
        }
    }
}

/// `table(id, columns=, limit=, term_only=, caption=, where=, labels=, in_full=, bases=)`: an
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
    // `bases={"rate": ["numerator", "denominator"]}` names the counts a rate rests on where
    // the analysis declares no metric for it (a school's own rows, term by term): a rate on
    // fewer than 30 then reads "100.0% (2 of 2)".
    let bases: Option<minijinja::Value> = kwargs.get("bases")?;
    let bases = bases
        .map(|v| -> Result<BTreeMap<String, Vec<String>>, Error> {
            v.try_iter()?
                .map(|k| {
                    let counts = v.get_item(&k)?;
                    let counts = counts
                        .try_iter()?
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>();
                    Ok((k.to_string(), counts))
                })
                .collect()
        })
        .transpose()?;
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
    let mut notes = small_bases(&table, &analysis.meta);
    if let Some(bases) = bases {
        let named = declared_bases(&table, id, &bases)?;
        for (row, more) in notes.iter_mut().zip(notes_of(&table, &named)) {
            for (c, note) in more {
                if !row.iter().any(|(r, _)| *r == c) {
                    row.push((c, note));
                }
            }
        }
    }
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

/// The rates a template's `bases=` names, each with its numerator and denominator columns;
/// an error names a column the result does not have or a list that is not two columns.
fn declared_bases(
    table: &ResultTable,
    id: &str,
    bases: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Rate>, Error> {
    let column = |c: &str| {
        table.column_index(c).ok_or_else(|| {
            invalid(format!(
                "`bases=` of `{id}` names no column `{c}` (columns: {})",
                table.columns.join(", ")
            ))
        })
    };
    bases
        .iter()
        .map(|(rate, counts)| match counts.as_slice() {
            [num, den] => Ok((
                rate.clone(),
                column(rate)?,
                Some(column(num)?),
                column(den)?,
            )),
            _ => Err(invalid(format!(
                "`bases=` of `{id}`: `{rate}` needs [numerator, denominator], got {counts:?}"
            ))),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_named_in_bases_shows_its_n_on_a_small_base() {
        // A school's PEPs term by term: 2 of 2 on time (100.0%, base 2 < 30: its n shows),
        // 30 of 40 (75.0%, base 40: no n), and a term with none due (no rate, no n).
        let table = ResultTable {
            columns: vec!["term".into(), "rate".into(), "on_time".into(), "due".into()],
            rows: vec![
                vec![
                    Value::Text("a".into()),
                    Value::Float(100.0),
                    Value::Int(2),
                    Value::Int(2),
                ],
                vec![
                    Value::Text("b".into()),
                    Value::Float(75.0),
                    Value::Int(30),
                    Value::Int(40),
                ],
                vec![
                    Value::Text("c".into()),
                    Value::Null,
                    Value::Int(0),
                    Value::Int(0),
                ],
            ],
        };
        let bases = BTreeMap::from([("rate".to_string(), vec!["on_time".into(), "due".into()])]);
        let rates = declared_bases(&table, "schools/by_term", &bases).expect("the bases");
        assert_eq!(
            notes_of(&table, &rates),
            vec![
                vec![("rate".to_string(), "(2 of 2)".to_string())],
                vec![],
                vec![]
            ]
        );
        // A column the result lacks is named in the error.
        let wrong = BTreeMap::from([("rate".to_string(), vec!["on_time".into(), "dué".into()])]);
        let e = declared_bases(&table, "schools/by_term", &wrong).expect_err("no such column");
        assert!(e.to_string().contains("no column `dué`"), "{e}");
    }
}
