//! Reference tables the catalog adds beside the data: code lists, the term calendar,
//! and the national benchmarks shipped with cohort when the folder has none.

use super::error::Problems;
use super::format::delimited::read_csv_from;
use super::table::{LoadedTable, arrow_schema};
use crate::arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray};
use crate::arrow::datatypes::{DataType, Date32Type, Field, Schema};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{AcademicYear, Contract, Term};
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

/// `terms(term, academic_year, season, ordinal, start_date, end_date, pa_threshold)` for the
/// given academic years; `pa_threshold` is DfE's persistent-absence threshold for the year (%).
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
            Field::new("pa_threshold", DataType::Int64, false),
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
            Arc::new(Int64Array::from(
                list.iter()
                    .map(|t| t.year.persistent_absence_threshold())
                    .collect::<Vec<_>>(),
            )),
        ],
    )
}

/// The reference tables cohort ships, read through the same contract checks as a
/// user's file: national benchmarks, DfE's comparators and statistical neighbours.
pub fn builtin(contract: &Contract, name: &str) -> Option<LoadedTable> {
    let (text, source) = match name {
        "benchmarks" => (
            crate::contract::NATIONAL_BENCHMARKS_CSV,
            "<built-in benchmarks>",
        ),
        "comparators" => (crate::contract::COMPARATORS_CSV, "<built-in comparators>"),
        "statistical_neighbours" => (
            crate::contract::STATISTICAL_NEIGHBOURS_CSV,
            "<built-in statistical neighbours>",
        ),
        _ => return None,
    };
    let table = contract.table(name)?;
    let mut problems = Problems::default();
    read_csv_from(table, Path::new(source), text.as_bytes(), &mut problems)
}

/// `authority(la_code, la_name)`: the one authority whose published figures reports compare with.
pub fn authority(
    contract_table: &crate::contract::Table,
    la_code: &str,
    la_name: Option<String>,
) -> LoadedTable {
    let schema = arrow_schema(contract_table);
    let arrays: Vec<ArrayRef> = vec![strings([Some(la_code.to_string())]), strings([la_name])];
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
    LoadedTable::new(contract_table.name, schema, vec![batch], None)
}

/// The name DfE's neighbour file gives authority `la_code`.
pub fn authority_name(neighbours: &LoadedTable, la_code: &str) -> Option<String> {
    use crate::arrow::array::AsArray;
    let batches = neighbours.rows().ok()?;
    for batch in batches.iter() {
        let codes = batch
            .column_by_name("old_la_code")?
            .as_string_opt::<i32>()?;
        let names = batch.column_by_name("la_name")?.as_string_opt::<i32>()?;
        for i in 0..batch.num_rows() {
            if codes.value(i) == la_code {
                return Some(names.value(i).to_string());
            }
        }
    }
    None
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
