//! The third step of an open: what the cache can do. Each read table's cache key (from the
//! hashes of its files and of the files of every table its references reach), and the tables
//! deferred to stream through their checks into the cache once the rest are read.

use super::Opening;
use super::cache::{self, CacheOptions};
use super::folder::Found;
use super::format::FileFormat;
use super::format::parquet::ParquetBatches;
use super::hashing::Hashed;
use super::locate::Located;
use crate::contract::Contract;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What the cache can do for this open.
#[derive(Default)]
pub(super) struct Plan {
    /// Each read table's cache key, when a cache is used and every file its copy depends on
    /// was hashed.
    keys: HashMap<&'static str, String>,
    /// A file too large to hold, of a table no other table points into: its file and key.
    pub(super) deferred: HashMap<&'static str, (PathBuf, String)>,
}

impl Plan {
    /// The cache key of `table`, when it has one.
    pub(super) fn key(&self, table: &str) -> Option<&str> {
        self.keys.get(table).map(String::as_str)
    }
}

/// Each read table's key and the tables that stream, when `op` uses a cache.
pub(super) fn plan(op: &Opening, found: &Found, hashed: &Hashed) -> Plan {
    let Some(c) = op.cache else {
        return Plan::default();
    };
    let contract = op.contract;
    let keys: HashMap<&'static str, String> = contract
        .tables
        .iter()
        .filter(|t| op.reads(t.name))
        .filter_map(|t| Some((t.name, key(op, hashed, t.name)?)))
        .collect();
    // A file too large to hold, of a table no other table points into, streams through its
    // checks into the cache once the tables its references need are read.
    let referenced: HashSet<&str> = contract
        .tables
        .iter()
        .flat_map(|t| t.references.iter())
        .flat_map(|r| r.targets.iter().map(|(tt, _)| *tt))
        .collect();
    let deferred = contract
        .tables
        .iter()
        .filter(|t| op.reads(t.name) && !referenced.contains(t.name))
        .filter_map(|t| match found.locations.get(t.name) {
            Some(Ok(Located::One(p))) if streams(p, c) => {
                Some((t.name, (p.clone(), keys.get(t.name)?.clone())))
            }
            _ => None,
        })
        .collect();
    Plan { keys, deferred }
}

/// Whether `path` is of a format that streams and too large to hold for `cache`.
fn streams(path: &Path, cache: &CacheOptions) -> bool {
    FileFormat::of(path).is_some_and(|f| f.streams)
        && ParquetBatches::rows_in(path).is_some_and(|n| n > cache.hold_rows as u64)
}

/// The cache key of table `name`, when every file of it and of the tables it reaches was hashed.
fn key(op: &Opening, hashed: &Hashed, name: &str) -> Option<String> {
    let table = op.contract.table(name)?;
    let closure = references_closure(op.contract, name);
    let mut parts = Vec::new();
    for name in &closure {
        let paths = hashed.located.get(name.as_str())?;
        let hs: Option<Vec<&str>> = paths
            .iter()
            .map(|p| hashed.hashes.get(p).map(String::as_str))
            .collect();
        parts.push((name.as_str(), hs?));
    }
    Some(cache::key(
        op.contract,
        table,
        &op.sources.of(table.name),
        &parts,
    ))
}

/// `name` and every table its references reach, sorted: the tables whose files a cached
/// copy of `name` depends on.
fn references_closure(contract: &Contract, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(n) = todo.pop() {
        if let Some(t) = contract.table(&n)
            && out.insert(n)
        {
            for r in &t.references {
                todo.extend(r.targets.iter().map(|(tt, _)| tt.to_string()));
            }
        }
    }
    out
}
