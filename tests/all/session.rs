//! One session, one period (issue 32): SQL's `params` and the template variables agree; a
//! project made by `cohort init` runs where it stands; a template's parameter gives a
//! family of reports; the query shell's words work as typed.

use super::common::{cohort, root};
use cohort::app::{self, Project};
use std::collections::BTreeSet;
use std::path::Path;

/// The small fixture as a project recording nothing.
fn small() -> Project {
    Project {
        data: root().join("tests/fixtures/small"),
        queries: root().join("queries"),
        templates: root().join("report-templates"),
        ..Project::default()
    }
}

#[test]
fn params_columns_and_template_globals_are_one_set_of_names_and_values() {
    let project = small();
    let term: cohort::contract::Term = "2024-25-autumn".parse().expect("a term");
    // What SQL reads: every column of `params`, as CSV (full precision).
    let csv = app::query::once(
        &project,
        "SELECT * FROM params",
        Some(term),
        app::print::Mode::Csv,
        None,
    )
    .expect("params");
    let mut lines = csv.lines();
    let names: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let values: Vec<&str> = lines.next().expect("one row").split(',').collect();
    assert_eq!(names.len(), values.len(), "{csv}");
    for wanted in [
        "term",
        "academic_year",
        "previous_term",
        "same_term_last_year",
        "previous_year",
        "term_label",
        "team",
    ] {
        assert!(names.contains(&wanted), "params has no {wanted}: {names:?}");
    }
    // What templates read: a template naming every column (an undefined name is an error).
    let body: String = names
        .iter()
        .map(|n| format!("{n}=[{{{{ {n} if {n} is not none else \"\" }}}}]\n\n"))
        .collect();
    let text = format!("+++\ntitle = \"t\"\naudience = \"leadership\"\n+++\n{body}");
    let template = cohort::render::ReportTemplate::parse(Path::new("globals.md"), "globals", &text)
        .expect("template");
    let (output, analyses) =
        app::run(&project, Some(term), Some(&["roll/summary".to_string()])).expect("a run");
    let policy = cohort::disclosure::Policy::for_audience(template.meta.audience);
    let disclosed = cohort::disclosure::disclose(policy, &output, &analyses).expect("disclosed");
    let when = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
    let html = cohort::render::report(&template, &disclosed, &analyses, term, when, &[])
        .expect("rendered")
        .html();
    // Case aside: a template prints a flag as `True` where CSV has `true`.
    let html = html.to_lowercase();
    for (name, value) in names.iter().zip(&values) {
        // The CSV quotes text with a comma; none of these has one.
        let shown = format!("{name}=[{value}]").to_lowercase();
        assert!(
            html.contains(&shown),
            "template shows {name} otherwise than SQL's {value}"
        );
    }
    // Autumn 2024-25 (the fixture's last term), worked by hand: the term before is summer
    // 2023-24, across the year boundary; the same term last year autumn 2023-24; the year
    // before 2023-24; the year is not over (year to date).
    for (name, value) in [
        ("previous_term", "2023-24-summer"),
        ("same_term_last_year", "2023-24-autumn"),
        ("previous_year", "2023-24"),
        ("year_to_date", "true"),
        ("term_label", "Autumn term 2024"),
        ("academic_year_label", "2024/25 (year to date)"),
    ] {
        let i = names.iter().position(|n| *n == name).expect("a column");
        assert_eq!(values[i], value, "{name}");
    }
}

/// The sample data's files copied into a new folder `dir`, as the README's own-data flow has it.
fn copy_sample(dir: &Path) {
    std::fs::create_dir_all(dir).expect("dir");
    for e in std::fs::read_dir(root().join("sample-data")).expect("sample-data") {
        let p = e.expect("entry").path();
        if p.is_file() && p.file_name().is_some_and(|n| n != "README.md") {
            std::fs::copy(&p, dir.join(p.file_name().expect("a name"))).expect("copy");
        }
    }
}

/// `cohort` in `dir` (not the repository: nothing found there may be relied on).
fn cohort_in(dir: &Path) -> assert_cmd::Command {
    let mut c = cohort();
    c.current_dir(dir);
    c
}

#[test]
fn a_project_cohort_init_writes_runs_where_it_stands() {
    let tmp = tempfile::tempdir().expect("tmp");
    let x = tmp.path().join("our-data");
    copy_sample(&x);
    // init run from elsewhere (not the repository), as a new user would.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let out = cohort_in(&elsewhere)
        .args(["init"])
        .arg(&x)
        .output()
        .expect("init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = cohort_in(&x).arg("check").output().expect("check");
    assert!(
        check.status.success(),
        "check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let report = cohort_in(&x)
        .args(["report", "termly-impact"])
        .output()
        .expect("report");
    assert!(
        report.status.success(),
        "report: {}",
        String::from_utf8_lossy(&report.stderr)
    );
    let html = std::fs::read_to_string(x.join("out/termly-impact.html")).expect("the report");
    assert!(
        html.contains("This term in brief"),
        "the termly report's own text"
    );
    // The templates are listed where they stand too.
    let list = cohort_in(&x).arg("report").output().expect("list");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("termly-impact"), "{listed}");
}

#[test]
fn init_with_queries_copies_the_analyses_to_edit_and_they_are_used() {
    let tmp = tempfile::tempdir().expect("tmp");
    let x = tmp.path().join("ours");
    copy_sample(&x);
    let out = cohort_in(tmp.path())
        .args(["init", "--with-queries"])
        .arg(&x)
        .output()
        .expect("init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(x.join("queries/versions.lock").is_file());
    assert!(x.join("report-templates/termly-impact.md").is_file());
    // The copies are the project's: a template added there is listed.
    std::fs::write(
        x.join("report-templates/ours.md"),
        "+++\ntitle = \"Our own\"\naudience = \"leadership\"\n+++\n{{ term_label }}\n",
    )
    .expect("write");
    let list = cohort_in(&x).arg("report").output().expect("list");
    assert!(String::from_utf8_lossy(&list.stdout).contains("Our own"));
}

#[test]
fn a_folder_without_cohort_toml_says_so_and_what_to_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = cohort_in(tmp.path()).arg("check").output().expect("check");
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("no cohort.toml") && e.contains("cohort init"),
        "{e}"
    );
}

