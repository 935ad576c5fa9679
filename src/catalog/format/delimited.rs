//! Reading one table's CSV file (comma, semicolon or tab separated) into Arrow with the contract's types.
//!
//! The schema always comes from the contract, never from the file: a value that
//! does not fit its column is a [`Problem`] naming the file, line, column and value.
//! Line numbers are the lines a text editor shows (LF, CRLF, quoted newlines).

use super::rows::RowBuilder;
use crate::catalog::columns::{ReadOptions, match_columns};
use crate::catalog::error::{Position, Problems, problem};
use crate::catalog::table::LoadedTable;
use crate::catalog::text::{LineCounter, decode, delimiter};
use crate::contract::Table;
use std::io::Read;
use std::path::Path;

/// How much of a CSV file is read to find its header.
const HEAD_BYTES: u64 = 64 * 1024;

/// The column names of a CSV file's header, read from its first 64 KiB, or why they cannot
/// be read: to tell which table a file holds.
pub fn column_names(path: &Path) -> Result<Vec<String>, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    f.take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    // Cut at the last line end so no character is split.
    if head.len() as u64 == HEAD_BYTES
        && let Some(end) = head.iter().rposition(|&b| b == b'\n')
    {
        head.truncate(end + 1);
    }
    let text = decode(head)?.text;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let h = reader.headers().map_err(|e| e.to_string())?;
    Ok(h.iter()
        .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
        .collect())
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
            problems.push_file(path, format!("a readable file ({e})"));
            return None;
        }
    };
    let decoded = match decode(bytes) {
        Ok(d) => d,
        Err(expected) => {
            problems.push_file(path, expected);
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
        problems.push_file(path, format!("readable UTF-8 text ({e})"));
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
