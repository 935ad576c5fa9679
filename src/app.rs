//! The commands of the `cohort` binary as library functions, so tests call what users run.
//!
//! Each command wires the stages in order (contract → catalog → analysis → run →
//! render) and returns a typed error that `main` prints with its context.

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

use crate::analysis::{self, Analysis, AnalysisError, lock};
use crate::catalog::{Catalog, CatalogError};
use crate::contract::{Contract, Term, calendar::CalendarParseError};
use crate::disclosure::{self, DisclosureError, Policy};
use crate::engine::{DataFusionEngine, Engine, EngineError, EngineKind};
use crate::history::{HistoryError, RunKind};
use crate::output::{PathError, safe_slug, write_atomic};
use crate::render::{self, RenderError, ReportTemplate};
use crate::run::{self, RunError, RunOutput, convert};
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
        }
    }
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

/// `cohort contract`: the data contract as Markdown.
pub fn contract_markdown() -> String {
    crate::contract::to_markdown(&Contract::current())
}

/// The README written beside a generated data set: what it is, what is planted, the contract.
pub fn sample_readme() -> String {
    format!(
        "# Sample data\n\nA synthetic Virtual School made by `cohort sample`: no real child is in it. \
         It is generated from a seed, so the same command gives the same files. This page is generated \
         from the data contract; do not edit it by hand (a test fails when it is stale).\n\n\
         Regenerate the bundled set with:\n\n```\ncargo run --release -- sample --children 400 --years 3 --seed 7 --out sample-data\n```\n\n{}\n\n{}",
        sample::planted_relationships().trim(),
        crate::contract::to_markdown(&Contract::current())
            .replacen("# The cohort data contract", "## The data contract", 1)
            .replace("\n## ", "\n### ")
            .replace("\n# Code lists", "\n## Code lists")
            .replacen("### The data contract", "## The data contract", 1)
    )
}

/// `cohort sample`: writes a synthetic data set and its README.
pub fn sample(config: &SampleConfig, out: &Path) -> Result<sample::SampleSummary, AppError> {
    let summary = sample::generate(config, out)?;
    let readme = out.join("README.md");
    write_atomic(&readme, sample_readme().as_bytes()).map_err(|e| AppError::Write {
        path: readme,
        source: e,
    })?;
    Ok(summary)
}

