//! The project file `cohort.toml` (as `dbt_project.yml` is for dbt): the folders, the
//! history, the authority, and per table an optional `[sources.<table>]` saying where its
//! file is and how to read it. `cohort init` (see [`init`]) writes one over a folder.

pub mod identify;
pub mod init;

use crate::catalog::values::check_pattern;
use crate::catalog::{ReadOptions, Sources, TableSource};
use crate::contract::Contract;
use crate::engine::limits::{self, Limits};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The project file's name, at the project root.
pub const FILE_NAME: &str = "cohort.toml";

/// A project file that cannot be read or says something impossible.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The authority the data belongs to: reports use it for the LA's own published figures.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// DfE's `old_la_code`, e.g. 874.
    pub la_code: Option<u32>,
    pub name: Option<String>,
}

/// One `[sources.<table>]` section as written.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSection {
    /// A file name or glob relative to the data folder.
    pub file: Option<String>,
    /// The Excel sheet to read.
    pub sheet: Option<String>,
    /// The file's column name = the contract's column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// A `chrono` pattern for the file's dates, e.g. `%d.%m.%Y`.
    pub date_format: Option<String>,
    /// Per contract column: the value as written = the contract's value.
    #[serde(default)]
    pub recode: BTreeMap<String, BTreeMap<String, String>>,
    /// Attendance with AM and PM marks in two columns: session = the file column.
    #[serde(default)]
    pub wide: BTreeMap<String, String>,
    /// Columns the contract does not know are errors (overrides the project's `strict`).
    pub strict: Option<bool>,
}

/// `[limits]` as written: how far one query may go (see [`Limits`]); every value is text,
/// e.g. `memory = "8GiB"` or `"50%"`, `analysis_time = "30m"`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// Memory each engine may use for its queries (`8GiB`, `50%` of the machine's).
    pub memory: Option<String>,
    /// Disk each engine may fill with data spilled from memory (`40GiB`).
    pub spill: Option<String>,
    /// The folder spilled data goes in (default: the system's temporary folder).
    pub spill_dir: Option<PathBuf>,
    /// The time each analysis or notebook cell may run (`30m`).
    pub analysis_time: Option<String>,
    /// The time each `cohort query` statement may run (`10m`).
    pub query_time: Option<String>,
}

/// `cohort.toml` as written.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    pub data: Option<PathBuf>,
    pub queries: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub history: Option<PathBuf>,
    #[serde(default)]
    pub strict: bool,
    /// Run on SSDA903 data that looks stale for the term, with a warning (as `--allow-stale`).
    #[serde(default)]
    pub allow_stale: bool,
    pub authority: Option<Authority>,
    #[serde(default)]
    pub sources: BTreeMap<String, SourceSection>,
    pub limits: Option<LimitsSection>,
}

