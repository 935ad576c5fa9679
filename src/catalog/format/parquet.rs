//! Reading a Parquet file as pandas, pyarrow or Polars write it: integer ids read as
//! text, timestamps that are whole dates as dates, large and dictionary strings, whole
//! floats (pandas' integers with gaps) as integers; an error only where a value cannot be cast.

use super::dictionary::{dictionary_hint, keeps_dictionary, text_dictionary};
use super::rows::{Builder, date_pattern};
use crate::arrow::array::{Array, ArrayRef, Float64Array, Int64Array, StringArray};
use crate::arrow::compute::cast;
use crate::arrow::datatypes::{DataType, TimeUnit};
use crate::arrow::record_batch::RecordBatch;
use crate::catalog::columns::{ReadOptions, Source, match_columns};
use crate::catalog::error::{Position, Problems, problem};
use crate::catalog::table::{LoadedTable, arrow_schema, arrow_type};
use crate::contract::{Column, ColumnType, Table};
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

fn is_int(t: &DataType) -> bool {
    use DataType::*;
    matches!(
        t,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
    )
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Whether a Parquet column type can be read as a contract type at all (values are checked after).
fn readable(found: &DataType, ty: ColumnType) -> bool {
    use DataType::*;
    if is_string(found) {
        return true;
    }
    match ty {
        ColumnType::Text => is_int(found),
        ColumnType::Integer => is_int(found) || matches!(found, Float32 | Float64),
        ColumnType::Decimal => {
            is_int(found) || matches!(found, Float32 | Float64 | Decimal128(_, _))
        }
        ColumnType::Boolean => matches!(found, Boolean),
        ColumnType::Date(_) => matches!(found, Date32 | Date64 | Timestamp(_, _)),
    }
}

/// The values of one Parquet column as the contract's type; bad values become problems.
struct Converted {
    array: ArrayRef,
    clean: bool,
}

/// `col`'s values in the contract's type; a text column that arrives as a [`text_dictionary`]
/// stays one when `keep_dictionary` (its strings are checked once each, not once a row).
fn convert(
    col: &Column,
    array: &ArrayRef,
    keep_dictionary: bool,
    options: &ReadOptions,
    path: &Path,
    offset: u64,
    problems: &mut Problems,
) -> Result<Converted, String> {
    let target = arrow_type(col.ty);
    let mut array = array.clone();
    if keep_dictionary && *array.data_type() == text_dictionary() {
        return Ok(Converted { array, clean: true });
    }
    if let DataType::Dictionary(_, value) = array.data_type() {
        array = cast(&array, value).map_err(|e| e.to_string())?;
    }
    let at = |i: usize| Some(Position::Row(offset + i as u64 + 1));
    let found = array.data_type().clone();
    if is_string(&found) && !matches!(col.ty, ColumnType::Text) {
        // Text cells parsed as a CSV cell would be.
        let strings = cast(&array, &DataType::Utf8).map_err(|e| e.to_string())?;
        let strings = strings
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or("text")?;
        let pattern = date_pattern(col, options);
        let mut b = Builder::new(col.ty);
        let mut clean = true;
        for i in 0..strings.len() {
            let text = if strings.is_null(i) {
                ""
            } else {
                strings.value(i).trim()
            };
            if text.is_empty() {
                b.null();
            } else if let Err(expected) = b.push(col, text, pattern.as_ref()) {
                clean = false;
                b.null();
                problems.push(problem(path, at(i), Some(col.name), Some(text), expected));
            }
        }
        return Ok(Converted {
            array: b.finish(),
            clean,
        });
    }
    let mut clean = true;
    match (&found, col.ty) {
        (DataType::Float32 | DataType::Float64, ColumnType::Integer) => {
            let f = cast(&array, &DataType::Float64).map_err(|e| e.to_string())?;
            if let Some(f) = f.as_any().downcast_ref::<Float64Array>() {
                for (i, v) in f.iter().enumerate() {
                    if let Some(v) = v
                        && (v.fract() != 0.0 || !v.is_finite() || v.abs() > 9.0e15)
                    {
                        clean = false;
                        problems.push(problem(
                            path,
                            at(i),
                            Some(col.name),
                            Some(&v.to_string()),
                            col.ty.describe(),
                        ));
                    }
                }
            }
        }
        (DataType::Timestamp(unit, _), ColumnType::Date(_)) => {
            let per_day: i64 = match unit {
                TimeUnit::Second => 86_400,
                TimeUnit::Millisecond => 86_400_000,
                TimeUnit::Microsecond => 86_400_000_000,
                TimeUnit::Nanosecond => 86_400_000_000_000,
            };
            let raw = cast(&array, &DataType::Int64).map_err(|e| e.to_string())?;
            if let Some(raw) = raw.as_any().downcast_ref::<Int64Array>() {
                for (i, v) in raw.iter().enumerate() {
                    if let Some(v) = v
                        && v.rem_euclid(per_day) != 0
                    {
                        clean = false;
                        let shown = cast(&array.slice(i, 1), &DataType::Utf8)
                            .ok()
                            .and_then(|a| {
                                a.as_any()
                                    .downcast_ref::<StringArray>()
                                    .map(|s| s.value(0).to_string())
                            })
                            .unwrap_or_else(|| v.to_string());
                        problems.push(problem(
                            path,
                            at(i),
                            Some(col.name),
                            Some(&shown),
                            "a whole date (a timestamp at midnight), not a time of day".into(),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    let out = cast(&array, &target).map_err(|e| e.to_string())?;
    Ok(Converted { array: out, clean })
}

/// Reads a Parquet file of `table`, casting what can be cast safely to the contract's types.
pub fn read_parquet(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let mut reader = ParquetBatches::open(table, path, options, 65_536, problems)?;
    let mut batches = Vec::new();
    while let Some(batch) = reader.next_batch(problems) {
        batches.push(batch?);
    }
    reader
        .clean
        .then(|| LoadedTable::new(table.name, reader.schema.clone(), batches, None))
}

/// The rows of a Parquet file in the contract's types, a batch at a time: each batch cast,
/// its nulls and ranges checked (problems name the row in the file), so a large file can be
/// checked as it streams rather than held whole.
pub struct ParquetBatches<'a> {
    table: &'a Table,
    path: &'a Path,
    options: &'a ReadOptions,
    sources: Vec<Source>,
    reader: datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    /// The contract's schema for the table.
    pub schema: crate::arrow::datatypes::SchemaRef,
    /// The schema of the batches given: the contract's, with the text columns kept as
    /// dictionaries (see [`ParquetBatches::open_dictionaries`]) as [`text_dictionary`].
    pub batch_schema: crate::arrow::datatypes::SchemaRef,
    /// For each contract column, whether it is given as a [`text_dictionary`].
    dictionaries: Vec<bool>,
    /// Rows read so far.
    pub offset: u64,
    /// No value has failed its cast or check so far.
    pub clean: bool,
    /// The rows the file's footer says it holds.
    pub footer_rows: u64,
}

impl<'a> ParquetBatches<'a> {
    /// Opens `path` and matches its columns to `table`'s; None (with the problems) when the
    /// file cannot be read as the table at all.
    pub fn open(
        table: &'a Table,
        path: &'a Path,
        options: &'a ReadOptions,
        batch_rows: usize,
        problems: &mut Problems,
    ) -> Option<Self> {
        Self::open_with(table, path, options, batch_rows, false, problems)
    }

    /// As [`ParquetBatches::open`], but each text column the file dictionary-encodes in every
    /// row group (as pandas, pyarrow, Polars and cohort write strings) is given as a
    /// [`text_dictionary`]: the file's dictionary and each row's index into it, never a
    /// string a row. Term and academic-year columns are given as text (their check reads
    /// text), and so is any column the file does not dictionary-encode throughout.
    pub fn open_dictionaries(
        table: &'a Table,
        path: &'a Path,
        options: &'a ReadOptions,
        batch_rows: usize,
        problems: &mut Problems,
    ) -> Option<Self> {
        Self::open_with(table, path, options, batch_rows, true, problems)
    }

    fn open_with(
        table: &'a Table,
        path: &'a Path,
        options: &'a ReadOptions,
        batch_rows: usize,
        dictionaries: bool,
        problems: &mut Problems,
    ) -> Option<Self> {
        let (builder, sources) = builder_for(table, path, options, dictionaries, problems)?;
        let footer_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let read_as = builder.schema().clone();
        let kept: Vec<bool> = table
            .columns
            .iter()
            .zip(&sources)
            .map(|(col, source)| match source {
                Source::Field(i) => {
                    dictionaries
                        && keeps_dictionary(col)
                        && *read_as.field(*i).data_type() == text_dictionary()
                }
                Source::Value(_) => false,
            })
            .collect();
        let schema = arrow_schema(table);
        let fields: Vec<crate::arrow::datatypes::FieldRef> = schema
            .fields()
            .iter()
            .zip(&kept)
            .map(|(f, &k)| {
                if k {
                    Arc::new(f.as_ref().clone().with_data_type(text_dictionary()))
                } else {
                    f.clone()
                }
            })
            .collect();
        let batch_schema = Arc::new(crate::arrow::datatypes::Schema::new_with_metadata(
            fields,
            schema.metadata().clone(),
        ));
        let reader = match builder.with_batch_size(batch_rows.max(1)).build() {
            Ok(r) => r,
            Err(e) => return unreadable(path, problems, e.to_string()),
        };
        Some(ParquetBatches {
            table,
            path,
            options,
            sources,
            reader,
            schema,
            batch_schema,
            dictionaries: kept,
            offset: 0,
            clean: true,
            footer_rows,
        })
    }

    /// The column names of a Parquet file, from its footer: to tell which table it holds.
    pub fn column_names(path: &Path) -> Result<Vec<String>, String> {
        let f = File::open(path).map_err(|e| e.to_string())?;
        let b = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| e.to_string())?;
        Ok(b.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect())
    }

    /// The rows in the file, from its footer.
    pub fn rows_in(path: &Path) -> Option<u64> {
        let file = File::open(path).ok()?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).ok()?;
        u64::try_from(builder.metadata().file_metadata().num_rows()).ok()
    }

    /// The next batch in the contract's types; `Some(None)` when the file cannot be read on
    /// (the problem is recorded), None at its end. Values that fail leave `clean` false.
    pub fn next_batch(&mut self, problems: &mut Problems) -> Option<Option<RecordBatch>> {
        let batch = match self.reader.next()? {
            Ok(b) => b,
            Err(e) => return Some(unreadable(self.path, problems, e.to_string())),
        };
        let mut arrays = Vec::with_capacity(self.sources.len());
        let columns = self.table.columns.iter().zip(&self.sources);
        for ((col, source), &keep) in columns.zip(&self.dictionaries) {
            let input: ArrayRef = match source {
                Source::Field(i) => batch.column(*i).clone(),
                Source::Value(v) => Arc::new(StringArray::from(vec![v.as_str(); batch.num_rows()])),
            };
            let (options, path, offset) = (self.options, self.path, self.offset);
            let converted = match convert(col, &input, keep, options, path, offset, problems) {
                Ok(c) => c,
                Err(e) => {
                    return Some(unreadable(
                        self.path,
                        problems,
                        format!("column `{}`: {e}", col.name),
                    ));
                }
            };
            self.clean &= converted.clean;
            self.clean &= check_array(col, &converted.array, self.path, self.offset, problems);
            arrays.push(converted.array);
        }
        self.offset += batch.num_rows() as u64;
        Some(
            match RecordBatch::try_new(self.batch_schema.clone(), arrays) {
                Ok(b) => Some(b),
                Err(e) => unreadable(self.path, problems, e.to_string()),
            },
        )
    }
}

/// Records that `path` is not a readable Parquet file, and gives nothing.
fn unreadable<T>(path: &Path, problems: &mut Problems, e: String) -> Option<T> {
    problems.push_file(path, format!("a readable Parquet file ({e})"));
    None
}

/// A reader of `path` and where each of `table`'s columns comes from, when the file's
/// columns can be read as the table's.
fn builder_for(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    dictionaries: bool,
    problems: &mut Problems,
) -> Option<(ParquetRecordBatchReaderBuilder<File>, Vec<Source>)> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return unreadable(path, problems, e.to_string()),
    };
    let metadata = match ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()) {
        Ok(m) => m,
        Err(e) => return unreadable(path, problems, e.to_string()),
    };
    let file_schema = metadata.schema().clone();
    let names: Vec<String> = file_schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let plain = ReadOptions {
        wide_sessions: vec![],
        ..options.clone()
    };
    let layout = match_columns(table, path, &names, &plain, problems)?;
    let sources = layout.into_iter().next().unwrap_or_default();
    let mut ok = true;
    for (col, source) in table.columns.iter().zip(&sources) {
        if let Source::Field(i) = source {
            let mut found = file_schema.field(*i).data_type().clone();
            if let DataType::Dictionary(_, v) = &found {
                found = v.as_ref().clone();
            }
            if !readable(&found, col.ty) {
                ok = false;
                problems.push(problem(
                    path,
                    None,
                    Some(col.name),
                    None,
                    format!(
                        "Parquet type that can be read as {} (found {found})",
                        col.ty.describe()
                    ),
                ));
            }
        }
    }
    if !ok {
        return None;
    }
    let metadata = match dictionaries.then(|| dictionary_hint(table, &sources, &metadata)) {
        // A file the hint does not fit is read as it is (its text as text): never refused for it.
        Some(Some(hint)) => {
            let options = ArrowReaderOptions::new().with_schema(hint);
            ArrowReaderMetadata::try_new(metadata.metadata().clone(), options).unwrap_or(metadata)
        }
        _ => metadata,
    };
    Some((
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata),
        sources,
    ))
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