/// `cohort sample --layout returns` (or `xml`): the same data set with the 903 tables as
/// yearly returns under `out/903/<year>/`, as an authority submits them: CSV per table, or
/// one DfE XML return per year.
pub fn sample_returns(
    config: &SampleConfig,
    out: &Path,
    xml: bool,
) -> Result<sample::SampleSummary, AppError> {
    let mut summary = sample(config, out)?;
    let first =
        crate::contract::AcademicYear::new(config.last_year.start - config.years as i32 + 1);
    let written = sample::returns::split(out, first.first_day(), config.last_year.last_day())?;
    summary.files.retain(|(name, _)| {
        !["header.csv", "episodes.csv", "oc2.csv", "oc3.csv"].contains(&name.as_str())
    });
    if xml {
        summary.files.extend(sample::returns::to_xml(out)?);
    } else {
        summary.files.extend(written);
    }
    Ok(summary)
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

/// `cohort report` without a name: each template in the templates folder with its audience
/// and title.
pub fn list_templates(project: &Project) -> Result<String, AppError> {
    let mut out = format!("templates in {}:\n", project.templates.display());
    for name in crate::render::template::list(&project.templates) {
        let t = ReportTemplate::load(&project.templates, &name)?;
        let audience = format!("{:?}", t.meta.audience).to_lowercase();
        out.push_str(&format!("  {name:<20} {audience:<11} {}\n", t.meta.title));
    }
    out.push_str("run one with: cohort report NAME [--format html,pdf]");
    Ok(out)
}

/// `cohort lock`: records every analysis's version and SQL hash.
pub fn write_lock(project: &Project) -> Result<usize, AppError> {
    let analyses = analysis::load_all(&project.queries)?;
    Ok(lock::write(&analyses, &project.lock_path()).map_err(|e| vec![e])?)
}

/// The term to report on: the one asked for, or the latest with attendance marks.
pub fn choose_term(catalog: &Catalog, asked: Option<&str>) -> Result<Term, AppError> {
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
    let opened = Catalog::open_some(&contract, &project.data, &project.sources, wanted, term);
    reading.finish_and_clear();
    let mut catalog = opened?;
    if let Some(la) = &project.la_code {
        catalog.set_authority(&contract, la);
    }
    for note in &catalog.notes {
        eprintln!("{}", style::for_stderr(&format!("warning: {note}")));
    }
    Ok(catalog)
}

/// `cohort run`: runs every analysis (or `only` and what they need) and writes the outputs.
pub fn run(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
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
    let mut output = run::run(&catalog, &analyses, engine.as_ref(), term, only)?;
    output.drafts = drafts;
    Ok((output, analyses))
}

/// `cohort run` with its files written under `project.out`, and recorded in the history.
pub fn run_and_write(
    project: &Project,
    term: Option<&str>,
    only: Option<&[String]>,
) -> Result<(RunOutput, Option<i64>), AppError> {
    let (output, analyses) = run(project, term, only)?;
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

/// The report time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn report_time() -> DateTime<Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or_else(Utc::now)
}

/// A template, its analyses and the finished run it renders from.
struct Prepared {
    template: ReportTemplate,
    analyses: Vec<Analysis>,
    output: RunOutput,
    term: Term,
}

impl Prepared {
    /// The run's figures as the template's audience may see them (the disclosure stage).
    fn disclose(&self) -> Result<disclosure::Disclosed, AppError> {
        let policy = Policy::for_audience(self.template.meta.audience);
        Ok(disclosure::disclose(policy, &self.output, &self.analyses)?)
    }

    /// Records a report's run and the files it staged in the history, and puts the files
    /// in place; returns the run and the files' paths.
    fn record(
        &self,
        project: &Project,
        template_name: &str,
        staging: Staging,
    ) -> Result<(Option<i64>, Vec<PathBuf>), AppError> {
        history::record(
            project,
            RunKind {
                command: "report",
                template: Some(template_name.to_string()),
            },
            &self.output,
            &self.analyses,
            staging,
            true,
        )
    }
}

fn prepare_report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    extra: &[&str],
) -> Result<Prepared, AppError> {
    // A template is a name in the templates folder, never a path.
    crate::output::template_file(&project.templates, template_name)?;
    let template = ReportTemplate::load(&project.templates, template_name)?;
    // A published report (board, school) rests only on locked analyses; one that stays in
    // the Virtual School (leadership, officers) may carry drafts, under a DRAFT banner.
    let (analyses, drafts) = if disclosure::publication::publishes(template.meta.audience) {
        (load_analyses(project)?, Vec::new())
    } else {
        load_analyses_or_drafts(project)?
    };
    let mut wanted: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    // Everything published with this report (the board report and the school pages of a
    // term are one publication) is run, so disclosure is solved over all of it.
    for t in disclosure::publication::templates(&project.templates, &template)? {
        wanted.extend(t.named_analyses());
        if disclosure::publication::publishes(t.meta.audience) {
            wanted.push("schools/summary".into());
        }
        // Every analysis that writes a named metric: breakdowns of one metric can come from several.
        for m in t.named_metrics() {
            wanted.extend(
                analyses
                    .iter()
                    .filter(|a| a.meta.metrics.iter().any(|s| s.id == m))
                    .map(|a| a.id().to_string()),
            );
        }
        if ["national(", "headlines(", "years("]
            .iter()
            .any(|call| t.body.contains(call))
        {
            wanted.push("reference/national_benchmarks".into());
        }
    }
    // Only the tables the template's analyses read are loaded and checked.
    let tables = tables_for(&analyses, &wanted);
    let catalog = open_catalog_for(project, tables.as_ref(), term)?;
    let term = choose_term(&catalog, term)?;
    let engine = project.engine.start()?;
    let mut output = run::run(&catalog, &analyses, engine.as_ref(), term, Some(&wanted))?;
    output.drafts = drafts
        .into_iter()
        .filter(|d| output.analyses.iter().any(|a| &a.id == d))
        .collect();
    if disclosure::publication::publishes(template.meta.audience) {
        history::apply_published(project, &mut output, &analyses, term)?;
    }
    Ok(Prepared {
        template,
        analyses,
        output,
        term,
    })
}

