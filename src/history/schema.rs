//! The history tables. A new version of this schema adds a step; old files are migrated
//! in place when opened.

use duckdb::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 1;

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

/// Creates the tables in a new file, or checks an existing file's schema version.
pub fn migrate(conn: &Connection) -> Result<(), duckdb::Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
    if current.is_none() {
        conn.execute_batch(&format!(
            "BEGIN TRANSACTION; {V1} INSERT INTO schema_version VALUES ({VERSION}); COMMIT;"
        ))?;
    }
    Ok(())
}
