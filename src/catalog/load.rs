//! Reading one table's CSV file into Arrow with the contract's types.
//!
//! The schema always comes from the contract, never from the file: a value that
//! does not fit its column is a [`Problem`] naming the file, line, column and value.
//! Line numbers are the lines a text editor shows (LF, CRLF, quoted newlines).

use super::columns::{Layout, ReadOptions, Source, match_columns};
use super::error::{Position, Problem, Problems};
use super::text::{LineCounter, decode, delimiter};
use super::values::{DatePattern, parse_date, parse_integer};
use crate::contract::{Column, ColumnType, Table};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
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
            Some(path) => super::cache::read(path).map(std::borrow::Cow::Owned),
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

/// The date pattern a column is read with: the file's own from `cohort.toml`, else the contract's.
pub fn date_pattern(col: &Column, options: &ReadOptions) -> Option<DatePattern> {
    match (col.ty, &options.date_format) {
        (ColumnType::Date(_), Some(p)) => Some(DatePattern::Custom(p.clone())),
        (ColumnType::Date(f), None) => Some(DatePattern::Contract(f)),
        _ => None,
    }
}

/// Builds one Arrow column from text cells.
pub enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
}

impl Builder {
    pub fn new(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Text => Builder::Text(StringBuilder::new()),
            ColumnType::Integer => Builder::Int(Int64Builder::new()),
            ColumnType::Decimal => Builder::Num(Float64Builder::new()),
            ColumnType::Boolean => Builder::Bool(BooleanBuilder::new()),
            ColumnType::Date(_) => Builder::Date(Date32Builder::new()),
        }
    }

    pub fn null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Int(b) => b.append_null(),
            Builder::Num(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
        }
    }

    pub fn finish(self) -> ArrayRef {
        match self {
            Builder::Text(mut b) => Arc::new(b.finish()),
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Num(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
        }
    }

    /// Appends a parsed cell; returns what was expected when the text does not fit.
    pub fn push(
        &mut self,
        col: &Column,
        text: &str,
        pattern: Option<&DatePattern>,
    ) -> Result<(), String> {
        let in_range = |x: f64| col.range.is_none_or(|(lo, hi)| x >= lo && x <= hi);
        let range_words = || {
            col.range
                .map(|(lo, hi)| format!("{} from {lo} to {hi}", col.ty.describe()))
                .unwrap_or_else(|| col.ty.describe())
        };
        match self {
            Builder::Text(b) => b.append_value(text),
            Builder::Int(b) => match parse_integer(text) {
                Some(v) if in_range(v as f64) => b.append_value(v),
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
                let Some(pattern) = pattern else {
                    return Err(col.ty.describe());
                };
                let d = parse_date(text, pattern)?;
                b.append_value(Date32Type::from_naive_date(d));
            }
        }
        Ok(())
    }
}

pub fn problem(
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

/// Reads a CSV file of `table`; every unparsable cell becomes a problem.
pub fn read_csv(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(problem(
                path,
                None,
                None,
                None,
                format!("a readable file ({e})"),
            ));
            return None;
        }
    };
    let decoded = match decode(bytes) {
        Ok(d) => d,
        Err(expected) => {
            problems.push(problem(path, None, None, None, expected));
            return None;
        }
    };
    if let Some(note) = decoded.note {
        problems.note(format!("{}: {note}", path.display()));
    }
    read_csv_text(table, path, &decoded.text, options, problems)
}

/// Reads CSV text of `table` from any reader; `path` names it in messages.
pub fn read_csv_from(
    table: &Table,
    path: &Path,
    mut input: impl std::io::Read,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let mut text = String::new();
    if let Err(e) = input.read_to_string(&mut text) {
        problems.push(problem(
            path,
            None,
            None,
            None,
            format!("readable UTF-8 text ({e})"),
        ));
        return None;
    }
    read_csv_text(table, path, &text, &ReadOptions::default(), problems)
}

