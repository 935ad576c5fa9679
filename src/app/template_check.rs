//! `cohort check` on the report templates: every analysis and metric a template names must
//! exist (an error at the template's file and line), and for the chosen term each section
//! whose data is missing is named with why ("No SDQ file in the data folder", "no KS2
//! results for 2024-25 yet"), so an empty section is no surprise in the report.

use crate::analysis::Analysis;
use crate::arrow::array::{Array, Date32Array, Int64Array, StringArray};
use crate::arrow::datatypes::Date32Type;
use crate::catalog::{Catalog, LoadedTable};
use crate::contract::{Contract, Origin, Term};
use crate::lineage::{self, Kind, Node};
use crate::render::ReportTemplate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What checking the templates found.
#[derive(Debug, Default)]
pub struct TemplateFindings {
    /// Templates that cannot render: unreadable, or naming what does not exist.
    pub errors: Vec<String>,
    /// Sections that will be empty, or partly, for the term, and why.
    pub warnings: Vec<String>,
    pub checked: usize,
}

/// The words a message uses for a table's data.
fn words(table: &str) -> &str {
    match table {
        "sdq" => "SDQ",
        "ks2_results" => "KS2 results",
        "ks4_results" => "KS4 results",
        "progress" => "termly progress",
        "post16" => "post-16 activity",
        "sen" => "SEN records",
        "oc2" => "OC2 (outcomes for children looked after 12 months)",
        "oc3" => "OC3 (care leavers' activity)",
        "wider_cohort" => "wider cohort",
        other => other,
    }
}

/// The first line of `text` (1-based) holding `id` in quotes, else `fallback`.
fn line_of(text: &str, id: &str, fallback: usize) -> usize {
    let quoted = [format!("\"{id}\""), format!("'{id}'")];
    text.lines()
        .position(|l| quoted.iter().any(|q| l.contains(q.as_str())))
        .map(|i| i + 1)
        .unwrap_or(fallback)
}

/// Checks every template in `dir` against `analyses`, and, with a loaded catalog, warns of
/// the sections the data leaves empty for `term`.
pub fn check_templates(
    dir: &Path,
    data: &Path,
    analyses: &[Analysis],
    catalog: Option<&Catalog>,
    term: Option<Term>,
) -> TemplateFindings {
    let mut found = TemplateFindings::default();
    let known_analyses: BTreeSet<&str> = analyses.iter().map(|a| a.id()).collect();
    let known_metrics: BTreeSet<&str> = analyses
        .iter()
        .flat_map(|a| a.meta.metrics.iter().map(|m| m.id.as_str()))
        .collect();
    let mut templates = Vec::new();
    for name in crate::render::template::list(dir) {
        found.checked += 1;
        let t = match ReportTemplate::load(dir, &name) {
            Ok(t) => t,
            Err(e) => {
                found.errors.push(e.to_string());
                continue;
            }
        };
        let text = std::fs::read_to_string(&t.path).unwrap_or_default();
        // `file:line`, and the line with a caret under the name, for a name in the template.
        let at = |id: &str| {
            let line = line_of(&text, id, t.body_line);
            let span = crate::excerpt::find_in_line(&text, line, id);
            (
                format!("{}:{line}", t.path.display()),
                crate::excerpt::excerpt(&text, line, span),
            )
        };
        for a in t.named_analyses() {
            if !known_analyses.contains(a.as_str()) {
                let (place, shown) = at(&a);
                found.errors.push(format!(
                    "{place}: names analysis `{a}`, which no file in the queries folder defines{shown}"
                ));
            }
        }
        for m in t.named_metrics() {
            if !known_metrics.contains(m.as_str()) {
                let (place, shown) = at(&m);
                found.errors.push(format!(
                    "{place}: names metric `{m}`, which no analysis declares{shown}"
                ));
            }
        }
        templates.push(t);
    }
    // The attention rules the templates' `attention()` reads: values, metrics, sections.
    found
        .errors
        .extend(crate::render::attention::check(dir, analyses));
    if let (Some(catalog), Some(term)) = (catalog, term) {
        let graph = lineage::build(&Contract::current(), data, analyses, &templates);
        // Each reason, with the sections it leaves without figures.
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in &templates {
            let file = t
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            for s in t.sections() {
                let section = Node {
                    kind: Kind::Section,
                    name: format!("{} § {}", t.name, s.heading),
                };
                for why in missing_data(&graph, &section, catalog, term) {
                    by_reason
                        .entry(why)
                        .or_default()
                        .push(format!("{file} \"{}\"", s.heading));
                }
            }
        }
        for (why, sections) in by_reason {
            found.warnings.push(format!(
                "{why}: for {term} these sections will say so rather than show its figures: {}",
                sections.join(", ")
            ));
        }
    }
    found
}

