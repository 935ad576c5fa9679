//! "What needs attention": the template function `attention()`, which judges the report's
//! disclosed figures by rules an analyst edits (`attention.toml` beside the templates) and
//! writes the few flags worth acting on, ranked, with a short "what went well" beside them.
//!
//! A rule names a metric, the period it is judged over, the breakdowns whose groups are
//! judged, the comparator (DfE's national figure, the statistical neighbours' average, or
//! the authority's own figure for the same period) and how far off counts; which way is
//! better is the metric's own `better` (its front matter). A figure is judged against DfE's
//! national figure and, where DfE publishes one, the statistical neighbours' average: it is
//! flagged when beyond either by the threshold. A flag's rank adds how far it is off (in
//! thresholds), one if it is also beyond the other comparator, one if it lies outside the
//! comparator's 95% interval for its n, and one if it is worse than the two years before.
//! A suppressed figure is never judged.
//!
//! The rules are checked by `cohort check` ([`check`]) and tested by `cohort test` against
//! hand-worked cases in `attention.test.toml` beside them ([`test_cases`]).

use super::context::ReportData;
use super::document::slug;
use super::escape::escape;
use super::figures::{NATIONAL, NEIGHBOURS, base_note, counts_children, metric_counts_children};
use super::format::format_number;
use super::lookups::{invalid, require_metric};
use super::words::period_label;
use crate::analysis::{Analysis, Better, Unit};
use minijinja::value::Value as JValue;
use minijinja::{Environment, Error};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rules file's name, read from the templates folder.
pub const RULES_FILE: &str = "attention.toml";

/// The rules' hand-worked cases, beside the rules file.
pub const TEST_FILE: &str = "attention.test.toml";

/// At most this many flags, and this many things that went well.
const MOST_FLAGS: usize = 8;
const MOST_WELL: usize = 4;

/// The rules file: how each breakdown's owner is named and the rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rules {
    /// Breakdown → how its owner reads, `{group}` standing for the group ("{group} phase").
    #[serde(default)]
    owners: BTreeMap<String, String>,
    #[serde(default, rename = "rule")]
    rules: Vec<Rule>,
}

/// One rule: which figures it judges, against what, and how far off raises a flag.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    metric: String,
    /// What the figure measures, in words ("Persistent absence").
    label: String,
    /// `year` (the report's academic year) or `term` (the report's term).
    period: String,
    /// The breakdowns whose groups are judged (`all` is the authority as a whole).
    breakdowns: Vec<String>,
    /// `national` (DfE, children looked after 12 months, with the statistical neighbours
    /// beside it), `neighbours` (their average alone) or `authority` (the same metric's
    /// figure for all children in the same period).
    compare: String,
    /// How far beyond the comparator raises a flag (points for a rate, else the unit's own).
    threshold: f64,
    /// Groups resting on fewer than this many children are not judged.
    #[serde(default)]
    min_n: f64,
    /// The heading of the section the flag links to.
    section: String,
}

/// What the rules read besides the figures: DfE's national figures and the statistical
/// neighbours' averages for children looked after 12 months (`(metric, academic year,
/// value)`), and which way is better for each metric.
#[derive(Debug, Default)]
pub(super) struct Comparators {
    pub national: Vec<(String, String, f64)>,
    pub neighbours: Vec<(String, String, f64)>,
    pub better: BTreeMap<String, Better>,
}

impl Comparators {
    /// The latest figure for `metric` up to `year` in `list`, with its year.
    fn latest(list: &[(String, String, f64)], metric: &str, year: &str) -> Option<(f64, String)> {
        list.iter()
            .filter(|(m, y, v)| m == metric && y.as_str() <= year && v.is_finite())
            .max_by(|a, b| a.1.cmp(&b.1))
            .map(|(_, y, v)| (*v, y.clone()))
    }

    /// Which way is better for each metric the analyses declare a direction for.
    fn directions(analyses: &[Analysis]) -> BTreeMap<String, Better> {
        analyses
            .iter()
            .flat_map(|a| &a.meta.metrics)
            .filter_map(|m| Some((m.id.clone(), m.better?)))
            .collect()
    }
}

