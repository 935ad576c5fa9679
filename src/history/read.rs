//! Reading the history back: the runs, their analyses, files, figures, published outputs and
//! results, for `cohort history` and for later reports that compare with what was published.
//! These read the stored tables, not the views kept for analysts, so that no query reads a
//! source text or a cell it does not return.

use super::*;

/// Column `i` of `r`, parsed from its text: a term or a unit, read once where it leaves the
/// database.
fn parsed<T>(r: &duckdb::Row<'_>, i: usize) -> duckdb::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(i)?.parse().map_err(|e| {
        duckdb::Error::FromSqlConversionFailure(i, duckdb::types::Type::Text, Box::new(e))
    })
}

impl History {
    /// Every row `sql` gives for `params`, each read by `row`.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl duckdb::Params,
        row: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>, HistoryError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.fail(e))?;
        stmt.query_map(params, row)
            .map_err(|e| self.fail(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))
    }

    /// Every run, newest first.
    pub fn list(&self) -> Result<Vec<RunSummary>, HistoryError> {
        let mut runs = self.rows(
            "SELECT run_id, strftime(recorded_at, '%Y-%m-%d %H:%M:%S'), command, template, term, engine, run_json
             FROM runs ORDER BY run_id DESC",
            [],
            |r| {
                Ok(RunSummary {
                    run_id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    command: r.get(2)?,
                    template: r.get(3)?,
                    term: parsed(r, 4)?,
                    engine: r.get(5)?,
                    analyses: 0,
                    versions: vec![],
                    drafts: drafts_of(
                        &serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    ),
                })
            },
        )?;
        let versions = self.rows(
            "SELECT run_id, analysis_id, version FROM run_analyses ORDER BY run_id, analysis_id",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                ))
            },
        )?;
        for (run_id, id, version) in versions {
            if let Some(run) = runs.iter_mut().find(|r| r.run_id == run_id) {
                run.versions.push((id, version));
            }
        }
        for run in &mut runs {
            run.analyses = run.versions.len();
        }
        Ok(runs)
    }

    /// One run's summary, or an error naming the run when there is none.
    pub fn run(&self, run_id: i64) -> Result<RunSummary, HistoryError> {
        self.list()?
            .into_iter()
            .find(|r| r.run_id == run_id)
            .ok_or_else(|| HistoryError::NoSuchRun {
                path: self.path.clone(),
                run: run_id,
            })
    }

    /// The analyses a run recorded, by id.
    pub fn analyses(&self, run_id: i64) -> Result<Vec<RecordedAnalysis>, HistoryError> {
        self.rows(
            "SELECT a.analysis_id, a.version, a.sql_hash, s.source, a.row_count
             FROM run_analyses a JOIN analysis_sources s USING (source_hash)
             WHERE a.run_id = ? ORDER BY a.analysis_id",
            [run_id],
            |r| {
                Ok(RecordedAnalysis {
                    id: r.get(0)?,
                    version: r.get(1)?,
                    sql_hash: r.get(2)?,
                    source: r.get(3)?,
                    rows: r.get::<_, i64>(4)? as u64,
                })
            },
        )
    }

    /// The data files a run read, by table.
    pub fn files(&self, run_id: i64) -> Result<Vec<RecordedFile>, HistoryError> {
        self.rows(
            "SELECT table_name, path, sha256, row_count FROM data_files
             WHERE run_id = ? ORDER BY table_name",
            [run_id],
            |r| {
                Ok(RecordedFile {
                    table: r.get(0)?,
                    path: r.get(1)?,
                    sha256: r.get(2)?,
                    rows: r.get::<_, i64>(3)? as u64,
                })
            },
        )
    }

    /// The figures a run recorded, each with its analysis, in `metrics.csv` order.
    pub fn metrics(&self, run_id: i64) -> Result<Vec<MetricRow>, HistoryError> {
        self.rows(
            "SELECT v.analysis_id, v.metric, v.time_period, v.breakdown, v.\"group\", v.numerator,
                    v.denominator, v.value, v.unit
             FROM run_metrics r JOIN metric_values v USING (metrics_hash) WHERE r.run_id = ?
             ORDER BY v.metric, v.time_period, v.breakdown, v.\"group\"",
            [run_id],
            |r| {
                Ok(MetricRow {
                    analysis: r.get(0)?,
                    metric: r.get(1)?,
                    time_period: r.get(2)?,
                    breakdown: r.get(3)?,
                    group: r.get(4)?,
                    numerator: r.get(5)?,
                    denominator: r.get(6)?,
                    value: r.get(7)?,
                    unit: parsed(r, 8)?,
                })
            },
        )
    }

    /// The files a report run wrote.
    pub fn outputs(&self, run_id: i64) -> Result<Vec<Published>, HistoryError> {
        self.rows(
            "SELECT path, sha256, bytes FROM outputs WHERE run_id = ? ORDER BY path",
            [run_id],
            |r| {
                Ok(Published {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    sha256: r.get(1)?,
                    bytes: r.get::<_, i64>(2)? as u64,
                })
            },
        )
    }

    /// The rows of one analysis's result as a run recorded them.
    pub fn result(
        &self,
        run_id: i64,
        analysis: &str,
    ) -> Result<crate::run::ResultTable, HistoryError> {
        // The column names come from the analysis's row, so a result with no rows keeps them.
        let recorded: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT columns, result_hash FROM run_analyses WHERE run_id = ? AND analysis_id = ?",
                params![run_id, analysis],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        let Some((columns, result_hash)) = recorded else {
            return Ok(crate::run::ResultTable::default());
        };
        let cells = self.rows(
            "SELECT row_index, value_type, value_text, value_number
             FROM result_values WHERE result_hash = ?
             ORDER BY row_index, column_index",
            [result_hash],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                ))
            },
        )?;
        let mut table = crate::run::ResultTable {
            columns: serde_json::from_str(&columns).unwrap_or_default(),
            ..Default::default()
        };
        for (row, kind, text, number) in cells {
            if table.rows.len() <= row {
                table.rows.push(Vec::new());
            }
            table.rows[row].push(uncell(&kind, text, number));
        }
        Ok(table)
    }

    /// Report runs of academic years from `from_year` up to (not including) `before_year`
    /// that recorded `analysis`, latest first: where a year's published figures may be.
    /// Each is the run id, the day it was recorded, the analysis version and `run.json`.
    pub fn reports_between(
        &self,
        analysis: &str,
        from_year: &str,
        before_year: &str,
    ) -> Result<Vec<(i64, String, u32, String)>, HistoryError> {
        self.rows(
            "SELECT r.run_id, strftime(r.recorded_at, '%Y-%m-%d'), a.version, r.run_json
             FROM runs r JOIN run_analyses a USING (run_id)
             WHERE r.command = 'report' AND a.analysis_id = ?
               AND r.academic_year >= ? AND r.academic_year < ?
             ORDER BY r.academic_year DESC, r.term DESC, r.run_id DESC",
            params![analysis, from_year, before_year],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
    }
}
