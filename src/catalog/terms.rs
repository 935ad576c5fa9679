//! Term and academic-year columns checked against the calendar (issue 29): every `term`
//! must be a term such as `2024-25-summer` and every `academic_year` a year such as
//! `2024-25`. A season written in another case (`2024-25-Summer`) is the same term and is
//! rewritten to the canonical form, so analyses see one spelling; anything else (a NUL, a
//! right-to-left mark, a zero-width space, an emoji, trailing text) is a problem at its
//! file, line and column, naming the value and what was expected. Without this a summer
//! term spelt `Summer` passed and every summer PEP silently dropped out of the figures.

use super::error::{Problem, Problems};
use super::table::LoadedTable;
use crate::arrow::array::{Array, ArrayRef, StringArray};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::Table;
use crate::contract::calendar::{self, CalendarColumn};
use std::path::Path;
use std::sync::Arc;

/// Rewrites each term and academic-year column of `t` to the calendar's spelling and
/// reports every value that is not one.
pub fn check_calendar(table: &Table, t: &mut LoadedTable, path: &Path, problems: &mut Problems) {
    for col in &table.columns {
        let Some(kind) = CalendarColumn::of(col.name) else {
            continue;
        };
        let Ok(index) = t.schema.index_of(&col.name.to_ascii_lowercase()) else {
            continue;
        };
        let mut row = 0usize;
        let mut found: Vec<(usize, String)> = Vec::new();
        for batch in t.batches.iter_mut() {
            let Some(strings) = batch.column(index).as_any().downcast_ref::<StringArray>() else {
                row += batch.num_rows();
                continue;
            };
            let n = strings.len();
            let mut fixed: Option<Vec<Option<String>>> = None;
            for i in 0..n {
                if strings.is_null(i) {
                    continue;
                }
                let v = strings.value(i);
                match kind.canonical(v) {
                    Ok(c) if c == v => {}
                    Ok(c) => {
                        let f = fixed.get_or_insert_with(|| {
                            strings.iter().map(|s| s.map(str::to_string)).collect()
                        });
                        f[i] = Some(c);
                    }
                    Err(_) => found.push((row + i, v.to_string())),
                }
            }
            if let Some(f) = fixed {
                let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
                columns[index] = Arc::new(StringArray::from(f));
                if let Ok(nb) = RecordBatch::try_new(batch.schema(), columns) {
                    *batch = nb;
                }
            }
            row += n;
        }
        for (i, v) in found {
            problems.push(Problem {
                file: t.file_of(i, path).to_path_buf(),
                position: Some(t.position(i)),
                column: Some(col.name.to_string()),
                value: Some(visible(&v)),
                expected: kind.expected().to_string(),
            });
        }
    }
}

/// A value as it can be read in a message: characters that print as nothing (a NUL, a
/// right-to-left mark, a zero-width space) are written as `\u{..}` escapes.
pub fn visible(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_control() || calendar::is_invisible(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::columns::ReadOptions;
    use crate::catalog::error::Position;
    use crate::contract::Contract;

    /// A peps file with one row per term value, each on its own line (line 2 onwards).
    fn peps(terms: &[&str]) -> String {
        let mut text =
            "child,term,urn,due_date,held_date,completed_date,qa_rating,sw_team,dt_present,child_voice\n"
                .to_string();
        for (i, t) in terms.iter().enumerate() {
            text.push_str(&format!("C{i},{t},,2025-05-01,,,,A,true,true\n"));
        }
        text
    }

    fn check(terms: &[&str]) -> (LoadedTable, Problems) {
        let c = Contract::current();
        let table = c.table("peps").unwrap_or_else(|| panic!("peps"));
        let mut p = Problems::default();
        let mut t = crate::catalog::format::delimited::read_csv_text(
            table,
            Path::new("peps.csv"),
            &peps(terms),
            &ReadOptions::default(),
            &mut p,
        )
        .unwrap_or_else(|| panic!("read: {:?}", p.list));
        check_calendar(table, &mut t, Path::new("peps.csv"), &mut p);
        (t, p)
    }

    #[test]
    fn a_season_in_another_case_becomes_the_canonical_term() {
        let (t, p) = check(&["2024-25-Summer", "2024-25-SPRING", "2024-25-autumn"]);
        assert!(p.is_empty(), "{:?}", p.list);
        let terms = t.batches[0]
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .map(|a| a.iter().flatten().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        assert_eq!(
            terms,
            ["2024-25-summer", "2024-25-spring", "2024-25-autumn"]
        );
    }

    #[test]
    fn a_term_with_hidden_or_extra_characters_is_refused_at_its_line() {
        // Line 2 is the good term; each bad one sits on the next line, in order.
        let bad = [
            "2024-25-summer\u{0}",
            "2024-25-summer\u{200f}",
            "\u{200b}2024-25-summer",
            "2024-25-summer\u{1f600}",
            "2024-25-summer extra",
            "2024-25-winter",
            "+024-25-summer",
            "2024-26-summer",
        ];
        let mut terms = vec!["2024-25-summer"];
        terms.extend(bad);
        let (_, p) = check(&terms);
        // Five are listed for one column; the rest counted.
        assert_eq!(p.list.len() + p.omitted, bad.len(), "{:?}", p.list);
        for (k, problem) in p.list.iter().enumerate() {
            assert_eq!(problem.position, Some(Position::Line(k as u64 + 3)));
            assert_eq!(problem.column.as_deref(), Some("term"));
            assert!(
                problem.expected.contains("a term like 2024-25-autumn"),
                "{}",
                problem.expected
            );
        }
        // The hidden characters are named, not printed as nothing.
        assert_eq!(p.list[0].value.as_deref(), Some("2024-25-summer\\u{0}"));
        assert_eq!(p.list[1].value.as_deref(), Some("2024-25-summer\\u{200f}"));
        assert_eq!(p.list[2].value.as_deref(), Some("\\u{200b}2024-25-summer"));
        assert_eq!(p.list[3].value.as_deref(), Some("2024-25-summer\u{1f600}"));
        assert_eq!(p.list[4].value.as_deref(), Some("2024-25-summer extra"));
    }

    #[test]
    fn academic_years_are_checked_too() {
        let c = Contract::current();
        let sen = c.table("sen").unwrap_or_else(|| panic!("sen"));
        let text = "child,academic_year,sen_status,primary_need\nC1,2024-25,N,\nC2,2024-25\u{200b},N,\nC3,2024-2025,N,\n";
        let mut p = Problems::default();
        let mut t = crate::catalog::format::delimited::read_csv_text(
            sen,
            Path::new("sen.csv"),
            text,
            &ReadOptions::default(),
            &mut p,
        )
        .unwrap_or_else(|| panic!("read: {:?}", p.list));
        check_calendar(sen, &mut t, Path::new("sen.csv"), &mut p);
        let lines: Vec<_> = p.list.iter().map(|x| x.position.clone()).collect();
        assert_eq!(lines, [Some(Position::Line(3)), Some(Position::Line(4))]);
        assert!(p.list[0].expected.contains("an academic year like 2024-25"));
    }
}
