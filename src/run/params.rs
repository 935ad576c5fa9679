//! The one-row `params` table through which analyses read the run's term.
//!
//! Engines differ in how they bind parameters; a table works the same on all of them:
//! `SELECT ... FROM attendance CROSS JOIN params WHERE date <= params.term_end`.

use crate::arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray};
use crate::arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::Term;
use std::sync::Arc;

/// Builds `params(term, academic_year, term_ordinal, term_start, term_end, year_start, year_end, previous_term, same_term_last_year, previous_academic_year)`.
pub fn table(term: Term) -> (SchemaRef, RecordBatch) {
    let text = |s: String| -> ArrayRef { Arc::new(StringArray::from(vec![s])) };
    let date = |d: chrono::NaiveDate| -> ArrayRef {
        Arc::new(Date32Array::from(vec![Date32Type::from_naive_date(d)]))
    };
    let fields = vec![
        Field::new("term", DataType::Utf8, false),
        Field::new("academic_year", DataType::Utf8, false),
        Field::new("term_ordinal", DataType::Int64, false),
        Field::new("term_start", DataType::Date32, false),
        Field::new("term_end", DataType::Date32, false),
        Field::new("year_start", DataType::Date32, false),
        Field::new("year_end", DataType::Date32, false),
        Field::new("previous_term", DataType::Utf8, false),
        Field::new("same_term_last_year", DataType::Utf8, false),
        Field::new("previous_academic_year", DataType::Utf8, false),
    ];
    let arrays = vec![
        text(term.to_string()),
        text(term.year.to_string()),
        Arc::new(Int64Array::from(vec![term.ordinal() as i64])) as ArrayRef,
        date(term.first_day()),
        date(term.last_day()),
        date(term.year.first_day()),
        date(term.year.last_day()),
        text(term.previous().to_string()),
        text(term.a_year_earlier().to_string()),
        text(term.year.previous().to_string()),
    ];
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
    (schema, batch)
}
