//! The validated-data cache: each table that passed every check is kept as Parquet under
//! `.cohort/cache/`, keyed by the hashes of its files (and of the files of the tables its
//! references point to), the contract and cohort's version, so that a run over unchanged
//! files skips reading and checking them. Large tables are then scanned from that file
//! rather than held in memory, so a run's memory is bounded by its work, not its data.
//!
//! The cache only ever holds tables that passed; a missing, stale or unreadable entry is a
//! miss, and the table is read and checked again. Entries land whole (the Parquet file and
//! then its manifest, each renamed into place), so an interrupted write is never a hit.

use super::load::LoadedTable;
use crate::contract::{Contract, Table};
use chrono::NaiveDate;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Tables with more rows than this are scanned from their cached file by default.
pub const HOLD_ROWS: usize = 1_000_000;

/// Rows checked at a time when a large Parquet file streams into the cache (about 30 MB of
/// attendance marks).
pub const STREAM_ROWS: usize = 1 << 20;

/// Where validated tables are kept, and above what size they are scanned rather than held.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheOptions {
    pub dir: PathBuf,
    /// A table with more rows than this is scanned from its cached Parquet file.
    pub hold_rows: usize,
    /// Whether a cached table may stand in for reading its files (`cohort check` reads and
    /// checks every file, and only writes what passed).
    pub reuse: bool,
    /// A Parquet file of more rows than `hold_rows` is checked as it streams, this many rows
    /// at a time, straight into the cache, and never held whole.
    pub stream_rows: usize,
}

impl CacheOptions {
    /// The cache in `dir`, scanning tables over [`HOLD_ROWS`] rows from it.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CacheOptions {
            dir: dir.into(),
            hold_rows: HOLD_ROWS,
            reuse: true,
            stream_rows: STREAM_ROWS,
        }
    }
}

/// What one catalog open did with the cache, for `run.json` and the history.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CacheUse {
    pub dir: PathBuf,
    /// Tables taken from the cache without being read or checked again.
    pub reused: Vec<String>,
    /// Tables read, checked and then written to the cache.
    pub written: Vec<String>,
    /// Tables scanned from their cached file rather than held in memory.
    pub scanned: Vec<String>,
}

/// What is kept beside a cached table: enough to stand in for reading it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub key: String,
    pub table: String,
    pub rows: u64,
    /// The rows each of the table's files held, in the order they were located.
    pub file_rows: Vec<u64>,
    /// The notes reading the table gave (an extra column ignored), repeated on reuse.
    pub notes: Vec<String>,
    /// The first and last `date` of the table (attendance gives the run's terms from it).
    pub date_span: Option<(NaiveDate, NaiveDate)>,
}

/// The cache key of `table`: cohort's version, the table's contract (with its code lists),
/// how it is read, and the content hashes of its files and of the files of every table
/// its references reach (`files`: each table in that closure with its files' hashes).
pub fn key(
    contract: &Contract,
    table: &Table,
    source: &super::TableSource,
    files: &[(&str, Vec<&str>)],
) -> String {
    let mut h = Sha256::new();
    // Raise the number when what the checks accept changes within one cohort version.
    h.update(b"cohort validated cache 1\n");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(format!("\n{table:?}\n{source:?}\n").as_bytes());
    for id in table.columns.iter().filter_map(|c| c.codes) {
        if let Some(list) = contract.code_list(id) {
            h.update(format!("{list:?}\n").as_bytes());
        }
    }
    for (name, hashes) in files {
        h.update(format!("{name}: {}\n", hashes.join(" ")).as_bytes());
    }
    hex::encode(h.finalize())
}

/// The file names of one cached table; the key keeps them apart, the table name readable.
fn paths(dir: &Path, table: &str, key: &str) -> (PathBuf, PathBuf) {
    let stem = format!("{table}-{}", &key[..16]);
    (
        dir.join(format!("{stem}.parquet")),
        dir.join(format!("{stem}.json")),
    )
}

