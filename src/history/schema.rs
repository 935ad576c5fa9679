//! The history tables. A new version of this schema adds a step; old files are migrated
//! in place when opened.

use duckdb::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 3;

const V1: &str = r#"
CREATE TABLE runs (
    run_id        BIGINT PRIMARY KEY,
    recorded_at   TIMESTAMP NOT NULL,
    command       VARCHAR NOT NULL,
    template      VARCHAR,
    term          VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    engine        VARCHAR NOT NULL,
    tool_version  VARCHAR NOT NULL,
    data_dir      VARCHAR NOT NULL,
    rows_read     BIGINT NOT NULL,
    run_json      VARCHAR NOT NULL
);
CREATE TABLE analyses (
    run_id      BIGINT NOT NULL,
    analysis_id VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    sql_hash    VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    columns     VARCHAR NOT NULL, -- the result's column names, a JSON array
    row_count   BIGINT NOT NULL,
    PRIMARY KEY (run_id, analysis_id)
);
CREATE TABLE data_files (
    run_id     BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    path       VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    row_count  BIGINT NOT NULL
);
CREATE TABLE metrics (
    run_id      BIGINT NOT NULL,
    analysis_id VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,
    time_period VARCHAR NOT NULL,
    breakdown   VARCHAR NOT NULL,
    "group"     VARCHAR NOT NULL,
    numerator   DOUBLE,
    denominator DOUBLE,
    value       DOUBLE,
    unit        VARCHAR NOT NULL
);
CREATE TABLE result_cells (
    run_id       BIGINT NOT NULL,
    analysis_id  VARCHAR NOT NULL,
    row_index    BIGINT NOT NULL,
    column_index BIGINT NOT NULL,
    column_name  VARCHAR NOT NULL,
    value_type   VARCHAR NOT NULL,
    value_text   VARCHAR,
    value_number DOUBLE
);
CREATE TABLE outputs (
    run_id BIGINT NOT NULL,
    path   VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes  BIGINT NOT NULL
);
"#;

/// Version 2: what a run actually read for each data file. When a table's rows came from
/// its validated copy in the cache, that Parquet file and the SHA-256 it was verified to
/// have (both empty when the file itself was read).
const V2: &str = r#"
ALTER TABLE data_files ADD COLUMN read_from VARCHAR;
ALTER TABLE data_files ADD COLUMN read_sha256 VARCHAR;
"#;

/// Version 3: what repeats from run to run is stored once, by its SHA-256, so that a
/// report run again over the same data adds a few hundred bytes, not every cell again (and
/// the checkpoint that ends each command no longer rewrites every stored source and cell).
/// An analysis file's text is in `analysis_sources`, a result's cells in `result_values`
/// (keyed by `run_analyses.result_hash`) and a run's figures in `metric_values` (keyed by
/// `run_metrics.metrics_hash`); `analyses`, `result_cells` and `metrics` become views with
/// the columns they had, so queries written against version 2 read the same rows. Rows
/// recorded before version 3 keep keys of their own (`run 4 peps/due`), which no SHA-256
/// equals. The tables are renamed and altered in place: no stored cell is copied.
const V3: &str = r#"
CREATE TABLE analysis_sources (
    source_hash VARCHAR PRIMARY KEY, -- SHA-256 of the source, hex
    source      VARCHAR NOT NULL
);
INSERT INTO analysis_sources SELECT DISTINCT sha256(source), source FROM analyses;
ALTER TABLE analyses RENAME TO run_analyses;
ALTER TABLE run_analyses ADD COLUMN source_hash VARCHAR;
ALTER TABLE run_analyses ADD COLUMN result_hash VARCHAR;
UPDATE run_analyses
SET source_hash = sha256(source), result_hash = 'run ' || run_id || ' ' || analysis_id;
ALTER TABLE run_analyses DROP COLUMN source;
ALTER TABLE result_cells RENAME TO result_values;
ALTER TABLE result_values ALTER run_id TYPE VARCHAR USING 'run ' || run_id || ' ' || analysis_id;
ALTER TABLE result_values RENAME COLUMN run_id TO result_hash;
ALTER TABLE result_values DROP COLUMN analysis_id;
CREATE TABLE run_metrics (run_id BIGINT NOT NULL, metrics_hash VARCHAR NOT NULL);
INSERT INTO run_metrics SELECT run_id, 'run ' || run_id FROM runs;
ALTER TABLE metrics RENAME TO metric_values;
ALTER TABLE metric_values ALTER run_id TYPE VARCHAR USING 'run ' || run_id;
ALTER TABLE metric_values RENAME COLUMN run_id TO metrics_hash;
CREATE VIEW analyses AS
    SELECT a.run_id, a.analysis_id, a.version, a.sql_hash, s.source, a.columns, a.row_count
    FROM run_analyses a JOIN analysis_sources s USING (source_hash);
