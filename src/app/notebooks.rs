//! `cohort notebook`: a Markdown file's SQL cells run in order and rendered as a report.

use super::*;

/// `cohort notebook FILE.md`: runs every analysis, then the notebook's SQL cells in order
/// (each cell's result is the table `cell_<n>` for the cells after it), and writes
/// `<out>/<file stem>.html`, and `<out>/<file stem>.pdf` when `pdf` is set. The versioned
/// analyses are not changed.
pub fn notebook(
    project: &Project,
    file: &Path,
    term: Option<Term>,
    pdf: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let (report, _) = notebook_report(project, file, term)?;
    // Typeset before writing anything, so a PDF error leaves no HTML behind either.
    let pdf_bytes = if pdf {
        Some(report.pdf(file, 1)?)
    } else {
        None
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "notebook".into());
    let mut staging = Staging::new(&project.out)?;
    stage_html_and_pdf(&mut staging, &safe_slug(&stem)?, &report.html(), pdf_bytes)?;
    Ok(staging.publish()?)
}

/// A notebook run and rendered, not written, with the term it reports on: each cell whose
/// SQL and inputs are unchanged since it last ran is taken from the result cache.
pub(super) fn notebook_report(
    project: &Project,
    file: &Path,
    term: Option<Term>,
) -> Result<(render::Report, Term), AppError> {
    let text = std::fs::read_to_string(file).map_err(|source| AppError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let nb = render::notebook::Notebook::parse(file, &text)?;
    let session = Session::open(project, term)?;
    let output = session.run(None, false)?;
    let engine = session.engine.as_ref();
    let term = session.period.term;
    let cells: Vec<(&str, usize)> = nb
        .blocks
        .iter()
        .filter_map(|block| match block {
            render::notebook::Cell::Sql { sql, line, .. } => Some((sql.as_str(), *line)),
            render::notebook::Cell::Text(_) => None,
        })
        .collect();
    let keys = match &session.results {
        Some(c) => {
            let tables = run::reuse::table_hashes(&session.catalog);
            let analysis_keys =
                run::reuse::keys(&session.analyses, &tables, engine.name(), term, c.salt())?;
            let sql = cells.iter().map(|(sql, _)| *sql);
            let analyses = &session.analyses;
            run::reuse::cell_keys(sql, analyses, &analysis_keys, &tables, engine.name(), term)
        }
        None => Vec::new(),
    };
    let cell_results = run::reuse::run_cells_cached(
        engine,
        cells.iter().map(|(sql, _)| *sql),
        &keys,
        session.results.as_ref(),
    )
    .map_err(|e| {
        let first_line = cells.get(e.cell - 1).map_or(1, |(_, line)| *line);
        let at = e.error.line.map_or(first_line, |l| first_line + l - 1);
        let excerpt = crate::excerpt::excerpt(&text, at, e.error.column.map(|c| (c, 1)));
        // A cell a limit stopped names itself: `cell 2 ran past the time limit of 3 s`.
        let message = if e.error.limit.is_some() {
            e.error.said_of(&format!("cell {}", e.cell))
        } else {
            format!("cell {}: {}", e.cell, e.error.message)
        };
        AppError::Render(RenderError::Template {
            path: file.to_path_buf(),
            line: at,
            message,
            excerpt,
        })
    })?;
    let report = nb.report(&output, &cell_results, &session.drafts, report_time())?;
    Ok((report, term))
}
