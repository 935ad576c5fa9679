//! The chart's one-sentence plain-English summary: what it shows, beside which comparators,
//! and how many figures are suppressed or missing.

use super::data::{ChartData, Series};
use crate::analysis::{ChartKind, ChartSpec};
use crate::render::format::format_number;
use crate::render::words::{term_label, year_label};

/// A category as written in a sentence: terms as "autumn term 2023", years as "2023/24",
/// anything else as it is.
pub(super) fn spoken(category: &str) -> String {
    match term_label(category) {
        Some(t) => lower_first(&t),
        None => year_label(category).unwrap_or_else(|| category.to_string()),
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn last_some(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))
}

pub(super) fn summarise(spec: &ChartSpec, data: &ChartData) -> String {
    let noun = if spec.kind == ChartKind::Line {
        "point"
    } else {
        "bar"
    };
    let total: usize = data.series.iter().map(|s| s.values.len()).sum();
    let missing: usize = data
        .series
        .iter()
        .map(|s| s.values.iter().filter(|v| v.is_none()).count())
        .sum();
    if missing == total {
        return format!(
            "No figures to show: {} suppressed or missing.",
            if total == 1 {
                "the only point is".to_string()
            } else {
                format!("all {total} {noun}s are")
            }
        );
    }
    let body = match spec.kind {
        ChartKind::Line => line_summary(spec, data),
        ChartKind::Bar | ChartKind::HBar => bar_summary(spec, data),
    };
    let tail = if missing > 0 {
        format!("; {} suppressed or missing", plural(missing, noun))
    } else {
        String::new()
    };
    format!("{body}{tail}.")
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
                Some(v) => Some(format!("{name} {}", format_number(v, &spec.unit))),
                None => last_some(&c.values).map(|(j, v)| {
                    format!(
                        "{name} {} in {}",
                        format_number(v, &spec.unit),
                        spoken(&data.categories[j])
                    )
                }),
            }
        })
        .collect()
}

fn line_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, &spec.unit);
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
        all => {
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
                        (None, None) => format!("{name} no figures"),
                    }
                })
                .collect();
            (format!("In {}: {}", cat(at), join_and(&items)), at)
        }
    };
    let comps = comparator_phrases(spec, data, at);
    if comps.is_empty() {
        body
    } else {
        format!("{body} ({})", comps.join(", "))
    }
}

fn bar_summary(spec: &ChartSpec, data: &ChartData) -> String {
    let fmt = |v: f64| format_number(v, &spec.unit);
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
    // Row order within a series, then series order: ties go to the first.
    let mut hi = bars[0];
    let mut lo = bars[0];
    for &b in &bars[1..] {
        if b.2 > hi.2 {
            hi = b;
        }
        if b.2 < lo.2 {
            lo = b;
        }
    }
    let mut body = if bars.len() == 1 {
        format!("{}: {}", label(hi.0, hi.1), fmt(hi.2))
    } else if hi.2 == lo.2 {
        format!("All {} bars show {}", bars.len(), fmt(hi.2))
    } else {
        format!(
            "Highest: {} ({}); lowest: {} ({})",
            label(hi.0, hi.1),
            fmt(hi.2),
            label(lo.0, lo.1),
            fmt(lo.2)
        )
    };
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
