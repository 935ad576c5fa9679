//! Reading one table's file (CSV or Parquet) into Arrow with the contract's types.
//!
//! The schema always comes from the contract, never from the file: a value that
//! does not fit its column is a [`Problem`] naming the file, line, column and value.

use super::error::{Position, Problem, Problems};
use crate::contract::{Column, ColumnType, Table};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Float64Array, Float64Builder, Int64Array,
    Int64Builder, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// A table read from its file, with the positions needed to point back into it.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    pub name: String,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    /// The CSV line of each row, or `None` for Parquet (where rows are counted).
    pub lines: Option<Vec<u64>>,
}

impl LoadedTable {
    /// Where row `i` (0-based over all batches) sits in its file.
    pub fn position(&self, i: usize) -> Position {
        match &self.lines {
            Some(lines) => Position::Line(lines.get(i).copied().unwrap_or(0)),
            None => Position::Row(i as u64 + 1),
        }
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// The Arrow type a contract column is held in.
pub fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Decimal => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date(_) => DataType::Date32,
    }
}

/// The Arrow schema of a contract table; SQL names are lower case (SQL folds unquoted names).
pub fn arrow_schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(c.name.to_ascii_lowercase(), arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
}

impl Builder {
    fn new(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Text => Builder::Text(StringBuilder::new()),
            ColumnType::Integer => Builder::Int(Int64Builder::new()),
            ColumnType::Decimal => Builder::Num(Float64Builder::new()),
            ColumnType::Boolean => Builder::Bool(BooleanBuilder::new()),
            ColumnType::Date(_) => Builder::Date(Date32Builder::new()),
        }
    }

    fn null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Int(b) => b.append_null(),
            Builder::Num(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Text(mut b) => Arc::new(b.finish()),
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Num(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
        }
    }

    /// Appends a parsed cell; returns what was expected when the text does not fit.
    fn push(&mut self, col: &Column, text: &str) -> Result<(), String> {
        let in_range = |x: f64| col.range.is_none_or(|(lo, hi)| x >= lo && x <= hi);
        let range_words = || {
            col.range
                .map(|(lo, hi)| format!("{} from {lo} to {hi}", col.ty.describe()))
                .unwrap_or_else(|| col.ty.describe())
        };
        match self {
            Builder::Text(b) => b.append_value(text),
            Builder::Int(b) => match text.parse::<i64>() {
                Ok(v) if in_range(v as f64) => b.append_value(v),
                _ => return Err(range_words()),
            },
            Builder::Num(b) => match text.parse::<f64>() {
                Ok(v) if v.is_finite() && in_range(v) => b.append_value(v),
                _ => return Err(range_words()),
            },
            Builder::Bool(b) => match text.to_ascii_lowercase().as_str() {
                "true" => b.append_value(true),
                "false" => b.append_value(false),
                _ => return Err("true or false".into()),
            },
            Builder::Date(b) => {
                let ColumnType::Date(format) = col.ty else {
                    return Err(col.ty.describe());
                };
                match NaiveDate::parse_from_str(text, format.pattern()) {
                    Ok(d) => b.append_value(Date32Type::from_naive_date(d)),
                    Err(_) => return Err(format!("a date written {}", format.example())),
                }
            }
        }
        Ok(())
    }
}

fn problem(
    path: &Path,
    position: Option<Position>,
    column: Option<&str>,
    value: Option<&str>,
    expected: String,
) -> Problem {
    Problem {
        file: path.to_path_buf(),
        position,
        column: column.map(str::to_string),
        value: value.map(str::to_string),
        expected,
    }
}

