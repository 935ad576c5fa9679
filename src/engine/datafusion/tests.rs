//! The DataFusion engine's sandbox, limits and errors on small tables.

use super::*;

#[test]
fn only_one_read_only_query_runs() {
    let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
    let ok = engine
        .query("WITH t AS (SELECT 1 AS x) SELECT x FROM t")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok[0].num_rows(), 1);
    for (sql, what, line) in [
        ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY", 1),
        (
            "\n-- c\nCREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
            "CREATE EXTERNAL TABLE",
            3,
        ),
        ("SET datafusion.execution.batch_size = 1", "SET", 1),
        ("SELECT 1;\nSELECT 2", "2 statements", 2),
        ("CREATE TABLE t AS SELECT 1", "CREATE", 1),
        ("INSERT INTO t VALUES (1)", "INSERT", 1),
    ] {
        for e in [engine.query(sql).err(), engine.plan(sql).err()] {
            let e = e.unwrap_or_else(|| panic!("`{sql}` must be refused"));
            assert!(e.message.starts_with("refused"), "{sql}: {}", e.message);
            assert!(e.message.contains(what), "{sql}: {}", e.message);
            assert_eq!(e.line, Some(line), "{sql}");
        }
    }
    // No file is a table, and the only table functions make numbers.
    assert!(engine.query("SELECT * FROM '/etc/passwd'").is_err());
    let mut functions: Vec<String> = engine
        .ctx
        .state()
        .table_functions()
        .keys()
        .cloned()
        .collect();
    functions.sort();
    assert_eq!(functions, ["generate_series", "range"]);
}

#[test]
fn a_panic_inside_a_query_is_an_error_and_a_runaway_stops_at_its_time() {
    use datafusion::arrow::datatypes::DataType;
    use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
    let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
    // A function that panics as arrow does on a string past 2 GiB.
    let boom = create_udf(
        "boom",
        vec![DataType::Int64],
        DataType::Int64,
        Volatility::Volatile,
        Arc::new(
            |_: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
                panic!("offset overflow")
            },
        ),
    );
    engine.ctx.register_udf(boom);
    let e = engine
        .query("SELECT boom(x) AS y FROM (VALUES (1), (2)) AS t(x)")
        .err()
        .unwrap_or_else(|| panic!("boom must fail"));
    assert!(
        e.message
            .contains("failed inside the engine: offset overflow"),
        "{}",
        e.message
    );
    assert_eq!(e.limit, None);
    // The engine still answers after it.
    assert_eq!(
        engine.query("SELECT 1 AS x").map(|b| b[0].num_rows()).ok(),
        Some(1)
    );
    // A recursive CTE without end is dropped at its time.
    crate::engine::stopped_by_time(
        &engine,
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
    );
}

#[test]
fn a_query_past_the_memory_pool_is_stopped_by_it() {
    let engine =
        DataFusionEngine::with_limits(Limits::memory(64 << 20)).unwrap_or_else(|e| panic!("{e}"));
    // Five million distinct numbers need more than 64 MiB to count (8 bytes each and a
    // hash table over them): the aggregate spills to disk and still gives the count.
    let out = engine
        .query("SELECT count(DISTINCT value) AS n FROM generate_series(1, 5000000)")
        .unwrap_or_else(|e| panic!("{e}"));
    let n = crate::run::convert::to_table(&out).rows[0][0].clone();
    assert_eq!(n, crate::run::Value::Int(5_000_000));
    // Every one of 50 million numbers in one array (400 MB at least) cannot spill.
    let e = engine
        .query("SELECT array_length(array_agg(value)) FROM generate_series(1, 50000000)")
        .err()
        .unwrap_or_else(|| panic!("must exceed the pool"));
    assert_eq!(e.limit, Some(LimitHit::Memory(64 << 20)), "{}", e.message);
    assert!(
        e.message
            .starts_with("the query exceeded the memory limit of 64 MiB;"),
        "{}",
        e.message
    );
}

#[test]
fn parser_positions_are_read_from_messages() {
    assert_eq!(
        sql_position(
            "sql parser error: Expected: end of statement, found: x at Line: 3, Column: 7"
        ),
        (Some(3), Some(7))
    );
    assert_eq!(sql_position("Schema error: No field named y"), (None, None));
}

/// A cross join with a one-row side (`CROSS JOIN (SELECT max(...))`) builds on that side.
/// The many-row side here is a join, whose size DataFusion does not know, as in
/// `peps/due`; DataFusion's own rules leave it on the collected side and give one batch for
/// each of its 20,000 rows (checked below on a session without the rule), the engine a few
/// batches. The rows are unchanged: n from 1 to 20,000 each beside the maximum 20,000, so
/// sum(n) = 20,000 x 20,001 / 2 = 200,010,000 and sum(m) = 20,000 x 20,000 = 400,000,000.
#[test]
fn a_one_row_side_of_a_cross_join_is_its_build_side() {
    let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
    let sql = "WITH t AS (SELECT value AS n FROM generate_series(1, 20000)), \
               u AS (SELECT value AS k FROM generate_series(1, 20000)), \
               m AS (SELECT max(n) AS m FROM t) \
               SELECT t.n, m.m FROM t JOIN u ON u.k = t.n CROSS JOIN m";
    let (batches, plan) = engine.query_profiled(sql).unwrap_or_else(|e| panic!("{e}"));
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 20_000);
    assert!(batches.len() < 100, "{} batches\n{plan}", batches.len());
    let sums = engine
        .query(&format!("SELECT sum(n) AS n, sum(m) AS m FROM ({sql})"))
        .unwrap_or_else(|e| panic!("{e}"));
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&sums)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    assert!(
        text.contains("200010000") && text.contains("400000000"),
        "{text}"
    );
    // Without the rule: one batch a row.
    let plain = SessionContext::new_with_config(session_config());
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let many = runtime
        .block_on(async { plain.sql(sql).await?.collect().await })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(many.len() > 1000, "{} batches without the rule", many.len());
}

