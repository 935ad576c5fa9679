//! The chart's one-sentence plain-English summary: what it shows, beside which comparators,
//! and how many figures are suppressed or missing.

use super::data::{ChartData, Finding, Forest, Series, split_term};
use crate::analysis::Unit;
use crate::analysis::{ChartKind, ChartSpec};
use crate::render::format::format_number;
use crate::render::words::{capitalise, join_and, plural, term_label, year_label};

/// A category as written in a sentence: terms as "autumn term 2023", years as "2023/24",
/// anything else as it is.
pub(super) fn spoken(category: &str) -> String {
    match term_label(category) {
        Some(t) => lower_first(&t),
        None => year_label(category).unwrap_or_else(|| category.to_string()),
    }
}

fn last_some(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))
}

/// Whether every category is a term or an academic year: a chart over time, whose sentence
/// compares a period with the one a year before rather than naming highest and lowest.
fn over_time(data: &ChartData) -> bool {
    !data.categories.is_empty()
        && data
            .categories
            .iter()
            .all(|c| split_term(c).is_some() || year_label(c).is_some())
}

/// The category a year before `category`: the same term of the previous academic year
/// ("2024-25-summer" → "2023-24-summer"), or the previous academic year ("2024-25" →
/// "2023-24"). `None` for anything else.
pub(super) fn a_year_before(category: &str) -> Option<String> {
    let previous = |year: &str| -> Option<String> {
        let start: i32 = year.get(..4)?.parse().ok()?;
        Some(format!("{}-{:02}", start - 1, start.rem_euclid(100)))
    };
    match split_term(category) {
        Some((year, term)) => Some(format!("{}-{term}", previous(year)?)),
        None => {
            year_label(category)?;
            previous(category)
        }
    }
}

/// How many gaps a chart has: (suppressed, too few to say, missing), over its series.
fn gaps(data: &ChartData) -> (usize, usize, usize) {
    let (mut suppressed, mut too_few, mut missing) = (0, 0, 0);
    for s in &data.series {
        for ci in 0..s.values.len() {
            match s.gap_label(ci) {
                Some("c") => suppressed += 1,
                Some("Too few") => too_few += 1,
                Some(_) => missing += 1,
                None => {}
            }
        }
    }
    (suppressed, too_few, missing)
}

/// Whether a chart has nothing to draw: every point suppressed or missing.
pub(super) fn nothing_to_draw(data: &ChartData) -> bool {
    data.series
        .iter()
        .all(|s| s.values.iter().all(Option::is_none))
}

pub(super) fn summarise(spec: &ChartSpec, data: &ChartData, forest: Option<&Forest>) -> String {
    let noun = if spec.kind == ChartKind::Line {
        "point"
    } else {
        "bar"
    };
    let total: usize = data.series.iter().map(|s| s.values.len()).sum();
    let (suppressed, too_few, missing) = gaps(data);
    if suppressed + too_few + missing == total {
        let (all, each) = match total {
            1 => ("its only figure is".to_string(), "it rests"),
            2 => ("both its figures are".to_string(), "each rests"),
            n => (format!("all {n} of its figures are"), "each rests"),
        };
        return if suppressed == total {
            format!(
                "Not drawn: {all} suppressed, because {each} on so few children that publishing it could identify a child."
            )
        } else if missing == total {
            "Not drawn: the data holds no figures for it yet.".to_string()
        } else {
            format!("Not drawn: {all} suppressed (too few children to publish) or not in the data.")
        };
    }
    let by_finding = forest.filter(|f| f.findings.iter().any(Option::is_some));
    let body = match (by_finding, spec.kind) {
        (Some(f), _) => forest_summary(spec, data, f),
        _ if over_time(data) => time_summary(spec, data),
        (_, ChartKind::Line) => line_summary(spec, data),
        (_, ChartKind::Bar | ChartKind::HBar) => bar_summary(spec, data),
    };
    let mut tail = Vec::new();
    if suppressed > 0 {
        tail.push(format!("{} suppressed (c)", plural(suppressed, noun)));
    }
    // A forest plot's sentence already counts the groups with too few children.
    if too_few > 0 && by_finding.is_none() {
        tail.push(format!(
            "{} with too few children to say",
            plural(too_few, noun)
        ));
    }
    if missing > 0 {
        tail.push(format!("{} with no data", plural(missing, noun)));
    }
    if tail.is_empty() {
        format!("{body}.")
    } else {
        format!("{body}; {}.", tail.join(" and "))
    }
}

