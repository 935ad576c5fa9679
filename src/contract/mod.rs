//! The data contract: every table a Virtual School's data folder may hold, its
//! columns, types, keys, references and code lists with the dates they are valid for.
//!
//! This module is the one source of truth for what the data must be. It imports
//! nothing else of ours; the catalog validates files against it, the sample
//! generator writes files that satisfy it, and `cohort contract` prints it.

pub mod calendar;
mod codes;
mod markdown;
pub mod ssda903;
mod tables;

use chrono::NaiveDate;

pub use calendar::{AcademicYear, Season, Term};
pub use codes::code_lists;
pub use markdown::to_markdown;
pub use tables::tables;

/// How a date column is written in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    /// `YYYY-MM-DD`, used by our own tables.
    Iso,
    /// `dd/mm/YYYY`, as in the SSDA903 return.
    Uk,
}

impl DateFormat {
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::Uk => "%d/%m/%Y",
        }
    }

    pub fn example(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::Uk => "dd/mm/YYYY",
        }
    }
}

/// The logical type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date(DateFormat),
}

impl ColumnType {
    /// What a value of this type looks like, for error messages and the contract page.
    pub fn describe(self) -> String {
        match self {
            ColumnType::Text => "text".into(),
            ColumnType::Integer => "whole number".into(),
            ColumnType::Decimal => "number".into(),
            ColumnType::Boolean => "true or false".into(),
            ColumnType::Date(f) => format!("date ({})", f.example()),
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
    /// The code list values must come from, if any.
    pub codes: Option<&'static str>,
    /// The date column whose value decides which codes are valid for the row.
    pub code_date: Option<&'static str>,
    /// Inclusive bounds for numbers.
    pub range: Option<(f64, f64)>,
    pub description: &'static str,
}

/// A column (or columns) that must match a key of another table.
#[derive(Debug, Clone)]
pub struct Reference {
    pub column: &'static str,
    /// Candidate tables and columns: the value must appear in at least one.
    pub targets: Vec<(&'static str, &'static str)>,
}

/// Where a table comes from, which decides how its columns are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The statutory SSDA903 return, with DfE's column names.
    Ssda903,
    /// Exports shaped like ePEP platforms, attendance feeds and local systems.
    Local,
    /// Published national figures.
    Reference,
}

/// How the file is normally stored (both are accepted when reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Csv,
    Parquet,
}

/// One table of the data folder.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: &'static str,
    pub origin: Origin,
    pub storage: Storage,
    pub required: bool,
    pub description: &'static str,
    pub columns: Vec<Column>,
    pub key: Vec<&'static str>,
    pub references: Vec<Reference>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One allowed code and the dates it may be used on.
#[derive(Debug, Clone)]
pub struct Code {
    pub code: &'static str,
    pub label: &'static str,
    /// A grouping that analyses use (for attendance marks: the treatment).
    pub group: &'static str,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Code {
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| date >= f) && self.valid_to.is_none_or(|t| date <= t)
    }
}

/// A named list of allowed codes.
#[derive(Debug, Clone)]
pub struct CodeList {
    pub id: &'static str,
    pub description: &'static str,
    pub source: &'static str,
    pub codes: Vec<Code>,
}

impl CodeList {
    pub fn find(&self, code: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.code == code)
    }

    /// The codes valid on `date`, for error messages.
    pub fn valid_codes_on(&self, date: Option<NaiveDate>) -> Vec<&'static str> {
        self.codes
            .iter()
            .filter(|c| date.is_none_or(|d| c.valid_on(d)))
            .map(|c| c.code)
            .collect()
    }
}

/// The whole contract: tables and code lists.
#[derive(Debug, Clone)]
pub struct Contract {
    pub tables: Vec<Table>,
    pub code_lists: Vec<CodeList>,
}

impl Contract {
    /// The contract this version of cohort reads.
    pub fn current() -> Self {
        Contract {
            tables: tables(),
            code_lists: code_lists(),
        }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn code_list(&self, id: &str) -> Option<&CodeList> {
        self.code_lists.iter().find(|c| c.id == id)
    }
}

/// The national comparator figures shipped with cohort (domain.md section 9), as CSV.
pub const NATIONAL_BENCHMARKS_CSV: &str = include_str!("benchmarks.csv");

/// DfE's published figures for England, regions and every authority (`cohort comparators`).
pub const COMPARATORS_CSV: &str = include_str!("dfe/comparators.csv");

/// DfE's statistical neighbours, one row per authority and neighbour (`cohort comparators`).
pub const STATISTICAL_NEIGHBOURS_CSV: &str = include_str!("dfe/statistical_neighbours.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_list_and_reference_named_by_a_table_exists() {
        let c = Contract::current();
        for t in &c.tables {
            for col in &t.columns {
                if let Some(list) = col.codes {
                    assert!(
                        c.code_list(list).is_some(),
                        "{}.{} names {list}",
                        t.name,
                        col.name
                    );
                }
                if let Some(d) = col.code_date {
                    assert!(
                        t.column(d).is_some(),
                        "{}.{} dates by {d}",
                        t.name,
                        col.name
                    );
                }
            }
            for k in &t.key {
                assert!(t.column(k).is_some(), "{} key {k}", t.name);
            }
            for r in &t.references {
                assert!(t.column(r.column).is_some());
                for (tt, tc) in &r.targets {
                    let target = c.table(tt).expect("referenced table");
                    assert!(target.column(tc).is_some(), "{tt}.{tc}");
                }
            }
        }
    }

    #[test]
    fn attendance_letters_change_meaning_on_19_august_2024() {
        let c = Contract::current();
        let marks = c.code_list("attendance_mark").unwrap();
        let before = calendar::ymd(2024, 8, 18);
        let after = calendar::ymd(2024, 8, 19);
        // Old J (interview) counted as an approved educational activity; from
        // 19 August 2024 it is gone and J1 is an authorised absence.
        let j = marks
            .codes
            .iter()
            .find(|m| m.code == "J" && m.valid_on(before))
            .unwrap();
        assert_eq!(j.group, "approved_activity");
        assert!(
            !marks
                .codes
                .iter()
                .any(|m| m.code == "J" && m.valid_on(after))
        );
        let j1 = marks.codes.iter().find(|m| m.code == "J1").unwrap();
        assert!(j1.valid_on(after) && !j1.valid_on(before));
        assert_eq!(j1.group, "authorised");
        // H (holiday) retired; K (LA-arranged provision) new.
        assert!(
            marks
                .codes
                .iter()
                .any(|m| m.code == "H" && m.valid_on(before))
        );
        assert!(
            !marks
                .codes
                .iter()
                .any(|m| m.code == "H" && m.valid_on(after))
        );
        assert!(
            marks
                .codes
                .iter()
                .any(|m| m.code == "K" && m.valid_on(after))
        );
    }
}
