//! Unique keys: each row's key hashed in parallel, rows with equal hashes compared on their
//! values, and each repeat reported with the earlier row it repeats.

use super::{cell_text, column_chunks};
use crate::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
};
use crate::catalog::error::{Position, Problem, Problems};
use crate::catalog::table::LoadedTable;
use crate::contract::Table;
use std::path::Path;

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
    place: impl Fn(usize) -> (&'p Path, Position),
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
