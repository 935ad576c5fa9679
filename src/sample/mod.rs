//! The synthetic cohort generator (`cohort sample`).
//!
//! Not built yet: this module fixes the interface the CLI and tests use; the
//! generator itself is open work on issue 2 and says so instead of writing data.

use crate::contract::AcademicYear;
use std::path::Path;

/// How tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    Mixed,
    Csv,
    Parquet,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    pub children: usize,
    pub years: u32,
    pub seed: u64,
    pub format: SampleFormat,
    pub last_year: AcademicYear,
}

/// Files written and their rows.
#[derive(Debug, Clone, Default)]
pub struct SampleSummary {
    pub files: Vec<(String, u64)>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error(
        "the synthetic data generator is not built yet (issue 2 is open): no files were written to {0}"
    )]
    NotBuilt(String),
}

/// Writes a synthetic data set to `out` (not built yet: returns an error and writes nothing).
pub fn generate(_config: &SampleConfig, out: &Path) -> Result<SampleSummary, SampleError> {
    Err(SampleError::NotBuilt(out.display().to_string()))
}

/// What the generator plants, for the sample README.
pub fn planted_relationships() -> &'static str {
    "## What the generator plants\n\nThe generator is not built yet; see issue 2."
}
