//! References that resolve: each reference column's values against the values of the
//! tables it refers to.

use super::{TextChunk, cell_text, column_chunks, dictionary_index};
use crate::arrow::array::{Array, StringArray};
use crate::catalog::error::{Problem, Problems};
use crate::catalog::memo::Memo;
use crate::catalog::table::LoadedTable;
use crate::contract::Table;
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
        // Row `at` (0-based in `t`) has `v`, found in none of the targets.
        let mut missing = |at: usize, v: &str| {
            problems.push(Problem {
                file: t.file_of(at, path).to_path_buf(),
                position: Some(t.position(at)),
                column: Some(r.column.to_string()),
                value: Some(v.to_string()),
                expected: format!("a value present in {}", names.join(" or ")),
            });
        };
        for chunk in column_chunks(t, r.column) {
            match TextChunk::of(chunk) {
                Some(TextChunk::Plain(s)) => {
                    for i in 0..s.len() {
                        if s.is_null(i) {
                            continue;
                        }
                        let v = s.value(i);
                        if !memo.get(v, |v| sets.iter().any(|set| set.contains(v))) {
                            missing(row + i, v);
                        }
                    }
                }
                Some(text @ TextChunk::Dictionary { keys, values }) => {
                    // Each distinct value of the dictionary found or not once; the rows are
                    // looked at only when one is not found, to name them.
                    let found: Vec<bool> = (0..values.len())
                        .map(|k| {
                            values.is_null(k)
                                || memo.get(values.value(k), |v| sets.iter().any(|s| s.contains(v)))
                        })
                        .collect();
                    if !found.iter().all(|&f| f) {
                        for i in 0..keys.len() {
                            let Some(k) = dictionary_index(keys, i) else {
                                continue;
                            };
                            if !found.get(k).copied().unwrap_or(false) {
                                missing(row + i, text.value(i).unwrap_or_default());
                            }
                        }
                    }
                }
                None => {}
            }
            row += chunk.len();
        }
    }
}