/// One disclosed figure as the rules read it.
#[derive(Debug, Clone)]
pub(super) struct Observed {
    pub metric: String,
    pub period: String,
    pub breakdown: String,
    pub group: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub unit: Unit,
    /// Whether the denominator counts children (not sessions).
    pub children: bool,
    /// False when disclosure suppressed the value.
    pub shown: bool,
}

/// A judged figure: the sentence about it and its rank.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Flag {
    pub score: f64,
    pub sentence: String,
    pub anchor: String,
}

/// What the rules found: flags (worse than the comparator) and what went well, each ranked.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Judgement {
    pub attention: Vec<Flag>,
    pub well: Vec<Flag>,
}

/// The same period `back` years earlier: `2024-25` → `2023-24`, `2024-25-summer` →
/// `2023-24-summer`; `None` when it does not start with an academic year.
fn years_back(period: &str, back: i32) -> Option<String> {
    let start: i32 = period.get(0..4)?.parse().ok()?;
    if period.get(4..5) != Some("-") {
        return None;
    }
    let end: i32 = period.get(5..7)?.parse().ok()?;
    let s = start - back;
    let e = (end - back).rem_euclid(100);
    Some(format!("{s}-{e:02}{}", period.get(7..).unwrap_or("")))
}

/// How many standard errors `value` lies from `reference` for a rate on `n` children.
fn z_score(value: f64, reference: f64, n: f64) -> Option<f64> {
    if !(0.0..100.0).contains(&reference) || reference <= 0.0 || n <= 0.0 {
        return None;
    }
    let se = (reference * (100.0 - reference) / n).sqrt();
    Some((value - reference) / se)
}

