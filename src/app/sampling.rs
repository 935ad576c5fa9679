//! `cohort contract` and `cohort sample`: the contract page, the synthetic data set and its README.

use super::*;

/// `cohort contract`: the data contract as Markdown.
pub fn contract_markdown() -> String {
    crate::contract::to_markdown(&Contract::current())
}

/// The README written beside a generated data set: what it is, what is planted, the contract.
pub fn sample_readme() -> String {
    format!(
        "# Sample data\n\nA synthetic Virtual School made by `cohort sample`: no real child is in it. \
         It is generated from a seed, so the same command gives the same files. This page is generated \
         from the data contract; do not edit it by hand (a test fails when it is stale).\n\n\
         Regenerate the bundled set with:\n\n```\ncargo run --release -- sample --children 400 --years 3 --seed 7 --out sample-data\n```\n\n{}\n\n{}",
        sample::planted_relationships().trim(),
        crate::contract::to_markdown(&Contract::current())
            .replacen("# The cohort data contract", "## The data contract", 1)
            .replace("\n## ", "\n### ")
            .replace("\n# Code lists", "\n## Code lists")
            .replacen("### The data contract", "## The data contract", 1)
    )
}

/// `cohort sample`: writes a synthetic data set and its README.
pub fn sample(config: &SampleConfig, out: &Path) -> Result<sample::SampleSummary, AppError> {
    let summary = sample::generate(config, out)?;
    let readme = out.join("README.md");
    write_atomic(&readme, sample_readme().as_bytes()).map_err(|e| AppError::Write {
        path: readme,
        source: e,
    })?;
    Ok(summary)
}

/// `cohort sample --layout returns` (or `xml`): the same data set with the 903 tables as
/// yearly returns under `out/903/<year>/`, as an authority submits them: CSV per table, or
/// one DfE XML return per year.
pub fn sample_returns(
    config: &SampleConfig,
    out: &Path,
    xml: bool,
) -> Result<sample::SampleSummary, AppError> {
    let mut summary = sample(config, out)?;
    let first =
        crate::contract::AcademicYear::new(config.last_year.start - config.years as i32 + 1);
    let written = sample::returns::split(out, first.first_day(), config.last_year.last_day())?;
    summary.files.retain(|(name, _)| {
        !["header.csv", "episodes.csv", "oc2.csv", "oc3.csv"].contains(&name.as_str())
    });
    if xml {
        summary.files.extend(sample::returns::to_xml(out)?);
    } else {
        summary.files.extend(written);
    }
    Ok(summary)
}
