//! The chart's unit tests: summaries, drawing details, axes, dashes and category labels;
//! forest plots and panels in [`panels`].

use super::axes::{CategoryLabels, category_labels, value_axis};
use super::primitives::dashes;
use super::summary::lower_first;
use super::{ChartError, prettify, render_chart};
use crate::analysis::{ChartKind, ChartSpec, Unit};
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
        unit: Unit::Percent,
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
        ("2023-24-autumn", Value::Suppressed, Value::Float(9.2)),
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
    // The gap is labelled `c` where the line would pass, and the legend says what `c` means.
    assert!(svg.contains("suppressed: too few children to publish"));
    assert_eq!(gap_labels(svg), vec!["c".to_string(), "c".to_string()]);
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
        "Overall absence rate: 9.4% in summer term 2025; national CLA 9.0%; 1 point suppressed (c)."
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
        "In summer term 2025: overall absence rate 9.4% and authorised absence rate 6.1% in spring term 2024; 1 point suppressed (c) and 1 point with no data."
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
    s.unit = Unit::Count;
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
    s.unit = Unit::Pounds;
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "Highest: Year 10 (£42); lowest: Reception (£3); 1 bar with no data."
    );
    assert!(chart.svg.contains("Reception"));
    assert!(chart.svg.contains("£42"));
    assert_eq!(gap_labels(&chart.svg), vec!["No data".to_string()]);
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
fn a_chart_with_no_figure_is_not_drawn_and_says_why() {
    let mut t = absence();
    t.rows.iter_mut().for_each(|r| r[1] = Value::Suppressed);
    let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    let chart = render_chart(&s, &t).expect("chart");
    assert!(!chart.drawn);
    assert_eq!(
        chart.summary,
        "Not drawn: all 5 of its figures are suppressed, because each rests on so few children that publishing it could identify a child."
    );
    t.rows.iter_mut().for_each(|r| r[1] = Value::Null);
    let chart = render_chart(&s, &t).expect("chart");
    assert!(!chart.drawn);
    assert_eq!(
        chart.summary,
        "Not drawn: the data holds no figures for it yet."
    );
    assert!(render_chart(&s, &absence()).expect("chart").drawn);
}

/// The texts of a chart's gap labels (muted italics), in drawing order: the labels in the
/// plot, then the legend's `c` when a figure is suppressed.
fn gap_labels(svg: &str) -> Vec<String> {
    let lines: Vec<&str> = svg.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("<text") && w[0].contains("font-style=\"italic\""))
        .map(|w| w[1].trim().to_string())
        .collect()
}

/// How many hollow (white-filled) markers a chart has: how a gap used to sit on the axis.
fn hollow_markers(svg: &str) -> usize {
    svg.lines()
        .filter(|l| {
            (l.starts_with("<circle") || l.starts_with("<polygon"))
                && l.contains("fill=\"#FFFFFF\"")
        })
        .count()
}

#[test]
fn a_suppressed_bar_is_labelled_c_above_the_baseline_not_drawn_as_a_zero() {
    // Three bars, the middle one suppressed: two blue bars, no hollow marker, and a `c`
    // standing above the baseline in the middle slot.
    let mut t = by_year_group();
    t.rows.truncate(3);
    t.rows[1][1] = Value::Suppressed;
    let mut s = spec(ChartKind::Bar, "year_group", &["children"]);
    s.unit = Unit::Count;
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(hollow_markers(&chart.svg), 0, "{}", chart.svg);
    assert_eq!(
        gap_labels(&chart.svg),
        vec!["c".to_string(), "c".to_string()]
    );
    assert!(
        chart.summary.ends_with("; 1 bar suppressed (c)."),
        "{}",
        chart.summary
    );
    // The bar for Reception (3) and for Year 10 (42): the `c` is not among the bars' fills.
    let bars = chart
        .svg
        .lines()
        .filter(|l| l.starts_with("<rect") && l.contains("fill=\"#0072B2\""))
        .count();
    assert_eq!(bars, 2, "{}", chart.svg);
}