/// Reads decoded CSV text of `table` (delimiter detected); `path` names it in messages.
pub fn read_csv_text(
    table: &Table,
    path: &Path,
    text: &str,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sep = delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let mut lines_at = LineCounter::new(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
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
    let layout = match_columns(table, path, &headers, options, problems)?;
    let mut rows = RowBuilder::new(table, options);
    let sep_name = match sep {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| lines_at.line_at(p.byte()))
                    .unwrap_or(0);
                problems.push(problem(
                    path,
                    Some(Position::Line(line)),
                    None,
                    None,
                    format!("{} {sep_name}-separated fields ({e})", headers.len()),
                ));
                return None;
            }
        };
        // Spreadsheets often save rows of empty cells after the data: skip them.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map(|p| lines_at.line_at(p.byte()))
            .unwrap_or(0);
        rows.push_record(
            &layout,
            |i| record.get(i).unwrap_or(""),
            Position::Line(line),
            path,
            problems,
        );
        for _ in 0..layout.len() {
            rows.lines.push(line);
        }
    }
    rows.finish(table, path, true, problems)
}

/// Turns rows of text cells into one batch of the contract's types.
pub struct RowBuilder<'a> {
    columns: &'a [Column],
    options: &'a ReadOptions,
    patterns: Vec<Option<DatePattern>>,
    builders: Vec<Builder>,
    pub lines: Vec<u64>,
    clean: bool,
}

impl<'a> RowBuilder<'a> {
    pub fn new(table: &'a Table, options: &'a ReadOptions) -> Self {
        RowBuilder {
            columns: &table.columns,
            options,
            patterns: table
                .columns
                .iter()
                .map(|c| date_pattern(c, options))
                .collect(),
            builders: table.columns.iter().map(|c| Builder::new(c.ty)).collect(),
            lines: vec![],
            clean: true,
        }
    }

    /// Appends the output rows of one file row (`field(i)` is its i-th cell).
    pub fn push_record<'f>(
        &mut self,
        layout: &Layout,
        field: impl Fn(usize) -> &'f str,
        position: Position,
        path: &Path,
        problems: &mut Problems,
    ) {
        let options = self.options;
        for sources in layout {
            for (k, col) in self.columns.iter().enumerate() {
                let raw = match &sources[k] {
                    Source::Field(i) => field(*i),
                    Source::Value(v) => v.as_str(),
                };
                let at = match (&position, &sources[k]) {
                    (Position::Cell { sheet, row, col }, Source::Field(i)) => Position::Cell {
                        sheet: sheet.clone(),
                        row: *row,
                        col: col + *i as u32,
                    },
                    (Position::Cell { sheet, row, .. }, Source::Value(_)) => Position::SheetRow {
                        sheet: sheet.clone(),
                        row: u64::from(*row),
                    },
                    (p, _) => p.clone(),
                };
                let text = options.recode(col.name, raw.trim()).trim();
                let builder = &mut self.builders[k];
                if text.is_empty() {
                    builder.null();
                    if !col.nullable {
                        self.clean = false;
                        problems.push(problem(
                            path,
                            Some(at),
                            Some(col.name),
                            Some(""),
                            format!(
                                "a value ({}); this column may not be empty",
                                col.ty.describe()
                            ),
                        ));
                    }
                } else if let Err(expected) = builder.push(col, text, self.patterns[k].as_ref()) {
                    self.clean = false;
                    builder.null();
                    problems.push(problem(
                        path,
                        Some(at),
                        Some(col.name),
                        Some(raw.trim()),
                        expected,
                    ));
                }
            }
        }
    }

    /// The finished table, or `None` when any cell did not fit.
    pub fn finish(
        self,
        table: &Table,
        path: &Path,
        with_lines: bool,
        problems: &mut Problems,
    ) -> Option<LoadedTable> {
        if !self.clean {
            return None;
        }
        let schema = arrow_schema(table);
        let arrays: Vec<ArrayRef> = self.builders.into_iter().map(Builder::finish).collect();
        match RecordBatch::try_new(schema.clone(), arrays) {
            Ok(batch) => Some(LoadedTable::new(
                table.name,
                schema,
                vec![batch],
                with_lines.then_some(self.lines),
            )),
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
}

/// An Arrow `Date32` day number as a date (out-of-range numbers become the minimum date).
pub fn date32(days: i32) -> NaiveDate {
    Date32Type::to_naive_date_opt(days).unwrap_or(NaiveDate::MIN)
}
