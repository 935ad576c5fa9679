//! Reading a table from a spreadsheet (`.xlsx`, `.xlsm`, `.xls`, `.ods`) with `calamine`.
//!
//! Each cell becomes the text a CSV cell of the same value would hold, so the CSV path's
//! column matching, recodes and contract checks apply unchanged: whole numbers stored as
//! floats (`1.0`) are integers, date cells and bare date serials are dates, text dates are
//! read in either of the contract's forms. Problems name the sheet and cell (`sheet Sheet1 cell B17`).

use super::rows::{RowBuilder, date_pattern};
use crate::catalog::columns::{Layout, ReadOptions, Source, match_columns};
use crate::catalog::error::{Position, Problem, Problems, problem};
use crate::catalog::table::LoadedTable;
use crate::catalog::values::{DatePattern, EARLIEST, LATEST, parse_date};
use crate::contract::{Column, ColumnType, DateFormat, Table};
use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Range, Reader, Sheets, open_workbook_auto};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

type Book = Sheets<BufReader<File>>;

fn open(path: &Path) -> Result<Book, String> {
    open_workbook_auto(path).map_err(|e| {
        format!("a spreadsheet that can be opened ({e}; if it is open in Excel, close it, or save it again as .xlsx)")
    })
}

fn range(book: &mut Book, sheet: &str) -> Result<Range<Data>, String> {
    book.worksheet_range(sheet)
        .map_err(|e| format!("a readable sheet `{sheet}` ({e})"))
}

/// How many rows from the top of a sheet may hold titles or notes above the header.
const HEADER_ROWS: usize = 10;

/// A sheet's header row: its column names, its sheet row number (1-based), the column
/// (0-based) it starts at, and its index among the range's rows.
struct Header {
    names: Vec<String>,
    row: u32,
    col: u32,
    index: usize,
}

/// The rows near the top of a sheet that could be its header: the first few that are not
/// empty (an export often puts a title and a blank row above the header).
fn candidates(range: &Range<Data>) -> Vec<Header> {
    let (row, col) = range.start().unwrap_or((0, 0));
    range
        .rows()
        .enumerate()
        .filter(|(_, r)| !r.iter().all(is_blank))
        .take(HEADER_ROWS)
        .map(|(index, r)| Header {
            names: r.iter().map(header_text).collect(),
            row: row + index as u32 + 1,
            col,
            index,
        })
        .collect()
}

/// The first candidate row `accept` takes as a header, else the first row used.
fn header(range: &Range<Data>, accept: impl Fn(&[String]) -> bool) -> Option<Header> {
    let mut rows = candidates(range);
    let found = rows.iter().position(|h| accept(&h.names)).unwrap_or(0);
    (found < rows.len()).then(|| rows.swap_remove(found))
}

fn header_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string().trim().to_string(),
    }
}

/// Each sheet's name and header (the first of its top rows `accept` takes, else its first
/// row used), for `cohort init`.
pub fn sheet_headers(
    path: &Path,
    accept: impl Fn(&[String]) -> bool,
) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut book = open(path)?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let r = range(&mut book, &name)?;
        let names = header(&r, &accept).map(|h| h.names).unwrap_or_default();
        out.push((name, names));
    }
    Ok(out)
}

/// Whether a header holds `table`'s columns (after the user's renames).
fn matches(table: &Table, path: &Path, names: &[String], options: &ReadOptions) -> bool {
    let mut scratch = Problems::default();
    match_columns(table, path, names, options, &mut scratch).is_some()
}

/// The sheet to read: the one `cohort.toml` names, else the only sheet whose header has
/// the table's columns, else the first.
fn choose(
    book: &mut Book,
    table: &Table,
    path: &Path,
    options: &ReadOptions,
) -> Result<(String, Range<Data>), String> {
    let names = book.sheet_names();
    let list = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = &options.sheet {
        let Some(name) = names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
        else {
            return Err(format!(
                "a sheet `{wanted}` ([sources.{}] sheet in cohort.toml); the workbook has {}",
                table.name,
                list()
            ));
        };
        let r = range(book, name)?;
        return Ok((name.clone(), r));
    }
    let Some(first) = names.first() else {
        return Err("a workbook with at least one sheet".into());
    };
    if names.len() == 1 {
        let r = range(book, first)?;
        return Ok((first.clone(), r));
    }
    let mut matching = Vec::new();
    for name in &names {
        let r = range(book, name)?;
        if candidates(&r)
            .iter()
            .any(|h| matches(table, path, &h.names, options))
        {
            matching.push((name.clone(), r));
        }
    }
    match matching.len() {
        0 => {
            let r = range(book, first)?;
            Ok((first.clone(), r))
        }
        1 => Ok(matching.remove(0)),
        _ => Err(format!(
            "one sheet with the columns of `{}`, but {} all have them: set `sheet = \"...\"` in [sources.{}] of cohort.toml",
            table.name,
            matching
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            table.name
        )),
    }
}

