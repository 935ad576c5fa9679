//! The tables a SQL text reads, from its parse tree (CTE names excluded): for lineage.

use datafusion::sql::sqlparser::ast::{Query, SetExpr, Statement, visit_relations};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Lower-case names of every relation `sql` names (`episodes`, `attendance.sessions_by_term`)
/// that is not one of its own CTEs; `None` when the SQL does not parse.
pub fn tables_read(sql: &str) -> Option<BTreeSet<String>> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql).ok()?;
    let mut ctes = BTreeSet::new();
    for s in &statements {
        if let Statement::Query(q) = s {
            collect_ctes(q, &mut ctes);
        }
    }
    let mut names = BTreeSet::new();
    let _ = visit_relations(&statements, |relation| {
        let name = relation
            .0
            .iter()
            .map(|p| p.to_string().trim_matches('"').to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(".");
        if !ctes.contains(&name) {
            names.insert(name);
        }
        ControlFlow::<()>::Continue(())
    });
    Some(names)
}

fn collect_ctes(q: &Query, out: &mut BTreeSet<String>) {
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            out.insert(cte.alias.name.value.to_ascii_lowercase());
            collect_ctes(&cte.query, out);
        }
    }
    if let SetExpr::Query(inner) = q.body.as_ref() {
        collect_ctes(inner, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tables_and_results_but_not_ctes() {
        let t = tables_read(
            "WITH x AS (SELECT * FROM episodes e JOIN header h ON h.child = e.child)\n\
             SELECT * FROM x JOIN attendance.sessions_by_term s ON true CROSS JOIN params \
             WHERE s.child IN (SELECT child FROM \"OC2\")",
        )
        .unwrap();
        let names: Vec<&str> = t.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "attendance.sessions_by_term",
                "episodes",
                "header",
                "oc2",
                "params"
            ]
        );
        assert!(tables_read("SELEC nonsense").is_none());
    }
}
