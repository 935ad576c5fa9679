//! Writing output files whole or not at all (a temporary file beside the target, then a
//! rename), and the names they may have: slugs, paths inside `--out`, template names.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The JSON file at `path` read as a `T`; `None` when it is missing or not a `T` (a cache
/// entry's manifest: either way the entry is not there).
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `bytes` to `path` atomically, creating the parent folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` inside a staging folder, creating the parent folder, without
/// flushing it to disk: [`crate::staging::Staging::publish`] syncs every staged file at once
/// before any is moved into place, rather than one at a time as each is written.
pub fn write_staged(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// A file or template name that would lead outside where cohort reads or writes.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("{} is not inside {}: outputs are written only inside --out", path.display(), out.display())]
    Outside { path: PathBuf, out: PathBuf },
    #[error("`{value}` gives no file name: it has no letter or digit")]
    NoName { value: String },
    #[error("template `{name}`: a template is the name of a file in {} (letters, digits, `-` and `_`), not a path; templates there: {known}", dir.display())]
    TemplateName {
        name: String,
        dir: PathBuf,
        known: String,
    },
}

/// A file name made from a value (a school's URN, a notebook's name): ASCII letters, digits,
/// `-` and `_` kept, every other run of characters one `-`, none at either end; so
/// `../../../x` is `x` and no value can name a folder. Letters keep their case.
pub fn safe_slug(value: &str) -> Result<String, PathError> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let slug = out.trim_matches('-').to_string();
    if slug.chars().any(|c| c.is_ascii_alphanumeric()) {
        Ok(slug)
    } else {
        Err(PathError::NoName {
            value: value.to_string(),
        })
    }
}

/// `out` joined with `relative`, refused unless every part of `relative` is a plain name
/// (no `..`, no root, no prefix): the path lies inside `out`.
pub fn inside(out: &Path, relative: &Path) -> Result<PathBuf, PathError> {
    let plain = relative.components().count() > 0
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(out.join(relative))
    } else {
        Err(PathError::Outside {
            path: out.join(relative),
            out: out.to_path_buf(),
        })
    }
}

/// A template's file, `dir/<name>.md`, for a name that is only a name (a safe slug of itself).
pub fn template_file(dir: &Path, name: &str) -> Result<PathBuf, PathError> {
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with('-');
    if is_name {
        Ok(dir.join(format!("{name}.md")))
    } else {
        let mut known: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "md"))
                    .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        known.sort();
        Err(PathError::TemplateName {
            name: name.to_string(),
            dir: dir.to_path_buf(),
            known: known.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_never_name_a_folder() {
        assert_eq!(safe_slug("../../../x").ok().as_deref(), Some("x"));
        assert_eq!(safe_slug("100023").ok().as_deref(), Some("100023"));
        assert_eq!(safe_slug("S1").ok().as_deref(), Some("S1"));
        assert_eq!(safe_slug("a/b\\c d").ok().as_deref(), Some("a-b-c-d"));
        assert_eq!(safe_slug(".hidden").ok().as_deref(), Some("hidden"));
        assert!(safe_slug("../..").is_err());
        assert!(safe_slug("").is_err());
    }

    #[test]
    fn only_plain_relative_paths_are_inside() {
        let out = Path::new("/tmp/out");
        assert_eq!(
            inside(out, Path::new("a/b.html")).ok(),
            Some(PathBuf::from("/tmp/out/a/b.html"))
        );
        assert!(inside(out, Path::new("../x.html")).is_err());
        assert!(inside(out, Path::new("a/../../x")).is_err());
        assert!(inside(out, Path::new("/etc/passwd")).is_err());
        assert!(inside(out, Path::new("")).is_err());
    }

    #[test]
    fn a_template_is_a_name_not_a_path() {
        let dir = Path::new("report-templates");
        assert_eq!(
            template_file(dir, "termly-impact").ok(),
            Some(PathBuf::from("report-templates/termly-impact.md"))
        );
        for bad in ["../../x", "/etc/passwd", "a/b", "..", "", "x.md"] {
            assert!(template_file(dir, bad).is_err(), "{bad}");
        }
    }
}
