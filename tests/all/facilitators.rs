//! Facilitators and barriers: Newcombe's interval against the published worked example,
//! the adjusted odds ratio against the 2x2 arithmetic, and, on generated data, the
//! relationships the generator plants found and the independent ones not.

use super::common::cohort;
use std::fmt::Write as _;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// 150 pupils with KS2 results in 2023-24, all in care since 2020: 70 with SEN support, of
/// whom 56 met the expected standard; 80 without SEN, of whom 48 did. Nothing else varies.
fn newcombe_fixture(dir: &Path) {
    let mut header = String::from("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n");
    let mut episodes = String::from(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n",
    );
    let mut ks2 =
        String::from("child,academic_year,reading_score,maths_score,gps_score,writing_ta\n");
    let mut sen = String::from("child,academic_year,sen_status,primary_need\n");
    for i in 0..150 {
        let child = format!("N{i:03}");
        let with_sen = i < 70;
        let achieved = if with_sen { i < 56 } else { i < 70 + 48 };
        writeln!(header, "{child},F,01/05/2013,WBRI,,,").unwrap();
        writeln!(episodes, "{child},01/01/2020,S,C2,N1,U4,PR1,,,,AB1,AB2,").unwrap();
        let (score, ta) = if achieved { (105, "EXS") } else { (95, "WTS") };
        writeln!(ks2, "{child},2023-24,{score},{score},{score},{ta}").unwrap();
        if with_sen {
            writeln!(sen, "{child},2023-24,K,SEMH").unwrap();
        }
    }
    write(dir, "header.csv", &header);
    write(dir, "episodes.csv", &episodes);
    write(dir, "ks2_results.csv", &ks2);
    write(dir, "sen.csv", &sen);
    write(
        dir,
        "schools.csv",
        "urn,name,phase,type,trust,in_authority\n",
    );
    write(
        dir,
        "enrolments.csv",
        "child,urn,start_date,end_date,provision\n",
    );
    write(dir, "attendance.csv", "child,urn,date,session,mark\n");
    write(
        dir,
        "suspensions.csv",
        "child,urn,start_date,type,sessions,reason_1,reason_2,reason_3\n",
    );
    write(
        dir,
        "peps.csv",
        "child,term,urn,due_date,held_date,completed_date,qa_rating,sw_team,dt_present,child_voice\n",
    );
    write(
        dir,
        "pp_plus.csv",
        "request_id,child,urn,term,amount,eef_tier,intervention,pep_target,status\n",
    );
}

fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut rows = vec![headers];
    rows.extend(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect()),
    );
    rows
}

fn cell<'a>(rows: &'a [Vec<String>], row: &[String], column: &str) -> &'a str {
    let j = rows[0].iter().position(|c| c == column).unwrap();
    let i = rows.iter().position(|r| r == row).unwrap();
    &rows[i][j]
}

