//! The last step of an open: what passed is kept. Every freshly checked table is written to
//! the validated-data cache (unless a file changed while it was read), large ones are scanned
//! from there, and each file read is listed with its hash for provenance.

use super::cache::{self, CacheOptions, CacheUse, Manifest};
use super::deferred::Streamed;
use super::error::{CatalogError, Problems};
use super::hashing::Hashed;
use super::load::Loads;
use super::plan::Plan;
use super::table::LoadedTable;
use super::{CachedRead, DataFile, Opening, stream};
use chrono::NaiveDate;
use rayon::prelude::*;

/// What an open keeps: its tables, the files they came from, and what the cache did.
pub(super) struct Kept {
    pub(super) tables: Vec<LoadedTable>,
    pub(super) files: Vec<DataFile>,
    pub(super) cache: Option<CacheUse>,
}

/// Keeps what passed (the tables in the contract's order already).
pub(super) fn keep(
    op: &Opening,
    hashed: &Hashed,
    plan: &Plan,
    mut loads: Loads,
    streamed: &Streamed,
    span: Option<(NaiveDate, NaiveDate)>,
    problems: &mut Problems,
) -> Result<Kept, CatalogError> {
    let unchanged = hashed.unchanged();
    if op.cache.is_some() && !unchanged {
        problems.note(
            "a data file changed while it was read: nothing kept in the validated-data cache this run"
                .into(),
        );
        for (t, _) in loads
            .loaded
            .iter()
            .filter(|(t, _)| streamed.contains_key(&t.name))
        {
            stream::forget(t);
        }
    }
    let cache_use = op.cache.filter(|_| unchanged).map(|c| {
        let (mut used, scanned) = store(c, &mut loads, plan, span, problems);
        loads.read_from.extend(scanned);
        used.written.extend(streamed.keys().cloned());
        used.written.sort();
        used.rejected = loads.rejected.clone();
        used
    });
    let files = data_files(hashed, &loads).map_err(|p| CatalogError {
        problems: vec![p],
        omitted: 0,
    })?;
    Ok(Kept {
        tables: loads.loaded.into_iter().map(|(t, _)| t).collect(),
        files,
        cache: cache_use,
    })
}

/// Each file of each loaded table with its rows, its hash and the cached file its rows were
/// read from (when they were).
fn data_files(hashed: &Hashed, loads: &Loads) -> Result<Vec<DataFile>, super::error::Problem> {
    loads
        .loaded
        .iter()
        .flat_map(|(t, paths)| paths.iter().map(move |(path, rows)| (t, path, *rows)))
        .map(|(t, path, rows)| {
            let cached = loads.read_from.get(&t.name).cloned();
            hashed.sha256(path).map(|sha256| DataFile {
                table: t.name.clone(),
                path: path.clone(),
                sha256,
                rows,
                read_sha256: cached.as_ref().map(|(_, h)| h.clone()),
                read_from: cached.map(|(f, _)| f),
            })
        })
        .collect()
}

/// Writes every freshly checked table with files to the cache and turns the large ones
/// into scans of their cached file; a table that cannot be written stays in memory, noted.
/// Returns what the cache did, and each table now scanned with its cached file and hash.
fn store(
    c: &CacheOptions,
    loads: &mut Loads,
    plan: &Plan,
    span: Option<(NaiveDate, NaiveDate)>,
    problems: &mut Problems,
) -> (CacheUse, Vec<(String, CachedRead)>) {
    let Loads {
        loaded,
        reused,
        notes,
        ..
    } = loads;
    type Kept = (String, Option<CachedRead>);
    let outcomes: Vec<Option<Result<Kept, String>>> = loaded
        .par_iter_mut()
        .map(|(t, paths)| {
            // A streamed table is in the cache already.
            if reused.contains_key(&t.name) || paths.is_empty() || t.stored.is_some() {
                return None;
            }
            let key = plan.key(&t.name)?.to_string();
            let manifest = Manifest {
                key,
                table: t.name.clone(),
                // Set by `write` from the bytes it wrote.
                sha256: String::new(),
                rows: t.num_rows() as u64,
                file_rows: paths.iter().map(|(_, r)| *r).collect(),
                notes: notes.get(&t.name).cloned().unwrap_or_default(),
                date_span: if t.name == "attendance" { span } else { None },
            };
            Some(cache::write(&c.dir, t, &manifest).map(|(file, sha256)| {
                if t.num_rows() > c.hold_rows {
                    t.stored_rows = t.num_rows();
                    t.stored = Some(file.clone());
                    t.batches = vec![];
                    t.lines = None;
                    t.row_files = vec![];
                    return (t.name.clone(), Some((file, sha256)));
                }
                (t.name.clone(), None)
            }))
        })
        .collect();
    let mut used = CacheUse {
        dir: c.dir.clone(),
        ..Default::default()
    };
    // The tables now scanned from the file just written, with its hash.
    let mut read = Vec::new();
    for outcome in outcomes.into_iter().flatten() {
        match outcome {
            Ok((name, scanned)) => {
                if let Some(f) = scanned {
                    read.push((name.clone(), f));
                }
                used.written.push(name)
            }
            Err(e) => problems.note(format!(
                "cannot keep a validated copy in the cache ({e}); the next run reads and checks the file again"
            )),
        }
    }
    used.reused = reused.keys().cloned().collect();
    used.scanned = loaded
        .iter()
        .filter(|(t, _)| t.stored.is_some())
        .map(|(t, _)| t.name.clone())
        .collect();
    used.reused.sort();
    used.written.sort();
    used.scanned.sort();
    (used, read)
}
