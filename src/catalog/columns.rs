//! Matching a file's column names to the contract's: case and padding ignored, renames
//! from `cohort.toml` applied, extra columns noted once and ignored (errors when strict),
//! and the wide attendance layout (one mark column per session) unpivoted.

use super::error::{Position, Problem, Problems};
use crate::contract::Table;
use std::path::Path;

/// How to read one table's file, from its `[sources.<table>]` in `cohort.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// File column name (any case) and the contract column it holds.
    pub renames: Vec<(String, String)>,
    /// A `chrono` pattern for every date column of the file (e.g. `%d.%m.%Y`).
    pub date_format: Option<String>,
    /// Contract column (any case), and its values as written (any case) with the contract's value.
    pub recodes: Vec<(String, Vec<(String, String)>)>,
    /// Extra columns are errors rather than notes.
    pub strict: bool,
    /// Attendance with one row per child per day: each session (`AM`, `PM`) and the file
    /// column holding its mark. Each file row becomes one row per session.
    pub wide_sessions: Vec<(String, String)>,
    /// Contract columns the file may lack, with the value they take (a 903 return's `YEAR`).
    pub fill: Vec<(String, String)>,
    /// The Excel sheet to read (default: the first).
    pub sheet: Option<String>,
}

impl ReadOptions {
    /// The contract's value for `text` in `column` after the user's recodes (the text itself when none applies).
    pub fn recode<'a>(&'a self, column: &str, text: &'a str) -> &'a str {
        for (c, pairs) in &self.recodes {
            if c.eq_ignore_ascii_case(column) {
                for (from, to) in pairs {
                    if from.trim().eq_ignore_ascii_case(text) {
                        return to;
                    }
                }
            }
        }
        text
    }

    /// The value a column missing from the file takes, if it may be missing.
    pub fn filled(&self, column: &str) -> Option<&str> {
        self.fill
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .map(|(_, v)| v.as_str())
    }
}

/// Where a contract column's value comes from, for one output row of a file row.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A field of the file row.
    Field(usize),
    /// A fixed value (a filled column, or the session of a wide row).
    Value(String),
}

/// The columns' sources for each output row of a file row (one row, or one per session).
pub type Layout = Vec<Vec<Source>>;

fn problem(path: &Path, column: Option<&str>, expected: String) -> Problem {
    Problem {
        file: path.to_path_buf(),
        position: Some(Position::Line(1)),
        column: column.map(str::to_string),
        value: None,
        expected,
    }
}

