//! Recording runs in the history, the `cohort history` commands, and the cross-engine check.

use super::{AppError, Drafts, Project, Session};
use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::contract::{Contract, Term};
use crate::engine::EngineKind;
use crate::history::diff::{self, Side};
use crate::history::{History, Published, Recording, RunKind};
use crate::period::Period;
use crate::run::{self, RunOutput, cross};
use crate::staging::{Staging, StagingError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Records a finished run, and the files a report staged (when `list_outputs`), in the
/// project's history (when it keeps one), moving the staged files into place just before
/// the history commits: both happen, or neither. Returns the run id and the final paths.
pub fn record(
    project: &Project,
    kind: RunKind,
    output: &RunOutput,
    analyses: &[Analysis],
    mut staging: Staging,
    list_outputs: bool,
) -> Result<(Option<i64>, Vec<PathBuf>), AppError> {
    let Some(path) = &project.history else {
        let paths = staging.publish()?;
        return Ok((None, paths));
    };
    let mut published = Vec::new();
    if list_outputs {
        for (p, bytes) in staging.contents()? {
            published.push(Published {
                path: p,
                sha256: hex::encode(Sha256::digest(&bytes)),
                bytes: bytes.len() as u64,
            });
        }
    }
    let sources: BTreeMap<&str, &str> = analyses
        .iter()
        .map(|a| (a.id(), a.source.as_str()))
        .collect();
    let source = |id: &str| sources.get(id).map(|s| s.to_string()).unwrap_or_default();
    let mut history = History::open(path)?;
    let mut failure: Option<StagingError> = None;
    let mut paths = Vec::new();
    let mut publish = || match staging.publish() {
        Ok(p) => {
            paths = p;
            Ok(())
        }
        Err(e) => {
            let message = e.to_string();
            failure = Some(e);
            Err(message)
        }
    };
    let run = Recording {
        kind: &kind,
        output,
        source: &source,
        published: &published,
        recorded_at: chrono::Utc::now(),
    };
    let recorded = history.record_then(&run, &mut publish);
    match (recorded, failure) {
        (_, Some(e)) => Err(e.into()),
        (Err(e), None) => Err(e.into()),
        (Ok(id), None) => Ok((Some(id), paths)),
    }
}

/// Where earlier years come from in a board report: the project's history, when it has one.
pub fn apply_published(
    project: &Project,
    output: &mut RunOutput,
    analyses: &[Analysis],
    period: Period,
) -> Result<(), AppError> {
    let Some(path) = &project.history else {
        return Ok(());
    };
    let history = History::open(path)?;
    crate::history::published::apply(&history, output, analyses, period.year)?;
    Ok(())
}

/// `cohort history list`.
pub fn list(path: &Path) -> Result<String, AppError> {
    let history = History::open(path)?;
    let runs = history.list()?;
    if runs.is_empty() {
        return Ok(format!("no runs recorded in {} yet", path.display()));
    }
    let mut out = String::from(
        "run  recorded             command  template          term            engine      analyses\n",
    );
    for r in &runs {
        let _ = writeln!(
            out,
            "{:<4} {:<20} {:<8} {:<17} {:<15} {:<11} {}{}",
            r.run_id,
            r.recorded_at,
            r.command,
            r.template.as_deref().unwrap_or("-"),
            r.term,
            r.engine,
            r.analyses,
            if r.drafts.is_empty() {
                String::new()
            } else {
                format!(" (draft: {})", r.drafts.join(", "))
            }
        );
    }
    Ok(out.trim_end().to_string())
}

/// `cohort history show RUN`.
pub fn show(path: &Path, run_id: i64) -> Result<String, AppError> {
    let history = History::open(path)?;
    let r = history.run(run_id)?;
    let mut out = format!(
        "run {} · {} · {}{} · term {} · engine {}\n",
        r.run_id,
        r.recorded_at,
        r.command,
        r.template
            .as_deref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default(),
        r.term,
        r.engine
    );
    let analyses = history.analyses(run_id)?;
    listing(&mut out, "analyses", &analyses, |a| {
        let hash = short(&a.sql_hash, 12);
        format!("{:<40} v{:<3} {hash} {:>6} rows", a.id, a.version, a.rows)
    });
    let files = history.files(run_id)?;
    listing(&mut out, "data files", &files, |f| {
        let hash = short(&f.sha256, 16);
        format!("{:<24} {hash} {:>8} rows  {}", f.table, f.rows, f.path)
    });
    let outputs = history.outputs(run_id)?;
    if !outputs.is_empty() {
        listing(&mut out, "published files", &outputs, |p| {
            format!("{} {}", short(&p.sha256, 16), p.path.display())
        });
    }
    let metrics = history.metrics(run_id)?;
    let _ = write!(
        out,
        "\n{} figures (cohort history show prints them with --figures)",
        metrics.len()
    );
    Ok(out)
}

/// One titled section of `history show`, a line an item, indented two spaces.
fn listing<T>(out: &mut String, title: &str, items: &[T], line: impl Fn(&T) -> String) {
    let _ = writeln!(out, "\n{title}:");
    for item in items {
        let _ = writeln!(out, "  {}", line(item));
    }
}

/// The first `n` characters of a hash, as the listings print it.
fn short(hash: &str, n: usize) -> &str {
    hash.get(..n).unwrap_or(hash)
}

/// `cohort history show RUN --figures`: the run's figures as `metrics.csv`.
pub fn figures(path: &Path, run_id: i64) -> Result<String, AppError> {
    let history = History::open(path)?;
    let summary = history.run(run_id)?;
    let rows = history.metrics(run_id)?;
    Ok(run::metrics::to_csv(&rows, summary.term)
        .trim_end()
        .to_string())
}

/// `cohort history diff A B`.
pub fn diff(path: &Path, a: i64, b: i64) -> Result<String, AppError> {
    let history = History::open(path)?;
    let (ra, rb) = (history.run(a)?, history.run(b)?);
    for r in [&ra, &rb] {
        if !r.drafts.is_empty() {
            return Err(AppError::DraftRun {
                run: r.run_id,
                drafts: r.drafts.clone(),
            });
        }
    }
    if ra.term != rb.term {
        return Err(AppError::TermsDiffer {
            a,
            b,
            term_a: ra.term,
            term_b: rb.term,
        });
    }
    let (aa, ab) = (history.analyses(a)?, history.analyses(b)?);
    let (fa, fb) = (history.files(a)?, history.files(b)?);
    let (ma, mb) = (history.metrics(a)?, history.metrics(b)?);
    let d = diff::diff(
        ra.term,
        &Side {
            run: a,
            engine: &ra.engine,
            analyses: &aa,
            files: &fa,
            metrics: &ma,
        },
        &Side {
            run: b,
            engine: &rb.engine,
            analyses: &ab,
            files: &fb,
            metrics: &mb,
        },
    );
    Ok(d.to_string())
}

/// `cohort history verify RUN`: re-runs a past run's analysis versions (as recorded) on its
/// data files, when the files with the recorded hashes are still there, and confirms that
/// every result and figure is the same.
pub fn verify(project: &Project, path: &Path, run_id: i64) -> Result<String, AppError> {
    let history = History::open(path)?;
    let summary = history.run(run_id)?;
    let recorded_files = history.files(run_id)?;
    let data_dir = recorded_files
        .first()
        .and_then(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .unwrap_or_else(|| project.data.clone());
    let catalog = Catalog::open(&Contract::current(), &data_dir)?;
    let mut problems = Vec::new();
    for f in &recorded_files {
        match catalog
            .files
            .iter()
            .find(|c| c.table == f.table && c.path.display().to_string() == f.path)
            .or_else(|| catalog.files.iter().find(|c| c.table == f.table))
        {
            Some(c) if c.sha256 == f.sha256 => {}
            Some(c) => problems.push(format!(
                "{}: the file has changed since run {run_id} (hash {} then, {} now)",
                c.path.display(),
                &f.sha256[..16.min(f.sha256.len())],
                &c.sha256[..16.min(c.sha256.len())]
            )),
            None => problems.push(format!("{}: the file is no longer there", f.path)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::DataChanged {
            run: run_id,
            problems,
        });
    }
    let recorded = history.analyses(run_id)?;
    let mut analyses = Vec::with_capacity(recorded.len());
    for r in &recorded {
        let file = PathBuf::from(format!("history run {run_id}: {}.sql", r.id));
        analyses.push(
            Analysis::parse(&file, &r.id, &r.source).map_err(|e| AppError::Analyses(vec![e]))?,
        );
    }
    let term = summary.term;
    let kind = if summary.engine == "duckdb" {
        EngineKind::DuckDb
    } else {
        EngineKind::DataFusion
    };
    let engine = kind.start()?;
    let output = run::run(
        &catalog,
        &analyses,
        engine.as_ref(),
        term,
        Default::default(),
    )?;
    let mut differences = Vec::new();
    for r in &recorded {
        let then = history.result(run_id, &r.id)?;
        match output.result(&r.id) {
            Some(now) => {
                if let Some(d) = cross::compare(&r.id, ("recorded", "re-run"), &then, &now.result) {
                    differences.push(d.to_string());
                }
            }
            None => differences.push(format!("{}: not re-run", r.id)),
        }
    }
    let figures = history.metrics(run_id)?;
    differences.extend(figure_differences(&figures, &output.metrics));
    if !differences.is_empty() {
        return Err(AppError::NotVerified {
            run: run_id,
            differences,
        });
    }
    Ok(format!(
        "run {run_id} verified: {} analyses re-run on {} from the same {} data files give the same results and {} figures",
        recorded.len(),
        kind.name(),
        recorded_files.len(),
        figures.len()
    ))
}

/// The figures that differ between a recorded run and its re-run, by metric, period,
/// breakdown and group; values to the cross-engine tolerance.
fn figure_differences(then: &[run::MetricRow], now: &[run::MetricRow]) -> Vec<String> {
    let key =
        |m: &run::MetricRow| format!("{} {} {}={}", m.metric, m.time_period, m.breakdown, m.group);
    let value = |v: Option<f64>| v.map_or(run::Value::Null, run::Value::Float);
    let now: BTreeMap<String, &run::MetricRow> = now.iter().map(|m| (key(m), m)).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for m in then {
        let k = key(m);
        match now.get(&k) {
            Some(n) if cross::same(&value(m.value), &value(n.value)) => {}
            Some(n) => out.push(format!(
                "figure {k}: recorded {:?}, re-run gives {:?}",
                m.value, n.value
            )),
            None => out.push(format!("figure {k}: recorded, not in the re-run")),
        }
        seen.insert(k);
    }
    for k in now.keys().filter(|k| !seen.contains(*k)) {
        out.push(format!("figure {k}: in the re-run, not recorded"));
    }
    out
}

/// `cohort check --cross-engine`: every analysis on DataFusion and on a second engine over
/// the same data (DuckDB, or the `--engine` chosen, such as Ballista); any difference is an
/// error naming the analysis, row and column.
pub fn cross_engine(project: &Project, term: Option<Term>) -> Result<String, AppError> {
    // The session's engine is DataFusion; the second is DuckDB, or the engine asked for.
    let right_kind = match &project.engine {
        EngineKind::DataFusion => EngineKind::DuckDb,
        other => other.clone(),
    };
    let left_project = Project {
        engine: EngineKind::DataFusion,
        ..project.clone()
    };
    let session = Session::open_for(&left_project, term, Drafts::Refused, None)?;
    let (analyses, term) = (&session.analyses, session.period.term);
    let left = &session.engine;
    let right = right_kind.start()?;
    let a = session.run(None, false)?;
    let b = run::run(
        &session.catalog,
        analyses,
        right.as_ref(),
        term,
        Default::default(),
    )?;
    let mut differences = Vec::new();
    for x in &a.analyses {
        match b.result(&x.id) {
            Some(y) => {
                if let Some(d) =
                    cross::compare(&x.id, (left.name(), right.name()), &x.result, &y.result)
                {
                    differences.push(d.to_string());
                }
            }
            None => differences.push(format!("{}: not run on {}", x.id, right.name())),
        }
    }
    if !differences.is_empty() {
        return Err(AppError::EnginesDisagree {
            of: a.analyses.len(),
            differences,
        });
    }
    let own: Vec<&str> = analyses
        .iter()
        .filter(|x| x.meta.engine_sql.contains_key(right.name()))
        .map(|x| x.id())
        .collect();
    Ok(format!(
        "ok: {} analyses give the same results on {} and {} for {term} (counts exactly, other numbers to 1e-9 relative, or 1e-12 next to zero){}",
        a.analyses.len(),
        left.name(),
        right.name(),
        if own.is_empty() {
            String::new()
        } else {
            format!(
                "; {} with its own {} SQL: {}",
                own.len(),
                right.name(),
                own.join(", ")
            )
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use run::MetricRow;

    fn figure(metric: &str, value: f64) -> MetricRow {
        MetricRow::yearly_percent(metric, value)
    }

    #[test]
    fn verify_names_every_figure_that_moved_appeared_or_went() {
        let then = [
            figure("attendance.overall", 9.1),
            figure("attendance.pa", 21.0),
        ];
        // Same figures (9.1 again, up to 1e-9 relative): nothing to say.
        let same = [
            figure("attendance.pa", 21.0),
            figure("attendance.overall", 9.1),
        ];
        assert!(figure_differences(&then, &same).is_empty());
        // 9.1 -> 9.2 moved; attendance.pa went; attendance.sa appeared: three lines.
        let now = [
            figure("attendance.overall", 9.2),
            figure("attendance.sa", 4.0),
        ];
        let d = figure_differences(&then, &now);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].contains(
            "attendance.overall 2024-25 all=all: recorded Some(9.1), re-run gives Some(9.2)"
        ));
        assert!(d[1].contains("attendance.pa") && d[1].contains("not in the re-run"));
        assert!(d[2].contains("attendance.sa") && d[2].contains("not recorded"));
    }
}
