//! Checks across rows and tables: codes valid on their date, unique keys, references that resolve.

use super::error::{Problem, Problems};
use super::load::{LoadedTable, date32};
use crate::contract::{CodeList, Contract, Table};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
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

fn hash_cell(array: &ArrayRef, i: usize, h: &mut DefaultHasher) {
    let any = array.as_any();
    if array.is_null(i) {
        0u8.hash(h);
    } else if let Some(a) = any.downcast_ref::<StringArray>() {
        a.value(i).hash(h);
    } else if let Some(a) = any.downcast_ref::<Int64Array>() {
        a.value(i).hash(h);
    } else if let Some(a) = any.downcast_ref::<Date32Array>() {
        a.value(i).hash(h);
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        a.value(i).to_bits().hash(h);
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        a.value(i).hash(h);
    }
}

/// Checks every coded column of `t` against its list, on the row's date where the contract dates it.
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
        let validity = index_codes(list);
        let values = column_chunks(t, col.name);
        let dates = col.code_date.map(|d| column_chunks(t, d));
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
                if !strings.is_null(i) {
                    let code = strings.value(i);
                    let date = date_chunk
                        .filter(|d| !d.is_null(i))
                        .map(|d| date32(d.value(i)));
                    let ok = validity.get(code).is_some_and(|ranges| {
                        date.is_none_or(|d| {
                            ranges
                                .iter()
                                .any(|(f, t)| f.is_none_or(|f| d >= f) && t.is_none_or(|t| d <= t))
                        })
                    });
                    if !ok {
                        let mut valid = list.valid_codes_on(date);
                        valid.dedup();
                        let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
                        problems.push(Problem {
                            file: t.file_of(row + i, path).to_path_buf(),
                            position: Some(t.position(row + i)),
                            column: Some(col.name.to_string()),
                            value: Some(code.to_string()),
                            expected: format!(
                                "a `{}` code valid{on}: one of {}",
                                list.id,
                                valid.join(" ")
                            ),
                        });
                    }
                }
            }
            row += strings.len();
        }
    }
}

type Validity = HashMap<&'static str, Vec<(Option<NaiveDate>, Option<NaiveDate>)>>;

fn index_codes(list: &CodeList) -> Validity {
    let mut map: Validity = HashMap::new();
    for c in &list.codes {
        map.entry(c.code)
            .or_default()
            .push((c.valid_from, c.valid_to));
    }
    map
}

/// Reports rows whose key repeats an earlier row's (128-bit hashes, so memory stays small on big tables).
pub fn check_key(table: &Table, t: &LoadedTable, path: &Path, problems: &mut Problems) {
    let key_cols: Vec<Vec<&ArrayRef>> = table.key.iter().map(|k| column_chunks(t, k)).collect();
    let mut seen: HashMap<u128, usize> = HashMap::with_capacity(t.num_rows());
    let mut row = 0usize;
    for chunk_no in 0..t.batches.len() {
        let n = t.batches[chunk_no].num_rows();
        for i in 0..n {
            let mut h1 = DefaultHasher::new();
            let mut h2 = DefaultHasher::new();
            0x9e37_79b9u32.hash(&mut h2);
            for col in &key_cols {
                hash_cell(col[chunk_no], i, &mut h1);
                hash_cell(col[chunk_no], i, &mut h2);
            }
            let key = ((h1.finish() as u128) << 64) | h2.finish() as u128;
            if let Some(first) = seen.insert(key, row + i) {
                let values: Vec<String> = key_cols
                    .iter()
                    .map(|c| cell_text(c[chunk_no], i).unwrap_or_default())
                    .collect();
                problems.push(Problem {
                    file: t.file_of(row + i, path).to_path_buf(),
                    position: Some(t.position(row + i)),
                    column: Some(table.key.join(", ")),
                    value: Some(values.join(", ")),
                    expected: {
                        let (here, there) = (t.file_of(row + i, path), t.file_of(first, path));
                        let other = if here == there {
                            String::new()
                        } else {
                            format!("{} ", there.display())
                        };
                        format!(
                            "a unique key, but it repeats {other}{}",
                            t.position(first).describe()
                        )
                    },
                });
            }
        }
        row += n;
    }
}

/// The distinct non-null values of a column, as text.
pub fn distinct_values(t: &LoadedTable, column: &str) -> HashSet<String> {
    let mut set = HashSet::new();
    for chunk in column_chunks(t, column) {
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
        let mut row = 0usize;
        for chunk in column_chunks(t, r.column) {
            if let Some(s) = chunk.as_any().downcast_ref::<StringArray>() {
                for (i, v) in s.iter().enumerate() {
                    if let Some(v) = v
                        && !sets.iter().any(|set| set.contains(v))
                    {
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