/// The distinct social work teams of the sample data's PEPs, read from the file itself.
fn sample_teams() -> BTreeSet<String> {
    let mut r = csv::Reader::from_path(root().join("sample-data/peps.csv")).expect("peps");
    let col = r
        .headers()
        .expect("headers")
        .iter()
        .position(|h| h == "sw_team")
        .expect("sw_team");
    r.records()
        .map(|rec| rec.expect("a row")[col].to_string())
        .filter(|t| !t.trim().is_empty())
        .collect()
}

#[test]
fn each_team_writes_one_report_per_team_with_an_index() {
    let out = tempfile::tempdir().expect("out");
    let run = cohort()
        .args(["report", "team-peps", "--each", "team", "--out"])
        .arg(out.path())
        .output()
        .expect("report");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let teams = sample_teams();
    assert!(teams.len() > 1, "the sample has several teams: {teams:?}");
    let dir = out.path().join("team-peps");
    let index = std::fs::read_to_string(dir.join("index.html")).expect("the index");
    let mut pages = BTreeSet::new();
    for team in &teams {
        // The file is named by a slug of the value, never the value itself.
        let slug = cohort::output::safe_slug(team).expect("a slug");
        let page = std::fs::read_to_string(dir.join(format!("{slug}.html")))
            .unwrap_or_else(|e| panic!("{team}: {e}"));
        assert!(page.contains(team.as_str()), "{team}'s page names it");
        // Its provenance records the parameter's value.
        assert!(
            page.contains(&format!(", team {team}.")),
            "{team}'s provenance"
        );
        assert!(
            index.contains(&format!("{slug}.html")),
            "the index links {team}"
        );
        pages.insert(page);
    }
    // One page per team and no other (index aside), each with its own figures.
    let html: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    assert_eq!(html.len(), teams.len() + 1, "{html:?}");
    assert_eq!(pages.len(), teams.len(), "every team's page differs");
}

#[test]
fn param_renders_one_value_and_refuses_one_not_in_the_data() {
    let out = tempfile::tempdir().expect("out");
    let team = sample_teams().into_iter().next().expect("a team");
    let run = cohort()
        .args(["report", "team-peps", "--param"])
        .arg(format!("team={team}"))
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("report");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let slug = cohort::output::safe_slug(&team).expect("a slug");
    assert!(
        out.path()
            .join("team-peps")
            .join(format!("{slug}.html"))
            .is_file()
    );
    assert!(!out.path().join("team-peps/index.html").exists());
    let bad = cohort()
        .args(["report", "team-peps", "--param", "team=../../etc", "--out"])
        .arg(out.path())
        .output()
        .expect("report");
    assert!(!bad.status.success());
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        e.contains("no such social work team") && e.contains(&team),
        "{e}"
    );
    // A parameter the template does not declare is refused by name.
    let undeclared = cohort()
        .args(["report", "termly-impact", "--each", "team", "--out"])
        .arg(out.path())
        .output()
        .expect("report");
    let e = String::from_utf8_lossy(&undeclared.stderr);
    assert!(
        !undeclared.status.success() && e.contains("not a parameter of this template"),
        "{e}"
    );
}

#[test]
fn the_query_shell_takes_its_words_as_typed_and_shows_a_caret_under_a_parse_error() {
    let out = cohort()
        .args(["query", "--data", "tests/fixtures/small", "--mode", "csv"])
        .write_stdin("SELECT 1 AS one;\nhelp\nexit\nSELECT 2 AS two;\n")
        .output()
        .expect("query");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("one\n1"), "{s}");
    assert!(s.contains(".tables"), "help printed: {s}");
    assert!(!s.contains("two"), "nothing runs after exit: {s}");
    for word in ["quit", "\\q"] {
        let out = cohort()
            .args(["query", "--data", "tests/fixtures/small"])
            .write_stdin(format!("{word}\nSELECT 2 AS two;\n"))
            .output()
            .expect("query");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("two"),
            "{word}"
        );
    }
    let bad = cohort()
        .args(["query", "--data", "tests/fixtures/small", "SELEC 1"])
        .output()
        .expect("query");
    assert!(!bad.status.success());
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        e.contains("syntax error") && e.contains("SELEC 1") && e.contains('^'),
        "{e}"
    );
    assert!(
        !e.contains("ParserError"),
        "not the engine's internal text: {e}"
    );
}
