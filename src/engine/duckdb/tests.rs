//! The DuckDB engine against a small table: crossing, sealing, limits and errors.

use super::*;
use datafusion::arrow::array::{Date32Array, Float64Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::DataType;

fn engine_with_table() -> DuckDbEngine {
    let engine = DuckDbEngine::new().unwrap_or_else(|e| panic!("{e}"));
    let schema = Arc::new(Schema::new(vec![
        Field::new("child_id", DataType::Utf8, false),
        Field::new("sessions", DataType::Int64, true),
        Field::new("rate", DataType::Float64, true),
        Field::new("day", DataType::Date32, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["C1", "C2", "C3"])),
            Arc::new(Int64Array::from(vec![Some(10), None, Some(4)])),
            Arc::new(Float64Array::from(vec![0.5, 0.25, 1.0])),
            Arc::new(Date32Array::from(vec![19_000, 19_001, 19_002])),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    engine
        .register(
            TableName::in_schema("roll", "marks"),
            Rows::Batches(schema, vec![batch]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    engine
}

/// The batches `sql` gives on `engine`; a failure fails the test.
fn rows_of(engine: &DuckDbEngine, sql: &str) -> Vec<RecordBatch> {
    engine.query(sql).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn tables_cross_to_duckdb_and_back() {
    let engine = engine_with_table();
    // sum(sessions) = 10 + 4 = 14 (HUGEINT in DuckDB, BIGINT here); avg(rate) = 1.75 / 3.
    let out = rows_of(
        &engine,
        "SELECT sum(sessions) AS s, avg(rate) AS r, count(*) AS n, min(day) AS d FROM roll.marks",
    );
    let t = crate::run::convert::to_table(&out);
    assert_eq!(t.columns, ["s", "r", "n", "d"]);
    assert_eq!(t.rows[0][0], crate::run::Value::Int(14));
    assert_eq!(t.rows[0][2], crate::run::Value::Int(3));
    match t.rows[0][1] {
        crate::run::Value::Float(r) => assert!((r - 1.75 / 3.0).abs() < 1e-12),
        ref other => panic!("{other:?}"),
    }
    assert_eq!(t.rows[0][3].to_string(), "2022-01-08");
}

#[test]
fn only_one_select_runs_and_nothing_outside_the_database() {
    let engine = engine_with_table();
    let dir = std::env::temp_dir().join(format!("cohort-duckdb-gate-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("x.csv");
    let _ = std::fs::write(&file, "a\n1\n");
    let f = file.display().to_string();
    // Statements that are not one SELECT are refused before anything runs.
    for (sql, what, line) in [
        (
            format!("COPY (SELECT child_id FROM roll.marks) TO '{f}.out'"),
            "COPY",
            1,
        ),
        (format!("ATTACH '{f}.db' AS h"), "ATTACH", 1),
        ("INSTALL httpfs".to_string(), "INSTALL", 1),
        ("LOAD httpfs".to_string(), "LOAD", 1),
        ("SET enable_external_access = true".to_string(), "SET", 1),
        (
            format!("SELECT 1;\nCOPY (SELECT 1) TO '{f}.chained'"),
            "2 statements",
            2,
        ),
        ("\n\nCREATE TABLE t AS SELECT 1".to_string(), "CREATE", 3),
        ("DROP TABLE roll.marks".to_string(), "DROP", 1),
    ] {
        for e in [engine.query(&sql).err(), engine.plan(&sql).err()] {
            let e = e.unwrap_or_else(|| panic!("`{sql}` must be refused"));
            assert!(e.message.starts_with("refused"), "{sql}: {}", e.message);
            assert!(e.message.contains(what), "{sql}: {}", e.message);
            assert_eq!(e.line, Some(line), "{sql}");
        }
    }
    assert!(!dir.join("x.csv.out").exists() && !dir.join("x.csv.chained").exists());
    assert!(!dir.join("x.csv.db").exists());
    // SELECTs that would read files or URLs fail: external access is off.
    for sql in [
        format!("SELECT * FROM read_csv('{f}')"),
        format!("SELECT * FROM read_text('{f}')"),
        format!("SELECT * FROM '{f}'"),
        "SELECT * FROM read_csv('https://example.com/x.csv')".to_string(),
        format!("SELECT * FROM glob('{}/*')", dir.display()),
    ] {
        let e = engine
            .query(&sql)
            .err()
            .unwrap_or_else(|| panic!("`{sql}` must fail"));
        assert!(!e.message.is_empty());
    }
    // The tables are still there and still readable.
    let out = rows_of(&engine, "SELECT count(*) AS n FROM roll.marks");
    assert_eq!(
        crate::run::convert::to_table(&out).rows[0][0],
        crate::run::Value::Int(3)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_runaway_query_is_interrupted_at_its_time_and_held_to_its_memory() {
    let engine =
        DuckDbEngine::with_limits(Limits::memory(64 << 20)).unwrap_or_else(|e| panic!("{e}"));
    crate::engine::stopped_by_time(
        &engine,
        "SELECT count(*) FROM range(1000000000000) WHERE random() >= 0",
    );
    // Every one of 50 million numbers in one list: 400 MB at least, past 64 MiB.
    let e = engine
        .query("SELECT len(list(range)) FROM range(50000000)")
        .err()
        .unwrap_or_else(|| panic!("must exceed the memory limit"));
    assert_eq!(e.limit, Some(LimitHit::Memory(64 << 20)), "{}", e.message);
    // Twenty million distinct numbers need more than 64 MiB to count: DuckDB spills them
    // to its own temporary folder (external access is off, spilling still works).
    let out = rows_of(
        &engine,
        "SELECT count(DISTINCT range) AS n FROM range(20000000)",
    );
    assert_eq!(
        crate::run::convert::to_table(&out).rows[0][0],
        crate::run::Value::Int(20_000_000)
    );
    // The engine still answers, on a fresh connection.
    let out = rows_of(&engine, "SELECT 1 AS x");
    assert_eq!(out[0].num_rows(), 1);
}

#[test]
fn empty_results_keep_their_columns_and_errors_their_line() {
    let engine = engine_with_table();
    let out = rows_of(
        &engine,
        "SELECT child_id FROM roll.marks WHERE sessions > 100",
    );
    assert_eq!(out[0].num_rows(), 0);
    assert_eq!(out[0].schema().field(0).name(), "child_id");
    let err = match engine.query("SELECT child_id,\n  nonsense\nFROM roll.marks") {
        Err(e) => e,
        Ok(_) => panic!("a missing column must fail"),
    };
    assert_eq!(err.line, Some(2), "{}", err.message);
    let planned = engine
        .plan("SELECT child_id, rate FROM roll.marks")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(planned.fields().len(), 2);
}
