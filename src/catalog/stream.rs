//! A large Parquet file checked as it streams: read a chunk of rows at a time, each chunk
//! cast, its codes, dates and references checked and then written to the validated-data
//! cache, and only each row's 64-bit key hash kept. Memory is bounded by a chunk and the
//! key hashes (8 bytes a row), not by the table; the table is then scanned from the cache.
//!
//! Nothing is lost against holding the table: every problem names the file, the row in the
//! file, the column, the value and what was expected; a repeated key is confirmed on its
//! values (a second pass over the file reads only the rows whose hashes repeat) and named
//! with the earlier row; and an entry with any problem never lands in the cache.

use super::cache::{self, CacheOptions, Manifest, Writer};
use super::checks::{self, KeyLookup, hashed_rows, report_repeats};
use super::columns::ReadOptions;
use super::error::{Position, Problems};
use super::format::parquet::ParquetBatches;
use super::table::LoadedTable;
use super::{codes, dates};
use crate::arrow::array::{Array, Date32Array};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{Contract, Table};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How streaming a table ended.
pub(super) enum Outcome {
    /// Every check passed and the table is in the cache, to be scanned from there.
    Streamed(Streamed),
    /// A check failed: the problems are recorded and nothing landed in the cache.
    Failed,
    /// The cache had no room for it (the reason): hold and check the table as before.
    NoRoom(String),
}

/// A table that streamed into the cache: scanned from there, with its rows and date span.
pub(super) struct Streamed {
    pub(super) table: LoadedTable,
    pub(super) rows: u64,
    pub(super) span: Option<(NaiveDate, NaiveDate)>,
    /// The SHA-256 of the cached file the table is scanned from.
    pub(super) sha256: String,
}

/// What streaming a table needs besides its file: the contract, how the file is read, the
/// day the dates are checked against, the values its references must find, and the cache.
pub(super) struct StreamContext<'a> {
    pub(super) contract: &'a Contract,
    pub(super) options: &'a ReadOptions,
    pub(super) today: NaiveDate,
    pub(super) targets: &'a HashMap<(String, String), HashSet<String>>,
    /// Tables whose emptiness is already a problem: references into them are not repeated.
    pub(super) explained: &'a HashSet<String>,
    pub(super) cache: &'a CacheOptions,
}

/// A chunk of the file as a table whose rows are named by their place in the file, with its
/// codes in their lists' spelling.
fn chunk_table(
    contract: &Contract,
    table: &Table,
    reader: &ParquetBatches,
    batches: Vec<RecordBatch>,
    first_row: u64,
) -> LoadedTable {
    let mut t = LoadedTable::new(table.name, reader.schema.clone(), batches, None);
    t.row_offset = first_row;
    codes::normalise_codes(contract, table, &mut t);
    t
}

