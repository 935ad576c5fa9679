//! Reading files as authorities hold them: strict dates, editor line numbers for CRLF
//! files, values and codes as written, Windows CSV, Parquet from pandas, 903 yearly
//! returns with reconciliation, `cohort.toml` sources and `cohort init`.
//!
//! Every case starts from the hand-made fixture in `tests/fixtures/small`, whose figures
//! `tests/all/pipeline.rs` works out by hand: a file rewritten the way an authority's system
//! writes it must give exactly the same results as the fixture itself.

use super::common::{cohort, root};
use std::path::{Path, PathBuf};

/// A copy of the fixture in a fresh folder (the data at the top of it).
fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("tests/fixtures/small")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn write(dir: &Path, file: &str, text: &str) {
    let p = dir.join(file);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn replace_in(dir: &Path, file: &str, from: &str, to: &str) {
    let text = read(dir, file);
    assert!(text.contains(from), "{from} not in {file}");
    write(dir, file, &text.replacen(from, to, 1));
}

/// `cohort run` on `data`, expecting failure; returns stderr and checks nothing was written.
fn run_fails(data: &Path) -> String {
    let out = data.join("out");
    let a = cohort()
        .args(["run", "--data"])
        .arg(data)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert!(!out.exists(), "nothing may be written");
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

fn assert_all(stderr: &str, expected: &[&str]) {
    for e in expected {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
}

/// Every result table and metrics.csv of a run, by file name.
fn outputs(out: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, files);
            } else {
                files.push(p);
            }
        }
    }
    let mut results = Vec::new();
    walk(&out.join("results"), &mut results);
    results.sort();
    let mut files = vec![("metrics.csv".to_string(), read(out, "metrics.csv"))];
    for p in results {
        files.push((
            p.strip_prefix(out).unwrap().display().to_string(),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    files
}

/// Runs `cohort run` (from `cwd`, with `args`), expecting success; returns stderr and the outputs.
fn run_ok(cwd: &Path, args: &[&str], out: &Path) -> (String, Vec<(String, String)>) {
    let mut c = cohort();
    c.current_dir(cwd)
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(out);
    let a = c.assert();
    let output = a.get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "run failed:\n{stderr}");
    (stderr, outputs(out))
}

/// `cohort run --data data` from the repository into a fresh folder: stderr and the outputs.
fn run_on(data: &Path) -> (String, Vec<(String, String)>) {
    let out = tempfile::tempdir().unwrap();
    run_ok(
        &root(),
        &["--data", data.to_str().unwrap()],
        &out.path().join("o"),
    )
}

/// The fixture's own results, the reference every rewritten copy must reproduce.
fn fixture_outputs() -> Vec<(String, String)> {
    let out = tempfile::tempdir().unwrap();
    let data = root().join("tests/fixtures/small");
    run_ok(
        &root(),
        &["--data", data.to_str().unwrap()],
        &out.path().join("out"),
    )
    .1
}

fn assert_same(a: &[(String, String)], b: &[(String, String)]) {
    // The repository's cohort.toml names an authority (874), the copies' cohort.toml none: the
    // comparisons with the authority's DfE figures differ by design, the data's results may not
    // (roll/cla_at_31_march and roll/stability set the authority's published figures beside ours).
    let local = |v: &[(String, String)]| -> Vec<(String, String)> {
        v.iter()
            .filter(|(n, _)| {
                !n.contains("la_comparators")
                    && !n.contains("reconciliation")
                    && !n.contains("cla_at_31_march")
                    && !n.contains("roll/stability")
            })
            .cloned()
            .collect()
    };
    let (a, b) = (&local(a)[..], &local(b)[..]);
    assert_eq!(a.len(), b.len(), "different result files");
    for ((na, ta), (nb, tb)) in a.iter().zip(b) {
        assert_eq!(na, nb);
        assert_eq!(ta, tb, "{na} differs");
    }
}

fn repo_args(data: &Path) -> Vec<String> {
    vec![
        "--data".into(),
        data.display().to_string(),
        "--queries".into(),
        root().join("queries").display().to_string(),
        "--templates".into(),
        root().join("report-templates").display().to_string(),
    ]
}

// ---- (A) silent wrong data --------------------------------------------------------

#[test]
fn a_two_digit_year_is_an_error_not_the_year_16() {
    let data = copy_fixture();
    // C1's date of birth, line 2 of header.csv, written with a two-digit year.
    replace_in(
        data.path(),
        "header.csv",
        "C1,M,01/05/2014",
        "C1,M,16/04/16",
    );
    let e = run_fails(data.path());
    assert_all(
        &e,
        &[
            "header.csv:2",
            "`DOB`",
            "`16/04/16`",
            "dd/mm/YYYY",
            "two-digit year",
        ],
    );
}

#[test]
fn a_date_of_birth_in_2099_is_an_error() {
    let data = copy_fixture();
    // C2 is on line 3 of header.csv.
    replace_in(
        data.path(),
        "header.csv",
        "C2,F,10/10/2012",
        "C2,F,10/10/2099",
    );
    let e = run_fails(data.path());
    assert_all(
        &e,
        &[
            "header.csv:3",
            "`DOB`",
            "10/10/2099",
            "date of birth not after today",
        ],
    );
}

#[test]
fn an_episode_ending_before_it_starts_is_an_error() {
    let data = copy_fixture();
    // C2's first episode (line 3) starts 01/06/2022; end it on 31/12/2021 instead.
    replace_in(
        data.path(),
        "episodes.csv",
        "C2,01/06/2022,S,C2,N1,U4,PR1,31/12/2023",
        "C2,01/06/2022,S,C2,N1,U4,PR1,31/12/2021",
    );
    let e = run_fails(data.path());
    assert_all(
        &e,
        &[
            "episodes.csv:3",
            "`DEC`",
            "2021-12-31",
            "on or after `DECOM`",
            "cannot end before it starts",
        ],
    );
}

// ---- (A) line numbers as an editor shows them ------------------------------------

/// schools.csv with its S4 row's `in_authority` spoiled, on editor line `line`.
fn spoiled_schools(crlf: bool, quoted_newline: bool) -> (tempfile::TempDir, u64) {
    let data = copy_fixture();
    let mut text = read(data.path(), "schools.csv");
    let mut line = 5; // header, S1, S2, S3, then S4 on line 5
    if quoted_newline {
        // S1's name spans two lines, so every later record starts one line further down.
        text = text.replacen("S1,Fixture Primary,", "S1,\"Fixture\nPrimary\",", 1);
        line += 1;
    }
    text = text.replacen("Fixture Trust,true\n", "Fixture Trust,maybe\n", 2);
    // Only S4's row is spoiled: put S1's back.
    text = text.replacen(
        "academy,Fixture Trust,maybe",
        "academy,Fixture Trust,true",
        1,
    );
    if crlf {
        text = text.replace('\n', "\r\n");
    }
    write(data.path(), "schools.csv", &text);
    (data, line)
}

#[test]
fn line_numbers_are_the_lines_an_editor_shows_for_lf_and_crlf() {
    for crlf in [false, true] {
        for quoted in [false, true] {
            let (data, line) = spoiled_schools(crlf, quoted);
            let text = read(data.path(), "schools.csv");
            assert_eq!(text.matches("maybe").count(), 1, "{text}");
            let e = run_fails(data.path());
            assert_all(
                &e,
                &[
                    &format!("schools.csv:{line}: column `in_authority`"),
                    "`maybe`",
                ],
            );
        }
    }
}

#[test]
fn duplicate_keys_in_crlf_files_name_both_editor_lines() {
    let data = copy_fixture();
    // S2 renamed S1 on line 3 repeats line 2.
    let text = read(data.path(), "schools.csv").replacen("S2,", "S1,", 1);
    write(data.path(), "schools.csv", &text.replace('\n', "\r\n"));
    let e = run_fails(data.path());
    assert_all(&e, &["schools.csv:3", "unique key", "repeats line 2"]);
}

// ---- values, codes, columns and files as authorities write them -------------------

#[test]
fn values_codes_padding_extra_columns_and_file_name_case_are_read() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    // MOTHER = 0.0 for C9 (was 0), codes in lower case, padding spaces, an extra LA column.
    let header = read(d, "header.csv")
        .replacen(
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,LA",
            1,
        )
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{l},874")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let header = header
        .replacen("WBRI,A123456789009,0,", "wbri,A123456789009,0.0,", 1)
        .replacen("C2,F,", "C2, f ,", 1);
    std::fs::remove_file(d.join("header.csv")).unwrap();
    write(d, "Header.csv", &header);
    // EPISODES.CSV in capitals, with `c2` legal status written in lower case.
    let episodes = read(d, "episodes.csv").replacen("C1,01/01/2023,S,C2", "C1,01/01/2023,s,c2", 1);
    std::fs::remove_file(d.join("episodes.csv")).unwrap();
    write(d, "EPISODES.CSV", &episodes);
    let out = tempfile::tempdir().unwrap();
    let (stderr, got) = run_ok(
        &root(),
        &["--data", d.to_str().unwrap()],
        &out.path().join("o"),
    );
    assert_same(&reference, &got);
    // The extra column is reported once, as a warning.
    assert_eq!(stderr.matches("`LA`").count(), 1, "{stderr}");
    assert!(stderr.contains("warning:"), "{stderr}");
}

