//! Reading a file in DfE's Explore Education Statistics (EES) tidy format as DfE publishes it:
//! a byte order mark on some files, `time_period` as `202425` or `2025`, and the symbols
//! `c z x low k u` in place of numbers.

use super::ComparatorError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One indicator cell: a number, or the DfE symbol standing in for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    /// `c` suppressed, `z` not applicable, `x` not available, `low`/`k` rounds to zero, `u` low reliability.
    Symbol(String),
}

/// The symbols DfE's analysts' guide allows in an indicator column.
pub const SYMBOLS: [&str; 6] = ["c", "z", "x", "low", "k", "u"];

impl Cell {
    /// Reads one indicator value; text that is neither a number nor a DfE symbol is refused.
    pub fn parse(text: &str) -> Option<Cell> {
        let t = text.trim();
        if let Ok(v) = t.parse::<f64>() {
            return v.is_finite().then_some(Cell::Number(v));
        }
        let lower = t.to_ascii_lowercase();
        SYMBOLS
            .contains(&lower.as_str())
            .then_some(Cell::Symbol(lower))
    }
}

/// An EES file: its header (lower case, without a byte order mark) and rows.
pub struct EesFile {
    pub path: PathBuf,
    columns: HashMap<String, usize>,
    pub rows: Vec<Vec<String>>,
}

/// The columns every EES data file carries (DfE's analysts' guide, mandatory columns).
pub const MANDATORY: [&str; 3] = ["time_period", "time_identifier", "geographic_level"];

impl EesFile {
    /// Reads `path`, refusing a file without the EES mandatory columns.
    pub fn read(path: &Path) -> Result<EesFile, ComparatorError> {
        let bytes = std::fs::read(path).map_err(|e| ComparatorError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::from_bytes(path, &bytes)
    }

    /// Parses the bytes of an EES CSV (`path` names it in errors).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<EesFile, ComparatorError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let bad = |line: u64, message: String| ComparatorError::Format {
            path: path.to_path_buf(),
            line,
            message,
        };
        let header = reader
            .headers()
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect::<Vec<_>>();
        let columns: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        for m in MANDATORY {
            if !columns.contains_key(m) {
                return Err(bad(1, format!("no `{m}` column: not an EES data file")));
            }
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| bad(i as u64 + 2, e.to_string()))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(EesFile {
            path: path.to_path_buf(),
            columns,
            rows,
        })
    }

    /// The value of `column` in `row`, or "" when the file has no such column.
    pub fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| row.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// Whether the file has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The file name, as kept with every figure derived from it.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// `202425` (academic year) or `2025` (reporting year to 31 March) as our `2024-25`.
///
/// A reporting year ending 31 March 2025 is the collection year 2024-25, which is how
/// cohort files OC2 and care-leaver figures (domain.md section 1).
pub fn academic_year(time_period: &str, time_identifier: &str) -> Option<String> {
    let t = time_period.trim();
    let digits = t.chars().all(|c| c.is_ascii_digit());
    match (t.len(), digits) {
        (6, true) => {
            let start: u32 = t[..4].parse().ok()?;
            let end: u32 = t[4..].parse().ok()?;
            (end == (start + 1) % 100).then(|| format!("{start}-{end:02}"))
        }
        (4, true) if time_identifier.eq_ignore_ascii_case("reporting year") => {
            let end: u32 = t.parse().ok()?;
            Some(format!("{}-{:02}", end - 1, end % 100))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_numbers_or_dfe_symbols() {
        assert_eq!(Cell::parse("17.2"), Some(Cell::Number(17.2)));
        assert_eq!(Cell::parse(" -1.31 "), Some(Cell::Number(-1.31)));
        assert_eq!(Cell::parse("c"), Some(Cell::Symbol("c".into())));
        assert_eq!(Cell::parse("LOW"), Some(Cell::Symbol("low".into())));
        assert_eq!(Cell::parse("n/a"), None);
        assert_eq!(Cell::parse("NaN"), None);
    }

    #[test]
    fn periods_follow_the_analysts_guide() {
        assert_eq!(
            academic_year("202425", "Academic year").as_deref(),
            Some("2024-25")
        );
        assert_eq!(
            academic_year("199900", "Academic year").as_deref(),
            Some("1999-00")
        );
        // The reporting year to 31 March 2025 is the 2024-25 collection year.
        assert_eq!(
            academic_year("2025", "Reporting year").as_deref(),
            Some("2024-25")
        );
        assert_eq!(academic_year("202426", "Academic year"), None);
        assert_eq!(academic_year("2025", "Calendar year"), None);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column() {
        let f = EesFile::from_bytes(
            Path::new("x.csv"),
            b"\xEF\xBB\xBFtime_period,time_identifier,geographic_level,pt_x\n202425,Academic year,National,c\n",
        )
        .expect("reads");
        assert!(f.has("time_period"));
        assert_eq!(f.get(&f.rows[0], "pt_x"), "c");
    }

    #[test]
    fn a_file_without_the_mandatory_columns_is_refused() {
        let e = EesFile::from_bytes(Path::new("x.csv"), b"a,b\n1,2\n");
        assert!(matches!(e, Err(ComparatorError::Format { line: 1, .. })));
    }
}
