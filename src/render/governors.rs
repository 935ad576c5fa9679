//! The governors' first page: `year_charts([...], group=)`, one small year-on-year chart per
//! metric (our figure, England's children in care and the statistical neighbours' average,
//! each year DfE published one), each with one sentence saying whether the latest year is
//! better, worse or about the same as the year before, England and the neighbours.
//!
//! Which way is better is the metric's own `better` (its analysis's front matter), so the
//! sentence never asks a governor to know that lower absence is good. A difference within
//! its noise is "about the same": for a share of children, within the 95% interval of the
//! difference; for a figure whose counts give no interval (a rate over school sessions, an
//! average score), within the metric's declared `same_within`.

use super::blocks::not_drawn;
use super::chart::render_small;
use super::context::ReportData;
use super::document::{Block, Figure as ChartFigure, Inline};
use super::figures::{NATIONAL, NEIGHBOURS, counts_children, headline_of};
use super::format::format_number;
use super::lookups::{invalid, report_years, require_metric};
use super::words::{metric_label_in, period_label};
use crate::analysis::{Better, ChartKind, ChartSpec, MetricSpec};
use crate::run::{ResultTable, Value};
use minijinja::Error;

/// The section class that sets its charts three across, in HTML and in the PDF.
pub(super) const SMALL_CHARTS: &str = "small-charts";

/// A difference under this, without an interval or a declared `same_within`, is one that
/// prints as no difference at one decimal place.
const PRINTED: f64 = 0.05;

/// How a figure compares with another, for a reader who need not know which way is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Better,
    Worse,
    Same,
}

/// Which way `now` lies from `then` when `better` is good, calling a difference of `margin`
/// or less (its noise) the same.
pub(super) fn verdict(now: f64, then: f64, better: Better, margin: f64) -> Verdict {
    let d = better.sign() * (now - then);
    if d.abs() <= margin {
        Verdict::Same
    } else if d > 0.0 {
        Verdict::Better
    } else {
        Verdict::Worse
    }
}

/// One year's figure as the wording reads it: its value (none when suppressed) and, for a
/// share of children, how many children it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub value: Option<f64>,
    pub children: Option<f64>,
}

/// The variance of a share `p` (in %) of `n` children, in points squared.
fn variance(p: f64, n: f64) -> f64 {
    (p * (100.0 - p) / n).max(0.0)
}

/// The noise within which two years' figures are "about the same": for shares of children
/// the half-width of the 95% interval of their difference, 1.96 × √(p₁(100−p₁)/n₁ +
/// p₂(100−p₂)/n₂); else `same_within`, else what prints as no difference.
pub(super) fn margin_between(a: Point, b: Point, same_within: Option<f64>) -> f64 {
    match (a.value, a.children, b.value, b.children) {
        (Some(p1), Some(n1), Some(p2), Some(n2)) if n1 > 0.0 && n2 > 0.0 => {
            1.96 * (variance(p1, n1) + variance(p2, n2)).sqrt()
        }
        _ => same_within.unwrap_or(PRINTED),
    }
}

/// The noise within which a figure is "about the same" as a published figure `reference`
/// (England's, the neighbours', whose own noise is small beside ours): for a share of
/// children 1.96 × √(r(100−r)/n); else `same_within`, else what prints as no difference.
pub(super) fn margin_against(a: Point, reference: f64, same_within: Option<f64>) -> f64 {
    match a.children {
        Some(n) if n > 0.0 => 1.96 * variance(reference, n).sqrt(),
        _ => same_within.unwrap_or(PRINTED),
    }
}

