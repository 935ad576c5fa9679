//! The period a command reports on, built once from `--term` (or the latest term in the
//! data): the term, its academic year, the terms and year it is compared with, their dates
//! and their labels.
//!
//! One list of names and values ([`Period::values`]) feeds SQL's one-row `params` table,
//! the template variables and the history, so the three never name or compute a period
//! differently.

use crate::contract::{AcademicYear, Season, Term};
use chrono::NaiveDate;
use std::fmt;

/// A term with everything reports and analyses compare it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// The term reported on.
    pub term: Term,
    /// Its academic year.
    pub year: AcademicYear,
    /// The term before it.
    pub previous_term: Term,
    /// The same term one academic year earlier.
    pub same_term_last_year: Term,
    /// The academic year before.
    pub previous_year: AcademicYear,
}

/// One value of a period (or of a report parameter) as SQL and templates read it.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodValue {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Bool(bool),
}

impl fmt::Display for PeriodValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodValue::Text(s) => f.write_str(s),
            PeriodValue::Int(n) => write!(f, "{n}"),
            PeriodValue::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            PeriodValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl From<Term> for Period {
    fn from(term: Term) -> Self {
        Period::new(term)
    }
}

impl Period {
    /// The period of `term`.
    pub fn new(term: Term) -> Self {
        Period {
            term,
            year: term.year,
            previous_term: term.previous(),
            same_term_last_year: term.a_year_earlier(),
            previous_year: term.year.previous(),
        }
    }

    /// Whether the academic year is still running at the end of the term (before summer):
    /// its figures are for the year to date, never to be read as the full year.
    pub fn year_to_date(&self) -> bool {
        self.term.season != Season::Summer
    }

    /// The academic year as a heading says it: "2024/25 (year to date)" before its summer term.
    pub fn academic_year_label(&self) -> String {
        if self.year_to_date() {
            format!("{} (year to date)", year_label(self.year))
        } else {
            year_label(self.year)
        }
    }

    /// Every name and value of the period, in the order of the `params` table's columns:
    /// what SQL reads from `params` and templates read as variables.
    pub fn values(&self) -> Vec<(&'static str, PeriodValue)> {
        use PeriodValue::{Bool, Date, Int, Text};
        vec![
            ("term", Text(self.term.to_string())),
            ("academic_year", Text(self.year.to_string())),
            ("term_ordinal", Int(i64::from(self.term.ordinal()))),
            ("term_start", Date(self.term.first_day())),
            ("term_end", Date(self.term.last_day())),
            ("year_start", Date(self.year.first_day())),
            ("year_end", Date(self.year.last_day())),
            ("previous_term", Text(self.previous_term.to_string())),
            (
                "same_term_last_year",
                Text(self.same_term_last_year.to_string()),
            ),
            ("previous_year", Text(self.previous_year.to_string())),
            ("year_to_date", Bool(self.year_to_date())),
            ("term_label", Text(term_label(self.term))),
            ("year_label", Text(year_label(self.year))),
            ("academic_year_label", Text(self.academic_year_label())),
            ("previous_term_label", Text(term_label(self.previous_term))),
            (
                "same_term_last_year_label",
                Text(term_label(self.same_term_last_year)),
            ),
            ("previous_year_label", Text(year_label(self.previous_year))),
        ]
    }
}

/// A term is written (in `run.json`, the history, the preview's state) as `--term` reads
/// it: `2024-25-summer`; that text is the only form in which a term leaves the program.
impl serde::Serialize for Term {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A term read back from what [`Term`]'s `Serialize` wrote: an edge, like `--term`.
impl<'de> serde::Deserialize<'de> for Term {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A report parameter: a name a template lists in `params = [...]`, which analyses read
/// from `params` (NULL unless the run is for one value) and templates as a variable, and
/// where its values are in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter {
    /// The name in `params`, in templates and on the command line (`--each team`).
    pub name: &'static str,
    /// Where the values are read from.
    pub values: Values,
    /// What a value is, for the index page: "social work team".
    pub noun: &'static str,
}

/// Where a parameter's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// The distinct non-empty values of a contract table's column.
    Column {
        table: &'static str,
        column: &'static str,
    },
    /// The rows of an analysis result: a value column and a name column. The run is shared
    /// and each report sees its value's rows only (a school's page: disclosure's cut by URN).
    Result {
        analysis: &'static str,
        value: &'static str,
        name: &'static str,
    },
}

/// Every report parameter a template may declare.
pub const PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "team",
        values: Values::Column {
            table: "peps",
            column: "sw_team",
        },
        noun: "social work team",
    },
    Parameter {
        name: "phase",
        values: Values::Column {
            table: "schools",
            column: "phase",
        },
        noun: "school phase",
    },
    Parameter {
        name: "school",
        values: Values::Result {
            analysis: "schools/summary",
            value: "urn",
            name: "name",
        },
        noun: "school",
    },
];

/// The parameter called `name`.
pub fn parameter(name: &str) -> Option<&'static Parameter> {
    PARAMETERS.iter().find(|p| p.name == name)
}

/// A term as a reader says it: `2024-25-summer` is "Summer term 2025".
pub fn term_label(term: Term) -> String {
    let (name, year) = match term.season {
        Season::Autumn => ("Autumn", term.year.start),
        Season::Spring => ("Spring", term.year.start + 1),
        Season::Summer => ("Summer", term.year.start + 1),
    };
    format!("{name} term {year}")
}

/// An academic year as a reader says it: `2024-25` is "2024/25".
pub fn year_label(year: AcademicYear) -> String {
    format!("{}/{:02}", year.start, (year.start + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_autumn_term_is_compared_with_the_summer_before_and_last_autumn() {
        let p = Period::new("2024-25-autumn".parse().expect("a term"));
        // Autumn 2024-25: the term before is summer 2023-24 (across the year boundary),
        // the same term last year autumn 2023-24, the year before 2023-24.
        assert_eq!(p.previous_term.to_string(), "2023-24-summer");
        assert_eq!(p.same_term_last_year.to_string(), "2023-24-autumn");
        assert_eq!(p.previous_year.to_string(), "2023-24");
        assert!(p.year_to_date());
        assert_eq!(p.academic_year_label(), "2024/25 (year to date)");
        assert_eq!(term_label(p.term), "Autumn term 2024");
        assert_eq!(term_label(p.previous_term), "Summer term 2024");
    }

    #[test]
    fn names_are_unique() {
        let p = Period::new("2024-25-summer".parse().expect("a term"));
        let mut names: Vec<&str> = p.values().iter().map(|(n, _)| *n).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(!p.year_to_date());
    }
}
