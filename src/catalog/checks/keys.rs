//! Unique keys: each row's key hashed in parallel, rows with equal hashes compared on their
//! values, and each repeat reported with the earlier row it repeats.

use super::{TextChunk, cell_text, column_chunks};
use crate::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
};
use crate::catalog::error::{Position, Problem, Problems};
use crate::catalog::table::LoadedTable;
use crate::contract::Table;
use std::path::Path;

/// FxHash's multiply-rotate step: fast, and good enough because equal hashes are confirmed
/// on the values themselves.
#[inline]
fn word(h: u64, w: u64) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    (h.rotate_left(5) ^ w).wrapping_mul(K)
}

/// What an empty cell mixes in.
const EMPTY: u64 = 0x9e37_79b9_7f4a_7c15;

/// A text value's own hash (its length, then its bytes eight at a time), mixed into a row's
/// hash as one word: the same whether the text is a row's string or a dictionary's.
#[inline]
fn text_hash(bytes: &[u8]) -> u64 {
    let mut h = word(0, bytes.len() as u64);
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

/// One key column of one batch, downcast once rather than per cell.
enum KeyColumn<'a> {
    Text(&'a StringArray),
    /// A dictionary-encoded text column: each of its values hashed once (an empty one as
    /// [`EMPTY`]), each row's hash looked up by its index.
    Dictionary(&'a Int32Array, Vec<u64>),
    Int(&'a Int64Array),
    Date(&'a Date32Array),
    Float(&'a Float64Array),
    Bool(&'a BooleanArray),
    Other(&'a ArrayRef),
}

impl<'a> KeyColumn<'a> {
    fn of(array: &'a ArrayRef) -> Self {
        let any = array.as_any();
        if let Some(TextChunk::Dictionary { keys, values }) = TextChunk::of(array) {
            let hashes = (0..values.len())
                .map(|k| match values.is_valid(k) {
                    true => text_hash(values.value(k).as_bytes()),
                    false => EMPTY,
                })
                .collect();
            KeyColumn::Dictionary(keys, hashes)
        } else if let Some(a) = any.downcast_ref::<StringArray>() {
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

    /// Mixes cell `i` into `h`.
    #[inline]
    fn mix(&self, i: usize, h: u64) -> u64 {
        let is_null = match self {
            KeyColumn::Text(a) => a.is_null(i),
            KeyColumn::Dictionary(a, _) => a.is_null(i),
            KeyColumn::Int(a) => a.is_null(i),
            KeyColumn::Date(a) => a.is_null(i),
            KeyColumn::Float(a) => a.is_null(i),
            KeyColumn::Bool(a) => a.is_null(i),
            KeyColumn::Other(a) => a.is_null(i),
        };
        if is_null {
            return word(h, EMPTY);
        }
        match self {
            KeyColumn::Text(a) => word(h, text_hash(a.value(i).as_bytes())),
            KeyColumn::Dictionary(a, hashes) => {
                let k = usize::try_from(a.value(i)).unwrap_or(usize::MAX);
                word(h, hashes.get(k).copied().unwrap_or(EMPTY))
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

/// Every row's key hash of a table checked as it streams, kept in buckets by the hash's top
/// bits as the chunks come: at the end each bucket (a few MB) is sorted on its own, in
/// parallel, rather than one array of every row's hash (close to a GB at national scale)
/// sorted whole. 8 bytes a row either way.
pub(crate) struct KeyHashes {
    buckets: Vec<Vec<u64>>,
}

/// The hash's top bits that pick its bucket.
const BUCKET_BITS: u32 = 10;

impl KeyHashes {
    /// Buckets with room for `rows` hashes in all (a tenth more, as hashes never fall
    /// quite evenly), so that the rows a file's footer gives are kept without regrowing.
    pub(crate) fn with_rows(rows: usize) -> Self {
        let n = 1usize << BUCKET_BITS;
        let each = rows / n + rows / n / 10;
        KeyHashes {
            buckets: (0..n).map(|_| Vec::with_capacity(each)).collect(),
        }
    }

    /// Keeps `hashes`.
    pub(crate) fn extend(&mut self, hashes: impl IntoIterator<Item = u64>) {
        for h in hashes {
            // The top bits: BUCKET_BITS < 64, so the index is below the number of buckets.
            let b = (h >> (64 - BUCKET_BITS)) as usize;
            if let Some(bucket) = self.buckets.get_mut(b) {
                bucket.push(h);
            }
        }
    }

    /// The hashes that more than one row has, in ascending order, at most `most` of them
    /// (the lowest); the buckets are dropped.
    pub(crate) fn repeated(self, most: usize) -> Vec<u64> {
        use rayon::prelude::*;
        let per_bucket: Vec<Vec<u64>> = self
            .buckets
            .into_par_iter()
            .map(|mut b| {
                b.sort_unstable();
                let mut out: Vec<u64> = Vec::new();
                for w in b.windows(2).filter(|w| w[0] == w[1]) {
                    if out.len() == most {
                        break;
                    }
                    if out.last() != Some(&w[0]) {
                        out.push(w[0]);
                    }
                }
                out
            })
            .collect();
        per_bucket.into_iter().flatten().take(most).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::array::DictionaryArray;
    use crate::arrow::datatypes::{DataType, Field, Int32Type, Schema};
    use crate::arrow::record_batch::RecordBatch;
    use crate::contract::Contract;
    use std::sync::Arc;

    #[test]
    fn repeated_hashes_come_from_every_bucket_lowest_first_each_once() {
        // Buckets by the top 10 bits: 3, 5, 5 and 7 in bucket 0 (5 repeats), 2^63 twice in
        // bucket 512, u64::MAX three times in bucket 1023 (one repeated hash, not two).
        let mut h = KeyHashes::with_rows(9);
        h.extend([5, u64::MAX, 1 << 63, 7, u64::MAX, 3, 5, 1 << 63, u64::MAX]);
        let all = [5, 1 << 63, u64::MAX];
        let mut again = KeyHashes::with_rows(0);
        again.extend([5, u64::MAX, 1 << 63, 7, u64::MAX, 3, 5, 1 << 63, u64::MAX]);
        assert_eq!(h.repeated(10), all);
        // At most two: the two lowest.
        assert_eq!(again.repeated(2), [5, 1 << 63]);
    }

    #[test]
    fn a_key_hashes_the_same_from_a_dictionary_as_from_strings() {
        // Three attendance rows keyed (child, date, session); the same rows with child and
        // session as dictionaries (child's dictionary in another order, with a value no row
        // uses) hash row for row the same.
        let contract = Contract::current();
        let table = contract.table("attendance").expect("attendance");
        let dates = || -> ArrayRef { Arc::new(Date32Array::from(vec![19_970, 19_970, 19_971])) };
        let text = |v: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        let dict = |keys: Vec<i32>, values: Vec<&str>| -> ArrayRef {
            let d = DictionaryArray::<Int32Type>::try_new(
                Int32Array::from(keys),
                Arc::new(StringArray::from(values)),
            )
            .expect("dictionary");
            Arc::new(d)
        };
        let table_of = |child: ArrayRef, session: ArrayRef| {
            let fields = [("child", &child), ("urn", &child), ("session", &session)]
                .iter()
                .map(|(n, a)| Field::new(*n, a.data_type().clone(), false))
                .chain([Field::new("date", DataType::Date32, false)])
                .collect::<Vec<_>>();
            let schema = Arc::new(Schema::new(fields));
            let batch =
                RecordBatch::try_new(schema.clone(), vec![child.clone(), child, session, dates()])
                    .expect("batch");
            LoadedTable::new("attendance", schema, vec![batch], None)
        };
        let plain = table_of(text(vec!["C1", "C2", "C1"]), text(vec!["AM", "AM", "PM"]));
        let coded = table_of(
            dict(vec![2, 0, 2], vec!["C2", "unused", "C1"]),
            dict(vec![0, 0, 1], vec!["AM", "PM"]),
        );
        let h = |t: &LoadedTable| hashed_rows(table, t, |h, _| h).expect("hashes");
        let (a, b) = (h(&plain), h(&coded));
        assert_eq!(a, b);
        // Rows 0 and 2 differ in date and session, 0 and 1 in child: three hashes.
        assert!(a[0] != a[1] && a[0] != a[2] && a[1] != a[2], "{a:?}");
    }
}
