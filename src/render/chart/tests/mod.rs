//! The chart's unit tests: summaries, drawing details, axes, dashes and category labels;
//! forest plots and panels in [`panels`].

use super::axes::{CategoryLabels, category_labels, value_axis};
use super::primitives::dashes;
use super::summary::lower_first;
use super::{ChartError, prettify, render_chart};
use crate::analysis::{ChartKind, ChartSpec};
use crate::run::{ResultTable, Value};

fn spec(kind: ChartKind, x: &str, y: &[&str]) -> ChartSpec {
    ChartSpec {
        name: None,
        kind,
        title: "Absence by term".into(),
        x: x.into(),
        y: y.iter().map(|s| s.to_string()).collect(),
        series: None,
        panels: None,
        comparators: Vec::new(),
        y_label: "Absence, % of possible sessions".into(),
        x_label: Some("Term".into()),
        unit: "percent".into(),
        forest: None,
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// Five terms of overall absence with the autumn 2023-24 figure suppressed, and the national figure.
fn absence() -> ResultTable {
    let rows = [
        ("2022-23-autumn", Value::Float(8.1), Value::Float(9.0)),
        ("2022-23-spring", Value::Float(8.6), Value::Float(9.0)),
        ("2023-24-autumn", Value::Null, Value::Float(9.2)),
        ("2023-24-spring", Value::Float(8.9), Value::Float(9.2)),
        ("2024-25-summer", Value::Float(9.44), Value::Float(9.0)),
    ];
    ResultTable {
        columns: vec![
            "term".into(),
            "overall_absence_rate".into(),
            "national_cla".into(),
        ],
        rows: rows
            .into_iter()
            .map(|(t, a, n)| vec![text(t), a, n])
            .collect(),
    }
}

fn by_year_group() -> ResultTable {
    let rows = [
        ("Reception", 3),
        ("Year 1", 5),
        ("Year 10", 42),
        ("Year 11", 42),
    ];
    ResultTable {
        columns: vec!["year_group".into(), "children".into()],
        rows: rows
            .into_iter()
            .map(|(g, c)| vec![text(g), Value::Int(c)])
            .collect(),
    }
}

fn polylines_in(svg: &str, color: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{color}\"")))
        .count()
}

#[test]
fn prettify_upper_cases_known_acronyms() {
    assert_eq!(prettify("national_cla"), "National CLA");
    assert_eq!(prettify("ks2_rwm_expected_rate"), "KS2 RWM expected rate");
    assert_eq!(prettify("pp+_spend"), "PP+ spend");
    assert_eq!(prettify("peps_on_time"), "PEPs on time");
    assert_eq!(prettify("neet_rate"), "NEET rate");
    assert_eq!(prettify("overall_absence_rate"), "Overall absence rate");
    assert_eq!(lower_first("National CLA"), "national CLA");
    assert_eq!(lower_first("CLA rate"), "CLA rate");
    assert_eq!(lower_first("KS2 rate"), "KS2 rate");
}

#[test]
fn a_line_with_a_suppressed_point_breaks_into_two_segments() {
    let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    let chart = render_chart(&s, &absence()).expect("chart");
    let svg = &chart.svg;
    assert!(
        svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 720 360\""
        ),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-label=\"Absence by term\""));
    assert!(svg.contains("<title>Absence by term</title>"));
    assert_eq!(
        polylines_in(svg, "#0072B2"),
        2,
        "one line either side of the gap"
    );
    // The gap is marked by a hollow marker on the axis, explained in the legend.
    assert!(svg.contains("No figure (suppressed or missing)"));
    assert!(svg.contains(">\nAut\n") || svg.contains(">\nAutumn\n"));
    assert!(svg.contains("2023-24"));
    assert!(svg.contains("font-family=\"sans-serif\""));
}

#[test]
fn line_summary_is_one_plain_sentence() {
    let mut s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    s.comparators = vec!["national_cla".into()];
    let chart = render_chart(&s, &absence()).expect("chart");
    assert_eq!(
        chart.summary,
        "Overall absence rate went from 8.1% in autumn term 2022 to 9.4% in summer term 2025 (national CLA 9.0%); 1 point suppressed or missing."
    );
    // Comparators are dashed grey lines, named in the legend.
    assert!(chart.svg.contains("stroke=\"#4D4D4D\""));
    assert!(chart.svg.contains("National CLA"));
}

