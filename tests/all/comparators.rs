//! Comparators from DfE's own published files: the derived set is repeatable from
//! `../shared/dfe`, and the authority's comparison matches figures worked out by hand
//! from those files.

use super::common::root;
use cohort::app::{self, Project};
use cohort::run::{ResultTable, Value};
use std::path::Path;

fn project(la_code: Option<&str>) -> Project {
    Project {
        data: root().join("tests/fixtures/small"),
        queries: root().join("queries"),
        templates: root().join("report-templates"),
        la_code: la_code.map(str::to_string),
        ..Project::default()
    }
}

fn result(project: &Project, id: &str) -> ResultTable {
    let (output, _) = app::run(project, None, Some(&[id.to_string()])).expect("runs");
    output.result(id).expect("ran").result.clone()
}

/// The row for `measure` in `academic_year`, as column -> value.
fn row<'a>(t: &'a ResultTable, measure: &str, year: &str) -> impl Fn(&str) -> &'a Value + 'a {
    let m = t.column_index("measure").expect("measure column");
    let y = t
        .column_index("academic_year")
        .expect("academic_year column");
    let r = t
        .rows
        .iter()
        .find(|r| r[m] == Value::Text(measure.into()) && r[y] == Value::Text(year.into()))
        .unwrap_or_else(|| panic!("no row for {measure} {year}"));
    move |c: &str| &r[t.column_index(c).unwrap_or_else(|| panic!("no column {c}"))]
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{v:?} is not a number"))
}

#[test]
fn the_shipped_set_is_what_dfe_files_give() {
    let dfe = root().join("../shared/dfe");
    if !dfe.join("absence_la.csv").is_file() {
        // CI has shared/ beside the clone; a bare checkout elsewhere cannot re-derive.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/dfe"
        );
        eprintln!("skipped: ../shared/dfe not found");
        return;
    }
    let derived = cohort::comparators::derive_from(&dfe).expect("derives");
    let shipped =
        |name: &str| std::fs::read_to_string(root().join("src/contract/dfe").join(name)).unwrap();
    assert!(
        derived.comparators == shipped("comparators.csv"),
        "src/contract/dfe/comparators.csv is stale: run `cohort comparators`"
    );
    assert!(derived.neighbours == shipped("statistical_neighbours.csv"));
    // Every figure keeps its source file, and KS2/KS4 figures their DfE version.
    assert!(
        derived
            .comparators
            .lines()
            .skip(1)
            .all(|l| l.contains("_la.csv")
                || l.contains("la_care_leavers_activity.csv")
                || l.contains("la_conviction_health_outcome_cla.csv")
                || l.contains("cla_number_and_rate_per_10k_children.csv")
                || l.contains("la_cla_placement_stability.csv")
                || l.contains("la_cla_school_moves.csv"))
    );
}

#[test]
fn peterborough_against_england_its_region_and_neighbours() {
    let t = result(&project(Some("874")), "reference/la_comparators");
    let pa = row(&t, "attendance.persistent_absence_rate", "2024-25");
    // absence_la.csv, CLA 12 months at 31 March, phase Total, 202425 (pupil basis):
    // Peterborough (874) 17.2; England 20.3; East of England 17.6.
    assert_eq!(num(pa("la_value")), 17.2);
    assert_eq!(num(pa("england")), 20.3);
    assert_eq!(num(pa("region")), 17.6);
    assert_eq!(pa("region_name"), &Value::Text("East of England".into()));
    // DfE's 2025 neighbours of 874 and their 2024/25 figures: Coventry 18.9, Derby 19.7,
    // Hillingdon 27, Bolton 25.6, Southampton 22.5, Walsall 17.4, Luton 16.2, Rochdale 22.7,
    // Wolverhampton 19, Thurrock 21.9: sum 210.9 over 10 = 21.09, range 16.2 to 27.
    assert!((num(pa("neighbours_mean")) - 21.09).abs() < 1e-9);
    assert_eq!(num(pa("neighbours_min")), 16.2);
    assert_eq!(num(pa("neighbours_max")), 27.0);
    assert_eq!(num(pa("neighbours_with_figure")), 10.0);
    // 150 authorities have a figure and 30 are below 17.2: position 31, floor(4 x 30 / 150) + 1 = 1.
    assert_eq!(num(pa("authorities")), 150.0);
    assert_eq!(num(pa("quartile")), 1.0);
    // 116 pupils in DfE's 2024/25 figure for Peterborough, 9.3% overall absence.
    assert_eq!(
        num(row(&t, "attendance.pupils", "2024-25")("la_value")),
        116.0
    );
    assert_eq!(
        num(row(&t, "attendance.overall_absence_rate", "2024-25")(
            "la_value"
        )),
        9.3
    );
    // A year DfE published no figure for (2019/20, pandemic): the symbol, not a number.
    let x = row(&t, "attendance.overall_absence_rate", "2019-20");
    assert_eq!(x("la_value"), &Value::Null);
    assert_eq!(x("la_symbol"), &Value::Text("x".into()));
}

#[test]
fn without_an_authority_there_is_no_local_comparison() {
    let t = result(&project(None), "reference/la_comparators");
    assert!(t.rows.is_empty());
    let e = app::comparators::reconcile(&project(None), None).unwrap_err();
    assert!(e.to_string().contains("la_code"), "{e}");
}

#[test]
fn la_code_comes_from_cohort_toml_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |text: &str| std::fs::write(dir.path().join("cohort.toml"), text).unwrap();
    write("[authority]\nla_code = 874\nname = \"Peterborough\"\n");
    assert_eq!(
        app::default_la_code(dir.path()).unwrap().as_deref(),
        Some("874")
    );
    write("[authority]\nla_code = 8740\n");
    let e = app::default_la_code(dir.path()).unwrap_err().to_string();
    assert!(e.contains("three-digit"), "{e}");
    assert_eq!(
        app::default_la_code(Path::new("/nonexistent")).unwrap(),
        None
    );
}

#[test]
fn every_national_benchmark_agrees_with_dfes_own_file() {
    // The hand-typed national figures (src/contract/benchmarks.csv, domain.md section 9) against
    // the England rows derived from DfE's files, wherever both have the figure.
    let read = |name: &str| {
        let text = std::fs::read_to_string(root().join("src/contract").join(name)).unwrap();
        let mut r = csv::Reader::from_reader(std::io::Cursor::new(text.into_bytes()));
        let header = r.headers().unwrap().clone();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                header
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect::<std::collections::HashMap<_, _>>()
            })
            .collect::<Vec<_>>()
    };
    let benchmarks = read("benchmarks.csv");
    let comparators = read("dfe/comparators.csv");
    let mut compared = 0;
    for b in &benchmarks {
        let Some(c) = comparators.iter().find(|c| {
            c["geographic_level"] == "National"
                && c["measure"] == b["measure"]
                && c["academic_year"] == b["academic_year"]
                && c["cohort"] == b["cohort"]
        }) else {
            continue;
        };
        let (ours, dfe): (f64, f64) = (b["value"].parse().unwrap(), c["value"].parse().unwrap());
        assert!(
            (ours - dfe).abs() < 1e-9,
            "{} {} {}: benchmarks.csv has {ours}, DfE's {} has {dfe}",
            b["measure"],
            b["academic_year"],
            b["cohort"],
            c["source_file"]
        );
        compared += 1;
    }
    // 43 of the hand-typed figures are in DfE's files (absence, KS2, KS4, SDQ, care leavers).
    assert!(
        compared >= 40,
        "only {compared} benchmarks found in DfE's files"
    );
}
