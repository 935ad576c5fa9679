//! `cohort check` for the SQL an analysis gives another engine (`[engine_sql]`): each
//! DuckDB variant passes the same gate and is planned on DuckDB against the contract's
//! (empty) tables and the planned results of the analyses before it.

use crate::analysis::{self, Analysis, AnalysisError};
use crate::arrow::datatypes::SchemaRef;
use crate::catalog::Catalog;
use crate::contract::{Contract, Term};
use crate::engine::{DuckDbEngine, Engine, Rows, TableName};
use crate::run;

/// Problems with the DuckDB variants of `analyses`, each `file:line: message`;
/// `planned` holds every analysis's result schema as DataFusion planned it.
pub(super) fn plan_duckdb_variants(
    analyses: &[Analysis],
    planned: &[(String, SchemaRef)],
    term: Term,
) -> Vec<String> {
    let variants: Vec<&Analysis> = analyses
        .iter()
        .filter(|a| a.meta.engine_sql.contains_key("duckdb"))
        .collect();
    if variants.is_empty() {
        return Vec::new();
    }
    let engine = match DuckDbEngine::new() {
        Ok(e) => e,
        Err(e) => return vec![format!("DuckDB: {e}")],
    };
    if let Err(e) = run::prepare(&engine, &Catalog::empty(&Contract::current()), term) {
        return vec![e.to_string()];
    }
    for (id, schema) in planned {
        let (s, n) = analysis::table_name(id);
        // A result DuckDB cannot hold shows up as its dependents' planning errors.
        let rows = Rows::Batches(schema.clone(), vec![]);
        let _ = engine.register(TableName::in_schema(&s, &n), rows);
    }
    let mut problems = Vec::new();
    for a in variants {
        if let Err(e) = engine.plan(a.sql_for("duckdb")) {
            let start = variant_line(&a.source, "duckdb").unwrap_or(1);
            let line = start + e.line.unwrap_or(1) - 1;
            problems.push(
                AnalysisError::Sql {
                    path: a.path.clone(),
                    line,
                    excerpt: crate::excerpt::excerpt(&a.source, line, e.column.map(|c| (c, 1))),
                    message: format!(
                        "SQL error in `{}` ([engine_sql] duckdb): {}",
                        a.id(),
                        e.message
                    ),
                }
                .to_string(),
            );
        }
    }
    problems
}

/// The file line on which an `[engine_sql]` variant's SQL starts: the line after
/// `-- duckdb = """`, or the line of `-- duckdb = "..."` itself.
fn variant_line(source: &str, engine: &str) -> Option<usize> {
    let mut in_table = false;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim().trim_start_matches("--").trim();
        if t.starts_with('[') {
            in_table = t == "[engine_sql]";
            continue;
        }
        if in_table
            && let Some(rest) = t.strip_prefix(engine)
            && rest.trim_start().starts_with('=')
        {
            let value = rest.trim_start()[1..].trim();
            return Some(if value == "\"\"\"" || value == "'''" {
                i + 2
            } else {
                i + 1
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variant_line_is_where_its_sql_starts() {
        let source = "-- ---\n-- id = \"a/b\"\n-- [engine_sql]\n-- duckdb = \"\"\"\n-- SELECT 1\n-- \"\"\"\n-- ---\nSELECT 1\n";
        // `duckdb = """` is line 4, so the SQL starts on line 5.
        assert_eq!(variant_line(source, "duckdb"), Some(5));
        let inline = "-- ---\n-- [engine_sql]\n-- duckdb = \"SELECT 1\"\n-- ---\n";
        assert_eq!(variant_line(inline, "duckdb"), Some(3));
        assert_eq!(variant_line("-- duckdb = \"x\"", "duckdb"), None);
    }
}
