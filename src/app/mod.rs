//! The commands of the `cohort` binary as library functions, so tests call what users run.
//!
//! Each command wires the stages in order (contract → catalog → analysis → run →
//! render) and returns a typed error (`error`) that `main` prints with its context. The
//! project (`project`) is resolved once from the command line; a [`Session`] (`session`)
//! opens its data for one [`crate::period::Period`] on one engine, and every command that
//! runs analyses uses one. This file holds what sessions share (loading the analyses,
//! opening the data, choosing the term); each command has its own file: `runs`, `reports`,
//! `notebooks`, `checks`, `sampling`, `query`, `history`, `export`, `graph`, `comparators`,
//! `test_files`.

pub mod cli;
pub mod comparators;
mod error;
pub mod export;
mod families;
pub mod graph;
pub mod history;
pub mod print;
mod project;
pub mod query;
mod repl;
mod session;
pub mod shipped;
mod sql_messages;
pub mod style;
pub mod template_check;
pub mod test_files;
mod variants;

pub mod preview;
mod reuse;
pub use reuse::{results_cache, results_summary};

mod checks;
mod notebooks;
pub mod publication;
mod reports;
mod runs;
mod sampling;
pub use checks::{CheckReport, check, format_text_table, write_lock};
pub use error::AppError;
pub use families::report_each;
pub use notebooks::notebook;
pub use project::{Options, Project, default_cache, default_history_path, default_la_code};
pub use reports::{
    Published, ReportRequest, disclosed_report, list_templates, report, report_formats,
    report_request, report_time,
};
pub use runs::{run, run_and_write, run_and_write_profiled, run_profiled, run_summary};
pub use sampling::{contract_markdown, sample, sample_readme, sample_returns};
pub use session::{Drafts, Session};

use crate::analysis::{self, Analysis, lock};
use crate::catalog::{Catalog, CatalogError};
use crate::contract::{Contract, Term};
use crate::disclosure::{self, Policy};
use crate::engine::DataFusionEngine;
use crate::history::RunKind;
use crate::output::{safe_slug, write_atomic};
use crate::render::{self, RenderError, ReportTemplate};
use crate::run::{self, RunOutput};
use crate::sample::{self, SampleConfig};
use crate::staging::Staging;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a run did with the validated-data cache, in words (`None` when it did nothing).
pub fn cache_summary(c: &crate::catalog::CacheUse) -> Option<String> {
    let tables = |n: usize| format!("{n} table{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if !c.reused.is_empty() {
        parts.push(format!(
            "{} unchanged since checked",
            tables(c.reused.len())
        ));
    }
    if !c.written.is_empty() {
        parts.push(format!("{} checked and kept", tables(c.written.len())));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{} in {}", parts.join(", "), c.dir.display()))
}

/// `recorded as run N in PATH`, when the run was recorded.
pub fn recorded_as(project: &Project, run: Option<i64>) -> Option<String> {
    match (run, &project.history) {
        (Some(n), Some(path)) => Some(format!("recorded as run {n} in {}", path.display())),
        _ => None,
    }
}

/// `cohort init DIR`: writes (or adds to) `DIR/cohort.toml` over the data files found there;
/// with `with_queries`, copies the shipped analyses and templates into `DIR/queries` and
/// `DIR/report-templates` to edit (without, the project runs the ones built into cohort).
pub fn init(dir: &Path, with_queries: bool) -> Result<String, AppError> {
    let mut said = crate::project::init::init(dir)?.to_string();
    if with_queries {
        for folder in [shipped::QUERIES, shipped::TEMPLATES] {
            if dir.join(folder).exists() {
                return Err(AppError::Write {
                    path: dir.join(folder),
                    source: std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "already there; nothing was copied over it",
                    ),
                });
            }
        }
        let written = shipped::copy_into(dir, false)?;
        said = format!(
            "{said}\ncopied the shipped analyses and templates ({} files) into {} and {}",
            written.len(),
            dir.join(shipped::QUERIES).display(),
            dir.join(shipped::TEMPLATES).display()
        );
    }
    Ok(said)
}

/// Loads the analyses and checks the lock; every problem is returned.
pub fn load_analyses(project: &Project) -> Result<Vec<Analysis>, AppError> {
    load_checked(project, false).map(|(analyses, _)| analyses)
}

/// Loads the analyses and checks the lock, letting an analysis changed since the lock (new,
/// SQL edited, version raised) run as a draft: returns the analyses and the drafts' ids.
/// Any other problem (a version lowered, a malformed file) is still an error.
pub fn load_analyses_or_drafts(
    project: &Project,
) -> Result<(Vec<Analysis>, Vec<String>), AppError> {
    load_checked(project, true)
}

