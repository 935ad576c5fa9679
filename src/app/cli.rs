//! The options every command shares, as the command line reads them (clap): where the
//! project's folders are (`Paths`), the one `--term` (`TermArg`), the history's place, and
//! the readers of sizes, durations, terms and `--param`. `main.rs` flattens them into its
//! commands; a new command (the preview server) takes the same.

use super::{AppError, Options, Project};
use crate::contract::Term;
use crate::engine::{BallistaPlace, EngineKind, limits};
use clap::ValueEnum;
use std::path::PathBuf;

/// Where to find things; every command that reads data takes these.
#[derive(clap::Args, Clone)]
pub struct Paths {
    /// The data folder (default: `data` in ./cohort.toml, else sample-data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The folder of versioned analyses (default: `queries` in ./cohort.toml, else queries).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// The folder of report templates (default: `templates` in ./cohort.toml, else report-templates).
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Where outputs are written.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// The SQL engine: datafusion, duckdb (the second engine, for checking), or ballista
    /// (DataFusion distributed; in builds with the `ballista` feature).
    #[arg(long, value_enum, default_value_t = EngineArg::Datafusion)]
    pub engine: EngineArg,
    /// With `--engine ballista`: the scheduler of a cluster, e.g. df://host:50050
    /// (default: a scheduler and an executor started in this process).
    #[arg(long, value_name = "URL")]
    pub scheduler: Option<String>,
    /// With `--engine ballista`: a folder every executor reads at the same path, for the
    /// tables and results the executors scan (default: a private temporary folder).
    #[arg(long, value_name = "DIR")]
    pub ballista_store: Option<PathBuf>,
    /// The run history (default: `history` in ./cohort.toml, else .cohort/history.duckdb).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Record nothing in the run history (as does COHORT_NO_HISTORY=1 in the environment).
    #[arg(long, conflicts_with = "history")]
    pub no_history: bool,
    /// Read and check every data file even when unchanged since it last passed, and keep no
    /// validated copy in .cohort/cache (as does COHORT_NO_CACHE=1 in the environment).
    #[arg(long)]
    pub no_cache: bool,
    /// The memory each engine may use for queries, e.g. 8GiB or 50% (default: `memory` under
    /// [limits] in ./cohort.toml, else half the machine's memory on DataFusion, 80% on DuckDB).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub memory_limit: Option<u64>,
    /// The time each analysis, notebook cell or query statement may run, e.g. 90s, 30m or 2h
    /// (default: `analysis_time` and `query_time` under [limits] in ./cohort.toml, else 30m and 10m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub time_limit: Option<std::time::Duration>,
    /// Use SSDA903 data that looks stale for the term (its latest return years before it,
    /// or episodes left open past 18) with a warning instead of an error (as does
    /// allow_stale = true in cohort.toml).
    #[arg(long)]
    pub allow_stale: bool,
}

/// `--memory-limit`: an amount, or a percentage of the machine's memory.
pub fn parse_memory(s: &str) -> Result<u64, String> {
    let machine = s.trim_end().ends_with('%').then(limits::machine_memory);
    limits::parse_size(s, machine)
}

/// `--time-limit`.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    limits::parse_duration(s)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineArg {
    Datafusion,
    Duckdb,
    Ballista,
}

impl EngineArg {
    /// The engine, with Ballista's scheduler and store when it is Ballista.
    pub fn kind(self, scheduler: Option<String>, store: Option<PathBuf>) -> EngineKind {
        match self {
            EngineArg::Datafusion => EngineKind::DataFusion,
            EngineArg::Duckdb => EngineKind::DuckDb,
            EngineArg::Ballista => EngineKind::Ballista(BallistaPlace { scheduler, store }),
        }
    }
}