impl Rules {
    /// Parses the rules file's text; errs naming the file and what is wrong.
    pub fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let rules: Rules = toml::from_str(text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, r) in rules.rules.iter().enumerate() {
            let at = |what: &str| {
                format!(
                    "{}: rule {} (`{}`): {what}",
                    path.display(),
                    i + 1,
                    r.metric
                )
            };
            if !matches!(r.period.as_str(), "year" | "term") {
                return Err(at(&format!("period `{}`: expected year or term", r.period)));
            }
            if !matches!(r.compare.as_str(), "national" | "neighbours" | "authority") {
                return Err(at(&format!(
                    "compare `{}`: expected national, neighbours or authority",
                    r.compare
                )));
            }
            if !(r.threshold.is_finite() && r.threshold > 0.0) {
                return Err(at(&format!("threshold {}: expected above 0", r.threshold)));
            }
            if !(r.min_n.is_finite() && r.min_n >= 0.0) {
                return Err(at(&format!("min_n {}: expected 0 or more", r.min_n)));
            }
            if r.breakdowns.is_empty() {
                return Err(at("breakdowns: expected at least one"));
            }
        }
        Ok(rules)
    }

    /// The owner of a group in words: "Team East", "secondary phase", "the Virtual School".
    fn owner(&self, breakdown: &str, group: &str) -> String {
        match self.owners.get(breakdown) {
            Some(pattern) => pattern.replace("{group}", group),
            None if breakdown == "all" => "All children".to_string(),
            None => group.to_string(),
        }
    }

    /// Judges `figures` for the report's `term` and academic `year` against `refs`.
    pub fn judge(
        &self,
        figures: &[Observed],
        term: &str,
        year: &str,
        refs: &Comparators,
    ) -> Judgement {
        let find = |metric: &str, period: &str, breakdown: &str, group: &str| {
            figures.iter().find(|f| {
                f.metric == metric
                    && f.period == period
                    && f.breakdown == breakdown
                    && f.group == group
            })
        };
        let shown = |f: Option<&Observed>| f.filter(|f| f.shown).and_then(|f| f.value);
        let mut judgement = Judgement::default();
        for rule in &self.rules {
            // `cohort check` refuses a rule whose metric declares no direction.
            let Some(better) = refs.better.get(&rule.metric) else {
                continue;
            };
            let period = if rule.period == "year" { year } else { term };
            // A positive gap is worse: lower is worse where higher is better.
            let sign = -better.sign();
            let national = || {
                Comparators::latest(&refs.national, &rule.metric, year).map(|(v, y)| {
                    (
                        v,
                        format!("England's children in care ({})", period_label(&y)),
                    )
                })
            };
            let neighbours = || {
                Comparators::latest(&refs.neighbours, &rule.metric, year)
                    .map(|(v, y)| (v, format!("statistical neighbours ({})", period_label(&y))))
            };
            let fixed: Vec<(f64, String)> = match rule.compare.as_str() {
                "national" => national().into_iter().chain(neighbours()).collect(),
                "neighbours" => neighbours().into_iter().collect(),
                _ => Vec::new(),
            };
            for f in figures.iter().filter(|f| {
                f.metric == rule.metric
                    && f.period == period
                    && rule.breakdowns.contains(&f.breakdown)
            }) {
                // A suppressed figure is never judged: a flag would reveal which side it is.
                let Some(value) = shown(Some(f)) else {
                    continue;
                };
                let n = f.denominator.filter(|_| f.children);
                if n.is_some_and(|n| n < rule.min_n) {
                    continue;
                }
                let comparators = match rule.compare.as_str() {
                    "authority" if f.breakdown != "all" => {
                        match shown(find(&rule.metric, period, "all", "all")) {
                            Some(v) => vec![(v, "all pupils in care".to_string())],
                            None => continue,
                        }
                    }
                    _ => fixed.clone(),
                };
                // Judged against the first comparator it is beyond by the threshold.
                let Some(k) = comparators
                    .iter()
                    .position(|(r, _)| (value - r).abs() >= rule.threshold)
                else {
                    continue;
                };
                let (reference, against) = &comparators[k];
                let gap = sign * (value - reference);
                let worse = gap > 0.0;
                // Beyond the other comparator too, on the same side.
                let also = comparators.iter().enumerate().find(|(i, (r, _))| {
                    *i != k
                        && (value - r).abs() >= rule.threshold
                        && (sign * (value - r) > 0.0) == worse
                });
                // The interval is a share's on its children: none for a mean or a score.
                let outside = n
                    .filter(|_| f.unit == Unit::Percent)
                    .and_then(|n| z_score(value, *reference, n))
                    .is_some_and(|z| sign * z * if worse { 1.0 } else { -1.0 } >= 1.96);
                let before: Vec<f64> = (1..=2)
                    .filter_map(|k| years_back(period, k))
                    .filter_map(|p| shown(find(&f.metric, &p, &f.breakdown, &f.group)))
                    .collect();
                let trend = before.len() == 2
                    && before.iter().all(|b| {
                        if worse {
                            sign * (value - b) > 0.0
                        } else {
                            sign * (value - b) < 0.0
                        }
                    });
                let score = gap.abs() / rule.threshold
                    + f64::from(u8::from(also.is_some()))
                    + f64::from(u8::from(outside))
                    + f64::from(u8::from(trend));
                let against = match also {
                    Some((_, (r, other))) => format!(
                        "{} for {against} and {} for {other}",
                        format_number(*reference, f.unit),
                        format_number(*r, f.unit)
                    ),
                    None => format!("{} for {against}", format_number(*reference, f.unit)),
                };
                let sentence = sentence(self, rule, f, value, &against, gap, outside, trend);
                let flag = Flag {
                    score,
                    sentence,
                    anchor: slug(&rule.section),
                };
                if worse {
                    judgement.attention.push(flag);
                } else {
                    judgement.well.push(flag);
                }
            }
        }
        for list in [&mut judgement.attention, &mut judgement.well] {
            list.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.sentence.cmp(&b.sentence))
            });
        }
        judgement.attention.truncate(MOST_FLAGS);
        judgement.well.truncate(MOST_WELL);
        judgement
    }

    /// What is wrong with the rules against the project's analyses: a metric no analysis
    /// declares, or one with no `better` (which way is better is the metric's own).
    fn problems(&self, path: &Path, analyses: &[Analysis]) -> Vec<String> {
        let better = Comparators::directions(analyses);
        let mut out = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let declared = analyses
                .iter()
                .flat_map(|a| &a.meta.metrics)
                .any(|m| m.id == r.metric);
            let at = format!("{}: rule {} (`{}`)", path.display(), i + 1, r.metric);
            if !declared {
                out.push(format!(
                    "{at}: metric `{}`: no analysis declares it",
                    r.metric
                ));
            } else if !better.contains_key(&r.metric) {
                out.push(format!(
                    "{at}: metric `{}` declares no `better = \"higher\"` or `\"lower\"` in its front matter, so no figure of it can be called worse",
                    r.metric
                ));
            }
        }
        out
    }
}