/// The publication a report belongs to, before and after disclosure: the run (with what
/// the board last saw for earlier years), its analyses, and the figures the template's
/// audience may see. What `report` renders from; for tests and checks.
pub fn disclosed_report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
) -> Result<(RunOutput, Vec<Analysis>, disclosure::Disclosed), AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    Ok((p.output, p.analyses, disclosed))
}

/// `cohort report`: runs what the template needs and writes `<out>/<template>.html`.
pub fn report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
) -> Result<PathBuf, AppError> {
    Ok(report_formats(project, template_name, term, false)?
        .paths
        .remove(0))
}

/// What a report command wrote, and the history run that records it (none with `--no-history`).
#[derive(Debug)]
pub struct Published {
    pub paths: Vec<PathBuf>,
    pub run: Option<i64>,
    /// The term reported on.
    pub term: Term,
    /// What else was written, said once (the school pages of `--each school`).
    pub note: Option<String>,
}

/// `cohort report --format html,pdf`: the HTML and, when `pdf` is set, the same report as
/// `<out>/<template>.pdf`, typeset in-process. Both are rendered before either is written.
pub fn report_formats(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    let rendered = render::render_disclosed(
        &p.template,
        &disclosed,
        p.analyses.clone(),
        p.term,
        report_time(),
        &[],
        pdf,
    )?;
    let mut staging = Staging::new(&project.out)?;
    stage_html_and_pdf(&mut staging, template_name, &rendered.html, rendered.pdf)?;
    // The disclosed results and metrics.csv are part of the publication: staged with it.
    disclosure::export::write(&disclosed, &p.analyses, staging.dir())?;
    staging.adopt()?;
    let (run, paths) = p.record(project, template_name, staging)?;
    // Name the report's own files; its results/ and metrics.csv are written beside them.
    let paths = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "pdf"))
        .collect();
    Ok(Published {
        paths,
        run,
        term: p.term,
        note: None,
    })
}

