//! The DuckDB engine: the catalog's Arrow tables copied into an in-memory DuckDB, so
//! every analysis can run on a second, independent SQL engine (`--engine duckdb`,
//! `cohort check --cross-engine`).
//!
//! DuckDB's Rust crate uses a newer arrow than DataFusion; tables cross between the two
//! through the Arrow C data interface, whose layout is the same in every version.

use super::{Engine, EngineError};
use datafusion::arrow::array::{Array, ArrayRef, StructArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use duckdb::Connection;
use duckdb::arrow as newer;
use std::sync::{Arc, Mutex};

/// An in-memory DuckDB; each query runs on its own connection to it, so rayon's
/// threads can query at once.
pub struct DuckDbEngine {
    conn: Mutex<Connection>,
}

impl DuckDbEngine {
    pub fn new() -> Result<Self, EngineError> {
        let conn = Connection::open_in_memory().map_err(to_error)?;
        conn.execute_batch("SET threads TO 2; SET preserve_insertion_order = true;")
            .map_err(to_error)?;
        Ok(DuckDbEngine {
            conn: Mutex::new(conn),
        })
    }

    /// A fresh connection to the same database.
    fn connection(&self) -> Result<Connection, EngineError> {
        let guard = self
            .conn
            .lock()
            .map_err(|_| EngineError::new("the DuckDB connection was poisoned by a panic"))?;
        guard.try_clone().map_err(to_error)
    }
}

fn to_error(e: duckdb::Error) -> EngineError {
    let message = e.to_string();
    let line = sql_line(&message);
    EngineError {
        message,
        line,
        column: None,
    }
}

/// Finds `LINE N:` in a DuckDB message.
fn sql_line(message: &str) -> Option<usize> {
    let i = message.find("LINE ")? + 5;
    let digits: String = message[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The DuckDB column type for an Arrow type (after [`storable`] has simplified it).
fn sql_type(t: &DataType) -> Result<String, EngineError> {
    use DataType::*;
    Ok(match t {
        Boolean => "BOOLEAN".into(),
        Int8 => "TINYINT".into(),
        Int16 => "SMALLINT".into(),
        Int32 => "INTEGER".into(),
        Int64 => "BIGINT".into(),
        UInt8 => "UTINYINT".into(),
        UInt16 => "USMALLINT".into(),
        UInt32 => "UINTEGER".into(),
        UInt64 => "UBIGINT".into(),
        Float32 => "FLOAT".into(),
        Float64 => "DOUBLE".into(),
        Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        Utf8 => "VARCHAR".into(),
        Date32 => "DATE".into(),
        Timestamp(TimeUnit::Microsecond, None) => "TIMESTAMP".into(),
        other => {
            return Err(EngineError::new(format!(
                "DuckDB engine: no column type for Arrow {other}"
            )));
        }
    })
}

/// The type a column is stored as in DuckDB: views, large strings and dictionaries become
/// plain strings, all-null columns become text, other timestamps microseconds.
fn storable(t: &DataType) -> DataType {
    use DataType::*;
    match t {
        Null | Utf8View | LargeUtf8 | Dictionary(_, _) => Utf8,
        Float16 => Float32,
        Date64 => Date32,
        Timestamp(_, _) => Timestamp(TimeUnit::Microsecond, None),
        other => other.clone(),
    }
}

/// Casts every column of `batch` to `schema` (made with [`storable`]).
fn cast_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, EngineError> {
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            if c.data_type() == f.data_type() {
                Ok(c.clone())
            } else if c.data_type() == &DataType::Null {
                Ok(new_null_array(f.data_type(), c.len()))
            } else {
                cast(c, f.data_type()).map_err(|e| EngineError::new(e.to_string()))
            }
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| EngineError::new(e.to_string()))
}

/// DataFusion's arrow → DuckDB's arrow, through the C data interface.
fn to_newer(batch: RecordBatch) -> Result<newer::record_batch::RecordBatch, EngineError> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) = arrow::ffi::to_ffi(&data).map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: FFI_ArrowArray and FFI_ArrowSchema are `#[repr(C)]` structs defined by the
    // Arrow C data interface, identical in every arrow-rs version; ownership (and the
    // release callback) moves with the value.
    let (array, schema) = unsafe {
        (
            std::mem::transmute::<arrow::ffi::FFI_ArrowArray, newer::ffi::FFI_ArrowArray>(array),
            std::mem::transmute::<arrow::ffi::FFI_ArrowSchema, newer::ffi::FFI_ArrowSchema>(schema),
        )
    };
    // SAFETY: the structs were just exported from valid arrays.
    let data = unsafe { newer::ffi::from_ffi(array, &schema) }
        .map_err(|e| EngineError::new(e.to_string()))?;
    Ok(newer::array::StructArray::from(data).into())
}

