//! `cohort test`: hand-worked checks of analyses as plain files an analyst can read and add
//! to without writing Rust, one `queries/<area>/<name>.test.toml` per analysis (in the spirit
//! of DataFusion's sqllogictest files).
//!
//! Each `[[case]]` names a data folder to start from (`data`, relative to the project root)
//! and/or inline tables as CSV text (`[case.tables]`), a term, and what the analysis must
//! give: figures (`[[case.metric]]`), rows (`[[case.row]]`) and a row count (`rows`).
//! The arithmetic goes in `#` comments beside each expected value.

use super::{AppError, Project, load_analyses_or_drafts};
use crate::catalog::Catalog;
use crate::contract::{Contract, Term};
use crate::run::{self, ResultTable, Value};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A test file: the cases of one analysis.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
}

/// One case: its data, its term and what the analysis must give.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// A data folder to start from, relative to the project root.
    #[serde(default)]
    pub data: Option<PathBuf>,
    /// Tables as CSV text, replacing the folder's file for that table.
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    #[serde(default)]
    pub term: Option<String>,
    /// Report parameters the analysis reads from `params` (`params = { team = "Team North" }`).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// How many rows the result has.
    #[serde(default)]
    pub rows: Option<usize>,
    #[serde(default, rename = "metric")]
    pub metrics: Vec<ExpectedMetric>,
    #[serde(default, rename = "row")]
    pub expected_rows: Vec<ExpectedRow>,
}

/// A figure the analysis must write to `metrics.csv`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedMetric {
    pub id: String,
    pub period: String,
    #[serde(default = "all")]
    pub group: String,
    #[serde(default)]
    pub breakdown: Option<String>,
    /// The value; leave it out (with `absent = true`) for a figure that must not be written.
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub absent: bool,
    #[serde(default = "tolerance")]
    pub tolerance: f64,
}

/// A row that must be in the result: the row matching `where` has the `expect` values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRow {
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, toml::Value>,
    pub expect: BTreeMap<String, toml::Value>,
    #[serde(default = "tolerance")]
    pub tolerance: f64,
}

fn all() -> String {
    "all".into()
}

fn tolerance() -> f64 {
    1e-6
}

/// What one case gave: its failures (empty when it passed).
pub struct Outcome {
    pub analysis: String,
    pub case: String,
    pub failures: Vec<String>,
}

/// Every `.test.toml` under the queries folder, sorted.
pub fn find(queries: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![queries.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".test.toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The analysis a test file checks: `queries/attendance/absence_by_term.test.toml` is
/// `attendance/absence_by_term`.
fn analysis_id(queries: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(queries).unwrap_or(file);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.trim_end_matches(".test.toml").to_string()
}

fn bad(file: &Path, message: String) -> AppError {
    AppError::TestFile {
        path: file.to_path_buf(),
        message,
    }
}

/// A relative path that stays inside the project (no `..`, not absolute).
fn inside(file: &Path, p: &Path) -> Result<(), AppError> {
    if p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(bad(
            file,
            format!(
                "data = \"{}\": expected a folder inside the project, relative to its root",
                p.display()
            ),
        ));
    }
    Ok(())
}

/// Builds a case's data folder in `dir`: the starting folder's files, then the inline tables.
fn lay_out(file: &Path, root: &Path, case: &Case, dir: &Path) -> Result<(), AppError> {
    let contract = Contract::current();
    if let Some(base) = &case.data {
        inside(file, base)?;
        let mut from = root.join(base);
        // A shipped test file copied into a project (`cohort init --with-queries`) starts
        // from a folder built into cohort, which the project does not have.
        if !from.is_dir()
            && super::shipped::fixtures()
                .iter()
                .any(|f| Path::new(f) == base)
        {
            from = super::shipped::unpacked(root)?.join(base);
        }
        let entries = std::fs::read_dir(&from)
            .map_err(|e| bad(file, format!("data = \"{}\": {e}", base.display())))?;
        for e in entries.flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.join(e.file_name())).map_err(|source| {
                    AppError::Write {
                        path: dir.join(e.file_name()),
                        source,
                    }
                })?;
            }
        }
    }
    for (table, text) in &case.tables {
        if contract.table(table).is_none() {
            return Err(bad(
                file,
                format!("case `{}`: `{table}` is not a contract table", case.name),
            ));
        }
        for ext in ["csv", "parquet"] {
            let _ = std::fs::remove_file(dir.join(format!("{table}.{ext}")));
        }
        let body = text.trim_start_matches('\n');
        let path = dir.join(format!("{table}.csv"));
        std::fs::write(&path, body).map_err(|source| AppError::Write { path, source })?;
    }
    Ok(())
}

