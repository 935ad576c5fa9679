//! The `cohort` command line: parses arguments and calls the library; nothing else.

use clap::{Parser, Subcommand, ValueEnum};
use cohort::app::{self, AppError, Project};
use cohort::contract::{AcademicYear, Term};
use cohort::engine::{BallistaPlace, EngineKind, limits};
use cohort::sample::{SampleConfig, SampleFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// Embedded analytics and reports for a Virtual School's data.
#[derive(Parser)]
#[command(name = "cohort", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where to find things; every command that reads data takes these.
#[derive(clap::Args, Clone)]
struct Paths {
    /// The data folder (default: `data` in ./cohort.toml, else sample-data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The folder of versioned analyses (default: `queries` in ./cohort.toml, else queries).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// The folder of report templates (default: `templates` in ./cohort.toml, else report-templates).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Where outputs are written.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// The SQL engine: datafusion, duckdb (the second engine, for checking), or ballista
    /// (DataFusion distributed; in builds with the `ballista` feature).
    #[arg(long, value_enum, default_value_t = EngineArg::Datafusion)]
    engine: EngineArg,
    /// With `--engine ballista`: the scheduler of a cluster, e.g. df://host:50050
    /// (default: a scheduler and an executor started in this process).
    #[arg(long, value_name = "URL")]
    scheduler: Option<String>,
    /// With `--engine ballista`: a folder every executor reads at the same path, for the
    /// tables and results the executors scan (default: a private temporary folder).
    #[arg(long, value_name = "DIR")]
    ballista_store: Option<PathBuf>,
    /// The run history (default: `history` in ./cohort.toml, else .cohort/history.duckdb).
    #[arg(long)]
    history: Option<PathBuf>,
    /// Record nothing in the run history (as does COHORT_NO_HISTORY=1 in the environment).
    #[arg(long, conflicts_with = "history")]
    no_history: bool,
    /// Read and check every data file even when unchanged since it last passed, and keep no
    /// validated copy in .cohort/cache (as does COHORT_NO_CACHE=1 in the environment).
    #[arg(long)]
    no_cache: bool,
    /// The memory each engine may use for queries, e.g. 8GiB or 50% (default: `memory` under
    /// [limits] in ./cohort.toml, else half the machine's memory on DataFusion, 80% on DuckDB).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    memory_limit: Option<u64>,
    /// The time each analysis, notebook cell or query statement may run, e.g. 90s, 30m or 2h
    /// (default: `analysis_time` and `query_time` under [limits] in ./cohort.toml, else 30m and 10m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    time_limit: Option<std::time::Duration>,
    /// Use SSDA903 data that looks stale for the term (its latest return years before it,
    /// or episodes left open past 18) with a warning instead of an error (as does
    /// allow_stale = true in cohort.toml).
    #[arg(long)]
    allow_stale: bool,
}

/// `--memory-limit`: an amount, or a percentage of the machine's memory.
fn parse_memory(s: &str) -> Result<u64, String> {
    let machine = s.trim_end().ends_with('%').then(limits::machine_memory);
    limits::parse_size(s, machine)
}

/// `--time-limit`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    limits::parse_duration(s)
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every figure as Explore Education Statistics tidy CSV with its .meta.csv, after
    /// disclosure control for the audience (into <out>/ees/<audience>/).
    #[command(
        after_help = "Examples:\n  cohort export ees --audience board\n  cohort export ees --audience leadership --term 2024-25-spring"
    )]
    Ees {
        /// Who the figures are published to: board and school get disclosure control.
        #[arg(long, value_enum, default_value_t = AudienceArg::Board)]
        audience: AudienceArg,
        #[command(flatten)]
        paths: Paths,
        /// The term, e.g. 2024-25-spring (default: the latest in the data).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AudienceArg {
    Leadership,
    Board,
    School,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphArg {
    Text,
    Dot,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineArg {
    Datafusion,
    Duckdb,
    Ballista,
}

impl EngineArg {
    /// The engine, with Ballista's scheduler and store when it is Ballista.
    fn kind(self, scheduler: Option<String>, store: Option<PathBuf>) -> EngineKind {
        match self {
            EngineArg::Datafusion => EngineKind::DataFusion,
            EngineArg::Duckdb => EngineKind::DuckDb,
            EngineArg::Ballista => EngineKind::Ballista(BallistaPlace { scheduler, store }),
        }
    }
}

/// The project the options describe, with the history file resolved.
fn project(p: Paths) -> Result<Project, AppError> {
    if !matches!(p.engine, EngineArg::Ballista)
        && (p.scheduler.is_some() || p.ballista_store.is_some())
    {
        return Err(AppError::Data(
            "--scheduler and --ballista-store are for --engine ballista".into(),
        ));
    }
    let off = p.no_history
        || (p.history.is_none() && std::env::var_os("COHORT_NO_HISTORY").is_some_and(|v| v == "1"));
    let history = match (off, p.history) {
        (true, _) => None,
        (false, Some(h)) => Some(h),
        (false, None) => Some(app::default_history_path(std::path::Path::new("."))?),
    };
    let root = std::path::Path::new(".");
    let file = cohort::project::ProjectFile::find(root)?;
    let sources = match &file {
        Some(f) => f.sources(&root.join(cohort::project::FILE_NAME))?,
        None => Default::default(),
    };
    // The engines this command starts are held to cohort.toml's [limits] and the flags.
    let mut limits = match &file {
        Some(f) => f.limits(&root.join(cohort::project::FILE_NAME))?,
        None => limits::Limits::default(),
    };
    if let Some(bytes) = p.memory_limit {
        limits.memory = Some(bytes);
    }
    if let Some(time) = p.time_limit {
        limits.analysis_time = time;
        limits.query_time = time;
    }
    limits::set(limits);
    let from_file =
        |pick: fn(&cohort::project::ProjectFile) -> Option<PathBuf>| file.as_ref().and_then(pick);
    let data: PathBuf = p
        .data
        .or_else(|| from_file(|f| f.data.clone()))
        .unwrap_or_else(|| "sample-data".into());
    Ok(Project {
        allow_stale: p.allow_stale || file.as_ref().is_some_and(|f| f.allow_stale),
        cache: app::default_cache(root, &data, p.no_cache),
        data,
        queries: p
            .queries
            .or_else(|| from_file(|f| f.queries.clone()))
            .unwrap_or_else(|| "queries".into()),
        templates: p
            .templates
            .or_else(|| from_file(|f| f.templates.clone()))
            .unwrap_or_else(|| "report-templates".into()),
        sources,
        out: p.out,
        engine: p.engine.kind(p.scheduler, p.ballista_store),
        history,
        la_code: app::default_la_code(std::path::Path::new("."))?,
    })
}

/// Where the history is, for the `history` commands.
#[derive(clap::Args, Clone)]
struct HistoryPath {
    /// The run history (default: `history` in ./cohort.toml, else .cohort/history.duckdb).
    #[arg(long)]
    history: Option<PathBuf>,
}

impl HistoryPath {
    fn resolve(self) -> Result<PathBuf, AppError> {
        match self.history {
            Some(h) => Ok(h),
            None => app::default_history_path(std::path::Path::new(".")),
        }
    }
}

#[derive(Subcommand)]
enum HistoryCommand {
    /// Every recorded run, newest first: when, term, template, engine.
    List {
        #[command(flatten)]
        at: HistoryPath,
    },
    /// One run: its analyses with versions, data files with hashes, published files.
    Show {
        /// The run's number, as `cohort history list` shows it.
        run: i64,
        /// Print the run's figures (as metrics.csv) instead.
        #[arg(long)]
        figures: bool,
        #[command(flatten)]
        at: HistoryPath,
    },
    /// The figures that differ between two runs of the same term, and why.
    Diff {
        /// The earlier run's number.
        run_a: i64,
        /// The later run's number.
        run_b: i64,
        #[command(flatten)]
        at: HistoryPath,
    },
    /// Re-run a past run's analysis versions on its data files and confirm the same figures.
    Verify {
        /// The run's number, as `cohort history list` shows it.
        run: i64,
        #[command(flatten)]
        at: HistoryPath,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Attendance as Parquet, everything else CSV (as the contract suggests).
    Mixed,
    Csv,
    Parquet,
}

#[derive(Clone, Copy, ValueEnum)]
enum Layout {
    /// One file per table (the 903 tables stacked over the years, with YEAR).
    Stacked,
    /// The 903 tables as submitted: one folder of files per collection year.
    Returns,
    /// The 903 tables as DfE's XML return: one `ssda903.xml` per collection year.
    Xml,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic Virtual School data set.
    #[command(
        after_help = "Examples:\n  cohort sample --out sample-data\n  cohort sample --children 30 --years 1 --out small\n  cohort sample --children 5000 --years 5 --format parquet --out big\n  cohort sample --layout returns --out as-submitted\n  cohort sample --layout xml --out as-xml"
    )]
    Sample {
        /// How many children the Virtual School has looked after over the years.
        #[arg(long, default_value_t = 400)]
        children: usize,
        /// How many academic years, ending with --last-year.
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// The random seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// The last academic year generated, e.g. 2024-25.
        #[arg(long, default_value = "2024-25")]
        last_year: String,
        /// The file formats written.
        #[arg(long, value_enum, default_value_t = Format::Mixed)]
        format: Format,
        /// `stacked`: one file per table; `returns`: the 903 tables as yearly CSV returns (903/2023-24/...); `xml`: as yearly XML returns.
        #[arg(long, value_enum, default_value_t = Layout::Stacked)]
        layout: Layout,
        /// The folder to write (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Validate the data folder and every analysis; exit 1 when anything is wrong.
    Check {
        #[command(flatten)]
        paths: Paths,
        /// Also run every analysis on DataFusion and on a second engine and compare the
        /// results: DuckDB, or the --engine given (e.g. --engine ballista).
        #[arg(long)]
        cross_engine: bool,
        /// The term whose empty sections to warn about, e.g. 2024-25-spring (default: the latest).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
    },
    /// The run history: list, show, diff and verify recorded runs.
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Run every analysis; write results/, metrics.csv and run.json.
    Run {
        #[command(flatten)]
        paths: Paths,
        /// The term, e.g. 2024-25-spring (default: the latest in the data).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// Run only these analyses (and what they depend on), reading only the tables they
        /// need, e.g. peps/timeliness_by_term,ppplus/spend_by_term; with --term, attendance
        /// is not read unless they read it.
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
        /// Also write <out>/profile/<id>.txt: each analysis's executed plan with every
        /// operator's rows and time (DataFusion), to see where a slow analysis spends it.
        #[arg(long)]
        profile: bool,
    },
    /// Run what a template needs and write <out>/<template>.html.
    #[command(
        after_help = "Examples:\n  cohort report                                  # list the templates\n  cohort report termly-impact --format html,pdf\n  cohort report board-annual --term 2024-25-summer\n  cohort report school-on-a-page --each school"
    )]
    Report {
        /// Template name: a file report-templates/<name>.md (none lists the templates).
        template: Option<String>,
        #[command(flatten)]
        paths: Paths,
        /// The term to report on, e.g. 2024-25-spring (default: the latest in the data).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// Write one page per school (`school`) and an index, instead of one report.
        #[arg(long, value_parser = ["school"])]
        each: Option<String>,
        /// Output formats, comma separated: html (always written) and pdf.
        #[arg(long, default_value = "html", value_delimiter = ',', value_parser = ["html", "pdf"])]
        format: Vec<String>,
    },
    /// Serve a report (or a notebook) on this machine, re-rendered on every save.
    ///
    /// Prints the address; opens nothing. Saving an analysis, template, notebook or data file
    /// re-runs what the change touches and the page reloads itself; an error shows in the
    /// page over the last good render.
    #[command(
        after_help = "Examples:\n  cohort preview termly-impact\n  cohort preview notebooks/absence-by-placement-type.md --port 8000"
    )]
    Preview {
        /// Template name (a file report-templates/<name>.md) or a notebook file.
        target: String,
        #[command(flatten)]
        paths: Paths,
        /// The term to start on, e.g. 2024-25-spring (default: the latest in the data);
        /// the page can change it.
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// The port (default 0: a free one, printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The interface to serve on: this machine only unless another is given.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Run SQL over the data folder and every analysis result, or open a query shell.
    ///
    /// Without SQL, opens an interactive shell (.tables, .schema, .mode, .output, .help); with
    /// standard input that is not a terminal, runs the statements it holds.
    #[command(
        after_help = "Examples:\n  cohort query \"SELECT count(*) FROM episodes\"\n  cohort query \"SELECT * FROM attendance.absence_by_term\" --mode csv > absence.csv\n  cohort query"
    )]
    Query {
        /// SQL to run (several statements separated by `;`); none opens the shell.
        sql: Option<String>,
        #[command(flatten)]
        paths: Paths,
        /// The term the `params` table describes, e.g. 2024-25-spring (default: the latest in the data).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// How results print: table (rounded, aligned), csv, json or markdown (full precision).
        #[arg(long, default_value = "table")]
        mode: String,
        /// At most this many rows in a table (0: all; default 40 for table and markdown, all for csv and json).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Render a Markdown notebook whose ```sql cells run in order, to HTML (and PDF).
    Notebook {
        /// The notebook: a Markdown file.
        file: PathBuf,
        #[command(flatten)]
        paths: Paths,
        /// The term the `params` table describes, e.g. 2024-25-spring (default: the latest).
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// Output formats, comma separated: html (always written) and pdf.
        #[arg(long, default_value = "html", value_delimiter = ',', value_parser = ["html", "pdf"])]
        format: Vec<String>,
    },
    /// Write a cohort.toml over a folder of data files, placing each file by its columns.
    Init {
        /// The project folder (default: the working folder).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print the data contract as Markdown.
    Contract,
    /// Derive the comparators cohort ships from DfE's published files (Explore Education
    /// Statistics CSV and the statistical neighbour model), keeping file and version with each figure.
    Comparators {
        /// The folder of DfE's files (absence_la.csv, ks2_la.csv, ..., sn_model_2025_wide.csv).
        #[arg(long, default_value = "../shared/dfe")]
        from: PathBuf,
        /// Where to write comparators.csv and statistical_neighbours.csv (a data folder uses them
        /// in place of the built-in set).
        #[arg(long, default_value = "src/contract/dfe")]
        out: PathBuf,
    },
    /// Set the OC2 cohort's figures for past years beside the authority's own DfE-published
    /// figures (la_code in cohort.toml), with the pupils each counts and why they differ.
    Reconcile {
        #[command(flatten)]
        paths: Paths,
        /// Only this academic year, e.g. 2024-25.
        #[arg(long)]
        year: Option<String>,
    },
    /// The lineage: which data files feed which tables, analyses, metrics and report sections.
    #[command(
        after_help = "Examples:\n  cohort graph\n  cohort graph --format dot | dot -Tsvg > lineage.svg\n  cohort graph --format html    # writes out/lineage.html"
    )]
    Graph {
        #[command(flatten)]
        paths: Paths,
        /// text (printed), dot (Graphviz, printed) or html (writes <out>/lineage.html).
        #[arg(long, value_enum, default_value_t = GraphArg::Text)]
        format: GraphArg,
    },
    /// Run the analyses' plain-file tests (queries/<area>/<name>.test.toml): hand-worked cases
    /// with their data and the figures and rows each analysis must give.
    #[command(
        after_help = "Examples:\n  cohort test\n  cohort test attendance/    # only analyses whose id contains this"
    )]
    Test {
        /// Only analyses whose id contains this text.
        filter: Option<String>,
        /// The folder of versioned analyses and their tests.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        /// The SQL engine the cases run on.
        #[arg(long, value_enum, default_value_t = EngineArg::Datafusion)]
        engine: EngineArg,
    },
    /// Export published figures in another tool's format.
    Export {
        #[command(subcommand)]
        format: ExportCommand,
    },
    /// Record every analysis's version and SQL hash in queries/versions.lock.
    Lock {
        /// The folder of versioned analyses whose lock to write.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
    },
}