/// The analyses with the lock checked; with `drafts`, an analysis changed since the lock
/// is returned among the drafts rather than as a problem.
fn load_checked(project: &Project, drafts: bool) -> Result<(Vec<Analysis>, Vec<String>), AppError> {
    let analyses = analysis::load_all(&project.queries)?;
    let lock = lock::read(&project.lock_path()).map_err(|e| vec![e])?;
    let drafts = if drafts {
        lock::drafts(&analyses, &lock)
    } else {
        Vec::new()
    };
    let draft_paths: Vec<&Path> = analyses
        .iter()
        .filter(|a| drafts.iter().any(|d| d == a.id()))
        .map(|a| a.path.as_path())
        .collect();
    let problems: Vec<_> = lock::verify(&analyses, &lock, &project.lock_path())
        .into_iter()
        .filter(|e| {
            !matches!(e, analysis::AnalysisError::Version { path, .. } if draft_paths.contains(&path.as_path()))
        })
        .collect();
    if problems.is_empty() {
        Ok((analyses, drafts))
    } else {
        Err(problems.into())
    }
}

/// The term to report on: the one asked for, or the latest with attendance marks. SSDA903
/// data that looks stale for it is an error, or a warning where the project allows it.
pub fn choose_term(catalog: &Catalog, asked: Option<Term>) -> Result<Term, AppError> {
    let term = pick_term(catalog, asked)?;
    if let Some(allow) = catalog.allow_stale
        && let Some(stale) = catalog.staleness(term)
    {
        if !allow {
            return Err(AppError::Stale(stale.to_string()));
        }
        eprintln!(
            "{}",
            style::for_stderr(&format!("warning (allowed by --allow-stale): {stale}"))
        );
    }
    Ok(term)
}

/// [`choose_term`] without the look at the 903 data.
fn pick_term(catalog: &Catalog, asked: Option<Term>) -> Result<Term, AppError> {
    let terms = catalog.terms();
    match (asked, terms.first(), terms.last()) {
        // A folder without marks (results only, say) takes the term it is given.
        (Some(term), Some(&first), Some(&last)) if !terms.contains(&term) => {
            Err(AppError::TermNotInData {
                term,
                dir: catalog.dir.clone(),
                first,
                last,
            })
        }
        (Some(term), _, _) => Ok(term),
        (None, _, Some(last)) => Ok(*last),
        (None, _, None) => Err(AppError::NoTerm {
            dir: catalog.dir.clone(),
        }),
    }
}

/// Opens the data folder against the current contract.
pub fn open_catalog(project: &Project) -> Result<Catalog, AppError> {
    open_catalog_for(project, None, None)
}

/// The contract tables the analyses `only` (and what they depend on) read, from their SQL's
/// parse trees (every engine's variant); `None` (read everything) when one does not parse.
pub fn tables_for(analyses: &[Analysis], only: &[String]) -> Option<BTreeSet<String>> {
    let ids = analysis::graph::with_dependencies(analyses, only);
    let mut out = BTreeSet::new();
    for a in analyses.iter().filter(|a| ids.contains(a.id())) {
        let variants = a.meta.engine_sql.values().map(String::as_str);
        for sql in std::iter::once(a.sql.as_str()).chain(variants) {
            out.extend(analysis::reads::tables_read(sql)?);
        }
    }
    Some(out)
}

/// Opens the data folder, reading and checking only the tables `wanted` (with what their
/// references need; all when `None`). `term` lets a run that reads no attendance skip it.
pub fn open_catalog_for(
    project: &Project,
    wanted: Option<&BTreeSet<String>>,
    term: Option<Term>,
) -> Result<Catalog, AppError> {
    let contract = Contract::current();
    let reading = style::spinner(&format!("reading and checking {}", project.data.display()));
    let opened = Catalog::open_some(
        &contract,
        &project.data,
        &project.sources,
        wanted,
        term,
        project.cache.as_ref(),
    );
    reading.finish_and_clear();
    let mut catalog = opened?;
    catalog.allow_stale = Some(project.allow_stale);
    if let Some(la) = &project.la_code {
        catalog.set_authority(&contract, la);
    }
    for note in &catalog.notes {
        eprintln!("{}", style::for_stderr(&format!("warning: {note}")));
    }
    Ok(catalog)
}

/// Stages `<stem>.html` and, when there is one, `<stem>.pdf` (the stem a safe name).
fn stage_html_and_pdf(
    staging: &mut Staging,
    stem: &str,
    html: &str,
    pdf: Option<Vec<u8>>,
) -> Result<(), AppError> {
    staging.write(Path::new(&format!("{stem}.html")), html.as_bytes())?;
    if let Some(bytes) = pdf {
        staging.write(Path::new(&format!("{stem}.pdf")), &bytes)?;
    }
    Ok(())
}
