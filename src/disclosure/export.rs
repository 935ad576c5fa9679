//! The files a report writes beside itself, from the disclosed figures only: `metrics.csv`
//! and `results/<id>.csv`; child-level results only where the policy allows them, in
//! `results/OFFICIAL-SENSITIVE/`.

use super::{Disclosed, DisclosedMetric, DisclosureError};
use crate::analysis::{Analysis, Level};
use crate::output::write_staged;
use crate::run::Value;
use std::path::{Path, PathBuf};

/// `metrics.csv` of the disclosed figures: a suppressed number is written `c`.
pub fn metrics_csv(rows: &[DisclosedMetric]) -> String {
    let mut sorted: Vec<&DisclosedMetric> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        let (a, b) = (&a.row, &b.row);
        (&a.metric, &a.time_period, &a.breakdown, &a.group).cmp(&(
            &b.metric,
            &b.time_period,
            &b.breakdown,
            &b.group,
        ))
    });
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let num = |x: Option<f64>, hidden: bool| {
        if hidden {
            Value::Suppressed.to_string()
        } else {
            x.map(|v| Value::Float(v).to_string()).unwrap_or_default()
        }
    };
    let mut out =
        String::from("metric,time_period,breakdown,group,numerator,denominator,value,unit\n");
    for d in sorted {
        let r = &d.row;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            quote(&r.metric),
            quote(&r.time_period),
            quote(&r.breakdown),
            quote(&r.group),
            num(r.numerator, d.numerator_suppressed),
            num(r.denominator, d.denominator_suppressed),
            num(r.value, d.value_suppressed),
            quote(r.unit.as_str())
        ));
    }
    out
}

/// Writes `<out>/metrics.csv` and `<out>/results/<id>.csv` for every analysis of the
/// publication, disclosed; child-level results go to `<out>/results/OFFICIAL-SENSITIVE/`
/// and only when the policy lets the audience see them. `out` is inside a staging folder:
/// the files are flushed to disk when it is published. Returns the paths written.
pub fn write(
    disclosed: &Disclosed,
    analyses: &[Analysis],
    out: &Path,
) -> Result<Vec<PathBuf>, DisclosureError> {
    let mut written = Vec::new();
    let mut put = |path: PathBuf, bytes: &[u8]| {
        write_staged(&path, bytes).map_err(|e| DisclosureError::Write {
            path: path.clone(),
            source: e,
        })?;
        written.push(path);
        Ok::<_, DisclosureError>(())
    };
    let results = out.join("results");
    for a in &disclosed.run.analyses {
        let child = analyses
            .iter()
            .find(|x| x.id() == a.id)
            .is_some_and(|x| x.meta.level == Level::Child);
        let path = match (child, disclosed.policy.child_level_rows) {
            (false, _) => results.join(format!("{}.csv", a.id)),
            (true, true) => results
                .join(super::OFFICIAL_SENSITIVE)
                .join(format!("{}.csv", a.id)),
            (true, false) => continue,
        };
        put(path, a.result.to_csv().as_bytes())?;
    }
    put(
        out.join("metrics.csv"),
        metrics_csv(&disclosed.metrics).as_bytes(),
    )?;
    Ok(written)
}