/// The verb of a verdict: "better than", "worse than", "about the same as".
fn verb(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "better than",
        Verdict::Worse => "worse than",
        Verdict::Same => "about the same as",
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The comparisons as one clause per verdict, in the order each verdict first comes:
/// "worse than the year before (16.8%) and England's children in care (9.0%); about the same
/// as similar authorities (8.8%)".
fn clauses(comparisons: &[(Verdict, String)]) -> String {
    let mut groups: Vec<(Verdict, Vec<String>)> = Vec::new();
    for (v, what) in comparisons {
        match groups.iter_mut().find(|(g, _)| g == v) {
            Some((_, list)) => list.push(what.clone()),
            None => groups.push((*v, vec![what.clone()])),
        }
    }
    groups
        .iter()
        .map(|(v, list)| format!("{} {}", verb(*v), and_list(list)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A published figure to compare with: its value and the year it is for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Published {
    pub value: f64,
    pub year: String,
}

/// What one chart's sentence says, worked out from its figures.
pub(super) struct Wording<'a> {
    pub spec: &'a MetricSpec,
    pub better: Better,
    /// The report's academic year.
    pub year: &'a str,
    pub now: Point,
    /// The figure as printed, with its n when the base is small ("52.9% (9 of 17)").
    pub now_text: String,
    pub before: Point,
    pub england: Option<Published>,
    pub neighbours: Option<Published>,
}

impl Wording<'_> {
    /// A published figure as the sentence names it, with its year when not ours:
    /// "England's children in care in 2023/24 (9.0%)".
    fn published(&self, p: &Published, whose: &str) -> String {
        let figure = format_number(p.value, self.spec.unit);
        if p.year == self.year {
            format!("{whose} ({figure})")
        } else {
            format!("{whose} in {} ({figure})", period_label(&p.year))
        }
    }

    /// The sentence: "21.3% in 2024/25: worse than the year before (16.8%); about the same as
    /// England's children in care (20.3%) and similar authorities (21.1%)."
    pub fn sentence(&self) -> String {
        let year = period_label(self.year);
        let Some(now) = self.now.value else {
            return format!(
                "No figure to show for {year}: too few children to publish, or none yet."
            );
        };
        let within = self.spec.same_within;
        let mut comparisons = Vec::new();
        if let Some(b) = self.before.value {
            let margin = margin_between(self.now, self.before, within);
            comparisons.push((
                verdict(now, b, self.better, margin),
                format!("the year before ({})", format_number(b, self.spec.unit)),
            ));
        }
        for (p, whose) in [
            (&self.england, "England's children in care"),
            (&self.neighbours, "similar authorities"),
        ] {
            if let Some(p) = p {
                let margin = margin_against(self.now, p.value, within);
                comparisons.push((
                    verdict(now, p.value, self.better, margin),
                    self.published(p, whose),
                ));
            }
        }
        let mut said = clauses(&comparisons);
        if self.before.value.is_none() {
            let none = "no figure for the year before to compare with";
            said = if said.is_empty() {
                none.to_string()
            } else {
                format!("{said}; {none}")
            };
        }
        format!("{} in {year}: {said}.", self.now_text)
    }
}

/// The metric's declaration (the first analysis that declares it).
fn metric_spec<'a>(data: &'a ReportData, id: &str) -> Option<&'a MetricSpec> {
    data.analyses
        .iter()
        .flat_map(|a| &a.meta.metrics)
        .find(|m| m.id == id)
}

/// One year's disclosed figure for a group (`all`, or e.g. `OC2 cohort`).
fn point(data: &ReportData, spec: &MetricSpec, year: &str, group: &str) -> Point {
    let row = data.metrics.iter().find(|m| {
        m.row.metric == spec.id
            && m.row.time_period == year
            && m.row.group == group
            && (group != "all" || m.row.breakdown == "all")
    });
    let Some(m) = row.filter(|m| !m.value_suppressed) else {
        return Point {
            value: None,
            children: None,
        };
    };
    let share = spec.unit == crate::analysis::Unit::Percent
        && spec.denominator.as_deref().is_some_and(counts_children)
        && !m.denominator_suppressed;
    Point {
        value: m.row.value,
        children: m.row.denominator.filter(|_| share),
    }
}

