//! Problems found in a data folder, each naming where it is and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where in a file a problem sits: a CSV line, a Parquet row (1-based), a row of a
/// spreadsheet's sheet, or a cell of one (0-based column, 1-based row: `B17`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Line(u64),
    Row(u64),
    SheetRow {
        sheet: Arc<String>,
        row: u64,
    },
    Cell {
        sheet: Arc<String>,
        row: u32,
        col: u32,
    },
}

impl Position {
    /// The position in words: `line 17`, `row 17`, `sheet Sheet1 cell B17`.
    pub fn describe(&self) -> String {
        match self {
            Position::Line(n) => format!("line {n}"),
            Position::Row(n) => format!("row {n}"),
            Position::SheetRow { sheet, row } => format!("sheet {sheet} row {row}"),
            Position::Cell { sheet, row, col } => {
                format!("sheet {sheet} cell {}{row}", column_letters(*col))
            }
        }
    }

    /// The line or row number alone (a spreadsheet's sheet row).
    pub fn number(&self) -> u64 {
        match self {
            Position::Line(n) | Position::Row(n) | Position::SheetRow { row: n, .. } => *n,
            Position::Cell { row, .. } => u64::from(*row),
        }
    }
}

/// The spreadsheet letters of a 0-based column: 0 is `A`, 27 is `AB`.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One problem with one value (or file) of the data folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    pub position: Option<Position>,
    pub column: Option<String>,
    pub value: Option<String>,
    /// What was expected instead, in words.
    pub expected: String,
}

/// A problem at `path`: where in it, in which column, with which value (each when known),
/// and what was expected instead.
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.position {
            Some(Position::Line(n)) => write!(f, ":{n}")?,
            Some(p) => write!(f, " {}", p.describe())?,
            None => {}
        }
        if let Some(c) = &self.column {
            write!(f, ": column `{c}`")?;
        }
        if let Some(v) = &self.value {
            write!(f, ": value `{v}`")?;
        }
        write!(f, ": expected {}", self.expected)
    }
}

/// Everything wrong with a data folder; reading stops at the end of the folder, not the first problem.
#[derive(Debug, thiserror::Error)]
pub struct CatalogError {
    pub problems: Vec<Problem>,
    /// Problems left out of `problems` because one column repeated the same mistake.
    pub omitted: usize,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len() + self.omitted;
        writeln!(
            f,
            "the data folder does not meet the contract ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        if self.omitted > 0 {
            writeln!(f, "  ... and {} more like those above", self.omitted)?;
        }
        write!(f, "run `cohort contract` to see what each table must hold")
    }
}

/// Collects problems, keeping at most a few of the same kind per file and column.
#[derive(Debug, Default)]
pub struct Problems {
    pub list: Vec<Problem>,
    pub omitted: usize,
    /// Things worth telling the user that do not stop the load (an extra column ignored).
    pub notes: Vec<String>,
    counts: std::collections::HashMap<(PathBuf, Option<String>), usize>,
}

/// How many problems of one file and column are listed before the rest are only counted.
const PER_COLUMN: usize = 5;

impl Problems {
    pub fn push(&mut self, p: Problem) {
        let n = self
            .counts
            .entry((p.file.clone(), p.column.clone()))
            .or_insert(0);
        *n += 1;
        if *n <= PER_COLUMN {
            self.list.push(p);
        } else {
            self.omitted += 1;
        }
    }

    /// Records a problem with a whole file (no row, column or value): what was expected of it.
    pub fn push_file(&mut self, path: &Path, expected: String) {
        self.push(problem(path, None, None, None, expected));
    }

    /// Records a note (a warning); the same note is kept once.
    pub fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Moves another collector's problems and notes into this one.
    pub fn absorb(&mut self, other: Problems) {
        self.list.extend(other.list);
        self.omitted += other.omitted;
        for n in other.notes {
            self.note(n);
        }
    }

    /// Records another collector's problems as if each had been pushed here, in order (so
    /// each file and column still lists its first few), with its notes; what it left out
    /// stays counted (it had a few of the same kind before them, so this would too).
    pub fn replay(&mut self, other: Problems) {
        for p in other.list {
            self.push(p);
        }
        self.omitted += other.omitted;
        for n in other.notes {
            self.note(n);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every problem so far, taken out as the error that ends an open.
    pub fn stop(&mut self) -> CatalogError {
        std::mem::take(self).into_error()
    }

    /// Ends an open with every problem so far, when there is any.
    pub fn stop_if_any(&mut self) -> Result<(), CatalogError> {
        match self.is_empty() {
            true => Ok(()),
            false => Err(self.stop()),
        }
    }

    pub fn into_error(self) -> CatalogError {
        CatalogError {
            problems: self.list,
            omitted: self.omitted,
        }
    }
}