impl Paths {
    /// The project these options describe in the working folder.
    pub fn project(self) -> Result<Project, AppError> {
        if !matches!(self.engine, EngineArg::Ballista)
            && (self.scheduler.is_some() || self.ballista_store.is_some())
        {
            return Err(AppError::BallistaFlags);
        }
        let options = Options {
            data: self.data,
            queries: self.queries,
            templates: self.templates,
            out: self.out,
            engine: self.engine.kind(self.scheduler, self.ballista_store),
            history: self.history,
            no_history: self.no_history,
            no_cache: self.no_cache,
            memory_limit: self.memory_limit,
            time_limit: self.time_limit,
            allow_stale: self.allow_stale,
        };
        Project::resolve(std::path::Path::new("."), options)
    }
}

/// `--term`, the same for every command that reads the data.
#[derive(clap::Args, Clone, Copy)]
pub struct TermArg {
    /// The term, e.g. 2024-25-spring (default: the latest with attendance marks in the data).
    #[arg(long, value_parser = parse_term)]
    pub term: Option<Term>,
}

/// Where the history is, for the `history` commands.
#[derive(clap::Args, Clone)]
pub struct HistoryPath {
    /// The run history (default: `history` in ./cohort.toml, else .cohort/history.duckdb).
    #[arg(long)]
    pub history: Option<PathBuf>,
}

impl HistoryPath {
    pub fn resolve(self) -> Result<PathBuf, AppError> {
        match self.history {
            Some(h) => Ok(h),
            None => super::default_history_path(std::path::Path::new(".")),
        }
    }
}

/// Reads `--term` once, at the command line: the season in any case; anything else is refused
/// with the valid forms listed.
pub fn parse_term(s: &str) -> Result<Term, String> {
    s.parse::<Term>().map_err(|e| e.to_string())
}

/// `--param NAME=VALUE`.
pub fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((n, v)) if !n.trim().is_empty() && !v.is_empty() => {
            Ok((n.trim().to_string(), v.to_string()))
        }
        _ => Err(AppError::ParamForm(s.to_string()).to_string()),
    }
}

/// `cohort sample`'s options.
#[derive(clap::Args, Clone)]
pub struct SampleArgs {
    /// How many children the Virtual School has looked after over the years.
    #[arg(long, default_value_t = 400)]
    pub children: usize,
    /// How many academic years, ending with --last-year.
    #[arg(long, default_value_t = 3)]
    pub years: u32,
    /// The random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The last academic year generated, e.g. 2024-25.
    #[arg(long, default_value = "2024-25")]
    pub last_year: String,
    /// The file formats written.
    #[arg(long, value_enum, default_value_t = Format::Mixed)]
    pub format: Format,
    /// `stacked`: one file per table; `returns`: the 903 tables as yearly CSV returns (903/2023-24/...); `xml`: as yearly XML returns.
    #[arg(long, value_enum, default_value_t = Layout::Stacked)]
    pub layout: Layout,
    /// The folder to write (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Attendance as Parquet, everything else CSV (as the contract suggests).
    Mixed,
    Csv,
    Parquet,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Layout {
    /// One file per table (the 903 tables stacked over the years, with YEAR).
    Stacked,
    /// The 903 tables as submitted: one folder of files per collection year.
    Returns,
    /// The 903 tables as DfE's XML return: one `ssda903.xml` per collection year.
    Xml,
}

impl SampleArgs {
    /// Writes the sample data set; says what it wrote.
    pub fn write(self) -> Result<String, AppError> {
        use crate::sample::{SampleConfig, SampleFormat};
        let config = SampleConfig {
            children: self.children,
            years: self.years,
            seed: self.seed,
            format: match self.format {
                Format::Mixed => SampleFormat::Mixed,
                Format::Csv => SampleFormat::Csv,
                Format::Parquet => SampleFormat::Parquet,
            },
            last_year: self.last_year.parse::<crate::contract::AcademicYear>()?,
        };
        let out = &self.out;
        let summary = match self.layout {
            Layout::Stacked => super::sample(&config, out)?,
            Layout::Returns => super::sample_returns(&config, out, false)?,
            Layout::Xml => super::sample_returns(&config, out, true)?,
        };
        let rows: u64 = summary.files.iter().map(|(_, n)| n).sum();
        Ok(format!(
            "wrote {} files ({rows} rows) to {}",
            summary.files.len(),
            out.display()
        ))
    }
}
