//! "What needs attention": the template function `attention()`, which judges the report's
//! disclosed figures by rules an analyst edits (`attention.toml` beside the templates) and
//! writes the few flags worth acting on, ranked, with a short "what went well" beside them.
//!
//! A rule names a metric, the period it is judged over, the breakdowns whose groups are
//! judged, which way is worse, the comparator (DfE's national figure, or the authority's
//! own figure for the same period) and how far off counts. A flag's rank adds how far it is
//! off (in thresholds), whether it lies outside the comparator's 95% interval for its n, and
//! whether it is worse than the two years before. A suppressed figure is never judged.

use super::context::ReportData;
use super::document::slug;
use super::escape::escape;
use super::figures::{NATIONAL, base_note, metric_counts_children};
use super::format::format_number;
use super::lookups::{invalid, require_metric};
use super::words::period_label;
use crate::analysis::Unit;
use minijinja::value::Value as JValue;
use minijinja::{Environment, Error};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rules file's name, read from the templates folder.
pub(super) const RULES_FILE: &str = "attention.toml";

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
    /// `higher` when a higher figure is worse (absence), `lower` when lower is (PEPs on time).
    worse: String,
    /// `national` (DfE, children looked after 12 months) or `authority` (the same metric's
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

/// DfE's figure for a metric up to an academic year, with the year it is for.
type National<'a> = dyn Fn(&str, &str) -> Option<(f64, String)> + 'a;

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
            if !matches!(r.worse.as_str(), "higher" | "lower") {
                return Err(at(&format!(
                    "worse `{}`: expected higher or lower",
                    r.worse
                )));
            }
            if !matches!(r.compare.as_str(), "national" | "authority") {
                return Err(at(&format!(
                    "compare `{}`: expected national or authority",
                    r.compare
                )));
            }
            if !(r.threshold.is_finite() && r.threshold > 0.0) {
                return Err(at(&format!("threshold {}: expected above 0", r.threshold)));
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

    /// Judges `figures` for the report's `term` and academic `year`; `national` gives DfE's
    /// figure for a metric up to a year, with the year it is for.
    pub fn judge(
        &self,
        figures: &[Observed],
        term: &str,
        year: &str,
        national: &National<'_>,
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
            let period = if rule.period == "year" { year } else { term };
            let sign = if rule.worse == "higher" { 1.0 } else { -1.0 };
            let comparator = match rule.compare.as_str() {
                "national" => national(&rule.metric, year).map(|(v, y)| {
                    (
                        v,
                        format!("England's children in care ({})", period_label(&y)),
                    )
                }),
                _ => None,
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
                let (reference, against) = match (&comparator, rule.compare.as_str()) {
                    (Some(c), _) => c.clone(),
                    (None, "authority") if f.breakdown != "all" => {
                        match shown(find(&rule.metric, period, "all", "all")) {
                            Some(v) => (v, "all pupils in care".to_string()),
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                let gap = sign * (value - reference);
                if gap.abs() < rule.threshold {
                    continue;
                }
                let worse = gap > 0.0;
                let outside = n
                    .and_then(|n| z_score(value, reference, n))
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
                    + f64::from(u8::from(outside))
                    + f64::from(u8::from(trend));
                let sentence = sentence(
                    self, rule, f, value, reference, &against, gap, outside, trend,
                );
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
}

/// One flag's sentence: owner, what, figure with its n, period, comparator, how far off.
#[allow(clippy::too_many_arguments)]
fn sentence(
    rules: &Rules,
    rule: &Rule,
    f: &Observed,
    value: f64,
    reference: f64,
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
        "{owner}: {} {}{n} in {}, against {} for {against} ({}).",
        rule.label,
        format_number(value, f.unit),
        period_label(&f.period),
        format_number(reference, f.unit),
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

/// DfE's latest figure for children looked after 12 months up to `year`, with its year.
fn national_value(data: &ReportData, metric: &str, year: &str) -> Option<(f64, String)> {
    let table = &data.run.result(NATIONAL)?.result;
    let col = |n: &str| table.column_index(n);
    let (m, y, c, v) = (
        col("measure")?,
        col("academic_year")?,
        col("cohort")?,
        col("value")?,
    );
    table
        .rows
        .iter()
        .filter(|r| {
            r[m].to_string() == metric
                && r[c].to_string() == "cla_12m"
                && r[y].to_string().as_str() <= year
                && r[v].as_f64().is_some()
        })
        .max_by_key(|r| r[y].to_string())
        .and_then(|r| Some((r[v].as_f64()?, r[y].to_string())))
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
            &|m, y| national_value(&data, m, y),
        );
        Ok::<_, Error>(JValue::from_safe_string(markdown(&judgement)))
    });
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
worse = "higher"
compare = "national"
threshold = 2.0
section = "Attendance"

[[rule]]
metric = "pep"
label = "PEPs on time"
period = "term"
breakdowns = ["sw_team"]
worse = "lower"
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
        let national = |m: &str, _: &str| (m == "pa").then(|| (20.0, "2024-25".to_string()));
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &national);
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

    #[test]
    fn a_bad_rule_is_an_error_naming_the_file_and_rule() {
        let text = RULES.replace("worse = \"lower\"", "worse = \"down\"");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(
            e.contains("attention.toml: rule 2 (`pep`): worse `down`"),
            "{e}"
        );
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
