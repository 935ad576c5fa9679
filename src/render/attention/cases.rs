//! `cohort test` on the rules: the hand-worked cases of `attention.test.toml`, their figures
//! and comparators read from CSV, and what failed in each.

use super::rules::{Comparators, Flag, Observed, Rules};
use super::{RULES_FILE, TEST_FILE};
use crate::analysis::Analysis;
use crate::render::document::slug;
use crate::render::figures::counts_children;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The rules' test file: hand-worked cases of figures and the flags they must raise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(rename = "case")]
    cases: Vec<TestCase>,
}

/// One case: the report's term, its figures (and comparators) as CSV, and what the rules
/// must make of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    name: String,
    /// The report's term; its academic year is the year the `year` rules judge.
    term: String,
    /// `metric,time_period,breakdown,group,numerator,denominator,value`; `c` is suppressed.
    metrics: String,
    /// DfE's national figures, `metric,academic_year,value`.
    #[serde(default)]
    national: String,
    /// The statistical neighbours' averages, `metric,academic_year,value`.
    #[serde(default)]
    neighbours: String,
    /// How many flags need attention, and how many went well.
    #[serde(default)]
    attention: Option<usize>,
    #[serde(default)]
    well: Option<usize>,
    #[serde(default, rename = "flag")]
    flags: Vec<ExpectedFlag>,
}

/// A flag the case must raise, at its rank in its list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFlag {
    /// `attention` (the default) or `well`.
    #[serde(default = "attention_list")]
    list: String,
    /// 1 is the first.
    rank: usize,
    #[serde(default)]
    score: Option<f64>,
    /// Words the sentence must contain.
    #[serde(default)]
    contains: Vec<String>,
    /// The heading the flag links to.
    #[serde(default)]
    section: Option<String>,
}

fn attention_list() -> String {
    "attention".into()
}

/// Rows of a CSV text as maps from column to value.
fn csv_rows(text: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim().as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            let r = r.map_err(|e| format!("line {}: {e}", i + 2))?;
            Ok(header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

/// A number cell: empty or `c` is none; anything else must be a number.
fn number(
    row: &BTreeMap<String, String>,
    column: &str,
    line: usize,
) -> Result<Option<f64>, String> {
    match row.get(column).map(String::as_str) {
        None | Some("") | Some("c") => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
            format!("line {line}: column `{column}`: value `{v}`: expected a number or c")
        }),
    }
}

/// A column's text, or an error naming it.
fn text<'a>(
    row: &'a BTreeMap<String, String>,
    column: &str,
    line: usize,
) -> Result<&'a str, String> {
    row.get(column)
        .map(String::as_str)
        .ok_or_else(|| format!("line {line}: no column `{column}`"))
}

impl TestCase {
    /// The case's figures as the rules read them, with units and bases from the analyses.
    fn observed(&self, analyses: &[Analysis]) -> Result<Vec<Observed>, String> {
        let mut out = Vec::new();
        for (i, row) in csv_rows(&self.metrics)
            .map_err(|e| format!("metrics: {e}"))?
            .iter()
            .enumerate()
        {
            let line = i + 2;
            let at = |e: String| format!("metrics: {e}");
            let metric = text(row, "metric", line).map_err(at)?;
            let spec = analyses
                .iter()
                .flat_map(|a| &a.meta.metrics)
                .find(|m| m.id == metric)
                .ok_or_else(|| {
                    at(format!(
                        "line {line}: metric `{metric}`: no analysis declares it"
                    ))
                })?;
            let value = number(row, "value", line).map_err(at)?;
            out.push(Observed {
                metric: metric.to_string(),
                period: text(row, "time_period", line).map_err(at)?.to_string(),
                breakdown: text(row, "breakdown", line).map_err(at)?.to_string(),
                group: text(row, "group", line).map_err(at)?.to_string(),
                value,
                numerator: number(row, "numerator", line).map_err(at)?,
                denominator: number(row, "denominator", line).map_err(at)?,
                unit: spec.unit,
                children: spec.denominator.as_deref().is_none_or(counts_children),
                shown: value.is_some(),
            });
        }
        Ok(out)
    }