/// DuckDB's arrow → DataFusion's arrow, through the C data interface.
fn to_older(batch: newer::record_batch::RecordBatch) -> Result<RecordBatch, EngineError> {
    use newer::array::Array as _;
    let data = newer::array::StructArray::from(batch).into_data();
    let (array, schema) = newer::ffi::to_ffi(&data).map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: as in `to_newer`.
    let (array, schema) = unsafe {
        (
            std::mem::transmute::<newer::ffi::FFI_ArrowArray, arrow::ffi::FFI_ArrowArray>(array),
            std::mem::transmute::<newer::ffi::FFI_ArrowSchema, arrow::ffi::FFI_ArrowSchema>(schema),
        )
    };
    // SAFETY: the structs were just exported from valid arrays.
    let data = unsafe { arrow::ffi::from_ffi(array, &schema) }
        .map_err(|e| EngineError::new(e.to_string()))?;
    Ok(StructArray::from(data).into())
}

/// A result schema from DuckDB's arrow in DataFusion's, through the C data interface.
fn older_schema(schema: &newer::datatypes::Schema) -> Result<Schema, EngineError> {
    let ffi = newer::ffi::FFI_ArrowSchema::try_from(schema)
        .map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: as in `to_newer`: the same `#[repr(C)]` struct in both arrow versions.
    let ffi: arrow::ffi::FFI_ArrowSchema = unsafe { std::mem::transmute(ffi) };
    Schema::try_from(&ffi).map_err(|e| EngineError::new(e.to_string()))
}

/// The types DataFusion would give: DuckDB's HUGEINT sums (DECIMAL(38,0)) as BIGINT,
/// other decimals as DOUBLE, strings as plain UTF-8.
fn normalised(t: &DataType) -> DataType {
    use DataType::*;
    match t {
        Decimal128(_, 0) => Int64,
        Decimal128(_, _) | Decimal256(_, _) => Float64,
        Utf8View | LargeUtf8 => Utf8,
        other => other.clone(),
    }
}

fn normalise_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), normalised(f.data_type()), true))
            .collect::<Vec<_>>(),
    ))
}

impl Engine for DuckDbEngine {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn register(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), EngineError> {
        let conn = self.connection()?;
        let stored: SchemaRef = Arc::new(Schema::new(
            arrow_schema
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), storable(f.data_type()), true))
                .collect::<Vec<_>>(),
        ));
        let columns = stored
            .fields()
            .iter()
            .map(|f| Ok(format!("{} {}", quote(f.name()), sql_type(f.data_type())?)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        let qualified = match schema {
            Some(s) => {
                conn.execute_batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(s)))
                    .map_err(to_error)?;
                format!("{}.{}", quote(s), quote(name))
            }
            None => quote(name),
        };
        conn.execute_batch(&format!(
            "CREATE OR REPLACE TABLE {qualified} ({})",
            columns.join(", ")
        ))
        .map_err(to_error)?;
        let mut appender = match schema {
            Some(s) => conn.appender_to_db(name, s),
            None => conn.appender(name),
        }
        .map_err(to_error)?;
        for batch in &batches {
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = cast_batch(batch, &stored)?;
            appender
                .append_record_batch(to_newer(batch)?)
                .map_err(to_error)?;
        }
        appender.flush().map_err(to_error)?;
        Ok(())
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare(sql).map_err(to_error)?;
        let newer_batches: Vec<newer::record_batch::RecordBatch> =
            stmt.query_arrow([]).map_err(to_error)?.collect();
        let schema = normalise_schema(&older_schema(&stmt.schema())?);
        let mut out = Vec::with_capacity(newer_batches.len());
        for b in newer_batches {
            let b = to_older(b)?;
            let columns: Vec<ArrayRef> = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(c.clone())
                    } else {
                        cast(c, f.data_type()).map_err(|e| EngineError::new(e.to_string()))
                    }
                })
                .collect::<Result<_, _>>()?;
            out.push(
                RecordBatch::try_new(schema.clone(), columns)
                    .map_err(|e| EngineError::new(e.to_string()))?,
            );
        }
        out.retain(|b| b.num_rows() > 0);
        if out.is_empty() {
            out.push(RecordBatch::new_empty(schema));
        }
        Ok(out)
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        let conn = self.connection()?;
        let limited = format!(
            "SELECT * FROM ({}\n) AS planned LIMIT 0",
            sql.trim_end().trim_end_matches(';')
        );
        let mut stmt = conn.prepare(&limited).map_err(to_error)?;
        let _ = stmt.query_arrow([]).map_err(to_error)?.count();
        Ok(normalise_schema(&older_schema(&stmt.schema())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Date32Array, Float64Array, Int64Array, StringArray};

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
            .register(Some("roll"), "marks", schema, vec![batch])
            .unwrap_or_else(|e| panic!("{e}"));
        engine
    }

    #[test]
    fn tables_cross_to_duckdb_and_back() {
        let engine = engine_with_table();
        // sum(sessions) = 10 + 4 = 14 (HUGEINT in DuckDB, BIGINT here); avg(rate) = 1.75 / 3.
        let out = engine
            .query("SELECT sum(sessions) AS s, avg(rate) AS r, count(*) AS n, min(day) AS d FROM roll.marks")
            .unwrap_or_else(|e| panic!("{e}"));
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
    fn empty_results_keep_their_columns_and_errors_their_line() {
        let engine = engine_with_table();
        let out = engine
            .query("SELECT child_id FROM roll.marks WHERE sessions > 100")
            .unwrap_or_else(|e| panic!("{e}"));
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
}
