//! Taking a table from the validated-data cache: its entry found by key and verified, and
//! the warning said when an entry is not what was written.

use super::Loaded;
use super::cache::{self, CacheOptions, CachedFile};
use super::table::{LoadedTable, read_parquet_rows};
use std::path::PathBuf;

/// What the cache gave for one table.
pub(super) enum Reuse {
    /// The table (scanned from the file when large, else read back) with its files and their
    /// rows, its manifest, and the cached file it came from.
    Hit(Box<(Loaded, cache::Manifest, PathBuf)>),
    /// An entry that is not what was written: the table must be read and checked again.
    Tampered {
        file: PathBuf,
        reason: String,
    },
    Miss,
}

/// The cached copy of `table` for `key`, when there is a sound one (its file verified
/// against the SHA-256 its manifest recorded).
pub(super) fn reuse(c: &CacheOptions, table: &str, key: &str, paths: &[PathBuf]) -> Reuse {
    let (manifest, file, schema) = match cache::find(&c.dir, table, key) {
        cache::Lookup::Hit(m, f, s) => (m, f, s),
        cache::Lookup::Tampered { file, reason } => return Reuse::Tampered { file, reason },
        cache::Lookup::Miss => return Reuse::Miss,
    };
    if manifest.file_rows.len() != paths.len() {
        return Reuse::Miss;
    }
    let rows: Vec<(PathBuf, u64)> = paths
        .iter()
        .cloned()
        .zip(manifest.file_rows.iter().copied())
        .collect();
    let mut t = LoadedTable::new(table, schema, vec![], None);
    if manifest.rows as usize > c.hold_rows {
        t.stored = Some(file.clone());
        t.stored_rows = manifest.rows as usize;
    } else {
        match read_parquet_rows(&file) {
            Ok(b) => t.batches = b,
            Err(e) => {
                return Reuse::Tampered {
                    file,
                    reason: format!("it is not readable Parquet ({e})"),
                };
            }
        }
    }
    Reuse::Hit(Box::new(((t, rows), manifest, file)))
}

/// The cached file of `table` that was not what was written, with the warning that says it
/// was not used and `table` was read again from `paths`.
pub(super) fn rejected(
    table: &str,
    file: PathBuf,
    reason: &str,
    paths: &[PathBuf],
) -> (CachedFile, String) {
    let warning = format!(
        "the validated-data cache's copy of table `{table}` ({}) is not what was written: {reason}. It was not used: `{table}` was read and checked again from {}",
        file.display(),
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let found = CachedFile {
        table: table.to_string(),
        sha256: cache::hash_file(&file).unwrap_or_default(),
        path: file,
    };
    (found, warning)
}
