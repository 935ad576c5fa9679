//! The history tables. A new version of this schema adds a step; old files are migrated
//! in place when opened.

use duckdb::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 2;

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

/// Creates the tables in a new file, or brings an older file's schema up to [`VERSION`].
pub fn migrate(conn: &Connection) -> Result<(), duckdb::Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
    let steps = match current {
        None => format!("{V1}{V2}"),
        Some(1) => V2.to_string(),
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
        assert_eq!((version, read_from), (2, None));
        // Opening again changes nothing.
        migrate(&conn).unwrap_or_else(|e| panic!("{e}"));
    }
}