/// `cohort report <template> --each school`: one page per school with children in care
/// (from `schools/summary`), each given `school_urn` and `school_name`, and an index page.
/// Writes `<out>/<template>/<urn>.html` (and `<urn>.pdf` when `pdf` is set) and
/// `<out>/<template>/index.html`.
pub fn report_each_school(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &["schools/summary"])?;
    let summary = p
        .output
        .result("schools/summary")
        .map(|r| r.result.clone())
        .unwrap_or_default();
    let (Some(urn_col), Some(name_col)) =
        (summary.column_index("urn"), summary.column_index("name"))
    else {
        return Err(AppError::Data(
            "schools/summary must have `urn` and `name` columns".into(),
        ));
    };
    let dir = PathBuf::from(template_name);
    let generated = report_time();
    let disclosed = p.disclose()?;
    let mut pages: Vec<(String, String, String)> = Vec::new();
    // Render every page first, then write: an error leaves no half-written set.
    let mut rendered = Vec::new();
    let mut slugs: std::collections::BTreeMap<String, String> = Default::default();
    let progress = style::bar(summary.rows.len() as u64, "rendering school pages");
    for row in &summary.rows {
        progress.inc(1);
        let urn = row[urn_col].to_string();
        let name = row[name_col].to_string();
        // File names come from a safe slug of the URN, never from the value itself.
        let slug = safe_slug(&urn)?;
        if let Some(other) = slugs.insert(slug.clone(), urn.clone()) {
            return Err(AppError::Data(format!(
                "schools `{other}` and `{urn}` would both be written as {slug}.html: URNs must differ in their letters and digits"
            )));
        }
        let page = render::render_disclosed(
            &p.template,
            &disclosed.for_school(&urn),
            p.analyses.clone(),
            p.term,
            generated,
            &[("school_urn", urn.clone()), ("school_name", name.clone())],
            pdf,
        )?;
        rendered.push((dir.join(format!("{slug}.html")), page.html.into_bytes()));
        if let Some(bytes) = page.pdf {
            rendered.push((dir.join(format!("{slug}.pdf")), bytes));
        }
        pages.push((slug, urn, name));
    }
    progress.finish_and_clear();
    let mut staging = Staging::new(&project.out)?;
    for (path, bytes) in &rendered {
        staging.write(path, bytes)?;
    }
    let mut list = String::from("<ul class=\"school-index\">\n");
    for (slug, urn, name) in &pages {
        let urn = render::html::escape(urn);
        let pdf_link = if pdf {
            format!(" · <a href=\"{slug}.pdf\">PDF</a>")
        } else {
            String::new()
        };
        list.push_str(&format!(
            "<li><a href=\"{slug}.html\">{}</a> (URN {urn}){pdf_link}</li>\n",
            render::html::escape(name),
        ));
    }
    list.push_str("</ul>\n");
    let index = render::html::page(&render::html::Page {
        title: &p.template.meta.title,
        subtitle: &format!("Term {} · {} schools", p.term, pages.len()),
        audience_label: "School advisory visits",
        marking: None,
        body: &list,
        toc: &[],
        provenance: "",
    });
    let index_path = staging.write(&dir.join("index.html"), index.as_bytes())?;
    disclosure::export::write(&disclosed, &p.analyses, staging.dir())?;
    staging.adopt()?;
    let (run, _) = p.record(project, template_name, staging)?;
    let formats = if pdf { "HTML and PDF" } else { "HTML" };
    Ok(Published {
        note: Some(format!(
            "wrote {} school pages ({formats}) in {}",
            pages.len(),
            project.out.join(&dir).display()
        )),
        paths: vec![index_path],
        run,
        term: p.term,
    })
}

