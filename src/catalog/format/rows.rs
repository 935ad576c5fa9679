//! Rows of text cells (a CSV line, a spreadsheet row, an XML record) turned into Arrow
//! columns of the contract's types, each cell that does not fit a [`Problem`] naming where it is.

use crate::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
};
use crate::arrow::datatypes::Date32Type;
use crate::arrow::record_batch::RecordBatch;
use crate::catalog::columns::{Layout, ReadOptions, Source};
use crate::catalog::error::{Position, Problems, problem};
use crate::catalog::table::{LoadedTable, arrow_schema};
use crate::catalog::values::{DatePattern, parse_date, parse_integer};
use crate::contract::{Column, ColumnType, Table};
use std::path::Path;
use std::sync::Arc;

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
                problems.push_file(path, format!("rows that fit the contract ({e})"));
                None
            }
        }
    }
}