/// One flag's sentence: owner, what, figure with its n, period, comparator, how far off.
#[allow(clippy::too_many_arguments)]
fn sentence(
    rules: &Rules,
    rule: &Rule,
    f: &Observed,
    value: f64,
    against: &str,
    gap: f64,
    outside: bool,
    trend: bool,
) -> String {
    let n = match (f.denominator, f.children) {
        (Some(d), true) if f.unit == Unit::Percent => format!(" {}", base_note(f.numerator, d)),
        (Some(d), true) => format!(" ({} pupils)", format_number(d, Unit::Count)),
        (Some(d), false) => format!(" (on {} sessions)", format_number(d, Unit::Count)),
        (None, _) => String::new(),
    };
    let size = if f.unit == Unit::Percent {
        format!("{:.1} points", gap.abs())
    } else {
        format_number(gap.abs(), f.unit)
    };
    let way = if gap > 0.0 { "worse" } else { "better" };
    let mut why = vec![format!("{size} {way}")];
    if outside {
        why.push("outside the 95% interval".into());
    }
    if trend {
        why.push(format!("{way} than each of the two years before"));
    }
    let owner = rules.owner(&f.breakdown, &f.group);
    let mut chars = owner.chars();
    let owner: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!(
        "{owner}: {} {}{n} in {}, against {against} ({}).",
        rule.label,
        format_number(value, f.unit),
        period_label(&f.period),
        why.join(", ")
    )
}

/// The report's disclosed figures as the rules read them.
fn observed(data: &ReportData) -> Vec<Observed> {
    data.metrics
        .iter()
        .map(|m| {
            let children = metric_counts_children(data, &m.row.metric);
            Observed {
                metric: m.row.metric.clone(),
                period: m.row.time_period.clone(),
                breakdown: m.row.breakdown.clone(),
                group: m.row.group.clone(),
                value: m.row.value.filter(|_| !m.value_suppressed),
                numerator: m.row.numerator.filter(|_| !m.numerator_suppressed),
                denominator: m.row.denominator.filter(|_| !m.denominator_suppressed),
                unit: m.row.unit,
                children,
                shown: !m.value_suppressed,
            }
        })
        .collect()
}

/// Every figure for children looked after 12 months in column `value` of reference analysis
/// `id` (`measure`, `academic_year`, `cohort`): DfE's national figures or the neighbours'.
fn reference_figures(data: &ReportData, id: &str, value: &str) -> Vec<(String, String, f64)> {
    let Some(run) = data.run.result(id) else {
        return Vec::new();
    };
    let table = &run.result;
    let col = |n: &str| table.column_index(n);
    let (Some(m), Some(y), Some(c), Some(v)) = (
        col("measure"),
        col("academic_year"),
        col("cohort"),
        col(value),
    ) else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .filter(|r| r[c].to_string() == "cla_12m")
        .filter_map(|r| Some((r[m].to_string(), r[y].to_string(), r[v].as_f64()?)))
        .collect()
}

/// What the rules compare a report's figures with.
fn comparators(data: &ReportData) -> Comparators {
    Comparators {
        national: reference_figures(data, NATIONAL, "value"),
        neighbours: reference_figures(data, NEIGHBOURS, "neighbours_mean"),
        better: Comparators::directions(&data.analyses),
    }
}