#[test]
fn a_seasonal_line_compares_a_term_with_the_same_term_a_year_earlier() {
    // Autumn 5.0, spring 4.0, summer 6.0 in 2023-24; autumn 5.5, spring 4.4, summer 6.5 in
    // 2024-25. The latest (summer 2025, 6.5%) against summer 2024 (6.0%): up 0.5 points,
    // not "from 5.0% to 6.5%" (first to last, which mixes an autumn with a summer).
    let rows = [
        ("2023-24-autumn", 5.0),
        ("2023-24-spring", 4.0),
        ("2023-24-summer", 6.0),
        ("2024-25-autumn", 5.5),
        ("2024-25-spring", 4.4),
        ("2024-25-summer", 6.5),
    ];
    let t = ResultTable {
        columns: vec!["term".into(), "overall_absence_rate".into()],
        rows: rows
            .into_iter()
            .map(|(term, v)| vec![text(term), Value::Float(v)])
            .collect(),
    };
    let s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "Overall absence rate: 6.5% in summer term 2025, up 0.5 percentage points on summer term 2024 (6.0%)."
    );
}

#[test]
fn bars_over_years_compare_within_each_series_never_across() {
    // One or more: 6.9, 11.4, 8.9; two or more: 1.0, 1.4, 0.4. The old sentence named the
    // highest bar of one series and the lowest of the other; each is read at 2024/25.
    let rows = [
        ("2022-23", 6.9, 1.0),
        ("2023-24", 11.4, 1.4),
        ("2024-25", 8.9, 0.4),
    ];
    let t = ResultTable {
        columns: vec![
            "academic_year".into(),
            "one_or_more".into(),
            "two_or_more".into(),
        ],
        rows: rows
            .into_iter()
            .map(|(y, a, b)| vec![text(y), Value::Float(a), Value::Float(b)])
            .collect(),
    };
    let s = spec(
        ChartKind::Bar,
        "academic_year",
        &["one_or_more", "two_or_more"],
    );
    let chart = render_chart(&s, &t).expect("chart");
    assert_eq!(
        chart.summary,
        "In 2024/25: one or more 8.9% and two or more 0.4%."
    );
    // A series with no figure in any year says why, not "no figures": every one of its
    // three suppressed (c), or none in the data.
    let mut hidden = t.clone();
    hidden
        .rows
        .iter_mut()
        .for_each(|r| r[2] = Value::Suppressed);
    assert_eq!(
        render_chart(&s, &hidden).expect("chart").summary,
        "In 2024/25: one or more 8.9% and two or more suppressed (c); 3 bars suppressed (c)."
    );
    hidden.rows.iter_mut().for_each(|r| r[2] = Value::Null);
    assert!(
        render_chart(&s, &hidden)
            .expect("chart")
            .summary
            .starts_with("In 2024/25: one or more 8.9% and two or more not in the data"),
    );
    // Groups, not years: highest and lowest within each series.
    let groups = ResultTable {
        columns: t.columns.clone(),
        rows: vec![
            vec![text("Primary"), Value::Float(6.0), Value::Float(1.0)],
            vec![text("Secondary"), Value::Float(9.0), Value::Float(0.5)],
        ],
    };
    let s = spec(
        ChartKind::Bar,
        "academic_year",
        &["one_or_more", "two_or_more"],
    );
    let chart = render_chart(&s, &groups).expect("chart");
    assert_eq!(
        chart.summary,
        "One or more: highest Secondary (9.0%), lowest Primary (6.0%); Two or more: highest Primary (1.0%), lowest Secondary (0.5%)."
    );
}