#[test]
fn several_lines_summarise_their_latest_points() {
    let mut t = absence();
    t.columns.push("authorised_absence_rate".into());
    // A non-finite figure is a gap too.
    for (r, v) in t.rows.iter_mut().zip([5.0, 5.5, 6.0, 6.1, f64::NAN]) {
        r.push(Value::Float(v));
    }
    let s = spec(
        ChartKind::Line,
        "term",
        &["overall_absence_rate", "authorised_absence_rate"],
    );
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "In summer term 2025: overall absence rate 9.4% and authorised absence rate 6.1% in spring term 2024; 2 points suppressed or missing."
    );
    // The second series has its own colour and marker shape (a square).
    assert!(chart.svg.contains("fill=\"#D55E00\""));
    assert!(chart.svg.contains("<rect"));
}

#[test]
fn a_series_column_splits_rows_into_lines() {
    let rows = [
        ("2023-24", "Primary", 4.0),
        ("2023-24", "Secondary", 9.0),
        ("2024-25", "Primary", 4.5),
        ("2024-25", "Secondary", 9.5),
    ];
    let t = ResultTable {
        columns: vec!["academic_year".into(), "phase".into(), "rate".into()],
        rows: rows
            .into_iter()
            .map(|(y, p, r)| vec![text(y), text(p), Value::Float(r)])
            .collect(),
    };
    let mut s = spec(ChartKind::Line, "academic_year", &["rate"]);
    s.series = Some("phase".into());
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "In 2024/25: Primary 4.5% and Secondary 9.5%."
    );
    assert_eq!(
        polylines_in(&chart.svg, "#0072B2"),
        2,
        "a line and its legend sample"
    );
    s.y.push("rate".into());
    assert!(matches!(render_chart(&s, &t), Err(ChartError::Spec(_))));
}

#[test]
fn bar_summary_names_highest_and_lowest() {
    let mut s = spec(ChartKind::Bar, "year_group", &["children"]);
    s.unit = "count".into();
    let chart = render_chart(&s, &by_year_group()).expect("chart");
    assert_eq!(
        chart.summary,
        "Highest: Year 10 (42); lowest: Reception (3)."
    );
    assert_eq!(chart.svg.matches("fill=\"#0072B2\"").count(), 4);
}

#[test]
fn horizontal_bars_label_categories_and_values() {
    let mut t = by_year_group();
    t.rows[1][1] = Value::Null;
    let mut s = spec(ChartKind::HBar, "year_group", &["children"]);
    s.unit = "pounds".into();
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "Highest: Year 10 (£42); lowest: Reception (£3); 1 bar suppressed or missing."
    );
    assert!(chart.svg.contains("Reception"));
    assert!(chart.svg.contains("£42"));
}

#[test]
fn renders_are_deterministic() {
    let mut s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    s.comparators = vec!["national_cla".into()];
    let a = render_chart(&s, &absence()).expect("chart");
    let b = render_chart(&s, &absence()).expect("chart");
    assert_eq!(a, b);
}

#[test]
fn a_missing_column_is_named_with_the_columns_there_are() {
    let s = spec(ChartKind::Line, "term", &["overall_absense_rate"]);
    let e = render_chart(&s, &absence()).expect_err("no such column");
    let msg = e.to_string();
    assert!(msg.contains("`overall_absense_rate`"), "{msg}");
    assert!(
        msg.contains("term, overall_absence_rate, national_cla"),
        "{msg}"
    );
}

#[test]
fn text_in_a_value_column_is_an_error() {
    let s = spec(ChartKind::Bar, "overall_absence_rate", &["term"]);
    let e = render_chart(&s, &absence()).expect_err("text is not a number");
    assert!(matches!(e, ChartError::NotNumeric { row: 1, .. }), "{e}");
}

