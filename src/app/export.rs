//! `cohort export ees`: every figure of a run as Explore Education Statistics CSV, after
//! disclosure control for the audience it is published to.

use super::{AppError, Project};
use crate::arrow::array::{Array, AsArray};
use crate::catalog::{Catalog, LoadedTable};
use crate::contract::Term;
use crate::disclosure::Audience;
use crate::export::ees::{self, Figure, Geography};
use crate::staging::Staging;
use std::path::PathBuf;

/// The text columns of `table`'s rows where `column == value`, as maps.
fn rows_where(
    table: &LoadedTable,
    column: &str,
    value: &str,
) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut out = Vec::new();
    let Ok(batches) = table.rows() else {
        return out;
    };
    for batch in batches.iter() {
        let Some(key) = batch
            .column_by_name(column)
            .and_then(|c| c.as_string_opt::<i32>())
        else {
            continue;
        };
        for i in 0..batch.num_rows() {
            if key.is_null(i) || key.value(i) != value {
                continue;
            }
            let mut row = std::collections::BTreeMap::new();
            for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
                if let Some(s) = c.as_string_opt::<i32>()
                    && !s.is_null(i)
                {
                    row.insert(f.name().clone(), s.value(i).to_string());
                }
            }
            out.push(row);
        }
    }
    out
}

/// The authority's codes and names from DfE's own files (empty without `la_code`).
pub fn geography(catalog: &Catalog, la_code: Option<&str>) -> Geography {
    let (Some(la), Some(comparators)) = (la_code, catalog.table("comparators")) else {
        return Geography::default();
    };
    let Some(row) = rows_where(comparators, "old_la_code", la)
        .into_iter()
        .next()
    else {
        return Geography {
            old_la_code: la.into(),
            ..Geography::default()
        };
    };
    let region_code = row.get("region_code").cloned().unwrap_or_default();
    let region_name = rows_where(comparators, "area_code", &region_code)
        .into_iter()
        .find(|r| r.get("geographic_level").map(String::as_str) == Some("Regional"))
        .and_then(|r| r.get("area_name").cloned())
        .unwrap_or_default();
    Geography {
        old_la_code: la.into(),
        la_name: row.get("area_name").cloned().unwrap_or_default(),
        new_la_code: row.get("area_code").cloned().unwrap_or_default(),
        region_code,
        region_name,
    }
}

/// Runs every analysis and writes `<out>/ees/<audience>/<theme>_<period type>.csv` and `.meta.csv`.
pub fn ees(project: &Project, audience: Audience, term: Option<Term>) -> Result<String, AppError> {
    let session = super::Session::open(project, term)?;
    let output = session.run(None, false)?;
    let analyses = &session.analyses;
    // An export is a publication like a report: for an audience outside the team it rests
    // only on locked analyses, as `cohort report board-annual` does.
    if audience.publishes() && !output.drafts.is_empty() {
        return Err(AppError::DraftsInExport {
            audience: format!("{audience:?}").to_ascii_lowercase(),
            drafts: output.drafts.clone(),
            lock: project.lock_path(),
        });
    }
    let geo = geography(&session.catalog, project.la_code.as_deref());
    // The disclosure stage, as for a report to this audience: primary and secondary suppression
    // over every figure exported together.
    let disclosed = crate::disclosure::disclose(
        crate::disclosure::Policy::for_audience(audience),
        &output,
        analyses,
    )?;
    // The attacker's test over everything the export could give back; nothing is written
    // when any suppressed figure can be worked out.
    let leaks = disclosed.attack(&output, analyses);
    if !leaks.is_empty() {
        let list: Vec<String> = leaks
            .iter()
            .take(10)
            .map(|l| format!("  {}: {} ({})", l.place, l.value, l.how))
            .collect();
        return Err(AppError::Leaks {
            count: leaks.len(),
            leaks: list,
        });
    }
    let figures: Vec<Figure> = disclosed
        .metrics
        .iter()
        .map(|m| Figure {
            row: &m.row,
            suppressed: m.value_suppressed,
        })
        .collect();
    let files = ees::files(&figures, &geo);
    let problems: Vec<String> = files.iter().flat_map(ees::screen).collect();
    if !problems.is_empty() {
        return Err(AppError::Screening(problems));
    }
    // Every file lands together or none does.
    let dir: PathBuf = PathBuf::from("ees").join(format!("{audience:?}").to_ascii_lowercase());
    let mut staging = Staging::new(&project.out)?;
    for f in &files {
        staging.write(&dir.join(format!("{}.csv", f.name)), f.data.as_bytes())?;
        staging.write(&dir.join(format!("{}.meta.csv", f.name)), f.meta.as_bytes())?;
    }
    staging.publish()?;
    let dir = project.out.join(dir);
    Ok(format!(
        "wrote {} EES files ({} figures, for {}) to {}",
        files.len() * 2,
        figures.len(),
        output.term,
        dir.display()
    ))
}