/// A change between two figures in words: "up 1.2 percentage points", "down 3", "no change".
fn change(from: f64, to: f64, unit: Unit) -> String {
    let d = to - from;
    let size = if unit == Unit::Percent {
        format!("{:.1} percentage points", d.abs())
    } else {
        format_number(d.abs(), unit)
    };
    if format_number(d.abs(), unit) == format_number(0.0, unit) {
        "no change".to_string()
    } else if d > 0.0 {
        format!("up {size}")
    } else {
        format!("down {size}")
    }
}

/// A chart over terms or years: one series, its latest figure against the same term a year
/// earlier (or the year before); several, each one's latest figure in the same period.
fn time_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, spec.unit);
    let cat = |i: usize| spoken(&data.categories[i]);
    let (body, at, single) = match &data.series[..] {
        [s] => {
            let Some((j, v)) = last_some(&s.values) else {
                return String::new();
            };
            let name = if data.series_from_column {
                format!("{} ({})", spec_title_subject(spec), s.name)
            } else {
                s.name.clone()
            };
            let before = a_year_before(&data.categories[j])
                .and_then(|b| data.categories.iter().position(|c| *c == b));
            let compared = match before {
                Some(k) => match s.values[k] {
                    Some(w) => format!(", {} on {} ({})", change(w, v, spec.unit), cat(k), fmt(w)),
                    None => format!(
                        "; {} a year earlier is {}",
                        cat(k),
                        if s.suppressed.get(k).copied().unwrap_or(false) {
                            "suppressed"
                        } else {
                            "not in the data"
                        }
                    ),
                },
                None => String::new(),
            };
            (
                format!("{name}: {} in {}{compared}", fmt(v), cat(j)),
                j,
                true,
            )
        }
        _ => {
            let (body, at) = each_latest(spec, data);
            (body, at, false)
        }
    };
    let comps = comparator_phrases(spec, data, at);
    match (comps.is_empty(), single) {
        (true, _) => body,
        (false, true) => format!("{body}; {}", comps.join(", ")),
        (false, false) => format!("{body} ({})", comps.join(", ")),
    }
}

/// What a one-series chart split by a column measures, for its sentence: its y column.
fn spec_title_subject(spec: &ChartSpec) -> String {
    spec.y
        .first()
        .map(|y| super::prettify(y))
        .unwrap_or_default()
}

