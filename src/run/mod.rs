//! Running analyses: the dependency graph in parallel, results, metrics and the run manifest.

pub mod value;

pub use value::{ResultTable, Value};
