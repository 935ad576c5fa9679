//! Streaming a table through its checks into the cache: problems named by file, row, column
//! and value whatever the file's encoding, and the entry the same bytes as one thread writes.

use super::*;
use crate::arrow::array::{ArrayRef, DictionaryArray, StringArray};
use crate::arrow::datatypes::{DataType, Field, Int32Type, Schema};
use crate::catalog::error::Position;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Encoding;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use std::sync::Arc;

/// One attendance row: child, urn, date (ISO), session, mark.
type Mark = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Forty marks of two children at two schools, 1 to 20 September 2024 (after the August
/// 2024 code change), each day's AM `/` and PM `\`; `change` replaces rows (0-based).
fn marks(change: &[(usize, Mark)]) -> Vec<Mark> {
    const DAYS: [&str; 10] = [
        "2024-09-02",
        "2024-09-03",
        "2024-09-04",
        "2024-09-05",
        "2024-09-06",
        "2024-09-09",
        "2024-09-10",
        "2024-09-11",
        "2024-09-12",
        "2024-09-13",
    ];
    let mut rows = Vec::new();
    for (child, urn) in [("C1", "100001"), ("C2", "100002")] {
        for day in DAYS {
            rows.push((child, urn, day, "AM", "/"));
            rows.push((child, urn, day, "PM", "\\"));
        }
    }
    for &(i, row) in change {
        rows[i] = row;
    }
    rows
}

/// Writes `rows` as an attendance Parquet file in row groups of 16 rows, its text columns
/// Arrow dictionaries when `arrow_dictionaries` (as pandas writes categoricals) or plain
/// strings (as pyarrow, Polars and `cohort sample` write them); Parquet dictionary-encodes
/// them either way, which is checked of the file's `mark` column.
fn write_file(path: &Path, rows: &[Mark], arrow_dictionaries: bool) {
    let dict = |f: fn(&Mark) -> &'static str| -> ArrayRef {
        if arrow_dictionaries {
            Arc::new(
                rows.iter()
                    .map(|r| Some(f(r)))
                    .collect::<DictionaryArray<Int32Type>>(),
            )
        } else {
            Arc::new(rows.iter().map(|r| Some(f(r))).collect::<StringArray>())
        }
    };
    let dates: StringArray = rows.iter().map(|r| Some(r.2)).collect();
    let text = match arrow_dictionaries {
        true => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        false => DataType::Utf8,
    };
    let schema = Arc::new(Schema::new(vec![
        Field::new("child", text.clone(), false),
        Field::new("urn", text.clone(), false),
        Field::new("date", DataType::Utf8, false),
        Field::new("session", text.clone(), false),
        Field::new("mark", text, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            dict(|r| r.0),
            dict(|r| r.1),
            Arc::new(dates),
            dict(|r| r.3),
            dict(|r| r.4),
        ],
    )
    .expect("batch");
    let props = WriterProperties::builder()
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(16))
        .build();
    let file = std::fs::File::create(path).expect("create");
    let mut w = ArrowWriter::try_new(file, schema, Some(props)).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
    let reader =
        SerializedFileReader::new(std::fs::File::open(path).expect("open")).expect("read back");
    let group = reader.metadata().row_group(0);
    let mark = group.column(4);
    assert_eq!(mark.column_path().string(), "mark");
    assert!(
        mark.encodings().any(|e| e == Encoding::RLE_DICTIONARY),
        "mark is dictionary-encoded"
    );
}

/// Streams `rows` (written with Arrow dictionaries) through every check into a cache in
/// chunks of 7 rows against header children C1 and C2 and schools 100001 and 100002.
fn stream(rows: &[Mark]) -> (Outcome, Problems, tempfile::TempDir) {
    stream_file(rows, true)
}

/// As [`stream`], the file's text columns written as Arrow dictionaries or as plain strings.
fn stream_file(rows: &[Mark], arrow_dictionaries: bool) -> (Outcome, Problems, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("attendance.parquet");
    write_file(&path, rows, arrow_dictionaries);
    let contract = Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<String>>();
    let mut targets = HashMap::new();
    targets.insert(("header".into(), "CHILD".into()), set(&["C1", "C2"]));
    targets.insert(("wider_cohort".into(), "child".into()), set(&[]));
    targets.insert(("schools".into(), "urn".into()), set(&["100001", "100002"]));
    let cache = CacheOptions {
        dir: dir.path().join("cache"),
        hold_rows: 0,
        reuse: true,
        stream_rows: 7,
    };
    let options = ReadOptions::default();
    let cx = StreamContext {
        contract: &contract,
        options: &options,
        today: NaiveDate::from_ymd_opt(2025, 1, 1).expect("day"),
        targets: &targets,
        explained: &HashSet::new(),
        cache: &cache,
    };
    let mut problems = Problems::default();
    let outcome = stream_table(&cx, table, &path, "k".repeat(64).as_str(), &mut problems);
    (outcome, problems, dir)
}

/// Each problem as (row in the file, column, value).
fn named(p: &Problems) -> Vec<(Option<Position>, Option<String>, Option<String>)> {
    p.list
        .iter()
        .map(|x| (x.position.clone(), x.column.clone(), x.value.clone()))
        .collect()
}

fn cache_files(dir: &tempfile::TempDir) -> Vec<String> {
    std::fs::read_dir(dir.path().join("cache"))
        .map(|d| {
            d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_bad_code_in_a_dictionary_encoded_column_is_named_by_row_column_and_value() {
    // Row 23 of the file (0-based 22, in the fourth chunk of 7) has `ZZ`, no mark at all;
    // row 38 (0-based 37) has `J1`, a mark only from 19 August 2024, on 3 June 2024.
    let (outcome, p, dir) = stream(&marks(&[
        (22, ("C2", "100002", "2024-09-03", "AM", "ZZ")),
        (37, ("C2", "100002", "2024-06-03", "PM", "J1")),
    ]));
    assert!(matches!(outcome, Outcome::Failed));
    assert_eq!(
        named(&p),
        [
            (
                Some(Position::Row(23)),
                Some("mark".into()),
                Some("ZZ".into())
            ),
            (
                Some(Position::Row(38)),
                Some("mark".into()),
                Some("J1".into())
            ),
        ]
    );
    assert!(p.list[0].file.ends_with("attendance.parquet"));
    assert!(
        p.list[1].expected.contains("valid on 2024-06-03"),
        "{}",
        p.list[1].expected
    );
    // Nothing of the refused file lands in the cache, not even a partial file.
    assert!(cache_files(&dir).is_empty(), "{:?}", cache_files(&dir));
}

#[test]
fn a_bad_reference_is_named_by_row_column_and_value() {
    // Rows 5 and 6 (0-based 4 and 5) are a third child's, who is in no header; row 31
    // (0-based 30) names a school not in the schools file.
    let (outcome, p, dir) = stream(&marks(&[
        (4, ("C3", "100001", "2024-09-04", "AM", "/")),
        (5, ("C3", "100001", "2024-09-04", "PM", "\\")),
        (30, ("C2", "999999", "2024-09-09", "AM", "/")),
    ]));
    assert!(matches!(outcome, Outcome::Failed));
    let named = named(&p);
    assert_eq!(
        named,
        [
            (
                Some(Position::Row(5)),
                Some("child".into()),
                Some("C3".into())
            ),
            (
                Some(Position::Row(6)),
                Some("child".into()),
                Some("C3".into())
            ),
            (
                Some(Position::Row(31)),
                Some("urn".into()),
                Some("999999".into())
            ),
        ]
    );
    assert_eq!(
        p.list[0].expected,
        "a value present in header.CHILD or wider_cohort.child"
    );
    assert!(cache_files(&dir).is_empty(), "{:?}", cache_files(&dir));
}

#[test]
fn a_clean_file_lands_as_the_same_bytes_one_thread_writes() {
    let (outcome, p, dir) = stream(&marks(&[]));
    assert!(p.is_empty(), "{:?}", p.list);
    let Outcome::Streamed(s) = outcome else {
        panic!("a clean file streams into the cache");
    };
    assert_eq!(s.rows, 40);
    // The same batches (7 rows each, as the stream reads them) written in order by one
    // thread: the entry the three threads wrote is byte for byte that file.
    let contract = Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let path = dir.path().join("attendance.parquet");
    let options = ReadOptions::default();
    let mut ignored = Problems::default();
    let mut reader = ParquetBatches::open(table, &path, &options, 7, &mut ignored).expect("reader");
    let alone = dir.path().join("alone");
    let mut w = Writer::create(&alone, "attendance", &"k".repeat(64), reader.schema.clone())
        .expect("writer");
    while let Some(Some(b)) = reader.next_batch(&mut ignored) {
        w.write(&b).expect("write");
    }
    let manifest = Manifest {
        key: "k".repeat(64),
        table: "attendance".into(),
        sha256: String::new(),
        rows: 40,
        file_rows: vec![40],
        notes: vec![],
        date_span: None,
    };
    let (_, sha256) = w.finish(&manifest).expect("finish");
    assert_eq!(s.sha256, sha256);
    let stored = s.table.stored.expect("a cached file");
    assert_eq!(
        cache::hash_file(&stored).expect("hash"),
        sha256,
        "the file on disk is what was hashed"
    );
}

#[test]
fn text_the_file_dictionary_encodes_is_checked_as_a_dictionary_and_problems_keep_their_rows() {
    // The file's schema says plain strings (as `cohort sample`, pyarrow and Polars write
    // them); Parquet dictionary-encodes them. Changed rows (1-based in the file = 0-based + 1):
    // row 5 (0-based 4) is child C3, in no header; row 12 (0-based 11) writes its session
    // `pm`, which is PM in another case (rewritten, no problem); row 23 (0-based 22) has mark
    // `ZZ`, in no code list; row 31 (0-based 30) repeats row 29's key: rows 20 to 39 (0-based)
    // are C2's, two a day from 2 September, so 0-based 28 is C2's AM on day 5, 6 September,
    // and row 31 is made C2's AM of 6 September too; row 38 (0-based 37) has `J1` on
    // 3 June 2024, before the code existed (19 August 2024).
    let rows = marks(&[
        (4, ("C3", "100001", "2024-09-04", "AM", "/")),
        (11, ("C1", "100001", "2024-09-09", "pm", "\\")),
        (22, ("C2", "100002", "2024-09-03", "AM", "ZZ")),
        (30, ("C2", "100002", "2024-09-06", "AM", "/")),
        (37, ("C2", "100002", "2024-06-03", "PM", "J1")),
    ]);
    // The stream reads these columns as dictionaries, not as a string a row.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("attendance.parquet");
    write_file(&path, &rows, false);
    let contract = Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let options = ReadOptions::default();
    let mut ignored = Problems::default();
    let read =
        ParquetBatches::open_dictionaries(table, &path, &options, 7, &mut ignored).expect("reader");
    let dictionary = crate::catalog::format::dictionary::text_dictionary();
    for (name, expected) in [
        ("child", &dictionary),
        ("urn", &dictionary),
        ("date", &DataType::Date32),
        ("session", &dictionary),
        ("mark", &dictionary),
    ] {
        let field = read.batch_schema.field_with_name(name).expect("column");
        assert_eq!(field.data_type(), expected, "{name}");
    }
    let plain = ParquetBatches::open(table, &path, &options, 7, &mut ignored).expect("reader");
    assert_eq!(
        plain
            .batch_schema
            .field_with_name("mark")
            .expect("mark")
            .data_type(),
        &DataType::Utf8
    );

    let (outcome, p, dir) = stream_file(&rows, false);
    assert!(matches!(outcome, Outcome::Failed));
    // In the order the checks find them: chunk by chunk (7 rows each), repeated keys last.
    assert_eq!(
        named(&p),
        [
            (
                Some(Position::Row(5)),
                Some("child".into()),
                Some("C3".into())
            ),
            (
                Some(Position::Row(23)),
                Some("mark".into()),
                Some("ZZ".into())
            ),
            (
                Some(Position::Row(38)),
                Some("mark".into()),
                Some("J1".into())
            ),
            (
                Some(Position::Row(31)),
                Some("child, date, session".into()),
                Some("C2, 2024-09-06, AM".into())
            ),
        ]
    );
    assert_eq!(
        p.list[0].expected,
        "a value present in header.CHILD or wider_cohort.child"
    );
    assert!(
        p.list[2].expected.contains("valid on 2024-06-03"),
        "{}",
        p.list[2].expected
    );
    assert!(
        p.list[3].expected.contains("repeats row 29"),
        "{}",
        p.list[3].expected
    );
    assert!(cache_files(&dir).is_empty(), "{:?}", cache_files(&dir));
}

#[test]
fn a_dictionary_code_in_another_case_lands_in_the_list_spelling_as_plain_text_would() {
    // Row 12 (0-based 11) writes its session `pm`: the cached entry holds `PM` there, and is
    // byte for byte the file one thread writes from the same rows read as plain text and
    // rewritten row by row.
    let rows = marks(&[(11, ("C1", "100001", "2024-09-09", "pm", "\\"))]);
    let (outcome, p, dir) = stream_file(&rows, false);
    assert!(p.is_empty(), "{:?}", p.list);
    let Outcome::Streamed(s) = outcome else {
        panic!("a clean file streams into the cache");
    };
    let batches = s.table.rows().expect("the cached rows");
    let sessions: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let i = b.schema().index_of("session").expect("session");
            let a = b.column(i).as_any().downcast_ref::<StringArray>().cloned();
            a.into_iter().flat_map(|a| {
                a.iter()
                    .map(|v| v.unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    assert_eq!(sessions.len(), 40);
    assert_eq!(sessions[11], "PM");
    assert_eq!(sessions.iter().filter(|v| *v == "PM").count(), 20);

    let contract = Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let path = dir.path().join("attendance.parquet");
    let options = ReadOptions::default();
    let mut ignored = Problems::default();
    let mut reader = ParquetBatches::open(table, &path, &options, 7, &mut ignored).expect("reader");
    let alone = dir.path().join("alone");
    let mut w = Writer::create(&alone, "attendance", &"k".repeat(64), reader.schema.clone())
        .expect("writer");
    let mut first = 0u64;
    while let Some(Some(b)) = reader.next_batch(&mut ignored) {
        let n = b.num_rows() as u64;
        let t = chunk_table(&contract, table, &reader.schema, vec![b], first);
        for b in &t.batches {
            w.write(b).expect("write");
        }
        first += n;
    }
    let manifest = Manifest {
        key: "k".repeat(64),
        table: "attendance".into(),
        sha256: String::new(),
        rows: 40,
        file_rows: vec![40],
        notes: vec![],
        date_span: None,
    };
    let (_, sha256) = w.finish(&manifest).expect("finish");
    assert_eq!(s.sha256, sha256);
}