#[test]
fn strict_in_cohort_toml_makes_extra_columns_errors() {
    let data = copy_fixture();
    let d = data.path();
    replace_in(d, "schools.csv", "in_authority\n", "in_authority,LA\n");
    let schools = read(d, "schools.csv")
        .replace("true\n", "true,874\n")
        .replace("false\n", "false,874\n");
    write(d, "schools.csv", &schools);
    write(d, "cohort.toml", "data = \".\"\nstrict = true\n");
    let mut c = cohort();
    c.current_dir(d)
        .arg("run")
        .args(repo_args(Path::new(".")).iter().skip(2));
    let a = c.assert().code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert_all(&e, &["schools.csv:1", "`LA`", "strict = true"]);
}

#[test]
fn windows_csv_bom_crlf_windows_1252_and_semicolons_are_read() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    // header.csv: UTF-8 with a byte order mark and CRLF endings (Excel's "CSV UTF-8").
    let header = format!("\u{feff}{}", read(d, "header.csv").replace('\n', "\r\n"));
    write(d, "header.csv", &header);
    // enrolments.csv: semicolons, as Excel writes CSV in many European locales.
    let enrol = read(d, "enrolments.csv").replace(',', ";");
    write(d, "enrolments.csv", &enrol);
    // suspensions.csv: tab separated, CRLF.
    let susp = read(d, "suspensions.csv")
        .replace(',', "\t")
        .replace('\n', "\r\n");
    write(d, "suspensions.csv", &susp);
    // pp_plus.csv in Windows-1252: the pep_target "Reading age up 6 months" gets a curly
    // apostrophe (0x92) — a text column no figure reads, so every result stays the same
    // except the text itself, which must arrive as U+2019.
    let pp = read(d, "pp_plus.csv").replacen("Reading age up", "Child\u{2019}s reading age up", 1);
    let bytes: Vec<u8> = pp
        .chars()
        .map(|c| if c == '\u{2019}' { 0x92 } else { c as u8 })
        .collect();
    std::fs::write(d.join("pp_plus.csv"), bytes).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (stderr, got) = run_ok(
        &root(),
        &["--data", d.to_str().unwrap()],
        &out.path().join("o"),
    );
    assert!(stderr.contains("Windows-1252"), "{stderr}");
    let strip = |v: &[(String, String)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(n, t)| {
                (
                    n.clone(),
                    t.replace("Child\u{2019}s reading age up", "Reading age up"),
                )
            })
            .collect()
    };
    assert_same(&strip(&reference), &strip(&got));
}

#[test]
fn a_file_in_another_encoding_that_cannot_be_decoded_is_refused_with_advice() {
    let data = copy_fixture();
    let d = data.path();
    let mut bytes = read(d, "schools.csv").into_bytes();
    // 0x81 is neither UTF-8 nor a Windows-1252 character.
    let at = bytes.iter().position(|&b| b == b'P').unwrap();
    bytes[at] = 0x81;
    std::fs::write(d.join("schools.csv"), bytes).unwrap();
    let e = run_fails(d);
    assert_all(&e, &["schools.csv", "save it as UTF-8"]);
}

// ---- Parquet as pandas writes it ---------------------------------------------------

