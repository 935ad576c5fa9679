//! Codes valid on their date: each coded column against its code list, on the row's date
//! where the contract dates it, and an SSDA903 return's undated codes at its 31 March.

use super::{TextChunk, column_chunks, dictionary_index};
use crate::arrow::array::{Array, Date32Array};
use crate::catalog::error::{Problem, Problems};
use crate::catalog::memo::{FxMap, Memo};
use crate::catalog::table::{LoadedTable, date32};
use crate::contract::{CodeList, Contract, Table};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// Checks every coded column of `t` against its list, on the row's date where the contract dates it.
/// Each distinct code is looked up once ([`Memo`]); a row's date is then compared as a day
/// number with the code's ranges.
pub fn check_codes(
    contract: &Contract,
    table: &Table,
    t: &LoadedTable,
    path: &Path,
    problems: &mut Problems,
) {
    for col in &table.columns {
        let Some(list) = col.codes.and_then(|id| contract.code_list(id)) else {
            continue;
        };
        let validity = index_days(list);
        let values = column_chunks(t, col.name);
        let dates = col.code_date.map(|d| column_chunks(t, d));
        let mut memo: Memo<Option<&Days>> = Memo::new();
        let mut row = 0usize;
        for (chunk_no, chunk) in values.iter().enumerate() {
            let Some(text) = TextChunk::of(chunk) else {
                row += chunk.len();
                continue;
            };
            let date_chunk = dates
                .as_ref()
                .and_then(|d| d.get(chunk_no))
                .and_then(|a| a.as_any().downcast_ref::<Date32Array>());
            let day = |i: usize| date_chunk.filter(|d| !d.is_null(i)).map(|d| d.value(i));
            let mut bad = |i: usize, code: &str| {
                let date = day(i).map(date32);
                let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
                let valid = valid_codes(list, date);
                let expected = format!("a `{}` code valid{on}: one of {valid}", list.id);
                problems.push(code_problem(t, path, row + i, col.name, code, expected));
            };
            match text {
                TextChunk::Plain(strings) => {
                    for i in 0..strings.len() {
                        if strings.is_null(i) {
                            continue;
                        }
                        let code = strings.value(i);
                        let ok = memo
                            .get(code, |c| validity.get(c))
                            .is_some_and(|days| day(i).is_none_or(|d| days.in_force(d)));
                        if !ok {
                            bad(i, code);
                        }
                    }
                }
                TextChunk::Dictionary { keys, values } => {
                    // Each of the dictionary's codes looked up once; each row then only
                    // looks its code's validity up by index, and reads its date only when
                    // that code is not valid on every day.
                    let verdicts: Vec<Verdict> = (0..values.len())
                        .map(|k| match values.is_valid(k) {
                            false => Verdict::Empty,
                            true => match memo.get(values.value(k), |c| validity.get(c)) {
                                None => Verdict::Invalid,
                                Some(days) if days.always => Verdict::Always,
                                Some(days) => Verdict::Dated(days),
                            },
                        })
                        .collect();
                    let every_day = |v: &Verdict| matches!(v, Verdict::Always | Verdict::Empty);
                    // No code of the dictionary can fail: no row to look at (Arrow keeps
                    // every index within its dictionary).
                    let rows = if verdicts.iter().all(every_day) {
                        0
                    } else {
                        keys.len()
                    };
                    for i in 0..rows {
                        let Some(k) = dictionary_index(keys, i) else {
                            continue;
                        };
                        let ok = match verdicts.get(k) {
                            Some(Verdict::Always | Verdict::Empty) => true,
                            Some(Verdict::Dated(days)) => day(i).is_none_or(|d| days.in_force(d)),
                            Some(Verdict::Invalid) => false,
                            // An index past the dictionary: no code at all.
                            None => false,
                        };
                        if !ok {
                            bad(i, text.value(i).unwrap_or_default());
                        }
                    }
                }
            }
            row += text.len();
        }
    }
}

/// What a dictionary's code says of the rows that have it.
#[derive(Clone, Copy)]
enum Verdict<'a> {
    /// An empty value: nothing to check.
    Empty,
    /// Valid on every day.
    Always,
    /// Valid on these days only: each row's date decides.
    Dated(&'a Days),
    /// In no version of the list.
    Invalid,
}

/// A code's validity as Arrow day numbers (days since 1970-01-01), open ends unbounded.
struct Days {
    /// Valid on every day (a range open at both ends).
    always: bool,
    ranges: Vec<(i32, i32)>,
    /// The first and last day numbers a date has (the earliest and latest [`NaiveDate`]).
    dated: (i32, i32),
}

