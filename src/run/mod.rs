//! Running analyses: each as soon as those it depends on have finished, on as many threads
//! as rayon has, every analysis a query over the shared catalog; then results,
//! `metrics.csv` and `run.json`.

pub mod cells;
pub mod convert;
pub mod cross;
#[cfg(test)]
mod fixture;
pub mod metrics;
pub mod model;
mod params;
pub mod reuse;
mod schedule;
mod sql_error;
pub mod value;
pub mod warnings;

pub use metrics::MetricRow;
use schedule::as_ready;
pub use sql_error::sql_error;
pub use value::{ResultTable, Value};

use crate::analysis::{self, Analysis, AnalysisError};
use crate::catalog::{Catalog, DataFile};
use crate::contract::Term;
use crate::engine::{Engine, Rows, TableName};
use crate::output::write_atomic;
use crate::period::Period;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error("{}: {message}", path.display())]
    Metric { path: PathBuf, message: String },
    #[error("engine {engine}: {message}")]
    Engine { engine: String, message: String },
    #[error("{}: model: {message}", path.display())]
    Model { path: PathBuf, message: String },
    /// An analysis a limit stopped (memory, disk for spilled data, time), named with its file.
    #[error("{}: {message}", path.display())]
    Limit { path: PathBuf, message: String },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One analysis as it ran.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisRun {
    pub id: String,
    pub version: u32,
    pub sql_hash: String,
    pub rows: usize,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    #[serde(skip)]
    pub result: ResultTable,
    /// The executed plan with each operator's rows and time, when the run was profiled.
    #[serde(skip)]
    pub profile: Option<String>,
}

/// Everything a run produced: what `run.json`, `results/` and `metrics.csv` hold.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutput {
    pub tool: String,
    pub tool_version: String,
    pub engine: String,
    /// The term the run is for, typed: written to `run.json` as `--term` reads it.
    pub term: Term,
    pub data_dir: PathBuf,
    pub files: Vec<DataFile>,
    pub rows_read: u64,
    /// What the run took from and wrote to the validated-data cache, when it used one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<crate::catalog::CacheUse>,
    pub analyses: Vec<AnalysisRun>,
    #[serde(skip)]
    pub metrics: Vec<MetricRow>,
    /// Where each earlier year's rows came from, when a report took them from history.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<YearSource>,
    /// Analyses run as drafts (changed since `cohort lock`): their figures are not for
    /// publication, and history comparisons refuse the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drafts: Vec<String>,
    /// What the run took from and kept in the result cache, when it used one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<reuse::ResultReuse>,
    /// The report parameters this run was for (`team = "Team East"`), when any.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// A family of reports (`--each team`) recorded as one run: each member's run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub family: Vec<FamilyMember>,
}

/// One report of a family, as the family's one run records it.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyMember {
    /// The parameter values it was for.
    pub parameters: BTreeMap<String, String>,
    /// The analyses it ran, with their rows for these values.
    pub analyses: Vec<AnalysisRun>,
    /// What it took from and kept in the result cache, when it used one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<reuse::ResultReuse>,
}

/// Where one analysis's rows for one academic year came from in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearSource {
    pub analysis: String,
    pub year: String,
    /// `published` (as an earlier report recorded it) or `recomputed` (by this run).
    pub source: String,
    /// The history run the published rows come from.
    pub run_id: Option<i64>,
    /// When that run was recorded (`YYYY-MM-DD`).
    pub recorded: Option<String>,
    /// The analysis version the rows were computed with.
    pub version: u32,
}

/// The academic years (`2023-24`) at which an analysis's version changes, from the
/// sources of a report: the first year computed with a different version than the year before.
pub fn series_breaks(sources: &[YearSource], analysis: &str) -> Vec<String> {
    let mut years: Vec<&YearSource> = sources.iter().filter(|s| s.analysis == analysis).collect();
    years.sort_by(|a, b| a.year.cmp(&b.year));
    years
        .windows(2)
        .filter(|w| w[0].version != w[1].version)
        .map(|w| w[1].year.clone())
        .collect()
}

impl RunOutput {
    pub fn result(&self, id: &str) -> Option<&AnalysisRun> {
        self.analyses.iter().find(|a| a.id == id)
    }
}

/// Registers the catalog's tables and the run's period with `engine`.
pub fn prepare(engine: &dyn Engine, catalog: &Catalog, term: Term) -> Result<(), RunError> {
    prepare_with(engine, catalog, &Period::new(term), &BTreeMap::new())
}

