//! The `cohort` command line: parses arguments and calls the library; nothing else.

use clap::{Parser, Subcommand, ValueEnum};
use cohort::app::cli::{EngineArg, HistoryPath, Paths, SampleArgs, TermArg, parse_param};
use cohort::app::{self, AppError, Project, ReportRequest};
use std::path::PathBuf;
use std::process::ExitCode;

/// Embedded analytics and reports for a Virtual School's data.
#[derive(Parser)]
#[command(name = "cohort", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        #[command(flatten)]
        term: TermArg,
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

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic Virtual School data set.
    #[command(
        after_help = "Examples:\n  cohort sample --out sample-data\n  cohort sample --children 30 --years 1 --out small\n  cohort sample --children 5000 --years 5 --format parquet --out big\n  cohort sample --layout returns --out as-submitted\n  cohort sample --layout xml --out as-xml"
    )]
    Sample(SampleArgs),
    /// Validate the data folder and every analysis; exit 1 when anything is wrong.
    Check {
        #[command(flatten)]
        paths: Paths,
        /// Also run every analysis on DataFusion and on a second engine and compare the
        /// results: DuckDB, or the --engine given (e.g. --engine ballista).
        #[arg(long)]
        cross_engine: bool,
        #[command(flatten)]
        term: TermArg,
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
        #[command(flatten)]
        term: TermArg,
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
        #[command(flatten)]
        term: TermArg,
        /// One report per value of a parameter the template declares (`params = ["team"]` in
        /// its front matter), e.g. --each team or --each school, each in its own file, with an index.
        #[arg(long, value_name = "PARAMETER", conflicts_with = "param")]
        each: Option<String>,
        /// The report for one value of a parameter, e.g. --param team="Team East".
        #[arg(long, value_name = "NAME=VALUE", value_parser = parse_param)]
        param: Option<(String, String)>,
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
        /// The term to start on (the page can change it).
        #[command(flatten)]
        term: TermArg,
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
        #[command(flatten)]
        term: TermArg,
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
        #[command(flatten)]
        term: TermArg,
        /// Output formats, comma separated: html (always written) and pdf.
        #[arg(long, default_value = "html", value_delimiter = ',', value_parser = ["html", "pdf"])]
        format: Vec<String>,
    },
    /// Write a cohort.toml over a folder of data files, placing each file by its columns.
    Init {
        /// The project folder (default: the working folder).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also copy the shipped analyses and templates into DIR/queries and
        /// DIR/report-templates to edit (without, the project runs those built into cohort).
        #[arg(long)]
        with_queries: bool,
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

fn dispatch(command: Command) -> Result<String, AppError> {
    match command {
        Command::Sample(args) => args.write(),
        Command::Check {
            paths,
            cross_engine,
            term: TermArg { term },
        } => {
            let project = paths.project()?;
            let report = app::check(&project, term);
            if !report.is_clean() {
                return Err(AppError::Check(Box::new(report)));
            }
            if cross_engine {
                let cross = app::history::cross_engine(&project, term)?;
                Ok(format!("{report}\n{cross}"))
            } else {
                Ok(report.to_string())
            }
        }
        Command::History { command } => match command {
            HistoryCommand::List { at } => app::history::list(&at.resolve()?),
            HistoryCommand::Show { run, figures, at } if figures => {
                app::history::figures(&at.resolve()?, run)
            }
            HistoryCommand::Show { run, at, .. } => app::history::show(&at.resolve()?, run),
            HistoryCommand::Diff { run_a, run_b, at } => {
                app::history::diff(&at.resolve()?, run_a, run_b)
            }
            HistoryCommand::Verify { run, at } => {
                app::history::verify(&Project::default(), &at.resolve()?, run)
            }
        },
        Command::Run {
            paths,
            term: TermArg { term },
            only,
            profile,
        } => {
            let project = paths.project()?;
            let (output, recorded) =
                app::run_and_write_profiled(&project, term, only.as_deref(), profile)?;
            for w in cohort::run::warnings::warnings(&output) {
                eprintln!("{}", app::style::for_stderr(&w));
            }
            Ok(app::run_summary(&project, &output, recorded))
        }
        Command::Report {
            template,
            paths,
            term: TermArg { term },
            each,
            param,
            format,
        } => {
            let project = paths.project()?;
            let Some(template) = template else {
                return app::list_templates(&project);
            };
            let request = ReportRequest {
                template,
                term,
                pdf: format.iter().any(|f| f == "pdf"),
                each,
                param,
            };
            let published = app::report_request(&project, &request)?;
            let mut said = format!("term {}\n{}", published.term, wrote(&published.paths));
            if let Some(note) = &published.note {
                said = format!("{said}\n{note}");
            }
            Ok(match app::recorded_as(&project, published.run) {
                Some(recorded) => format!("{said}\n{recorded}"),
                None => said,
            })
        }
        Command::Query {
            sql,
            paths,
            term: TermArg { term },
            mode,
            limit,
        } => {
            let mode: app::print::Mode = mode.parse().map_err(AppError::Shell)?;
            let project = paths.project()?;
            match sql {
                Some(sql) => app::query::once(&project, &sql, term, mode, limit),
                None => app::query::shell(&project, term, mode, limit).map(|_| String::new()),
            }
        }
        Command::Notebook {
            file,
            paths,
            term: TermArg { term },
            format,
        } => {
            let pdf = format.iter().any(|f| f == "pdf");
            Ok(wrote(&app::notebook(&paths.project()?, &file, term, pdf)?))
        }
        Command::Preview {
            target,
            paths,
            term: TermArg { term },
            port,
            host,
        } => app::preview::preview(&paths.project()?, &target, term, &host, port)
            .map(|()| String::new()),
        Command::Init { dir, with_queries } => app::init(&dir, with_queries),
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
                    term: TermArg { term },
                },
        } => {
            let audience = match audience {
                AudienceArg::Leadership => cohort::disclosure::Audience::Leadership,
                AudienceArg::Board => cohort::disclosure::Audience::Board,
                AudienceArg::School => cohort::disclosure::Audience::School,
            };
            app::export::ees(&paths.project()?, audience, term)
        }
        Command::Graph { paths, format } => {
            let format = match format {
                GraphArg::Text => app::graph::GraphFormat::Text,
                GraphArg::Dot => app::graph::GraphFormat::Dot,
                GraphArg::Html => app::graph::GraphFormat::Html,
            };
            app::graph::graph(&paths.project()?, format)
        }
        Command::Comparators { from, out } => app::comparators::derive(&from, &out),
        Command::Reconcile { paths, year } => {
            app::comparators::reconcile(&paths.project()?, year.as_deref())
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
