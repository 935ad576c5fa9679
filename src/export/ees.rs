//! Published figures as Explore Education Statistics (EES) tidy CSV with `.meta.csv`, following
//! DfE's analysts' guide: mandatory time and geography columns first, filters with a `Total`
//! level, one indicator column per figure named `{title}_{type}`, DfE's symbols for what is not
//! shown, and no mixed time identifiers in one file (so one file per theme and period type).

use crate::analysis::Unit;
use crate::run::MetricRow;
use std::collections::{BTreeMap, BTreeSet};

/// Where the figures are from: the authority's codes and names (from DfE's own files).
#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub old_la_code: String,
    pub la_name: String,
    pub new_la_code: String,
    pub region_code: String,
    pub region_name: String,
}

/// A figure as the export sees it: the metric row and whether disclosure control hides it.
pub struct Figure<'a> {
    pub row: &'a MetricRow,
    pub suppressed: bool,
}

/// One EES data file and its metadata file.
#[derive(Debug, Clone, PartialEq)]
pub struct EesFile {
    /// `attendance_academic_year` (the `.csv` and `.meta.csv` share it).
    pub name: String,
    pub data: String,
    pub meta: String,
}

/// The columns every file starts with, in DfE's order.
pub const MANDATORY: [&str; 10] = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
    "new_la_code",
];

/// The filters: which breakdown a row is, and its group (`Total` for all children).
pub const FILTERS: [&str; 2] = ["breakdown_topic", "breakdown"];

/// `2024-25` → (`202425`, `Academic year`); `2024-25-autumn` → (`202425`, `Autumn term`).
pub fn period(time_period: &str) -> Option<(String, &'static str)> {
    let mut parts = time_period.splitn(3, '-');
    let (start, end) = (parts.next()?, parts.next()?);
    if start.len() != 4
        || end.len() != 2
        || !start.chars().chain(end.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let identifier = match parts.next() {
        None => "Academic year",
        Some("autumn") => "Autumn term",
        Some("spring") => "Spring term",
        Some("summer") => "Summer term",
        Some(_) => return None,
    };
    Some((format!("{start}{end}"), identifier))
}

/// The EES type word for a unit, which ends the indicator's name.
fn unit_type(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "percent",
        Unit::Mean => "average",
        Unit::Per100 => "rate_per_100",
        Unit::Pounds => "gbp",
        _ => "number",
    }
}

/// The indicator column for a metric: `attendance.overall_absence_rate` (percent) is
/// `overall_absence_rate_percent`.
pub fn indicator(metric: &str, unit: Unit) -> String {
    let title = metric.split_once('.').map_or(metric, |(_, t)| t);
    let title = title.trim_end_matches(&format!("_{}", unit_type(unit)));
    format!("{title}_{}", unit_type(unit))
}

