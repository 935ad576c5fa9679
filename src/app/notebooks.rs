//! `cohort notebook`: a Markdown file's SQL cells run in order and rendered as a report.

use super::*;

/// `cohort notebook FILE.md`: runs every analysis, then the notebook's SQL cells in order
/// (each cell's result is the table `cell_<n>` for the cells after it), and writes
/// `<out>/<file stem>.html`, and `<out>/<file stem>.pdf` when `pdf` is set. The versioned
/// analyses are not changed.
pub fn notebook(
    project: &Project,
    file: &Path,
    term: Option<&str>,
    pdf: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::Data(format!("{}: cannot read: {e}", file.display())))?;
    let nb = render::notebook::Notebook::parse(file, &text)?;
    let (analyses, drafts) = load_analyses_or_drafts(project)?;
    let catalog = open_catalog(project)?;
    let term = choose_term(&catalog, term)?;
    let engine = project.engine.start()?;
    let output = run::run(&catalog, &analyses, engine.as_ref(), term, None)?;
    let mut results = Vec::new();
    for block in &nb.blocks {
        let render::notebook::Cell::Sql { sql, line, .. } = block else {
            continue;
        };
        let batches = engine.query(sql).map_err(|e| {
            let at = e.line.map_or(*line, |l| line + l - 1);
            let excerpt = std::fs::read_to_string(file)
                .map(|text| crate::excerpt::excerpt(&text, at, e.column.map(|c| (c, 1))))
                .unwrap_or_default();
            AppError::Render(RenderError::Template {
                path: file.to_path_buf(),
                line: at,
                message: format!("cell {}: {}", results.len() + 1, e.message),
                excerpt,
            })
        })?;
        let table = convert::to_table(&batches);
        let schema = batches
            .first()
            .map(|b| b.schema())
            .unwrap_or_else(|| std::sync::Arc::new(datafusion::arrow::datatypes::Schema::empty()));
        engine.register(
            None,
            &format!("cell_{}", results.len() + 1),
            schema,
            batches,
        )?;
        results.push(table);
    }
    let body = nb.document(&results)?;
    let mut subtitle = format!("Notebook · term {term} · data {}", project.data.display());
    if let Some(banner) = render::draft_banner(&drafts) {
        subtitle = format!("{banner} · {subtitle}");
    }
    let report = render::Report {
        title: nb.title.clone(),
        subtitle,
        audience_label: "Analyst notebook (not a published report)".into(),
        marking: None,
        body,
        provenance: vec![render::document::Block::Paragraph(vec![
            render::document::Inline::Text(format!(
                "Produced by cohort {} with the {} engine on {} from ",
                env!("CARGO_PKG_VERSION"),
                engine.name(),
                report_time().format("%-d %B %Y at %H:%M UTC"),
            )),
            render::document::Inline::Code(project.data.display().to_string()),
            render::document::Inline::Text(format!(
                " ({} rows read); {} analyses run first so cells can use them.",
                output.rows_read,
                output.analyses.len()
            )),
        ])],
        contents: false,
    };
    // Typeset before writing anything, so a PDF error leaves no HTML behind either.
    let pdf_bytes = if pdf {
        Some(render::typeset_report(&report, file, 1)?)
    } else {
        None
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "notebook".into());
    let mut staging = Staging::new(&project.out)?;
    stage_html_and_pdf(
        &mut staging,
        &safe_slug(&stem)?,
        &render::html::report_page(&report),
        pdf_bytes,
    )?;
    Ok(staging.publish()?)
}