/// A forest plot in words: the groups whose interval shows a clear difference, facilitators
/// and barriers apart, and how many show none. A bar the table calls "no clear difference"
/// is never named highest or lowest.
fn forest_summary(spec: &ChartSpec, data: &ChartData, forest: &Forest) -> String {
    let fmt = |v: f64| format_number(v, spec.unit);
    let Some(s) = data.series.first() else {
        return String::new();
    };
    let mut facilitators = Vec::new();
    let mut barriers = Vec::new();
    let (mut unclear, mut too_few) = (0, 0);
    for (ci, v) in s.values.iter().enumerate() {
        let finding = forest.findings.get(ci).copied().flatten();
        match (v, finding) {
            (_, Some(Finding::TooFew)) => too_few += 1,
            (None, _) => {}
            (Some(v), Some(Finding::Facilitator)) => facilitators.push((ci, *v)),
            (Some(v), Some(Finding::Barrier)) => barriers.push((ci, *v)),
            (Some(_), _) => unclear += 1,
        }
    }
    facilitators.sort_by(|a, b| b.1.total_cmp(&a.1));
    barriers.sort_by(|a, b| a.1.total_cmp(&b.1));
    let named = |found: &[(usize, f64)]| -> String {
        join_and(
            &found
                .iter()
                .map(|(ci, v)| {
                    let sign = if *v > 0.0 { "+" } else { "" };
                    format!("{}, {sign}{}", spoken(&data.categories[*ci]), fmt(*v))
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut parts = Vec::new();
    if !facilitators.is_empty() {
        parts.push(format!("Facilitators: {}", named(&facilitators)));
    }
    if !barriers.is_empty() {
        let word = if parts.is_empty() {
            "Barriers"
        } else {
            "barriers"
        };
        parts.push(format!("{word}: {}", named(&barriers)));
    }
    if parts.is_empty() {
        parts.push(format!(
            "No clear difference for any of the {} groups with a figure",
            unclear
        ));
    } else if unclear > 0 {
        parts.push(format!(
            "no clear difference for {}",
            plural(unclear, "other group")
        ));
    }
    if too_few > 0 {
        parts.push(format!(
            "too few children to say for {}",
            plural(too_few, "group")
        ));
    }
    parts.join("; ")
}

fn series_label(data: &ChartData, s: &Series) -> String {
    if data.series_from_column {
        s.name.clone()
    } else {
        lower_first(&s.name)
    }
}

/// Comparators at category `at` (or their latest figure, saying when): "national CLA 9.0%".
fn comparator_phrases(spec: &ChartSpec, data: &ChartData, at: usize) -> Vec<String> {
    data.comparators
        .iter()
        .filter_map(|c| {
            let name = lower_first(&c.name);
            match c.values.get(at).copied().flatten() {
                Some(v) => Some(format!("{name} {}", format_number(v, spec.unit))),
                None => last_some(&c.values).map(|(j, v)| {
                    format!(
                        "{name} {} in {}",
                        format_number(v, spec.unit),
                        spoken(&data.categories[j])
                    )
                }),
            }
        })
        .collect()
}

/// Several series at the latest category any of them has: "In summer term 2025: a 9.7% and
/// b 5.7%", a series without a figure there at its own latest, saying when.
fn each_latest(spec: &ChartSpec, data: &ChartData) -> (String, usize) {
    let fmt = |v: f64| format_number(v, spec.unit);
    let cat = |i: usize| spoken(&data.categories[i]);
    let all = &data.series;
    let at = all
        .iter()
        .filter_map(|s| last_some(&s.values))
        .map(|(i, _)| i)
        .max()
        .unwrap_or(0);
    let items: Vec<String> = all
        .iter()
        .map(|s| {
            let name = series_label(data, s);
            match (s.values.get(at).copied().flatten(), last_some(&s.values)) {
                (Some(v), _) => format!("{name} {}", fmt(v)),
                (None, Some((j, v))) => format!("{name} {} in {}", fmt(v), cat(j)),
                // Nothing to give: say why, as the chart's gaps do.
                (None, None) if s.suppressed.iter().any(|h| *h) => {
                    format!("{name} suppressed (c)")
                }
                (None, None) => format!("{name} not in the data"),
            }
        })
        .collect();
    (format!("In {}: {}", cat(at), join_and(&items)), at)
}

fn line_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, spec.unit);
    let cat = |i: usize| spoken(&data.categories[i]);
    let (body, at) = match &data.series[..] {
        [s] if !data.series_from_column => {
            let first = s
                .values
                .iter()
                .enumerate()
                .find_map(|(i, v)| v.map(|v| (i, v)));
            match (first, last_some(&s.values)) {
                (Some((i, a)), Some((j, b))) if i != j => (
                    format!(
                        "{} went from {} in {} to {} in {}",
                        s.name,
                        fmt(a),
                        cat(i),
                        fmt(b),
                        cat(j)
                    ),
                    j,
                ),
                (_, Some((j, b))) => (format!("{} was {} in {}", s.name, fmt(b), cat(j)), j),
                _ => (String::new(), 0),
            }
        }
        _ => each_latest(spec, data),
    };
    let comps = comparator_phrases(spec, data, at);
    if comps.is_empty() {
        body
    } else {
        format!("{body} ({})", comps.join(", "))
    }
}

fn bar_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, spec.unit);
    let many = data.series.len() > 1;
    let label = |si: usize, ci: usize| {
        let c = spoken(&data.categories[ci]);
        if many {
            format!("{c}, {}", series_label(data, &data.series[si]))
        } else {
            c
        }
    };
    let bars: Vec<(usize, usize, f64)> = data
        .series
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.values
                .iter()
                .enumerate()
                .filter_map(move |(ci, v)| v.map(|v| (si, ci, v)))
        })
        .collect();
    // Highest and lowest within each series (never one series' bar against another's):
    // row order, ties to the first.
    let mut parts = Vec::new();
    for si in 0..data.series.len() {
        let own: Vec<&(usize, usize, f64)> = bars.iter().filter(|b| b.0 == si).collect();
        let Some(&&first) = own.first() else {
            continue;
        };
        let (mut hi, mut lo) = (first, first);
        for &&b in &own[1..] {
            if b.2 > hi.2 {
                hi = b;
            }
            if b.2 < lo.2 {
                lo = b;
            }
        }
        let name = |b: (usize, usize, f64)| spoken(&data.categories[b.1]);
        let text = if own.len() == 1 {
            format!("{}: {}", label(hi.0, hi.1), fmt(hi.2))
        } else if hi.2 == lo.2 {
            format!("All {} bars show {}", own.len(), fmt(hi.2))
        } else if many {
            format!(
                "highest {} ({}), lowest {} ({})",
                name(hi),
                fmt(hi.2),
                name(lo),
                fmt(lo.2)
            )
        } else {
            format!(
                "Highest: {} ({}); lowest: {} ({})",
                name(hi),
                fmt(hi.2),
                name(lo),
                fmt(lo.2)
            )
        };
        parts.push(if many && own.len() > 1 {
            let series = capitalise(&series_label(data, &data.series[si]));
            format!("{series}: {}", lower_first(&text))
        } else {
            text
        });
    }
    let mut body = parts.join("; ");
    // Comparators at their latest figure; "in <category>" only where they vary, said once if shared.
    let mut constant = Vec::new();
    let mut latest: Vec<(usize, String)> = Vec::new();
    for c in &data.comparators {
        let Some((j, v)) = last_some(&c.values) else {
            continue;
        };
        let phrase = format!("{} {}", lower_first(&c.name), fmt(v));
        if c.values.iter().flatten().all(|x| *x == v) {
            constant.push(phrase)
        } else {
            latest.push((j, phrase))
        }
    }
    let mut comps = vec![join_and(&constant)];
    match latest.first() {
        Some((j, _)) if latest.iter().all(|(k, _)| k == j) => {
            let phrases: Vec<String> = latest.iter().map(|(_, p)| p.clone()).collect();
            comps.push(format!(
                "in {}, {}",
                spoken(&data.categories[*j]),
                join_and(&phrases)
            ));
        }
        _ => comps.extend(
            latest
                .iter()
                .map(|(j, p)| format!("{p} in {}", spoken(&data.categories[*j]))),
        ),
    }
    comps.retain(|c| !c.is_empty());
    if !comps.is_empty() {
        body.push_str(&format!("; {}", comps.join("; ")));
    }
    body
}

/// A label for the middle of a sentence: "Overall absence rate" → "overall absence rate",
/// but "CLA rate" and "KS2 expected" keep their capitals.
pub(super) fn lower_first(s: &str) -> String {
    let first = s.split(' ').next().unwrap_or_default();
    let letters: Vec<char> = first.chars().filter(|c| c.is_alphabetic()).collect();
    let acronym = letters.len() > 1 && letters.iter().filter(|c| c.is_uppercase()).count() > 1;
    if acronym {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
