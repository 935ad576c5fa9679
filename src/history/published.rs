//! Year-on-year from history: a board report shows earlier years as they were published,
//! not as today's data and SQL would recompute them, and says which is which.

use super::{History, HistoryError};
use crate::analysis::{Analysis, Level};
use crate::contract::AcademicYear;
use crate::run::{RunOutput, Value, YearSource, metrics};

/// The academic year `s` starts with (`2023-24`, `2023-24-autumn`), if it does.
fn academic_year(s: &str) -> Option<AcademicYear> {
    s.get(..7)?.parse().ok()
}

/// One year's rows as a report published them.
struct Publication {
    run_id: i64,
    recorded: String,
    /// The analysis version the rows were computed with (which may be older than the
    /// report's own, when that report too took the year from history).
    version: u32,
    table: crate::run::ResultTable,
    period: usize,
}

/// The latest report from an earlier academic year than `current_year` whose result
/// holds rows for `year`: what the board last saw for that year.
fn find(
    history: &History,
    analysis: &str,
    period_column: &str,
    year: AcademicYear,
    current_year: AcademicYear,
) -> Result<Option<Publication>, HistoryError> {
    let (year_text, current_text) = (year.to_string(), current_year.to_string());
    for (run_id, recorded, version, run_json) in
        history.reports_between(analysis, &year_text, &current_text)?
    {
        let json: serde_json::Value = serde_json::from_str(&run_json).unwrap_or_default();
        // A draft was never published.
        if !super::drafts_of(&json).is_empty() {
            continue;
        }
        let table = history.result(run_id, analysis)?;
        let Some(period) = table.column_index(period_column) else {
            continue;
        };
        let has_year = table.rows.iter().any(
            |r| matches!(r.get(period), Some(Value::Text(t)) if academic_year(t) == Some(year)),
        );
        if !has_year {
            continue;
        }
        // When that report itself took the year from history, keep the first version.
        let version = json
            .get("sources")
            .and_then(|s| s.as_array())
            .and_then(|sources| {
                sources.iter().find_map(|s| {
                    (s.get("analysis")?.as_str()? == analysis
                        && s.get("year")?.as_str()? == year_text)
                        .then(|| s.get("version")?.as_u64())
                        .flatten()
                })
            })
            .map_or(version, |v| v as u32);
        return Ok(Some(Publication {
            run_id,
            recorded,
            version,
            table,
            period,
        }));
    }
    Ok(None)
}

/// For each cohort-level analysis with a period column, replaces the rows of every academic
/// year before `current_year` with the rows the latest report of that year published, where
/// the history has one; records in `output.sources` where each year came from, and
/// re-reads the affected figures.
pub fn apply(
    history: &History,
    output: &mut RunOutput,
    analyses: &[Analysis],
    current_year: AcademicYear,
) -> Result<(), HistoryError> {
    let mut sources = Vec::new();
    for analysis in analyses {
        if analysis.meta.level != Level::Cohort {
            continue;
        }
        let Some(spec) = analysis.meta.metrics.first() else {
            continue;
        };
        let Some(run) = output.analyses.iter_mut().find(|r| r.id == analysis.id()) else {
            continue;
        };
        let Some(period) = run.result.column_index(&spec.time_period) else {
            continue;
        };
        let mut years: Vec<AcademicYear> = run
            .result
            .rows
            .iter()
            .filter_map(|r| match r.get(period) {
                Some(Value::Text(t)) => academic_year(t),
                _ => None,
            })
            .collect();
        years.sort();
        years.dedup();
        if years.is_empty() {
            continue;
        }
        for year in &years {
            let year = *year;
            let in_year = |r: &Vec<Value>, col: usize| matches!(r.get(col), Some(Value::Text(t)) if academic_year(t) == Some(year));
            let published = if year < current_year {
                find(
                    history,
                    analysis.id(),
                    &spec.time_period,
                    year,
                    current_year,
                )?
            } else {
                None
            };
            let Some(Publication {
                run_id,
                recorded,
                version,
                table: old,
                period: old_period,
            }) = published
            else {
                sources.push(YearSource {
                    analysis: analysis.id().to_string(),
                    year: year.to_string(),
                    source: "recomputed".into(),
                    run_id: None,
                    recorded: None,
                    version: run.version,
                });
                continue;
            };
            // Published rows, their columns matched to today's by name.
            let mapped: Vec<Vec<Value>> = old
                .rows
                .iter()
                .filter(|r| in_year(r, old_period))
                .map(|r| {
                    run.result
                        .columns
                        .iter()
                        .map(|c| {
                            old.column_index(c)
                                .and_then(|i| r.get(i).cloned())
                                .unwrap_or(Value::Null)
                        })
                        .collect()
                })
                .collect();
            let at = run
                .result
                .rows
                .iter()
                .position(|r| in_year(r, period))
                .unwrap_or(run.result.rows.len());
            run.result.rows.retain(|r| !in_year(r, period));
            let at = at.min(run.result.rows.len());
            run.result.rows.splice(at..at, mapped);
            sources.push(YearSource {
                analysis: analysis.id().to_string(),
                year: year.to_string(),
                source: "published".into(),
                run_id: Some(run_id),
                recorded: Some(recorded),
                version,
            });
        }
        run.rows = run.result.rows.len();
        // The figures follow the rows.
        let table = run.result.clone();
        output.metrics.retain(|m| m.analysis != analysis.id());
        for spec in &analysis.meta.metrics {
            if let Ok(rows) = metrics::extract(spec, &table) {
                output.metrics.extend(rows.into_iter().map(|mut m| {
                    m.analysis = analysis.id().to_string();
                    m
                }));
            }
        }
    }
    output.sources = sources;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn academic_years_are_read_from_periods() {
        assert_eq!(academic_year("2023-24"), Some(AcademicYear::new(2023)));
        assert_eq!(
            academic_year("2023-24-spring"),
            Some(AcademicYear::new(2023))
        );
        assert_eq!(academic_year("all"), None);
        assert_eq!(academic_year("Primary"), None);
    }
}