/// Reads `table` from a spreadsheet; every cell that does not fit becomes a problem at its cell.
pub fn read_excel(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    let whole_file = |problems: &mut Problems, expected: String| {
        problems.push_file(path, expected);
    };
    let mut book = match open(path) {
        Ok(b) => b,
        Err(e) => {
            whole_file(problems, e);
            return None;
        }
    };
    let (sheet, range) = match choose(&mut book, table, path, options) {
        Ok(s) => s,
        Err(e) => {
            whole_file(problems, e);
            return None;
        }
    };
    let sheet: Arc<String> = Arc::new(sheet);
    let Some(head) = header(&range, |names| matches(table, path, names, options)) else {
        problems.push(problem(
            path,
            Some(Position::SheetRow {
                sheet: sheet.clone(),
                row: 1,
            }),
            None,
            None,
            format!(
                "a header row with the columns of `{}`, but the sheet is empty",
                table.name
            ),
        ));
        return None;
    };
    let mut found = Problems::default();
    let layout = match_columns(table, path, &head.names, options, &mut found);
    // Header problems sit on the sheet's header row, not a CSV line 1.
    for mut p in found.list {
        if p.position == Some(Position::Line(1)) {
            p.position = Some(Position::SheetRow {
                sheet: sheet.clone(),
                row: u64::from(head.row),
            });
        }
        problems.push(p);
    }
    for n in found.notes {
        problems.note(n.replacen(
            &path.display().to_string(),
            &format!("{} sheet {sheet}", path.display()),
            1,
        ));
    }
    let layout = layout?;
    let kinds = field_columns(table, &layout, head.names.len());
    let patterns: Vec<Option<DatePattern>> = table
        .columns
        .iter()
        .map(|c| date_pattern(c, options))
        .collect();
    let mut rows = RowBuilder::new(table, options);
    let mut clean = true;
    let mut cells: Vec<String> = Vec::with_capacity(head.names.len());
    for (k, row) in range.rows().enumerate().skip(head.index + 1) {
        if row.iter().all(is_blank) {
            continue;
        }
        let sheet_row = head.row + (k - head.index) as u32;
        cells.clear();
        for (i, cell) in row.iter().enumerate() {
            let column = kinds.get(i).copied().flatten();
            let col = column.map(|c| &table.columns[c]);
            let pattern = column.and_then(|c| patterns[c].as_ref());
            match cell_text(cell, col, pattern) {
                Ok(text) => cells.push(text),
                Err((value, expected)) => {
                    clean = false;
                    problems.push(Problem {
                        file: path.to_path_buf(),
                        position: Some(Position::Cell {
                            sheet: sheet.clone(),
                            row: sheet_row,
                            col: head.col + i as u32,
                        }),
                        column: col.map(|c| c.name.to_string()),
                        value: Some(value),
                        expected,
                    });
                    cells.push(String::new());
                }
            }
        }
        rows.push_record(
            &layout,
            |i| cells.get(i).map(String::as_str).unwrap_or(""),
            Position::Cell {
                sheet: sheet.clone(),
                row: sheet_row,
                col: head.col,
            },
            path,
            problems,
        );
        for _ in 0..layout.len() {
            rows.lines.push(u64::from(sheet_row));
        }
    }
    let mut t = rows.finish(table, path, true, problems)?;
    t.sheet = Some(sheet);
    clean.then_some(t)
}

/// For each field of the sheet, the contract column (index) it feeds, if any.
fn field_columns(table: &Table, layout: &Layout, fields: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; fields];
    for sources in layout {
        for (k, s) in sources.iter().enumerate().take(table.columns.len()) {
            if let Source::Field(i) = s
                && let Some(slot) = out.get_mut(*i)
            {
                *slot = Some(k);
            }
        }
    }
    out
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell's value as CSV text for its contract column; `Err((value, expected))` when the
/// cell cannot be one (a spreadsheet error, a date with a time of day).
fn cell_text(
    cell: &Data,
    col: Option<&Column>,
    pattern: Option<&DatePattern>,
) -> Result<String, (String, String)> {
    let is_date = col.is_some_and(|c| matches!(c.ty, ColumnType::Date(_)));
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => match pattern {
            Some(p) if is_date => Ok(text_date(s, p)),
            _ => Ok(s.clone()),
        },
        Data::Bool(b) => Ok(b.to_string()),
        Data::Int(i) => match pattern {
            Some(p) if is_date => serial_date(*i as f64, false, p),
            _ => Ok(i.to_string()),
        },
        Data::Float(f) => match pattern {
            Some(p) if is_date => serial_date(*f, false, p),
            _ if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{}", *f as i64)),
            _ => Ok(f.to_string()),
        },
        Data::DateTime(dt) => {
            let Some(when) = dt.as_datetime() else {
                return Err((dt.as_f64().to_string(), "a date cell Excel can show".into()));
            };
            match pattern {
                Some(p) if is_date => whole_day(when, p),
                _ => Ok(if when.time().num_seconds_from_midnight() == 0 {
                    when.date().format("%Y-%m-%d").to_string()
                } else {
                    when.format("%Y-%m-%d %H:%M:%S").to_string()
                }),
            }
        }
        Data::Error(e) => Err((
            e.to_string(),
            format!(
                "a value, not a spreadsheet error ({})",
                col.map(|c| c.ty.describe())
                    .unwrap_or_else(|| "any value".into())
            ),
        )),
    }
}

