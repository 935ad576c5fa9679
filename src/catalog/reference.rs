//! Reference tables the catalog adds beside the data: code lists, the term calendar,
//! and the national benchmarks shipped with cohort when the folder has none.

use super::error::Problems;
use super::load::{LoadedTable, arrow_schema, read_csv_from};
use crate::contract::{AcademicYear, Contract, Term};
use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use std::path::Path;
use std::sync::Arc;

fn strings<I: IntoIterator<Item = Option<String>>>(v: I) -> ArrayRef {
    Arc::new(StringArray::from_iter(v))
}

fn table(name: &str, fields: Vec<Field>, arrays: Vec<ArrayRef>) -> Option<LoadedTable> {
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).ok()?;
    Some(LoadedTable::new(name, schema, vec![batch], None))
}

/// `code_lists(list_id, code, label, code_group, valid_from, valid_to)`: every code of the contract.
pub fn code_lists(contract: &Contract) -> Option<LoadedTable> {
    let codes: Vec<_> = contract
        .code_lists
        .iter()
        .flat_map(|l| l.codes.iter().map(move |c| (l.id, c)))
        .collect();
    let date = |d: Option<chrono::NaiveDate>| d.map(Date32Type::from_naive_date);
    table(
        "code_lists",
        vec![
            Field::new("list_id", DataType::Utf8, false),
            Field::new("code", DataType::Utf8, false),
            Field::new("label", DataType::Utf8, false),
            Field::new("code_group", DataType::Utf8, false),
            Field::new("valid_from", DataType::Date32, true),
            Field::new("valid_to", DataType::Date32, true),
        ],
        vec![
            strings(codes.iter().map(|(l, _)| Some(l.to_string()))),
            strings(codes.iter().map(|(_, c)| Some(c.code.to_string()))),
            strings(codes.iter().map(|(_, c)| Some(c.label.to_string()))),
            strings(codes.iter().map(|(_, c)| Some(c.group.to_string()))),
            Arc::new(Date32Array::from(
                codes
                    .iter()
                    .map(|(_, c)| date(c.valid_from))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Date32Array::from(
                codes
                    .iter()
                    .map(|(_, c)| date(c.valid_to))
                    .collect::<Vec<_>>(),
            )),
        ],
    )
}

/// `terms(term, academic_year, season, ordinal, start_date, end_date)` for the given academic years.
pub fn terms(first: AcademicYear, last: AcademicYear) -> Option<LoadedTable> {
    let list: Vec<Term> = (first.start..=last.start)
        .flat_map(|y| AcademicYear::new(y).terms())
        .collect();
    table(
        "terms",
        vec![
            Field::new("term", DataType::Utf8, false),
            Field::new("academic_year", DataType::Utf8, false),
            Field::new("season", DataType::Utf8, false),
            Field::new("ordinal", DataType::Int64, false),
            Field::new("start_date", DataType::Date32, false),
            Field::new("end_date", DataType::Date32, false),
        ],
        vec![
            strings(list.iter().map(|t| Some(t.to_string()))),
            strings(list.iter().map(|t| Some(t.year.to_string()))),
            strings(list.iter().map(|t| Some(t.season.as_str().to_string()))),
            Arc::new(Int64Array::from(
                list.iter().map(|t| t.ordinal() as i64).collect::<Vec<_>>(),
            )),
            Arc::new(Date32Array::from(
                list.iter()
                    .map(|t| Date32Type::from_naive_date(t.first_day()))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Date32Array::from(
                list.iter()
                    .map(|t| Date32Type::from_naive_date(t.last_day()))
                    .collect::<Vec<_>>(),
            )),
        ],
    )
}

/// The built-in national benchmarks, read through the same contract checks as a user's file.
pub fn builtin_benchmarks(contract: &Contract) -> Option<LoadedTable> {
    let table = contract.table("benchmarks")?;
    let mut problems = Problems::default();
    let source = Path::new("<built-in benchmarks>");
    read_csv_from(
        table,
        source,
        crate::contract::NATIONAL_BENCHMARKS_CSV.as_bytes(),
        &mut problems,
    )
}

/// An empty table with the contract's schema, for optional tables the folder lacks.
pub fn empty(contract_table: &crate::contract::Table) -> LoadedTable {
    let schema = arrow_schema(contract_table);
    LoadedTable::new(
        contract_table.name,
        schema.clone(),
        vec![RecordBatch::new_empty(schema)],
        None,
    )
}
