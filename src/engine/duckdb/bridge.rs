//! Tables crossing between DataFusion's arrow and DuckDB's newer one, through the Arrow C
//! data interface: the column types each side stores and the types results come back in.

use super::to_error;
use crate::engine::EngineError;
use datafusion::arrow::array::{Array, ArrayRef, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use duckdb::Connection;
use duckdb::arrow as newer;
use std::sync::Arc;

/// The DuckDB column type for an Arrow type (after [`storable`] has simplified it).
pub(super) fn sql_type(t: &DataType) -> Result<String, EngineError> {
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
pub(super) fn storable(t: &DataType) -> DataType {
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
pub(super) fn cast_batch(
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch, EngineError> {
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

/// A record batch of the arrow crate `$from` as one of `$to`, through the C data interface.
macro_rules! cross {
    ($batch:expr, $from:ident => $to:ident) => {{
        use $from::array::Array as _;
        let data = $from::array::StructArray::from($batch).into_data();
        let (array, schema) =
            $from::ffi::to_ffi(&data).map_err(|e| EngineError::new(e.to_string()))?;
        // SAFETY: FFI_ArrowArray and FFI_ArrowSchema are `#[repr(C)]` structs defined by the
        // Arrow C data interface, identical in every arrow-rs version; ownership (and the
        // release callback) moves with the value.
        let (array, schema) = unsafe {
            (
                std::mem::transmute::<$from::ffi::FFI_ArrowArray, $to::ffi::FFI_ArrowArray>(array),
                std::mem::transmute::<$from::ffi::FFI_ArrowSchema, $to::ffi::FFI_ArrowSchema>(
                    schema,
                ),
            )
        };
        // SAFETY: the structs were just exported from valid arrays.
        let data = unsafe { $to::ffi::from_ffi(array, &schema) }
            .map_err(|e| EngineError::new(e.to_string()))?;
        Ok($to::array::StructArray::from(data).into())
    }};
}

/// DataFusion's arrow → DuckDB's arrow.
pub(super) fn to_newer(
    batch: RecordBatch,
) -> Result<newer::record_batch::RecordBatch, EngineError> {
    cross!(batch, arrow => newer)
}

/// DuckDB's arrow → DataFusion's arrow.
fn to_older(batch: newer::record_batch::RecordBatch) -> Result<RecordBatch, EngineError> {
    cross!(batch, newer => arrow)
}

/// A result schema from DuckDB's arrow in DataFusion's, through the C data interface.
pub(super) fn older_schema(schema: &newer::datatypes::Schema) -> Result<Schema, EngineError> {
    let ffi = newer::ffi::FFI_ArrowSchema::try_from(schema)
        .map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: as in `cross!`: the same `#[repr(C)]` struct in both arrow versions.
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

pub(super) fn normalise_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), normalised(f.data_type()), true))
            .collect::<Vec<_>>(),
    ))
}

/// Runs `sql` on `conn` and returns its rows in DataFusion's arrow, with DataFusion's types.
pub(super) fn fetch(conn: &Connection, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
    let mut stmt = conn.prepare(sql).map_err(to_error)?;
    let newer_batches: Vec<newer::record_batch::RecordBatch> =
        stmt.query_arrow([]).map_err(to_error)?.collect();
    let schema = normalise_schema(&older_schema(&stmt.schema())?);
    let mut out = Vec::with_capacity(newer_batches.len());
    for b in newer_batches {
        out.push(cast_batch(&to_older(b)?, &schema)?);
    }
    out.retain(|b| b.num_rows() > 0);
    if out.is_empty() {
        out.push(RecordBatch::new_empty(schema));
    }
    Ok(out)
}