#[test]
fn codes_in_a_chart_print_as_their_labels() {
    // `foster_kin` is an identifier: "Foster kin", as a table prints it; `SEMH` is a code
    // of the primary-need list: its label.
    let t = ResultTable {
        columns: vec!["primary_need".into(), "children".into()],
        rows: vec![
            vec![text("foster_kin"), Value::Int(4)],
            vec![text("SEMH"), Value::Int(9)],
        ],
    };
    let mut s = spec(ChartKind::HBar, "primary_need", &["children"]);
    s.unit = Unit::Count;
    let chart = render_chart(&s, &t).expect("chart");
    assert!(chart.svg.contains("Foster kin"), "{}", chart.svg);
    assert!(!chart.svg.contains("foster_kin"));
    assert_eq!(
        chart.summary,
        "Highest: Social, emotional and mental health (9); lowest: Foster kin (4)."
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
        for unit in Unit::ALL {
            let mut s = spec(kind, "x", &names);
            s.unit = unit;
            let chart = render_chart(&s, &wide).expect("chart");
            assert!(chart.svg.contains("<title>"));
            let one = ResultTable {
                columns: vec!["x".into(), "y".into()],
                rows: vec![vec![Value::Null, Value::Float(-0.0)]],
            };
            let mut s = spec(kind, "x", &["y"]);
            s.unit = unit;
            let chart = render_chart(&s, &one).expect("chart");
            assert!(chart.summary.ends_with('.'), "{}", chart.summary);
        }
    }
}

#[test]
fn value_axes_are_nice() {
    let a = value_axis(&[8.1, 9.4], Unit::Percent, true, 0.0);
    assert_eq!((a.lo, a.hi, a.decimals), (0.0, 10.0, 0));
    assert_eq!(a.ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
    let a = value_axis(&[95.0, 99.0], Unit::Percent, true, 0.0);
    assert_eq!(a.hi, 100.0);
    let a = value_axis(&[17.0, 22.0], Unit::Mean, false, 0.0);
    assert_eq!((a.lo, a.hi), (16.0, 24.0));
    let a = value_axis(&[-3.0, 2.0], Unit::Count, true, 0.0);
    assert_eq!((a.lo, a.hi), (-3.0, 2.0));
    let a = value_axis(&[], Unit::Count, true, 0.0);
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

/// Each text of a chart with where it starts: (x, y, text), in drawing order.
fn texts(svg: &str) -> Vec<(f64, f64, String)> {
    let attr = |line: &str, name: &str| -> Option<f64> {
        let (_, rest) = line.split_once(&format!(" {name}=\""))?;
        rest.split_once('"')?.0.parse().ok()
    };
    let lines: Vec<&str> = svg.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("<text"))
        .filter_map(|w| Some((attr(w[0], "x")?, attr(w[0], "y")?, w[1].trim().to_string())))
        .collect()
}

#[test]
fn a_small_charts_legend_wraps_what_it_cannot_fit_rather_than_cutting_it() {
    // Set three across (270 px), the legend has under 200 px beside the value axis: the
    // gap's label, "suppressed: too few children to publish" (about 235 px at 12 px), goes
    // onto two lines, the second under the first, each inside the frame; nothing is cut.
    let mut s = spec(ChartKind::Line, "term", &["overall_absence_rate"]);
    s.comparators = vec!["national_cla".into()];
    let chart = super::render_small(&s, &absence()).expect("chart");
    assert!(!chart.svg.contains('…'), "{}", chart.svg);
    let all = texts(&chart.svg);
    let words: Vec<&str> = "suppressed: too few children to publish"
        .split(' ')
        .collect();
    let (first, second) = (1..words.len())
        .find_map(|k| {
            let (a, b) = (words[..k].join(" "), words[k..].join(" "));
            let at = |t: &str| all.iter().find(|(_, _, s)| s == t).cloned();
            Some((at(&a)?, at(&b)?))
        })
        .expect("the label on two lines");
    assert_eq!(first.0, second.0, "the second line starts under the first");
    assert!(second.1 > first.1, "the second line is below the first");
    for (x, _, t) in [&first, &second] {
        let right = x + super::style::text_width(t, super::style::LABEL_PX);
        assert!(right <= 270.0, "`{t}` runs to {right} px of 270");
    }
    // The plot starts below the legend's second line: no tick label or marker above it.
    let lowest_legend = second.1;
    assert!(
        all.iter()
            .filter(|(_, _, t)| t.ends_with('%'))
            .all(|(_, y, _)| *y > lowest_legend),
        "a value label sits in the legend: {all:?}"
    );
    // Drawn full width, the same label fits on one line.
    let full = render_chart(&s, &absence()).expect("chart");
    assert!(
        texts(&full.svg)
            .iter()
            .any(|(_, _, t)| t == "suppressed: too few children to publish")
    );
}