#[test]
fn an_empty_table_says_so() {
    let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    let chart = render_chart(&s, &ResultTable::default()).expect("chart");
    assert_eq!(chart.summary, "No data for this chart.");
    assert!(chart.svg.contains("No data for this chart"));
    assert!(chart.svg.contains("<title>Absence by term</title>"));
}

#[test]
fn all_figures_missing_still_draws_axes() {
    let mut t = absence();
    t.rows.iter_mut().for_each(|r| r[1] = Value::Null);
    let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "No figures to show: all 5 points are suppressed or missing."
    );
}

#[test]
fn titles_are_escaped() {
    let mut s = spec(ChartKind::Bar, "year_group", &["children"]);
    s.title = "Boys & girls <by year>".into();
    let chart = render_chart(&s, &by_year_group()).expect("chart");
    assert!(
        chart
            .svg
            .contains("<title>Boys &amp; girls &lt;by year&gt;</title>")
    );
}

#[test]
fn odd_tables_never_panic() {
    let wide = ResultTable {
        columns: (0..20)
            .map(|i| format!("series_{i}"))
            .chain(["x".to_string()])
            .collect(),
        rows: vec![
            (0..20)
                .map(|i| Value::Float(i as f64 * 1e300))
                .chain([Value::Null])
                .collect(),
            vec![Value::Int(1)],
        ],
    };
    let names: Vec<String> = (0..20).map(|i| format!("series_{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for kind in [ChartKind::Line, ChartKind::Bar, ChartKind::HBar] {
        for unit in ["percent", "count", "mean", "pounds", "odd"] {
            let mut s = spec(kind, "x", &names);
            s.unit = unit.into();
            let chart = render_chart(&s, &wide).expect("chart");
            assert!(chart.svg.contains("<title>"));
            let one = ResultTable {
                columns: vec!["x".into(), "y".into()],
                rows: vec![vec![Value::Null, Value::Float(-0.0)]],
            };
            let mut s = spec(kind, "x", &["y"]);
            s.unit = unit.into();
            let chart = render_chart(&s, &one).expect("chart");
            assert!(chart.summary.ends_with('.'), "{}", chart.summary);
        }
    }
}

#[test]
fn value_axes_are_nice() {
    let a = value_axis(&[8.1, 9.4], "percent", true, 0.0);
    assert_eq!((a.lo, a.hi, a.decimals), (0.0, 10.0, 0));
    assert_eq!(a.ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
    let a = value_axis(&[95.0, 99.0], "percent", true, 0.0);
    assert_eq!(a.hi, 100.0);
    let a = value_axis(&[17.0, 22.0], "mean", false, 0.0);
    assert_eq!((a.lo, a.hi), (16.0, 24.0));
    let a = value_axis(&[-3.0, 2.0], "count", true, 0.0);
    assert_eq!((a.lo, a.hi), (-3.0, 2.0));
    let a = value_axis(&[], "count", true, 0.0);
    assert_eq!((a.lo, a.hi), (0.0, 1.0));
}

#[test]
fn dashes_follow_the_pattern() {
    let d = dashes(&[(0, 0), (20, 0)], &[7.0, 4.0]);
    assert_eq!(d, vec![vec![(0, 0), (7, 0)], vec![(11, 0), (18, 0)]]);
}

#[test]
fn terms_get_short_names_and_grouped_years() {
    let cats: Vec<String> = [
        "2023-24-autumn",
        "2023-24-spring",
        "2023-24-summer",
        "2024-25-autumn",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let CategoryLabels::Terms {
        names,
        years,
        bounds,
    } = category_labels(&cats, 80.0)
    else {
        panic!("terms")
    };
    assert_eq!(names[0].as_deref(), Some("Autumn"));
    assert_eq!(
        years,
        vec![(1.0, "2023-24".to_string()), (3.0, "2024-25".to_string())]
    );
    assert_eq!(bounds, vec![2.5]);
    let CategoryLabels::Terms { names, .. } = category_labels(&cats, 30.0) else {
        panic!("terms")
    };
    assert_eq!(names[1].as_deref(), Some("Spr"));
}

mod panels;
