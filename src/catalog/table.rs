//! A table as the catalog holds it: its Arrow schema (from the contract, never the file), its
//! rows in memory or in a validated Parquet file of the cache, and the positions that point
//! back into the file(s) it came from. Below every reader and the cache, which both use it.

use super::error::Position;
use crate::arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{ColumnType, Table};
use chrono::NaiveDate;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A table read from its file (or files), with the positions needed to point back into it.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    pub name: String,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    /// The CSV line of each row, or `None` for Parquet (where rows are counted).
    pub lines: Option<Vec<u64>>,
    /// For a table stacked from several files (903 returns): the files, and each row's
    /// index into them. Empty for a table from one file.
    pub files: Vec<PathBuf>,
    pub row_files: Vec<u32>,
    /// The sheet the rows came from, when a spreadsheet: `lines` hold its row numbers.
    pub sheet: Option<Arc<String>>,
    /// When the table is scanned from its validated Parquet file in the cache rather than
    /// held: that file (`batches` is then empty, `stored_rows` its row count).
    pub stored: Option<PathBuf>,
    pub stored_rows: usize,
    /// Rows of the file before these: a chunk of a large Parquet file checked as it streams
    /// names its rows by their place in the file, not in the chunk.
    pub row_offset: u64,
}

impl LoadedTable {
    /// A table from one file (or none), with each row's line when it was CSV.
    pub fn new(
        name: &str,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        lines: Option<Vec<u64>>,
    ) -> Self {
        LoadedTable {
            name: name.to_string(),
            schema,
            batches,
            lines,
            files: vec![],
            row_files: vec![],
            sheet: None,
            stored: None,
            stored_rows: 0,
            row_offset: 0,
        }
    }

    /// The table's rows in memory: its batches, or its cached file read back when it is
    /// scanned from there (for the few checks that look at a whole table).
    pub fn rows(&self) -> Result<std::borrow::Cow<'_, [RecordBatch]>, String> {
        match &self.stored {
            None => Ok(std::borrow::Cow::Borrowed(&self.batches)),
            Some(path) => read_parquet_rows(path).map(std::borrow::Cow::Owned),
        }
    }

    /// Where row `i` (0-based over all batches) sits in its file.
    pub fn position(&self, i: usize) -> Position {
        match (&self.lines, &self.sheet) {
            (Some(lines), Some(sheet)) => Position::SheetRow {
                sheet: sheet.clone(),
                row: lines.get(i).copied().unwrap_or(0),
            },
            (Some(lines), None) => Position::Line(lines.get(i).copied().unwrap_or(0)),
            (None, _) => Position::Row(self.row_offset + i as u64 + 1),
        }
    }

    /// The file row `i` came from, when the table was stacked from several; else `default`.
    pub fn file_of<'a>(&'a self, i: usize, default: &'a Path) -> &'a Path {
        self.row_files
            .get(i)
            .and_then(|&f| self.files.get(f as usize))
            .map(PathBuf::as_path)
            .unwrap_or(default)
    }

    pub fn num_rows(&self) -> usize {
        match self.stored {
            Some(_) => self.stored_rows,
            None => self.batches.iter().map(|b| b.num_rows()).sum(),
        }
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

/// The rows of a Parquet file written by the catalog (a cached table), read into memory.
pub fn read_parquet_rows(path: &Path) -> Result<Vec<RecordBatch>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// An Arrow `Date32` day number as a date (out-of-range numbers become the minimum date).
pub fn date32(days: i32) -> NaiveDate {
    Date32Type::to_naive_date_opt(days).unwrap_or(NaiveDate::MIN)
}
