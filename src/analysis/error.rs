//! Problems with analysis files, each pointing at a file and, where it can, a line.

use std::path::PathBuf;

/// Something wrong with an analysis file, the lock file or the dependency graph.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: front matter: expected {message}{excerpt}", path.display())]
    FrontMatter {
        path: PathBuf,
        line: usize,
        message: String,
        /// The line itself with a caret under the problem (`crate::excerpt`), or empty.
        excerpt: String,
    },
    #[error("{}: front matter id is `{id}` but the file's place under queries/ makes it `{expected}`", path.display())]
    IdMismatch {
        path: PathBuf,
        id: String,
        expected: String,
    },
    #[error("{}: `{id}` depends on `{dependency}`, which is no analysis under queries/", path.display())]
    UnknownDependency {
        path: PathBuf,
        id: String,
        dependency: String,
    },
    #[error("analyses depend on each other in a circle: {}", ids.join(" -> "))]
    Cycle { ids: Vec<String> },
    #[error("{}:{line}: {message}", path.display())]
    Lock {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Version { path: PathBuf, message: String },
    #[error("{}:{line}: {message}{excerpt}", path.display())]
    Sql {
        path: PathBuf,
        line: usize,
        message: String,
        /// The SQL line with a caret under the position the engine gave, or empty.
        excerpt: String,
    },
}