CREATE VIEW result_cells AS
    SELECT a.run_id, a.analysis_id, v.row_index, v.column_index, v.column_name,
           v.value_type, v.value_text, v.value_number
    FROM run_analyses a JOIN result_values v USING (result_hash);
CREATE VIEW metrics AS
    SELECT r.run_id, v.analysis_id, v.metric, v.time_period, v.breakdown, v."group",
           v.numerator, v.denominator, v.value, v.unit
    FROM run_metrics r JOIN metric_values v USING (metrics_hash);
"#;

/// Creates the tables in a new file, or brings an older file's schema up to [`VERSION`].
pub fn migrate(conn: &Connection) -> Result<(), duckdb::Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
    // A new file goes through every step, so the migrations are the one way tables are made.
    let steps = match current {
        None => format!("{V1}{V2}{V3}"),
        Some(1) => format!("{V2}{V3}"),
        Some(2) => V3.to_string(),
        Some(_) => return Ok(()),
    };
    conn.execute_batch(&format!(
        "BEGIN TRANSACTION; {steps} INSERT INTO schema_version VALUES ({VERSION}); COMMIT;"
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_history_gains_the_read_from_columns() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&format!(
            "CREATE TABLE schema_version (version BIGINT NOT NULL); {V1} INSERT INTO schema_version VALUES (1); INSERT INTO data_files VALUES (1, 'peps', 'peps.csv', 'abc', 3);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        migrate(&conn).unwrap_or_else(|e| panic!("{e}"));
        let (version, read_from): (i64, Option<String>) = conn
            .query_row(
                "SELECT (SELECT max(version) FROM schema_version), read_from FROM data_files",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((version, read_from), (VERSION, None));
        // Opening again changes nothing.
        migrate(&conn).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_version_2_history_reads_the_same_rows_through_the_views() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        // One run: an analysis with two cells (row 0: `2023-24`, 9.5) and its one figure.
        conn.execute_batch(&format!(
            "CREATE TABLE schema_version (version BIGINT NOT NULL); {V1} {V2} INSERT INTO schema_version VALUES (2);
             INSERT INTO runs VALUES (1, TIMESTAMP '2025-07-20 10:00:00', 'report', 'board-annual', '2024-25-summer', '2024', 'datafusion', '0.1', 'data', 10, '{{}}');
             INSERT INTO analyses VALUES (1, 'attendance/rate_by_year', 1, 'h', 'SELECT 1', '[\"year\",\"rate\"]', 1);
             INSERT INTO result_cells VALUES (1, 'attendance/rate_by_year', 0, 0, 'year', 'text', '2023-24', NULL),
                                             (1, 'attendance/rate_by_year', 0, 1, 'rate', 'float', '9.5', 9.5);
             INSERT INTO metrics VALUES (1, 'attendance/rate_by_year', 'attendance.rate', '2023-24', 'all', 'all', NULL, NULL, 9.5, 'percent');"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        migrate(&conn).unwrap_or_else(|e| panic!("{e}"));
        let text = |sql: &str| -> String {
            conn.query_row(sql, [], |r| r.get(0))
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        };
        assert_eq!(
            text("SELECT max(version)::VARCHAR FROM schema_version"),
            "3"
        );
        assert_eq!(
            text("SELECT source FROM analyses WHERE run_id = 1"),
            "SELECT 1"
        );
        assert_eq!(
            text(
                "SELECT string_agg(value_text, ',' ORDER BY column_index) FROM result_cells WHERE run_id = 1"
            ),
            "2023-24,9.5"
        );
        assert_eq!(
            text("SELECT metric || ' ' || value FROM metrics WHERE run_id = 1"),
            "attendance.rate 9.5"
        );
        // The source is stored under its SHA-256, as a new run stores it.
        assert_eq!(
            text("SELECT source_hash FROM analysis_sources"),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"SELECT 1"))
        );
    }
}