/// The judgement as Markdown: the flags as a numbered list, each linking to its section,
/// and what went well.
fn markdown(j: &Judgement) -> String {
    let item = |f: &Flag| format!("[{}](#{})", escape(&f.sentence), f.anchor);
    let mut out = String::from("## What needs attention\n\n");
    if j.attention.is_empty() {
        out.push_str("No figure is beyond its comparator by the margins the rules set.\n\n");
    }
    for (i, f) in j.attention.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, item(f)));
    }
    out.push_str("\n### What went well\n\n");
    if j.well.is_empty() {
        out.push_str("No figure is better than its comparator by the margins the rules set.\n");
    }
    for f in &j.well {
        out.push_str(&format!("- {}\n", item(f)));
    }
    out.push('\n');
    out
}

/// Registers `attention()`, reading its rules from `dir/attention.toml`.
pub(super) fn register(env: &mut Environment<'static>, data: Arc<ReportData>, dir: PathBuf) {
    env.add_function("attention", move || {
        let path = dir.join(RULES_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| invalid(format!("attention(): cannot read {}: {e}", path.display())))?;
        let rules = Rules::parse(&path, &text).map_err(invalid)?;
        for r in &rules.rules {
            require_metric(&data, &r.metric)?;
        }
        let judgement = rules.judge(
            &observed(&data),
            &data.run.term.to_string(),
            &data.academic_year,
            &comparators(&data),
        );
        Ok::<_, Error>(JValue::from_safe_string(markdown(&judgement)))
    });
}

/// `cohort check` on the rules in the templates folder `dir`: the file reads, each rule's
/// values are valid, its metric is declared with a direction, and its section is a heading
/// of every template that calls `attention()`. Each problem names the file, rule and value.
pub fn check(dir: &Path, analyses: &[Analysis]) -> Vec<String> {
    let path = dir.join(RULES_FILE);
    let callers: Vec<(String, String)> = super::template::list(dir)
        .into_iter()
        .filter_map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.md"))).ok()?;
            text.contains("attention(").then_some((name, text))
        })
        .collect();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return callers
            .iter()
            .map(|(name, _)| {
                format!(
                    "{}: {name}.md calls attention(), whose rules file is missing",
                    path.display()
                )
            })
            .collect();
    };
    let rules = match Rules::parse(&path, &text) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut out = rules.problems(&path, analyses);
    for (name, body) in &callers {
        let headings: Vec<String> = body
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|h| slug(h.trim_start_matches('#').trim()))
            .collect();
        for (i, r) in rules.rules.iter().enumerate() {
            if !headings.contains(&slug(&r.section)) {
                out.push(format!(
                    "{}: rule {} (`{}`): section `{}`: {name}.md has no heading of that name for its flags to link to",
                    path.display(),
                    i + 1,
                    r.metric,
                    r.section
                ));
            }
        }
    }
    out
}

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
                unit: spec.unit.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(metric: &str, period: &str, b: &str, g: &str, k: f64, n: f64) -> Observed {
        Observed {
            metric: metric.into(),
            period: period.into(),
            breakdown: b.into(),
            group: g.into(),
            value: Some(100.0 * k / n),
            numerator: Some(k),
            denominator: Some(n),
            unit: Unit::Percent,
            children: true,
            shown: true,
        }
    }

    const RULES: &str = r#"
[owners]
sw_team = "{group}"
phase = "{group} phase"

[[rule]]
metric = "pa"
label = "Persistent absence"
period = "year"
breakdowns = ["all", "phase"]
compare = "national"
threshold = 2.0
section = "Attendance"

