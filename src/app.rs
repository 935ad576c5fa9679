//! The commands of the `cohort` binary as library functions, so tests call what users run.
//!
//! Each command wires the stages in order (contract → catalog → analysis → run →
//! render) and returns a typed error that `main` prints with its context. This file holds
//! the project, the errors and what every command shares (loading the analyses, opening the
//! data, choosing the term); each command has its own file: `runs`, `reports`, `notebooks`,
//! `checks`, `sampling`, `query`, `history`, `export`, `graph`, `comparators`, `test_files`.

pub mod comparators;
pub mod export;
pub mod graph;
pub mod history;
pub mod print;
pub mod query;
mod repl;
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
pub use checks::*;
pub use notebooks::*;
pub use reports::*;
pub use runs::*;
pub use sampling::*;

use crate::analysis::{self, Analysis, AnalysisError, lock};
use crate::catalog::{Catalog, CatalogError};
use crate::contract::{Contract, Term, calendar::CalendarParseError};
use crate::disclosure::{self, DisclosureError, Policy};
use crate::engine::{DataFusionEngine, Engine, EngineError, EngineKind};
use crate::history::{HistoryError, RunKind};
use crate::output::{PathError, safe_slug, write_atomic};
use crate::render::{self, RenderError, ReportTemplate};
use crate::run::{self, RunError, RunOutput};
use crate::sample::{self, SampleConfig, SampleError};
use crate::staging::{Staging, StagingError};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a project's folders are; defaults are relative to the working folder.
#[derive(Debug, Clone)]
pub struct Project {
    pub data: PathBuf,
    pub queries: PathBuf,
    pub templates: PathBuf,
    pub out: PathBuf,
    /// The engine analyses run on.
    pub engine: EngineKind,
    /// The run history database; `None` records nothing.
    pub history: Option<PathBuf>,
    /// The authority (DfE's old_la_code, e.g. 874) whose published figures reports compare with.
    pub la_code: Option<String>,
    /// Where each table's file is and how to read it (`[sources]` in `cohort.toml`).
    pub sources: crate::catalog::Sources,
    /// The validated-data cache; `None` reads and checks every file every time.
    pub cache: Option<crate::catalog::CacheOptions>,
    /// SSDA903 data that looks stale for the term is a warning, not an error
    /// (`--allow-stale`, or `allow_stale = true` in cohort.toml).
    pub allow_stale: bool,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            data: "sample-data".into(),
            queries: "queries".into(),
            templates: "report-templates".into(),
            out: "out".into(),
            engine: EngineKind::DataFusion,
            history: None,
            la_code: None,
            sources: Default::default(),
            cache: None,
            allow_stale: false,
        }
    }
}

/// The validated-data cache of a command run in `root` over the data folder `data`: a folder
/// of `.cohort/cache` for that data folder, unless `off` or `COHORT_NO_CACHE=1` in the
/// environment. Each data folder has its own, so that runs over two folders (the sample and
/// the authority's own, or two at once) never replace each other's entries.
pub fn default_cache(root: &Path, data: &Path, off: bool) -> Option<crate::catalog::CacheOptions> {
    use sha2::{Digest, Sha256};
    let env_off = std::env::var_os("COHORT_NO_CACHE").is_some_and(|v| v == "1");
    let folder = std::fs::canonicalize(data).unwrap_or_else(|_| data.to_path_buf());
    let key = hex::encode(Sha256::digest(folder.to_string_lossy().as_bytes()));
    (!off && !env_off).then(|| {
        crate::catalog::CacheOptions::new(root.join(".cohort").join("cache").join(&key[..16]))
    })
}

/// The history file when none is given on the command line: `history = "..."` in a
/// `cohort.toml` in the working folder, else `.cohort/history.duckdb`.
pub fn default_history_path(root: &Path) -> Result<PathBuf, AppError> {
    if let Some(settings) = crate::project::ProjectFile::find(root)?
        && let Some(h) = settings.history
    {
        return Ok(root.join(h));
    }
    Ok(root.join(".cohort").join("history.duckdb"))
}

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

/// `[authority] la_code = 874` in a `cohort.toml` in `root`: the authority reports compare with.
pub fn default_la_code(root: &Path) -> Result<Option<String>, AppError> {
    let Some(file) = crate::project::ProjectFile::find(root)? else {
        return Ok(None);
    };
    match file.authority.and_then(|a| a.la_code) {
        None => Ok(None),
        Some(n) if (100..=999).contains(&n) => Ok(Some(n.to_string())),
        Some(n) => Err(AppError::Data(format!(
            "{}: la_code {n}: expected DfE's three-digit old_la_code, e.g. 874",
            root.join(crate::project::FILE_NAME).display()
        ))),
    }
}

/// `cohort init [DIR]`: writes (or adds to) `DIR/cohort.toml` over the files found there.
pub fn init(dir: &Path) -> Result<String, AppError> {
    Ok(crate::project::init::init(dir)?.to_string())
}

impl Project {
    pub fn lock_path(&self) -> PathBuf {
        self.queries.join("versions.lock")
    }
}

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{}", list(.0))]
    Analyses(Vec<AnalysisError>),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error("query engine: {0}")]
    Engine(#[from] EngineError),
    #[error("--term: {0}")]
    Term(#[from] CalendarParseError),
    #[error("{0}")]
    Data(String),
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Check(Box<CheckReport>),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Comparators(#[from] crate::comparators::ComparatorError),
    #[error(transparent)]
    Project(#[from] crate::project::ProjectError),
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
    #[error(transparent)]
    Path(#[from] PathError),
    #[error(transparent)]
    Staging(#[from] StagingError),
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<Vec<AnalysisError>> for AppError {
    fn from(v: Vec<AnalysisError>) -> Self {
        AppError::Analyses(v)
    }
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
pub fn choose_term(catalog: &Catalog, asked: Option<&str>) -> Result<Term, AppError> {
    let term = pick_term(catalog, asked)?;
    if let Some(allow) = catalog.allow_stale
        && let Some(stale) = catalog.staleness(term)
    {
        if !allow {
            return Err(AppError::Data(stale.to_string()));
        }
        eprintln!(
            "{}",
            style::for_stderr(&format!("warning (allowed by --allow-stale): {stale}"))
        );
    }
    Ok(term)
}

/// [`choose_term`] without the look at the 903 data.
fn pick_term(catalog: &Catalog, asked: Option<&str>) -> Result<Term, AppError> {
    let terms = catalog.terms();
    match (asked, terms.first(), terms.last()) {
        (Some(t), first, last) => {
            let term: Term = t.parse()?;
            match (first, last) {
                // A folder without marks (results only, say) takes the term it is given.
                (Some(first), Some(last)) if !terms.contains(&term) => {
                    Err(AppError::Data(format!(
                        "--term {term}: the data in {} covers {first} to {last}",
                        catalog.dir.display()
                    )))
                }
                _ => Ok(term),
            }
        }
        (None, _, Some(last)) => Ok(*last),
        (None, _, None) => Err(AppError::Data(format!(
            "{}: the attendance table has no marks, so no term can be chosen; give one with --term",
            catalog.dir.display()
        ))),
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
    term: Option<&str>,
) -> Result<Catalog, AppError> {
    let contract = Contract::current();
    let term = match term {
        Some(t) => Some(t.parse::<Term>()?),
        None => None,
    };
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