fn find<'a>(rows: &'a [Vec<String>], first: &str, second: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == first && r[1] == second)
        .unwrap_or_else(|| panic!("no row {first} / {second}"))
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[test]
fn gap_and_interval_follow_newcombes_worked_example() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    newcombe_fixture(data.path());
    // The fixture's episodes all start in 2020 and stay open: no later return, so the data
    // is stale for 2023-24 by design (the test is of the interval, not the roll).
    cohort()
        .args(["run", "--allow-stale", "--term", "2023-24-summer", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let rows = read_rows(
        &out.path()
            .join("results/attainment/facilitators_barriers.csv"),
    );
    let ks2 = "KS2 expected standard in RWM";
    let sen = find(&rows, ks2, "SEN support or EHC plan");
    // With SEN 56/70 = 80%; without 48/80 = 60%; gap 20 points.
    assert_eq!(cell(&rows, sen, "n_with"), "70");
    assert_eq!(cell(&rows, sen, "n_without"), "80");
    assert!((num(cell(&rows, sen, "rate_with")) - 80.0).abs() < 1e-9);
    assert!((num(cell(&rows, sen, "rate_without")) - 60.0).abs() < 1e-9);
    assert!((num(cell(&rows, sen, "gap")) - 20.0).abs() < 1e-9);
    // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, example (a)
    // 56/70 - 48/80, method 10 (hybrid score): 0.0524 to 0.3339.
    assert!((num(cell(&rows, sen, "gap_lower")) - 5.24).abs() < 0.01);
    assert!((num(cell(&rows, sen, "gap_upper")) - 33.39).abs() < 0.01);
    assert_eq!(cell(&rows, sen, "finding"), "facilitator");
    assert_eq!(cell(&rows, sen, "finding_unadjusted"), "facilitator");
    // The score test behind the false discovery rate: pooled rate 104/150 = 0.693333,
    // variance 0.693333 x 0.306667 x (1/70 + 1/80) = 0.00569524, z = 0.2 / 0.0754668 = 2.65017,
    // two-sided p = 0.0080451. SEN is the only comparison with 10 or more children each side
    // (m = 1), so q = p.
    assert!((num(cell(&rows, sen, "p_value")) - 0.008_045_1).abs() < 1e-6);
    assert!((num(cell(&rows, sen, "q_value")) - 0.008_045_1).abs() < 1e-6);
    // Nobody moved school: 0 with the factor, so too few to say and no gap.
    let moved = find(&rows, ks2, "A school move after 1 October");
    assert_eq!(cell(&rows, moved, "n_with"), "0");
    assert_eq!(cell(&rows, moved, "finding"), "too few to say");
    assert_eq!(cell(&rows, moved, "gap"), "");

    // The adjusted model: SEN is the only factor that varies, so its odds ratio is the
    // 2x2 cross-product (56 * 32) / (14 * 48) = 1792 / 672 = 2.6667, with
    // SE(log OR) = sqrt(1/56 + 1/14 + 1/48 + 1/32) = sqrt(0.141369) = 0.375991,
    // interval 2.6667 * exp(-/+1.96 * 0.375991) = 2.6667 * (0.47858, 2.08954) = 1.2762 to 5.5721.
    let rows = read_rows(&out.path().join("results/attainment/adjusted_odds.csv"));
    let sen = find(&rows, ks2, "SEN support or EHC plan");
    assert_eq!(cell(&rows, sen, "n"), "150");
    assert_eq!(cell(&rows, sen, "events"), "104");
    assert!((num(cell(&rows, sen, "odds_ratio")) - 1792.0 / 672.0).abs() < 1e-6);
    assert!((num(cell(&rows, sen, "ci_lower")) - 1.2762).abs() < 1e-3);
    assert!((num(cell(&rows, sen, "ci_upper")) - 5.5721).abs() < 1e-3);
    assert_eq!(cell(&rows, sen, "finding"), "facilitator");
    // Wald z = log(2.6667) / 0.375991 = 0.980829 / 0.375991 = 2.60865, two-sided p = 0.0090899;
    // the only factor fitted, so q = p.
    assert!((num(cell(&rows, sen, "p_value")) - 0.009_089_9).abs() < 1e-6);
    assert!((num(cell(&rows, sen, "q_value")) - 0.009_089_9).abs() < 1e-6);
    // Attendance is known for no child here: left out and said so.
    let attendance = find(&rows, ks2, "Attendance below 90%");
    assert_eq!(cell(&rows, attendance, "finding"), "too few to say");
    assert_eq!(cell(&rows, attendance, "note"), "not known for any child");
}

#[test]
fn planted_relationships_are_found_and_independent_factors_are_not() {
    // The generator plants (sample-data/README.md): placement moves and low attendance lower
    // progress and attainment; the school being outside the authority and the PEP QA rating
    // are independent of every outcome.
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "sample",
            "--children",
            "2500",
            "--years",
            "3",
            "--seed",
            "21",
        ])
        .arg("--out")
        .arg(data.path())
        .assert()
        .success();
    cohort()
        .args(["run", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    // PP+ cost per point: spend per child over the difference, and only where the rise is
    // clear (the interval above zero) with 10 or more children each side.
    let pp = read_rows(&out.path().join("results/ppplus/impact.csv"));
    let mut costed = 0;
    for r in &pp[1..] {
        let point = cell(&pp, r, "cost_per_point");
        let clear = !cell(&pp, r, "difference_lower").is_empty()
            && num(cell(&pp, r, "difference_lower")) > 0.0
            && num(cell(&pp, r, "funded")) >= 10.0
            && num(cell(&pp, r, "comparison")) >= 10.0;
        assert_eq!(!point.is_empty(), clear, "{r:?}");
        if clear {
            costed += 1;
            let expected = num(cell(&pp, r, "cost_per_child")) / num(cell(&pp, r, "difference"));
            assert!((num(point) - expected).abs() < 1e-3, "{r:?}");
        }
    }
    eprintln!("{costed} PP+ rows with a cost per point");
    let on_track = "On track at the latest term";
    let rows = read_rows(
        &out.path()
            .join("results/attainment/facilitators_barriers.csv"),
    );
    for factor in ["3 or more placements in the year", "Attendance below 90%"] {
        let r = find(&rows, on_track, factor);
        assert_eq!(cell(&rows, r, "finding"), "barrier", "{factor}: {r:?}");
        assert!(num(cell(&rows, r, "gap_upper")) < 0.0);
    }
    let r = find(&rows, on_track, "Attendance above 95%");
    assert_eq!(cell(&rows, r, "finding"), "facilitator", "{r:?}");
    for factor in ["School outside the authority", "Latest PEP rated green"] {
        let r = find(&rows, on_track, factor);
        assert_eq!(
            cell(&rows, r, "finding"),
            "no clear difference",
            "{factor} is independent by construction: {r:?}"
        );
    }
    // PP+ (ppplus/impact, all years): tuition is planted to help progress, mentoring not.
    let rows = read_rows(&out.path().join("results/ppplus/impact.csv"));
    let pp = |group: &str| {
        rows.iter()
            .find(|r| {
                r[0] == "all years"
                    && r[1] == "intervention"
                    && r[2] == group
                    && r.last().is_some_and(|m| m == "on-track rate")
            })
            .unwrap_or_else(|| panic!("no PP+ row for {group}"))
            .clone()
    };
    let tuition = pp("tuition");
    assert_eq!(
        cell(&rows, &tuition, "finding"),
        "on-track rate rose more than for children not funded",
        "{tuition:?}"
    );
    assert!(num(cell(&rows, &tuition, "difference_lower")) > 0.0);
    let mentoring = pp("mentoring");
    assert_eq!(
        cell(&rows, &mentoring, "finding"),
        "no clear difference",
        "{mentoring:?}"
    );
    // Nothing is planted between PP+ and attendance: no intervention shows a clear change.
    for r in rows.iter().skip(1).filter(|r| {
        r[0] == "all years" && r[1] == "intervention" && r.last().is_some_and(|m| m == "attendance")
    }) {
        assert!(
            matches!(
                cell(&rows, r, "finding"),
                "no clear difference" | "too few to say"
            ),
            "{r:?}"
        );
    }
    let rows = read_rows(&out.path().join("results/attainment/adjusted_odds.csv"));
    for factor in ["3 or more placements in the year", "Attendance below 90%"] {
        let r = find(&rows, on_track, factor);
        assert_eq!(cell(&rows, r, "finding"), "barrier", "{factor}: {r:?}");
        assert!(num(cell(&rows, r, "odds_ratio")) < 1.0);
    }
    for factor in ["School outside the authority", "Latest PEP rated green"] {
        let r = find(&rows, on_track, factor);
        assert_eq!(cell(&rows, r, "finding"), "no clear difference", "{r:?}");
    }
}

/// A deterministic shuffle (xorshift64*, Fisher-Yates): the same permutation for the same seed.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed.max(1);
    for i in (1..items.len()).rev() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        items.swap(i, (r % (i as u64 + 1)) as usize);
    }
}

