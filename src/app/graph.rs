//! `cohort graph`: the lineage from data files to report sections.

use super::{AppError, Project, load_analyses_or_drafts};
use crate::contract::Contract;
use crate::lineage;
use crate::render::ReportTemplate;
use crate::staging::Staging;

/// The output `cohort graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Text,
    Dot,
    Html,
}

/// Builds the project's lineage graph.
pub fn build(project: &Project) -> Result<lineage::Graph, AppError> {
    let (analyses, _drafts) = load_analyses_or_drafts(project)?;
    let templates = crate::render::template::list(&project.templates)
        .iter()
        .map(|name| ReportTemplate::load(&project.templates, name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lineage::build(
        &Contract::current(),
        &project.data,
        &analyses,
        &templates,
    ))
}

/// `cohort graph --format text|dot` prints; `--format html` writes `<out>/lineage.html`.
pub fn graph(project: &Project, format: GraphFormat) -> Result<String, AppError> {
    let g = build(project)?;
    Ok(match format {
        GraphFormat::Text => lineage::text(&g),
        GraphFormat::Dot => lineage::dot(&g),
        GraphFormat::Html => {
            let mut staging = Staging::new(&project.out)?;
            let path = staging.write(
                std::path::Path::new("lineage.html"),
                lineage::html(&g).as_bytes(),
            )?;
            staging.publish()?;
            format!("wrote {}", path.display())
        }
    })
}
