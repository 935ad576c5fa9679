//! `cohort init [DIR]`: scaffolds a project over a folder of what an authority has. Each
//! file's table is recognised by its columns; `cohort.toml` gets a `[sources.<table>]` for
//! each table placed, and what could not be placed is listed with why. A later run only
//! adds sections for tables the file does not mention yet: a user's edits stay.

use super::identify::{Identity, headers, identify};
use super::{FILE_NAME, ProjectError};
use crate::catalog::locate::data_files;
use crate::catalog::returns::return_year;
use crate::catalog::xml903;
use crate::contract::{Contract, Origin};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What `cohort init` found and wrote.
#[derive(Debug, Default)]
pub struct InitReport {
    pub project_file: PathBuf,
    /// Whether the project file was created (`false`: it existed and was only added to).
    pub created: bool,
    /// Each table placed, with the source pattern and the files it matched.
    pub placed: Vec<(String, String, usize)>,
    /// Tables already in an existing project file, left as they were.
    pub kept: Vec<String>,
    /// Files not placed, with why.
    pub unplaced: Vec<(PathBuf, String)>,
    /// Required tables no file was found for.
    pub missing: Vec<String>,
}

impl fmt::Display for InitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}",
            if self.created { "wrote" } else { "updated" },
            self.project_file.display()
        )?;
        for (table, pattern, n) in &self.placed {
            let files = if *n == 1 {
                String::new()
            } else {
                format!(" ({n} returns)")
            };
            writeln!(f, "  {table}: {pattern}{files}")?;
        }
        for t in &self.kept {
            writeln!(f, "  {t}: kept as the file says")?;
        }
        if !self.unplaced.is_empty() {
            writeln!(f, "not placed:")?;
            for (p, why) in &self.unplaced {
                writeln!(f, "  {}: {why}", p.display())?;
            }
        }
        if !self.missing.is_empty() {
            writeln!(
                f,
                "no file found for required table{}: {} (run `cohort contract` to see their columns)",
                if self.missing.len() == 1 { "" } else { "s" },
                self.missing.join(", ")
            )?;
        }
        if self.missing.is_empty() {
            return write!(
                f,
                "next: `cohort check`, then `cohort report termly-impact`"
            );
        }
        // `cohort check` would only list the same missing files: say what to do instead.
        let dir = self
            .project_file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .display();
        write!(
            f,
            "next: put the files for those tables in {dir} and run `cohort init {dir}` again \
             (to try cohort first on generated data: `cohort sample --out {dir}`, then `cohort init {dir}`)"
        )
    }
}

/// A glob matching `paths` (relative, same depth): components that differ become `*`.
fn common_glob(paths: &[PathBuf]) -> Option<String> {
    let split: Vec<Vec<String>> = paths
        .iter()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect()
        })
        .collect();
    let first = split.first()?;
    if split.iter().any(|s| s.len() != first.len()) {
        return None;
    }
    let last = first.len() - 1;
    let parts: Vec<String> = (0..first.len())
        .map(|i| {
            if split.iter().all(|s| s[i] == first[i]) {
                first[i].clone()
            } else if i < last {
                "*".to_string()
            } else {
                // File names keep what they share: `2024_oc2.csv`, `2025_oc2.csv` is `202*_oc2.csv`.
                let names: Vec<Vec<char>> = split.iter().map(|s| s[i].chars().collect()).collect();
                let shortest = names.iter().map(Vec::len).min().unwrap_or(0);
                let prefix = (0..shortest)
                    .take_while(|&k| names.iter().all(|n| n[k] == names[0][k]))
                    .count();
                let suffix = (0..shortest - prefix)
                    .take_while(|&k| {
                        names
                            .iter()
                            .all(|n| n[n.len() - 1 - k] == names[0][names[0].len() - 1 - k])
                    })
                    .count();
                let head: String = names[0][..prefix].iter().collect();
                let tail: String = names[0][names[0].len() - suffix..].iter().collect();
                format!("{head}*{tail}")
            }
        })
        .collect();
    Some(parts.join("/"))
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `key = "<folder>"` when the folder `cohort init` runs from has it (the cohort checkout), so
/// commands run inside the data folder still find the analyses and templates; else a comment.
fn folder_line(key: &str, folder: &str) -> String {
    match std::env::current_dir().map(|d| d.join(folder)) {
        Ok(path) if path.is_dir() => {
            format!("{key} = {}\n", toml_string(&path.display().to_string()))
        }
        _ => format!("# {key} = \"{folder}\"\n"),
    }
}

