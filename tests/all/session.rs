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
    // The copied analyses' hand-worked tests run there, from the data folders built into
    // cohort (tests/fixtures/...), which are not copied into the data folder.
    let tests = cohort_in(&x)
        .args(["test", "roll"])
        .output()
        .expect("cohort test");
    let said = String::from_utf8_lossy(&tests.stdout);
    assert!(
        tests.status.success() && said.contains("passed"),
        "{said}{}",
        String::from_utf8_lossy(&tests.stderr)
    );
    assert!(!x.join("tests").exists());
    let check = cohort_in(&x).arg("check").output().expect("check");
    let e = String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success() && !e.contains("not read"),
        "no file of the project's own is taken for data: {e}"
    );
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

#[test]
fn a_period_round_trips_through_run_json_and_the_history_unchanged() {
    use cohort::contract::Term;
    use cohort::period::Period;
    let project = small();
    let term: Term = "2024-25-autumn".parse().expect("a term");
    let (output, analyses) =
        app::run(&project, Some(term), Some(&["roll/summary".to_string()])).expect("a run");
    assert_eq!(output.term, term, "the run is for the term asked for");
    // run.json writes the term as --term reads it, and reading it back gives the same period.
    let json = serde_json::to_value(&output).expect("run.json");
    assert_eq!(json["term"], "2024-25-autumn");
    let back: Term = serde_json::from_value(json["term"].clone()).expect("a term back");
    assert_eq!(Period::new(back), Period::new(term));
    // The history: recorded, read back typed, the same period.
    let dir = tempfile::tempdir().expect("tmp");
    let mut history =
        cohort::history::History::open(&dir.path().join("h.duckdb")).expect("history");
    let kind = cohort::history::RunKind {
        command: "run",
        template: None,
    };
    let source = |id: &str| {
        analyses
            .iter()
            .find(|a| a.id() == id)
            .map(|a| a.source.clone())
            .unwrap_or_default()
    };
    let id = history
        .record(&kind, &output, &source, &[], chrono::Utc::now())
        .expect("recorded");
    let recorded = history.run(id).expect("the run");
    assert_eq!(Period::new(recorded.term), Period::new(term));
    // Its academic year column is the term's year, not text cut from the term.
    drop(history);
    let conn = duckdb::Connection::open(dir.path().join("h.duckdb")).expect("open");
    let year: String = conn
        .query_row("SELECT academic_year FROM runs", [], |r| r.get(0))
        .expect("a year");
    assert_eq!(year, "2024-25");
    // A term that is not one, in run.json's place, is refused with the forms.
    let bad = serde_json::from_value::<Term>(serde_json::json!("2024-25-winter"));
    assert!(
        bad.is_err_and(|e| e.to_string().contains("YYYY-YY-spring")),
        "a bad term is refused"
    );
}

/// The sample data with the repository's analyses, templates from `templates`, writing to
/// `out` and recording in `out/h.duckdb`.
fn family_project(templates: &Path, out: &Path) -> Project {
    Project {
        data: root().join("sample-data"),
        queries: root().join("queries"),
        templates: templates.to_path_buf(),
        out: out.to_path_buf(),
        history: Some(out.join("h.duckdb")),
        ..Project::default()
    }
}

/// Every file under `dir`, however deep.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_family_of_reports_is_one_history_run_with_every_page_and_the_index() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let project = family_project(&root().join("report-templates"), &out);
    let published =
        app::report_each(&project, "team-peps", None, "team", None, false).expect("the family");
    let teams = sample_teams();
    let history = cohort::history::History::open(&out.join("h.duckdb")).expect("history");
    let runs = history.list().expect("runs");
    // One run for the whole family, not one per team.
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(published.run, Some(runs[0].run_id));
    let outputs: BTreeSet<String> = history
        .outputs(runs[0].run_id)
        .expect("outputs")
        .iter()
        .map(|o| o.path.to_string_lossy().to_string())
        .collect();
    let dir = out.join("team-peps");
    for team in &teams {
        let slug = cohort::output::safe_slug(team).expect("a slug");
        let page = dir.join(format!("{slug}.html"));
        assert!(page.is_file(), "{team}'s page");
        assert!(
            outputs.contains(&page.to_string_lossy().to_string()),
            "{team}'s page recorded with the run: {outputs:?}"
        );
    }
    assert!(outputs.contains(&dir.join("index.html").to_string_lossy().to_string()));
    // run.json names each member's value.
    drop(history);
    let conn = duckdb::Connection::open(out.join("h.duckdb")).expect("open");
    let json: String = conn
        .query_row("SELECT run_json FROM runs", [], |r| r.get(0))
        .expect("run_json");
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let members: BTreeSet<String> = json["family"]
        .as_array()
        .expect("the family's members")
        .iter()
        .filter_map(|m| m["parameters"]["team"].as_str().map(str::to_string))
        .collect();
    assert_eq!(members, teams);
}

#[test]
fn a_family_where_one_member_fails_leaves_no_files_and_no_history_record() {
    let tmp = tempfile::tempdir().expect("tmp");
    let templates = tmp.path().join("templates");
    std::fs::create_dir_all(&templates).expect("dir");
    let teams = sample_teams();
    let last = teams.iter().next_back().expect("a team").clone();
    assert!(teams.len() > 1, "the other teams' pages would render");
    // The last team's page names a variable no one defines: its render fails, the others'
    // succeed.
    std::fs::write(
        templates.join("fails-for-one.md"),
        format!(
            "+++\ntitle = \"One fails\"\naudience = \"leadership\"\nparams = [\"team\"]\n+++\n{{{{ team }}}}\n\n{{% if team == \"{last}\" %}}{{{{ no_such_variable.x }}}}{{% endif %}}\n\n{{{{ table(\"peps/for_team\") }}}}\n"
        ),
    )
    .expect("template");
    let out = tmp.path().join("out");
    let project = family_project(&templates, &out);
    let failed = app::report_each(&project, "fails-for-one", None, "team", None, false);
    assert!(failed.is_err(), "one member failed, so the family did");
    // No page, no index, no figures: nothing but the history file, if the command opened it.
    let left: Vec<_> = files_under(&out)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("h.duckdb"))
        .collect();
    assert!(left.is_empty(), "files left: {left:?}");
    let runs = if out.join("h.duckdb").exists() {
        cohort::history::History::open(&out.join("h.duckdb"))
            .expect("history")
            .list()
            .expect("runs")
    } else {
        Vec::new()
    };
    assert!(runs.is_empty(), "no run recorded: {runs:?}");
    // The same template renders for every team once the failing line is gone: the failure
    // above was that one member's.
    std::fs::write(
        templates.join("fails-for-one.md"),
        "+++\ntitle = \"One fails\"\naudience = \"leadership\"\nparams = [\"team\"]\n+++\n{{ team }}\n\n{{ table(\"peps/for_team\") }}\n",
    )
    .expect("template");
    app::report_each(&project, "fails-for-one", None, "team", None, false).expect("the family");
    let pages = files_under(&out.join("fails-for-one"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(pages, teams.len() + 1, "a page per team and the index");
}

#[test]
fn init_over_a_folder_without_data_says_what_to_do_not_to_run_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let x = tmp.path().join("x");
    std::fs::create_dir_all(&x).expect("dir");
    let out = cohort_in(tmp.path())
        .arg("init")
        .arg(&x)
        .output()
        .expect("init");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("no file found for required tables"), "{said}");
    assert!(
        !said.contains("next: `cohort check`"),
        "check would only fail: {said}"
    );
    assert!(
        said.contains(&format!("cohort sample --out {}", x.display())),
        "{said}"
    );
}