/// [`prepare`] for a run for one value of report parameters (`team = "Team East"`), which
/// analyses read from `params` as they read the term.
pub fn prepare_with(
    engine: &dyn Engine,
    catalog: &Catalog,
    period: &Period,
    parameters: &BTreeMap<String, String>,
) -> Result<(), RunError> {
    let fail = |e: crate::engine::EngineError| RunError::Engine {
        engine: engine.name().into(),
        message: e.message,
    };
    for t in &catalog.tables {
        let rows = match &t.stored {
            Some(path) => Rows::Parquet(t.schema.clone(), path.clone()),
            None => Rows::Batches(t.schema.clone(), t.batches.clone()),
        };
        engine
            .register(TableName::bare(&t.name), rows)
            .map_err(fail)?;
    }
    let (schema, batch) = params::table(period, parameters);
    engine
        .register(
            TableName::bare("params"),
            Rows::Batches(schema, vec![batch]),
        )
        .map_err(fail)?;
    Ok(())
}

/// How [`run`] goes: which analyses, whether profiled, the result cache, and whether the
/// engine is already set up. `RunOptions::default()` runs everything on a fresh engine.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Only these analyses and what they depend on; `None`: every analysis.
    pub only: Option<&'a [String]>,
    /// Keep each analysis's executed plan with its operators' rows and times
    /// (`cohort run --profile`: where a slow analysis spends its time); runs everything,
    /// taking nothing from the result cache, to time it.
    pub profile: bool,
    /// Reuse every result the result cache holds under an unchanged key and keep each
    /// result run; `None`: run everything, keep nothing.
    pub cache: Option<&'a reuse::ResultCache>,
    /// The engine is already set up ([`prepare`] or [`prepare_with`]), so earlier analyses'
    /// results stay registered (the query shell runs what each statement needs, once).
    pub prepared: bool,
}

/// Runs `analyses` for `term` as `options` say: each as soon as its dependencies have
/// finished, several at once, each result registered before anything that reads it starts.
pub fn run(
    catalog: &Catalog,
    analyses: &[Analysis],
    engine: &dyn Engine,
    term: Term,
    options: RunOptions<'_>,
) -> Result<RunOutput, RunError> {
    let RunOptions {
        only,
        profile,
        cache,
        prepared,
    } = options;
    if !prepared {
        prepare(engine, catalog, term)?;
    }
    let keys = match cache {
        Some(c) => reuse::keys(
            analyses,
            &reuse::table_hashes(catalog),
            engine.name(),
            term,
            c.salt(),
        )?,
        None => Default::default(),
    };
    let selected: Option<BTreeSet<String>> =
        only.map(|o| analysis::graph::with_dependencies(analyses, o));
    let waves = analysis::graph::waves(analyses)?;
    let order: Vec<usize> = waves
        .into_iter()
        .flatten()
        .filter(|&i| {
            selected
                .as_ref()
                .is_none_or(|s| s.contains(analyses[i].id()))
        })
        .collect();
    let bar = progress_bar(order.len() as u64);
    let workers = rayon::current_num_threads();
    let runs: Vec<AnalysisRun> = as_ready(analyses, &order, workers, |a| {
        let key = keys.get(a.id());
        let kept = match (cache, key) {
            (Some(c), Some(k)) if !profile => reuse::reuse(c, a, k),
            _ => None,
        };
        let r = match kept {
            Some(k) => Ok(k),
            None => run_one(engine, a, profile).inspect(|(run, batches)| {
                if let (Some(c), Some(k)) = (cache, key) {
                    reuse::keep(c, a.id(), k, run, batches);
                }
            }),
        };
        bar.inc(1);
        bar.set_message(a.id().to_string());
        let (run, batches) = r?;
        // Registered before any analysis that reads it is started.
        let (schema_name, table_name) = analysis::table_name(a.id());
        engine
            .register(
                TableName::in_schema(&schema_name, &table_name),
                Rows::of(batches),
            )
            .map_err(|e| RunError::Engine {
                engine: engine.name().into(),
                message: e.message,
            })?;
        Ok(run)
    })?;
    bar.finish_and_clear();
    let mut metric_rows = Vec::new();
    for a in analyses {
        if let Some(r) = runs.iter().find(|r| r.id == a.id()) {
            for spec in &a.meta.metrics {
                let rows = metrics::extract(spec, &r.result).map_err(|e| RunError::Metric {
                    path: a.path.clone(),
                    message: e.to_string(),
                })?;
                metric_rows.extend(rows.into_iter().map(|mut m| {
                    m.analysis = a.id().to_string();
                    m
                }));
            }
        }
    }
    one_answer_per_figure(&metric_rows, analyses)?;
    Ok(RunOutput {
        tool: "cohort".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        engine: engine.name().into(),
        term,
        data_dir: catalog.dir.clone(),
        files: catalog.files.clone(),
        rows_read: catalog.rows_read(),
        cache: catalog.cache.clone(),
        analyses: runs,
        metrics: metric_rows,
        drafts: Vec::new(),
        sources: Vec::new(),
        results: cache.map(reuse::ResultCache::used),
        parameters: BTreeMap::new(),
        family: Vec::new(),
    })
}

