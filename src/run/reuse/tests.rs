use super::kept::paths;
use super::*;
use crate::arrow::array::{Float64Array, Int32Array};
use crate::arrow::datatypes::{DataType, Field};
use crate::arrow::record_batch::RecordBatch;

fn sample() -> (ResultTable, Batches) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int32, false),
        Field::new("rate", DataType::Float64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int32Array::from(vec![1, 2])),
            Arc::new(Float64Array::from(vec![Some(0.1 + 0.2), None])),
        ],
    )
    .expect("a batch");
    let table = ResultTable {
        columns: vec!["n".into(), "rate".into()],
        rows: vec![
            vec![Value::Int(1), Value::Float(0.1 + 0.2)],
            vec![Value::Int(2), Value::Null],
        ],
    };
    (table, vec![batch])
}

/// A kept result reads back exactly (0.1 + 0.2 is 0.30000000000000004, its last bit
/// kept; the Int32 column stays Int32 for the analyses that read it).
#[test]
fn a_kept_result_reads_back_exactly() {
    let dir = tempfile::tempdir().expect("a folder");
    let (table, batches) = sample();
    store(dir.path(), "a/b", "k1", &table, &batches).expect("kept");
    match find(dir.path(), "a/b", "k1") {
        Lookup::Hit(t, b) => {
            assert_eq!(t, table);
            assert_eq!(b, batches);
        }
        other => panic!("expected a hit, got {other:?}"),
    }
    assert!(matches!(find(dir.path(), "a/b", "k2"), Lookup::Miss));
}

/// One changed byte in a kept table is caught by its hash and the entry is not used.
#[test]
fn a_tampered_result_is_not_used() {
    let dir = tempfile::tempdir().expect("a folder");
    let (table, batches) = sample();
    store(dir.path(), "a/b", "k1", &table, &batches).expect("kept");
    let [_, table_path, _] = paths(dir.path(), "a/b", "k1");
    let text = std::fs::read_to_string(&table_path).expect("kept table");
    // The count 1 becomes 7: valid JSON, a false figure.
    std::fs::write(&table_path, text.replacen("{\"I\":1}", "{\"I\":7}", 1)).expect("write");
    match find(dir.path(), "a/b", "k1") {
        Lookup::Tampered { file, reason } => {
            assert_eq!(file, table_path);
            assert!(reason.contains("SHA-256"), "{reason}");
        }
        other => panic!("expected tampering, got {other:?}"),
    }
}
