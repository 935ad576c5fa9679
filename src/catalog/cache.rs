//! The validated-data cache: each table that passed every check is kept as Parquet under
//! `.cohort/cache/`, keyed by the hashes of its files (and of the files of the tables its
//! references point to), the contract and cohort's version, so that a run over unchanged
//! files skips reading and checking them. Large tables are then scanned from that file
//! rather than held in memory, so a run's memory is bounded by its work, not its data.
//!
//! The cache only ever holds tables that passed; a missing, stale or unreadable entry is a
//! miss, and the table is read and checked again. Entries land whole (the Parquet file and
//! then its manifest, each renamed into place), so an interrupted write is never a hit.
//!
//! The cache proves itself: each manifest records the SHA-256 of its Parquet file as it was
//! written, and an entry is used only when the file still has that hash. A file replaced
//! with valid but false rows, or with one bit flipped, is [`Lookup::Tampered`]: the table is
//! read and checked again from its own files, with a warning naming the table and the
//! cache file. Hashing costs little against a run. Measured (issue 29) on the project's shared
//! 2-core machine, under load, over `cohort sample --children 10000 --years 5` (14.3 million
//! rows): the cached attendance file is 28 MB and hashes in 0.15 to 0.32 s (all 32 MB of
//! entries: 0.27 s), against 20.1 s for the run that reused every entry (verifying each
//! hash included) and 58.4 s for the first run that read and checked the files: about 1.5%
//! of a run that uses the cache.

use super::format::parallel::ParallelWriter;
use super::table::LoadedTable;
use crate::arrow::datatypes::SchemaRef;
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{Contract, Table};
use chrono::NaiveDate;
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
    /// Entries whose file no longer had the hash recorded when it was written: not used,
    /// the table read and checked again from its own files (each a warning, too).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<CachedFile>,
}

/// A cached Parquet file a run read in place of a table's own files, with the SHA-256 it was
/// verified to have (the hash recorded when it was written).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CachedFile {
    pub table: String,
    pub path: PathBuf,
    pub sha256: String,
}

/// What is kept beside a cached table: enough to stand in for reading it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub key: String,
    pub table: String,
    /// The SHA-256 of the entry's Parquet file as written: the file is used only while it
    /// still has this hash.
    pub sha256: String,
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
    h.update(b"cohort validated cache 2\n");
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

/// What the cache holds for a key.
#[derive(Debug)]
pub enum Lookup {
    /// No usable entry (none, another key's, an unreadable manifest): read the files.
    Miss,
    /// An entry whose file has the hash its manifest recorded: the manifest, the Parquet
    /// file's path and the table's schema.
    Hit(Manifest, PathBuf, SchemaRef),
    /// An entry whose file is not what was written (its hash, or its footer, differs from
    /// the manifest's): never used; the reason, for the warning.
    Tampered { file: PathBuf, reason: String },
}

/// The entry of `table` for `key`, verified: its manifest must match, and its Parquet file
/// must have the SHA-256 the manifest recorded and a footer that agrees with it.
pub fn find(dir: &Path, table: &str, key: &str) -> Lookup {
    let (data, meta) = paths(dir, table, key);
    let Some(manifest) = crate::output::read_json::<Manifest>(&meta) else {
        return Lookup::Miss;
    };
    if manifest.key != key || manifest.table != table {
        return Lookup::Miss;
    }
    let tampered = |reason: String| Lookup::Tampered {
        file: data.clone(),
        reason,
    };
    match hash_file(&data) {
        Ok(h) if h == manifest.sha256 => {}
        Ok(h) => {
            return tampered(format!(
                "its SHA-256 is {h}, not the {} recorded when it was written",
                manifest.sha256
            ));
        }
        Err(e) => return tampered(format!("it cannot be read ({e})")),
    }
    let footer = std::fs::File::open(&data)
        .map_err(|e| e.to_string())
        .and_then(|f| ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| e.to_string()));
    let builder = match footer {
        Ok(b) => b,
        Err(e) => return tampered(format!("it is not readable Parquet ({e})")),
    };
    let rows = builder.metadata().file_metadata().num_rows();
    let schema = builder.schema().clone();
    if u64::try_from(rows).ok() != Some(manifest.rows) {
        return tampered(format!(
            "it holds {rows} rows, not the {} recorded",
            manifest.rows
        ));
    }
    Lookup::Hit(manifest, data, schema)
}

/// The SHA-256 of a file, read in 1 MiB pieces, as hex.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Writes `t` and its manifest under `dir` (each renamed into place, the manifest last),
/// removing the table's older entries; returns the Parquet file's path and SHA-256.
pub fn write(
    dir: &Path,
    t: &LoadedTable,
    manifest: &Manifest,
) -> Result<(PathBuf, String), String> {
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
    writer: Option<ParallelWriter<HashingFile>>,
}

/// A file that hashes every byte written to it, so an entry's SHA-256 costs no second read.
pub struct HashingFile {
    file: std::fs::File,
    hasher: Sha256,
}

impl std::io::Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = std::io::Write::write(&mut self.file, buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::Write::flush(&mut self.file)
    }
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
        let file = HashingFile {
            file,
            hasher: Sha256::new(),
        };
        // Arrow's own writer's file, byte for byte, its columns encoded in parallel.
        let props = datafusion::parquet::file::properties::WriterProperties::default();
        let writer = ParallelWriter::try_new(file, schema, props).map_err(|e| {
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

    /// Closes the file, renames it and then its manifest (with the file's SHA-256, which
    /// replaces `manifest.sha256`) into place, and removes the table's older entries;
    /// returns the Parquet file's path and its hash.
    pub fn finish(mut self, manifest: &Manifest) -> Result<(PathBuf, String), String> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| "the cache entry is already finished".to_string())?;
        let mut sha256 = String::new();
        let landed = (|| -> Result<(), String> {
            let mut file = writer.into_inner().map_err(|e| e.to_string())?;
            std::io::Write::flush(&mut file).map_err(|e| e.to_string())?;
            let HashingFile { file, hasher } = file;
            drop(file);
            sha256 = hex::encode(hasher.finalize());
            std::fs::rename(&self.partial, &self.data).map_err(|e| e.to_string())?;
            let manifest = Manifest {
                sha256: sha256.clone(),
                ..manifest.clone()
            };
            let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
            crate::output::write_atomic(&self.meta, json.as_bytes()).map_err(|e| e.to_string())
        })();
        if let Err(e) = landed {
            let _ = std::fs::remove_file(&self.partial);
            return Err(format!("{}: {e}", self.data.display()));
        }
        remove_older(&self.dir, &self.table, &self.data, &self.meta);
        Ok((self.data.clone(), sha256))
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
