//! Drives the `cohort` binary on the hand-made fixture in `tests/fixtures/small`,
//! whose every figure was worked out by hand (see the comments beside each assertion).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn cohort() -> Command {
    let mut c = Command::cargo_bin("cohort").expect("binary");
    // Tests run at once; each that wants a history names its own.
    c.env("COHORT_NO_HISTORY", "1");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn metric(csv: &str, id: &str, period: &str, group: &str) -> f64 {
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == id && f[1] == period && f[3] == group)
        .and_then(|f| f[6].parse().ok())
        .unwrap_or_else(|| panic!("no metric {id} {period} {group} in\n{csv}"))
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-4, "{a} != {b}");
}

#[test]
fn fixture_figures_match_the_hand_arithmetic() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["run", "--data", "tests/fixtures/small", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let m = std::fs::read_to_string(out.path().join("metrics.csv")).unwrap();
    let t = "2024-25-autumn";
    // Three pupils of compulsory school age with 20 possible sessions each (C2's two Y1 marks
    // are not possible sessions); C4 (aged 3) and C5 (short break V3 only) are excluded.
    // Absences: C1 1 (I), C2 1 (O), C3 9 (5 I + 4 N) = 11 of 60 = 18.33%.
    close(
        metric(&m, "attendance.overall_absence_rate", t, "all"),
        11.0 / 60.0 * 100.0,
    );
    // Authorised 1 + 5 = 6 / 60 = 10%; unauthorised 1 + 4 = 5 / 60 = 8.33%.
    close(
        metric(&m, "attendance.authorised_absence_rate", t, "all"),
        10.0,
    );
    close(
        metric(&m, "attendance.unauthorised_absence_rate", t, "all"),
        5.0 / 60.0 * 100.0,
    );
    // Only C3 (9/20 = 45%) is at or over 10%: 1 of 3 pupils (pupil basis; each has one
    // enrolment, so 1 of 3 enrolments too); nobody at 50%.
    close(
        metric(&m, "attendance.persistent_absence_rate", t, "all"),
        100.0 / 3.0,
    );
    close(metric(&m, "attendance.severe_absence_rate", t, "all"), 0.0);
    // Suspensions: C3 twice (one lunchtime), C1 once = 3 per 3 pupils = 100 per 100;
    // pupils with one or more 2/3; C2 permanently excluded 1/3.
    close(metric(&m, "exclusions.suspension_rate", t, "all"), 100.0);
    close(
        metric(&m, "exclusions.one_plus_suspension_rate", t, "all"),
        200.0 / 3.0,
    );
    close(
        metric(&m, "exclusions.permanent_exclusion_rate", t, "all"),
        100.0 / 3.0,
    );
    // Roll on 31 Dec 2024: C1, C2, C3, C4, C7 (C5 short break, C6 and C8 left care) = 5;
    // EHC plan C1 only = 1/5 = 20%; in school 4, out of authority C2 only = 25%.
    close(metric(&m, "roll.children", t, "all"), 5.0);
    // The term before, 2023-24-summer, ended 31 Aug 2024: C1, C2 (second episode), C3 (V2 is
    // not a short break), C4, C7 and C12 (left 15 Dec 2024) = 6; C5 is on short breaks, C6,
    // C8, C9, C10 and C11 had left. 2023-24-autumn ended before the first attendance mark
    // (15 Jul 2024), so it has no figure rather than a false 0.
    close(metric(&m, "roll.children", "2023-24-summer", "all"), 6.0);
    assert!(
        !m.lines()
            .any(|l| l.starts_with("roll.children,2023-24-autumn,")),
        "a term before the data has a roll figure"
    );
    close(metric(&m, "roll.ehc_plan_rate", t, "all"), 20.0);
    close(metric(&m, "roll.out_of_authority_rate", t, "all"), 25.0);
    // Termly progress (progress.csv), 2024-25-autumn: 7 judgements, on track C1 reading,
    // C1 maths, C2 maths, C3 english = 4/7 = 57.14%; maths C1, C2 of C1, C2, C3 = 2/3.
    close(
        metric(&m, "progress.on_track_rate", t, "all subjects"),
        400.0 / 7.0,
    );
    close(
        metric(&m, "progress.on_track_rate", t, "maths"),
        200.0 / 3.0,
    );
    // 2023-24-summer: 3 judgements, on track C1 maths and C2 maths = 2/3.
    close(
        metric(
            &m,
            "progress.on_track_rate",
            "2023-24-summer",
            "all subjects",
        ),
        200.0 / 3.0,
    );
    // Movement from 2023-24-summer: C1 reading working towards -> expected (up), C1 maths
    // expected -> expected (same), C2 maths expected -> above (up): 2 of 3 pairs moved up;
    // maths 1 of 2.
    close(
        metric(&m, "progress.moved_up_rate", t, "all subjects"),
        200.0 / 3.0,
    );
    close(metric(&m, "progress.moved_up_rate", t, "maths"), 50.0);
    // From prior attainment: only C2 has an earlier KS2 result and a judgement now: reading
    // 104 (met) and now working towards in English = 0 of 1; maths 100 (met) and now above = 1 of 1.
    close(
        metric(
            &m,
            "progress.at_expected_from_ks2_rate",
            t,
            "English: KS2 expected met",
        ),
        0.0,
    );
    close(
        metric(
            &m,
            "progress.at_expected_from_ks2_rate",
            t,
            "maths: KS2 expected met",
        ),
        100.0,
    );
    // By cohort on 31 Dec 2024 (wider_cohort.csv): W1 previously in care; W3 with a social
    // worker (W2's membership ended in June); C9, 19 and out of care since her 18th
    // birthday, is a care leaver, and so are C10 (20, left care at 18 in 2022) and C11
    // (18, left at 18 in February 2024): 3.
    close(metric(&m, "roll.children", t, "Previously in care"), 1.0);
    close(metric(&m, "roll.children", t, "With a social worker"), 1.0);
    close(
        metric(&m, "roll.children", t, "Care leavers aged 18 to 25"),
        3.0,
    );
    close(metric(&m, "roll.children", t, "Children looked after"), 5.0);
    // SDQ from oc2.csv, 2023-24 (YEAR 2024): eligible aged 5-16 on 31 March 2024 (DfE's ages) are C1 (9),
    // C2 (11), C3 (15) and C7 (16, refused); C4 is 3. Scores 12, 18, 15: mean 45/3 = 15;
    // one each normal, borderline, concern = 33.33%; completion 3/4 = 75%.
    let y = "2023-24";
    close(metric(&m, "sdq.mean_total", y, "all"), 15.0);
    close(metric(&m, "sdq.concern_rate", y, "all"), 100.0 / 3.0);
    close(metric(&m, "sdq.normal_rate", y, "all"), 100.0 / 3.0);
    close(metric(&m, "sdq.borderline_rate", y, "all"), 100.0 / 3.0);
    close(metric(&m, "sdq.completion_rate", y, "all"), 75.0);
    // 2024-25 (YEAR 2025): C1 10 and C2 20: mean 15, concern 1/2 = 50%, completion 2/2.
    close(metric(&m, "sdq.mean_total", "2024-25", "all"), 15.0);
    close(metric(&m, "sdq.concern_rate", "2024-25", "all"), 50.0);
    // Two scores (sdq.csv): C1 14 -> 12 (-2, borderline -> normal, improved), C2 18 -> 20
    // (+2, concern both times): mean change (-2 + 2) / 2 = 0; improved a band 1 of 2.
    close(metric(&m, "sdq.mean_change", t, "all"), 0.0);
    close(metric(&m, "sdq.improved_band_rate", t, "all"), 50.0);
    // Care leavers (oc3.csv), 2024-25 (YEAR 2025), aged 19-21 on their birthday that year:
    // C9 19 (F2, EET), C10 20 (G5, NEET), C11 19 (not in touch, not known): NEET 1/3,
    // EET 1/3. 2023-24: C10 19 (G6) NEET 1/1 = 100%; C9 18 (F5) EET 100% at 18.
    close(metric(&m, "eet.neet_rate", "2024-25", "19-21"), 100.0 / 3.0);
    close(metric(&m, "eet.eet_rate", "2024-25", "19-21"), 100.0 / 3.0);
    close(metric(&m, "eet.neet_rate", y, "19-21"), 100.0);
    close(metric(&m, "eet.eet_rate", y, "18"), 100.0);
    // Repeat suspensions: only C3 has two (a suspension and a lunchtime) = 1/3, the same for
    // the term and for 2024-25 (the fixture's only term with marks).
    close(
        metric(&m, "exclusions.repeat_suspension_rate", t, "all"),
        100.0 / 3.0,
    );
    close(
        metric(&m, "exclusions.repeat_suspension_rate", "2024-25", "all"),
        100.0 / 3.0,
    );
    close(
        metric(&m, "exclusions.one_plus_suspension_rate", "2024-25", "all"),
        200.0 / 3.0,
    );
    // Sessions lost to suspensions: C3 4 + 1 and C1 2 = 7 over 2 pupils suspended = 3.5.
    close(
        metric(
            &m,
            "exclusions.sessions_lost_per_pupil_suspended",
            "2024-25",
            "all",
        ),
        3.5,
    );
    // Absence over 2024-25 (only the autumn has marks): as the term, 11/60 = 18.33%, one of
    // three persistently absent. All three are in the 2025 OC2 cohort, so the same figure.
    let y25 = "2024-25";
    close(
        metric(&m, "attendance.overall_absence_rate", y25, "all"),
        11.0 / 60.0 * 100.0,
    );
    close(
        metric(&m, "attendance.overall_absence_rate", y25, "OC2 cohort"),
        11.0 / 60.0 * 100.0,
    );
    close(
        metric(&m, "attendance.persistent_absence_rate", y25, "all"),
        100.0 / 3.0,
    );
    // Phase: C1 (Year 6) 1/20 = 5%; secondary C2 1 + C3 9 = 10/40 = 25%. SEN support (C3)
    // 9/20 = 45%. School outside the authority (C2 at S2) 1/20 = 5%.
    close(
        metric(&m, "attendance.overall_absence_rate", y25, "primary"),
        5.0,
    );
    close(
        metric(&m, "attendance.overall_absence_rate", y25, "secondary"),
        25.0,
    );
    close(
        metric(&m, "attendance.overall_absence_rate", y25, "SEN support"),
        45.0,
    );
    close(
        metric(
            &m,
            "attendance.overall_absence_rate",
            y25,
            "out of authority",
        ),
        5.0,
    );
    // PP+ this term (pp_plus.csv): requested 600 + 400 + 500 = 1500; approved R1 600 and R2
    // 400 for 2 children = 500 a child; linked to a PEP target R1 and R3 = 2/3.
    close(metric(&m, "ppplus.requested_amount", t, "all"), 1500.0);
    close(metric(&m, "ppplus.approved_per_child", t, "all"), 500.0);
    close(
        metric(&m, "ppplus.pep_target_linked_rate", t, "all"),
        200.0 / 3.0,
    );
    // PEPs by year and team (peps.csv): 2024-25 C1 and C4 (Team North) on time, C2 late and
    // C3 not completed (Team South): 2/4 = 50%; North 2/2 = 100%, South 0/2 = 0%.
    // 2023-24: C1's summer PEP on time (1/1) but rated red: green 0 of 1.
    close(metric(&m, "peps.on_time_rate", "2024-25", "all"), 50.0);
    close(
        metric(&m, "peps.on_time_rate", "2024-25", "Team North"),
        100.0,
    );
    close(
        metric(&m, "peps.on_time_rate", "2024-25", "Team South"),
        0.0,
    );
    close(metric(&m, "peps.on_time_rate", "2023-24", "all"), 100.0);
    close(metric(&m, "peps.qa_green_rate", "2023-24", "all"), 0.0);
    // Results of the 2023-24 OC2 cohort (C1-C4, C6-C8): KS2 C2 met (104, 100, EXS) and C6
    // did not (reading 99): 1/2 = 50%. KS4 C7 (4 and 5) met grade 4+, C8 (English 3) did
    // not: 1/2; Attainment 8 (30 + 21.5) / 2 = 25.75.
    close(
        metric(
            &m,
            "attainment.ks2_rwm_expected_rate",
            "2023-24",
            "OC2 cohort",
        ),
        50.0,
    );
    close(
        metric(
            &m,
            "attainment.ks4_basics_4plus_rate",
            "2023-24",
            "OC2 cohort",
        ),
        50.0,
    );
    close(
        metric(
            &m,
            "attainment.ks4_attainment8_mean",
            "2023-24",
            "OC2 cohort",
        ),
        25.75,
    );
    // Suspensions in 2024-25 by group: secondary C2 (none) and C3 (two) = 2 per 2 pupils =
    // 100 per 100, one or more 1/2, repeat 1/2; SEN support (C3) 2 per 1 = 200 per 100;
    // schools in the authority (C1 at S1, C3 at S4) 3 suspensions per 2 pupils = 150.
    close(
        metric(&m, "exclusions.suspension_rate", "2024-25", "secondary"),
        100.0,
    );
    close(
        metric(
            &m,
            "exclusions.one_plus_suspension_rate",
            "2024-25",
            "secondary",
        ),
        50.0,
    );
    close(
        metric(
            &m,
            "exclusions.repeat_suspension_rate",
            "2024-25",
            "secondary",
        ),
        50.0,
    );
    close(
        metric(&m, "exclusions.suspension_rate", "2024-25", "SEN support"),
        200.0,
    );
    close(
        metric(&m, "exclusions.suspension_rate", "2024-25", "in authority"),
        150.0,
    );
    // On track by year group this term: C1 (Year 6) 2 of 3 judgements; C2 (Year 7) 1 of 2;
    // C3 (Year 11) 1 of 2.
    close(
        metric(&m, "progress.on_track_rate", t, "Year 6"),
        200.0 / 3.0,
    );
    close(metric(&m, "progress.on_track_rate", t, "Year 7"), 50.0);
    close(metric(&m, "progress.on_track_rate", t, "Year 11"), 50.0);
    // Post-16 activity this term (post16.csv): C7 (16 on 31 August) in college, EET 1/1;
    // aged 19-21 C9 NEET (G5) and C10 in training (F5): EET 1/2.
    close(metric(&m, "eet.eet_rate", t, "16-17"), 100.0);
    close(metric(&m, "eet.eet_rate", t, "19-21"), 50.0);
    // SDQ by group, 2024-25: C1 (male, 10 on 31 March 2025, EHC plan) 10; C2 (female, 12, no
    // SEN) 20: female mean 20, aged 5-10 concern 0 of 1, aged 11-16 concern 1 of 1 (ages 5 to
    // 16, as wellbeing/sdq_by_year and DfE).
    close(metric(&m, "sdq.mean_total", "2024-25", "Female"), 20.0);
    close(metric(&m, "sdq.concern_rate", "2024-25", "5-10"), 0.0);
    close(metric(&m, "sdq.concern_rate", "2024-25", "11-16"), 100.0);
    // By school, 2024-25: C3 at S4 missed 9 of 20 sessions (45%) and had 2 suspensions (200
    // per 100); C1 at S1 missed 1 of 20 (5%).
    close(
        metric(&m, "attendance.overall_absence_rate", "2024-25", "S4"),
        45.0,
    );
    close(
        metric(&m, "attendance.overall_absence_rate", "2024-25", "S1"),
        5.0,
    );
    close(
        metric(&m, "exclusions.suspension_rate", "2024-25", "S4"),
        200.0,
    );
    // By characteristic (header.csv): males C1, C3, C7 = 3, females C2, C4 = 2; ethnicity
    // White (WBRI) C1, C4, C7 = 3, Mixed (MWBC) C2 = 1, Black (BAFR) C3 = 1.
    close(metric(&m, "roll.children", t, "Male"), 3.0);
    close(metric(&m, "roll.children", t, "Female"), 2.0);
    close(metric(&m, "roll.children", t, "White"), 3.0);
    close(metric(&m, "roll.children", t, "Mixed"), 1.0);
    close(metric(&m, "roll.children", t, "Black"), 1.0);
    // Its denominator in metrics.csv is the 4 in school, not the 5 on the roll.
    let row = m
        .lines()
        .find(|l| l.starts_with("roll.out_of_authority_rate,"))
        .unwrap();
    assert_eq!(row.split(',').nth(5), Some("4"), "{row}");
    // PEPs due: C1 on time, C2 late, C3 not completed, C4 on the due date = 2/4 = 50%;
    // rated 3 (green, amber, green) = 2/3 green.
    close(metric(&m, "peps.on_time_rate", t, "all"), 50.0);
    close(metric(&m, "peps.qa_green_rate", t, "all"), 200.0 / 3.0);
    // KS2 2023-24: C2 104/100/EXS meets (100 is the standard), C6 reading 99 does not = 1/2.
    close(
        metric(&m, "attainment.ks2_rwm_expected_rate", "2023-24", "all"),
        50.0,
    );
    close(
        metric(&m, "attainment.ks2_rwm_higher_rate", "2023-24", "all"),
        0.0,
    );
    // KS4 2023-24: A8 (30.0 + 21.5) / 2 = 25.75; 4+ in both: C7 (4, 5) only = 50%; 5+: none.
    close(
        metric(&m, "attainment.ks4_attainment8_mean", "2023-24", "all"),
        25.75,
    );
    close(
        metric(&m, "attainment.ks4_basics_4plus_rate", "2023-24", "all"),
        50.0,
    );
    close(
        metric(&m, "attainment.ks4_basics_5plus_rate", "2023-24", "all"),
        0.0,
    );
    // PP+: tier 2 approved 600 (R3's 500 declined); tier 3 approved 400.
    close(
        metric(
            &m,
            "ppplus.approved_amount",
            "2024-25",
            "Tier 2: Targeted academic support",
        ),
        600.0,
    );
    close(
        metric(
            &m,
            "ppplus.approved_amount",
            "2024-25",
            "Tier 3: Wider strategies",
        ),
        400.0,
    );
}

