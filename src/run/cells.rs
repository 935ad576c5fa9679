//! A notebook's SQL cells run in order on an engine that already holds the catalog and the
//! analyses' results; each cell's result becomes the table `cell_<n>` for the cells after it.

use super::{ResultTable, convert};
use crate::engine::{Engine, EngineError, Rows, TableName};

/// A cell that failed: which one (1-based) and the engine's error, whose line and column
/// are within that cell's SQL.
#[derive(Debug)]
pub struct CellError {
    pub cell: usize,
    pub error: EngineError,
}

/// Runs each cell's SQL in order, each within the time an analysis may take, and returns
/// their results; stops at the first that fails.
pub fn run_cells<'a>(
    engine: &dyn Engine,
    cells: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<ResultTable>, CellError> {
    let mut results = Vec::new();
    for sql in cells {
        let cell = results.len() + 1;
        let fail = |error| CellError { cell, error };
        let batches = engine.query(sql).map_err(fail)?;
        let table = convert::to_table(&batches);
        engine
            .register(TableName::bare(&format!("cell_{cell}")), Rows::of(batches))
            .map_err(fail)?;
        results.push(table);
    }
    Ok(results)
}
