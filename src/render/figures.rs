//! Figures as a template reads them: one typed [`Figure`] read from the disclosed metrics
//! (value, unit, whether shown), how two figures moved, and one reader of the reference
//! tables (DfE's national figures, the statistical neighbours).

use super::context::ReportData;
use super::format::{format_number, format_value};
use super::words::period_label;
use crate::analysis::Unit;
use crate::disclosure::DisclosedMetric;
use crate::run::{ResultTable, Value};

/// A metric's figure as disclosed: its value and unit, and whether this report's audience
/// may see it (`shown` false: suppressed, and the value is not there).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Figure {
    pub value: f64,
    pub unit: Unit,
    pub shown: bool,
    /// What a rate rests on when that is fewer than [`SMALL_BASE`] (its numerator, when
    /// shown, and its denominator): printed beside it, "52.9% (9 of 17)".
    pub base: Option<(Option<f64>, f64)>,
}

/// A rate resting on fewer than this many (children, PEPs, ...) shows its n beside it.
pub(super) const SMALL_BASE: f64 = 30.0;

/// Whether a rate's denominator column counts children (pupils, PEPs, young people) rather
/// than school sessions: an absence rate's base is sessions, and its n would mislead.
pub(super) fn counts_children(denominator: &str) -> bool {
    !denominator.contains("session")
}

/// Whether metric `id`'s denominator counts children, as the analysis declaring it says
/// (a metric without a denominator counts children).
pub(super) fn metric_counts_children(data: &ReportData, id: &str) -> bool {
    data.analyses
        .iter()
        .flat_map(|a| &a.meta.metrics)
        .find(|s| s.id == id)
        .and_then(|s| s.denominator.as_deref())
        .is_none_or(counts_children)
}

/// The n printed beside a rate on a small base: "(9 of 17)", or "(of 17)" without its
/// numerator.
pub(super) fn base_note(numerator: Option<f64>, denominator: f64) -> String {
    match numerator {
        Some(k) => format!(
            "({} of {})",
            format_number(k, Unit::Count),
            format_number(denominator, Unit::Count)
        ),
        None => format!("(of {})", format_number(denominator, Unit::Count)),
    }
}

impl Figure {
    /// A disclosed metric row's figure; `None` when the row has no value.
    /// `children` says whether the metric's denominator counts children (not sessions).
    fn of(m: &DisclosedMetric, children: bool) -> Option<Figure> {
        if m.value_suppressed {
            Some(Figure {
                value: 0.0,
                unit: m.row.unit,
                shown: false,
                base: None,
            })
        } else {
            let base = m
                .row
                .denominator
                .filter(|d| {
                    m.row.unit == Unit::Percent
                        && children
                        && !m.denominator_suppressed
                        && *d > 0.0
                        && *d < SMALL_BASE
                })
                .map(|d| (m.row.numerator.filter(|_| !m.numerator_suppressed), d));
            m.row.value.map(|value| Figure {
                value,
                unit: m.row.unit,
                shown: true,
                base,
            })
        }
    }

    /// The figure as printed: formatted by its unit, with its n when the base is small.
    pub fn text(&self) -> String {
        let figure = format_number(self.value, self.unit);
        match self.base {
            Some((k, n)) => format!("{figure} {}", base_note(k, n)),
            None => figure,
        }
    }
}

/// The figure of one metric row: the first with this id, period and group, and with this
/// breakdown when one is given. Every figure a template shows is read here.
pub(super) fn metric_figure(
    data: &ReportData,
    id: &str,
    period: &str,
    group: &str,
    breakdown: Option<&str>,
) -> Option<Figure> {
    data.metrics
        .iter()
        .find(|m| {
            let m = &m.row;
            m.metric == id
                && m.time_period == period
                && m.group == group
                && breakdown.is_none_or(|b| m.breakdown == b)
        })
        .and_then(|m| Figure::of(m, metric_counts_children(data, &m.row.metric)))
}

/// A metric's headline figure (breakdown and group `all`) for one period, as disclosed.
pub(super) fn headline(data: &ReportData, id: &str, period: &str) -> Option<Figure> {
    metric_figure(data, id, period, "all", Some("all"))
}

/// A metric's figure for one group (`all`: breakdown and group `all`; else the group of
/// whichever breakdown has it, e.g. `OC2 cohort`) for one period.
pub(super) fn headline_of(
    data: &ReportData,
    id: &str,
    period: &str,
    group: &str,
) -> Option<Figure> {
    if group == "all" {
        return headline(data, id, period);
    }
    metric_figure(data, id, period, group, None)
}

