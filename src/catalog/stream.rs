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
use super::checks::{self, KeyHashes, KeyLookup, hashed_rows, report_repeats};
use super::columns::ReadOptions;
use super::error::{Position, Problems};
use super::format::parquet::ParquetBatches;
use super::table::LoadedTable;
use super::{codes, dates};
use crate::arrow::array::{Array, Date32Array};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{Contract, Table};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

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
    schema: &crate::arrow::datatypes::SchemaRef,
    batches: Vec<RecordBatch>,
    first_row: u64,
) -> LoadedTable {
    let mut t = LoadedTable::new(table.name, schema.clone(), batches, None);
    t.row_offset = first_row;
    codes::normalise_codes(contract, table, &mut t);
    t
}

/// Batches read ahead of the checks, and checked batches waiting to be written (each of up
/// to 64K rows, a few MB): memory stays bounded by the chunk and these.
const READ_AHEAD: usize = 8;
const WRITE_BEHIND: usize = 8;

/// What the reading thread passes on, in the file's order.
enum Read {
    /// The next batch in the contract's types, the problems its cast and checks found, and
    /// whether every value so far passed.
    Batch(RecordBatch, Problems, bool),
    /// The file cannot be read on: the problem.
    Unreadable(Problems),
    /// The end of the file, with whether every value passed.
    End(bool),
}

/// Reads and casts `reader`'s batches on their own thread (decoding the next while the last
/// is checked and written), until the file ends, cannot be read on, or the checks stop.
fn read_ahead(mut reader: ParquetBatches, out: SyncSender<Read>) {
    loop {
        let mut p = Problems::default();
        let next = match reader.next_batch(&mut p) {
            None => Read::End(reader.clean),
            Some(None) => Read::Unreadable(p),
            Some(Some(b)) => Read::Batch(b, p, reader.clean),
        };
        let last = !matches!(next, Read::Batch(..));
        if out.send(next).is_err() || last {
            return;
        }
    }
}

/// Writes checked batches to the cache entry on their own thread; the entry back to be
/// finished, or why it could not be written.
fn write_behind(mut writer: Writer, batches: Receiver<RecordBatch>) -> Result<Writer, String> {
    for b in batches {
        writer.write(&b)?;
    }
    Ok(writer)
}

/// Streams `path` of `table` through every check into the cache entry for `key`. Problems go
/// to `problems`; an entry lands only when there are none. Three threads share the work: one
/// reads and casts the file, this one checks each chunk, one writes what passed.
pub(super) fn stream_table(
    cx: &StreamContext,
    table: &Table,
    path: &Path,
    key: &str,
    problems: &mut Problems,
) -> Outcome {
    let chunk_rows = cx.cache.stream_rows.max(1);
    let mut found = Problems::default();
    let batch_rows = chunk_rows.min(65_536);
    let Some(reader) =
        ParquetBatches::open_dictionaries(table, path, cx.options, batch_rows, &mut found)
    else {
        problems.absorb(found);
        return Outcome::Failed;
    };
    // The entry is written in the contract's types (a dictionary's strings are written as
    // the strings they are: the same bytes as text read row by row); the checks read the
    // batches as they come, text columns as dictionaries where the file has them.
    let schema = reader.schema.clone();
    let batch_schema = reader.batch_schema.clone();
    let writer = match Writer::create(&cx.cache.dir, table.name, key, schema.clone()) {
        Ok(w) => w,
        Err(e) => return Outcome::NoRoom(e),
    };
    // Room for the footer's row count up front (no doubling at 100 million rows), but never
    // more than a national register's worth on a footer's word alone.
    let expected_rows = reader.footer_rows.min(1 << 27);
    std::thread::scope(|s| {
        let (read_tx, read_rx) = sync_channel(READ_AHEAD);
        s.spawn(move || read_ahead(reader, read_tx));
        let (write_tx, write_rx) = sync_channel(WRITE_BEHIND);
        let writing = s.spawn(move || write_behind(writer, write_rx));
        let mut stream = Checking {
            cx,
            table,
            path,
            schema: &schema,
            batch_schema: &batch_schema,
            found,
            hashes: KeyHashes::with_rows(usize::try_from(expected_rows).unwrap_or(0)),
            span: None,
            rows: 0,
        };
        let read = stream.check_all(read_rx, write_tx);
        // The writer has had every batch it will get (its channel is closed): its entry.
        let written = writing
            .join()
            .unwrap_or_else(|_| Err("the cache writer stopped".to_string()));
        let writer = match (read, written) {
            (_, Err(e)) => return Outcome::NoRoom(e),
            (Read::Unreadable(p), _) => {
                stream.found.replay(p);
                problems.absorb(stream.found);
                return Outcome::Failed;
            }
            (Read::End(clean), Ok(w)) => (w, clean),
            (Read::Batch(..), Ok(w)) => (w, false),
        };
        stream.finish(writer, key, problems)
    })
}

/// The checks of one streaming file, chunk by chunk, and what they keep: the problems, each
/// row's key hash, the span of dates and the rows so far.
struct Checking<'a> {
    cx: &'a StreamContext<'a>,
    table: &'a Table,
    path: &'a Path,
    schema: &'a crate::arrow::datatypes::SchemaRef,
    /// The schema of the batches read (text columns as dictionaries where the file has them).
    batch_schema: &'a crate::arrow::datatypes::SchemaRef,
    found: Problems,
    hashes: KeyHashes,
    span: Option<(i32, i32)>,
    rows: u64,
}

