//! `cohort history diff`: the figures that differ between two runs of one term, each
//! with why: a different analysis version, different data files, or a different engine.

use super::{RecordedAnalysis, RecordedFile};
use crate::run::MetricRow;
use std::collections::BTreeMap;
use std::fmt;

/// One figure that is not the same in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureChange {
    pub analysis: String,
    pub metric: String,
    pub time_period: String,
    pub breakdown: String,
    pub group: String,
    /// `None` when the figure is absent (or empty) in that run.
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub reasons: Vec<String>,
}

/// Everything that differs between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDiff {
    pub runs: (i64, i64),
    pub term: crate::contract::Term,
    /// Tables whose file hash differs (or that only one run read).
    pub files: Vec<String>,
    /// Analyses whose version or SQL differs: `id: v1 -> v2`.
    pub analyses: Vec<String>,
    pub engines: (String, String),
    /// Analyses that ran in only one of the two runs (say a termly and a board report of
    /// one term): their figures have nothing to be compared with and are not listed.
    pub only_in: (Vec<String>, Vec<String>),
    pub figures: Vec<FigureChange>,
}

/// What one run brings to a comparison.
pub struct Side<'a> {
    pub run: i64,
    pub engine: &'a str,
    pub analyses: &'a [RecordedAnalysis],
    pub files: &'a [RecordedFile],
    /// Figures with the analysis that produced each.
    pub metrics: &'a [MetricRow],
}

fn differs(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() > 1e-9 * x.abs().max(y.abs()),
        (None, None) => false,
        _ => true,
    }
}

