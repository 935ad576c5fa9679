//! Forest plots, and series drawn as panels on one scale.

use super::*;

#[test]
fn a_forest_plot_colours_bars_by_finding_and_draws_each_interval() {
    let mut s = spec(ChartKind::HBar, "factor", &["gap"]);
    s.unit = Unit::Points;
    s.forest = Some(crate::analysis::ForestSpec {
        lower: "lower".into(),
        upper: "upper".into(),
        colour_by: Some("finding".into()),
        n: None,
    });
    let row = |f: &str, gap: f64, lo: Value, hi: Value, finding: &str| {
        vec![text(f), Value::Float(gap), lo, hi, text(finding)]
    };
    let table = ResultTable {
        columns: ["factor", "gap", "lower", "upper", "finding"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            // 22.9 pts, interval 8.5 to 36.1: excludes zero, a facilitator (blue bar).
            row(
                "Attendance above 95%",
                22.9,
                Value::Float(8.5),
                Value::Float(36.1),
                "Facilitator",
            ),
            // -35.7 pts, interval -50.7 to -11.5: a barrier (orange bar).
            row(
                "3 or more placements",
                -35.7,
                Value::Float(-50.7),
                Value::Float(-11.5),
                "Barrier",
            ),
            // No interval (too few): a grey bar and no interval line.
            row(
                "Alternative provision",
                1.0,
                Value::Null,
                Value::Null,
                "Too few to say",
            ),
        ],
    };
    let chart = render_chart(&s, &table).expect("forest");
    assert!(chart.svg.contains("fill=\"#0072B2\""), "no facilitator bar");
    assert!(chart.svg.contains("fill=\"#D55E00\""), "no barrier bar");
    assert!(chart.svg.contains("fill=\"#8C8C8C\""), "no grey bar");
    assert!(chart.summary.contains("95% interval"), "{}", chart.summary);
    // The sentence names the groups by finding: the "too few to say" row, though its bar
    // (1.0) is higher than the barrier's, is never the "highest" of anything.
    assert!(
        chart.summary.starts_with(
            "Facilitators: Attendance above 95%, +22.9 pts; barriers: 3 or more placements, -35.7 pts; too few children to say for 1 group."
        ),
        "{}",
        chart.summary
    );
    assert!(!chart.summary.contains("Highest"), "{}", chart.summary);
    // Two intervals, each a line and two end caps, in the text colour: six paths.
    let lines = chart.svg.matches("stroke=\"#222222\"").count();
    assert!(lines >= 6, "{lines} dark strokes");
    // Without the intervals, no interval lines are drawn.
    let without = {
        let mut t = table.clone();
        for r in &mut t.rows {
            r[2] = Value::Null;
            r[3] = Value::Null;
        }
        render_chart(&s, &t).expect("no intervals")
    };
    assert_ne!(chart.svg, without.svg);
    assert!(
        chart.svg.matches("stroke=\"#222222\"").count()
            > without.svg.matches("stroke=\"#222222\"").count()
    );
}

/// Overall absence for six year groups over two years, with the national figure in each row:
/// Year 7 is 5.0 then 6.0, each later group one point higher, so Year 12 is 10.0 then 11.0.
fn six_year_groups() -> ResultTable {
    let mut rows = Vec::new();
    for (year, national, add) in [("2023/24", 8.8, 0.0), ("2024/25", 9.0, 1.0)] {
        for g in 0..6 {
            rows.push(vec![
                text(year),
                text(&format!("Year {}", 7 + g)),
                Value::Float(5.0 + g as f64 + add),
                Value::Float(national),
            ]);
        }
    }
    ResultTable {
        columns: vec![
            "academic_year".into(),
            "group".into(),
            "overall_absence_rate".into(),
            "national_overall".into(),
        ],
        rows,
    }
}

fn year_group_spec() -> ChartSpec {
    let mut s = spec(ChartKind::Line, "academic_year", &["overall_absence_rate"]);
    s.series = Some("group".into());
    s.comparators = vec!["national_overall".into()];
    s
}

