//! What a command can fail with: each stage's error, and the commands' own, each named for
//! what went wrong.

use super::checks::CheckReport;
use crate::analysis::AnalysisError;
use crate::catalog::CatalogError;
use crate::contract::{Term, calendar::CalendarParseError};
use crate::disclosure::DisclosureError;
use crate::engine::EngineError;
use crate::history::HistoryError;
use crate::output::PathError;
use crate::render::RenderError;
use crate::run::RunError;
use crate::sample::SampleError;
use crate::staging::StagingError;
use std::fmt;
use std::path::PathBuf;

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
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot read: {source}", path.display())]
    Read {
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
    Preview(#[from] crate::preview::PreviewError),
    #[error(transparent)]
    Path(#[from] PathError),
    #[error(transparent)]
    Staging(#[from] StagingError),

    /// Ballista's flags given for another engine.
    #[error("--scheduler and --ballista-store are for --engine ballista")]
    BallistaFlags,
    /// A `la_code` that is not DfE's three-digit code.
    #[error("{}: la_code {value}: expected DfE's three-digit old_la_code, e.g. 874", path.display())]
    LaCode { path: PathBuf, value: u32 },
    /// No `cohort.toml` here and no data folder given.
    #[error(
        "{}: no cohort.toml here, so no data folder to read. Run `cohort init DIR` over a folder of your data files (then `cd DIR`), or give --data",
        dir.display()
    )]
    NoProject { dir: PathBuf },
    /// The 903 data looks stale for the term and the project does not allow it.
    #[error("{0}")]
    Stale(String),
    /// `--term` outside what the data covers.
    #[error("--term {term}: the data in {} covers {first} to {last}", dir.display())]
    TermNotInData {
        term: Term,
        dir: PathBuf,
        first: Term,
        last: Term,
    },
    /// No attendance marks to take the latest term from.
    #[error(
        "{}: the attendance table has no marks, so no term can be chosen; give one with --term",
        dir.display()
    )]
    NoTerm { dir: PathBuf },
    /// `--only` (or `--param`'s analysis) names no analysis.
    #[error("--only {id}: no analysis has that id under {} ({hint})", dir.display())]
    UnknownAnalysis {
        id: String,
        dir: PathBuf,
        hint: String,
    },
    /// `cohort lock` refused: what `cohort check` would refuse.
    #[error("{} not written: `cohort check` refuses {} ({} problem{}):\n  {}",
        path.display(),
        if problems.len() == 1 { "an analysis" } else { "analyses" },
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.join("\n  "))]
    LockRefused {
        path: PathBuf,
        problems: Vec<String>,
    },
    /// `cohort reconcile` without the authority's code.
    #[error(
        "reconcile needs the authority: set `la_code = 874` (DfE's old_la_code) in cohort.toml"
    )]
    NoAuthority,
    /// An analysis a command needs did not run.
    #[error("{0} did not run")]
    NotRun(String),
    /// A publication that would carry draft analyses.
    #[error(
        "the export for {audience} would publish draft analyses ({}), changed since {}: run `cohort lock` once they are reviewed, or export for leadership",
        drafts.join(", "),
        lock.display()
    )]
    DraftsInExport {
        audience: String,
        drafts: Vec<String>,
        lock: PathBuf,
    },
    /// The attacker worked out suppressed figures from what would be written.
    #[error("the export would give back {count} suppressed figure(s); nothing was written:\n{}", leaks.join("\n"))]
    Leaks { count: usize, leaks: Vec<String> },
    /// Files DfE's screener would reject.
    #[error("the export would fail DfE's screening:\n{}", .0.join("\n"))]
    Screening(Vec<String>),
    /// `history diff` over a run that carried drafts.
    #[error(
        "run {run} carried drafts ({}): diff compares only runs of locked analyses; raise their versions, run `cohort lock` and run again",
        drafts.join(", ")
    )]
    DraftRun { run: i64, drafts: Vec<String> },
    /// `history diff` over runs of two terms.
    #[error(
        "run {a} is for {term_a} and run {b} for {term_b}: diff compares two runs of the same term"
    )]
    TermsDiffer {
        a: i64,
        b: i64,
        term_a: Term,
        term_b: Term,
    },
    /// `history verify`: the data files are not those recorded.
    #[error("cannot verify run {run}: its data is not what it was\n  {}", problems.join("\n  "))]
    DataChanged { run: i64, problems: Vec<String> },
    /// `history verify`: the re-run differs.
    #[error("run {run} does not verify: {} differences\n  {}", differences.len(), differences.join("\n  "))]
    NotVerified { run: i64, differences: Vec<String> },
    /// `check --cross-engine`: the engines disagree.
    #[error("the engines disagree on {} of {of} analyses:\n  {}", differences.len(), differences.join("\n  "))]
    EnginesDisagree { of: usize, differences: Vec<String> },
    /// A result a command reads lacks a column it needs.
    #[error("{analysis} must have {columns} columns")]
    MissingColumns {
        analysis: String,
        columns: &'static str,
    },
    /// Two values of a parameter would be written to one file.
    #[error(
        "{parameter} `{first}` and `{second}` would both be written as {slug}.html: values must differ in their letters and digits"
    )]
    SlugClash {
        parameter: String,
        first: String,
        second: String,
        slug: String,
    },
    /// A parameter no template may declare, or one the template does not declare.
    #[error("{0}")]
    Parameter(String),
    /// `--param` not written NAME=VALUE.
    #[error("--param `{0}`: expected NAME=VALUE, e.g. --param team=\"Team East\"")]
    ParamForm(String),
    /// A `.test.toml` file that cannot be used.
    #[error("{}: {message}", path.display())]
    TestFile { path: PathBuf, message: String },
    /// Plain-file tests that failed (the summary).
    #[error("{0}")]
    TestsFailed(String),
    /// The query shell: a word it does not know, a mode or limit it cannot read.
    #[error("{0}")]
    Shell(String),
    /// The query shell could not use the terminal.
    #[error("the query shell: {0}")]
    Terminal(String),
    /// A query statement a limit stopped.
    #[error("{0}")]
    Limit(String),
    /// A statement naming a table that is not there.
    #[error("no table `{missing}` ({message}){hint}")]
    NoTable {
        missing: String,
        message: String,
        hint: String,
    },
    /// A statement the engine could not read, shown with a caret under the place.
    #[error("{message}\n{excerpt}")]
    Syntax { message: String, excerpt: String },
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
