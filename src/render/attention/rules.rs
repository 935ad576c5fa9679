//! The rules and their judgement: the rules file's types and checks, how a figure is judged
//! against its comparators and ranked, and the sentence written about it.

use crate::analysis::{Analysis, Better, Unit};
use crate::render::document::slug;
use crate::render::figures::base_note;
use crate::render::format::format_number;
use crate::render::words::period_label;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// At most this many flags, and this many things that went well.
pub(super) const MOST_FLAGS: usize = 8;
pub(super) const MOST_WELL: usize = 4;

/// The rules file: how each breakdown's owner is named and the rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rules {
    /// Breakdown → how its owner reads, `{group}` standing for the group ("{group} phase").
    #[serde(default)]
    pub(super) owners: BTreeMap<String, String>,
    #[serde(default, rename = "rule")]
    pub(super) rules: Vec<Rule>,
}

/// One rule: which figures it judges, against what, and how far off raises a flag.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rule {
    pub(super) metric: String,
    /// What the figure measures, in words ("Persistent absence").
    pub(super) label: String,
    /// `year` (the report's academic year) or `term` (the report's term).
    pub(super) period: String,
    /// The breakdowns whose groups are judged (`all` is the authority as a whole).
    pub(super) breakdowns: Vec<String>,
    /// `national` (DfE, children looked after 12 months, with the statistical neighbours
    /// beside it), `neighbours` (their average alone) or `authority` (the same metric's
    /// figure for all children in the same period).
    pub(super) compare: String,
    /// How far beyond the comparator raises a flag (points for a rate, else the unit's own).
    pub(super) threshold: f64,
    /// Groups resting on fewer than this many children are not judged.
    #[serde(default)]
    pub(super) min_n: f64,
    /// The heading of the section the flag links to.
    pub(super) section: String,
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
    pub(super) fn directions(analyses: &[Analysis]) -> BTreeMap<String, Better> {
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
pub(super) fn years_back(period: &str, back: i32) -> Option<String> {
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
pub(super) fn z_score(value: f64, reference: f64, n: f64) -> Option<f64> {
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
    pub(super) fn problems(&self, path: &Path, analyses: &[Analysis]) -> Vec<String> {
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
