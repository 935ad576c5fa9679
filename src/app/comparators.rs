//! `cohort comparators` (derive DfE's published figures into the set cohort ships) and
//! `cohort reconcile` (our past figures beside the authority's own published ones).

use super::{AppError, Drafts, Project, Session, format_text_table};
use crate::comparators;
use std::path::Path;

/// `cohort comparators --from DIR --out DIR`: reads DfE's files and writes
/// `comparators.csv` and `statistical_neighbours.csv`.
pub fn derive(from: &Path, out: &Path) -> Result<String, AppError> {
    let derived = comparators::derive_from(from)?;
    comparators::write(&derived, out)?;
    Ok(format!(
        "derived {} figures from {} files in {} and the statistical neighbours; wrote {}/comparators.csv and {}/statistical_neighbours.csv",
        derived.rows,
        comparators::derive::SOURCES.len(),
        from.display(),
        out.display(),
        out.display()
    ))
}

/// `cohort reconcile`: runs `reference/reconciliation` and prints it, or says why it is empty.
pub fn reconcile(project: &Project, year: Option<&str>) -> Result<String, AppError> {
    let Some(la) = project.la_code.as_deref() else {
        return Err(AppError::NoAuthority);
    };
    let only = vec!["reference/reconciliation".to_string()];
    let session = Session::open_for(project, None, Drafts::Refused, None)?;
    let output = session.run(Some(&only), false)?;
    let Some(result) = output.result("reference/reconciliation") else {
        return Err(AppError::NotRun("reference/reconciliation".into()));
    };
    let mut table = result.result.clone();
    if let Some(y) = year {
        let col = table.columns.iter().position(|c| c == "academic_year");
        if let Some(i) = col {
            table.rows.retain(|r| r[i].to_string() == y);
        }
    }
    if table.rows.is_empty() {
        return Ok(format!(
            "no year both in the data and in DfE's published figures for authority {la}{}",
            year.map(|y| format!(" for {y}")).unwrap_or_default()
        ));
    }
    Ok(format_text_table(&table))
}