/// A headline cell: the figure, `c` when suppressed, a dash when there is none.
pub(super) fn show(f: &Option<Figure>) -> String {
    match f {
        Some(f) if f.shown => f.text(),
        Some(_) => crate::run::value::SUPPRESSED.to_string(),
        None => "–".to_string(),
    }
}

/// How a figure moved between two periods, before it is put into words: `Up` and `Down`
/// carry the size, percentages in `points` (the caller's word for percentage points).
enum Movement {
    Suppressed,
    Missing,
    Same,
    Up(String),
    Down(String),
}

/// The small base a change rests on (the later figure's, or the earlier's), as words.
fn small_base(from: &Option<Figure>, to: &Option<Figure>) -> Option<f64> {
    let n = |f: &Option<Figure>| f.as_ref().and_then(|f| f.base).map(|(_, n)| n);
    n(to).or_else(|| n(from))
}

fn movement(from: &Option<Figure>, to: &Option<Figure>, points: &str) -> Movement {
    match (from, to) {
        (Some(f), _) if !f.shown => Movement::Suppressed,
        (_, Some(f)) if !f.shown => Movement::Suppressed,
        (Some(a), Some(b)) => {
            let d = b.value - a.value;
            let size = if a.unit == Unit::Percent {
                format!("{:.1} {points}", d.abs())
            } else {
                format_number(d.abs(), a.unit)
            };
            if d.abs() < 0.05 {
                Movement::Same
            } else if d > 0.0 {
                Movement::Up(size)
            } else {
                Movement::Down(size)
            }
        }
        _ => Movement::Missing,
    }
}

/// A change in a table cell: "up 1.2 pts", "no change", `c` when either side is suppressed.
pub(super) fn short_change(from: &Option<Figure>, to: &Option<Figure>) -> String {
    let on = small_base(from, to)
        .map(|n| format!(" (on {})", format_number(n, Unit::Count)))
        .unwrap_or_default();
    match movement(from, to, "pts") {
        Movement::Suppressed => crate::run::value::SUPPRESSED.to_string(),
        Movement::Missing => "–".to_string(),
        Movement::Same => format!("no change{on}"),
        Movement::Up(size) => format!("up {size}{on}"),
        Movement::Down(size) => format!("down {size}{on}"),
    }
}

/// A change in a sentence: "up 1.2 percentage points", "unchanged", or why there is none.
pub(super) fn change_text(from: Option<Figure>, to: Option<Figure>) -> String {
    // A change on a small base says so: a few children move a rate a long way.
    let on = small_base(&from, &to)
        .map(|n| format!(" (on a base of {})", format_number(n, Unit::Count)))
        .unwrap_or_default();
    match movement(&from, &to, "percentage points") {
        Movement::Suppressed => "not shown (a figure is suppressed)".to_string(),
        Movement::Missing => "not comparable (no figure for one of the periods)".to_string(),
        Movement::Same => format!("unchanged{on}"),
        Movement::Up(size) => format!("up {size}{on}"),
        Movement::Down(size) => format!("down {size}{on}"),
    }
}

/// A reference table (`measure`, `academic_year`, `cohort`, a value column and `unit`), as
/// the template functions read DfE's national figures and the statistical neighbours.
pub(super) struct Reference<'a> {
    table: &'a ResultTable,
    measure: usize,
    year: usize,
    cohort: usize,
    value: usize,
    unit: usize,
}

impl<'a> Reference<'a> {
    /// Reads `table` with its figures in column `value`; errs with the first column missing.
    pub fn read(table: &'a ResultTable, value: &str) -> Result<Self, String> {
        let col = |n: &str| table.column_index(n).ok_or_else(|| n.to_string());
        Ok(Reference {
            measure: col("measure")?,
            year: col("academic_year")?,
            cohort: col("cohort")?,
            value: col(value)?,
            unit: col("unit")?,
            table,
        })
    }

    /// A row's figure formatted by its unit.
    fn formatted(&self, row: &[Value]) -> String {
        format_value(&row[self.value], row[self.unit].to_string().parse().ok())
    }

    /// The figure for `measure` in `year` for `cohort`, formatted; `None` when not published.
    pub fn figure(&self, measure: &str, year: &str, cohort: &str) -> Option<String> {
        let r = &self.table.rows;
        r.iter()
            .find(|r| {
                r[self.measure].to_string() == measure
                    && r[self.year].to_string() == year
                    && r[self.cohort].to_string() == cohort
            })
            .map(|r| self.formatted(r))
    }