impl ProjectFile {
    /// Reads `cohort.toml` in `root`, if there is one.
    pub fn find(root: &Path) -> Result<Option<ProjectFile>, ProjectError> {
        let path = root.join(FILE_NAME);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|source| ProjectError::Read {
            path: path.clone(),
            source,
        })?;
        ProjectFile::parse(&path, &text).map(Some)
    }

    /// Parses and checks the text of a project file (`path` names it in messages).
    pub fn parse(path: &Path, text: &str) -> Result<ProjectFile, ProjectError> {
        let file: ProjectFile = toml::from_str(text).map_err(|e| ProjectError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string().trim().to_string(),
        })?;
        file.sources(path)?;
        file.limits(path)?;
        Ok(file)
    }

    /// The limits `[limits]` sets, the defaults for what it leaves out.
    pub fn limits(&self, path: &Path) -> Result<Limits, ProjectError> {
        let mut out = Limits::default();
        let Some(section) = &self.limits else {
            return Ok(out);
        };
        let invalid = |key: &str, message: String| ProjectError::Invalid {
            path: path.to_path_buf(),
            message: format!("[limits] {key}: {message}"),
        };
        if let Some(m) = &section.memory {
            let total = limits::machine_memory();
            out.memory =
                Some(limits::parse_size(m, Some(total)).map_err(|e| invalid("memory", e))?);
        }
        if let Some(s) = &section.spill {
            out.spill = Some(limits::parse_size(s, None).map_err(|e| invalid("spill", e))?);
        }
        out.spill_dir = section.spill_dir.clone();
        if let Some(t) = &section.analysis_time {
            out.analysis_time =
                limits::parse_duration(t).map_err(|e| invalid("analysis_time", e))?;
        }
        if let Some(t) = &section.query_time {
            out.query_time = limits::parse_duration(t).map_err(|e| invalid("query_time", e))?;
        }
        Ok(out)
    }

    /// The sources as the catalog reads them; names are checked against the contract.
    pub fn sources(&self, path: &Path) -> Result<Sources, ProjectError> {
        let invalid = |message: String| ProjectError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let contract = Contract::current();
        let mut tables = Vec::new();
        for (name, s) in &self.sources {
            let Some(table) = contract.table(name) else {
                let known: Vec<&str> = contract.tables.iter().map(|t| t.name).collect();
                return Err(invalid(format!(
                    "[sources.{name}]: no table `{name}` in the contract; expected one of {}",
                    known.join(", ")
                )));
            };
            let column = |c: &str, what: &str| -> Result<String, ProjectError> {
                table
                    .columns
                    .iter()
                    .find(|k| k.name.eq_ignore_ascii_case(c))
                    .map(|k| k.name.to_string())
                    .ok_or_else(|| {
                        invalid(format!(
                            "[sources.{name}] {what}: `{table_name}` has no column `{c}`; its columns are {}",
                            table.columns.iter().map(|k| k.name).collect::<Vec<_>>().join(", "),
                            table_name = table.name
                        ))
                    })
            };
            let mut renames = Vec::new();
            for (from, to) in &s.columns {
                renames.push((from.clone(), column(to, "columns")?));
            }
            let mut recodes = Vec::new();
            for (col, pairs) in &s.recode {
                let col = column(col, "recode")?;
                recodes.push((
                    col,
                    pairs.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
                ));
            }
            if let Some(p) = &s.date_format {
                check_pattern(p).map_err(|m| invalid(format!("[sources.{name}] {m}")))?;
            }
            if !s.wide.is_empty() && name != "attendance" {
                return Err(invalid(format!(
                    "[sources.{name}] wide: only attendance can be read wide (one mark column per session)"
                )));
            }
            tables.push((
                name.clone(),
                TableSource {
                    file: s.file.clone(),
                    options: ReadOptions {
                        renames,
                        date_format: s.date_format.clone(),
                        recodes,
                        strict: s.strict.unwrap_or(self.strict),
                        wide_sessions: s.wide.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
                        fill: vec![],
                        sheet: s.sheet.clone(),
                    },
                },
            ));
        }
        Ok(Sources {
            strict: self.strict,
            tables,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_read_and_checked_against_the_contract() {
        let text = r#"
data = "data"
[authority]
la_code = 874
[sources.peps]
file = "ePEP export*.csv"
date_format = "%d.%m.%Y"
columns = { "Pupil ID" = "child" }
recode.qa_rating = { Good = "green", "Requires improvement" = "amber" }
[sources.attendance.wide]
AM = "AM mark"
PM = "PM mark"
"#;
        let f = ProjectFile::parse(Path::new("cohort.toml"), text).unwrap();
        assert_eq!(f.authority.as_ref().and_then(|a| a.la_code), Some(874));
        let s = f.sources(Path::new("cohort.toml")).unwrap();
        let peps = s.of("peps");
        assert_eq!(peps.file.as_deref(), Some("ePEP export*.csv"));
        assert_eq!(
            peps.options.renames,
            vec![("Pupil ID".into(), "child".into())]
        );
        assert_eq!(peps.options.recode("qa_rating", "good"), "green");
        assert_eq!(s.of("attendance").options.wide_sessions.len(), 2);
    }

    #[test]
    fn limits_are_read_with_their_units_and_the_rest_default() {
        let text = "[limits]\nmemory = \"512MiB\"\nspill = \"2GiB\"\nanalysis_time = \"45m\"\n";
        let f = ProjectFile::parse(Path::new("cohort.toml"), text).unwrap();
        let l = f.limits(Path::new("cohort.toml")).unwrap();
        assert_eq!(l.memory, Some(512 << 20));
        assert_eq!(l.spill, Some(2 << 30));
        // 45 minutes = 2,700 s; the query time is left at its default.
        assert_eq!(l.analysis_time, std::time::Duration::from_secs(2700));
        assert_eq!(l.query_time, limits::DEFAULT_QUERY_TIME);
        let none = ProjectFile::parse(Path::new("cohort.toml"), "").unwrap();
        assert_eq!(
            none.limits(Path::new("cohort.toml")).unwrap(),
            Limits::default()
        );
    }

    #[test]
    fn impossible_sources_are_clear_errors() {
        let bad = [
            ("[sources.pep]\nfile = \"x.csv\"\n", "no table `pep`"),
            (
                "[sources.peps]\ncolumns = { a = \"kid\" }\n",
                "no column `kid`",
            ),
            (
                "[sources.peps]\ndate_format = \"%d/%m/%y\"\n",
                "two-digit year",
            ),
            ("[sources.peps]\nfiles = \"x\"\n", "unknown field"),
            ("[sources.peps.wide]\nAM = \"a\"\n", "only attendance"),
            (
                "[limits]\nmemory = \"4\"\n",
                "[limits] memory: `4`: no unit",
            ),
            ("[limits]\nquery_time = \"soon\"\n", "[limits] query_time"),
            ("[limits]\nmemroy = \"4GiB\"\n", "unknown field"),
        ];
        for (text, expected) in bad {
            let e = ProjectFile::parse(Path::new("cohort.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