#[test]
fn tables_registered_at_once_in_a_new_schema_are_all_kept() {
    // Sixteen threads each register one table in schemas that do not exist yet; every
    // table must be readable afterwards. Before the lock, a thread that found the schema
    // missing replaced one another thread had just created, with the table in it (CI saw
    // `peps.deadline_events` lost beside `peps.due`).
    for round in 0..50 {
        let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
        let start = std::sync::Barrier::new(16);
        std::thread::scope(|scope| {
            for t in 0..16 {
                let (engine, start) = (&engine, &start);
                scope.spawn(move || {
                    let batches = engine
                        .query(&format!("SELECT {t} AS n"))
                        .unwrap_or_else(|e| panic!("{e}"));
                    let name = format!("t{t}");
                    start.wait();
                    engine
                        .register(TableName::in_schema("s", &name), Rows::of(batches))
                        .unwrap_or_else(|e| panic!("{e}"));
                });
            }
        });
        for t in 0..16 {
            let rows = engine
                .query(&format!("SELECT n FROM s.t{t}"))
                .unwrap_or_else(|e| panic!("round {round}, s.t{t}: {e}"));
            assert_eq!(rows[0].num_rows(), 1);
        }
    }
}

/// A validated table's text is read as string views (joins and groupings compare them in
/// place) and leaves the engine as plain strings: a join of its `child` to a result's, a
/// grouping on it, the planned columns and an empty result all give `Utf8`.
#[test]
fn text_scanned_from_parquet_comes_back_as_plain_strings() {
    use datafusion::arrow::array::{Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("marks.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("child", DataType::Utf8, false),
        Field::new("mark", DataType::Utf8, true),
    ]));
    let marks = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["A1", "A1", "B2", "C3"])),
            Arc::new(StringArray::from(vec![
                Some("/"),
                Some("N"),
                None,
                Some("a mark longer than twelve bytes"),
            ])),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), None).unwrap_or_else(|e| panic!("{e}"));
    writer.write(&marks).unwrap_or_else(|e| panic!("{e}"));
    writer.close().unwrap_or_else(|e| panic!("{e}"));

    let engine = DataFusionEngine::new().unwrap_or_else(|e| panic!("{e}"));
    engine
        .register(TableName::bare("marks"), Rows::Parquet(schema, path))
        .unwrap_or_else(|e| panic!("{e}"));
    // A result held in memory, with plain strings, as an analysis's result is registered.
    let spans_schema = Arc::new(Schema::new(vec![Field::new(
        "child",
        DataType::Utf8,
        false,
    )]));
    let spans = RecordBatch::try_new(
        spans_schema.clone(),
        vec![Arc::new(StringArray::from(vec!["A1", "C3"]))],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    engine
        .register(
            TableName::in_schema("roll", "spans"),
            Rows::Batches(spans_schema, vec![spans]),
        )
        .unwrap_or_else(|e| panic!("{e}"));

    // Inside the engine the file's text is views; a result's stays as registered.
    let types = engine
        .query("SELECT arrow_typeof(m.child) AS t FROM marks m LIMIT 1")
        .unwrap_or_else(|e| panic!("{e}"));
    let typed = crate::run::convert::to_table(&types);
    assert_eq!(format!("{:?}", typed.rows), r#"[[Text("Utf8View")]]"#);
    let sql = "SELECT m.child, max(m.mark) AS mark, count(*) AS n \
               FROM marks m JOIN roll.spans s ON s.child = m.child \
               GROUP BY m.child ORDER BY m.child";
    let batches = engine.query(sql).unwrap_or_else(|e| panic!("{e}"));
    let batch = &batches[0];
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
    assert_eq!(batch.schema().field(1).data_type(), &DataType::Utf8);
    let text = |i: usize| {
        batch
            .column(i)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap_or_else(|| panic!("column {i} is plain strings"))
            .clone()
    };
    // A1 has "/" and "N" (max "N", 2 marks); B2 has no span; C3 has one long mark.
    assert_eq!(text(0).iter().collect::<Vec<_>>(), [Some("A1"), Some("C3")]);
    assert_eq!(
        text(1).iter().collect::<Vec<_>>(),
        [Some("N"), Some("a mark longer than twelve bytes")]
    );
    let counts = batch
        .column(2)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap_or_else(|| panic!("counts"));
    assert_eq!(counts.values(), &[2, 1]);

    let planned = engine.plan(sql).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(planned.field(0).data_type(), &DataType::Utf8);
    let none = engine
        .query("SELECT child, mark FROM marks WHERE child = 'nobody'")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    assert!(
        none.iter().all(|b| b
            .schema()
            .fields()
            .iter()
            .all(|f| f.data_type() == &DataType::Utf8)),
        "{:?}",
        none[0].schema()
    );
    assert!(batch.column(0).null_count() == 0);
}