#[test]
fn parquet_from_pandas_timestamps_floats_dictionaries_and_integer_ids_is_read() {
    use cohort::arrow::array::{
        ArrayRef, DictionaryArray, Float64Array, Int64Array, LargeStringArray,
        TimestampNanosecondArray,
    };
    use cohort::arrow::datatypes::Int32Type;
    use cohort::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use std::sync::Arc;
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    // sdq.csv as pandas writes it: child a large string, the date a nanosecond timestamp
    // at midnight, total_score float64 (pandas' integers), reason a dictionary column.
    std::fs::remove_file(d.join("sdq.csv")).unwrap();
    let day = |y, m, dd| {
        chrono::NaiveDate::from_ymd_opt(y, m, dd)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_nanos_opt()
            .unwrap()
    };
    let child: ArrayRef = Arc::new(LargeStringArray::from(vec!["C1", "C1", "C2", "C2", "C3"]));
    let date: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![
        day(2023, 2, 1),
        day(2024, 2, 1),
        day(2023, 3, 1),
        day(2024, 3, 1),
        day(2024, 2, 10),
    ]));
    let score: ArrayRef = Arc::new(Float64Array::from(vec![14.0, 12.0, 18.0, 20.0, 15.0]));
    let reason: ArrayRef = Arc::new(
        vec![None::<&str>, None, None, None, None]
            .into_iter()
            .collect::<DictionaryArray<Int32Type>>(),
    );
    let batch = RecordBatch::try_from_iter(vec![
        ("child", child),
        ("assessment_date", date),
        ("total_score", score),
        ("reason", reason),
    ])
    .unwrap();
    let f = std::fs::File::create(d.join("sdq.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    // pp_plus request ids as integers (R1..R4 become 1..4), in Parquet.
    let pp = read(d, "pp_plus.csv");
    std::fs::remove_file(d.join("pp_plus.csv")).unwrap();
    let rows: Vec<Vec<String>> = pp
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let col = |i: usize| -> Vec<String> { rows.iter().map(|r| r[i].clone()).collect() };
    let text = |i: usize| -> ArrayRef {
        Arc::new(cohort::arrow::array::StringArray::from(
            col(i)
                .into_iter()
                .map(|v| (!v.is_empty()).then_some(v))
                .collect::<Vec<_>>(),
        ))
    };
    let ids: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 4]));
    let amount: ArrayRef = Arc::new(Int64Array::from(
        col(4)
            .iter()
            .map(|v| v.parse::<i64>().unwrap())
            .collect::<Vec<_>>(),
    ));
    let tier: ArrayRef = Arc::new(Int64Array::from(
        col(5)
            .iter()
            .map(|v| v.parse::<i64>().unwrap())
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_from_iter(vec![
        ("request_id", ids),
        ("child", text(1)),
        ("urn", text(2)),
        ("term", text(3)),
        ("amount", amount),
        ("eef_tier", tier),
        ("intervention", text(6)),
        ("pep_target", text(7)),
        ("status", text(8)),
    ])
    .unwrap();
    let f = std::fs::File::create(d.join("pp_plus.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (_, got) = run_ok(
        &root(),
        &["--data", d.to_str().unwrap()],
        &out.path().join("o"),
    );
    let ids = |v: &[(String, String)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(n, t)| {
                let mut t = t.clone();
                for i in 1..=4 {
                    t = t.replace(&format!("R{i},"), &format!("{i},"));
                }
                (n.clone(), t)
            })
            .collect()
    };
    assert_same(&ids(&reference), &ids(&got));
}

#[test]
fn a_parquet_timestamp_with_a_time_of_day_is_an_error_at_its_row() {
    use cohort::arrow::array::{ArrayRef, Float64Array, StringArray, TimestampMillisecondArray};
    use cohort::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use std::sync::Arc;
    let data = copy_fixture();
    let d = data.path();
    std::fs::remove_file(d.join("sdq.csv")).unwrap();
    // Row 2 is 1 Feb 2024 at 09:30.
    let ms = |h: i64| 1_706_745_600_000 + h;
    let batch = RecordBatch::try_from_iter(vec![
        (
            "child",
            Arc::new(StringArray::from(vec!["C1", "C1"])) as ArrayRef,
        ),
        (
            "assessment_date",
            Arc::new(TimestampMillisecondArray::from(vec![
                ms(0) - 86_400_000 * 365,
                ms(34_200_000),
            ])) as ArrayRef,
        ),
        (
            "total_score",
            Arc::new(Float64Array::from(vec![14.0, 12.5])) as ArrayRef,
        ),
        (
            "reason",
            Arc::new(StringArray::from(vec![None::<&str>, None])) as ArrayRef,
        ),
    ])
    .unwrap();
    let f = std::fs::File::create(d.join("sdq.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let e = run_fails(d);
    // Both faults are on row 2: the time of day, and a score of 12.5 in a whole-number column.
    assert_all(
        &e,
        &[
            "sdq.parquet row 2: column `assessment_date`",
            "whole date",
            "sdq.parquet row 2: column `total_score`",
            "12.5",
        ],
    );
}

// ---- SSDA903 returns as submitted -------------------------------------------------

const EPISODE_COLUMNS: &str =
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN";

/// The fixture's 903 tables as two returns, built by DfE's specification: the 2023-24
/// return (as at 31 March 2024) and the 2024-25 return (as at 31 March 2025), OC2 and OC3
/// without YEAR. Stacked and reconciled they must be the fixture's own stacked files.
fn write_returns(d: &Path, layout: &str) {
    for t in ["header.csv", "episodes.csv", "oc2.csv", "oc3.csv"] {
        std::fs::remove_file(d.join(t)).unwrap();
    }
    let (y1, y2) = match layout {
        "folders" => ("903/2023-24/", "903/2024-25/"),
        _ => ("2024_", "2025_"),
    };
    let header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
    // 2023-24 holds every child; C1's ethnicity was wrongly WOTH then and corrected in
    // 2024-25: the header must come from the latest return (WBRI). SEX is 1 and 2 up to
    // the 2023-24 return and M and F from 2024-25, as DfE's specification changed.
    write(
        d,
        &format!("{y1}header.csv"),
        &format!(
            "{header}C1,1,01/05/2014,WOTH,A123456789001,,\nC2,2,10/10/2012,MWBC,A123456789002,,\nC3,1,03/03/2009,BAFR,A123456789003,,\nC4,2,01/01/2021,WBRI,UN1,,\nC5,1,01/01/2013,AIND,A123456789005,,\nC6,2,12/12/2012,WOTH,A123456789006,,\nC7,1,11/11/2007,WBRI,A123456789007,,\nC8,2,20/01/2008,BCRB,A123456789008,,\nC9,2,01/06/2005,WBRI,A123456789009,0,\nC10,1,01/09/2004,WBRI,A123456789010,,\nC11,1,01/02/2006,MWBA,A123456789011,,\nC12,2,01/04/2015,WBRI,A123456789012,,\n"
        ),
    );
    // 2024-25: the children with an episode open on or after 1 April 2024.
    write(
        d,
        &format!("{y2}header.csv"),
        &format!(
            "{header}C1,M,01/05/2014,WBRI,A123456789001,,\nC2,F,10/10/2012,MWBC,A123456789002,,\nC3,M,03/03/2009,BAFR,A123456789003,,\nC4,F,01/01/2021,WBRI,UN1,,\nC5,M,01/01/2013,AIND,A123456789005,,\nC6,F,12/12/2012,WOTH,A123456789006,,\nC7,M,11/11/2007,WBRI,A123456789007,,\nC8,F,20/01/2008,BCRB,A123456789008,,\nC12,F,01/04/2015,WBRI,A123456789012,,\n"
        ),
    );
    // 2023-24 as at 31 March 2024: C6, C8 and C12 were still open then (no DEC, no REC);
    // C2's first episode ceased (X1) and the second began the same day: two episodes.
    write(
        d,
        &format!("{y1}episodes.csv"),
        &format!(
            "{EPISODE_COLUMNS}\n\
C1,01/01/2023,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C2,01/06/2022,S,C2,N1,U4,PR1,31/12/2023,X1,,AB1,AB3,\n\
C2,31/12/2023,P,C2,N1,K2,PR4,,,CARPL,AB1,ZZ9,\n\
C3,15/03/2021,S,V2,N4,U5,PR4,,,,AB4,AB4,\n\
C4,01/02/2023,S,C1,N1,U4,PR1,,,,AB1,AB2,\n\
C5,01/01/2024,S,V3,N2,U4,PR1,,,,AB5,AB5,\n\
C6,01/09/2022,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C7,01/01/2020,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C8,01/01/2020,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C9,01/01/2020,S,C2,N1,U4,PR1,01/06/2023,E5,,AB1,AB2,\n\
C10,01/03/2019,S,C2,N1,U4,PR1,01/09/2022,E5,,AB1,AB2,\n\
C11,01/05/2021,S,V2,N4,U5,PR1,01/02/2024,E17,,AB1,AB2,\n\
C12,01/06/2023,S,C1,N1,U5,PR1,,,,AB1,AB2,\n"
        ),
    );
    // 2024-25 as at 31 March 2025: the episodes open on 1 April 2024 re-reported, C6, C8
    // and C12 now with their ends; C7's row appears twice (an exact copy collapses).
    write(
        d,
        &format!("{y2}episodes.csv"),
        &format!(
            "{EPISODE_COLUMNS}\n\
C1,01/01/2023,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C2,31/12/2023,P,C2,N1,K2,PR4,,,CARPL,AB1,ZZ9,\n\
C3,15/03/2021,S,V2,N4,U5,PR4,,,,AB4,AB4,\n\
C4,01/02/2023,S,C1,N1,U4,PR1,,,,AB1,AB2,\n\
C5,01/01/2024,S,V3,N2,U4,PR1,,,,AB5,AB5,\n\
C6,01/09/2022,S,C2,N1,U4,PR1,30/06/2024,E4A,,AB1,AB2,\n\
C7,01/01/2020,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C7,01/01/2020,S,C2,N1,U4,PR1,,,,AB1,AB2,\n\
C8,01/01/2020,S,C2,N1,U4,PR1,31/07/2024,E4A,,AB1,AB2,\n\
C12,01/06/2023,S,C1,N1,U5,PR1,15/12/2024,E4A,,AB1,AB2,\n"
        ),
    );
    let oc2 = "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n";
    write(
        d,
        &format!("{y1}oc2.csv"),
        &format!(
            "{oc2}C1,01/05/2014,12,,,1,1,1,1,,,\nC2,10/10/2012,18,,0,1,1,1,1,0,,\nC3,03/03/2009,15,,0,1,1,1,1,0,,\nC7,11/11/2007,,SDQ5,0,1,1,1,1,0,,\nC4,01/01/2021,,SDQ1,,1,1,1,1,,,\n"
        ),
    );
    write(
        d,
        &format!("{y2}oc2.csv"),
        &format!("{oc2}C1,01/05/2014,10,,,1,1,1,1,,,\nC2,10/10/2012,20,,0,1,1,1,1,0,,\n"),
    );
    let oc3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n";
    write(
        d,
        &format!("{y1}oc3.csv"),
        &format!("{oc3}C9,01/06/2005,YES,F5,C1\nC10,01/09/2004,YES,G6,B1\n"),
    );
    write(
        d,
        &format!("{y2}oc3.csv"),
        &format!("{oc3}C9,01/06/2005,YES,F2,C1\nC10,01/09/2004,YES,G5,B1\nC11,01/02/2006,NO,,\n"),
    );
    // A return also holds tables no analysis reads: accepted, set aside with a note.
    write(
        d,
        &format!("{y2}reviews.csv"),
        "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/05/2014,01/02/2025,PN1\n",
    );
}

#[test]
fn yearly_903_returns_in_folders_reconcile_to_the_stacked_files() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    write_returns(data.path(), "folders");
    let (stderr, got) = run_on(data.path());
    assert_same(&reference, &got);
    assert!(stderr.contains("Reviews"), "{stderr}");
}

#[test]
fn yearly_903_returns_with_the_year_in_the_file_name_reconcile_too() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    write_returns(data.path(), "names");
    let (_, got) = run_on(data.path());
    assert_same(&reference, &got);
}

#[test]
fn a_key_repeated_within_one_return_with_different_values_is_an_error() {
    let data = copy_fixture();
    write_returns(data.path(), "folders");
    // Within 2024-25, C7's second copy now differs (placement U5): not an exact copy.
    let p = "903/2024-25/episodes.csv";
    let text = read(data.path(), p);
    let copy = "C7,01/01/2020,S,C2,N1,U4";
    let second = text.rfind(copy).unwrap();
    let mut changed = text.clone();
    changed.replace_range(second..second + copy.len(), "C7,01/01/2020,S,C2,N1,U5");
    write(data.path(), p, &changed);
    let e = run_fails(data.path());
    // The copy is on line 9 of that file; the first C7 row on line 8.
    assert_all(&e, &["2024-25/episodes.csv:9", "unique key", "line 8"]);
}

/// SEX is checked against the return's own year: `M` in the 2023-24 return (1 and 2 then)
/// and `1` in the 2024-25 return (M, F and U from then) are each named by file and line.
#[test]
fn sex_codes_are_checked_against_each_return_year() {
    let data = copy_fixture();
    write_returns(data.path(), "folders");
    let old = "903/2023-24/header.csv";
    let text = read(data.path(), old).replacen("C2,2,", "C2,F,", 1);
    write(data.path(), old, &text);
    let new = "903/2024-25/header.csv";
    let text = read(data.path(), new).replacen("C3,M,", "C3,1,", 1);
    write(data.path(), new, &text);
    let e = run_fails(data.path());
    // C2 is on line 3 of each file, C3 on line 4.
    assert_all(
        &e,
        &[
            "2023-24/header.csv:3",
            "2023/24 return",
            "one of 1 2",
            "2024-25/header.csv:4",
            "2024/25 return",
            "one of M F U",
        ],
    );
}

#[test]
fn a_stacked_file_beside_yearly_returns_is_an_error() {
    let data = copy_fixture();
    let episodes = read(data.path(), "episodes.csv");
    write_returns(data.path(), "folders");
    write(data.path(), "episodes.csv", &episodes);
    let e = run_fails(data.path());
    assert_all(&e, &["episodes.csv", "not both"]);
}

// ---- DfE's XML return ---------------------------------------------------------------

/// Splits a fixture CSV (no quoted fields) into its header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (head, rows)
}

