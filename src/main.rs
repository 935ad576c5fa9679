//! The `cohort` command line: parses arguments and calls the library; nothing else.

use clap::{Parser, Subcommand, ValueEnum};
use cohort::app::{self, AppError, Project};
use cohort::contract::{AcademicYear, Term};
use cohort::engine::EngineKind;
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
    /// The data folder (one file per contract table).
    #[arg(long, default_value = "sample-data")]
    data: PathBuf,
    /// The folder of versioned analyses.
    #[arg(long, default_value = "queries")]
    queries: PathBuf,
    /// The folder of report templates.
    #[arg(long, default_value = "report-templates")]
    templates: PathBuf,
    /// Where outputs are written.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// The SQL engine: datafusion, or duckdb (the second engine, for checking).
    #[arg(long, value_enum, default_value_t = EngineArg::Datafusion)]
    engine: EngineArg,
    /// The run history (default: `history` in ./cohort.toml, else .cohort/history.duckdb).
    #[arg(long)]
    history: Option<PathBuf>,
    /// Record nothing in the run history (as does COHORT_NO_HISTORY=1 in the environment).
    #[arg(long, conflicts_with = "history")]
    no_history: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineArg {
    Datafusion,
    Duckdb,
}

/// The project the options describe, with the history file resolved.
fn project(p: Paths) -> Result<Project, AppError> {
    let off = p.no_history
        || (p.history.is_none() && std::env::var_os("COHORT_NO_HISTORY").is_some_and(|v| v == "1"));
    let history = match (off, p.history) {
        (true, _) => None,
        (false, Some(h)) => Some(h),
        (false, None) => Some(app::default_history_path(std::path::Path::new("."))?),
    };
    Ok(Project {
        data: p.data,
        queries: p.queries,
        templates: p.templates,
        out: p.out,
        engine: match p.engine {
            EngineArg::Datafusion => EngineKind::DataFusion,
            EngineArg::Duckdb => EngineKind::DuckDb,
        },
        history,
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
        run: i64,
        /// Print the run's figures (as metrics.csv) instead.
        #[arg(long)]
        figures: bool,
        #[command(flatten)]
        at: HistoryPath,
    },
    /// The figures that differ between two runs of the same term, and why.
    Diff {
        run_a: i64,
        run_b: i64,
        #[command(flatten)]
        at: HistoryPath,
    },
    /// Re-run a past run's analysis versions on its data files and confirm the same figures.
    Verify {
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

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic Virtual School data set.
    Sample {
        #[arg(long, default_value_t = 400)]
        children: usize,
        #[arg(long, default_value_t = 3)]
        years: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// The last academic year generated, e.g. 2024-25.
        #[arg(long, default_value = "2024-25")]
        last_year: String,
        #[arg(long, value_enum, default_value_t = Format::Mixed)]
        format: Format,
        #[arg(long)]
        out: PathBuf,
    },
    /// Validate the data folder and every analysis; exit 1 when anything is wrong.
    Check {
        #[command(flatten)]
        paths: Paths,
        /// Also run every analysis on DataFusion and DuckDB and compare the results.
        #[arg(long)]
        cross_engine: bool,
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
    },
    /// Run what a template needs and write <out>/<template>.html.
    Report {
        /// Template name: a file report-templates/<name>.md.
        template: String,
        #[command(flatten)]
        paths: Paths,
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// Write one page per school (`school`) and an index, instead of one report.
        #[arg(long, value_parser = ["school"])]
        each: Option<String>,
        /// Output formats, comma separated: html (always written) and pdf.
        #[arg(long, default_value = "html", value_delimiter = ',', value_parser = ["html", "pdf"])]
        format: Vec<String>,
    },
    /// Run one SQL statement over the data folder and print the result.
    Query {
        sql: String,
        #[command(flatten)]
        paths: Paths,
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
    },
    /// Render a Markdown notebook whose ```sql cells run in order, to HTML (and PDF).
    Notebook {
        /// The notebook: a Markdown file.
        file: PathBuf,
        #[command(flatten)]
        paths: Paths,
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// Output formats, comma separated: html (always written) and pdf.
        #[arg(long, default_value = "html", value_delimiter = ',', value_parser = ["html", "pdf"])]
        format: Vec<String>,
    },
    /// Print the data contract as Markdown.
    Contract,
    /// Record every analysis's version and SQL hash in queries/versions.lock.
    Lock {
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
    },
}

fn main() -> ExitCode {
    match dispatch(Cli::parse().command) {
        Ok(message) => {
            if !message.is_empty() {
                println!("{message}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
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
            let summary = app::sample(&config, &out)?;
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
            let report = app::check(&project);
            if !report.is_clean() {
                return Err(AppError::Check(report));
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
        Command::Run { paths, term } => {
            let project = project(paths)?;
            let (output, recorded) = app::run_and_write(&project, text(term).as_deref())?;
            for w in cohort::run::warnings::warnings(&output) {
                eprintln!("{w}");
            }
            Ok(format!(
                "ran {} analyses for {} on {}; wrote {}/results/, {}/metrics.csv ({} figures) and {}/run.json{}",
                output.analyses.len(),
                output.term,
                output.engine,
                project.out.display(),
                project.out.display(),
                output.metrics.len(),
                project.out.display(),
                recorded_as(&project, recorded)
                    .map(|r| format!("; {r}"))
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
            let pdf = format.iter().any(|f| f == "pdf");
            let published = if each.is_some() {
                app::report_each_school(&project, &template, text(term).as_deref(), pdf)?
            } else {
                app::report_formats(&project, &template, text(term).as_deref(), pdf)?
            };
            let wrote = wrote(&published.paths);
            Ok(match recorded_as(&project, published.run) {
                Some(recorded) => format!("{wrote}\n{recorded}"),
                None => wrote,
            })
        }
        Command::Query { sql, paths, term } => {
            app::query(&project(paths)?, &sql, text(term).as_deref())
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
        Command::Contract => Ok(app::contract_markdown()),
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
