//! Analyses: versioned SQL files with front matter, their lock file and dependency graph.

pub mod spec;

pub use spec::{ChartKind, ChartSpec};
