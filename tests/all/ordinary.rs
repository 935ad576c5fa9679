//! Reports never fail on ordinary data: an early term whose later tables are empty, and a
//! small authority. Only a broken template or analysis is an error.

use super::common::cohort;
use std::path::Path;

fn report(template: &str, data: &Path, term: Option<&str>, out: &Path) -> (bool, String) {
    let mut c = cohort();
    c.args(["report", template, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out);
    if let Some(t) = term {
        c.args(["--term", t]);
    }
    let o = c.output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_termly_report_renders_for_every_term_of_the_bundled_data() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let out = tempfile::tempdir().unwrap();
    // sample-data covers 2022-23 to 2024-25: nine terms. The first ones have no SDQ, no
    // termly progress and no care leavers' activity yet.
    for year in ["2022-23", "2023-24", "2024-25"] {
        for season in ["autumn", "spring", "summer"] {
            let term = format!("{year}-{season}");
            let (ok, err) = report("termly-impact", &data, Some(&term), out.path());
            assert!(ok, "termly-impact for {term} failed:\n{err}");
        }
    }
}

#[test]
fn a_small_authority_gets_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cohort()
        .args(["sample", "--children", "50", "--years", "1", "--out"])
        .arg(&data)
        .assert()
        .success();
    for template in ["termly-impact", "board-annual"] {
        let (ok, err) = report(template, &data, None, &dir.path().join("out"));
        assert!(ok, "{template} on 50 children over one year failed:\n{err}");
    }
}

