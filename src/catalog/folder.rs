//! The first step of an open: the data folder's files, where each contract table's are
//! among them, and what to say of the files no table claims.

use super::error::{CatalogError, Problem, Problems, problem};
use super::format::xml903;
use super::locate::{self, Located};
use super::{Opening, returns};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The data folder's files, and where each contract table's are (or why they cannot be told).
pub(super) struct Found {
    pub(super) files: Vec<PathBuf>,
    pub(super) locations: HashMap<&'static str, Result<Located, Problem>>,
}

impl Found {
    /// Where `table`'s files are (nowhere, for a table not in the contract).
    pub(super) fn location(&self, table: &str) -> Result<Located, Problem> {
        self.locations
            .get(table)
            .cloned()
            .unwrap_or(Ok(Located::None))
    }

    /// Every file some table claims, whether or not it is read.
    fn claimed(&self) -> HashSet<PathBuf> {
        self.locations
            .values()
            .filter_map(|l| l.as_ref().ok())
            .flat_map(|l| l.paths())
            .collect()
    }
}

/// The folder's data files and where each table's are. A missing folder, and a file that must
/// not be read (a FIFO, a device, a link out of the folder), end the open before anything is
/// opened.
pub(super) fn find(op: &Opening, problems: &mut Problems) -> Result<Found, CatalogError> {
    let dir = op.dir;
    if !dir.is_dir() {
        problems.push_file(
            dir,
            "a data folder (try `cohort sample --out DIR` to make one)".into(),
        );
        return Err(problems.stop());
    }
    let files = locate::data_files(dir);
    // A FIFO or a device would be read (and hashed) for ever, and a link out of the folder
    // reads what is not the folder's: both refused before anything is opened.
    for path in &files {
        if let Some(p) = unreadable_kind(dir, path) {
            problems.push(p);
        }
    }
    problems.stop_if_any()?;
    // Found once: to read them, to hash them and to tell which files no table claims.
    let locations = op
        .contract
        .tables
        .iter()
        .map(|t| {
            let source = op.sources.of(t.name);
            (t.name, locate::locate(t, dir, &files, &source))
        })
        .collect();
    Ok(Found { files, locations })
}

/// Data files no table claimed: a 903 table no analysis reads is noted; any other data
/// file at the top of the folder is an error (almost always a misnamed table),
/// unless `cohort.toml` names the sources, when it is noted.
pub(super) fn unknown_files(op: &Opening, found: &Found, problems: &mut Problems) {
    let (contract, dir) = (op.contract, op.dir);
    let configured = op.sources.tables.iter().any(|(_, s)| s.file.is_some());
    let claimed = found.claimed();
    for path in found.files.iter().filter(|p| !claimed.contains(*p)) {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_lowercase();
        let bare = returns::stem_without_year(&stem);
        if xml903::is_xml(path) {
            let what = if xml903::is_return(path) {
                "an SSDA903 XML return no table's source names"
            } else {
                "not an SSDA903 XML return (no <CHILD> elements)"
            };
            problems.note(format!("{}: {what}, not read", path.display()));
            continue;
        }
        if let Some(other) = crate::contract::ssda903::other_903_by_stem(&bare) {
            problems.note(format!(
                "{}: the SSDA903 {} table, which no analysis reads: not read",
                path.display(),
                other.name
            ));
            continue;
        }
        let top = path.parent() == Some(dir);
        if top && !configured {
            let known: Vec<&str> = contract.tables.iter().map(|t| t.name).collect();
            let expected = format!(
                "a file named for a contract table (or run `cohort init` to place files by their columns): {}",
                known.join(", ")
            );
            problems.push_file(path, expected);
        } else {
            problems.note(format!("{}: no table's source, not read", path.display()));
        }
    }
}

/// Why `path` (found under `dir`) must not be read, when it must not: not a regular file
/// (a FIFO or a device would be read for ever), or reached through a link that leads out of
/// `dir` (the file or one of its folders).
fn unreadable_kind(dir: &Path, path: &Path) -> Option<Problem> {
    let refuse = |expected: String| Some(problem(path, None, None, None, expected));
    match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
        (Ok(t), Ok(f)) if !t.starts_with(&f) => {
            return refuse(format!(
                "a file inside the data folder, but it is a link to {}, outside it (copy the file into the folder instead)",
                t.display()
            ));
        }
        (Err(e), _) => return refuse(format!("a readable file, but it cannot be found ({e})")),
        _ => {}
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) => refuse(format!(
            "a regular file, but it is {}: reading it might never end, so it is not read",
            special_kind(m.file_type())
        )),
        Err(e) => refuse(format!("a readable file ({e})")),
    }
}

/// What a file that is not a regular file is, in words.
#[cfg(unix)]
fn special_kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// What a file that is not a regular file is, in words.
#[cfg(not(unix))]
fn special_kind(_: std::fs::FileType) -> &'static str {
    "not a regular file"
}