fn words(s: &str) -> String {
    let s = s.replace('_', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A figure's cell: the value to DfE's precision, or `c` (suppressed), `x` (not available),
/// `low` (rounds to zero but is not zero).
fn cell(f: Option<&Figure>) -> String {
    let Some(f) = f else { return "z".into() };
    if f.suppressed {
        return "c".into();
    }
    match f.row.value {
        None => "x".into(),
        Some(v) if v != 0.0 && v.abs() < 0.05 && f.row.unit != Unit::Count => "low".into(),
        Some(v) if f.row.unit == Unit::Count || f.row.unit == Unit::Pounds => {
            format!("{}", v.round())
        }
        Some(v) => {
            let s = format!("{v:.1}");
            if s == "-0.0" { "0.0".into() } else { s }
        }
    }
}

fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The files for `figures`: one per theme (the metric's area) and period type, rows sorted.
pub fn files(figures: &[Figure], geo: &Geography) -> Vec<EesFile> {
    // (theme, time identifier) -> (time_period, topic, group) -> indicator -> figure
    type Rows<'a> = BTreeMap<(String, String, String), BTreeMap<String, &'a Figure<'a>>>;
    // Indicator name -> unit, for the meta file.
    type Units = BTreeMap<String, Unit>;
    type Themes<'a> = BTreeMap<(String, &'static str), (Rows<'a>, Units)>;
    let mut themes: Themes = BTreeMap::new();
    for f in figures {
        let Some((tp, ident)) = period(&f.row.time_period) else {
            continue;
        };
        let theme = f
            .row
            .metric
            .split_once('.')
            .map_or("figures", |(a, _)| a)
            .to_string();
        let (topic, group) = if f.row.breakdown == "all" {
            ("Total".to_string(), "Total".to_string())
        } else {
            // A code prints as the reports print it (`foster_kin` → its code-list label).
            (
                words(&f.row.breakdown),
                crate::render::words::category_label(&f.row.breakdown, &f.row.group),
            )
        };
        let name = indicator(&f.row.metric, f.row.unit);
        let entry = themes.entry((theme, ident)).or_default();
        entry.1.insert(name.clone(), f.row.unit);
        entry
            .0
            .entry((tp, topic, group))
            .or_default()
            .insert(name, f);
    }
    let mut out = Vec::new();
    for ((theme, ident), (rows, indicators)) in themes {
        let names: Vec<&String> = indicators.keys().collect();
        let mut header: Vec<String> = MANDATORY
            .iter()
            .chain(FILTERS.iter())
            .map(|s| s.to_string())
            .collect();
        header.extend(names.iter().map(|n| n.to_string()));
        let mut lines = vec![csv_line(&header)];
        // Total rows first within each period, as EES tables expect.
        let mut keys: Vec<&(String, String, String)> = rows.keys().collect();
        keys.sort_by_key(|(tp, topic, group)| {
            (tp.clone(), topic != "Total", topic.clone(), group.clone())
        });
        for key in keys {
            let (tp, topic, group) = key;
            let mut fields = vec![
                tp.clone(),
                ident.to_string(),
                "Local authority".into(),
                "E92000001".into(),
                "England".into(),
                geo.region_code.clone(),
                geo.region_name.clone(),
                geo.old_la_code.clone(),
                geo.la_name.clone(),
                geo.new_la_code.clone(),
                topic.clone(),
                group.clone(),
            ];
            let row = &rows[key];
            fields.extend(names.iter().map(|n| cell(row.get(*n).copied())));
            lines.push(csv_line(&fields));
        }
        let mut meta = vec![csv_line(
            &[
                "col_name",
                "col_type",
                "label",
                "indicator_grouping",
                "indicator_unit",
                "indicator_dp",
                "filter_hint",
                "filter_grouping_column",
            ]
            .map(String::from),
        )];
        meta.push(csv_line(
            &[
                "breakdown_topic",
                "Filter",
                "Breakdown topic",
                "",
                "",
                "",
                "Which breakdown a row belongs to",
                "",
            ]
            .map(String::from),
        ));
        meta.push(csv_line(
            &[
                "breakdown",
                "Filter",
                "Breakdown",
                "",
                "",
                "",
                "The group within the breakdown",
                "breakdown_topic",
            ]
            .map(String::from),
        ));
        for (name, unit) in &indicators {
            let (u, dp) = match unit {
                Unit::Percent => ("%", "1"),
                Unit::Pounds => ("£", "0"),
                Unit::Count => ("", "0"),
                _ => ("", "1"),
            };
            meta.push(csv_line(&[
                name.clone(),
                "Indicator".into(),
                words(name),
                String::new(),
                u.into(),
                dp.into(),
                String::new(),
                String::new(),
            ]));
        }
        let slug = ident.to_ascii_lowercase().replace(' ', "_");
        out.push(EesFile {
            name: format!("{theme}_{slug}"),
            data: lines.join("\n") + "\n",
            meta: meta.join("\n") + "\n",
        });
    }
    out
}

/// What DfE's data screener would refuse in a file, as far as its rules can be checked offline.
pub fn screen(file: &EesFile) -> Vec<String> {
    let mut problems = Vec::new();
    let mut data = csv::Reader::from_reader(file.data.as_bytes());
    let header: Vec<String> = match data.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return vec![format!("{}: {e}", file.name)],
    };
    if header.len() < MANDATORY.len() || header[..MANDATORY.len()] != MANDATORY.map(String::from) {
        problems.push(format!(
            "{}: the first columns must be {}",
            file.name,
            MANDATORY.join(", ")
        ));
    }
    let mut identifiers = BTreeSet::new();
    let indicator_start = MANDATORY.len() + FILTERS.len();
    for (i, r) in data.records().enumerate() {
        let Ok(r) = r else {
            problems.push(format!("{}: line {} does not parse", file.name, i + 2));
            continue;
        };
        identifiers.insert(r.get(1).unwrap_or("").to_string());
        if r.get(0)
            .is_none_or(|t| t.len() != 6 || !t.chars().all(|c| c.is_ascii_digit()))
        {
            problems.push(format!(
                "{}: line {}: time_period must be six digits (202425)",
                file.name,
                i + 2
            ));
        }
        for (j, v) in r.iter().enumerate().skip(indicator_start) {
            if v.parse::<f64>().is_err() && !["c", "z", "x", "low", "k", "u"].contains(&v) {
                problems.push(format!(
                    "{}: line {}: `{}` is `{v}`: a number or a DfE symbol",
                    file.name,
                    i + 2,
                    header[j]
                ));
            }
        }
    }
    if identifiers.len() > 1 {
        problems.push(format!(
            "{}: mixes time identifiers ({})",
            file.name,
            identifiers.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let meta: Vec<String> = csv::Reader::from_reader(file.meta.as_bytes())
        .records()
        .filter_map(|r| r.ok().and_then(|r| r.get(0).map(str::to_string)))
        .collect();
    for col in header.iter().skip(MANDATORY.len()) {
        if !meta.contains(col) {
            problems.push(format!("{}: no meta row for `{col}`", file.name));
        }
    }
    for col in &meta {
        if !header.contains(col) {
            problems.push(format!(
                "{}: meta row for `{col}`, which the data file does not have",
                file.name
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        metric: &str,
        period: &str,
        breakdown: &str,
        group: &str,
        value: Option<f64>,
        unit: Unit,
    ) -> MetricRow {
        MetricRow {
            analysis: "a/b".into(),
            metric: metric.into(),
            time_period: period.into(),
            breakdown: breakdown.into(),
            group: group.into(),
            numerator: None,
            denominator: None,
            value,
            unit,
        }
    }

    #[test]
    fn periods_and_indicators_follow_the_guide() {
        assert_eq!(period("2024-25"), Some(("202425".into(), "Academic year")));
        assert_eq!(
            period("2024-25-spring"),
            Some(("202425".into(), "Spring term"))
        );
        assert_eq!(period("2024"), None);
        assert_eq!(
            indicator("attendance.overall_absence_rate", Unit::Percent),
            "overall_absence_rate_percent"
        );
        assert_eq!(
            indicator("sdq.mean_total", Unit::Mean),
            "mean_total_average"
        );
        assert_eq!(indicator("roll.children", Unit::Count), "children_number");
    }

    #[test]
    fn one_file_per_theme_and_period_type_with_symbols() {
        let rows = [
            row(
                "attendance.overall_absence_rate",
                "2024-25",
                "all",
                "all",
                Some(9.345),
                Unit::Percent,
            ),
            row(
                "attendance.overall_absence_rate",
                "2024-25",
                "phase",
                "primary",
                Some(4.0),
                Unit::Percent,
            ),
            row(
                "attendance.overall_absence_rate",
                "2024-25-autumn",
                "all",
                "all",
                Some(8.0),
                Unit::Percent,
            ),
            row(
                "attendance.persistent_absence_rate",
                "2024-25",
                "all",
                "all",
                Some(0.01),
                Unit::Percent,
            ),
            row(
                "exclusions.suspension_rate",
                "2024-25",
                "all",
                "all",
                Some(3.0),
                Unit::Per100,
            ),
        ];
        let figures: Vec<Figure> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| Figure {
                row: r,
                suppressed: i == 1,
            })
            .collect();
        let geo = Geography {
            old_la_code: "874".into(),
            la_name: "Peterborough".into(),
            new_la_code: "E06000031".into(),
            region_code: "E12000006".into(),
            region_name: "East of England".into(),
        };
        let files = files(&figures, &geo);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "attendance_academic_year",
                "attendance_autumn_term",
                "exclusions_academic_year"
            ]
        );
        let lines: Vec<&str> = files[0].data.lines().collect();
        assert_eq!(
            lines[0],
            "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,breakdown_topic,breakdown,overall_absence_rate_percent,persistent_absence_rate_percent"
        );
        // 9.345 to one decimal; 0.01 rounds to zero but is not zero: `low`.
        assert_eq!(
            lines[1],
            "202425,Academic year,Local authority,E92000001,England,E12000006,East of England,874,Peterborough,E06000031,Total,Total,9.3,low"
        );
        // The suppressed primary figure is `c`; the primary row has no persistent absence figure: `z`.
        // The group prints as the reports print the code (`primary` → Primary).
        assert_eq!(
            lines[2],
            "202425,Academic year,Local authority,E92000001,England,E12000006,East of England,874,Peterborough,E06000031,Phase,Primary,c,z"
        );
        for f in &files {
            assert!(screen(f).is_empty(), "{:?}", screen(f));
        }
    }

    #[test]
    fn the_screen_finds_what_dfe_would_refuse() {
        let f = EesFile {
            name: "x".into(),
            data: "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,breakdown_topic,breakdown,a_percent\n2024-25,Academic year,Local authority,E92000001,England,,,874,P,E1,Phase,primary,n/a\n202425,Autumn term,Local authority,E92000001,England,,,874,P,E1,Phase,primary,3\n".into(),
            meta: "col_name,col_type\nbreakdown_topic,Filter\n".into(),
        };
        let p = screen(&f).join("\n");
        assert!(p.contains("six digits"), "{p}");
        assert!(p.contains("`a_percent` is `n/a`"), "{p}");
        assert!(p.contains("mixes time identifiers"), "{p}");
        assert!(p.contains("no meta row for `breakdown`"), "{p}");
    }
}
