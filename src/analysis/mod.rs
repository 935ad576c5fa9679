//! Analyses: versioned SQL files with front matter, their lock file and dependency graph.
//!
//! One `.sql` file per analysis under `queries/<area>/`; its id is its path
//! without the extension (`attendance/absence_by_term`). Dependents read an
//! analysis's result as the table `<area>.<name>`.

pub mod error;
pub mod file;
pub mod graph;
pub mod lock;
pub mod spec;

pub use error::AnalysisError;
pub use file::{Analysis, FrontMatter, Level, MetricSpec};
pub use spec::{ChartKind, ChartSpec};

use std::path::{Path, PathBuf};

/// Reads every `queries/**/*.sql`, sorted by id; stops at the first unreadable file.
pub fn load_all(queries: &Path) -> Result<Vec<Analysis>, Vec<AnalysisError>> {
    let mut files = Vec::new();
    collect(queries, &mut files).map_err(|e| vec![e])?;
    files.sort();
    let mut analyses = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(queries)
            .unwrap_or(&path)
            .with_extension("");
        let id = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        match Analysis::read(&path, &id) {
            Ok(a) => analyses.push(a),
            Err(e) => errors.push(e),
        }
    }
    if let Err(e) = graph::waves(&analyses) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(analyses)
    } else {
        Err(errors)
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AnalysisError> {
    let entries = std::fs::read_dir(dir).map_err(|e| AnalysisError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| AnalysisError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?
            .path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// The SQL name a dependent uses for an analysis's result: `area.name`.
pub fn table_name(id: &str) -> (String, String) {
    match id.split_once('/') {
        Some((area, name)) => (area.to_string(), name.replace('/', "_")),
        None => ("analyses".to_string(), id.to_string()),
    }
}