/// The contract tables an XML file holds as an SSDA903 return, or why it is not placed.
fn xml_tables(path: &Path, rel: &Path) -> Result<Vec<&'static str>, String> {
    if !xml903::is_return(path) {
        return Err("an XML file that is not an SSDA903 return (no <CHILD> elements)".into());
    }
    let mut problems = crate::catalog::error::Problems::default();
    let Some(ret) = xml903::read_return(path, &mut problems) else {
        let why = problems
            .list
            .first()
            .map(|p| p.to_string())
            .unwrap_or_default();
        return Err(format!("an SSDA903 XML return that cannot be read: {why}"));
    };
    if return_year(Path::new(""), rel).is_none() {
        return Err(
            "an SSDA903 XML return, but its file and folder names give no collection year (name it like `903/2023-24/return.xml` or `SSDA903_2024.xml`)".into(),
        );
    }
    Ok(ret.tables())
}

/// Scaffolds `cohort.toml` in `dir` over the data files beneath it.
pub fn init(dir: &Path) -> Result<InitReport, ProjectError> {
    let contract = Contract::current();
    let project_file = dir.join(FILE_NAME);
    let existing = super::ProjectFile::find(dir)?;
    let mut report = InitReport {
        project_file: project_file.clone(),
        created: existing.is_none(),
        ..Default::default()
    };
    let mut by_table: BTreeMap<&'static str, Vec<(PathBuf, Option<String>)>> = BTreeMap::new();
    for path in data_files(dir) {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        if xml903::is_xml(&path) {
            match xml_tables(&path, &rel) {
                Ok(tables) => {
                    for t in tables {
                        by_table.entry(t).or_default().push((rel.clone(), None));
                    }
                }
                Err(why) => report.unplaced.push((rel, why)),
            }
            continue;
        }
        let sheets = match headers(&contract, &path) {
            Ok(n) => n,
            Err(why) => {
                report.unplaced.push((rel, why));
                continue;
            }
        };
        // A workbook's sheets are each recognised; one sheet in several is named in the section.
        let several = sheets.len() > 1;
        let mut not_placed = Vec::new();
        let mut placed_any = false;
        for (sheet, names) in sheets {
            let in_sheet = |why: String| match (&sheet, several) {
                (Some(s), true) => format!("sheet `{s}`: {why}"),
                _ => why,
            };
            match identify(&contract, &names) {
                Identity::Table { name, .. } => {
                    placed_any = true;
                    by_table
                        .entry(name)
                        .or_default()
                        .push((rel.clone(), sheet.filter(|_| several)));
                }
                Identity::Other903(name) => not_placed.push(in_sheet(format!(
                    "the SSDA903 {name} table: no analysis reads it, so it is not needed"
                ))),
                Identity::Unknown { closest, missing } => {
                    let why = match closest {
                        Some(t) => format!(
                            "its columns match no table; the closest, `{t}`, also needs {}",
                            missing
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None => "its columns match no table of the contract".to_string(),
                    };
                    not_placed.push(in_sheet(why));
                }
            }
        }
        // A workbook's notes or cover sheet beside a placed sheet is not worth a word.
        if !placed_any {
            for why in not_placed {
                report.unplaced.push((rel.clone(), why));
            }
        }
    }
    let mut sections = String::new();
    for (table, files) in &by_table {
        let is_903 = contract
            .table(table)
            .is_some_and(|t| t.origin == Origin::Ssda903);
        if existing
            .as_ref()
            .is_some_and(|e| e.sources.contains_key(*table))
        {
            report.kept.push(table.to_string());
            continue;
        }
        let sheet = files
            .first()
            .and_then(|(_, s)| s.clone())
            .filter(|s| files.iter().all(|(_, t)| t.as_ref() == Some(s)));
        let files: Vec<PathBuf> = files.iter().map(|(f, _)| f.clone()).collect();
        let yearly = is_903
            && files
                .iter()
                .all(|f| return_year(Path::new(""), f).is_some());
        let (pattern, used): (String, Vec<&PathBuf>) = if files.len() == 1 || !yearly {
            let first = &files[0];
            for other in &files[1..] {
                report.unplaced.push((
                    other.clone(),
                    format!(
                        "looks like `{table}` too, but {} was placed (one file per table, or yearly 903 returns)",
                        first.display()
                    ),
                ));
            }
            (first.to_string_lossy().replace('\\', "/"), vec![first])
        } else {
            match common_glob(&files) {
                Some(g) => (g, files.iter().collect()),
                None => {
                    for f in files {
                        report.unplaced.push((
                            f.clone(),
                            format!("one of several `{table}` returns in different folder depths: set [sources.{table}] file by hand"),
                        ));
                    }
                    continue;
                }
            }
        };
        sections.push_str(&format!(
            "\n[sources.{table}]\nfile = {}\n",
            toml_string(&pattern)
        ));
        if let Some(s) = &sheet {
            sections.push_str(&format!("sheet = {}\n", toml_string(s)));
        }
        report.placed.push((table.to_string(), pattern, used.len()));
    }
    let known: Vec<&str> = by_table.keys().copied().collect();
    report.missing = contract
        .tables
        .iter()
        .filter(|t| t.required && !known.contains(&t.name))
        .filter(|t| {
            !existing
                .as_ref()
                .is_some_and(|e| e.sources.contains_key(t.name))
        })
        .map(|t| t.name.to_string())
        .collect();
    let text = match &existing {
        None => format!(
            "# The cohort project file, written by `cohort init`. Edit it freely: a later\n\
             # `cohort init` only adds sections for tables it does not mention yet.\n\
             data = \".\"\n\
             {}\
             {}\
             # history = \".cohort/history.duckdb\"\n\
             # strict = true        # columns the contract does not know are errors, not warnings\n\
             \n\
             # [authority]\n\
             # la_code = 874        # DfE's old_la_code\n\
             # name = \"...\"\n\
             \n\
             # Per table: file (a name or glob under the data folder), columns = {{ \"Pupil ID\" = \"child\" }},\n\
             # date_format = \"%d.%m.%Y\", recode.<column> = {{ Good = \"green\" }}, and for attendance\n\
             # wide = {{ AM = \"AM mark\", PM = \"PM mark\" }}.\n{sections}",
            folder_line("queries", "queries"),
            folder_line("templates", "report-templates"),
        ),
        Some(_) => {
            let mut old =
                std::fs::read_to_string(&project_file).map_err(|source| ProjectError::Read {
                    path: project_file.clone(),
                    source,
                })?;
            if !sections.is_empty() {
                if !old.ends_with('\n') {
                    old.push('\n');
                }
                old.push_str("\n# added by a later `cohort init`\n");
                old.push_str(sections.trim_start_matches('\n'));
            }
            old
        }
    };
    crate::output::write_atomic(&project_file, text.as_bytes()).map_err(|source| {
        ProjectError::Write {
            path: project_file.clone(),
            source,
        }
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearly_folders_become_one_glob() {
        let g = common_glob(&[
            PathBuf::from("903/2023-24/episodes.csv"),
            PathBuf::from("903/2024-25/episodes.csv"),
        ]);
        assert_eq!(g.as_deref(), Some("903/*/episodes.csv"));
        let g = common_glob(&[PathBuf::from("2024_oc2.csv"), PathBuf::from("2025_oc2.csv")]);
        assert_eq!(g.as_deref(), Some("202*_oc2.csv"));
    }
}