/// Rewrites `file` with the `outcome` columns of its rows shuffled among the rows that share
/// `within` (the year or term), so that every outcome is still a real one of that year but
/// belongs to a child picked at random: no factor can go with it, except by chance.
fn permute_outcomes(file: &Path, within: &str, outcome: &[&str], seed: u64) {
    let mut reader = csv::Reader::from_path(file).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let key = col(within);
    let cols: Vec<usize> = outcome.iter().map(|c| col(c)).collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut groups: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, r) in rows.iter().enumerate() {
        groups.entry(r[key].clone()).or_default().push(i);
    }
    for (g, members) in groups.values().enumerate() {
        let mut values: Vec<Vec<String>> = members
            .iter()
            .map(|&i| cols.iter().map(|&c| rows[i][c].clone()).collect())
            .collect();
        shuffle(&mut values, seed.wrapping_add(g as u64 * 7919));
        for (&i, v) in members.iter().zip(values) {
            for (&c, x) in cols.iter().zip(v) {
                rows[i][c] = x;
            }
        }
    }
    let mut writer = csv::Writer::from_path(file).unwrap();
    writer.write_record(&header).unwrap();
    for r in rows {
        writer.write_record(&r).unwrap();
    }
    writer.flush().unwrap();
}

/// Rewrites `file` with its `child` column relabelled, within each value of `within`, by a
/// random one-to-one map among the children of that value: each child takes over another
/// child's rows whole (all their subjects), so an outcome made from several rows (on track in
/// most subjects) keeps its own make-up but belongs to a child picked at random.
fn permute_children(file: &Path, within: &str, seed: u64) {
    let mut reader = csv::Reader::from_path(file).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (key, child) = (col(within), col("child"));
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut groups: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for r in &rows {
        groups
            .entry(r[key].clone())
            .or_default()
            .insert(r[child].clone());
    }
    for (g, (value, children)) in groups.iter().enumerate() {
        let from: Vec<String> = children.iter().cloned().collect();
        let mut to = from.clone();
        shuffle(&mut to, seed.wrapping_add(g as u64 * 7919));
        let map: std::collections::HashMap<&String, &String> = from.iter().zip(&to).collect();
        for r in rows.iter_mut().filter(|r| &r[key] == value) {
            r[child] = map[&r[child]].clone();
        }
    }
    let mut writer = csv::Writer::from_path(file).unwrap();
    writer.write_record(&header).unwrap();
    for r in rows {
        writer.write_record(&r).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn with_no_effect_at_all_no_factor_is_called() {
    // A generated Virtual School whose outcomes are shuffled among the children of the same
    // year (KS2 and KS4 results) or term (each child's PEP progress judgements): every factor stays as the
    // generator made it, but no outcome goes with any factor except by chance. With 14 factors
    // and 3 outcomes, intervals at 95% alone call some factors anyway (asserted below, so this
    // data set shows the problem); after the false discovery rate, none may be called.
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    cohort()
        .args([
            "sample",
            "--children",
            "2500",
            "--years",
            "3",
            "--seed",
            "21",
            "--format",
            "csv",
        ])
        .arg("--out")
        .arg(data.path())
        .assert()
        .success();
    let d = data.path();
    permute_outcomes(
        &d.join("ks2_results.csv"),
        "academic_year",
        &["reading_score", "maths_score", "gps_score", "writing_ta"],
        1,
    );
    permute_outcomes(
        &d.join("ks4_results.csv"),
        "academic_year",
        &["english_grade", "maths_grade", "attainment8", "progress8"],
        2,
    );
    // On track is decided over all of a child's subjects in the term, so whole children are
    // swapped (shuffling single rows would tie the outcome to how many subjects were judged).
    permute_children(&d.join("progress.csv"), "term", 3);
    cohort()
        .args(["run", "--data"])
        .arg(d)
        .arg("--out")
        .arg(out.path())
        .args([
            "--only",
            "attainment/facilitators_barriers,attainment/adjusted_odds",
        ])
        .assert()
        .success();
    let mut unadjusted = 0;
    for (file, tested) in [
        ("results/attainment/facilitators_barriers.csv", "gap"),
        ("results/attainment/adjusted_odds.csv", "odds_ratio"),
    ] {
        let rows = read_rows(&out.path().join(file));
        let mut compared = 0;
        for r in &rows[1..] {
            if cell(&rows, r, tested).is_empty() {
                continue;
            }
            compared += 1;
            let q = num(cell(&rows, r, "q_value"));
            assert!(q >= num(cell(&rows, r, "p_value")) - 1e-12, "{r:?}");
            assert_eq!(
                cell(&rows, r, "finding"),
                "no clear difference",
                "{file}: a factor called on data with no effect: {r:?}"
            );
            if matches!(
                cell(&rows, r, "finding_unadjusted"),
                "facilitator" | "barrier"
            ) {
                unadjusted += 1;
                eprintln!("{file}: called by its interval alone, not after the FDR: {r:?}");
            }
        }
        // Most factors have 10 or more children each side for every outcome.
        assert!(compared >= 25, "{file}: only {compared} comparisons");
    }
    assert!(
        unadjusted > 0,
        "the 95% intervals alone call no factor on this data set, so it cannot show the false discovery rate at work"
    );
}