    /// The latest figure for children looked after 12 months for `measure` up to `year`,
    /// formatted, with its year in words.
    pub fn latest(&self, measure: &str, year: &str) -> Option<(String, String)> {
        self.table
            .rows
            .iter()
            .filter(|r| {
                r[self.measure].to_string() == measure
                    && r[self.cohort].to_string() == "cla_12m"
                    && r[self.year].to_string().as_str() <= year
                    && r[self.value].as_f64().is_some()
            })
            .max_by_key(|r| r[self.year].to_string())
            .map(|r| (self.formatted(r), period_label(&r[self.year].to_string())))
    }
}

/// The latest figure for children looked after 12 months in column `value` of a reference
/// analysis up to the report's year, with its year; `None` when the analysis has none.
pub(super) fn latest_reference(
    data: &ReportData,
    analysis: &str,
    value: &str,
    id: &str,
) -> Option<(String, String)> {
    let run = data.run.result(analysis)?;
    Reference::read(&run.result, value)
        .ok()?
        .latest(id, &data.academic_year)
}

/// The latest national CLA figure for a metric up to the report's year, with its year.
pub(super) fn latest_national(data: &ReportData, id: &str) -> Option<(String, String)> {
    latest_reference(data, NATIONAL, "value", id)
}

/// The national cell of a headline table: the latest national CLA figure and its year.
/// Beside a term's figure it says it is a whole year's (DfE publishes no termly CLA
/// figures), so a term's 3% of pupils suspended is never read against a year's 10% as like.
pub(super) fn national_cell(data: &ReportData, id: &str, beside_a_term: bool) -> String {
    let whole = if beside_a_term { "whole year " } else { "" };
    latest_national(data, id)
        .map(|(v, y)| format!("{v} ({whole}{y})"))
        .unwrap_or_else(|| "–".into())
}

/// DfE's national figures, as the reference analysis gives them.
pub(super) const NATIONAL: &str = "reference/national_benchmarks";

/// The statistical neighbours' figures.
pub(super) const NEIGHBOURS: &str = "reference/la_comparators";

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, unit: Unit, shown: bool) -> Option<Figure> {
        Some(Figure {
            value,
            unit,
            shown,
            base: None,
        })
    }

    #[test]
    fn a_rate_on_a_small_base_shows_its_n_and_its_change_says_so() {
        // 9 of 17 = 52.941%, on fewer than 30: "(9 of 17)" beside it. A year before, 7 of 17
        // = 41.176%: 52.941 - 41.176 = 11.765, 11.8 points, "on a base of 17".
        let small = |k: f64, v: f64| {
            Some(Figure {
                value: v,
                unit: Unit::Percent,
                shown: true,
                base: Some((Some(k), 17.0)),
            })
        };
        let now = small(9.0, 52.941);
        assert_eq!(show(&now), "52.9% (9 of 17)");
        assert_eq!(
            change_text(small(7.0, 41.176), now.clone()),
            "up 11.8 percentage points (on a base of 17)"
        );
        assert_eq!(
            short_change(&small(7.0, 41.176), &now),
            "up 11.8 pts (on 17)"
        );
        // 30 or more: no n (the figure alone).
        assert_eq!(show(&figure(52.9, Unit::Percent, true)), "52.9%");
    }

    #[test]
    fn changes_are_worded_in_points_for_percentages() {
        // 9.4% - 8.1% = 1.3 percentage points
        assert_eq!(
            change_text(
                figure(8.1, Unit::Percent, true),
                figure(9.4, Unit::Percent, true)
            ),
            "up 1.3 percentage points"
        );
        // 18.5 - 20.0 = -1.5
        assert_eq!(
            change_text(
                figure(20.0, Unit::Mean, true),
                figure(18.5, Unit::Mean, true)
            ),
            "down 1.5"
        );
        // 5.01 - 5.0 = 0.01, under 0.05
        assert_eq!(
            change_text(
                figure(5.0, Unit::Percent, true),
                figure(5.01, Unit::Percent, true)
            ),
            "unchanged"
        );
        assert!(change_text(None, figure(1.0, Unit::Count, true)).starts_with("not comparable"));
        // A suppressed figure at either end hides the change too.
        assert!(
            change_text(
                figure(3.0, Unit::Count, false),
                figure(9.0, Unit::Count, true)
            )
            .starts_with("not shown")
        );
        assert_eq!(
            short_change(
                &figure(3.0, Unit::Count, true),
                &figure(9.0, Unit::Count, false)
            ),
            "c"
        );
    }
}