/// `cohort notebook FILE.md`: runs every analysis, then the notebook's SQL cells in order
/// (each cell's result is the table `cell_<n>` for the cells after it), and writes
/// `<out>/<file stem>.html`, and `<out>/<file stem>.pdf` when `pdf` is set. The versioned
/// analyses are not changed.
pub fn notebook(
    project: &Project,
    file: &Path,
    term: Option<&str>,
    pdf: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::Data(format!("{}: cannot read: {e}", file.display())))?;
    let nb = render::notebook::Notebook::parse(file, &text)?;
    let (analyses, drafts) = load_analyses_or_drafts(project)?;
    let catalog = open_catalog(project)?;
    let term = choose_term(&catalog, term)?;
    let engine = project.engine.start()?;
    let output = run::run(&catalog, &analyses, engine.as_ref(), term, None)?;
    let mut results = Vec::new();
    for block in &nb.blocks {
        let render::notebook::Cell::Sql { sql, line, .. } = block else {
            continue;
        };
        let batches = engine.query(sql).map_err(|e| {
            let at = e.line.map_or(*line, |l| line + l - 1);
            let excerpt = std::fs::read_to_string(file)
                .map(|text| crate::excerpt::excerpt(&text, at, e.column.map(|c| (c, 1))))
                .unwrap_or_default();
            AppError::Render(RenderError::Template {
                path: file.to_path_buf(),
                line: at,
                message: format!("cell {}: {}", results.len() + 1, e.message),
                excerpt,
            })
        })?;
        let table = convert::to_table(&batches);
        let schema = batches
            .first()
            .map(|b| b.schema())
            .unwrap_or_else(|| std::sync::Arc::new(datafusion::arrow::datatypes::Schema::empty()));
        engine.register(
            None,
            &format!("cell_{}", results.len() + 1),
            schema,
            batches,
        )?;
        results.push(table);
    }
    let body = nb.document(&results)?;
    let mut subtitle = format!("Notebook · term {term} · data {}", project.data.display());
    if let Some(banner) = render::draft_banner(&drafts) {
        subtitle = format!("{banner} · {subtitle}");
    }
    let report = render::Report {
        title: nb.title.clone(),
        subtitle,
        audience_label: "Analyst notebook (not a published report)".into(),
        marking: None,
        body,
        provenance: vec![render::document::Block::Paragraph(vec![
            render::document::Inline::Text(format!(
                "Produced by cohort {} with the {} engine on {} from ",
                env!("CARGO_PKG_VERSION"),
                engine.name(),
                report_time().format("%-d %B %Y at %H:%M UTC"),
            )),
            render::document::Inline::Code(project.data.display().to_string()),
            render::document::Inline::Text(format!(
                " ({} rows read); {} analyses run first so cells can use them.",
                output.rows_read,
                output.analyses.len()
            )),
        ])],
        contents: false,
    };
    // Typeset before writing anything, so a PDF error leaves no HTML behind either.
    let pdf_bytes = if pdf {
        Some(render::typeset_report(&report, file, 1)?)
    } else {
        None
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "notebook".into());
    let mut staging = Staging::new(&project.out)?;
    stage_html_and_pdf(
        &mut staging,
        &safe_slug(&stem)?,
        &render::html::report_page(&report),
        pdf_bytes,
    )?;
    Ok(staging.publish()?)
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

/// A result as an aligned plain-text table for the terminal (every row).
pub fn format_text_table(t: &run::ResultTable) -> String {
    print::format(t, print::Mode::Table, Some(0))
}

/// Every problem `cohort check` found, grouped by where it was found.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub data: Option<CatalogError>,
    pub analyses: Vec<String>,
    pub checked_analyses: usize,
    /// Templates that cannot render: unreadable, or naming an analysis or metric that does not exist.
    pub templates: Vec<String>,
    pub checked_templates: usize,
    pub rows: u64,
    /// Findings that do not fail the check (an analysis nothing uses).
    pub warnings: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.data.is_none() && self.analyses.is_empty() && self.templates.is_empty()
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            write!(
                f,
                "ok: data meets the contract ({} rows), {} analyses plan cleanly and match versions.lock, and {} templates name only analyses and metrics that exist",
                self.rows, self.checked_analyses, self.checked_templates
            )?;
            for w in &self.warnings {
                write!(f, "\nwarning: {w}")?;
            }
            return Ok(());
        }
        if let Some(d) = &self.data {
            writeln!(f, "{d}")?;
        }
        if !self.analyses.is_empty() {
            writeln!(
                f,
                "analyses ({} problem{}):",
                self.analyses.len(),
                if self.analyses.len() == 1 { "" } else { "s" }
            )?;
            for a in &self.analyses {
                writeln!(f, "  {a}")?;
            }
        }
        if !self.templates.is_empty() {
            writeln!(
                f,
                "templates ({} problem{}):",
                self.templates.len(),
                if self.templates.len() == 1 { "" } else { "s" }
            )?;
            for t in &self.templates {
                writeln!(f, "  {t}")?;
            }
        }
        Ok(())
    }
}

