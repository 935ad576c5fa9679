//! Checks across rows and tables: codes valid on their date, unique keys, references that resolve.

use super::error::{Problem, Problems};
use super::memo::{FxMap, Memo};
use super::table::{LoadedTable, date32};
use crate::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
};
use crate::contract::{CodeList, Contract, Table};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The arrays of one column across all batches, in row order.
fn column_chunks<'a>(t: &'a LoadedTable, name: &str) -> Vec<&'a ArrayRef> {
    let lower = name.to_ascii_lowercase();
    match t.schema.index_of(&lower) {
        Ok(i) => t.batches.iter().map(|b| b.column(i)).collect(),
        Err(_) => vec![],
    }
}

/// A cell as text, for messages and key sets.
pub fn cell_text(array: &ArrayRef, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<Int64Array>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        Some(a.value(i).to_string())
    } else {
        any.downcast_ref::<Date32Array>()
            .map(|a| date32(a.value(i)).to_string())
    }
}

/// One key column of one batch, downcast once rather than per cell.
enum KeyColumn<'a> {
    Text(&'a StringArray),
    Int(&'a Int64Array),
    Date(&'a Date32Array),
    Float(&'a Float64Array),
    Bool(&'a BooleanArray),
    Other(&'a ArrayRef),
}

impl<'a> KeyColumn<'a> {
    fn of(array: &'a ArrayRef) -> Self {
        let any = array.as_any();
        if let Some(a) = any.downcast_ref::<StringArray>() {
            KeyColumn::Text(a)
        } else if let Some(a) = any.downcast_ref::<Int64Array>() {
            KeyColumn::Int(a)
        } else if let Some(a) = any.downcast_ref::<Date32Array>() {
            KeyColumn::Date(a)
        } else if let Some(a) = any.downcast_ref::<Float64Array>() {
            KeyColumn::Float(a)
        } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
            KeyColumn::Bool(a)
        } else {
            KeyColumn::Other(array)
        }
    }

    /// Mixes cell `i` into `h` (FxHash's multiply-rotate: fast, and good enough because
    /// equal hashes are confirmed on the values themselves).
    fn mix(&self, i: usize, h: u64) -> u64 {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let word = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
        let is_null = match self {
            KeyColumn::Text(a) => a.is_null(i),
            KeyColumn::Int(a) => a.is_null(i),
            KeyColumn::Date(a) => a.is_null(i),
            KeyColumn::Float(a) => a.is_null(i),
            KeyColumn::Bool(a) => a.is_null(i),
            KeyColumn::Other(a) => a.is_null(i),
        };
        if is_null {
            return word(h, 0x9e37_79b9_7f4a_7c15);
        }
        match self {
            KeyColumn::Text(a) => {
                let bytes = a.value(i).as_bytes();
                let mut h = word(h, bytes.len() as u64);
                let mut chunks = bytes.chunks_exact(8);
                for c in &mut chunks {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(c);
                    h = word(h, u64::from_le_bytes(w));
                }
                let mut w = [0u8; 8];
                w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
                word(h, u64::from_le_bytes(w))
            }
            KeyColumn::Int(a) => word(h, a.value(i) as u64),
            KeyColumn::Date(a) => word(h, a.value(i) as u64),
            KeyColumn::Float(a) => word(h, a.value(i).to_bits()),
            KeyColumn::Bool(a) => word(h, u64::from(a.value(i))),
            KeyColumn::Other(_) => word(h, 1),
        }
    }
}

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
            let Some(strings) = chunk.as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            let date_chunk = dates
                .as_ref()
                .and_then(|d| d.get(chunk_no))
                .and_then(|a| a.as_any().downcast_ref::<Date32Array>());
            for i in 0..strings.len() {
                if strings.is_null(i) {
                    continue;
                }
                let code = strings.value(i);
                let day = date_chunk.filter(|d| !d.is_null(i)).map(|d| d.value(i));
                let ok = memo
                    .get(code, |c| validity.get(c))
                    .is_some_and(|days| day.is_none_or(|d| days.in_force(d)));
                if !ok {
                    let date = day.map(date32);
                    let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
                    let valid = valid_codes(list, date);
                    let expected = format!("a `{}` code valid{on}: one of {valid}", list.id);
                    problems.push(code_problem(t, path, row + i, col.name, code, expected));
                }
            }
            row += strings.len();
        }
    }
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
            let Some(strings) = chunk.as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            for i in (0..strings.len()).filter(|&i| !strings.is_null(i)) {
                let code = strings.value(i);
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
            row += strings.len();
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

/// Reports rows whose key repeats an earlier row's. Each row's key columns are hashed to
/// 64 bits in parallel (16 bytes a row with its number, whatever the key's width), the
/// hashes sorted in parallel, and rows with equal hashes compared on their values, so a hash
/// collision is never reported. Memory and time follow the rows, not the key's text.
pub fn check_key(table: &Table, t: &LoadedTable, path: &Path, problems: &mut Problems) {
    use rayon::prelude::*;
    let Some(mut hashed) = hashed_rows(table, t, |h, row| (h, row as u32)) else {
        return;
    };
    hashed.par_sort_unstable();
    let keys = KeyLookup::new(table, t);
    let groups: Vec<Vec<(usize, Vec<String>)>> = hashed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|g| g.len() > 1)
        .map(|g| {
            g.iter()
                .map(|&(_, row)| (row as usize, keys.values(row as usize)))
                .collect()
        })
        .collect();
    report_repeats(
        table,
        groups,
        |row| (t.file_of(row, path), t.position(row)),
        problems,
    );
}

/// Each row's key hashed to 64 bits and passed with its row (0-based in `t`) to `f`, in row
/// order and in parallel; None when the table has no key or no rows.
pub fn hashed_rows<T: Send>(
    table: &Table,
    t: &LoadedTable,
    f: impl Fn(u64, usize) -> T + Sync,
) -> Option<Vec<T>> {
    use rayon::prelude::*;
    if table.key.is_empty() || t.num_rows() == 0 {
        return None;
    }
    let key_cols: Vec<Vec<&ArrayRef>> = table.key.iter().map(|k| column_chunks(t, k)).collect();
    if key_cols.iter().any(|c| c.len() != t.batches.len()) {
        return None;
    }
    // (batch, first row in the table, rows) for slices of up to 64K rows.
    const SLICE: usize = 1 << 16;
    let mut slices = Vec::new();
    let mut start = 0usize;
    for (b, batch) in t.batches.iter().enumerate() {
        let n = batch.num_rows();
        let mut at = 0;
        while at < n {
            let len = SLICE.min(n - at);
            slices.push((b, start + at, at, len));
            at += len;
        }
        start += n;
    }
    let f = &f;
    Some(
        slices
            .par_iter()
            .flat_map_iter(|&(b, first, at, len)| {
                let cols: Vec<KeyColumn> = key_cols.iter().map(|c| KeyColumn::of(c[b])).collect();
                (at..at + len).map(move |i| {
                    let h = cols.iter().fold(0u64, |h, c| c.mix(i, h));
                    f(h, first + i - at)
                })
            })
            .collect(),
    )
}

/// The key columns of a table, found once, to read any row's key as text.
pub struct KeyLookup<'a> {
    columns: Vec<Vec<&'a ArrayRef>>,
    /// The first row of each batch.
    offsets: Vec<usize>,
}

impl<'a> KeyLookup<'a> {
    pub fn new(table: &Table, t: &'a LoadedTable) -> Self {
        let mut offsets = Vec::with_capacity(t.batches.len());
        let mut acc = 0usize;
        for b in &t.batches {
            offsets.push(acc);
            acc += b.num_rows();
        }
        KeyLookup {
            columns: table.key.iter().map(|k| column_chunks(t, k)).collect(),
            offsets,
        }
    }

    /// The key of row `row` (0-based over the table's batches), as text.
    pub fn values(&self, row: usize) -> Vec<String> {
        let b = self
            .offsets
            .partition_point(|&o| o <= row)
            .saturating_sub(1);
        let i = row - self.offsets.get(b).copied().unwrap_or(0);
        self.columns
            .iter()
            .map(|c| c.get(b).and_then(|a| cell_text(a, i)).unwrap_or_default())
            .collect()
    }
}

/// Reports each row whose key repeats an earlier one's, given the rows that share a key
/// hash (each with its key's values) and where a row is (its file and position).
pub fn report_repeats<'p>(
    table: &Table,
    groups: Vec<Vec<(usize, Vec<String>)>>,
    place: impl Fn(usize) -> (&'p Path, super::error::Position),
    problems: &mut Problems,
) {
    // Each repeat with the nearest earlier row of the same key, in row order.
    let mut repeats: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for mut group in groups {
        group.sort();
        let mut earlier: Vec<(usize, Vec<String>)> = Vec::new();
        for (row, v) in group {
            match earlier.iter_mut().rev().find(|(_, w)| *w == v) {
                Some((prev, _)) => {
                    repeats.push((row, *prev, v.clone()));
                    *prev = row;
                }
                None => earlier.push((row, v)),
            }
        }
    }
    repeats.sort();
    for (row, first, values) in repeats {
        let ((here, at), (there, first_at)) = (place(row), place(first));
        let other = if here == there {
            String::new()
        } else {
            format!("{} ", there.display())
        };
        problems.push(Problem {
            file: here.to_path_buf(),
            position: Some(at),
            column: Some(table.key.join(", ")),
            value: Some(values.join(", ")),
            expected: format!(
                "a unique key, but it repeats {other}{}",
                first_at.describe()
            ),
        });
    }
}

/// The distinct non-null values of a column, as text. A table scanned from the cache is
/// read back for it; one that cannot be read has no values, so nothing resolves against it.
pub fn distinct_values(t: &LoadedTable, column: &str) -> HashSet<String> {
    let mut set = HashSet::new();
    let (Ok(batches), Ok(i)) = (t.rows(), t.schema.index_of(&column.to_ascii_lowercase())) else {
        return set;
    };
    for chunk in batches.iter().map(|b| b.column(i)) {
        if let Some(s) = chunk.as_any().downcast_ref::<StringArray>() {
            set.extend(s.iter().flatten().map(str::to_string));
        } else {
            set.extend((0..chunk.len()).filter_map(|i| cell_text(chunk, i)));
        }
    }
    set
}

/// Reports values of `table`'s reference columns that appear in none of their target tables.
pub fn check_references(
    table: &Table,
    t: &LoadedTable,
    path: &Path,
    targets: &HashMap<(String, String), HashSet<String>>,
    explained: &HashSet<String>,
    problems: &mut Problems,
) {
    for r in &table.references {
        let sets: Vec<&HashSet<String>> = r
            .targets
            .iter()
            .filter_map(|(tt, tc)| targets.get(&(tt.to_string(), tc.to_string())))
            .collect();
        if sets.is_empty() {
            continue;
        }
        let names: Vec<String> = r
            .targets
            .iter()
            .map(|(tt, tc)| format!("{tt}.{tc}"))
            .collect();
        // Every table it could refer to is empty: every row would fail. One problem for the
        // column (none when the empty table's own problem already says why).
        if sets.iter().all(|s| s.is_empty()) {
            let referring = column_chunks(t, r.column)
                .iter()
                .map(|c| c.len() - c.null_count())
                .sum::<usize>();
            let said = r.targets.iter().any(|(tt, _)| explained.contains(*tt));
            if referring > 0 && !said {
                problems.push(Problem {
                    file: path.to_path_buf(),
                    position: None,
                    column: Some(r.column.to_string()),
                    value: None,
                    expected: format!(
                        "values present in {}, but {} no rows, so none of the {referring} rows that refer to {} can be found",
                        names.join(" or "),
                        if names.len() == 1 { "it has" } else { "they have" },
                        if names.len() == 1 { "it" } else { "them" },
                    ),
                });
            }
            continue;
        }
        let mut row = 0usize;
        let mut memo: Memo<bool> = Memo::new();
        for chunk in column_chunks(t, r.column) {
            if let Some(s) = chunk.as_any().downcast_ref::<StringArray>() {
                for i in 0..s.len() {
                    if s.is_null(i) {
                        continue;
                    }
                    let v = s.value(i);
                    if !memo.get(v, |v| sets.iter().any(|set| set.contains(v))) {
                        problems.push(Problem {
                            file: t.file_of(row + i, path).to_path_buf(),
                            position: Some(t.position(row + i)),
                            column: Some(r.column.to_string()),
                            value: Some(v.to_string()),
                            expected: format!("a value present in {}", names.join(" or ")),
                        });
                    }
                }
            }
            row += chunk.len();
        }
    }
}
