//! Analyses: versioned SQL files with front matter, their lock file and dependency graph.
//!
//! One `.sql` file per analysis under `queries/<area>/`; its id is its path
//! without the extension (`attendance/absence_by_term`). Dependents read an
//! analysis's result as the table `<area>.<name>`.

pub mod columns;
pub mod error;
pub mod file;
pub mod graph;
pub mod lock;
pub mod reads;
pub mod spec;
pub mod unit;

pub use error::AnalysisError;
pub use file::{Analysis, Better, FrontMatter, Level, MetricSpec, Restates};
pub use spec::{ChartKind, ChartSpec, ForestSpec};
pub use unit::{Unit, UnknownUnit};

use std::path::{Path, PathBuf};

/// Reads every `queries/**/*.sql`, sorted by id; any problem fails the whole folder.
pub fn load_all(queries: &Path) -> Result<Vec<Analysis>, Vec<AnalysisError>> {
    let (analyses, errors) = load_each(queries);
    if errors.is_empty() {
        Ok(analyses)
    } else {
        Err(errors)
    }
}

/// Every analysis that reads cleanly, and one error for each file that does not (plus a
/// dependency cycle), so a typo in one front matter is one problem, not one per analysis.
pub fn load_each(queries: &Path) -> (Vec<Analysis>, Vec<AnalysisError>) {
    let mut files = Vec::new();
    if let Err(e) = collect(queries, &mut files) {
        return (Vec::new(), vec![e]);
    }
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
    if !errors.is_empty() {
        // Analyses resting on a file that did not read cannot be checked either; they are
        // left out rather than reported once more each.
        loop {
            let ids: std::collections::BTreeSet<String> =
                analyses.iter().map(|a| a.id().to_string()).collect();
            let before = analyses.len();
            analyses.retain(|a| a.meta.depends_on.iter().all(|d| ids.contains(d)));
            if analyses.len() == before {
                break;
            }
        }
    }
    if let Err(e) = graph::waves(&analyses) {
        errors.push(e);
    }
    (analyses, errors)
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
