//! `cohort run`: every analysis (or `--only` ones) over the data folder, the outputs written and recorded.

use super::*;

/// `cohort run`: runs every analysis (or `only` and what they need).
pub fn run(
    project: &Project,
    term: Option<Term>,
    only: Option<&[String]>,
) -> Result<(RunOutput, Vec<Analysis>), AppError> {
    run_profiled(project, term, only, false)
}

/// [`run`], keeping each analysis's executed plan when `profile`.
pub fn run_profiled(
    project: &Project,
    term: Option<Term>,
    only: Option<&[String]>,
    profile: bool,
) -> Result<(RunOutput, Vec<Analysis>), AppError> {
    if let Some(o) = only {
        let analyses = load_analyses_or_drafts(project)?.0;
        let known: Vec<String> = analyses.iter().map(|a| a.id().to_string()).collect();
        if let Some(unknown) = o.iter().find(|id| !known.contains(id)) {
            let near = sql_messages::nearest(unknown, &known);
            let hint = if near.is_empty() {
                "`cohort graph` lists them".to_string()
            } else {
                format!("did you mean {}?", near.join(", "))
            };
            return Err(AppError::UnknownAnalysis {
                id: unknown.clone(),
                dir: project.queries.clone(),
                hint,
            });
        }
    }
    let session = Session::open_for(project, term, Drafts::Allowed, only)?;
    let output = session.run(only, profile)?;
    Ok((output, session.analyses))
}

/// `cohort run` with its files written under `project.out`, and recorded in the history.
pub fn run_and_write(
    project: &Project,
    term: Option<Term>,
    only: Option<&[String]>,
) -> Result<(RunOutput, Option<i64>), AppError> {
    run_and_write_profiled(project, term, only, false)
}

/// [`run_and_write`], with `profile/<id>.txt` written beside the results when `profile`.
pub fn run_and_write_profiled(
    project: &Project,
    term: Option<Term>,
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

/// What `cohort run` says it did: the analyses, the files written, the history run and
/// what the validated-data cache saved.
pub fn run_summary(project: &Project, output: &RunOutput, recorded: Option<i64>) -> String {
    let out = project.out.display();
    format!(
        "ran {} analyses for {} on {}; wrote {out}/results/, {out}/metrics.csv ({} figures) and {out}/run.json{}{}{}",
        output.analyses.len(),
        output.term,
        output.engine,
        output.metrics.len(),
        recorded_as(project, recorded)
            .map(|r| format!("; {r}"))
            .unwrap_or_default(),
        output
            .cache
            .as_ref()
            .and_then(cache_summary)
            .map(|c| format!("; {c}"))
            .unwrap_or_default(),
        output
            .results
            .as_ref()
            .and_then(results_summary)
            .map(|c| format!("; {c}"))
            .unwrap_or_default()
    )
}