/// Figures for children looked after 12 months from a reference analysis, by year.
fn published(data: &ReportData, analysis: &str, column: &str, id: &str) -> Vec<Published> {
    let Some(run) = data.run.result(analysis) else {
        return Vec::new();
    };
    let t = &run.result;
    let col = |n: &str| t.column_index(n);
    let (Some(m), Some(y), Some(c), Some(v)) = (
        col("measure"),
        col("academic_year"),
        col("cohort"),
        col(column),
    ) else {
        return Vec::new();
    };
    t.rows
        .iter()
        .filter(|r| r[m].to_string() == id && r[c].to_string() == "cla_12m")
        .filter_map(|r| {
            Some(Published {
                value: r[v].as_f64()?,
                year: r[y].to_string(),
            })
        })
        .collect()
}

/// The latest published figure up to `year`.
fn latest(list: &[Published], year: &str) -> Option<Published> {
    list.iter()
        .filter(|p| p.year.as_str() <= year)
        .max_by(|a, b| a.year.cmp(&b.year))
        .cloned()
}

/// A cell of the chart's table: the figure, a gap when suppressed or missing.
fn cell(p: Point, suppressed: bool) -> Value {
    match p.value {
        Some(v) => Value::Float(v),
        None if suppressed => Value::Suppressed,
        None => Value::Null,
    }
}

/// `year_charts([...], group=)`: a small chart per metric over up to five academic years to
/// the report's, three across, each with its sentence; a metric whose every year of ours is
/// suppressed is one sentence saying so, not an empty frame.
pub(super) fn year_charts_block(
    data: &ReportData,
    ids: &[String],
    group: &str,
) -> Result<Block, Error> {
    let years = report_years(data)?;
    let this_year = data.academic_year.clone();
    // A figure per metric, or a sentence where there is nothing of ours to draw.
    let mut charts = Vec::new();
    for id in ids {
        require_metric(data, id)?;
        let spec = metric_spec(data, id)
            .ok_or_else(|| invalid(format!("year_charts(): no analysis declares `{id}`")))?;
        let better = spec.better.ok_or_else(|| {
            invalid(format!(
                "year_charts(): metric `{id}` declares no `better = \"higher\"` or `\"lower\"`, so its sentence cannot say better or worse"
            ))
        })?;
        let shown: Vec<&String> = years
            .iter()
            .filter(|y| headline_of(data, id, y, group).is_some())
            .collect();
        let Some(first) = shown.first() else {
            continue;
        };
        let span: Vec<&String> = years.iter().filter(|y| y >= first).collect();
        let england = published(data, NATIONAL, "value", id);
        let neighbours = published(data, NEIGHBOURS, "neighbours_mean", id);
        let label = metric_label_in(&data.analyses, id);
        let ours = "Ours".to_string();
        let mut columns = vec!["Year".to_string(), ours.clone()];
        let mut comparators = Vec::new();
        let at = |list: &[Published], y: &str| {
            list.iter()
                .find(|p| p.year == y)
                .map_or(Value::Null, |p| Value::Float(p.value))
        };
        let has = |list: &[Published]| list.iter().any(|p| span.iter().any(|y| **y == p.year));
        for (list, name) in [(&england, "England"), (&neighbours, "Similar authorities")] {
            if has(list) {
                columns.push(name.to_string());
                comparators.push(name.to_string());
            }
        }
        let rows = span
            .iter()
            .map(|y| {
                let figure = headline_of(data, id, y, group);
                let suppressed = figure.as_ref().is_some_and(|f| !f.shown);
                let mut row = vec![
                    Value::Text(period_label(y)),
                    cell(point(data, spec, y, group), suppressed),
                ];
                if has(&england) {
                    row.push(at(&england, y));
                }
                if has(&neighbours) {
                    row.push(at(&neighbours, y));
                }
                row
            })
            .collect();
        let direction = match better {
            Better::Higher => "higher is better",
            Better::Lower => "lower is better",
        };
        let chart = ChartSpec {
            name: None,
            kind: ChartKind::Line,
            title: format!("{label}: {direction}"),
            x: "Year".into(),
            y: vec![ours],
            series: None,
            panels: None,
            comparators,
            y_label: if spec.unit == crate::analysis::Unit::Percent {
                "%".into()
            } else {
                "Score".into()
            },
            x_label: None,
            unit: spec.unit,
            forest: None,
        };
        let table = ResultTable { columns, rows };
        let drawn = render_small(&chart, &table)
            .map_err(|e| invalid(format!("year_charts(): chart of `{id}`: {e}")))?;
        if !drawn.drawn {
            // Every year of ours suppressed: a frame of England's line alone would read as
            // ours missing for no reason; one sentence says why instead.
            charts.push(not_drawn(&chart.title, &drawn.summary));
            continue;
        }
        let before = years_before(&this_year);
        let now_figure = headline_of(data, id, &this_year, group);
        let wording = Wording {
            spec,
            better,
            year: &this_year,
            now: point(data, spec, &this_year, group),
            now_text: now_figure
                .filter(|f| f.shown)
                .map(|f| f.text())
                .unwrap_or_default(),
            before: before
                .as_deref()
                .map(|b| point(data, spec, b, group))
                .unwrap_or(Point {
                    value: None,
                    children: None,
                }),
            england: latest(&england, &this_year),
            neighbours: latest(&neighbours, &this_year),
        };
        charts.push(Block::Figure(Box::new(ChartFigure {
            id: format!("year-chart-{}", id.replace(['.', '_'], "-")),
            title: chart.title.clone(),
            summary: wording.sentence(),
            svg: drawn.inline_svg(),
            data: None,
        })));
    }
    if charts.is_empty() {
        return Ok(Block::Paragraph(vec![Inline::Text(format!(
            "No figures yet for these measures for an academic year up to {}.",
            period_label(&data.academic_year)
        ))]));
    }
    Ok(Block::Section {
        class: SMALL_CHARTS.into(),
        id: None,
        blocks: charts,
    })
}

