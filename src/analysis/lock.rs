//! `queries/versions.lock`: each analysis's version and the hash of its normalised SQL.
//!
//! A figure that was published must not silently change: changing an analysis's SQL
//! without raising its version is an error in `cohort check` and in the tests.

use super::error::AnalysisError;
use super::file::Analysis;
use std::collections::BTreeMap;
use std::path::Path;

/// One locked analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub version: u32,
    pub sql_hash: String,
    pub line: usize,
}

/// The lock file's entries by analysis id.
pub type Lock = BTreeMap<String, Locked>;

const HEADER: &str = "# cohort analysis versions: id, version, SHA-256 of the normalised SQL.\n# Written by `cohort lock`; an analysis whose SQL changes must raise its version first.\n";

/// Reads the lock file; a missing file is an empty lock.
pub fn read(path: &Path) -> Result<Lock, AnalysisError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::new()),
        Err(e) => {
            return Err(AnalysisError::Io {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    let mut lock = Lock::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = t.split_whitespace().collect();
        let bad = || AnalysisError::Lock {
            path: path.to_path_buf(),
            line: line_no,
            message: "expected `<id> <version> <sha256>`".into(),
        };
        let [id, version, hash] = parts.as_slice() else {
            return Err(bad());
        };
        let version: u32 = version.parse().map_err(|_| bad())?;
        lock.insert(
            id.to_string(),
            Locked {
                version,
                sql_hash: hash.to_string(),
                line: line_no,
            },
        );
    }
    Ok(lock)
}

/// The analyses that differ from the lock: new, SQL changed under the same version, or a
/// version raised and not yet locked. They run as drafts where drafts are allowed.
pub fn drafts(analyses: &[Analysis], lock: &Lock) -> Vec<String> {
    analyses
        .iter()
        .filter(|a| match lock.get(a.id()) {
            None => true,
            Some(l) => {
                l.version < a.meta.version
                    || (l.version == a.meta.version && l.sql_hash != a.sql_hash)
            }
        })
        .map(|a| a.id().to_string())
        .collect()
}

/// Every disagreement between the analyses and the lock, each with what to do.
pub fn verify(analyses: &[Analysis], lock: &Lock, lock_path: &Path) -> Vec<AnalysisError> {
    let mut problems = Vec::new();
    for a in analyses {
        let v = a.meta.version;
        let message = match lock.get(a.id()) {
            None => Some(format!(
                "`{}` version {v} is not in {}: run `cohort lock`",
                a.id(),
                lock_path.display()
            )),
            Some(l) if l.version == v && l.sql_hash != a.sql_hash => Some(format!(
                "the SQL of `{}` changed but its version is still {v}: published figures would silently change. Raise `version` to {} and run `cohort lock`",
                a.id(),
                v + 1
            )),
            Some(l) if l.version > v => Some(format!(
                "`{}` version {v} is lower than the locked version {}: versions only go up",
                a.id(),
                l.version
            )),
            Some(l) if l.version < v => Some(format!(
                "`{}` was raised to version {v} (locked: {}): run `cohort lock` to record it",
                a.id(),
                l.version
            )),
            Some(_) => None,
        };
        if let Some(message) = message {
            problems.push(AnalysisError::Version {
                path: a.path.clone(),
                message,
            });
        }
    }
    // A locked analysis whose file is there but did not read has its own error already.
    let queries = lock_path.parent().unwrap_or(Path::new("."));
    for (id, l) in lock {
        if !analyses.iter().any(|a| a.id() == id) && !queries.join(format!("{id}.sql")).is_file() {
            problems.push(AnalysisError::Lock {
                path: lock_path.to_path_buf(),
                line: l.line,
                message: format!("`{id}` is locked but has no file under queries/: restore it or run `cohort lock`"),
            });
        }
    }
    problems
}

/// Writes the lock for `analyses`, refusing where SQL changed under an unchanged version.
pub fn write(analyses: &[Analysis], lock_path: &Path) -> Result<usize, AnalysisError> {
    let old = read(lock_path)?;
    for a in analyses {
        if let Some(l) = old.get(a.id()) {
            if l.version == a.meta.version && l.sql_hash != a.sql_hash {
                return Err(AnalysisError::Version {
                    path: a.path.clone(),
                    message: format!(
                        "the SQL of `{}` changed but its version is still {}: raise `version` first",
                        a.id(),
                        l.version
                    ),
                });
            }
            if l.version > a.meta.version {
                return Err(AnalysisError::Version {
                    path: a.path.clone(),
                    message: format!(
                        "version {} is lower than the locked version {}",
                        a.meta.version, l.version
                    ),
                });
            }
        }
    }
    let mut sorted: Vec<&Analysis> = analyses.iter().collect();
    sorted.sort_by(|a, b| a.id().cmp(b.id()));
    let mut text = HEADER.to_string();
    let mut changed = 0;
    for a in sorted {
        if old.get(a.id()).is_none_or(|l| l.version != a.meta.version) {
            changed += 1;
        }
        text.push_str(&format!("{} {} {}\n", a.id(), a.meta.version, a.sql_hash));
    }
    // Whole or not at all: a lock cut short would unlock analyses.
    crate::output::write_atomic(lock_path, text.as_bytes()).map_err(|e| AnalysisError::Io {
        path: lock_path.to_path_buf(),
        source: e,
    })?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(duckdb: &str) -> Analysis {
        let text = format!(
            "-- ---\n-- id = \"a/b\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n-- [engine_sql]\n-- duckdb = \"{duckdb}\"\n-- ---\nSELECT 1 AS x\n"
        );
        Analysis::parse(Path::new("queries/a/b.sql"), "a/b", &text)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn changing_the_duckdb_sql_without_raising_the_version_is_refused() {
        let dir = std::env::temp_dir().join(format!("cohort-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let lock_path = dir.join("versions.lock");
        write(&[analysis("SELECT 1 AS x")], &lock_path).unwrap_or_else(|e| panic!("{e}"));
        let lock = read(&lock_path).unwrap_or_else(|e| panic!("{e}"));
        assert!(verify(&[analysis("SELECT 1 AS x")], &lock, &lock_path).is_empty());
        // Only the DuckDB variant changed: the same error as a change to the main SQL.
        let problems = verify(&[analysis("SELECT 2 AS x")], &lock, &lock_path);
        assert_eq!(problems.len(), 1);
        let message = problems[0].to_string();
        assert!(
            message.contains("the SQL of `a/b` changed but its version is still 1"),
            "{message}"
        );
        assert!(write(&[analysis("SELECT 2 AS x")], &lock_path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
