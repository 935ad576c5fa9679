//! Comparators from DfE's own published files: England, each region and every local
//! authority's figures for children looked after, and DfE's statistical neighbours.
//!
//! `cohort comparators --from DIR` reads the Explore Education Statistics files as DfE
//! publishes them and writes the compact set cohort ships (`src/contract/dfe/`), keeping
//! the source file and version with every figure; a test re-derives it from `../shared/dfe`.

pub mod derive;
pub mod ees;
pub mod neighbours;

use std::path::{Path, PathBuf};

/// What deriving comparators can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ComparatorError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", path.display())]
    Format {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

/// The two derived files: `comparators.csv` and `statistical_neighbours.csv`.
pub struct Derived {
    pub comparators: String,
    pub neighbours: String,
    pub rows: usize,
}

fn to_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Derives the comparator set from a folder of DfE's files (every file in
/// [`derive::SOURCES`] and the statistical neighbour model must be there).
pub fn derive_from(dir: &Path) -> Result<Derived, ComparatorError> {
    let mut rows = Vec::new();
    for source in derive::SOURCES {
        let file = ees::EesFile::read(&dir.join(source.file))?;
        rows.extend(derive::derive(source, &file)?);
    }
    derive::sort(&mut rows);
    let count = rows.len();
    let comparators = to_csv(&derive::HEADER, rows.iter().map(derive::record));
    let neighbours = to_csv(&neighbours::HEADER, neighbours::read(dir)?);
    Ok(Derived {
        comparators,
        neighbours,
        rows: count,
    })
}

/// Writes the derived set into `out` (`comparators.csv`, `statistical_neighbours.csv`).
pub fn write(derived: &Derived, out: &Path) -> Result<(), ComparatorError> {
    let io = |path: PathBuf| {
        move |e: std::io::Error| ComparatorError::Io {
            path,
            message: e.to_string(),
        }
    };
    std::fs::create_dir_all(out).map_err(io(out.to_path_buf()))?;
    for (name, text) in [
        ("comparators.csv", &derived.comparators),
        ("statistical_neighbours.csv", &derived.neighbours),
    ] {
        let path = out.join(name);
        crate::output::write_atomic(&path, text.as_bytes()).map_err(io(path.clone()))?;
    }
    Ok(())
}