/// The academic year before `year` (`2024-25` → `2023-24`).
fn years_before(year: &str) -> Option<String> {
    let start: i32 = year.get(0..4)?.parse().ok()?;
    Some(format!("{}-{:02}", start - 1, start.rem_euclid(100)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(p: f64, n: f64) -> Point {
        Point {
            value: Some(p),
            children: Some(n),
        }
    }

    #[test]
    fn a_difference_within_its_interval_is_about_the_same() {
        // Persistent absence (lower is better) 21.3% of 178 against 16.8% of 179 the year
        // before: 4.5 points up. Margin 1.96 × √(21.3 × 78.7 / 178 + 16.8 × 83.2 / 179)
        // = 1.96 × √(9.418 + 7.809) = 1.96 × 4.151 = 8.14: 4.5 is within it, the same.
        let (now, before) = (share(21.3, 178.0), share(16.8, 179.0));
        let m = margin_between(now, before, None);
        assert!((m - 8.136).abs() < 0.01, "{m}");
        assert_eq!(verdict(21.3, 16.8, Better::Lower, m), Verdict::Same);
        // 30.0% of 400 against 16.8% of 400: margin 1.96 × √(30 × 70 / 400 + 16.8 × 83.2 /
        // 400) = 1.96 × √(5.25 + 3.494) = 1.96 × 2.957 = 5.80; 13.2 points up is beyond it,
        // and up is worse for absence, better for reaching the expected standard.
        let m = margin_between(share(30.0, 400.0), share(16.8, 400.0), None);
        assert!((m - 5.796).abs() < 0.01, "{m}");
        assert_eq!(verdict(30.0, 16.8, Better::Lower, m), Verdict::Worse);
        assert_eq!(verdict(30.0, 16.8, Better::Higher, m), Verdict::Better);
    }

    #[test]
    fn against_a_published_figure_the_noise_is_ours_alone() {
        // 50.0% of 14 children (KS2, higher is better) against England's 35%: margin
        // 1.96 × √(35 × 65 / 14) = 1.96 × 12.75 = 24.98; 15 points is within it.
        let m = margin_against(share(50.0, 14.0), 35.0, None);
        assert!((m - 24.99).abs() < 0.01, "{m}");
        assert_eq!(verdict(50.0, 35.0, Better::Higher, m), Verdict::Same);
        // On 400 children: 1.96 × √(35 × 65 / 400) = 1.96 × 2.385 = 4.67; 15 is beyond it.
        let m = margin_against(share(50.0, 400.0), 35.0, None);
        assert!((m - 4.675).abs() < 0.01, "{m}");
        assert_eq!(verdict(50.0, 35.0, Better::Higher, m), Verdict::Better);
        // A rate over sessions or a score: the metric's same_within (1.0), else 0.05.
        let sessions = Point {
            value: Some(9.2),
            children: None,
        };
        assert_eq!(margin_against(sessions, 9.0, Some(1.0)), 1.0);
        assert_eq!(margin_against(sessions, 9.0, None), 0.05);
        // 9.2 against 9.0 within 1.0: the same; 26.8 against 21.1 beyond 5.0: better.
        assert_eq!(verdict(9.2, 9.0, Better::Lower, 1.0), Verdict::Same);
        assert_eq!(verdict(26.8, 21.1, Better::Higher, 5.0), Verdict::Better);
    }

    fn spec(unit: &str, better: &str, within: &str) -> MetricSpec {
        toml::from_str(&format!(
            "id = \"a.b\"\nvalue = \"v\"\ntime_period = \"academic_year\"\nunit = \"{unit}\"\nbetter = \"{better}\"\n{within}"
        ))
        .expect("a metric declaration")
    }

    #[test]
    fn the_sentence_says_better_or_worse_in_words_and_names_an_older_year() {
        let absence = spec("percent", "lower", "same_within = 1.0");
        // Overall absence over sessions (no children n): 11.2% against 9.0% the year before,
        // 2.2 up beyond 1.0: worse. England 9.0% in 2023/24 (DfE's latest): 2.2 above,
        // worse. Neighbours 10.6% for 2024/25: 0.6, within 1.0: the same.
        let sessions = |v: f64| Point {
            value: Some(v),
            children: None,
        };
        let w = Wording {
            spec: &absence,
            better: Better::Lower,
            year: "2024-25",
            now: sessions(11.2),
            now_text: "11.2%".into(),
            before: sessions(9.0),
            england: Some(Published {
                value: 9.0,
                year: "2023-24".into(),
            }),
            neighbours: Some(Published {
                value: 10.6,
                year: "2024-25".into(),
            }),
        };
        assert_eq!(
            w.sentence(),
            "11.2% in 2024/25: worse than the year before (9.0%) and England's children in care in 2023/24 (9.0%); about the same as similar authorities (10.6%)."
        );
        // No year before, and only England to compare with: 11.2 against 11.0, within 1.0.
        let alone = Wording {
            before: Point {
                value: None,
                children: None,
            },
            england: Some(Published {
                value: 11.0,
                year: "2024-25".into(),
            }),
            neighbours: None,
            ..w
        };
        assert_eq!(
            alone.sentence(),
            "11.2% in 2024/25: about the same as England's children in care (11.0%); no figure for the year before to compare with."
        );
        // A suppressed year says so and judges nothing.
        let hidden = Wording {
            now: Point {
                value: None,
                children: None,
            },
            ..alone
        };
        assert!(
            hidden
                .sentence()
                .starts_with("No figure to show for 2024/25")
        );
    }
}