#[test]
fn report_is_self_contained_and_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        cohort()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "report",
                "termly-impact",
                "--data",
                "tests/fixtures/small",
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    let html = std::fs::read_to_string(a.path().join("termly-impact.html")).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(b.path().join("termly-impact.html")).unwrap()
    );
    for section in [
        "The roll",
        "Attendance",
        "Suspensions and exclusions",
        "Attainment",
        "Personal Education Plans",
        "Pupil Premium Plus",
        "Provenance",
    ] {
        assert!(html.contains(section), "missing section {section}");
    }
    assert!(html.matches("<svg").count() >= 8);
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
}

fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// Replaces `from` by `to` in one fixture file, runs, and checks the error and that nothing was written.
fn bad_input(file: &str, from: &str, to: &str, expected: &[&str]) {
    let data = copy_fixture();
    let path = data.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let out = data.path().join("out");
    let assert = cohort()
        .args(["run", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for e in expected {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn unparsable_date_names_file_line_column_and_value() {
    bad_input(
        "episodes.csv",
        "01/01/2023",
        "2023-01-01",
        &["episodes.csv:2", "`DECOM`", "`2023-01-01`", "dd/mm/YYYY"],
    );
}

#[test]
fn wrong_type_is_reported() {
    bad_input(
        "suspensions.csv",
        "suspension,4,",
        "suspension,four,",
        &["suspensions.csv:2", "`sessions`", "`four`", "whole number"],
    );
}

#[test]
fn code_not_valid_on_its_date_is_reported() {
    // H (holiday) was retired on 19 August 2024.
    bad_input(
        "attendance.csv",
        "2024-09-02,AM,/",
        "2024-09-02,AM,H",
        &["attendance.csv:2", "`mark`", "`H`", "valid on 2024-09-02"],
    );
}

#[test]
fn duplicate_key_is_reported() {
    bad_input(
        "schools.csv",
        "S2,",
        "S1,",
        &["schools.csv:3", "unique key", "line 2"],
    );
}

#[test]
fn orphan_reference_is_reported() {
    bad_input(
        "enrolments.csv",
        "C1,S1",
        "C1,S9",
        &["enrolments.csv:2", "`urn`", "`S9`", "schools.urn"],
    );
}

#[test]
fn missing_column_is_reported() {
    bad_input(
        "schools.csv",
        "urn,name,phase,type,trust,in_authority",
        "urn,name,phase,type,trust",
        &["schools.csv:1", "`in_authority`"],
    );
}

#[test]
fn missing_table_is_reported() {
    let data = copy_fixture();
    std::fs::remove_file(data.path().join("peps.csv")).unwrap();
    let assert = cohort()
        .args(["check", "--data"])
        .arg(data.path())
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("required table `peps`"));
}

#[test]
fn changed_sql_without_a_new_version_fails_check() {
    let q = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    std::fs::create_dir_all(q.path().join("reference")).unwrap();
    std::fs::copy(
        root.join("reference/national_benchmarks.sql"),
        q.path().join("reference/national_benchmarks.sql"),
    )
    .unwrap();
    let lock = std::fs::read_to_string(root.join("versions.lock")).unwrap();
    let line = lock
        .lines()
        .find(|l| l.starts_with("reference/national_benchmarks "))
        .unwrap();
    std::fs::write(q.path().join("versions.lock"), format!("{line}\n")).unwrap();
    // No templates: `check` also checks every template's analyses, and this folder holds one.
    let templates = tempfile::tempdir().unwrap();
    let check = || {
        let mut c = cohort();
        c.args(["check", "--data", "tests/fixtures/small", "--templates"])
            .arg(templates.path())
            .arg("--queries")
            .arg(q.path());
        c
    };
    check().assert().success();
    let f = q.path().join("reference/national_benchmarks.sql");
    let sql = std::fs::read_to_string(&f)
        .unwrap()
        .replace("ORDER BY measure", "ORDER BY cohort");
    std::fs::write(&f, sql).unwrap();
    let assert = check().assert().code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("Raise `version` to 2"));
}

#[test]
fn oc2_cohort_follows_the_domain_rule() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["run", "--data", "tests/fixtures/small", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("results/roll/oc2_cohort.csv")).unwrap();
    let members = |year: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .filter(|l| l.split(',').nth(1) == Some(year))
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    // Year to 31 March 2024 (domain.md section 1): C1, C3, C4, C6, C7, C8 in care all year;
    // C2 moved placement (an X1 end and a P start, so still in); out: C5 (V3 short breaks and
    // a start in the year), C9 and C11 (left care in the year, E5 and E17), C12 (new
    // episode with RNE = S in the year), C10 (left in 2022).
    assert_eq!(members("2024"), ["C1", "C2", "C3", "C4", "C6", "C7", "C8"]);
    // Year to 31 March 2025: C6 and C8 left (E4A), and C12 left on 15 December (E4A).
    assert_eq!(members("2025"), ["C1", "C2", "C3", "C4", "C7"]);
}

#[test]
fn pp_plus_difference_in_differences_by_hand() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["run", "--data", "tests/fixtures/small", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("results/ppplus/impact.csv")).unwrap();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("2023-24,intervention,tuition,"))
        .unwrap_or_else(|| panic!("no tuition row in\n{csv}"))
        .split(',')
        .collect();
    // R4 funds C1's tuition in 2023-24 summer (t). C1's on-track share: spring 0 of 2 (0%),
    // autumn 2024-25 2 of 3 (66.67%): change +66.67. Comparison, judged in both terms with
    // no approved request from t-3 to t+1: C3 only (C2 has mentoring approved at t+1;
    // C3's request was declined): 1 of 2 both times, change 0. DiD = 66.67 - 0 = 66.67;
    // one child each side, so too few to say; cost per child 300.
    assert_eq!(row[3], "1");
    assert!((row[4].parse::<f64>().unwrap() - 200.0 / 3.0).abs() < 1e-6);
    assert_eq!(row[5], "1");
    assert!(row[6].parse::<f64>().unwrap().abs() < 1e-9);
    assert!((row[7].parse::<f64>().unwrap() - 200.0 / 3.0).abs() < 1e-6);
    assert_eq!(row[10], "300");
    assert_eq!(row[11], "too few to say");
}