fn main() -> ExitCode {
    match dispatch(Cli::parse().command) {
        Ok(message) => print_quietly(&message),
        Err(e) => {
            eprintln!("{}", app::style::for_stderr(&format!("error: {e}")));
            ExitCode::from(1)
        }
    }
}

/// Reads `--term` once, at the command line: the season in any case; anything else is refused
/// with the valid forms listed.
fn parse_term(s: &str) -> Result<Term, String> {
    s.parse::<Term>().map_err(|e| e.to_string())
}

/// The term as the library reads it (its canonical text).
fn text(term: Option<Term>) -> Option<String> {
    term.map(|t| t.to_string())
}

/// Prints the result; a reader that stops early (`| head`) is not an error: exit 0 quietly.
fn print_quietly(message: &str) -> ExitCode {
    use std::io::Write;
    if message.is_empty() {
        return ExitCode::SUCCESS;
    }
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{message}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}

/// `recorded as run N in PATH`, when the run was recorded.
fn recorded_as(project: &Project, run: Option<i64>) -> Option<String> {
    match (run, &project.history) {
        (Some(n), Some(path)) => Some(format!("recorded as run {n} in {}", path.display())),
        _ => None,
    }
}

fn dispatch(command: Command) -> Result<String, AppError> {
    match command {
        Command::Sample {
            children,
            years,
            seed,
            last_year,
            format,
            layout,
            out,
        } => {
            let last_year: AcademicYear = last_year.parse()?;
            let format = match format {
                Format::Mixed => SampleFormat::Mixed,
                Format::Csv => SampleFormat::Csv,
                Format::Parquet => SampleFormat::Parquet,
            };
            let config = SampleConfig {
                children,
                years,
                seed,
                format,
                last_year,
            };
            let summary = match layout {
                Layout::Stacked => app::sample(&config, &out)?,
                Layout::Returns => app::sample_returns(&config, &out, false)?,
                Layout::Xml => app::sample_returns(&config, &out, true)?,
            };
            let rows: u64 = summary.files.iter().map(|(_, n)| n).sum();
            Ok(format!(
                "wrote {} files ({rows} rows) to {}",
                summary.files.len(),
                out.display()
            ))
        }
        Command::Check {
            paths,
            cross_engine,
            term,
        } => {
            let project = project(paths)?;
            let report = app::check(&project, term);
            if !report.is_clean() {
                return Err(AppError::Check(Box::new(report)));
            }
            if let (Some(t), false) = (term, cross_engine) {
                // A term the data does not cover is an error here too, not only at `run`.
                app::choose_term(&app::open_catalog(&project)?, Some(&t.to_string()))?;
            }
            if cross_engine {
                let cross = app::history::cross_engine(&project, text(term).as_deref())?;
                Ok(format!("{report}\n{cross}"))
            } else {
                Ok(report.to_string())
            }
        }
        Command::History { command } => match command {
            HistoryCommand::List { at } => app::history::list(&at.resolve()?),
            HistoryCommand::Show { run, figures, at } => {
                if figures {
                    app::history::figures(&at.resolve()?, run)
                } else {
                    app::history::show(&at.resolve()?, run)
                }
            }
            HistoryCommand::Diff { run_a, run_b, at } => {
                app::history::diff(&at.resolve()?, run_a, run_b)
            }
            HistoryCommand::Verify { run, at } => {
                app::history::verify(&Project::default(), &at.resolve()?, run)
            }
        },
        Command::Run {
            paths,
            term,
            only,
            profile,
        } => {
            let project = project(paths)?;
            let (output, recorded) = app::run_and_write_profiled(
                &project,
                text(term).as_deref(),
                only.as_deref(),
                profile,
            )?;
            for w in cohort::run::warnings::warnings(&output) {
                eprintln!("{}", app::style::for_stderr(&w));
            }
            Ok(format!(
                "ran {} analyses for {} on {}; wrote {}/results/, {}/metrics.csv ({} figures) and {}/run.json{}{}{}",
                output.analyses.len(),
                output.term,
                output.engine,
                project.out.display(),
                project.out.display(),
                output.metrics.len(),
                project.out.display(),
                recorded_as(&project, recorded)
                    .map(|r| format!("; {r}"))
                    .unwrap_or_default(),
                output
                    .cache
                    .as_ref()
                    .and_then(app::cache_summary)
                    .map(|c| format!("; {c}"))
                    .unwrap_or_default(),
                output
                    .results
                    .as_ref()
                    .and_then(app::results_summary)
                    .map(|c| format!("; {c}"))
                    .unwrap_or_default()
            ))
        }
        Command::Report {
            template,
            paths,
            term,
            each,
            format,
        } => {
            let project = project(paths)?;
            let Some(template) = template else {
                return app::list_templates(&project);
            };
            let pdf = format.iter().any(|f| f == "pdf");
            let published = if each.is_some() {
                app::report_each_school(&project, &template, text(term).as_deref(), pdf)?
            } else {
                app::report_formats(&project, &template, text(term).as_deref(), pdf)?
            };
            let mut wrote = format!("term {}\n{}", published.term, wrote(&published.paths));
            if let Some(note) = &published.note {
                wrote = format!("{wrote}\n{note}");
            }
            Ok(match recorded_as(&project, published.run) {
                Some(recorded) => format!("{wrote}\n{recorded}"),
                None => wrote,
            })
        }
        Command::Query {
            sql,
            paths,
            term,
            mode,
            limit,
        } => {
            let mode: app::print::Mode = mode.parse().map_err(AppError::Data)?;
            let project = project(paths)?;
            match sql {
                Some(sql) => app::query::once(&project, &sql, text(term).as_deref(), mode, limit),
                None => app::query::shell(&project, text(term).as_deref(), mode, limit)
                    .map(|_| String::new()),
            }
        }
        Command::Notebook {
            file,
            paths,
            term,
            format,
        } => {
            let pdf = format.iter().any(|f| f == "pdf");
            let written = app::notebook(&project(paths)?, &file, text(term).as_deref(), pdf)?;
            Ok(wrote(&written))
        }
        Command::Preview {
            target,
            paths,
            term,
            port,
            host,
        } => app::preview::preview(
            &project(paths)?,
            &target,
            text(term).as_deref(),
            &host,
            port,
        )
        .map(|()| String::new()),
        Command::Init { dir } => app::init(&dir),
        Command::Contract => Ok(app::contract_markdown()),
        Command::Test {
            filter,
            queries,
            engine,
        } => {
            let project = Project {
                queries,
                engine: engine.kind(None, None),
                ..Project::default()
            };
            app::test_files::test(&project, filter.as_deref())
        }
        Command::Export {
            format:
                ExportCommand::Ees {
                    audience,
                    paths,
                    term,
                },
        } => {
            let audience = match audience {
                AudienceArg::Leadership => cohort::disclosure::Audience::Leadership,
                AudienceArg::Board => cohort::disclosure::Audience::Board,
                AudienceArg::School => cohort::disclosure::Audience::School,
            };
            app::export::ees(&project(paths)?, audience, text(term).as_deref())
        }
        Command::Graph { paths, format } => {
            let format = match format {
                GraphArg::Text => app::graph::GraphFormat::Text,
                GraphArg::Dot => app::graph::GraphFormat::Dot,
                GraphArg::Html => app::graph::GraphFormat::Html,
            };
            app::graph::graph(&project(paths)?, format)
        }
        Command::Comparators { from, out } => app::comparators::derive(&from, &out),
        Command::Reconcile { paths, year } => {
            app::comparators::reconcile(&project(paths)?, year.as_deref())
        }
        Command::Lock { queries } => {
            let project = Project {
                queries,
                ..Project::default()
            };
            let changed = app::write_lock(&project)?;
            Ok(format!(
                "{} locked ({changed} new or raised)",
                project.lock_path().display()
            ))
        }
    }
}

/// One `wrote PATH` line per file written.
fn wrote(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("wrote {}", p.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every flag and argument of every command says what it does (issue 15 section 6).
    #[test]
    fn every_flag_has_a_help_line() {
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
            for s in c.get_subcommands() {
                walk(s, &format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "cohort", &mut missing);
        assert!(missing.is_empty(), "no help line: {missing:?}");
    }
}
