//! Dates that cannot be true: a date of birth after today, an episode (or an enrolment,
//! or a cohort membership) that ends before it starts, a mother's child born before her.

use super::error::{Problem, Problems};
use super::table::{LoadedTable, date32};
use crate::arrow::array::{Array, Date32Array};
use crate::contract::Table;
use chrono::NaiveDate;
use std::path::Path;

/// Pairs of date columns where the second, when given, may not be before the first.
const ORDERED: &[(&str, &str, &str, &str)] = &[
    (
        "episodes",
        "DECOM",
        "DEC",
        "an episode cannot end before it starts",
    ),
    (
        "header",
        "DOB",
        "MC_DOB",
        "a mother's child cannot be born before her",
    ),
    (
        "enrolments",
        "start_date",
        "end_date",
        "an enrolment cannot end before it starts",
    ),
    (
        "wider_cohort",
        "start_date",
        "end_date",
        "a cohort membership cannot end before it starts",
    ),
];

/// Whether a column holds a date of birth (`DOB`, `dob`, `MC_DOB`).
fn is_birth_date(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "dob" || n.ends_with("_dob")
}

fn dates<'a>(t: &'a LoadedTable, column: &str) -> Vec<&'a Date32Array> {
    match t.schema.index_of(&column.to_ascii_lowercase()) {
        Ok(i) => t
            .batches
            .iter()
            .filter_map(|b| b.column(i).as_any().downcast_ref::<Date32Array>())
            .collect(),
        Err(_) => vec![],
    }
}

/// Reports births after `today` and date pairs in the wrong order.
pub fn check_dates(
    table: &Table,
    t: &LoadedTable,
    path: &Path,
    today: NaiveDate,
    problems: &mut Problems,
) {
    for col in table.columns.iter().filter(|c| is_birth_date(c.name)) {
        let mut row = 0usize;
        for chunk in dates(t, col.name) {
            for (i, v) in chunk.iter().enumerate() {
                if let Some(v) = v
                    && date32(v) > today
                {
                    problems.push(Problem {
                        file: t.file_of(row + i, path).to_path_buf(),
                        position: Some(t.position(row + i)),
                        column: Some(col.name.to_string()),
                        value: Some(date32(v).format("%d/%m/%Y").to_string()),
                        expected: format!("a date of birth not after today ({today})"),
                    });
                }
            }
            row += chunk.len();
        }
    }
    for (_, start, end, why) in ORDERED.iter().filter(|(n, ..)| *n == table.name) {
        let (starts, ends) = (dates(t, start), dates(t, end));
        let mut row = 0usize;
        for (s, e) in starts.iter().zip(&ends) {
            for i in 0..s.len() {
                if s.is_valid(i) && e.is_valid(i) && e.value(i) < s.value(i) {
                    let (sd, ed) = (date32(s.value(i)), date32(e.value(i)));
                    problems.push(Problem {
                        file: t.file_of(row + i, path).to_path_buf(),
                        position: Some(t.position(row + i)),
                        column: Some(end.to_string()),
                        value: Some(ed.to_string()),
                        expected: format!("`{end}` on or after `{start}` ({sd}): {why}"),
                    });
                }
            }
            row += s.len();
        }
    }
}

/// Today, by the clock: a date of birth after it cannot be true. (Not `SOURCE_DATE_EPOCH`,
/// which pins report dates and may lie years in the past.)
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
