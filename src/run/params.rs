//! The one-row `params` table through which analyses read the run's period and parameters.
//!
//! Engines differ in how they bind parameters; a table works the same on all of them:
//! `SELECT ... FROM attendance CROSS JOIN params WHERE date <= params.term_end`.
//! Its columns are [`Period::values`] (the names templates read too), then one text column
//! per report parameter ([`crate::period::PARAMETERS`]), `NULL` unless the run is for one value.

use crate::arrow::array::{ArrayRef, BooleanArray, Date32Array, Int64Array, StringArray};
use crate::arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use crate::arrow::record_batch::RecordBatch;
use crate::period::{PARAMETERS, Period, PeriodValue};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds `params`: the period's values, then every report parameter (`values` gives the
/// ones this run is for).
pub fn table(period: &Period, values: &BTreeMap<String, String>) -> (SchemaRef, RecordBatch) {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, value) in period.values() {
        let (kind, array): (DataType, ArrayRef) = match value {
            PeriodValue::Text(s) => (DataType::Utf8, Arc::new(StringArray::from(vec![s]))),
            PeriodValue::Int(n) => (DataType::Int64, Arc::new(Int64Array::from(vec![n]))),
            PeriodValue::Date(d) => (
                DataType::Date32,
                Arc::new(Date32Array::from(vec![Date32Type::from_naive_date(d)])),
            ),
            PeriodValue::Bool(b) => (DataType::Boolean, Arc::new(BooleanArray::from(vec![b]))),
        };
        fields.push(Field::new(name, kind, false));
        arrays.push(array);
    }
    for p in PARAMETERS {
        fields.push(Field::new(p.name, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(vec![
            values.get(p.name).cloned(),
        ])));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
    (schema, batch)
}
