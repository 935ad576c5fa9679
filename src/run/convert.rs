//! Arrow batches to [`ResultTable`]s: the one place result types are mapped to values.

use super::value::{ResultTable, Value};
use crate::arrow::array::{Array, ArrayRef, AsArray};
use crate::arrow::compute::cast;
use crate::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use crate::arrow::record_batch::RecordBatch;
use crate::arrow::util::display::{ArrayFormatter, FormatOptions};
use chrono::NaiveDate;

/// Converts batches (all of one schema) into a table of plain values.
pub fn to_table(batches: &[RecordBatch]) -> ResultTable {
    let Some(first) = batches.first() else {
        return ResultTable::default();
    };
    let columns: Vec<String> = first
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut rows = Vec::new();
    for batch in batches {
        let cols: Vec<Vec<Value>> = batch.columns().iter().map(column_values).collect();
        for i in 0..batch.num_rows() {
            rows.push(cols.iter().map(|c| c[i].clone()).collect());
        }
    }
    ResultTable { columns, rows }
}

fn column_values(array: &ArrayRef) -> Vec<Value> {
    use DataType::*;
    let n = array.len();
    let nulls = |f: &dyn Fn(usize) -> Value| -> Vec<Value> {
        (0..n)
            .map(|i| if array.is_null(i) { Value::Null } else { f(i) })
            .collect()
    };
    match array.data_type() {
        Null => vec![Value::Null; n],
        Boolean => {
            let a = array.as_boolean();
            nulls(&|i| Value::Bool(a.value(i)))
        }
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => {
            match cast(array, &Int64) {
                Ok(c) => {
                    let a = c.as_primitive::<Int64Type>();
                    nulls(&|i| Value::Int(a.value(i)))
                }
                Err(_) => formatted(array),
            }
        }
        Float16 | Float32 | Float64 | Decimal128(_, _) | Decimal256(_, _) => {
            match cast(array, &Float64) {
                Ok(c) => {
                    let a = c.as_primitive::<Float64Type>();
                    nulls(&|i| Value::Float(a.value(i)))
                }
                Err(_) => formatted(array),
            }
        }
        Date32 | Date64 => match cast(array, &Date32) {
            Ok(c) => {
                let a = c.as_primitive::<Date32Type>();
                nulls(&|i| {
                    Value::Date(Date32Type::to_naive_date_opt(a.value(i)).unwrap_or(NaiveDate::MIN))
                })
            }
            Err(_) => formatted(array),
        },
        Utf8 | LargeUtf8 | Utf8View | Dictionary(_, _) => match cast(array, &Utf8) {
            Ok(c) => {
                let a = c.as_string::<i32>();
                nulls(&|i| Value::Text(a.value(i).to_string()))
            }
            Err(_) => formatted(array),
        },
        _ => formatted(array),
    }
}

fn formatted(array: &ArrayRef) -> Vec<Value> {
    let options = FormatOptions::default();
    match ArrayFormatter::try_new(array.as_ref(), &options) {
        Ok(f) => (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    Value::Null
                } else {
                    Value::Text(f.value(i).to_string())
                }
            })
            .collect(),
        Err(_) => vec![Value::Null; array.len()],
    }
}

/// A table of plain values back to one Arrow batch, each column typed by its first
/// non-empty value (text when a column is all empty), so a model's table can be registered
/// for the analyses that depend on it.
pub fn to_batch(table: &ResultTable) -> Result<RecordBatch, crate::arrow::error::ArrowError> {
    use crate::arrow::array::{BooleanArray, Date32Array, Float64Array, Int64Array, StringArray};
    use crate::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut fields = Vec::with_capacity(table.columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for (j, name) in table.columns.iter().enumerate() {
        let cells = || table.rows.iter().map(move |r| &r[j]);
        let kind = cells()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
        let array: ArrayRef = match kind {
            Value::Int(_) => Arc::new(Int64Array::from_iter(cells().map(|v| match v {
                Value::Int(i) => Some(*i),
                _ => None,
            }))),
            Value::Float(_) => Arc::new(Float64Array::from_iter(cells().map(Value::as_f64))),
            Value::Bool(_) => Arc::new(BooleanArray::from_iter(cells().map(|v| match v {
                Value::Bool(x) => Some(*x),
                _ => None,
            }))),
            Value::Date(_) => Arc::new(Date32Array::from_iter(cells().map(|v| match v {
                Value::Date(d) => Some((*d - epoch).num_days() as i32),
                _ => None,
            }))),
            Value::Text(_) | Value::Null | Value::Suppressed => {
                Arc::new(StringArray::from_iter(cells().map(|v| match v {
                    Value::Null => None,
                    other => Some(other.to_string()),
                })))
            }
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
}