/// Matches a file's column names to the contract (case-insensitively); reports missing and unknown ones.
fn match_columns(
    table: &Table,
    path: &Path,
    names: &[String],
    problems: &mut Problems,
) -> Option<Vec<usize>> {
    let mut indices = Vec::new();
    let mut ok = true;
    for c in &table.columns {
        match names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(c.name))
        {
            Some(i) => indices.push(i),
            None => {
                ok = false;
                problems.push(problem(
                    path,
                    Some(Position::Line(1)),
                    Some(c.name),
                    None,
                    format!("a column `{}` ({}) in the header", c.name, c.ty.describe()),
                ));
            }
        }
    }
    for n in names {
        if table.column(n.trim()).is_none()
            && !table
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(n.trim()))
        {
            ok = false;
            let known: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            problems.push(problem(
                path,
                Some(Position::Line(1)),
                Some(n),
                None,
                format!(
                    "only the contract's columns for `{}`: {}",
                    table.name,
                    known.join(", ")
                ),
            ));
        }
    }
    ok.then_some(indices)
}

/// Reads a CSV file of `table`; every unparsable cell becomes a problem.
pub fn read_csv(table: &Table, path: &Path, problems: &mut Problems) -> Option<LoadedTable> {
    match File::open(path) {
        Ok(f) => read_csv_from(table, path, f, problems),
        Err(e) => {
            problems.push(problem(
                path,
                None,
                None,
                None,
                format!("a readable file ({e})"),
            ));
            None
        }
    }
}

/// Reads CSV text of `table` from any reader; `path` names it in messages.
pub fn read_csv_from(
    table: &Table,
    path: &Path,
    input: impl std::io::Read,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => {
            problems.push(problem(
                path,
                Some(Position::Line(1)),
                None,
                None,
                format!("a CSV header row ({e})"),
            ));
            return None;
        }
    };
    let indices = match_columns(table, path, &headers, problems)?;
    let mut builders: Vec<Builder> = table.columns.iter().map(|c| Builder::new(c.ty)).collect();
    let mut lines = Vec::new();
    let mut clean = true;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(problem(
                    path,
                    Some(Position::Line(line)),
                    None,
                    None,
                    format!("{} comma-separated fields ({e})", headers.len()),
                ));
                return None;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        lines.push(line);
        for ((col, &i), builder) in table.columns.iter().zip(&indices).zip(builders.iter_mut()) {
            let text = record.get(i).unwrap_or("").trim();
            if text.is_empty() {
                builder.null();
                if !col.nullable {
                    clean = false;
                    problems.push(problem(
                        path,
                        Some(Position::Line(line)),
                        Some(col.name),
                        Some(""),
                        format!(
                            "a value ({}); this column may not be empty",
                            col.ty.describe()
                        ),
                    ));
                }
            } else if let Err(expected) = builder.push(col, text) {
                clean = false;
                builder.null();
                problems.push(problem(
                    path,
                    Some(Position::Line(line)),
                    Some(col.name),
                    Some(text),
                    expected,
                ));
            }
        }
    }
    if !clean {
        return None;
    }
    let schema = arrow_schema(table);
    let arrays: Vec<ArrayRef> = builders.into_iter().map(Builder::finish).collect();
    match RecordBatch::try_new(schema.clone(), arrays) {
        Ok(batch) => Some(LoadedTable {
            name: table.name.to_string(),
            schema,
            batches: vec![batch],
            lines: Some(lines),
        }),
        Err(e) => {
            problems.push(problem(
                path,
                None,
                None,
                None,
                format!("rows that fit the contract ({e})"),
            ));
            None
        }
    }
}

/// Whether a Parquet column type can hold a contract type without loss.
fn compatible(found: &DataType, ty: ColumnType) -> bool {
    use DataType::*;
    match ty {
        ColumnType::Text => {
            matches!(found, Utf8 | LargeUtf8 | Utf8View)
                || matches!(found, Dictionary(_, v) if matches!(v.as_ref(), Utf8 | LargeUtf8 | Utf8View))
        }
        ColumnType::Integer => matches!(
            found,
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32
        ),
        ColumnType::Decimal => {
            matches!(
                found,
                Float32 | Float64 | Int8 | Int16 | Int32 | Int64 | Decimal128(_, _)
            )
        }
        ColumnType::Boolean => matches!(found, Boolean),
        ColumnType::Date(_) => matches!(found, Date32 | Date64),
    }
}