/// Compares two runs of `term`.
pub fn diff(term: crate::contract::Term, a: &Side<'_>, b: &Side<'_>) -> RunDiff {
    let hashes = |files: &[RecordedFile]| -> BTreeMap<String, String> {
        files
            .iter()
            .map(|f| (f.table.clone(), f.sha256.clone()))
            .collect()
    };
    let (fa, fb) = (hashes(a.files), hashes(b.files));
    let files: Vec<String> = fa
        .keys()
        .chain(fb.keys())
        .filter(|t| fa.get(*t) != fb.get(*t))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let versions = |xs: &[RecordedAnalysis]| -> BTreeMap<String, (u32, String)> {
        xs.iter()
            .map(|x| (x.id.clone(), (x.version, x.sql_hash.clone())))
            .collect()
    };
    let (va, vb) = (versions(a.analyses), versions(b.analyses));
    let mut changed_analyses: BTreeMap<String, String> = BTreeMap::new();
    for (id, (v, h)) in &va {
        if let Some((v2, h2)) = vb.get(id) {
            if v != v2 {
                changed_analyses.insert(id.clone(), format!("{id}: version {v} -> {v2}"));
            } else if h != h2 {
                changed_analyses
                    .insert(id.clone(), format!("{id}: SQL changed within version {v}"));
            }
        }
    }
    let only = |x: &BTreeMap<String, (u32, String)>, y: &BTreeMap<String, (u32, String)>| {
        x.keys()
            .filter(|id| !y.contains_key(*id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let only_in = (only(&va, &vb), only(&vb, &va));
    let engines_differ = a.engine != b.engine;
    let reasons = |analysis: &str| -> Vec<String> {
        let mut r = Vec::new();
        if let Some(c) = changed_analyses.get(analysis) {
            r.push(format!("analysis {c}"));
        }
        if !files.is_empty() {
            r.push(format!("data files differ: {}", files.join(", ")));
        }
        if engines_differ {
            r.push(format!("engine {} vs {}", a.engine, b.engine));
        }
        if r.is_empty() {
            r.push("same analysis version, data files and engine: unexplained".into());
        }
        r
    };
    type Key = (String, String, String, String);
    let index = |ms: &[MetricRow]| -> BTreeMap<Key, (String, Option<f64>)> {
        ms.iter()
            .map(|m| {
                (
                    (
                        m.metric.clone(),
                        m.time_period.clone(),
                        m.breakdown.clone(),
                        m.group.clone(),
                    ),
                    (m.analysis.clone(), m.value),
                )
            })
            .collect()
    };
    let (ma, mb) = (index(a.metrics), index(b.metrics));
    let mut figures = Vec::new();
    let keys: std::collections::BTreeSet<&Key> = ma.keys().chain(mb.keys()).collect();
    for k in keys {
        let before = ma.get(k);
        let after = mb.get(k);
        let (x, y) = (before.and_then(|v| v.1), after.and_then(|v| v.1));
        if before.is_some() && after.is_some() && !differs(x, y) {
            continue;
        }
        let analysis = before.or(after).map(|v| v.0.clone()).unwrap_or_default();
        if only_in.0.contains(&analysis) || only_in.1.contains(&analysis) {
            continue;
        }
        let mut why = reasons(&analysis);
        if before.is_none() || after.is_none() {
            why.insert(
                0,
                format!(
                    "only in run {}",
                    if before.is_some() { a.run } else { b.run }
                ),
            );
        }
        figures.push(FigureChange {
            reasons: why,
            analysis,
            metric: k.0.clone(),
            time_period: k.1.clone(),
            breakdown: k.2.clone(),
            group: k.3.clone(),
            before: x,
            after: y,
        });
    }
    RunDiff {
        runs: (a.run, b.run),
        term,
        files,
        analyses: changed_analyses.into_values().collect(),
        engines: (a.engine.to_string(), b.engine.to_string()),
        only_in,
        figures,
    }
}

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| crate::run::Value::Float(v).to_string())
}

impl fmt::Display for RunDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = self.runs;
        writeln!(f, "runs {a} and {b} ({})", self.term)?;
        if self.files.is_empty() {
            writeln!(f, "data files: the same")?;
        } else {
            writeln!(f, "data files that differ: {}", self.files.join(", "))?;
        }
        if self.analyses.is_empty() {
            writeln!(f, "analyses: the same versions")?;
        } else {
            writeln!(f, "analyses that differ:")?;
            for x in &self.analyses {
                writeln!(f, "  {x}")?;
            }
        }
        for (run, ids) in [(a, &self.only_in.0), (b, &self.only_in.1)] {
            if !ids.is_empty() {
                writeln!(
                    f,
                    "analyses only in run {run} (their figures are not compared): {}",
                    ids.join(", ")
                )?;
            }
        }
        if self.engines.0 != self.engines.1 {
            writeln!(f, "engines: {} and {}", self.engines.0, self.engines.1)?;
        }
        if self.figures.is_empty() {
            return write!(f, "figures: all the same");
        }
        writeln!(f, "figures that differ ({}):", self.figures.len())?;
        for c in &self.figures {
            writeln!(
                f,
                "  {} {} {}={}: {} -> {}  ({})",
                c.metric,
                c.time_period,
                c.breakdown,
                c.group,
                number(c.before),
                number(c.after),
                c.reasons.join("; ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The term the runs compared are for.
    fn summer() -> crate::contract::Term {
        "2024-25-summer".parse().expect("a term")
    }

    /// The figures of one run: each metric's yearly percentage.
    fn figures(values: &[(&str, f64)]) -> Vec<MetricRow> {
        values
            .iter()
            .map(|(metric, value)| MetricRow::yearly_percent(metric, *value))
            .collect()
    }

    fn analysis(version: u32, hash: &str) -> RecordedAnalysis {
        RecordedAnalysis {
            id: "attendance/absence_by_year".into(),
            version,
            sql_hash: hash.into(),
            source: String::new(),
            rows: 1,
        }
    }

    /// One run's side of a comparison.
    fn side<'a>(
        run: i64,
        engine: &'a str,
        analyses: &'a [RecordedAnalysis],
        files: &'a [RecordedFile],
        metrics: &'a [MetricRow],
    ) -> Side<'a> {
        Side {
            run,
            engine,
            analyses,
            files,
            metrics,
        }
    }

    fn file(hash: &str) -> RecordedFile {
        RecordedFile {
            table: "attendance".into(),
            path: "attendance.parquet".into(),
            sha256: hash.into(),
            rows: 10,
        }
    }

    #[test]
    fn a_changed_figure_names_the_version_change_and_the_data() {
        let (a1, a2) = ([analysis(1, "h1")], [analysis(2, "h2")]);
        let (f1, f2) = ([file("x")], [file("y")]);
        let m1 = figures(&[("attendance.overall", 9.1), ("attendance.pa", 21.0)]);
        let m2 = figures(&[("attendance.overall", 9.4), ("attendance.pa", 21.0)]);
        let d = diff(
            summer(),
            &side(3, "datafusion", &a1, &f1, &m1),
            &side(5, "datafusion", &a2, &f2, &m2),
        );
        // Only attendance.overall moved (9.1 -> 9.4); attendance.pa is 21.0 in both.
        assert_eq!(d.figures.len(), 1);
        let c = &d.figures[0];
        assert_eq!((c.before, c.after), (Some(9.1), Some(9.4)));
        assert_eq!(
            c.reasons,
            [
                "analysis attendance/absence_by_year: version 1 -> 2",
                "data files differ: attendance"
            ]
        );
        assert!(d.to_string().contains("9.1 -> 9.4"), "{d}");
    }

    #[test]
    fn same_inputs_give_no_figures_and_missing_ones_are_named() {
        let a = [analysis(1, "h1")];
        let f = [file("x")];
        let m1 = figures(&[("attendance.overall", 9.1)]);
        let m2 = figures(&[("attendance.overall", 9.1), ("attendance.pa", 21.0)]);
        let same = diff(
            summer(),
            &side(1, "datafusion", &a, &f, &m1),
            &side(2, "datafusion", &a, &f, &m1),
        );
        assert!(same.figures.is_empty());
        let added = diff(
            summer(),
            &side(1, "datafusion", &a, &f, &m1),
            &side(2, "duckdb", &a, &f, &m2),
        );
        assert_eq!(added.figures.len(), 1);
        assert_eq!(added.figures[0].reasons[0], "only in run 2");
        assert_eq!(added.figures[0].reasons[1], "engine datafusion vs duckdb");
    }

    #[test]
    fn figures_of_an_analysis_that_ran_in_one_run_only_are_not_compared() {
        let f = [file("x")];
        let a1 = [analysis(1, "h1")];
        let mut other = analysis(1, "h9");
        other.id = "peps/timeliness_by_team".into();
        let a2 = [analysis(1, "h1"), other];
        let m1 = figures(&[("attendance.overall", 9.1)]);
        let mut m2 = figures(&[("attendance.overall", 9.1), ("peps.on_time_rate", 80.0)]);
        m2[1].analysis = "peps/timeliness_by_team".into();
        let side = |run, analyses, metrics| Side {
            run,
            engine: "datafusion",
            analyses,
            files: &f,
            metrics,
        };
        let d = diff(
            summer(),
            &side(1, &a1[..], &m1[..]),
            &side(2, &a2[..], &m2[..]),
        );
        // The PEP figure exists only because run 2 ran one more analysis: no figure differs.
        assert!(d.figures.is_empty(), "{d}");
        assert_eq!(
            d.only_in,
            (vec![], vec!["peps/timeliness_by_team".to_string()])
        );
        assert!(d.to_string().contains(
            "analyses only in run 2 (their figures are not compared): peps/timeliness_by_team"
        ));
    }
}
