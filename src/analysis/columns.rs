//! The front matter checked against the result an analysis's SQL plans to: every column a
//! metric or chart names must be one the SQL returns, so a renamed column fails `cohort check`
//! rather than a report.

use super::Analysis;
use crate::arrow::datatypes::Schema;

/// One problem for each column a metric or chart of `a` names that `schema` does not hold.
pub fn missing_columns(a: &Analysis, schema: &Schema) -> Vec<String> {
    let mut problems = Vec::new();
    for m in &a.meta.metrics {
        for col in [
            Some(&m.value),
            Some(&m.time_period),
            m.numerator.as_ref(),
            m.denominator.as_ref(),
            m.group.as_ref(),
            m.breakdown_column.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if schema.index_of(col).is_err() {
                problems.push(format!(
                    "{}: metric `{}` reads column `{col}`, which the SQL does not return",
                    a.path.display(),
                    m.id
                ));
            }
        }
    }
    for c in &a.meta.charts {
        for col in std::iter::once(&c.x)
            .chain(&c.y)
            .chain(&c.comparators)
            .chain(c.series.as_ref())
            .chain(c.panels.as_ref())
        {
            if schema.index_of(col).is_err() {
                problems.push(format!(
                    "{}: chart `{}` reads column `{col}`, which the SQL does not return",
                    a.path.display(),
                    c.title
                ));
            }
        }
    }
    problems
}
