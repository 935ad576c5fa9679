//! Reading the history back: the runs, their analyses, files, figures, published outputs and
//! results, for `cohort history` and for later reports that compare with what was published.

use super::*;

impl History {
    /// Every run, newest first.
    pub fn list(&self) -> Result<Vec<RunSummary>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, strftime(recorded_at, '%Y-%m-%d %H:%M:%S'), command, template, term, engine, run_json
                 FROM runs ORDER BY run_id DESC",
            )
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RunSummary {
                    run_id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    command: r.get(2)?,
                    template: r.get(3)?,
                    // The term's text is read once, here, where it leaves the database.
                    term: r.get::<_, String>(4)?.parse().map_err(|e| {
                        duckdb::Error::FromSqlConversionFailure(
                            4,
                            duckdb::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                    engine: r.get(5)?,
                    analyses: 0,
                    versions: vec![],
                    drafts: drafts_of(
                        &serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    ),
                })
            })
            .map_err(|e| self.fail(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for mut run in rows {
            run.versions = self
                .analyses(run.run_id)?
                .into_iter()
                .map(|a| (a.id, a.version))
                .collect();
            run.analyses = run.versions.len();
            out.push(run);
        }
        Ok(out)
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
        let mut stmt = self
            .conn
            .prepare(
                "SELECT analysis_id, version, sql_hash, source, row_count FROM analyses
                 WHERE run_id = ? ORDER BY analysis_id",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(RecordedAnalysis {
                id: r.get(0)?,
                version: r.get(1)?,
                sql_hash: r.get(2)?,
                source: r.get(3)?,
                rows: r.get::<_, i64>(4)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The data files a run read, by table.
    pub fn files(&self, run_id: i64) -> Result<Vec<RecordedFile>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT table_name, path, sha256, row_count FROM data_files
                 WHERE run_id = ? ORDER BY table_name",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(RecordedFile {
                table: r.get(0)?,
                path: r.get(1)?,
                sha256: r.get(2)?,
                rows: r.get::<_, i64>(3)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The figures a run recorded, each with its analysis, in `metrics.csv` order.
    pub fn metrics(&self, run_id: i64) -> Result<Vec<MetricRow>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT analysis_id, metric, time_period, breakdown, \"group\", numerator, denominator, value, unit
                 FROM metrics WHERE run_id = ?
                 ORDER BY metric, time_period, breakdown, \"group\"",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(MetricRow {
                analysis: r.get(0)?,
                metric: r.get(1)?,
                time_period: r.get(2)?,
                breakdown: r.get(3)?,
                group: r.get(4)?,
                numerator: r.get(5)?,
                denominator: r.get(6)?,
                value: r.get(7)?,
                unit: r.get::<_, String>(8)?.parse().map_err(|e| {
                    duckdb::Error::FromSqlConversionFailure(
                        8,
                        duckdb::types::Type::Text,
                        Box::new(e),
                    )
                })?,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The files a report run wrote.
    pub fn outputs(&self, run_id: i64) -> Result<Vec<Published>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, sha256, bytes FROM outputs WHERE run_id = ? ORDER BY path")
            .map_err(|e| self.fail(e))?;
        stmt.query_map([run_id], |r| {
            Ok(Published {
                path: PathBuf::from(r.get::<_, String>(0)?),
                sha256: r.get(1)?,
                bytes: r.get::<_, i64>(2)? as u64,
            })
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }

    /// The rows of one analysis's result as a run recorded them.
    pub fn result(
        &self,
        run_id: i64,
        analysis: &str,
    ) -> Result<crate::run::ResultTable, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT row_index, value_type, value_text, value_number
                 FROM result_cells WHERE run_id = ? AND analysis_id = ?
                 ORDER BY row_index, column_index",
            )
            .map_err(|e| self.fail(e))?;
        let cells = stmt
            .query_map(params![run_id, analysis], |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                ))
            })
            .map_err(|e| self.fail(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        // The column names come from `analyses`, so a result with no rows keeps them.
        let columns: Option<String> = self
            .conn
            .query_row(
                "SELECT columns FROM analyses WHERE run_id = ? AND analysis_id = ?",
                params![run_id, analysis],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        let mut table = crate::run::ResultTable {
            columns: columns
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or_default(),
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
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.run_id, strftime(r.recorded_at, '%Y-%m-%d'), a.version, r.run_json
                 FROM runs r JOIN analyses a USING (run_id)
                 WHERE r.command = 'report' AND a.analysis_id = ?
                   AND r.academic_year >= ? AND r.academic_year < ?
                 ORDER BY r.academic_year DESC, r.term DESC, r.run_id DESC",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map(params![analysis, from_year, before_year], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(|e| self.fail(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| self.fail(e))
    }
}