fn xml_leaf(name: &str, value: &str) -> String {
    if value.is_empty() {
        format!("<{name} />")
    } else {
        format!("<{name}>{}</{name}>", value.replace('&', "&amp;"))
    }
}

/// Rewrites the two CSV returns of `write_returns(d, "folders")` as DfE's XML return, one
/// file per year, built by the specification rather than by cohort's own writer: a
/// `<CHILD>` per child of any table, its `<HEADER>` on one line (`CHILDID`, the OC3 fields
/// among the header's, `<OC2>` and `<AREVIEW>` records inside), an `<EPISODE>` per line
/// (`PL` for `PLACE`). The 2024-25 file is written as Windows writes it: a byte order mark
/// and CRLF line ends. The Reviews CSV goes; its row becomes an `<AREVIEW>`.
fn returns_as_xml(d: &Path) {
    std::fs::remove_file(d.join("903/2024-25/reviews.csv")).unwrap();
    // Every child's header row, latest return last: a care leaver in a year's OC3 needs a
    // <CHILD> in that year's file though no episode of theirs is in it.
    let mut known: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for year in ["2023-24", "2024-25"] {
        let (_, rows) = csv_rows(&read(d, &format!("903/{year}/header.csv")));
        for r in rows {
            known.insert(r[0].clone(), r);
        }
    }
    for year in ["2023-24", "2024-25"] {
        let folder = format!("903/{year}");
        let take = |t: &str| {
            let text = read(d, &format!("{folder}/{t}.csv"));
            std::fs::remove_file(d.join(format!("{folder}/{t}.csv"))).unwrap();
            csv_rows(&text)
        };
        let (hh, header) = take("header");
        let (eh, episodes) = take("episodes");
        let (oh2, oc2) = take("oc2");
        let (oh3, oc3) = take("oc3");
        let mut ids: Vec<String> = header
            .iter()
            .chain(&oc2)
            .chain(&oc3)
            .map(|r| r[0].clone())
            .collect();
        ids.sort_by_key(|id| id[1..].parse::<u32>().unwrap());
        ids.dedup();
        let mut lines = vec![
            "<?xml version='1.0' encoding='us-ascii'?>".to_string(),
            "<EXPSSDA903>".into(),
        ];
        for id in &ids {
            let h = header.iter().find(|r| &r[0] == id).unwrap_or(&known[id]);
            let mut head = String::from("<HEADER>");
            for (n, v) in hh.iter().zip(h) {
                // A row borrowed from the other year's return is spelled as this year's
                // return spells SEX: 1 and 2 up to 2023-24, M and F from 2024-25.
                let v = match (n.as_str(), year, v.as_str()) {
                    ("SEX", "2024-25", "1") => "M",
                    ("SEX", "2024-25", "2") => "F",
                    ("SEX", "2023-24", "M") => "1",
                    ("SEX", "2023-24", "F") => "2",
                    _ => v.as_str(),
                };
                head.push_str(&xml_leaf(if n == "CHILD" { "CHILDID" } else { n }, v));
            }
            head.push_str("<UASC />");
            for r in oc3.iter().filter(|r| &r[0] == id) {
                for (n, v) in oh3.iter().zip(r).skip(2) {
                    head.push_str(&xml_leaf(n, v));
                }
            }
            for r in oc2.iter().filter(|r| &r[0] == id) {
                head.push_str("<OC2>");
                for (n, v) in oh2.iter().zip(r).skip(2) {
                    head.push_str(&xml_leaf(n, v));
                }
                head.push_str("</OC2>");
            }
            if year == "2024-25" && id == "C1" {
                head.push_str(
                    "<AREVIEW><REVIEW>01/02/2025</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>",
                );
            }
            head.push_str("</HEADER>");
            lines.push("<CHILD>".into());
            lines.push(head);
            for r in episodes.iter().filter(|r| &r[0] == id) {
                let mut e = String::from("<EPISODE>");
                for (n, v) in eh.iter().zip(r).skip(1) {
                    e.push_str(&xml_leaf(if n == "PLACE" { "PL" } else { n }, v));
                }
                e.push_str("</EPISODE>");
                lines.push(e);
            }
            lines.push("</CHILD>".into());
        }
        lines.push("</EXPSSDA903>".into());
        let text = if year == "2024-25" {
            format!("\u{feff}{}\r\n", lines.join("\r\n"))
        } else {
            format!("{}\n", lines.join("\n"))
        };
        write(d, &format!("{folder}/SSDA903.xml"), &text);
    }
}

