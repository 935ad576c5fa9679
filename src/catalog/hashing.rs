//! The second step of an open: every read table's files hashed once (in parallel), for
//! provenance and the cache, with each file's size and time as it was hashed so that a file
//! that changes while the catalog reads it is never kept under the hash of what it held.

use super::Opening;
use super::cache::hash_file;
use super::error::{CatalogError, Problem, Problems, problem};
use super::folder::Found;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A file's size and modification time.
type Stamp = Option<(u64, SystemTime)>;

/// The read tables' files and their hashes.
pub(super) struct Hashed {
    /// Each read table's files (of those found without a problem).
    pub(super) located: HashMap<&'static str, Vec<PathBuf>>,
    /// Every one of those files once, sorted, with its size and time as it was hashed.
    stamps: Vec<(PathBuf, Stamp)>,
    pub(super) hashes: HashMap<PathBuf, String>,
}

impl Hashed {
    /// Whether every hashed file is still as it was hashed.
    pub(super) fn unchanged(&self) -> bool {
        self.stamps.iter().all(|(p, s)| stamp(p) == *s)
    }

    /// Whether `path` was hashed and is still as it was then.
    pub(super) fn file_unchanged(&self, path: &Path) -> bool {
        let before = self.stamps.iter().find(|(p, _)| p == path).map(|(_, s)| *s);
        before == Some(stamp(path))
    }

    /// The SHA-256 of `path`: as hashed, or hashed now (a file read since, such as a
    /// streamed table's that was held after all).
    pub(super) fn sha256(&self, path: &Path) -> Result<String, Problem> {
        match self.hashes.get(path) {
            Some(h) => Ok(h.clone()),
            None => hash_file(path)
                .map_err(|e| problem(path, None, None, None, format!("a readable file ({e})"))),
        }
    }
}

/// Hashes every file of the tables `op` reads; an empty file (0 bytes) ends the open.
pub(super) fn hash(
    op: &Opening,
    found: &Found,
    problems: &mut Problems,
) -> Result<Hashed, CatalogError> {
    let located: HashMap<&'static str, Vec<PathBuf>> = found
        .locations
        .iter()
        .filter(|(name, _)| op.reads(name))
        .filter_map(|(name, l)| Some((*name, l.as_ref().ok()?.paths())))
        .collect();
    let mut files: Vec<&PathBuf> = located.values().flatten().collect();
    files.sort();
    files.dedup();
    for path in &files {
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            let expected = "data, but the file is empty (0 bytes)".to_string();
            problems.push_file(path, expected);
        }
    }
    problems.stop_if_any()?;
    let stamps = files.iter().map(|p| ((*p).clone(), stamp(p))).collect();
    let hashes = files
        .par_iter()
        .filter_map(|p| hash_file(p).ok().map(|h| ((*p).clone(), h)))
        .collect();
    Ok(Hashed {
        located,
        stamps,
        hashes,
    })
}

/// A file's size and modification time, to tell whether it changed between two looks.
fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}