type Batches = Vec<crate::arrow::record_batch::RecordBatch>;

fn run_one(
    engine: &dyn Engine,
    a: &Analysis,
    profile: bool,
) -> Result<(AnalysisRun, Batches), RunError> {
    let started = Utc::now();
    let sql = a.sql_for(engine.name());
    let (mut batches, plan) = if profile {
        let (b, p) = engine.query_profiled(sql).map_err(|e| sql_error(a, &e))?;
        (b, Some(p))
    } else {
        (engine.query(sql).map_err(|e| sql_error(a, &e))?, None)
    };
    let mut result = convert::to_table(&batches);
    if let Some(spec) = &a.meta.model {
        let model_error = |message: String| RunError::Model {
            path: a.path.clone(),
            message,
        };
        if !result.columns.is_empty() {
            result = model::apply(spec, &result).map_err(|e| model_error(e.to_string()))?;
        } else {
            result.columns = model::COLUMNS.iter().map(|c| c.to_string()).collect();
        }
        batches = vec![convert::to_batch(&result).map_err(|e| model_error(e.to_string()))?];
    }
    let finished = Utc::now();
    let result = if result.columns.is_empty() {
        ResultTable {
            columns: batches
                .first()
                .map(|b| {
                    b.schema()
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .collect()
                })
                .unwrap_or_default(),
            rows: vec![],
        }
    } else {
        result
    };
    let run = AnalysisRun {
        id: a.id().to_string(),
        version: a.meta.version,
        sql_hash: a.sql_hash.clone(),
        rows: result.rows.len(),
        started,
        finished,
        result,
        profile: plan,
    };
    Ok((run, batches))
}

fn progress_bar(n: u64) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} running analyses {pos}/{len} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Writes `results/<id>.csv`, `metrics.csv` and `run.json` under `out` (and
/// `profile/<id>.txt` for a profiled run), each atomically.
pub fn write_outputs(output: &RunOutput, out: &Path) -> Result<(), RunError> {
    let write = |path: PathBuf, bytes: &[u8]| {
        write_atomic(&path, bytes).map_err(|e| RunError::Write { path, source: e })
    };
    for a in &output.analyses {
        write(
            out.join("results").join(format!("{}.csv", a.id)),
            a.result.to_csv().as_bytes(),
        )?;
    }
    for a in &output.analyses {
        if let Some(plan) = &a.profile {
            let seconds = (a.finished - a.started).num_milliseconds() as f64 / 1000.0;
            let text = format!(
                "{} (version {}): {seconds:.3} s, {} rows\n\n{plan}",
                a.id, a.version, a.rows
            );
            write(
                out.join("profile").join(format!("{}.txt", a.id)),
                text.as_bytes(),
            )?;
        }
    }
    write(
        out.join("metrics.csv"),
        metrics::to_csv(&output.metrics, output.term).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(output).map_err(|e| RunError::Write {
        path: out.join("run.json"),
        source: std::io::Error::other(e),
    })?;
    write(out.join("run.json"), json.as_bytes())
}

/// The same figure (metric, period, breakdown, group) written by two analyses must agree:
/// `metrics.csv` holds one answer per figure, and disclosure treats the two cells as one.
fn one_answer_per_figure(rows: &[MetricRow], analyses: &[Analysis]) -> Result<(), RunError> {
    let mut seen: std::collections::BTreeMap<(&str, &str, &str, &str), &MetricRow> =
        std::collections::BTreeMap::new();
    for m in rows {
        let key = (
            m.metric.as_str(),
            m.time_period.as_str(),
            m.breakdown.as_str(),
            m.group.as_str(),
        );
        let Some(first) = seen.get(&key) else {
            seen.insert(key, m);
            continue;
        };
        if first.analysis == m.analysis {
            continue;
        }
        if let (Some(a), Some(b)) = (first.value, m.value)
            && (a - b).abs() > 1e-6 * a.abs().max(b.abs()).max(1.0)
        {
            let path = analyses
                .iter()
                .find(|x| x.id() == m.analysis)
                .map(|x| x.path.clone())
                .unwrap_or_default();
            return Err(RunError::Metric {
                path,
                message: format!(
                    "`{}` for {} ({} {}) is {b} here but {a} in `{}`: one figure needs one \
                     answer; give one of them another metric id or breakdown",
                    m.metric, m.time_period, m.breakdown, m.group, first.analysis
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