#[test]
fn yearly_903_xml_returns_reconcile_to_the_stacked_files() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    write_returns(data.path(), "folders");
    returns_as_xml(data.path());
    assert!(!data.path().join("903/2023-24/episodes.csv").exists());
    let (stderr, got) = run_on(data.path());
    assert_same(&reference, &got);
    // The review record is set aside with a note, not an error.
    assert!(stderr.contains("AREVIEW (1)"), "{stderr}");
}

#[test]
fn a_bad_value_in_an_xml_return_names_its_file_line_column_and_value() {
    let data = copy_fixture();
    let d = data.path();
    write_returns(d, "folders");
    returns_as_xml(d);
    let file = "903/2023-24/SSDA903.xml";
    // C5's header: a date of birth that does not exist, and its line in the file.
    let text = read(d, file);
    let line = 1 + text
        .lines()
        .position(|l| l.contains("<CHILDID>C5</CHILDID>"))
        .unwrap();
    replace_in(d, file, "<DOB>01/01/2013</DOB>", "<DOB>31/02/2013</DOB>");
    let e = run_fails(d);
    assert_all(&e, &[&format!("SSDA903.xml:{line}"), "DOB", "31/02/2013"]);
    // XML that is not well formed is an error on its line too.
    write(d, file, &text.replacen("</HEADER>", "</HEADR>", 1));
    let e = run_fails(d);
    assert_all(&e, &["SSDA903.xml:4", "well-formed XML"]);
}

#[test]
fn an_xml_return_without_a_collection_year_is_an_error_not_a_guess() {
    let data = copy_fixture();
    let d = data.path();
    write_returns(d, "folders");
    returns_as_xml(d);
    std::fs::rename(d.join("903/2023-24"), d.join("903/first")).unwrap();
    let e = run_fails(d);
    assert_all(
        &e,
        &["first/SSDA903.xml", "collection year", "SSDA903_2024.xml"],
    );
}

#[test]
fn cohort_init_then_the_termly_report_on_xml_returns_from_a_clean_folder() {
    let data = copy_fixture();
    let d = data.path();
    write_returns(d, "folders");
    returns_as_xml(d);
    // An XML file that is not a return is left with a word, not an error.
    write(
        d,
        "settings.xml",
        "<settings><theme>dark</theme></settings>\n",
    );
    let a = cohort().arg("init").arg(d).assert().success();
    let said = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert_all(
        &said,
        &[
            "header: 903/*/SSDA903.xml (2 returns)",
            "episodes: 903/*/SSDA903.xml (2 returns)",
            "oc2: 903/*/SSDA903.xml (2 returns)",
            "oc3: 903/*/SSDA903.xml (2 returns)",
            "settings.xml: an XML file that is not an SSDA903 return",
        ],
    );
    let out = d.join("out");
    let r = cohort()
        .current_dir(d)
        .args(["report", "termly-impact", "--out"])
        .arg(&out)
        .assert();
    let o = r.get_output();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(read(&out, "termly-impact.html").contains("</html>"));
}