/// `cohort check`: validates the data folder, every analysis (front matter, lock, SQL planned
/// against the contract's tables) and every template (what it names exists; for `term`, or
/// the latest, which sections the data leaves empty); collects every problem.
pub fn check(project: &Project, term: Option<Term>) -> CheckReport {
    let mut report = CheckReport::default();
    let (analyses, errors) = analysis::load_each(&project.queries);
    report.analyses.extend(errors.iter().map(|e| e.to_string()));
    match lock::read(&project.lock_path()) {
        Ok(l) => report.analyses.extend(
            lock::verify(&analyses, &l, &project.lock_path())
                .iter()
                .map(|e| e.to_string()),
        ),
        Err(e) => report.analyses.push(e.to_string()),
    }
    let catalog = match open_catalog(project) {
        Ok(c) => Some(c),
        Err(AppError::Catalog(e)) => {
            report.data = Some(e);
            None
        }
        Err(e) => {
            report.analyses.push(e.to_string());
            None
        }
    };
    report.rows = catalog.as_ref().map(|c| c.rows_read()).unwrap_or(0);
    report
        .analyses
        .extend(plan_all(&analyses, catalog.as_ref()));
    report.checked_analyses = analyses.len();
    let term = term.or_else(|| catalog.as_ref().and_then(Catalog::latest_term));
    let found = template_check::check_templates(
        &project.templates,
        &project.data,
        &analyses,
        catalog.as_ref(),
        term,
    );
    report.templates = found.errors;
    report.checked_templates = found.checked;
    report.warnings.extend(found.warnings);
    if let Ok(g) = graph::build(project) {
        let unused = g.unused_analyses();
        if !unused.is_empty() {
            report.warnings.push(format!(
                "used by no template, metric or other analysis (see `cohort graph`): {}",
                unused.join(", ")
            ));
        }
    }
    report
}

/// Plans every analysis in dependency order against the contract's schemas (empty tables
/// when the data did not load), so SQL errors show without running anything.
fn plan_all(analyses: &[Analysis], catalog: Option<&Catalog>) -> Vec<String> {
    let mut problems = Vec::new();
    let engine = match DataFusionEngine::new() {
        Ok(e) => e,
        Err(e) => return vec![e.to_string()],
    };
    let empty;
    let catalog = match catalog {
        Some(c) => c,
        None => {
            empty = Catalog::empty(&Contract::current());
            &empty
        }
    };
    let term = catalog
        .latest_term()
        .unwrap_or(Term::from_ordinal(2024 * 3 + 2));
    if let Err(e) = run::prepare(&engine, catalog, term) {
        return vec![e.to_string()];
    }
    let Ok(waves) = analysis::graph::waves(analyses) else {
        return problems;
    };
    let mut planned = Vec::new();
    for i in waves.into_iter().flatten() {
        let a = &analyses[i];
        match engine.plan(&a.sql) {
            Ok(schema) => {
                planned.push((a.id().to_string(), schema.clone()));
                let (s, n) = analysis::table_name(a.id());
                let empty = datafusion::arrow::record_batch::RecordBatch::new_empty(schema.clone());
                if let Err(e) = engine.register(Some(&s), &n, schema.clone(), vec![empty]) {
                    problems.push(e.to_string());
                }
                for m in &a.meta.metrics {
                    for col in [
                        Some(&m.value),
                        Some(&m.time_period),
                        m.numerator.as_ref(),
                        m.denominator.as_ref(),
                        m.group.as_ref(),
                        m.breakdown_column.as_ref(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        if schema.index_of(col).is_err() {
                            problems.push(format!("{}: metric `{}` reads column `{col}`, which the SQL does not return", a.path.display(), m.id));
                        }
                    }
                }
                for c in &a.meta.charts {
                    for col in std::iter::once(&c.x)
                        .chain(&c.y)
                        .chain(&c.comparators)
                        .chain(c.series.as_ref())
                    {
                        if schema.index_of(col).is_err() {
                            problems.push(format!("{}: chart `{}` reads column `{col}`, which the SQL does not return", a.path.display(), c.title));
                        }
                    }
                }
            }
            Err(e) => problems.push(run::sql_error(a, &e).to_string()),
        }
    }
    problems.extend(variants::plan_duckdb_variants(analyses, &planned, term));
    problems
}