/// Every template in report-templates/, rendered from one run of every analysis over `data`
/// (the school page for the first school on roll); the names of those that failed, with why.
fn render_every_template(data: &Path) -> Vec<String> {
    use cohort::app::{self, Project};
    use cohort::render::{self, ReportTemplate};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project {
        data: data.to_path_buf(),
        queries: root.join("queries"),
        templates: root.join("report-templates"),
        ..Default::default()
    };
    let (output, analyses) = match app::run(&project, None, None) {
        Ok(r) => r,
        Err(e) => return vec![format!("the run: {e}")],
    };
    let term = output.term;
    let school = output
        .result("schools/summary")
        .and_then(|s| {
            let (u, n) = (
                s.result.column_index("urn")?,
                s.result.column_index("name")?,
            );
            let row = s.result.rows.first()?;
            Some(vec![
                ("school_urn", row[u].to_string()),
                ("school_name", row[n].to_string()),
            ])
        })
        .unwrap_or_default();
    let mut failed = Vec::new();
    for name in render::template::list(&project.templates) {
        let t = ReportTemplate::load(&project.templates, &name).expect("a shipped template");
        let globals: Vec<(&str, String)> = if name == "school-on-a-page" {
            school.clone()
        } else {
            vec![]
        };
        let when = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
        let policy = cohort::disclosure::Policy::for_audience(t.meta.audience);
        let html = cohort::disclosure::disclose(policy, &output, &analyses)
            .map_err(|e| e.to_string())
            .and_then(|d| {
                render::report(&t, &d, &analyses, term, when, &globals).map_err(|e| e.to_string())
            })
            .map(|report| report.html());
        match html {
            Ok(html) if html.contains("</html>") => {}
            Ok(_) => failed.push(format!("{name}: an unfinished page")),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    failed
}

#[test]
fn every_template_renders_on_a_small_sample_and_with_each_optional_table_removed() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    cohort()
        .args(["sample", "--children", "30", "--years", "1", "--out"])
        .arg(&full)
        .assert()
        .success();
    let mut failed = render_every_template(&full);
    // The optional data tables of the contract (not the reference tables cohort ships). The
    // wider cohort is left in: the sample's other tables name its children, so without it
    // the folder fails the contract's references, a data error rather than an empty section.
    let contract = cohort::contract::Contract::current();
    let optional: Vec<&str> = contract
        .tables
        .iter()
        .filter(|t| !t.required && t.origin != cohort::contract::Origin::Reference)
        .map(|t| t.name)
        .filter(|t| *t != "wider_cohort")
        .collect();
    assert!(
        optional.contains(&"sdq") && optional.contains(&"oc3"),
        "{optional:?}"
    );
    for table in optional {
        let without = dir.path().join(format!("without-{table}"));
        std::fs::create_dir_all(&without).unwrap();
        let mut removed = false;
        for e in std::fs::read_dir(&full).unwrap() {
            let p = e.unwrap().path();
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            if stem == table {
                removed = true;
            } else if p.is_file() {
                std::fs::copy(&p, without.join(p.file_name().unwrap())).unwrap();
            }
        }
        // The sample writes every table but the wider cohort's.
        assert!(
            removed || table == "wider_cohort",
            "the sample has no {table} file"
        );
        failed.extend(
            render_every_template(&without)
                .into_iter()
                .map(|f| format!("without {table}: {f}")),
        );
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn check_names_a_template_that_names_what_does_not_exist_and_warns_of_empty_sections() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    for e in std::fs::read_dir(root.join("report-templates")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, templates.join(p.file_name().unwrap())).unwrap();
    }
    // The bundled data without its SDQ file, and its KS2 results only up to 2023-24.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for e in std::fs::read_dir(root.join("sample-data")).unwrap() {
        let p = e.unwrap().path();
        if p.file_stem().is_some_and(|s| s != "sdq") {
            std::fs::copy(&p, data.join(p.file_name().unwrap())).unwrap();
        }
    }
    let ks2 = std::fs::read_to_string(data.join("ks2_results.csv")).unwrap();
    let kept: Vec<&str> = ks2.lines().filter(|l| !l.contains(",2024-25,")).collect();
    assert!(
        kept.len() < ks2.lines().count(),
        "sample-data has 2024-25 KS2 rows to remove"
    );
    std::fs::write(data.join("ks2_results.csv"), kept.join("\n") + "\n").unwrap();
    let check = |term: &str| {
        let o = cohort()
            .args(["check", "--data"])
            .arg(&data)
            .arg("--templates")
            .arg(&templates)
            .args(["--term", term])
            .output()
            .unwrap();
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let (ok, said) = check("2024-25-autumn");
    assert!(ok, "{said}");
    // Every shipped template is checked (five since team-peps).
    // Templates are the `.md` files (attention.toml beside them holds rules, not a template).
    let shipped = std::fs::read_dir(root.join("report-templates"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md"))
        })
        .count();
    assert!(
        said.contains(&format!(
            "{shipped} templates name only analyses and metrics that exist"
        )),
        "{said}"
    );
    // No SDQ file: the sections that show SDQ figures are named.
    assert!(
        said.contains(
            "warning: No SDQ file in the data folder: for 2024-25-autumn these sections will say so"
        ) && said.contains("termly-impact.md \""),
        "{said}"
    );
    // The KS2 results left are for 2022-23 and 2023-24: none for 2024-25 yet.
    assert!(said.contains("no KS2 results for 2024-25 yet"), "{said}");
    // A template naming a metric and an analysis that do not exist: an error at its line.
    std::fs::write(
        templates.join("typo.md"),
        "+++\ntitle = \"T\"\naudience = \"leadership\"\n+++\n## Roll\n\n{{ metric(\"roll.childern\") }}\n{{ chart(\"roll/by_yeargroup\") }}\n",
    )
    .unwrap();
    let (ok, said) = check("2024-25-autumn");
    assert!(!ok, "{said}");
    let typo = templates.join("typo.md").display().to_string();
    assert!(
        said.contains(&format!(
            "{typo}:7: names metric `roll.childern`, which no analysis declares"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("{typo}:8: names analysis `roll/by_yeargroup`")),
        "{said}"
    );
    // The line itself, with the caret under the name (columns 12 to 24 of line 7).
    assert!(
        said.contains(" 7 | {{ metric(\"roll.childern\") }}\n   |            ^^^^^^^^^^^^^"),
        "{said}"
    );
}
