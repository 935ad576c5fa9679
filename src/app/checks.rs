//! `cohort check` and `cohort lock`: the data, the analyses, the lock and the templates checked; the lock written.

use super::*;

/// `cohort lock`: records every analysis's version and SQL hash, refusing (and writing
/// nothing) when `cohort check` would refuse an analysis: a file that does not read, a
/// dependency cycle, SQL that does not plan against the contract (or its DuckDB variant),
/// a declared column the result lacks, or a version lowered or unchanged over changed SQL.
pub fn write_lock(project: &Project) -> Result<usize, AppError> {
    let analyses = analysis::load_all(&project.queries)?;
    let (session, _) = planning_session(project, analyses, None, None)?;
    let problems = plan_all(&session);
    let analyses = session.analyses;
    if !problems.is_empty() {
        return Err(AppError::LockRefused {
            path: project.lock_path(),
            problems,
        });
    }
    Ok(lock::write(&analyses, &project.lock_path()).map_err(|e| vec![e])?)
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
    /// Why the SSDA903 data looks stale for the term, when it does and that is not allowed.
    pub stale: Option<String>,
    /// The term asked for, when the data does not cover it.
    pub term: Option<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.data.is_none()
            && self.analyses.is_empty()
            && self.templates.is_empty()
            && self.stale.is_none()
            && self.term.is_none()
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
        if let Some(s) = &self.stale {
            writeln!(f, "{s}")?;
        }
        if let Some(t) = &self.term {
            writeln!(f, "{t}")?;
        }
        problems(f, "analyses", &self.analyses)?;
        problems(f, "templates", &self.templates)
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
    // A check reads and checks every file, whatever the cache holds (and keeps what passed).
    let mut fresh = project.clone();
    if let Some(c) = &mut fresh.cache {
        c.reuse = false;
    }
    let catalog = match open_catalog(&fresh) {
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
    let loaded = catalog.is_some();
    report.rows = catalog.as_ref().map(|c| c.rows_read()).unwrap_or(0);
    report.checked_analyses = analyses.len();
    // One session: the catalog opened once, the term chosen once (a term the data does not
    // cover is a problem of the check, as it is an error of `run`).
    let session = match planning_session(project, analyses, catalog, term) {
        Ok((s, problem)) => {
            report.term = problem;
            s
        }
        Err(e) => {
            report.analyses.push(e.to_string());
            return report;
        }
    };
    report.analyses.extend(plan_all(&session));
    let analyses = &session.analyses;
    // The term the templates and the staleness are checked for: the one asked for or the
    // data's latest (none when the data has no marks or did not load).
    let term = (loaded && report.term.is_none())
        .then(|| term.or_else(|| session.catalog.latest_term()))
        .flatten();
    if let Some(t) = term
        && let Some(stale) = session.catalog.staleness(t)
    {
        if project.allow_stale {
            report
                .warnings
                .push(format!("(allowed by --allow-stale) {stale}"));
        } else {
            report.stale = Some(stale.to_string());
        }
    }
    let found = template_check::check_templates(
        &project.templates,
        &project.data,
        analyses,
        loaded.then_some(&session.catalog),
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

/// The term the planning session falls back to when the data has none (no marks, or it did
/// not load): the summer term of 2024-25.
const PLANNING_TERM: i32 = 2024 * 3 + 2;

/// The session `cohort check` and `cohort lock` plan in: `analyses` as loaded (their
/// problems are collected by the caller), `catalog` (empty tables when the data did not
/// load), the period of `asked` or the data's latest term, and DataFusion, on which every
/// analysis is planned (DuckDB variants are planned on DuckDB apart). A term asked for that
/// the data does not cover leaves the session on the latest term, and is returned beside
/// it as the problem of the check.
fn planning_session(
    project: &Project,
    analyses: Vec<Analysis>,
    catalog: Option<Catalog>,
    asked: Option<Term>,
) -> Result<(Session, Option<String>), AppError> {
    let catalog = catalog.unwrap_or_else(|| Catalog::empty(&Contract::current()));
    let fallback = catalog
        .latest_term()
        .unwrap_or(Term::from_ordinal(PLANNING_TERM));
    let (term, problem) = match pick_term(&catalog, asked) {
        Ok(t) => (t, None),
        // No marks and no term asked: plan on the fallback, as before any data.
        Err(AppError::NoTerm { .. }) => (fallback, None),
        Err(e) => (fallback, Some(e.to_string())),
    };
    let engine = DataFusionEngine::new()?;
    run::prepare(&engine, &catalog, term)?;
    let session = Session {
        project: project.clone(),
        analyses,
        drafts: Vec::new(),
        catalog,
        period: crate::period::Period::new(term),
        engine: Box::new(engine),
        results: None,
    };
    Ok((session, problem))
}

/// Plans every analysis in dependency order against the contract's schemas (the session's
/// tables, empty when the data did not load), so SQL errors show without running anything.
fn plan_all(session: &Session) -> Vec<String> {
    let mut problems = Vec::new();
    let (analyses, engine, term) = (
        &session.analyses,
        session.engine.as_ref(),
        session.period.term,
    );
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
                let empty = crate::arrow::record_batch::RecordBatch::new_empty(schema.clone());
                let rows = crate::engine::Rows::Batches(schema.clone(), vec![empty]);
                if let Err(e) = engine.register(crate::engine::TableName::in_schema(&s, &n), rows) {
                    problems.push(e.to_string());
                }
                problems.extend(analysis::columns::missing_columns(a, &schema));
            }
            Err(e) => problems.push(run::sql_error(a, &e).to_string()),
        }
    }
    problems.extend(variants::plan_duckdb_variants(analyses, &planned, term));
    problems
}

/// One titled list of problems in `cohort check`'s report, nothing when there are none.
fn problems<T: std::fmt::Display>(
    f: &mut std::fmt::Formatter<'_>,
    title: &str,
    items: &[T],
) -> std::fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    let s = if items.len() == 1 { "" } else { "s" };
    writeln!(f, "{title} ({} problem{s}):", items.len())?;
    for item in items {
        writeln!(f, "  {item}")?;
    }
    Ok(())
}
