//! The DataFusion engine: an in-memory `SessionContext` over the catalog's Arrow tables.

use super::{Engine, EngineError};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{MemTable, MemorySchemaProvider};
use datafusion::common::TableReference;
use datafusion::error::DataFusionError;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::sync::Arc;

/// DataFusion with its own small tokio runtime, callable from rayon threads.
pub struct DataFusionEngine {
    ctx: SessionContext,
    runtime: tokio::runtime::Runtime,
}

impl DataFusionEngine {
    pub fn new() -> Result<Self, EngineError> {
        let config = SessionConfig::new()
            .with_target_partitions(2)
            .with_information_schema(true)
            .with_default_catalog_and_schema("cohort", "public");
        let ctx = SessionContext::new_with_config(config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cohort-datafusion")
            .build()
            .map_err(|e| EngineError::new(format!("cannot start the query runtime: {e}")))?;
        Ok(DataFusionEngine { ctx, runtime })
    }
}

fn to_error(e: DataFusionError) -> EngineError {
    let message = e.strip_backtrace().to_string();
    let (line, column) = sql_position(&message);
    EngineError {
        message,
        line,
        column,
    }
}

/// Finds `Line: N, Column: M` in a parser message.
fn sql_position(message: &str) -> (Option<usize>, Option<usize>) {
    let number_after = |key: &str| {
        let i = message.find(key)? + key.len();
        let digits: String = message[i..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    };
    (number_after("Line:"), number_after("Column:"))
}

impl Engine for DataFusionEngine {
    fn name(&self) -> &'static str {
        "datafusion"
    }

    fn register(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), EngineError> {
        let table = MemTable::try_new(arrow_schema, vec![batches]).map_err(to_error)?;
        let reference = match schema {
            Some(s) => {
                let catalog = self
                    .ctx
                    .catalog("cohort")
                    .ok_or_else(|| EngineError::new("the cohort catalog is missing"))?;
                if catalog.schema(s).is_none() {
                    catalog
                        .register_schema(s, Arc::new(MemorySchemaProvider::new()))
                        .map_err(to_error)?;
                }
                TableReference::partial(s, name)
            }
            None => TableReference::bare(name),
        };
        let _ = self
            .ctx
            .deregister_table(reference.clone())
            .map_err(to_error)?;
        self.ctx
            .register_table(reference, Arc::new(table))
            .map_err(to_error)?;
        Ok(())
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.runtime.block_on(async {
            let df = self.ctx.sql(sql).await.map_err(to_error)?;
            let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
            let batches = df.collect().await.map_err(to_error)?;
            // No rows still has columns: keep the schema so dependents can select from it.
            if batches.is_empty() {
                Ok(vec![RecordBatch::new_empty(schema)])
            } else {
                Ok(batches)
            }
        })
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        self.runtime.block_on(async {
            let plan = self
                .ctx
                .state()
                .create_logical_plan(sql)
                .await
                .map_err(to_error)?;
            Ok(Arc::new(plan.schema().as_arrow().clone()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_positions_are_read_from_messages() {
        assert_eq!(
            sql_position(
                "sql parser error: Expected: end of statement, found: x at Line: 3, Column: 7"
            ),
            (Some(3), Some(7))
        );
        assert_eq!(sql_position("Schema error: No field named y"), (None, None));
    }
}
