//! The formats a table's file may be in, in one table ([`FORMATS`]): each format's
//! extensions, its reader, whether a file too large to hold streams through its checks into
//! the cache, and its name in messages. Finding a table's files, telling a file's table by its
//! columns (`cohort init`), lineage and every message that lists the formats read it from here.

pub mod delimited;
pub(crate) mod dictionary;
pub mod excel;
pub mod parallel;
pub mod parquet;
pub mod rows;
pub mod xml903;

use crate::catalog::columns::ReadOptions;
use crate::catalog::error::Problems;
use crate::catalog::table::LoadedTable;
use crate::contract::Table;
use std::path::Path;

/// A format a table's file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Spreadsheet,
    /// DfE's SSDA903 XML return: one file holding several tables, found by its content.
    Xml903,
}

/// Reads one file of a table with the contract's types; problems go to the last argument.
type Reader = fn(&Table, &Path, &ReadOptions, &mut Problems) -> Option<LoadedTable>;

/// One format: how its files are told apart, read and named.
pub struct FileFormat {
    pub format: Format,
    /// Its extensions, lower case (a file's is matched in any case).
    pub extensions: &'static [&'static str],
    /// Its name in messages.
    pub name: &'static str,
    /// Whether a file of it is its table's by name (`episodes.csv`); an XML return holds
    /// several tables and is found by what it holds.
    pub named_for_table: bool,
    /// Whether a file of it too large to hold is checked as it streams into the cache.
    pub streams: bool,
    read: Reader,
}

/// Every format a table's file may be in.
pub const FORMATS: &[FileFormat] = &[
    FileFormat {
        format: Format::Csv,
        extensions: &["csv"],
        name: "CSV",
        named_for_table: true,
        streams: false,
        read: delimited::read_csv,
    },
    FileFormat {
        format: Format::Parquet,
        extensions: &["parquet"],
        name: "Parquet",
        named_for_table: true,
        streams: true,
        read: parquet::read_parquet,
    },
    FileFormat {
        format: Format::Spreadsheet,
        extensions: &["xlsx", "xlsm", "xls", "ods"],
        name: "spreadsheet",
        named_for_table: true,
        streams: false,
        read: excel::read_excel,
    },
    FileFormat {
        format: Format::Xml903,
        extensions: &["xml"],
        name: "SSDA903 XML",
        named_for_table: false,
        streams: false,
        read: xml903::read_xml,
    },
];

impl FileFormat {
    /// The format of `path` by its extension (any case), when it is a data file.
    pub fn of(path: &Path) -> Option<&'static FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|f| f.extensions.contains(&ext.as_str()))
    }

    /// Its name with its extensions when it has several: `spreadsheet (.xlsx, .xls)`.
    fn described(&self) -> String {
        match self.extensions {
            [_] => self.name.to_string(),
            many => format!("{} (.{})", self.name, many.join(", .")),
        }
    }
}

impl Format {
    /// The format of `path` by its extension (any case), when it is a data file.
    pub fn of(path: &Path) -> Option<Format> {
        FileFormat::of(path).map(|f| f.format)
    }
}

/// Whether `path` is a data file of any format (by its extension, any case).
pub fn is_data_file(path: &Path) -> bool {
    FileFormat::of(path).is_some()
}

/// Whether `path` is of a format whose files are their table's by name (`episodes.csv`).
pub fn named_for_table(path: &Path) -> bool {
    FileFormat::of(path).is_some_and(|f| f.named_for_table)
}

/// The formats `which` keeps, in words: `CSV, Parquet or spreadsheet (.xlsx, .xls)`.
pub fn listing(which: impl Fn(&FileFormat) -> bool) -> String {
    let names: Vec<String> = FORMATS
        .iter()
        .filter(|f| which(f))
        .map(FileFormat::described)
        .collect();
    or_list(&names)
}

/// The file names a table `name` may be found by: `episodes.csv, episodes.parquet, … or episodes.ods`.
pub fn file_names(name: &str) -> String {
    let names: Vec<String> = FORMATS
        .iter()
        .filter(|f| f.named_for_table)
        .flat_map(|f| f.extensions.iter().map(|e| format!("{name}.{e}")))
        .collect();
    or_list(&names)
}

/// `a, b or c`.
fn or_list(names: &[String]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Reads one file of `table` by its format, with the contract's types.
pub fn read_file(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    match FileFormat::of(path) {
        Some(f) => (f.read)(table, path, options, problems),
        None => {
            let expected = format!("a {} file", listing(|_| true));
            problems.push_file(path, expected);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_extension_in_any_case_and_listed_in_words() {
        assert_eq!(Format::of(Path::new("a/Episodes.CSV")), Some(Format::Csv));
        assert_eq!(Format::of(Path::new("x.XLSM")), Some(Format::Spreadsheet));
        assert_eq!(Format::of(Path::new("r.xml")), Some(Format::Xml903));
        assert_eq!(Format::of(Path::new("notes.txt")), None);
        assert!(!named_for_table(Path::new("SSDA903_2024.xml")));
        assert_eq!(
            listing(|_| true),
            "CSV, Parquet, spreadsheet (.xlsx, .xlsm, .xls, .ods) or SSDA903 XML"
        );
        assert_eq!(
            file_names("sen"),
            "sen.csv, sen.parquet, sen.xlsx, sen.xlsm, sen.xls or sen.ods"
        );
    }
}
