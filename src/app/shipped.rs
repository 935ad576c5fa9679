//! The analyses and report templates built into the binary (`queries/` and
//! `report-templates/` of the repository it was built from): what a project without its
//! own folders runs, and what `cohort init --with-queries` copies in.

use super::AppError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

mod files {
    include!(concat!(env!("OUT_DIR"), "/shipped.rs"));
}

/// The shipped folders' names, as in the repository.
pub const QUERIES: &str = "queries";
/// The templates folder's name.
pub const TEMPLATES: &str = "report-templates";

/// The data folders the shipped analyses' test files start from (`tests/fixtures/small`):
/// unpacked with them, and read from there by `cohort test` in a project that has copies of
/// the test files but not the folders (`cohort init --with-queries` copies no data into the
/// data folder, where every command would warn about it).
pub fn fixtures() -> &'static [&'static str] {
    files::FIXTURES
}

/// A short hash of every shipped file, so two builds never share an unpacked copy.
fn fingerprint() -> String {
    let mut h = Sha256::new();
    for (name, bytes) in files::FILES {
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    hex::encode(h.finalize())[..16].to_string()
}

/// Writes every shipped file under `dir` (`dir/queries/...`, `dir/report-templates/...`, and
/// with `fixtures` the test data under `dir/tests/fixtures/...`); returns the files written.
pub fn copy_into(dir: &Path, fixtures: bool) -> Result<Vec<PathBuf>, AppError> {
    let mut written = Vec::new();
    for (name, bytes) in files::FILES {
        if !fixtures && !name.starts_with(QUERIES) && !name.starts_with(TEMPLATES) {
            continue;
        }
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| AppError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| AppError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The shipped files unpacked once under `root/.cohort/shipped/<hash>/`, for a project that
/// has no `queries` or templates folder of its own; returns that folder.
pub fn unpacked(root: &Path) -> Result<PathBuf, AppError> {
    let base = root.join(".cohort").join("shipped");
    let dir = base.join(fingerprint());
    if dir.join(QUERIES).join("versions.lock").is_file() {
        return Ok(dir);
    }
    // Unpacked beside, then renamed into place: two commands at once never see half a copy.
    let scratch = base.join(format!(".{}-{}", fingerprint(), std::process::id()));
    copy_into(&scratch, true)?;
    if std::fs::rename(&scratch, &dir).is_err() {
        // Another command put it in place first; ours is not needed.
        let _ = std::fs::remove_dir_all(&scratch);
    }
    if dir.join(QUERIES).is_dir() {
        Ok(dir)
    } else {
        Err(AppError::Write {
            path: dir,
            source: std::io::Error::other("the shipped analyses could not be unpacked"),
        })
    }
}