#[test]
fn more_than_four_series_are_drawn_as_panels_on_one_scale() {
    let chart = render_chart(&year_group_spec(), &six_year_groups()).expect("chart");
    let svg = &chart.svg;
    // Six panels, two across: three rows, each panel moved into place by a transform.
    assert_eq!(svg.matches("<g transform=\"translate(").count(), 6, "{svg}");
    assert!(svg.contains("translate(0,0)"));
    assert!(
        svg.contains("translate(365,0)"),
        "the second panel sits (720 - 10) / 2 + 10 across"
    );
    // One series colour: each panel draws its own group in the first colour, and the
    // national line dashed in grey in every panel.
    assert_eq!(
        polylines_in(svg, "#D55E00"),
        0,
        "no second series colour in any panel"
    );
    // Each panel draws its line and names its group with the same colour in its legend.
    assert_eq!(
        polylines_in(svg, "#0072B2"),
        12,
        "one line and one legend swatch per panel"
    );
    // One scale: the values run from 5.0 (Year 7, 2023/24) to 11.0 (Year 12, 2024/25), so
    // every panel labels the same ticks, up to one at or above 11% (Year 7's own values would
    // stop its axis near 6%).
    let ticks: Vec<Vec<f64>> = svg
        .split("<g transform=")
        .skip(1)
        .map(|panel| {
            panel
                .lines()
                .filter_map(|l| l.trim().strip_suffix('%')?.parse::<f64>().ok())
                .collect()
        })
        .collect();
    assert_eq!(ticks.len(), 6);
    assert!(ticks.iter().all(|t| *t == ticks[0]), "{ticks:?}");
    assert!(ticks[0].iter().any(|t| *t >= 11.0), "{ticks:?}");
    assert!(
        chart
            .summary
            .starts_with("Drawn as 6 panels on one scale, one for each group, each with the comparison lines. In 2024/25: Year 7 6.0%"),
        "{}",
        chart.summary
    );
    assert!(chart.summary.contains("Year 12 11.0%"), "{}", chart.summary);
}

#[test]
fn four_series_stay_one_chart_and_declared_panels_split_even_two() {
    let four = ResultTable {
        rows: six_year_groups()
            .rows
            .into_iter()
            .filter(|r| !matches!(&r[1], Value::Text(g) if g == "Year 11" || g == "Year 12"))
            .collect(),
        ..six_year_groups()
    };
    let chart = render_chart(&year_group_spec(), &four).expect("chart");
    assert_eq!(chart.svg.matches("<g transform=\"translate(").count(), 0);
    assert!(!chart.summary.starts_with("Drawn as"));

    let mut declared = year_group_spec();
    declared.series = None;
    declared.panels = Some("group".into());
    let two = ResultTable {
        rows: four
            .rows
            .into_iter()
            .filter(|r| matches!(&r[1], Value::Text(g) if g == "Year 7" || g == "Year 8"))
            .collect(),
        ..six_year_groups()
    };
    let chart = render_chart(&declared, &two).expect("chart");
    assert_eq!(chart.svg.matches("<g transform=\"translate(").count(), 2);
    assert!(
        chart.summary.starts_with("Drawn as 2 panels"),
        "{}",
        chart.summary
    );
}

#[test]
fn panels_that_contradict_the_series_are_refused() {
    let mut s = year_group_spec();
    s.panels = Some("academic_year".into());
    let err = render_chart(&s, &six_year_groups()).expect_err("contradiction");
    assert!(
        err.to_string().contains("must name the same column"),
        "{err}"
    );
    let mut s = year_group_spec();
    s.kind = ChartKind::HBar;
    s.panels = Some("group".into());
    let err = render_chart(&s, &six_year_groups()).expect_err("h_bar");
    assert!(err.to_string().contains("not horizontal bars"), "{err}");
}