/// A date written as the column's pattern expects.
fn written(d: NaiveDate, pattern: &DatePattern) -> String {
    match pattern {
        DatePattern::Contract(f) => d.format(f.pattern()).to_string(),
        DatePattern::Custom(p) => d.format(p).to_string(),
    }
}

/// A text date in the column's form, or, when it has none of its own, in either of the
/// contract's (`dd/mm/YYYY`, `YYYY-MM-DD`: a spreadsheet's text dates follow its locale).
/// Text that is neither stays as written, for the contract's check to report.
fn text_date(s: &str, pattern: &DatePattern) -> String {
    if parse_date(s, pattern).is_ok() || matches!(pattern, DatePattern::Custom(_)) {
        return s.to_string();
    }
    for f in [DateFormat::Iso, DateFormat::Uk] {
        if let Ok(d) = parse_date(s, &DatePattern::Contract(f)) {
            return written(d, pattern);
        }
    }
    s.to_string()
}

fn whole_day(when: NaiveDateTime, pattern: &DatePattern) -> Result<String, (String, String)> {
    if when.time().num_seconds_from_midnight() != 0 {
        return Err((
            when.format("%Y-%m-%d %H:%M:%S").to_string(),
            "a date without a time of day".into(),
        ));
    }
    Ok(written(when.date(), pattern))
}

/// An Excel date serial (days since 30 December 1899) as a date from 1900 to 2099.
fn serial_date(
    serial: f64,
    is_1904: bool,
    pattern: &DatePattern,
) -> Result<String, (String, String)> {
    let value = || {
        if serial.fract() == 0.0 {
            format!("{}", serial as i64)
        } else {
            serial.to_string()
        }
    };
    let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d);
    let when = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, is_1904).as_datetime();
    match (when, day(EARLIEST), day(LATEST)) {
        (Some(w), Some(lo), Some(hi)) if w.date() >= lo && w.date() <= hi && serial >= 1.0 => {
            whole_day(w, pattern).map_err(|(_, e)| (value(), e))
        }
        _ => Err((
            value(),
            format!(
                "a date written {}, or an Excel date serial for a day from 1900 to 2099",
                pattern.example()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISO: DatePattern = DatePattern::Contract(DateFormat::Iso);
    const UK: DatePattern = DatePattern::Contract(DateFormat::Uk);

    #[test]
    fn serials_are_days_since_the_end_of_1899() {
        // 44075 days after 1899-12-30 is 2020-09-01 (Excel's own value for that day).
        assert_eq!(serial_date(44075.0, false, &ISO).unwrap(), "2020-09-01");
        assert_eq!(serial_date(44075.0, false, &UK).unwrap(), "01/09/2020");
        // Half a day past midnight is a time of day, not a date.
        assert!(
            serial_date(44075.5, false, &ISO)
                .unwrap_err()
                .1
                .contains("time")
        );
        // 2024 typed as a number is a day in 1905: 1899-12-30 + 2024 days; 1900-01-01 is +2,
        // and 1900..1904 hold 365*4 + 366 = 1826 days, so 2022 - 1826 = 196 days into 1905:
        // past June's end (181) by 15, 16 July. A typo a range check cannot see.
        assert_eq!(serial_date(2024.0, false, &ISO).unwrap(), "1905-07-16");
        assert!(serial_date(0.0, false, &ISO).is_err());
        assert!(serial_date(-1.0, false, &ISO).is_err());
        // 73051 is 2100-01-01, past 2099.
        assert!(serial_date(73051.0, false, &ISO).is_err());
    }

    #[test]
    fn text_dates_are_read_in_either_contract_form() {
        assert_eq!(text_date("01/09/2023", &ISO), "2023-09-01");
        assert_eq!(text_date("2023-09-01", &UK), "01/09/2023");
        assert_eq!(text_date("2023-09-01", &ISO), "2023-09-01");
        // A two-digit year is not guessed: left as written for the check to refuse.
        assert_eq!(text_date("01/09/23", &ISO), "01/09/23");
    }

    #[test]
    fn whole_floats_are_integers_and_errors_are_refused() {
        assert_eq!(cell_text(&Data::Float(1.0), None, None).unwrap(), "1");
        assert_eq!(cell_text(&Data::Float(2.5), None, None).unwrap(), "2.5");
        assert_eq!(cell_text(&Data::Bool(true), None, None).unwrap(), "true");
        let e = cell_text(&Data::Error(calamine::CellErrorType::NA), None, None).unwrap_err();
        assert_eq!(e.0, "#N/A");
    }
}