#[test]
fn attendance_codes_follow_the_august_2024_change() {
    // C1 has J on 16 July 2024 (old set: at an interview, an approved educational activity,
    // so present) and J1 on 4 September 2024 (new set: leave of absence for an interview, an
    // authorised absence). Summer 2023-24: 4 possible sessions, 4 present, absence 0%.
    // Autumn 2024-25: 20 possible, 19 present, 1 authorised absence.
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["run", "--data", "tests/fixtures/small", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let m = std::fs::read_to_string(out.path().join("metrics.csv")).unwrap();
    close(
        metric(
            &m,
            "attendance.overall_absence_rate",
            "2023-24-summer",
            "all",
        ),
        0.0,
    );
    let sessions =
        std::fs::read_to_string(out.path().join("results/attendance/sessions_by_term.csv"))
            .unwrap();
    assert!(
        sessions.contains("C1,S1,2023-24-summer,6071,2023-24,9,4,4,0,0"),
        "{sessions}"
    );
    assert!(
        sessions.contains("C1,S1,2024-25-autumn,6072,2024-25,10,20,19,1,0"),
        "{sessions}"
    );
    // And J itself is refused after the change: the catalog names the date and the list.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("tests/fixtures/small").unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let marks = dir.path().join("attendance.csv");
    let text = std::fs::read_to_string(&marks)
        .unwrap()
        .replace("C1,S1,2024-09-04,AM,J1", "C1,S1,2024-09-04,AM,J");
    std::fs::write(&marks, text).unwrap();
    cohort()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("2024-09-04").and(predicates::str::contains("`J`")));
}

