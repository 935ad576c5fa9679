//! A logical rewrite for Ballista 55: a one-row placeholder (`SELECT 1` with no FROM) is
//! planned as a one-row table of values instead.

use datafusion::common::tree_node::Transformed;
use datafusion::error::Result;
use datafusion::logical_expr::{EmptyRelation, LogicalPlan, LogicalPlanBuilder, Projection};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use datafusion::prelude::lit;
use std::sync::Arc;

/// Replaces DataFusion's one-row placeholder (`EmptyRelation { produce_one_row }`, which
/// becomes a `PlaceholderRowExec`) by a one-row `VALUES` projected to no columns: the same
/// one row with the same empty schema. Ballista 55's executors report no metrics for a
/// `PlaceholderRowExec`, so a stage holding one (`... UNION ALL SELECT 1`, as
/// `roll/by_cohort` writes it) came back with one metric fewer than its plan has; the
/// scheduler refused the task's status ("task metrics array size 9 does not equal with
/// the stage metrics array size 10") and the job waited for ever.
#[derive(Debug, Default)]
pub(super) struct OneRowAsValues;

impl OptimizerRule for OneRowAsValues {
    fn name(&self) -> &str {
        "cohort_one_row_as_values"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        match plan {
            LogicalPlan::EmptyRelation(EmptyRelation {
                produce_one_row: true,
                schema,
            }) if schema.fields().is_empty() => {
                let values = LogicalPlanBuilder::values(vec![vec![lit(true)]])?.build()?;
                let no_columns = Projection::try_new(Vec::new(), Arc::new(values))?;
                Ok(Transformed::yes(LogicalPlan::Projection(no_columns)))
            }
            other => Ok(Transformed::no(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::execution::SessionStateBuilder;
    use datafusion::physical_plan::displayable;
    use datafusion::prelude::SessionContext;

    /// With the rule, `SELECT 1 UNION ALL SELECT 5` plans no placeholder and still gives
    /// its two rows; without it, DataFusion plans two `PlaceholderRowExec`s (so the test
    /// can fail).
    #[test]
    fn a_constant_select_is_a_values_row_not_a_placeholder() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let sql = "SELECT 1 AS k UNION ALL SELECT 5 ORDER BY k";
        for with_rule in [false, true] {
            let mut builder = SessionStateBuilder::new().with_default_features();
            if with_rule {
                builder = builder.with_optimizer_rule(Arc::new(OneRowAsValues));
            }
            let ctx = SessionContext::new_with_state(builder.build());
            let (plan, rows) = runtime.block_on(async {
                let frame = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{e}"));
                let plan = frame
                    .clone()
                    .create_physical_plan()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let rows = frame.collect().await.unwrap_or_else(|e| panic!("{e}"));
                (displayable(plan.as_ref()).indent(false).to_string(), rows)
            });
            assert_eq!(plan.contains("PlaceholderRowExec"), !with_rule, "{plan}");
            let text = datafusion::arrow::util::pretty::pretty_format_batches(&rows)
                .unwrap_or_else(|e| panic!("{e}"))
                .to_string();
            assert!(text.contains("| 1 |") && text.contains("| 5 |"), "{text}");
        }
    }
}