/// Reads a Parquet file of `table`, casting compatible physical types to the contract's.
pub fn read_parquet(table: &Table, path: &Path, problems: &mut Problems) -> Option<LoadedTable> {
    let fail = |problems: &mut Problems, e: String| -> Option<LoadedTable> {
        problems.push(problem(
            path,
            None,
            None,
            None,
            format!("a readable Parquet file ({e})"),
        ));
        None
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(problems, e.to_string()),
    };
    let builder = match ParquetRecordBatchReaderBuilder::try_new(file) {
        Ok(b) => b,
        Err(e) => return fail(problems, e.to_string()),
    };
    let file_schema = builder.schema().clone();
    let names: Vec<String> = file_schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let indices = match_columns(table, path, &names, problems)?;
    let mut ok = true;
    for (col, &i) in table.columns.iter().zip(&indices) {
        let found = file_schema.field(i).data_type();
        if !compatible(found, col.ty) {
            ok = false;
            problems.push(problem(
                path,
                None,
                Some(col.name),
                None,
                format!(
                    "Parquet type compatible with {} (found {found})",
                    col.ty.describe()
                ),
            ));
        }
    }
    if !ok {
        return None;
    }
    let reader = match builder.with_batch_size(65_536).build() {
        Ok(r) => r,
        Err(e) => return fail(problems, e.to_string()),
    };
    let schema = arrow_schema(table);
    let mut batches = Vec::new();
    let mut offset = 0u64;
    let mut clean = true;
    for batch in reader {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => return fail(problems, e.to_string()),
        };
        let mut arrays = Vec::with_capacity(indices.len());
        for ((col, &i), field) in table.columns.iter().zip(&indices).zip(schema.fields()) {
            let array = match cast(batch.column(i), field.data_type()) {
                Ok(a) => a,
                Err(e) => return fail(problems, e.to_string()),
            };
            clean &= check_array(col, &array, path, offset, problems);
            arrays.push(array);
        }
        offset += batch.num_rows() as u64;
        match RecordBatch::try_new(schema.clone(), arrays) {
            Ok(b) => batches.push(b),
            Err(e) => return fail(problems, e.to_string()),
        }
    }
    clean.then(|| LoadedTable {
        name: table.name.to_string(),
        schema,
        batches,
        lines: None,
    })
}

/// Checks nulls and ranges of one Parquet column (CSV cells are checked while parsing).
fn check_array(
    col: &Column,
    array: &ArrayRef,
    path: &Path,
    offset: u64,
    problems: &mut Problems,
) -> bool {
    let mut clean = true;
    if !col.nullable && array.null_count() > 0 {
        for i in (0..array.len()).filter(|&i| array.is_null(i)) {
            clean = false;
            problems.push(problem(
                path,
                Some(Position::Row(offset + i as u64 + 1)),
                Some(col.name),
                Some(""),
                format!(
                    "a value ({}); this column may not be empty",
                    col.ty.describe()
                ),
            ));
        }
    }
    if let Some((lo, hi)) = col.range {
        let values: Vec<(usize, f64)> = if let Some(a) = array.as_any().downcast_ref::<Int64Array>()
        {
            a.iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v as f64)))
                .collect()
        } else if let Some(a) = array.as_any().downcast_ref::<Float64Array>() {
            a.iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect()
        } else {
            vec![]
        };
        for (i, v) in values.into_iter().filter(|(_, v)| !(v >= &lo && v <= &hi)) {
            clean = false;
            problems.push(problem(
                path,
                Some(Position::Row(offset + i as u64 + 1)),
                Some(col.name),
                Some(&v.to_string()),
                format!("{} from {lo} to {hi}", col.ty.describe()),
            ));
        }
    }
    clean
}

/// An Arrow `Date32` day number as a date (out-of-range numbers become the minimum date).
pub fn date32(days: i32) -> NaiveDate {
    Date32Type::to_naive_date_opt(days).unwrap_or(NaiveDate::MIN)
}