    /// The case's comparators: its national and neighbours' figures, the analyses' directions.
    fn comparators(&self, analyses: &[Analysis]) -> Result<Comparators, String> {
        let read = |what: &str, text_: &str| -> Result<Vec<(String, String, f64)>, String> {
            if text_.trim().is_empty() {
                return Ok(Vec::new());
            }
            csv_rows(text_)
                .map_err(|e| format!("{what}: {e}"))?
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let line = i + 2;
                    let at = |e: String| format!("{what}: {e}");
                    let value = number(row, "value", line)
                        .map_err(at)?
                        .ok_or_else(|| at(format!("line {line}: no value")))?;
                    Ok((
                        text(row, "metric", line).map_err(at)?.to_string(),
                        text(row, "academic_year", line).map_err(at)?.to_string(),
                        value,
                    ))
                })
                .collect()
        };
        Ok(Comparators {
            national: read("national", &self.national)?,
            neighbours: read("neighbours", &self.neighbours)?,
            better: Comparators::directions(analyses),
        })
    }

    /// What failed in this case (empty when it passed).
    fn failures(&self, rules: &Rules, analyses: &[Analysis]) -> Result<Vec<String>, String> {
        let term: crate::contract::Term = self
            .term
            .parse()
            .map_err(|e| format!("term `{}`: {e}", self.term))?;
        let term = term.to_string();
        let year = term.get(0..7).unwrap_or(&term).to_string();
        let j = rules.judge(
            &self.observed(analyses)?,
            &term,
            &year,
            &self.comparators(analyses)?,
        );
        let mut failures = Vec::new();
        let listed = |list: &[Flag]| {
            list.iter()
                .enumerate()
                .map(|(i, f)| format!("\n         {}. [{:.2}] {}", i + 1, f.score, f.sentence))
                .collect::<String>()
        };
        for (want, list, what) in [
            (self.attention, &j.attention, "flags needing attention"),
            (self.well, &j.well, "things that went well"),
        ] {
            if let Some(n) = want
                && list.len() != n
            {
                failures.push(format!(
                    "expected {n} {what}, got {}:{}",
                    list.len(),
                    listed(list)
                ));
            }
        }
        for want in &self.flags {
            let list = match want.list.as_str() {
                "attention" => &j.attention,
                "well" => &j.well,
                other => {
                    return Err(format!("flag list `{other}`: expected attention or well"));
                }
            };
            let Some(flag) = want.rank.checked_sub(1).and_then(|i| list.get(i)) else {
                failures.push(format!(
                    "{} {}: no such flag ({} in the list):{}",
                    want.list,
                    want.rank,
                    list.len(),
                    listed(list)
                ));
                continue;
            };
            let at = format!("{} {}", want.list, want.rank);
            if let Some(score) = want.score
                && (flag.score - score).abs() > 1e-6
            {
                failures.push(format!(
                    "{at}: score expected {score}, got {} ({})",
                    flag.score, flag.sentence
                ));
            }
            for words in &want.contains {
                if !flag.sentence.contains(words.as_str()) {
                    failures.push(format!(
                        "{at}: expected the sentence to contain `{words}`, got `{}`",
                        flag.sentence
                    ));
                }
            }
            if let Some(section) = &want.section
                && flag.anchor != slug(section)
            {
                failures.push(format!(
                    "{at}: expected a link to `{section}`, got `#{}`",
                    flag.anchor
                ));
            }
        }
        Ok(failures)
    }
}

/// Each case's name with what failed in it (empty when it passed).
pub type CaseOutcomes = Vec<(String, Vec<String>)>;

/// `cohort test` on the rules in the templates folder `dir`: each case of `attention.test.toml`
/// with what failed in it; `None` when there is no test file. A file that does not read (or a
/// case whose figures do not) is an error naming the file.
pub fn test_cases(dir: &Path, analyses: &[Analysis]) -> Option<Result<CaseOutcomes, String>> {
    let file = dir.join(TEST_FILE);
    let text = std::fs::read_to_string(&file).ok()?;
    let run = || -> Result<CaseOutcomes, String> {
        let tests: TestFile = toml::from_str(&text).map_err(|e| {
            let line = crate::analysis::file::toml_error_line(&text, &e);
            format!("{}: line {line}: {}", file.display(), e.message())
        })?;
        let rules_path = dir.join(RULES_FILE);
        let rules_text = std::fs::read_to_string(&rules_path)
            .map_err(|e| format!("{}: {e}", rules_path.display()))?;
        let rules = Rules::parse(&rules_path, &rules_text)?;
        tests
            .cases
            .iter()
            .map(|case| {
                let failures = case
                    .failures(&rules, analyses)
                    .map_err(|e| format!("{}: case `{}`: {e}", file.display(), case.name))?;
                Ok((case.name.clone(), failures))
            })
            .collect()
    };
    Some(run())
}