impl Checking<'_> {
    /// Checks every batch `batches` brings, a chunk of rows at a time, passing each checked
    /// batch to `write` while nothing has failed; how the reading ended.
    fn check_all(&mut self, batches: Receiver<Read>, write: SyncSender<RecordBatch>) -> Read {
        let chunk_rows = self.cx.cache.stream_rows.max(1);
        let date_column = self.batch_schema.index_of("date").ok();
        let mut pending: Vec<RecordBatch> = Vec::new();
        let mut pending_rows = 0usize;
        let mut clean = true;
        let mut writing = true;
        loop {
            let end = match batches.recv() {
                Ok(Read::Batch(batch, p, c)) => {
                    self.found.replay(p);
                    clean = c;
                    pending_rows += batch.num_rows();
                    pending.push(batch);
                    None
                }
                Ok(Read::End(c)) => Some(Read::End(c)),
                Ok(Read::Unreadable(p)) => return Read::Unreadable(p),
                // The reading thread stopped without saying why: never taken for the end.
                Err(_) => {
                    let mut p = Problems::default();
                    p.push_file(
                        self.path,
                        "a readable Parquet file (reading it stopped)".into(),
                    );
                    return Read::Unreadable(p);
                }
            };
            if pending_rows == 0 || (end.is_none() && pending_rows < chunk_rows) {
                match end {
                    Some(end) => return end,
                    None => continue,
                }
            }
            let mut t = chunk_table(
                self.cx.contract,
                self.table,
                self.batch_schema,
                std::mem::take(&mut pending),
                self.rows,
            );
            self.check_chunk(&mut t, date_column);
            // Once anything has failed the entry will not land: keep checking, stop writing.
            if writing && self.found.is_empty() && clean {
                for b in &t.batches {
                    if write.send(b.clone()).is_err() {
                        // The writer failed: it says why when joined.
                        writing = false;
                        break;
                    }
                }
            }
            self.rows += t.num_rows() as u64;
            pending_rows = 0;
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// Every check of one chunk: terms, codes on their dates, impossible dates, references,
    /// and each row's key hash and the span of dates kept.
    fn check_chunk(&mut self, t: &mut LoadedTable, date_column: Option<usize>) {
        let (cx, table, path) = (self.cx, self.table, self.path);
        let found = &mut self.found;
        super::terms::check_calendar(table, t, path, found);
        checks::check_codes(cx.contract, table, t, path, found);
        dates::check_dates(table, t, path, cx.today, found);
        checks::check_references(table, t, path, cx.targets, cx.explained, found);
        if let Some(h) = hashed_rows(table, t, |h, _| h) {
            self.hashes.extend(h);
        }
        if let Some(i) = date_column {
            for b in &t.batches {
                if let Some(d) = b.column(i).as_any().downcast_ref::<Date32Array>()
                    && let (Some(lo), Some(hi)) =
                        (crate::arrow::compute::min(d), crate::arrow::compute::max(d))
                {
                    self.span = Some(self.span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
                }
            }
        }
    }

    /// After the last chunk: repeated keys confirmed on a second pass, and the entry landed
    /// when nothing failed.
    fn finish(
        self,
        (writer, clean): (Writer, bool),
        key: &str,
        problems: &mut Problems,
    ) -> Outcome {
        let Checking {
            cx,
            table,
            path,
            schema,
            batch_schema: _,
            mut found,
            hashes,
            span,
            rows,
        } = self;
        let repeated: HashSet<u64> = hashes.repeated(MOST_REPEATS).into_iter().collect();
        if !repeated.is_empty() {
            confirm_repeats(cx, table, path, &repeated, &mut found);
        }
        let clean = found.is_empty() && clean;
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
            rows,
            file_rows: vec![rows],
            notes,
            date_span: span.map(|(a, b)| (super::table::date32(a), super::table::date32(b))),
        };
        match writer.finish(&manifest) {
            Ok((file, sha256)) => {
                let mut t = LoadedTable::new(table.name, schema.clone(), vec![], None);
                t.stored = Some(file);
                t.stored_rows = rows as usize;
                Outcome::Streamed(Streamed {
                    table: t,
                    rows,
                    span: manifest.date_span,
                    sha256,
                })
            }
            Err(e) => Outcome::NoRoom(e),
        }
    }
}

/// Repeated key hashes followed up on the second pass: enough to report (a few problems per
/// column are kept) while a file appended to itself cannot fill memory with its keys as text.
const MOST_REPEATS: usize = 10_000;

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
    let Some(mut reader) =
        ParquetBatches::open_dictionaries(table, path, cx.options, 65_536, &mut ignored)
    else {
        return changed(problems);
    };
    let mut groups: HashMap<u64, Vec<(usize, Vec<String>)>> = HashMap::new();
    while let Some(batch) = reader.next_batch(&mut ignored) {
        let Some(batch) = batch else {
            return changed(problems);
        };
        let first_row = reader.offset - batch.num_rows() as u64;
        let t = chunk_table(
            cx.contract,
            table,
            &reader.batch_schema,
            vec![batch],
            first_row,
        );
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

#[cfg(test)]
mod tests;
