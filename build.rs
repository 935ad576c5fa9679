//! Builds the list of the shipped analyses and report templates (`queries/`,
//! `report-templates/`) that the binary carries, so that a project made by `cohort init`
//! runs where it stands without a copy of this repository.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let mut found = Vec::new();
    for folder in ["queries", "report-templates"] {
        println!("cargo:rerun-if-changed={folder}");
        files(&root.join(folder), &mut found);
    }
    // The data folders the shipped analyses' test files start from (`data = "tests/fixtures/
    // small"`), so that `cohort test` runs in a project `cohort init --with-queries` made.
    let mut fixtures = std::collections::BTreeSet::new();
    for path in found
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".test.toml"))
    {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for line in text.lines() {
            if let Some(rest) = line.trim().strip_prefix("data")
                && let Some(value) = rest.trim_start().strip_prefix('=')
                && let Some(folder) = value
                    .trim()
                    .strip_prefix('"')
                    .and_then(|v| v.split('"').next())
                && folder.starts_with("tests/fixtures/")
                && !folder.contains("..")
            {
                fixtures.insert(folder.to_string());
            }
        }
    }
    for folder in &fixtures {
        println!("cargo:rerun-if-changed={folder}");
        files(&root.join(folder), &mut found);
    }
    let mut code =
        String::from("/// Every shipped file: its path under the repository and its bytes.\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for path in &found {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        // The bytes by a path from the crate's own folder, resolved when the crate compiles:
        // a target directory shared by two checkouts (a CI clone beside the working tree)
        // never embeds the other checkout's files.
        let _ = writeln!(
            code,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/{rel}")
        );
    }
    code.push_str("];\n");
    code.push_str("/// The data folders the shipped test files start from, as they name them.\n");
    code.push_str("pub static FIXTURES: &[&str] = &[\n");
    for folder in &fixtures {
        let _ = writeln!(code, "    {folder:?},");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(out.join("shipped.rs"), code) {
        panic!("cannot write shipped.rs: {e}");
    }
}