#[test]
fn attendance_alerts_name_children_whose_attendance_fell() {
    // C3 attended all 4 sessions in summer 2023-24 (100%) and 11 of 20 in autumn 2024-25
    // (55%), the 10 school days 2-13 September being all their marks this term: 55 <= 100 - 10.
    // C1 went from 100% to 95% (19/20): a 5-point fall, no alert; C2 has no previous term.
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args(["run", "--data", "tests/fixtures/small", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let alerts = std::fs::read_to_string(out.path().join("results/attendance/alerts.csv")).unwrap();
    let rows: Vec<&str> = alerts.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            "2024-25-autumn,C3,S4,2024-09-02,2024-09-13,55,55,100,fell 10 points or more in the last four weeks"
        ]
    );
}

#[test]
fn headline_table_compares_with_the_term_before_and_national() {
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "report",
            "termly-impact",
            "--data",
            "tests/fixtures/small",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("termly-impact.html")).unwrap();
    let start = html.find("class=\"headlines\"").expect("a headline table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let row = |label: &str| -> Vec<String> {
        let i = table
            .find(&format!("<td>{label}</td>"))
            .unwrap_or_else(|| panic!("{label}"));
        let r = &table[i..i + table[i..].find("</tr>").unwrap()];
        r.split("</td>")
            .filter_map(|c| c.rsplit('>').next())
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    // Overall absence 11/60 = 18.3% this term; 0 of 8 sessions missed in summer 2023-24,
    // so up 18.3 points; national CLA 2024-25 9.0% (domain.md section 9).
    assert_eq!(
        row("Overall absence"),
        [
            "Overall absence",
            "Autumn term 2024",
            "18.3%",
            "up 18.3 pts",
            "–",
            "9.0% (2024/25)"
        ]
    );
    // PEPs on time 2/4 = 50% against 1/1 = 100% in summer 2023-24: down 50 points.
    assert_eq!(row("PEPs completed on time")[3], "down 50.0 pts");
    // SDQ is yearly: 15.0 in 2024-25 and in 2023-24.
    assert_eq!(
        row("SDQ average total difficulties score")[2..4],
        ["15.0", "no change"]
    );
}

#[test]
fn report_without_a_name_lists_the_templates_with_their_audience_and_title() {
    let assert = cohort().arg("report").assert().success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for (name, audience) in [
        ("termly-impact", "leadership"),
        ("board-annual", "board"),
        ("school-on-a-page", "school"),
        ("attendance-alerts", "officers"),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} not listed: {text}"));
        assert!(line.contains(audience), "{line}");
    }
}