/// Streams `path` of `table` through every check into the cache entry for `key`. Problems go
/// to `problems`; an entry lands only when there are none.
pub(super) fn stream_table(
    cx: &StreamContext,
    table: &Table,
    path: &Path,
    key: &str,
    problems: &mut Problems,
) -> Outcome {
    let chunk_rows = cx.cache.stream_rows.max(1);
    let mut found = Problems::default();
    let Some(mut reader) =
        ParquetBatches::open(table, path, cx.options, chunk_rows.min(65_536), &mut found)
    else {
        problems.absorb(found);
        return Outcome::Failed;
    };
    let mut writer = match Writer::create(&cx.cache.dir, table.name, key, reader.schema.clone()) {
        Ok(w) => w,
        Err(e) => return Outcome::NoRoom(e),
    };
    let date_column = reader.schema.index_of("date").ok();
    // Room for the footer's row count up front (no doubling at 100 million rows), but never
    // more than a national register's worth on a footer's word alone.
    let expected_rows = reader.footer_rows.min(1 << 27);
    let mut hashes: Vec<u64> = Vec::with_capacity(usize::try_from(expected_rows).unwrap_or(0));
    let mut span: Option<(i32, i32)> = None;
    let mut first_row = 0u64;
    let mut pending: Vec<RecordBatch> = Vec::new();
    let mut pending_rows = 0usize;
    loop {
        let next = reader.next_batch(&mut found);
        let end = next.is_none();
        if let Some(batch) = next {
            let Some(batch) = batch else {
                problems.absorb(found);
                return Outcome::Failed;
            };
            pending_rows += batch.num_rows();
            pending.push(batch);
        }
        if pending_rows == 0 || (!end && pending_rows < chunk_rows) {
            if end {
                break;
            }
            continue;
        }
        let mut t = chunk_table(
            cx.contract,
            table,
            &reader,
            std::mem::take(&mut pending),
            first_row,
        );
        super::terms::check_calendar(table, &mut t, path, &mut found);
        checks::check_codes(cx.contract, table, &t, path, &mut found);
        dates::check_dates(table, &t, path, cx.today, &mut found);
        checks::check_references(table, &t, path, cx.targets, cx.explained, &mut found);
        if let Some(h) = hashed_rows(table, &t, |h, _| h) {
            hashes.extend(h);
        }
        if let Some(i) = date_column {
            for b in &t.batches {
                if let Some(d) = b.column(i).as_any().downcast_ref::<Date32Array>()
                    && let (Some(lo), Some(hi)) =
                        (crate::arrow::compute::min(d), crate::arrow::compute::max(d))
                {
                    span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
                }
            }
        }
        // Once anything has failed the entry will not land: keep checking, stop writing.
        if found.is_empty() && reader.clean {
            for b in &t.batches {
                if let Err(e) = writer.write(b) {
                    return Outcome::NoRoom(e);
                }
            }
        }
        first_row += t.num_rows() as u64;
        pending_rows = 0;
        if end {
            break;
        }
    }
    let repeated = repeated_hashes(hashes);
    if !repeated.is_empty() {
        confirm_repeats(cx, table, path, &repeated, &mut found);
    }
    let clean = found.is_empty() && reader.clean;
    // The notes (a column ignored, say) are said again whenever the entry stands in for the file.
    let notes = found.notes.clone();
    problems.absorb(found);
    if !clean {
        return Outcome::Failed;
    }
    let manifest = Manifest {
        key: key.to_string(),
        table: table.name.to_string(),
        // Set by `finish` from the bytes it wrote.
        sha256: String::new(),
        rows: first_row,
        file_rows: vec![first_row],
        notes,
        date_span: span.map(|(a, b)| (super::table::date32(a), super::table::date32(b))),
    };
    match writer.finish(&manifest) {
        Ok((file, sha256)) => {
            let mut t = LoadedTable::new(table.name, reader.schema.clone(), vec![], None);
            t.stored = Some(file);
            t.stored_rows = first_row as usize;
            Outcome::Streamed(Streamed {
                table: t,
                rows: first_row,
                span: manifest.date_span,
                sha256,
            })
        }
        Err(e) => Outcome::NoRoom(e),
    }
}

/// Repeated key hashes followed up on the second pass: enough to report (a few problems per
/// column are kept) while a file appended to itself cannot fill memory with its keys as text.
const MOST_REPEATS: usize = 10_000;

/// The hashes that more than one row has (the first [`MOST_REPEATS`]), sorting (and then
/// dropping) every row's hash.
fn repeated_hashes(mut hashes: Vec<u64>) -> HashSet<u64> {
    hashes.par_sort_unstable();
    let mut out = HashSet::new();
    for w in hashes.windows(2).filter(|w| w[0] == w[1]) {
        if out.len() == MOST_REPEATS {
            break;
        }
        out.insert(w[0]);
    }
    out
}

/// The second pass: reads the file again, keeps the key values of the rows whose hash
/// repeats, and reports those whose values repeat too (a hash collision is never reported).
fn confirm_repeats(
    cx: &StreamContext,
    table: &Table,
    path: &Path,
    repeated: &HashSet<u64>,
    problems: &mut Problems,
) {
    // The first pass reported whatever else this file holds; this one only looks at keys. A
    // file that cannot be read again as it was read once has changed: that is a problem too,
    // or a repeated key could go unreported.
    let changed = |problems: &mut Problems| {
        problems.push(super::error::problem(
            path,
            None,
            None,
            None,
            "a file that stays the same while it is checked (it changed while it was read: run again)"
                .into(),
        ));
    };
    let mut ignored = Problems::default();
    let Some(mut reader) = ParquetBatches::open(table, path, cx.options, 65_536, &mut ignored)
    else {
        return changed(problems);
    };
    let mut groups: HashMap<u64, Vec<(usize, Vec<String>)>> = HashMap::new();
    while let Some(batch) = reader.next_batch(&mut ignored) {
        let Some(batch) = batch else {
            return changed(problems);
        };
        let first_row = reader.offset - batch.num_rows() as u64;
        let t = chunk_table(cx.contract, table, &reader, vec![batch], first_row);
        let keys = KeyLookup::new(table, &t);
        let rows = hashed_rows(table, &t, |h, row| (h, row)).unwrap_or_default();
        for (h, row) in rows.into_iter().filter(|(h, _)| repeated.contains(h)) {
            groups
                .entry(h)
                .or_default()
                .push((first_row as usize + row, keys.values(row)));
        }
    }
    let place = |row: usize| (path, Position::Row(row as u64 + 1));
    report_repeats(table, groups.into_values().collect(), place, problems);
}

/// Forgets a streamed table's entry when its file changed while it was read: this run
/// scans what was checked, the next reads the file again.
pub(super) fn forget(t: &LoadedTable) {
    if let Some(file) = &t.stored {
        cache::forget(file);
    }
}
