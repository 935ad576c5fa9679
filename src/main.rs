//! The `cohort` command line: parses arguments and calls the library; nothing else.

use clap::{Parser, Subcommand, ValueEnum};
use cohort::app::{self, AppError, Project};
use cohort::contract::AcademicYear;
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
}

impl From<Paths> for Project {
    fn from(p: Paths) -> Self {
        Project {
            data: p.data,
            queries: p.queries,
            templates: p.templates,
            out: p.out,
        }
    }
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
    },
    /// Run every analysis; write results/, metrics.csv and run.json.
    Run {
        #[command(flatten)]
        paths: Paths,
        /// The term, e.g. 2024-25-spring (default: the latest in the data).
        #[arg(long)]
        term: Option<String>,
    },
    /// Run what a template needs and write <out>/<template>.html.
    Report {
        /// Template name: a file report-templates/<name>.md.
        template: String,
        #[command(flatten)]
        paths: Paths,
        #[arg(long)]
        term: Option<String>,
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
        #[arg(long)]
        term: Option<String>,
    },
    /// Render a Markdown notebook whose ```sql cells run in order, to HTML (and PDF).
    Notebook {
        /// The notebook: a Markdown file.
        file: PathBuf,
        #[command(flatten)]
        paths: Paths,
        #[arg(long)]
        term: Option<String>,
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
        Command::Check { paths } => {
            let report = app::check(&paths.into());
            if report.is_clean() {
                Ok(report.to_string())
            } else {
                Err(AppError::Check(report))
            }
        }
        Command::Run { paths, term } => {
            let project: Project = paths.into();
            let output = app::run_and_write(&project, term.as_deref())?;
            Ok(format!(
                "ran {} analyses for {}; wrote {}/results/, {}/metrics.csv ({} figures) and {}/run.json",
                output.analyses.len(),
                output.term,
                project.out.display(),
                project.out.display(),
                output.metrics.len(),
                project.out.display()
            ))
        }
        Command::Report {
            template,
            paths,
            term,
            each,
            format,
        } => {
            let pdf = format.iter().any(|f| f == "pdf");
            if each.is_some() {
                let path = app::report_each_school(&paths.into(), &template, term.as_deref(), pdf)?;
                return Ok(format!("wrote {}", path.display()));
            }
            let written = app::report_formats(&paths.into(), &template, term.as_deref(), pdf)?;
            Ok(wrote(&written))
        }
        Command::Query { sql, paths, term } => app::query(&paths.into(), &sql, term.as_deref()),
        Command::Notebook {
            file,
            paths,
            term,
            format,
        } => {
            let pdf = format.iter().any(|f| f == "pdf");
            let written = app::notebook(&paths.into(), &file, term.as_deref(), pdf)?;
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