/// Every contract table a node reads, through analyses and metrics.
fn tables_under(graph: &lineage::Graph, from: &Node) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.clone()];
    let mut tables = BTreeSet::new();
    while let Some(n) = stack.pop() {
        for m in graph.incoming(&n) {
            if m.kind == Kind::Table {
                tables.insert(m.name.clone());
            } else if seen.insert(m.clone()) {
                stack.push(m.clone());
            }
        }
    }
    tables
}

/// Why a section will lack figures for `term`: each optional table it reads that has no
/// file, or no rows for the term's period.
fn missing_data(
    graph: &lineage::Graph,
    section: &Node,
    catalog: &Catalog,
    term: Term,
) -> Vec<String> {
    let contract = Contract::current();
    let supplied: BTreeSet<&str> = catalog.files.iter().map(|f| f.table.as_str()).collect();
    let mut why = Vec::new();
    for t in tables_under(graph, section) {
        let optional = contract
            .table(&t)
            .is_some_and(|t| !t.required && t.origin != Origin::Reference);
        if !optional {
            continue;
        }
        if !supplied.contains(t.as_str()) {
            why.push(format!("No {} file in the data folder", words(&t)));
        } else if let Some((period, false)) = catalog.table(&t).and_then(|lt| rows_for(lt, term)) {
            why.push(format!("no {} for {period} yet", words(&t)));
        }
    }
    why
}

/// The period of `term` a table is read for (its label), and whether any row falls in it:
/// the term for tables with a `term` column, the academic year for those with an
/// `academic_year`, the 903 `YEAR` ending in it, or an SDQ dated in it. `None` for a
/// table without a period.
fn rows_for(t: &LoadedTable, term: Term) -> Option<(String, bool)> {
    let year = term.year;
    // A table scanned from the cache is read back for the check (an optional table is rarely large).
    let batches = t.rows().ok()?;
    let column = |name: &str| t.schema.index_of(name).ok();
    let any_text = |i: usize, wanted: &str| {
        batches.iter().any(|b| {
            b.column(i)
                .as_any()
                .downcast_ref::<StringArray>()
                .is_some_and(|a| a.iter().flatten().any(|v| v == wanted))
        })
    };
    if let Some(i) = column("term") {
        let label = term.to_string();
        return Some((label.clone(), any_text(i, &label)));
    }
    if let Some(i) = column("academic_year") {
        let label = year.to_string();
        return Some((label.clone(), any_text(i, &label)));
    }
    if let Some(i) = column("year") {
        // A 903 collection year is the year of its 31 March: 2025 for 2024-25.
        let end = i64::from(year.start + 1);
        let any = batches.iter().any(|b| {
            b.column(i)
                .as_any()
                .downcast_ref::<Int64Array>()
                .is_some_and(|a| a.iter().flatten().any(|v| v == end))
        });
        return Some((year.to_string(), any));
    }
    if t.name == "sdq"
        && let Some(i) = column("assessment_date")
    {
        let (lo, hi) = (
            Date32Type::from_naive_date(year.first_day()),
            Date32Type::from_naive_date(term.last_day()),
        );
        let any = batches.iter().any(|b| {
            b.column(i)
                .as_any()
                .downcast_ref::<Date32Array>()
                .is_some_and(|a| {
                    (0..a.len()).any(|k| a.is_valid(k) && (lo..=hi).contains(&a.value(k)))
                })
        });
        return Some((year.to_string(), any));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_by_the_quoted_id() {
        let text = "+++\ntitle = \"T\"\n+++\nintro\n{{ metric(\"a.b\") }}\n{{ chart('x/y') }}\n";
        assert_eq!(line_of(text, "a.b", 4), 5);
        assert_eq!(line_of(text, "x/y", 4), 6);
        // `a.bc` is not `a.b`: only the whole quoted id counts.
        assert_eq!(line_of("{{ metric(\"a.bc\") }}", "a.b", 4), 4);
    }
}