/// Matches a file's column names to the contract. Missing columns are problems; extra
/// ones are noted once (problems when `strict`). `None` when the file cannot be read.
pub fn match_columns(
    table: &Table,
    path: &Path,
    names: &[String],
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<Layout> {
    let effective: Vec<String> = names
        .iter()
        .map(|n| {
            let n = n.trim().trim_start_matches('\u{feff}');
            options
                .renames
                .iter()
                .find(|(from, _)| from.trim().eq_ignore_ascii_case(n))
                .map(|(_, to)| to.clone())
                .unwrap_or_else(|| n.to_string())
        })
        .collect();
    let find = |name: &str| effective.iter().position(|n| n.eq_ignore_ascii_case(name));
    let wide = !options.wide_sessions.is_empty() && table.name == "attendance";
    let mut ok = true;
    let mut base = Vec::new();
    let mut used = vec![false; names.len()];
    for c in &table.columns {
        if wide && (c.name == "session" || c.name == "mark") {
            base.push(Source::Value(String::new()));
            continue;
        }
        match (find(c.name), options.filled(c.name)) {
            (Some(i), _) => {
                used[i] = true;
                base.push(Source::Field(i));
            }
            (None, Some(v)) => base.push(Source::Value(v.to_string())),
            (None, None) => {
                ok = false;
                problems.push(problem(
                    path,
                    Some(c.name),
                    format!("a column `{}` ({}) in the header", c.name, c.ty.describe()),
                ));
            }
        }
    }
    let mut layout = Vec::new();
    if wide {
        let session = table.columns.iter().position(|c| c.name == "session");
        let mark = table.columns.iter().position(|c| c.name == "mark");
        for (value, column) in &options.wide_sessions {
            let Some(i) = find(column) else {
                ok = false;
                problems.push(problem(
                    path,
                    Some(column),
                    format!("a column `{column}` holding the {value} marks (see `[sources.attendance]` in cohort.toml)"),
                ));
                continue;
            };
            used[i] = true;
            let mut row = base.clone();
            if let (Some(s), Some(m)) = (session, mark) {
                row[s] = Source::Value(value.clone());
                row[m] = Source::Field(i);
            }
            layout.push(row);
        }
    } else {
        layout.push(base);
    }
    let extra: Vec<&str> = names
        .iter()
        .zip(&used)
        .filter(|(n, u)| !**u && !n.trim().is_empty())
        .map(|(n, _)| n.trim())
        .collect();
    if !extra.is_empty() {
        let list = extra
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if options.strict {
            ok = false;
            let known: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            problems.push(problem(
                path,
                Some(extra[0]),
                format!(
                    "only the contract's columns for `{}` (strict = true): {}; found also {list}",
                    table.name,
                    known.join(", ")
                ),
            ));
        } else {
            problems.note(format!(
                "{}: column{} {list} not in the contract for `{}`, ignored",
                path.display(),
                if extra.len() == 1 { "" } else { "s" },
                table.name
            ));
        }
    }
    ok.then_some(layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Contract;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn case_padding_and_renames_match_and_extras_are_noted_once() {
        let c = Contract::current();
        let schools = c.table("schools").unwrap();
        let options = ReadOptions {
            renames: vec![("School URN".into(), "urn".into())],
            ..Default::default()
        };
        let mut p = Problems::default();
        let layout = match_columns(
            schools,
            Path::new("schools.csv"),
            &names(&[
                "School URN",
                " NAME ",
                "Phase",
                "type",
                "trust",
                "in_authority",
                "LA",
                "Notes",
            ]),
            &options,
            &mut p,
        )
        .unwrap();
        assert_eq!(layout.len(), 1);
        assert_eq!(layout[0][0], Source::Field(0));
        assert_eq!(layout[0][1], Source::Field(1));
        assert!(p.is_empty());
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert!(p.notes[0].contains("`LA`, `Notes`"), "{:?}", p.notes);
    }

    #[test]
    fn strict_makes_extra_columns_errors() {
        let c = Contract::current();
        let schools = c.table("schools").unwrap();
        let options = ReadOptions {
            strict: true,
            ..Default::default()
        };
        let mut p = Problems::default();
        let got = match_columns(
            schools,
            Path::new("schools.csv"),
            &names(&[
                "urn",
                "name",
                "phase",
                "type",
                "trust",
                "in_authority",
                "LA",
            ]),
            &options,
            &mut p,
        );
        assert!(got.is_none());
        assert!(p.list[0].expected.contains("strict"));
    }

    #[test]
    fn wide_attendance_becomes_one_row_per_session() {
        let c = Contract::current();
        let attendance = c.table("attendance").unwrap();
        let options = ReadOptions {
            wide_sessions: vec![
                ("AM".into(), "AM mark".into()),
                ("PM".into(), "PM mark".into()),
            ],
            ..Default::default()
        };
        let mut p = Problems::default();
        let layout = match_columns(
            attendance,
            Path::new("a.csv"),
            &names(&["child", "urn", "date", "AM mark", "PM mark"]),
            &options,
            &mut p,
        )
        .unwrap();
        // attendance columns: child, urn, date, session, mark.
        assert_eq!(layout.len(), 2);
        assert_eq!(layout[0][3], Source::Value("AM".into()));
        assert_eq!(layout[0][4], Source::Field(3));
        assert_eq!(layout[1][3], Source::Value("PM".into()));
        assert_eq!(layout[1][4], Source::Field(4));
    }
}