/// A TOML value as the analyst wrote it.
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

fn matches(v: &Value, want: &toml::Value, tol: f64) -> bool {
    match want {
        toml::Value::Integer(i) => v.as_f64().is_some_and(|x| (x - *i as f64).abs() <= tol),
        toml::Value::Float(f) => v.as_f64().is_some_and(|x| (x - f).abs() <= tol),
        toml::Value::Boolean(b) => *v == Value::Bool(*b),
        toml::Value::String(s) => v.to_string() == *s,
        _ => false,
    }
}

fn check_rows(t: &ResultTable, case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(n) = case.rows
        && t.rows.len() != n
    {
        failures.push(format!("expected {n} rows, got {}", t.rows.len()));
    }
    for want in &case.expected_rows {
        let col = |c: &str| t.column_index(c);
        if let Some(c) = want
            .filter
            .keys()
            .chain(want.expect.keys())
            .find(|c| col(c).is_none())
        {
            failures.push(format!(
                "no column `{c}` (columns: {})",
                t.columns.join(", ")
            ));
            continue;
        }
        let found: Vec<&Vec<Value>> = t
            .rows
            .iter()
            .filter(|r| {
                want.filter
                    .iter()
                    .all(|(c, v)| col(c).is_some_and(|i| matches(&r[i], v, 0.0)))
            })
            .collect();
        let wanted = || {
            want.filter
                .iter()
                .map(|(c, v)| format!("{c} = {}", shown(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match found.as_slice() {
            [row] => {
                for (c, v) in &want.expect {
                    if let Some(i) = col(c)
                        && !matches(&row[i], v, want.tolerance)
                    {
                        failures.push(format!(
                            "row where {}: {c} expected {}, got {}",
                            wanted(),
                            shown(v),
                            row[i]
                        ));
                    }
                }
            }
            [] => failures.push(format!("no row where {}", wanted())),
            many => failures.push(format!(
                "{} rows where {}: make `where` pick one",
                many.len(),
                wanted()
            )),
        }
    }
    failures
}

fn check_metrics(metrics: &[run::MetricRow], id: &str, case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    for want in &case.metrics {
        let found: Vec<&run::MetricRow> = metrics
            .iter()
            .filter(|m| {
                m.analysis == id
                    && m.metric == want.id
                    && m.time_period == want.period
                    && m.group == want.group
                    && want.breakdown.as_ref().is_none_or(|b| &m.breakdown == b)
            })
            .collect();
        let what = format!("{} for {} group {}", want.id, want.period, want.group);
        match (found.as_slice(), want.absent, want.value) {
            ([], true, _) => {}
            ([m, ..], true, _) => failures.push(format!(
                "{what}: expected no figure, got {}",
                m.value
                    .map_or("one with no value".to_string(), |x| x.to_string())
            )),
            ([], false, _) => failures.push(format!("{what}: not written")),
            ([m], false, Some(v)) => {
                if !m.value.is_some_and(|x| (x - v).abs() <= want.tolerance) {
                    let got = m.value.map_or("no value".to_string(), |x| x.to_string());
                    failures.push(format!("{what}: expected {v}, got {got}"));
                }
            }
            ([_], false, None) => failures.push(format!("{what}: give `value` or `absent = true`")),
            (many, false, _) => failures.push(format!(
                "{what}: {} figures match; give `breakdown`",
                many.len()
            )),
        }
    }
    failures
}

/// A folder for one case's data, removed when the case is done.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, AppError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("cohort-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|source| AppError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs one case of `id` and says what failed.
fn run_case(
    project: &Project,
    root: &Path,
    file: &Path,
    id: &str,
    case: &Case,
) -> Result<Vec<String>, AppError> {
    let dir = Scratch::new()?;
    lay_out(file, root, case, &dir.0)?;
    let catalog = match Catalog::open(&Contract::current(), &dir.0) {
        Ok(c) => c,
        Err(e) => {
            return Ok(vec![format!(
                "the case's data does not meet the contract:\n{e}"
            )]);
        }
    };
    let (analyses, _drafts) = load_analyses_or_drafts(project)?;
    if !analyses.iter().any(|a| a.id() == id) {
        return Err(bad(file, format!("no analysis `{id}` for this test file")));
    }
    // The case's term is read once, where the test file gives it.
    let asked = match case.term.as_deref().map(str::parse::<Term>).transpose() {
        Ok(t) => t,
        Err(e) => return Err(bad(file, format!("term: {e}"))),
    };
    let term = super::choose_term(&catalog, asked)?;
    for name in case.params.keys() {
        if crate::period::parameter(name).is_none() {
            return Err(bad(file, format!("params: no report parameter `{name}`")));
        }
    }
    let engine = project.engine.start()?;
    let period = crate::period::Period::new(term);
    run::prepare_with(engine.as_ref(), &catalog, &period, &case.params)?;
    let only = [id.to_string()];
    let options = run::RunOptions {
        only: Some(&only),
        prepared: true,
        ..Default::default()
    };
    let output = run::run(&catalog, &analyses, engine.as_ref(), term, options)?;
    let Some(result) = output.result(id) else {
        return Err(bad(file, format!("`{id}` did not run")));
    };
    let mut failures = check_rows(&result.result, case);
    failures.extend(check_metrics(&output.metrics, id, case));
    Ok(failures)
}

/// Runs every test file under the project's queries folder whose analysis id contains `filter`.
pub fn run_all(
    project: &Project,
    root: &Path,
    filter: Option<&str>,
) -> Result<Vec<Outcome>, AppError> {
    let mut outcomes = Vec::new();
    for file in find(&project.queries) {
        let id = analysis_id(&project.queries, &file);
        if filter.is_some_and(|f| !id.contains(f)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).map_err(|e| bad(&file, e.to_string()))?;
        let tests: TestFile = toml::from_str(&text).map_err(|e| {
            let line = crate::analysis::file::toml_error_line(&text, &e);
            bad(&file, format!("line {line}: {}", e.message()))
        })?;
        for case in &tests.cases {
            let failures = run_case(project, root, &file, &id, case)?;
            outcomes.push(Outcome {
                analysis: id.clone(),
                case: case.name.clone(),
                failures,
            });
        }
    }
    // The attention rules' hand-worked cases, beside the templates.
    let rules = "attention rules";
    if filter.is_none_or(|f| rules.contains(f)) {
        let (analyses, _drafts) = load_analyses_or_drafts(project)?;
        if let Some(cases) = crate::render::attention::test_cases(&project.templates, &analyses) {
            let file = project.templates.join(crate::render::attention::TEST_FILE);
            for (case, failures) in cases.map_err(|e| bad(&file, e))? {
                outcomes.push(Outcome {
                    analysis: rules.to_string(),
                    case,
                    failures,
                });
            }
        }
    }
    Ok(outcomes)
}

/// The outcomes as lines, ending with `N passed, N failed`.
pub fn summary(outcomes: &[Outcome]) -> (String, bool) {
    let mut lines = Vec::new();
    for o in outcomes {
        if o.failures.is_empty() {
            lines.push(format!("ok   {}: {}", o.analysis, o.case));
        } else {
            lines.push(format!("FAIL {}: {}", o.analysis, o.case));
            lines.extend(o.failures.iter().map(|f| format!("       {f}")));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    lines.push(format!(
        "{} passed, {failed} failed",
        outcomes.len() - failed
    ));
    (lines.join("\n"), failed == 0)
}

/// `cohort test [FILTER]`: runs the plain-file tests; an error when any fails.
pub fn test(project: &Project, filter: Option<&str>) -> Result<String, AppError> {
    let outcomes = run_all(project, Path::new("."), filter)?;
    if outcomes.is_empty() {
        return Ok(format!(
            "no .test.toml files under {}",
            project.queries.display()
        ));
    }
    let (text, ok) = summary(&outcomes);
    if ok {
        Ok(text)
    } else {
        Err(AppError::TestsFailed(text))
    }
}