/// A cached table for `key`, when its manifest matches and its file's footer agrees with it:
/// the manifest, the Parquet file's path and the table's schema.
pub fn find(dir: &Path, table: &str, key: &str) -> Option<(Manifest, PathBuf, SchemaRef)> {
    let (data, meta) = paths(dir, table, key);
    let text = std::fs::read_to_string(&meta).ok()?;
    let manifest: Manifest = serde_json::from_str(&text).ok()?;
    if manifest.key != key || manifest.table != table {
        return None;
    }
    let file = std::fs::File::open(&data).ok()?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).ok()?;
    let rows = builder.metadata().file_metadata().num_rows();
    let schema = builder.schema().clone();
    (u64::try_from(rows).ok() == Some(manifest.rows)).then_some((manifest, data, schema))
}

/// The rows of a cached table's Parquet file, read into memory.
pub fn read(path: &Path) -> Result<Vec<RecordBatch>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Writes `t` and its manifest under `dir` (each renamed into place, the manifest last),
/// removing the table's older entries; returns the Parquet file's path.
pub fn write(dir: &Path, t: &LoadedTable, manifest: &Manifest) -> Result<PathBuf, String> {
    let mut writer = Writer::create(dir, &t.name, &manifest.key, t.schema.clone())?;
    for b in &t.batches {
        writer.write(b)?;
    }
    writer.finish(manifest)
}

/// A cache entry being written a batch at a time: into a file named for this process, renamed
/// into place with its manifest only by [`Writer::finish`]; dropped unfinished, it leaves
/// nothing behind.
pub struct Writer {
    dir: PathBuf,
    table: String,
    partial: PathBuf,
    data: PathBuf,
    meta: PathBuf,
    writer: Option<ArrowWriter<std::fs::File>>,
}

impl Writer {
    /// Starts the entry of `table` for `key` under `dir`.
    pub fn create(dir: &Path, table: &str, key: &str, schema: SchemaRef) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (data, meta) = paths(dir, table, key);
        // Named for this process, so runs writing the same entry at once never share a file.
        let partial = dir.join(format!(
            ".{}.{}.tmp",
            data.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id()
        ));
        let file =
            std::fs::File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
        let writer = ArrowWriter::try_new(file, schema, None).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            e.to_string()
        })?;
        Ok(Writer {
            dir: dir.to_path_buf(),
            table: table.to_string(),
            partial,
            data,
            meta,
            writer: Some(writer),
        })
    }

    /// Appends `batch` to the entry.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        match &mut self.writer {
            Some(w) => w
                .write(batch)
                .map_err(|e| format!("{}: {e}", self.data.display())),
            None => Err("the cache entry is already finished".into()),
        }
    }

    /// Closes the file, renames it and then its manifest into place, and removes the table's
    /// older entries; returns the Parquet file's path.
    pub fn finish(mut self, manifest: &Manifest) -> Result<PathBuf, String> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| "the cache entry is already finished".to_string())?;
        let landed = (|| -> Result<(), String> {
            writer.close().map_err(|e| e.to_string())?;
            std::fs::rename(&self.partial, &self.data).map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(manifest).map_err(|e| e.to_string())?;
            crate::output::write_atomic(&self.meta, json.as_bytes()).map_err(|e| e.to_string())
        })();
        if let Err(e) = landed {
            let _ = std::fs::remove_file(&self.partial);
            return Err(format!("{}: {e}", self.data.display()));
        }
        remove_older(&self.dir, &self.table, &self.data, &self.meta);
        Ok(self.data.clone())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Forgets the entry whose Parquet file is `data` (its manifest goes, so it is never a hit):
/// for a table streamed into the cache from a file that changed while it was read.
pub fn forget(data: &Path) {
    let _ = std::fs::remove_file(data.with_extension("json"));
}

/// Removes the entries of `table` other than the one just written.
fn remove_older(dir: &Path, table: &str, keep_data: &Path, keep_meta: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{table}-");
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        // `<table>-<16 hex>.parquet` or `.json`; another run's partial files start with a dot.
        let ours = name
            .strip_prefix(&prefix)
            .is_some_and(|rest| rest.len() > 16 && rest.as_bytes()[16] == b'.');
        if ours && path != keep_data && path != keep_meta {
            let _ = std::fs::remove_file(&path);
        }
    }
}
