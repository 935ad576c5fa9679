//! Streaming table writers for the generator: rows go straight to CSV or to Parquet row
//! batches, so memory stays bounded however many children are generated.

use super::SampleError;
use crate::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
};
use crate::arrow::datatypes::{Field, Schema, SchemaRef};
use crate::arrow::record_batch::RecordBatch;
use crate::catalog::arrow_type;
use crate::contract::{ColumnType, DateFormat, Table};
use chrono::NaiveDate;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One value in a generated row, typed as the contract column it fills.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    Null,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}
impl From<NaiveDate> for Cell {
    fn from(v: NaiveDate) -> Self {
        Cell::Date(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// Builds a row from values of mixed types.
#[macro_export]
macro_rules! row {
    ($($v:expr),* $(,)?) => { vec![$($crate::sample::writer::Cell::from($v)),*] };
}

const BATCH_ROWS: usize = 65_536;

enum Sink {
    Csv(csv::Writer<BufWriter<File>>),
    Parquet {
        writer: ArrowWriter<File>,
        schema: SchemaRef,
        pending: Vec<Vec<Cell>>,
    },
}

/// Writes one contract table to a temporary file, renamed into place by [`TableWriter::finish`].
pub struct TableWriter {
    table: Table,
    tmp: PathBuf,
    path: PathBuf,
    sink: Sink,
    rows: u64,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> SampleError {
    SampleError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn format_cell(cell: &Cell, ty: ColumnType) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(v) => v.to_string(),
        Cell::Num(v) => {
            let s = format!("{v:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s.is_empty() || s == "-" {
                "0".to_string()
            } else {
                s.to_string()
            }
        }
        Cell::Bool(v) => v.to_string(),
        Cell::Date(d) => match ty {
            ColumnType::Date(DateFormat::Uk) => d.format("%d/%m/%Y").to_string(),
            _ => d.format("%Y-%m-%d").to_string(),
        },
        Cell::Null => String::new(),
    }
}

impl TableWriter {
    /// Opens `<dir>/<table>.csv` or `.parquet` (through a temporary name).
    pub fn create(dir: &Path, table: &Table, parquet: bool) -> Result<Self, SampleError> {
        let ext = if parquet { "parquet" } else { "csv" };
        let path = dir.join(format!("{}.{ext}", table.name));
        let tmp = dir.join(format!(".{}.{ext}.partial", table.name));
        let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let sink = if parquet {
            let schema: SchemaRef = Arc::new(Schema::new(
                table
                    .columns
                    .iter()
                    .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
                    .collect::<Vec<_>>(),
            ));
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(9).unwrap_or_default()))
                .set_created_by("cohort sample".to_string())
                .build();
            let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
                .map_err(|e| io_err(&tmp, e))?;
            Sink::Parquet {
                writer,
                schema,
                pending: Vec::with_capacity(BATCH_ROWS),
            }
        } else {
            let mut w = csv::Writer::from_writer(BufWriter::new(file));
            w.write_record(table.columns.iter().map(|c| c.name))
                .map_err(|e| io_err(&tmp, e))?;
            Sink::Csv(w)
        };
        Ok(TableWriter {
            table: table.clone(),
            tmp,
            path,
            sink,
            rows: 0,
        })
    }

    /// Appends one row; its cells follow the contract's column order.
    pub fn write(&mut self, row: Vec<Cell>) -> Result<(), SampleError> {
        debug_assert_eq!(row.len(), self.table.columns.len(), "{}", self.table.name);
        self.rows += 1;
        match &mut self.sink {
            Sink::Csv(w) => {
                let fields = row
                    .iter()
                    .zip(&self.table.columns)
                    .map(|(cell, col)| format_cell(cell, col.ty));
                w.write_record(fields).map_err(|e| io_err(&self.tmp, e))
            }
            Sink::Parquet { pending, .. } => {
                pending.push(row);
                if pending.len() >= BATCH_ROWS {
                    self.flush()?;
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> Result<(), SampleError> {
        let Sink::Parquet {
            writer,
            schema,
            pending,
        } = &mut self.sink
        else {
            return Ok(());
        };
        if pending.is_empty() {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.table.columns.len());
        for (i, col) in self.table.columns.iter().enumerate() {
            let cells = pending.iter().map(|r| &r[i]);
            let array: ArrayRef = match col.ty {
                ColumnType::Text => {
                    let mut b = StringBuilder::new();
                    for c in cells {
                        match c {
                            Cell::Null => b.append_null(),
                            other => b.append_value(format_cell(other, col.ty)),
                        }
                    }
                    Arc::new(b.finish())
                }
                ColumnType::Integer => {
                    let mut b = Int64Builder::new();
                    for c in cells {
                        match c {
                            Cell::Int(v) => b.append_value(*v),
                            _ => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
                ColumnType::Decimal => {
                    let mut b = Float64Builder::new();
                    for c in cells {
                        match c {
                            Cell::Num(v) => b.append_value(*v),
                            Cell::Int(v) => b.append_value(*v as f64),
                            _ => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
                ColumnType::Boolean => {
                    let mut b = BooleanBuilder::new();
                    for c in cells {
                        match c {
                            Cell::Bool(v) => b.append_value(*v),
                            _ => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
                ColumnType::Date(_) => {
                    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                    let mut b = Date32Builder::new();
                    for c in cells {
                        match c {
                            Cell::Date(d) => b.append_value((*d - epoch).num_days() as i32),
                            _ => b.append_null(),
                        }
                    }
                    Arc::new(b.finish())
                }
            };
            arrays.push(array);
        }
        let batch =
            RecordBatch::try_new(schema.clone(), arrays).map_err(|e| io_err(&self.tmp, e))?;
        writer.write(&batch).map_err(|e| io_err(&self.tmp, e))?;
        pending.clear();
        Ok(())
    }

    /// Flushes, closes and renames the file into place; returns its name and row count.
    pub fn finish(mut self) -> Result<(String, u64), SampleError> {
        self.flush()?;
        match self.sink {
            Sink::Csv(mut w) => w.flush().map_err(|e| io_err(&self.tmp, e))?,
            Sink::Parquet { writer, .. } => {
                writer.close().map_err(|e| io_err(&self.tmp, e))?;
            }
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| io_err(&self.path, e))?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok((name, self.rows))
    }
}