// ---- cohort.toml sources and cohort init ------------------------------------------

#[test]
fn cohort_init_places_files_by_their_columns_and_run_reads_them() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    write_returns(d, "folders");
    // Exports named as the systems name them.
    std::fs::rename(d.join("peps.csv"), d.join("ePEP export 2024.csv")).unwrap();
    std::fs::rename(d.join("attendance.csv"), d.join("Attendance feed.csv")).unwrap();
    write(d, "notes.csv", "what,when\nvisit,today\n");
    let a = cohort().arg("init").arg(d).assert().success();
    let said = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert_all(
        &said,
        &[
            "peps: ePEP export 2024.csv",
            "attendance: Attendance feed.csv",
            "episodes: 903/*/episodes.csv (2 returns)",
            "oc2: 903/*/oc2.csv (2 returns)",
            "reviews.csv: the SSDA903 Reviews table",
            "notes.csv: its columns match no table",
        ],
    );
    let toml = read(d, "cohort.toml");
    assert!(
        toml.contains("[sources.peps]\nfile = \"ePEP export 2024.csv\""),
        "{toml}"
    );
    // Run from the cohort checkout, init points the project at its analyses and templates, so
    // `cohort check` inside the data folder finds them.
    let queries = root().join("queries").display().to_string();
    assert!(toml.contains(&format!("queries = \"{queries}\"")), "{toml}");
    // The user edits the file; a second init keeps the edit.
    write(
        d,
        "cohort.toml",
        &toml.replace("data = \".\"", "data = \".\"\n# my note"),
    );
    cohort().arg("init").arg(d).assert().success();
    assert!(read(d, "cohort.toml").contains("# my note"));
    assert_eq!(read(d, "cohort.toml").matches("[sources.peps]").count(), 1);
    // `cohort run` in the project folder takes the data folder and sources from cohort.toml.
    let args = repo_args(Path::new("."));
    let args: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    let (_, got) = run_ok(d, &args, &d.join("out"));
    assert_same(&reference, &got);
}