[[rule]]
metric = "pep"
label = "PEPs on time"
period = "term"
breakdowns = ["sw_team"]
compare = "authority"
threshold = 5.0
min_n = 10
section = "Personal Education Plans"
"#;

    #[test]
    fn flags_are_ranked_by_how_far_and_how_surely_they_are_off() {
        let rules = Rules::parse(Path::new("attention.toml"), RULES).unwrap();
        let pa = "pa";
        let mut figures = vec![
            // All: 54/225 = 24.0% vs national 20.0: gap 4.0 = 2 thresholds;
            // se = sqrt(20*80/225) = 2.667, z = 4/2.667 = 1.5: inside the interval.
            // Last years 22.0 and 21.0, both below 24.0: worse than both. Score 2+0+1 = 3.
            fig(pa, "2024-25", "all", "all", 54.0, 225.0),
            fig(pa, "2023-24", "all", "all", 22.0, 100.0),
            fig(pa, "2022-23", "all", "all", 21.0, 100.0),
            // Secondary: 39/130 = 30.0%: gap 10.0 = 5 thresholds; se = sqrt(1600/130)
            // = 3.508, z = 2.85 >= 1.96: outside. No earlier years. Score 5+1 = 6.
            fig(pa, "2024-25", "phase", "secondary", 39.0, 130.0),
            // Primary: 15/100 = 15.0%: 5.0 better, 2.5 thresholds; se = 4.0, z = -1.25:
            // inside. Went well, score 2.5.
            fig(pa, "2024-25", "phase", "primary", 15.0, 100.0),
            // PEPs this term: all 80/100 = 80%.
            fig("pep", "2024-25-summer", "all", "all", 80.0, 100.0),
            // Team East 30/50 = 60%: 20 worse = 4 thresholds; se = sqrt(80*20/50) = 5.657,
            // z = -3.54, outside. Score 4+1 = 5.
            fig("pep", "2024-25-summer", "sw_team", "Team East", 30.0, 50.0),
            // Team North 8/8 = 100%, but on 8 < min_n 10: not judged.
            fig("pep", "2024-25-summer", "sw_team", "Team North", 8.0, 8.0),
            // Team South 82/100 = 82%: 2 points, under the threshold of 5: no flag.
            fig(
                "pep",
                "2024-25-summer",
                "sw_team",
                "Team South",
                82.0,
                100.0,
            ),
        ];
        // A suppressed figure (CWD, really 1 of 20 = 5%) never raises a flag.
        let mut cwd = fig("pep", "2024-25-summer", "sw_team", "CWD", 1.0, 20.0);
        cwd.shown = false;
        cwd.value = None;
        figures.push(cwd);
        let refs = Comparators {
            national: vec![("pa".into(), "2024-25".into(), 20.0)],
            neighbours: Vec::new(),
            better: directions(),
        };
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs);
        let scores: Vec<f64> = j
            .attention
            .iter()
            .map(|f| (f.score * 100.0).round())
            .collect();
        assert_eq!(scores, vec![600.0, 500.0, 300.0]);
        assert!(
            j.attention[0]
                .sentence
                .starts_with("Secondary phase: Persistent absence 30.0%")
        );
        assert!(j.attention[0].sentence.contains("outside the 95% interval"));
        assert!(
            j.attention[1]
                .sentence
                .starts_with("Team East: PEPs on time 60.0%")
        );
        assert!(
            j.attention[1]
                .sentence
                .contains("against 80.0% for all pupils in care")
        );
        assert!(
            j.attention[2]
                .sentence
                .contains("worse than each of the two years before")
        );
        assert_eq!(j.attention[1].anchor, "personal-education-plans");
        assert_eq!(j.well.len(), 1);
        assert!(
            j.well[0]
                .sentence
                .starts_with("Primary phase: Persistent absence 15.0%")
        );
        assert!(j.well[0].sentence.contains("5.0 points better"));
        assert!(!markdown(&j).contains("CWD"));
    }

    /// Persistent absence: lower is better; PEPs on time: higher is.
    fn directions() -> BTreeMap<String, Better> {
        BTreeMap::from([
            ("pa".to_string(), Better::Lower),
            ("pep".to_string(), Better::Higher),
        ])
    }

    #[test]
    fn a_figure_beyond_the_neighbours_is_flagged_and_beyond_both_ranks_higher() {
        let rules = Rules::parse(Path::new("attention.toml"), RULES).unwrap();
        let refs = |national: f64, neighbours: f64| Comparators {
            national: vec![("pa".into(), "2024-25".into(), national)],
            neighbours: vec![("pa".into(), "2024-25".into(), neighbours)],
            better: directions(),
        };
        // Primary 15/100 = 15.0%, secondary 12/100 = 12.0%. No earlier years.
        let figures = vec![
            fig("pa", "2024-25", "phase", "primary", 15.0, 100.0),
            fig("pa", "2024-25", "phase", "secondary", 12.0, 100.0),
        ];
        // National 14.0, neighbours 12.0: primary is 1.0 above national (under the
        // threshold of 2) but 3.0 above neighbours: flagged against them, 3/2 = 1.5
        // thresholds; se = sqrt(12*88/100) = 3.25, z = 0.92: inside. Score 1.5.
        // Secondary: 2.0 below national (2.0 >= 2, so "better": 1 threshold), 0 from
        // neighbours. Went well, score 1.
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs(14.0, 12.0));
        assert_eq!(j.attention.len(), 1);
        assert!((j.attention[0].score - 1.5).abs() < 1e-9);
        assert!(
            j.attention[0]
                .sentence
                .contains("against 12.0% for statistical neighbours (2024/25) (3.0 points worse)"),
            "{}",
            j.attention[0].sentence
        );
        assert_eq!(j.well.len(), 1);
        assert!((j.well[0].score - 1.0).abs() < 1e-9);
        // National 10.0, neighbours 12.0: primary is 5.0 above national (2.5 thresholds)
        // and 3.0 above neighbours (beyond both, +1); se = sqrt(10*90/100) = 3.0, z = 1.67:
        // inside. Score 3.5, and the sentence names both.
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs(10.0, 12.0));
        assert!((j.attention[0].score - 3.5).abs() < 1e-9);
        assert!(
            j.attention[0].sentence.contains(
                "against 10.0% for England's children in care (2024/25) and 12.0% for statistical neighbours (2024/25)"
            ),
            "{}",
            j.attention[0].sentence
        );
    }

    #[test]
    fn a_bad_rule_is_an_error_naming_the_file_and_rule() {
        let text = RULES.replace("threshold = 5.0", "threshold = -5.0");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(
            e.contains("attention.toml: rule 2 (`pep`): threshold -5: expected above 0"),
            "{e}"
        );
        let text = RULES.replace("compare = \"authority\"", "compare = \"region\"");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(e.contains("rule 2 (`pep`): compare `region`"), "{e}");
        // An unknown field (the old `worse`, now the metric's own `better`) names itself.
        let text = RULES.replace("period = \"term\"", "period = \"term\"\nworse = \"lower\"");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(e.contains("attention.toml") && e.contains("worse"), "{e}");
    }

    #[test]
    fn the_shipped_rules_check_against_the_shipped_analyses_and_templates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let analyses = crate::analysis::load_all(&root.join("queries")).expect("queries/ reads");
        let dir = root.join("report-templates");
        assert_eq!(check(&dir, &analyses), Vec::<String>::new());
        // A metric no analysis declares, and one without a direction, are named.
        let text = std::fs::read_to_string(dir.join(RULES_FILE)).unwrap();
        let bad = text
            .replacen(
                "metric = \"peps.on_time_rate\"",
                "metric = \"peps.on_tme_rate\"",
                1,
            )
            .replacen(
                "metric = \"attendance.overall_absence_rate\"",
                "metric = \"roll.ehc_plan_rate\"",
                1,
            );
        let rules = Rules::parse(Path::new("attention.toml"), &bad).unwrap();
        let problems = rules.problems(Path::new("attention.toml"), &analyses);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("(`roll.ehc_plan_rate`)")
                && problems[0].contains("declares no `better")
        );
        assert!(problems[1].contains("metric `peps.on_tme_rate`: no analysis declares it"));
    }

    #[test]
    fn periods_go_back_whole_years() {
        assert_eq!(years_back("2024-25", 1).as_deref(), Some("2023-24"));
        assert_eq!(
            years_back("2024-25-summer", 2).as_deref(),
            Some("2022-23-summer")
        );
        assert_eq!(years_back("2000-01", 1).as_deref(), Some("1999-00"));
        assert_eq!(years_back("latest", 1), None);
    }
}
