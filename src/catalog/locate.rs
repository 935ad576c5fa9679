//! Finding each table's file(s) in a data folder: by name regardless of case
//! (`Header.csv`, `EPISODES.CSV`), by a glob from `cohort.toml`, or as 903 returns
//! (one folder per collection year, or the year in the file name).

use super::columns::ReadOptions;
use super::error::Problem;
use super::format::xml903::{is_return, is_xml};
use super::format::{Format, is_data_file, named_for_table};
use super::returns::{return_year, stem_without_year};
use crate::contract::{Origin, Table};
use std::path::{Path, PathBuf};

/// How each table is found and read: `[sources.<table>]` in `cohort.toml`, or the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    /// Extra columns are errors rather than notes, for every table.
    pub strict: bool,
    pub tables: Vec<(String, TableSource)>,
}

/// One table's source: where its file is and how to read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableSource {
    /// A file name or glob relative to the data folder (`903/*/episodes.csv`); `*` and `?`
    /// match within one folder name, and case is ignored.
    pub file: Option<String>,
    pub options: ReadOptions,
}

impl Sources {
    /// The source of `table`, with the project-wide `strict` applied.
    pub fn of(&self, table: &str) -> TableSource {
        let mut s = self
            .tables
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        s.options.strict |= self.strict;
        s
    }
}

/// Every data file under `dir`, up to three folders deep, sorted (hidden folders and
/// `out` are skipped).
pub fn data_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                if depth < 3 && name != "out" {
                    walk(&p, depth + 1, out);
                }
            } else if is_data_file(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out);
    out.sort();
    out
}

/// Whether `name` matches the glob `pattern` (`*`, `?`), ignoring case.
fn glob_part(pattern: &[char], name: &[char]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            glob_part(&pattern[1..], name) || (!name.is_empty() && glob_part(pattern, &name[1..]))
        }
        (Some('?'), Some(_)) => glob_part(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) => {
            p.to_lowercase().eq(n.to_lowercase()) && glob_part(&pattern[1..], &name[1..])
        }
        _ => false,
    }
}

/// Whether the relative path `rel` matches `pattern`, folder by folder.
pub fn glob_matches(pattern: &str, rel: &Path) -> bool {
    let pat: Vec<&str> = pattern
        .split(['/', '\\'])
        .filter(|s| !s.is_empty())
        .collect();
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    pat.len() == parts.len()
        && pat.iter().zip(&parts).all(|(p, n)| {
            let p: Vec<char> = p.chars().collect();
            let n: Vec<char> = n.chars().collect();
            glob_part(&p, &n)
        })
}

/// Where a table's data is.
#[derive(Debug, Clone, PartialEq)]
pub enum Located {
    None,
    One(PathBuf),
    /// 903 returns: each file with its collection year.
    Returns(Vec<(i32, PathBuf)>),
}

impl Located {
    /// Every file it names.
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            Located::None => vec![],
            Located::One(p) => vec![p.clone()],
            Located::Returns(r) => r.iter().map(|(_, p)| p.clone()).collect(),
        }
    }
}

fn problem(file: PathBuf, expected: String) -> Problem {
    Problem {
        file,
        position: None,
        column: None,
        value: None,
        expected,
    }
}

fn stem_lower(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Finds `table`'s data among `files` (every data file under `dir`).
pub fn locate(
    table: &Table,
    dir: &Path,
    files: &[PathBuf],
    source: &TableSource,
) -> Result<Located, Problem> {
    let is_903 = table.origin == Origin::Ssda903;
    if let Some(pattern) = &source.file {
        let matched: Vec<&PathBuf> = files
            .iter()
            .filter(|p| {
                p.strip_prefix(dir)
                    .is_ok_and(|rel| glob_matches(pattern, rel))
            })
            .collect();
        return match matched.as_slice() {
            [] => Ok(Located::None),
            // An XML return always needs its year, so it goes by the returns' road.
            [one] if !is_903 || (return_year(dir, one).is_none() && !is_xml(one)) => {
                Ok(Located::One((*one).clone()))
            }
            many if is_903 => returns(dir, table, many.iter().map(|p| (*p).clone()).collect()),
            many => Err(problem(
                dir.join(pattern),
                format!(
                    "one file for table `{}`, but `{pattern}` matches {}",
                    table.name,
                    many.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        };
    }
    let top: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.parent() == Some(dir) && stem_lower(p) == table.name)
        .filter(|p| named_for_table(p))
        .collect();
    let yearly: Vec<PathBuf> = if is_903 {
        files
            .iter()
            .filter(|p| {
                let csv = Format::of(p) == Some(Format::Csv);
                // A CSV per table per year, or DfE's XML return holding them all.
                (csv && stem_without_year(&stem_lower(p)) == table.name
                    && return_year(dir, p).is_some())
                    || is_return(p)
            })
            .cloned()
            .collect()
    } else {
        vec![]
    };
    match (top.as_slice(), yearly.is_empty()) {
        ([], true) => Ok(Located::None),
        ([one], true) => Ok(Located::One((*one).clone())),
        ([], false) => returns(dir, table, yearly),
        ([first, ..], false) => Err(problem(
            (*first).clone(),
            format!(
                "either one stacked file or yearly returns for table `{}`, not both (found {} and {})",
                table.name,
                first.display(),
                yearly[0].display()
            ),
        )),
        ([first, second, ..], true) => Err(problem(
            (*first).clone(),
            format!(
                "one file for table `{}`, but {} exists too",
                table.name,
                second.display()
            ),
        )),
    }
}

fn returns(dir: &Path, table: &Table, paths: Vec<PathBuf>) -> Result<Located, Problem> {
    let mut out: Vec<(i32, PathBuf)> = Vec::new();
    for p in paths {
        let Some(year) = return_year(dir, &p) else {
            let example = if is_xml(&p) {
                "`903/2023-24/return.xml` or `SSDA903_2024.xml`".to_string()
            } else {
                format!(
                    "`903/2023-24/{}.csv` or `2024_{}.csv`",
                    table.name, table.name
                )
            };
            return Err(problem(
                p,
                format!("a collection year in the file or folder name (e.g. {example})"),
            ));
        };
        if let Some((_, other)) = out.iter().find(|(y, _)| *y == year) {
            return Err(problem(
                p.clone(),
                format!(
                    "one `{}` file per collection year, but {} is for {} too",
                    table.name,
                    other.display(),
                    year
                ),
            ));
        }
        out.push((year, p));
    }
    out.sort();
    Ok(Located::Returns(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_folder_by_folder_ignoring_case() {
        assert!(glob_matches(
            "903/*/episodes.csv",
            Path::new("903/2023-24/Episodes.CSV")
        ));
        assert!(!glob_matches(
            "903/*/episodes.csv",
            Path::new("903/a/b/episodes.csv")
        ));
        assert!(glob_matches(
            "Attendance export*.xlsx",
            Path::new("attendance export 2024.xlsx")
        ));
        assert!(glob_matches("schools.csv", Path::new("SCHOOLS.csv")));
        assert!(!glob_matches("schools.csv", Path::new("schools.csv.bak")));
    }
}