#[test]
fn cohort_toml_renames_recodes_date_formats_and_wide_attendance() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    // peps as an ePEP platform exports it: "Pupil ID", dd.mm.YYYY dates, QA words.
    let peps = read(d, "peps.csv");
    let mut lines = peps.lines();
    let head = lines.next().unwrap().replacen("child,", "Pupil ID,", 1);
    let iso = |s: &str| -> String {
        // 2024-10-15 -> 15.10.2024 for every ISO date in the row.
        s.split(',')
            .map(|f| {
                let b = f.as_bytes();
                if f.len() == 10 && b[4] == b'-' && b[7] == b'-' {
                    format!("{}.{}.{}", &f[8..10], &f[5..7], &f[0..4])
                } else {
                    f.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let body: Vec<String> = lines
        .map(|l| {
            iso(l)
                .replace(",green,", ",Good,")
                .replace(",amber,", ",Requires improvement,")
                .replace(",red,", ",Inadequate,")
        })
        .collect();
    write(d, "peps.csv", &format!("{head}\n{}\n", body.join("\n")));
    // attendance with one row per child per day and AM and PM marks in two columns.
    let att = read(d, "attendance.csv");
    let mut days: Vec<(String, String, String, String, String)> = Vec::new();
    for l in att.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (child, urn, date, session, mark) = (f[0], f[1], f[2], f[3], f[4]);
        match days.iter_mut().find(|r| r.0 == child && r.2 == date) {
            Some(r) if session == "PM" => r.4 = mark.to_string(),
            Some(r) => r.3 = mark.to_string(),
            None if session == "AM" => days.push((
                child.into(),
                urn.into(),
                date.into(),
                mark.into(),
                String::new(),
            )),
            None => days.push((
                child.into(),
                urn.into(),
                date.into(),
                String::new(),
                mark.into(),
            )),
        }
    }
    assert!(
        days.iter().all(|r| !r.3.is_empty() && !r.4.is_empty()),
        "every day has both sessions"
    );
    std::fs::remove_file(d.join("attendance.csv")).unwrap();
    let wide: String = days
        .iter()
        .map(|r| format!("{},{},{},{},{}\n", r.0, r.1, r.2, r.3, r.4))
        .collect();
    write(
        d,
        "daily/Attendance AM PM.csv",
        &format!("child,urn,date,AM mark,PM mark\n{wide}"),
    );
    write(
        d,
        "cohort.toml",
        r#"data = "."

[sources.peps]
columns = { "Pupil ID" = "child" }
date_format = "%d.%m.%Y"
recode.qa_rating = { Good = "green", "Requires improvement" = "amber", Inadequate = "red" }

[sources.attendance]
file = "daily/attendance*.csv"
wide = { AM = "AM mark", PM = "PM mark" }
"#,
    );
    let args = repo_args(Path::new("."));
    let args: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    let (_, got) = run_ok(d, &args, &d.join("out"));
    assert_same(&reference, &got);
}

#[test]
fn the_sample_generator_writes_903_returns_that_reconcile_to_the_stacked_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (stacked, returns, xml) = (
        dir.path().join("stacked"),
        dir.path().join("returns"),
        dir.path().join("xml"),
    );
    for (out, layout) in [(&stacked, "stacked"), (&returns, "returns"), (&xml, "xml")] {
        cohort()
            .args([
                "sample",
                "--children",
                "40",
                "--years",
                "2",
                "--seed",
                "3",
                "--format",
                "csv",
                "--layout",
                layout,
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    assert!(returns.join("903/2023-24/episodes.csv").is_file());
    assert!(!returns.join("episodes.csv").exists());
    assert!(!read(&returns, "903/2023-24/oc2.csv").starts_with("CHILD,YEAR"));
    let a = run_ok(
        &root(),
        &["--data", stacked.to_str().unwrap()],
        &dir.path().join("a"),
    )
    .1;
    let b = run_ok(
        &root(),
        &["--data", returns.to_str().unwrap()],
        &dir.path().join("b"),
    )
    .1;
    assert_same(&a, &b);
    assert!(xml.join("903/2023-24/ssda903.xml").is_file());
    assert!(!xml.join("903/2023-24/header.csv").exists());
    let c = run_ok(
        &root(),
        &["--data", xml.to_str().unwrap()],
        &dir.path().join("c"),
    )
    .1;
    assert_same(&a, &c);
}

// ---- spreadsheets -----------------------------------------------------------------

/// Replaces the fixture's `<table>.csv` with a spreadsheet of tests/fixtures/excel (made by
/// its make.py from the same rows), saved as `as_name`.
fn use_spreadsheet(d: &Path, table: &str, fixture: &str, as_name: &str) {
    std::fs::remove_file(d.join(format!("{table}.csv"))).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/excel").join(fixture),
        d.join(as_name),
    )
    .unwrap();
}

#[test]
fn an_excel_export_gives_the_same_figures_as_the_csv_of_the_same_rows() {
    let reference = fixture_outputs();
    let data = copy_fixture();
    let d = data.path();
    // schools: its only sheet, `in_authority` as Excel booleans, an empty `trust` cell.
    use_spreadsheet(d, "schools", "schools.xlsx", "schools.xlsx");
    // enrolments: the second sheet (`Export`, after `Notes`), start dates as date cells and
    // one bare serial (44075 = 2020-09-01), end dates as ISO text.
    use_spreadsheet(d, "enrolments", "enrolments.xlsx", "Enrolments.XLSX");
    // sdq: a title and a blank row above the header, scores as floats (14.0), UK text dates.
    use_spreadsheet(d, "sdq", "sdq.xlsx", "sdq.xlsx");
    let out = tempfile::tempdir().unwrap();
    let (_, got) = run_ok(
        &root(),
        &["--data", d.to_str().unwrap()],
        &out.path().join("o"),
    );
    assert_same(&reference, &got);
}

#[test]
fn a_bad_spreadsheet_cell_is_named_by_sheet_and_cell() {
    let data = copy_fixture();
    let d = data.path();
    // S2's `in_authority` is on sheet row 3 (row 1 the header), column F (the sixth).
    use_spreadsheet(d, "schools", "bad_schools.xlsx", "schools.xlsx");
    let err = run_fails(d);
    assert_all(
        &err,
        &[
            "schools.xlsx sheet Sheet1 cell F3: column `in_authority`: value `maybe`: expected true or false",
        ],
    );
}

#[test]
fn cohort_init_then_the_termly_report_on_an_excel_export_from_a_clean_folder() {
    let data = copy_fixture();
    let d = data.path();
    use_spreadsheet(d, "schools", "schools.xlsx", "School list.xlsx");
    use_spreadsheet(d, "enrolments", "enrolments.xlsx", "Census export.xlsx");
    let a = cohort().arg("init").arg(d).assert().success();
    let said = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert_all(
        &said,
        &[
            "schools: School list.xlsx",
            "enrolments: Census export.xlsx",
        ],
    );
    assert!(!said.contains("not placed"), "{said}");
    let toml = read(d, "cohort.toml");
    // The workbook has two sheets: init names the one that holds the table.
    assert!(
        toml.contains("[sources.enrolments]\nfile = \"Census export.xlsx\"\nsheet = \"Export\"\n"),
        "{toml}"
    );
    assert!(
        toml.contains("[sources.schools]\nfile = \"School list.xlsx\"\n\n"),
        "{toml}"
    );
    // A sheet the workbook lacks is an error naming the sheets it has.
    write(
        d,
        "cohort.toml",
        &toml.replace("sheet = \"Export\"", "sheet = \"Exports\""),
    );
    let c = cohort().current_dir(d).arg("check").assert().failure();
    let err = String::from_utf8_lossy(&c.get_output().stderr).to_string();
    assert_all(
        &err,
        &[
            "Census export.xlsx: expected a sheet `Exports`",
            "`Notes`, `Export`",
        ],
    );
    write(d, "cohort.toml", &toml);
    let out = d.join("out");
    let r = cohort()
        .current_dir(d)
        .args(["report", "termly-impact", "--out"])
        .arg(&out)
        .assert();
    let o = r.get_output();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = read(&out, "termly-impact.html");
    assert!(html.contains("</html>"), "a whole report");
}

// ---- data that cannot quietly be wrong (issue 29) ---------------------------------

#[test]
fn a_season_in_another_case_is_the_same_term_and_gives_the_same_figures() {
    // The fixture's one summer PEP (line 6). Spelt `Summer`, it was a term no analysis knew,
    // and the PEP silently dropped out of every figure.
    let d = copy_fixture();
    replace_in(d.path(), "peps.csv", "2023-24-summer", "2023-24-Summer");
    let (_, outputs) = run_on(d.path());
    assert_same(&fixture_outputs(), &outputs);
}

#[test]
fn a_term_with_a_hidden_character_an_emoji_or_trailing_text_is_refused_at_its_line() {
    for (bad, shown) in [
        ("2023-24-summer\u{0}", "2023-24-summer\\u{0}"),
        ("2023-24-summer\u{200f}", "2023-24-summer\\u{200f}"),
        ("\u{200b}2023-24-summer", "\\u{200b}2023-24-summer"),
        ("2023-24-summer\u{1f600}", "2023-24-summer\u{1f600}"),
        ("2023-24-summer (late)", "2023-24-summer (late)"),
    ] {
        let d = copy_fixture();
        replace_in(d.path(), "peps.csv", "2023-24-summer", bad);
        let stderr = run_fails(d.path());
        assert_all(
            &stderr,
            &[
                "peps.csv:6: column `term`",
                &format!("value `{shown}`"),
                "expected a term like 2024-25-autumn",
            ],
        );
    }
    // An academic year too, in any table that has one.
    let d = copy_fixture();
    replace_in(
        d.path(),
        "ks2_results.csv",
        "C6,2023-24,",
        "C6,2023-24\u{200b},",
    );
    assert_all(
        &run_fails(d.path()),
        &[
            "ks2_results.csv:3: column `academic_year`",
            "value `2023-24\\u{200b}`",
            "expected an academic year like 2024-25",
        ],
    );
}

/// Moves every date (dd/mm/YYYY) and YEAR of the fixture's 903 files `by` years earlier: the
/// same return, years before the fixture's attendance.
fn years_earlier(dir: &Path, by: i32) {
    for file in ["header.csv", "episodes.csv", "oc2.csv", "oc3.csv"] {
        let text = read(dir, file);
        let mut lines = text.lines();
        let head = lines.next().unwrap().to_string();
        let year_col = head.split(',').position(|c| c == "YEAR");
        let mut out = vec![head];
        for line in lines {
            let fields: Vec<String> = line
                .split(',')
                .enumerate()
                .map(|(i, f)| {
                    let parts: Vec<&str> = f.split('/').collect();
                    if Some(i) == year_col {
                        (f.parse::<i32>().unwrap() - by).to_string()
                    } else if parts.len() == 3 && parts[2].len() == 4 {
                        let y: i32 = parts[2].parse().unwrap();
                        format!("{}/{}/{}", parts[0], parts[1], y - by)
                    } else {
                        f.to_string()
                    }
                })
                .collect();
            out.push(fields.join(","));
        }
        write(dir, file, &(out.join("\n") + "\n"));
    }
}

#[test]
fn a_903_return_years_before_the_term_is_an_error_unless_allowed() {
    // Ten more children in care (an authority's return has at least 20 episodes, or its
    // latest date says nothing), then every 903 date 7 years earlier: the latest, 15/12/2024,
    // becomes 15/12/2017, the 2017-18 return, under the fixture's 2024-25 attendance.
    let d = copy_fixture();
    let (mut header, mut episodes) = (read(d.path(), "header.csv"), read(d.path(), "episodes.csv"));
    for i in 90..100 {
        header.push_str(&format!("C{i},M,01/01/2012,WBRI,,,\n"));
        episodes.push_str(&format!("C{i},01/09/2024,S,C2,N1,U4,PR1,,,,AB1,AB2,\n"));
    }
    write(d.path(), "header.csv", &header);
    write(d.path(), "episodes.csv", &episodes);
    years_earlier(d.path(), 7);
    let stale = [
        "looks stale for 2024-25-",
        "2017-18 collection year",
        "--allow-stale",
    ];
    // check says so and fails...
    let check = cohort()
        .args(["check", "--data"])
        .arg(d.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_all(&String::from_utf8_lossy(&check.stderr), &stale);
    // ... unless allowed, when it is a warning.
    let allowed = cohort()
        .args(["check", "--allow-stale", "--data"])
        .arg(d.path())
        .assert()
        .success()
        .get_output()
        .clone();
    assert_all(
        &String::from_utf8_lossy(&allowed.stdout),
        &["warning: (allowed by --allow-stale) the SSDA903 data looks stale"],
    );
    // run and report refuse it, writing nothing.
    assert_all(&run_fails(d.path()), &stale);
    let out = d.path().join("report-out");
    let report = cohort()
        .args(["report", "termly-impact", "--data"])
        .arg(d.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_all(&String::from_utf8_lossy(&report.stderr), &stale);
    assert!(!out.exists());
    // --allow-stale runs, and says so.
    let (stderr, _) = run_ok(
        &root(),
        &["--data", d.path().to_str().unwrap(), "--allow-stale"],
        &d.path().join("o1"),
    );
    assert_all(&stderr, &["warning (allowed by --allow-stale)", "2017-18"]);
    // So does allow_stale = true in cohort.toml.
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "cohort.toml", "allow_stale = true\n");
    let args = repo_args(d.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (stderr, _) = run_ok(project.path(), &args, &project.path().join("o2"));
    assert_all(&stderr, &["warning (allowed by --allow-stale)"]);
}

#[test]
fn an_empty_file_says_the_file_is_empty() {
    let d = copy_fixture();
    write(d.path(), "peps.csv", "");
    assert_all(
        &run_fails(d.path()),
        &["peps.csv: expected data, but the file is empty (0 bytes)"],
    );
}

#[test]
fn a_903_header_with_no_children_is_one_clear_error_not_one_per_row() {
    let d = copy_fixture();
    let header = read(d.path(), "header.csv");
    write(d.path(), "header.csv", header.lines().next().unwrap());
    let stderr = run_fails(d.path());
    assert_all(
        &stderr,
        &[
            "(1 problem)",
            "header.csv: expected at least one child in the SSDA903 header, but the file is empty",
        ],
    );
    assert!(
        !stderr.contains("a value present in header.CHILD"),
        "{stderr}"
    );
}

#[test]
fn a_fifo_a_device_or_a_link_out_of_the_folder_is_refused_not_read_for_ever() {
    let run_refused = |d: &Path| -> String {
        let out = d.join("out");
        let a = cohort()
            .args(["run", "--data"])
            .arg(d)
            .arg("--out")
            .arg(&out)
            .timeout(std::time::Duration::from_secs(300))
            .assert()
            .code(1);
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    // A FIFO in place of peps.csv: no writer ever comes.
    let d = copy_fixture();
    std::fs::remove_file(d.path().join("peps.csv")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(d.path().join("peps.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    assert_all(
        &run_refused(d.path()),
        &["peps.csv: expected a regular file, but it is a FIFO (named pipe)"],
    );
    // /dev/zero linked in as attendance: endless zeros.
    let d = copy_fixture();
    std::fs::remove_file(d.path().join("attendance.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path().join("attendance.csv")).unwrap();
    assert_all(
        &run_refused(d.path()),
        &[
            "attendance.csv: expected a file inside the data folder, but it is a link to /dev/zero, outside it",
        ],
    );
    // A real file, but outside the folder.
    let d = copy_fixture();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::rename(
        d.path().join("schools.csv"),
        elsewhere.path().join("schools.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        elsewhere.path().join("schools.csv"),
        d.path().join("schools.csv"),
    )
    .unwrap();
    let outside = std::fs::canonicalize(elsewhere.path().join("schools.csv")).unwrap();
    assert_all(
        &run_refused(d.path()),
        &[&format!(
            "it is a link to {}, outside it",
            outside.display()
        )],
    );
    // A link to a file inside the folder is read as the file.
    let d = copy_fixture();
    std::fs::rename(
        d.path().join("schools.csv"),
        d.path().join(".schools-real.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        d.path().join(".schools-real.csv"),
        d.path().join("schools.csv"),
    )
    .unwrap();
    assert_same(&fixture_outputs(), &run_on(d.path()).1);
}

#[test]
fn cohort_sample_layout_xml_writes_returns_that_pass_check() {
    // The default size (400 children over 3 years) has care leavers whose header comes from
    // another year's return, with that year's SEX spelling: each return must spell SEX its
    // own way (1/2 to 2023/24, M/F from 2024/25).
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("xml");
    cohort()
        .args(["sample", "--layout", "xml", "--out"])
        .arg(&xml)
        .assert()
        .success();
    let check = cohort()
        .args(["check", "--data"])
        .arg(&xml)
        .assert()
        .get_output()
        .clone();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Every return's SEX is its year's spelling.
    for (year, allowed) in [
        ("2022-23", ["1", "2"]),
        ("2023-24", ["1", "2"]),
        ("2024-25", ["M", "F"]),
    ] {
        let text = read(&xml, &format!("903/{year}/ssda903.xml"));
        for part in text.split("<SEX>").skip(1) {
            let sex = part.split('<').next().unwrap();
            assert!(allowed.contains(&sex), "{year}: SEX {sex}");
        }
    }
}

#[test]
fn cohort_lock_refuses_an_analysis_that_check_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("queries");
    let analysis = |name: &str, sql: &str| {
        write(
            &q,
            &format!("a/{name}.sql"),
            &format!(
                "-- ---\n-- id = \"a/{name}\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n-- ---\n{sql}\n"
            ),
        )
    };
    analysis("good", "SELECT count(*) AS n FROM peps");
    cohort()
        .args(["lock", "--queries"])
        .arg(&q)
        .assert()
        .success();
    let locked = read(&q, "versions.lock");
    assert!(locked.contains("a/good 1 "), "{locked}");
    analysis("bad", "SELECT no_such_column FROM peps");
    let lock = cohort()
        .args(["lock", "--queries"])
        .arg(&q)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&lock.stderr);
    assert_all(&stderr, &["versions.lock not written", "no_such_column"]);
    assert_eq!(read(&q, "versions.lock"), locked, "the lock is as it was");
    // check refuses the same analysis.
    let check = cohort()
        .args(["check", "--data"])
        .arg(root().join("tests/fixtures/small"))
        .arg("--queries")
        .arg(&q)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_all(&String::from_utf8_lossy(&check.stderr), &["no_such_column"]);
}
