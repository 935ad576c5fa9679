//! `cohort run`: every analysis (or `--only` ones) over the data folder, the outputs written and recorded.

use super::*;

/// `cohort run`: runs every analysis (or `only` and what they need).
pub fn run(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
) -> Result<(RunOutput, Vec<Analysis>), AppError> {
    run_profiled(project, term, only, false)
}

/// [`run`], keeping each analysis's executed plan when `profile`.
pub fn run_profiled(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
    profile: bool,
) -> Result<(RunOutput, Vec<Analysis>), AppError> {
    let (analyses, drafts) = load_analyses_or_drafts(project)?;
    if let Some(o) = only {
        let known: Vec<String> = analyses.iter().map(|a| a.id().to_string()).collect();
        if let Some(unknown) = o.iter().find(|id| !known.contains(id)) {
            let near = query::nearest(unknown, &known);
            let hint = if near.is_empty() {
                "`cohort graph` lists them".to_string()
            } else {
                format!("did you mean {}?", near.join(", "))
            };
            return Err(AppError::Data(format!(
                "--only {unknown}: no analysis has that id under {} ({hint})",
                project.queries.display()
            )));
        }
    }
    let wanted = only.and_then(|o| tables_for(&analyses, o));
    let catalog = open_catalog_for(project, wanted.as_ref(), term)?;
    let term = choose_term(&catalog, term)?;
    let engine = project.engine.start()?;
    let results = results_cache(project);
    let mut output = run::run_cached(
        &catalog,
        &analyses,
        engine.as_ref(),
        term,
        only,
        profile,
        results.as_ref(),
    )?;
    output.drafts = drafts;
    Ok((output, analyses))
}

/// `cohort run` with its files written under `project.out`, and recorded in the history.
pub fn run_and_write(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
) -> Result<(RunOutput, Option<i64>), AppError> {
    run_and_write_profiled(project, term, only, false)
}

/// [`run_and_write`], with `profile/<id>.txt` written beside the results when `profile`.
pub fn run_and_write_profiled(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
    profile: bool,
) -> Result<(RunOutput, Option<i64>), AppError> {
    let (output, analyses) = run_profiled(project, term, only, profile)?;
    let mut staging = Staging::new(&project.out)?;
    run::write_outputs(&output, staging.dir())?;
    staging.adopt()?;
    let (recorded, _) = history::record(
        project,
        RunKind {
            command: "run",
            template: None,
        },
        &output,
        &analyses,
        staging,
        false,
    )?;
    Ok((output, recorded))
}