impl Days {
    /// Whether Arrow day `day` falls in one of the ranges, as [`in_force`] says of its date
    /// (a day number no date has counts as the earliest date, as [`date32`] reads it).
    #[inline]
    fn in_force(&self, day: i32) -> bool {
        if self.always {
            return true;
        }
        let (lo, hi) = self.dated;
        let day = if (lo..=hi).contains(&day) { day } else { lo };
        self.ranges.iter().any(|&(f, t)| day >= f && day <= t)
    }
}

/// The Arrow day number of `d`.
fn day_number(d: NaiveDate) -> i32 {
    use crate::arrow::datatypes::Date32Type;
    Date32Type::from_naive_date(d)
}

/// Each code of `list` with its validity as day numbers.
fn index_days(list: &CodeList) -> Memoised {
    index_codes(list)
        .into_iter()
        .map(|(code, ranges)| {
            let mut days: Vec<(i32, i32)> = ranges
                .iter()
                .map(|(f, t)| {
                    (
                        f.map_or(i32::MIN, day_number),
                        t.map_or(i32::MAX, day_number),
                    )
                })
                .collect();
            // Ranges that meet are one (`/` is valid under the old code set to 18 August 2024
            // and under the new from the 19th: every day), so most marks need no date at all.
            days.sort_unstable();
            let mut ranges: Vec<(i32, i32)> = Vec::with_capacity(days.len());
            for (f, t) in days {
                match ranges.last_mut() {
                    Some(last) if f <= last.1.saturating_add(1) => last.1 = last.1.max(t),
                    _ => ranges.push((f, t)),
                }
            }
            let always = ranges == [(i32::MIN, i32::MAX)];
            let dated = (day_number(NaiveDate::MIN), day_number(NaiveDate::MAX));
            (
                code,
                Days {
                    always,
                    ranges,
                    dated,
                },
            )
        })
        .collect()
}

type Memoised = FxMap<&'static str, Days>;

/// Checks one SSDA903 return's coded columns that no column of the row dates (SEX) against
/// the codes valid at the return's 31 March: a 2023/24 return with `M`, or a 2024/25 return
/// with `1`, names its file and row. Codes in no year's list are left to [`check_codes`] on
/// the stacked table, so each problem is reported once.
pub fn check_return_codes(
    contract: &Contract,
    table: &Table,
    t: &LoadedTable,
    year: i32,
    path: &Path,
    problems: &mut Problems,
) {
    let Some(as_at) = NaiveDate::from_ymd_opt(year, 3, 31) else {
        return;
    };
    for col in table.columns.iter().filter(|c| c.code_date.is_none()) {
        let Some(list) = col.codes.and_then(|id| contract.code_list(id)) else {
            continue;
        };
        if list
            .codes
            .iter()
            .all(|c| c.valid_from.is_none() && c.valid_to.is_none())
        {
            continue;
        }
        let validity = index_codes(list);
        let mut row = 0usize;
        for chunk in column_chunks(t, col.name) {
            let Some(text) = TextChunk::of(chunk) else {
                row += chunk.len();
                continue;
            };
            for i in 0..text.len() {
                let Some(code) = text.value(i) else {
                    continue;
                };
                let Some(ranges) = validity.get(code) else {
                    continue;
                };
                if !in_force(ranges, as_at) {
                    let expected = format!(
                        "a `{}` code of the {}/{:02} return (as at {as_at}): one of {}",
                        list.id,
                        year - 1,
                        year % 100,
                        valid_codes(list, Some(as_at))
                    );
                    problems.push(code_problem(t, path, row + i, col.name, code, expected));
                }
            }
            row += text.len();
        }
    }
}

/// The codes of `list` valid on `date` (every code without one), as a problem lists them.
fn valid_codes(list: &crate::contract::CodeList, date: Option<NaiveDate>) -> String {
    let mut valid = list.valid_codes_on(date);
    valid.dedup();
    valid.join(" ")
}

/// A code that is not valid where it stands: its file, row, column and value.
fn code_problem(
    t: &LoadedTable,
    path: &Path,
    row: usize,
    column: &str,
    code: &str,
    expected: String,
) -> Problem {
    Problem {
        file: t.file_of(row, path).to_path_buf(),
        position: Some(t.position(row)),
        column: Some(column.to_string()),
        value: Some(code.to_string()),
        expected,
    }
}

type Validity = HashMap<&'static str, Vec<(Option<NaiveDate>, Option<NaiveDate>)>>;

/// Whether `day` falls in one of a code's validity ranges (open ends unbounded).
fn in_force(ranges: &[(Option<NaiveDate>, Option<NaiveDate>)], day: NaiveDate) -> bool {
    ranges
        .iter()
        .any(|(from, to)| from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t))
}

fn index_codes(list: &CodeList) -> Validity {
    let mut map: Validity = HashMap::new();
    for c in &list.codes {
        map.entry(c.code)
            .or_default()
            .push((c.valid_from, c.valid_to));
    }
    map
}
