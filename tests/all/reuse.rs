//! The result cache (issue 32 §2): a second run reuses every result whose inputs are
//! unchanged, an edited analysis runs again and its figures are byte for byte those of a
//! run without the cache, a tampered kept result is caught and run again, and a notebook
//! cell whose SQL and inputs are unchanged is not run again.

use cohort::app::{self, Project};
use cohort::catalog::CacheOptions;
use cohort::run::RunOutput;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Copies `from` (files and folders) into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for e in std::fs::read_dir(from).expect("read folder") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// A project over copies of sample-data and queries/ in `dir` (so an analysis can be
/// edited), writing to `dir/<out>`, with the result cache when `cached`.
fn project(dir: &Path, out: &str, cached: bool) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !dir.join("data").exists() {
        copy_tree(&root.join("sample-data"), &dir.join("data"));
        copy_tree(&root.join("queries"), &dir.join("queries"));
    }
    Project {
        data: dir.join("data"),
        queries: dir.join("queries"),
        templates: root.join("report-templates"),
        out: dir.join(out),
        cache: cached.then(|| CacheOptions::new(dir.join("cache"))),
        history: None,
        ..Default::default()
    }
}

/// `cohort run`, written: the run and the bytes of every file under `results/` and of
/// `metrics.csv`.
fn run(p: &Project) -> (RunOutput, BTreeMap<PathBuf, Vec<u8>>) {
    let (output, _) = app::run_and_write(p, None, None).unwrap_or_else(|e| panic!("run: {e}"));
    let mut files = BTreeMap::new();
    let mut folders = vec![p.out.join("results")];
    while let Some(folder) = folders.pop() {
        for e in std::fs::read_dir(&folder).expect("results/") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            files.insert(
                path.strip_prefix(&p.out).expect("under out").to_path_buf(),
                std::fs::read(&path).expect("a result"),
            );
        }
    }
    files.insert(
        "metrics.csv".into(),
        std::fs::read(p.out.join("metrics.csv")).expect("metrics.csv"),
    );
    (output, files)
}

fn reused(o: &RunOutput) -> Vec<String> {
    o.results
        .as_ref()
        .map(|r| r.reused.clone())
        .unwrap_or_default()
}

fn written(o: &RunOutput) -> Vec<String> {
    o.results
        .as_ref()
        .map(|r| r.written.clone())
        .unwrap_or_default()
}

/// `roll/by_sen` is a leaf (no analysis reads it): doubling its count changes only it.
fn edit_leaf(dir: &Path) {
    let path = dir.join("queries/roll/by_sen.sql");
    let sql = std::fs::read_to_string(&path).expect("by_sen.sql");
    assert!(sql.contains("count(*) AS children"));
    std::fs::write(
        &path,
        sql.replace("count(*) AS children", "2 * count(*) AS children"),
    )
    .expect("edit");
}

#[test]
fn only_the_edited_analysis_runs_again_and_its_figures_match_a_run_without_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let (first, first_files) = run(&project(d, "out1", true));
    let all: Vec<String> = first.analyses.iter().map(|a| a.id.clone()).collect();
    assert!(reused(&first).is_empty(), "nothing kept yet");
    assert_eq!(written(&first).len(), all.len(), "every result kept");

    let (second, second_files) = run(&project(d, "out2", true));
    assert_eq!(reused(&second).len(), all.len(), "every result reused");
    assert!(written(&second).is_empty(), "nothing run");
    assert_eq!(
        first_files, second_files,
        "reused results are byte-identical"
    );

    edit_leaf(d);
    let (third, third_files) = run(&project(d, "out3", true));
    assert_eq!(
        written(&third),
        vec!["roll/by_sen".to_string()],
        "only the edit ran"
    );
    assert_eq!(reused(&third).len(), all.len() - 1);
    let (full, full_files) = run(&project(d, "out4", false));
    assert!(
        full.results.is_none(),
        "--no-cache: the result cache is not used"
    );
    assert_eq!(third_files.len(), full_files.len());
    for (path, bytes) in &full_files {
        assert!(
            third_files.get(path) == Some(bytes),
            "{} differs from the run without the cache",
            path.display()
        );
    }
    // The edit did change the figures: the test would notice a stale reuse.
    assert_ne!(
        third_files.get(Path::new("results/roll/by_sen.csv")),
        first_files.get(Path::new("results/roll/by_sen.csv"))
    );
    // run.json records what was reused.
    let json = std::fs::read_to_string(d.join("out3/run.json")).expect("run.json");
    assert!(json.contains("\"reused\""), "{json}");
}

/// What changes when an edit is upstream: `roll/cla_at_term_end` is read by `roll/by_sen`
/// and others, so they run again with it; analyses that do not read it are reused.
#[test]
fn an_edit_runs_again_what_depends_on_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    run(&project(d, "out1", true));
    let path = d.join("queries/roll/cla_at_term_end.sql");
    let sql = std::fs::read_to_string(&path).expect("cla_at_term_end.sql");
    std::fs::write(&path, format!("{sql}\n-- an edit that changes no figure\n")).expect("edit");
    let (after, _) = run(&project(d, "out2", true));
    let ran = written(&after);
    assert!(ran.contains(&"roll/cla_at_term_end".to_string()), "{ran:?}");
    assert!(
        ran.contains(&"roll/by_sen".to_string()),
        "a dependent: {ran:?}"
    );
    assert!(
        reused(&after).contains(&"attendance/sessions_by_term".to_string()),
        "unrelated results are reused"
    );
}

#[test]
fn a_tampered_kept_result_is_caught_and_run_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let (_, first_files) = run(&project(d, "out1", true));
    // The kept table of roll/by_sen with its first count raised by one: valid, and false.
    let kept = std::fs::read_dir(d.join("cache/results"))
        .expect("result cache")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.starts_with("roll_by_sen-") && n.ends_with(".table.json"))
        })
        .expect("by_sen kept");
    let text = std::fs::read_to_string(&kept).expect("kept table");
    let at = text.find("{\"I\":").expect("a count") + 5;
    let end = at + text[at..].find('}').expect("end of count");
    let n: i64 = text[at..end].parse().expect("a number");
    std::fs::write(&kept, format!("{}{}{}", &text[..at], n + 1, &text[end..])).expect("tamper");

    let (second, second_files) = run(&project(d, "out2", true));
    let rejected = second.results.clone().expect("cache used").rejected;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].id, "roll/by_sen");
    assert_eq!(rejected[0].file, kept);
    assert!(written(&second).contains(&"roll/by_sen".to_string()));
    assert_eq!(first_files, second_files, "the figures are the true ones");
}

/// A notebook's first cell is unchanged when only its second is edited: its kept result
/// is not written again (the file is the one the first run kept), while the second's is new.
#[test]
fn a_notebook_cell_whose_sql_and_inputs_are_unchanged_is_not_run_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let p = project(d, "out", true);
    let nb = d.join("nb.md");
    let cells = |second: &str| {
        format!(
            "# Cells\n\n```sql\nSELECT count(*) AS n FROM episodes\n```\n\n```sql\n{second}\n```\n"
        )
    };
    std::fs::write(
        &nb,
        cells("SELECT 'fig-' || CAST(n + 1 AS VARCHAR) AS m FROM cell_1"),
    )
    .expect("notebook");
    app::notebook(&p, &nb, None, false).unwrap_or_else(|e| panic!("notebook: {e}"));
    let kept = |cell: &str| -> Vec<(PathBuf, std::time::SystemTime)> {
        let mut v: Vec<_> = std::fs::read_dir(d.join("cache/results"))
            .expect("result cache")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{cell}-")))
            })
            .map(|p| {
                let t = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                (p, t)
            })
            .collect();
        v.sort();
        v
    };
    let (cell1, cell2) = (kept("cell_1"), kept("cell_2"));
    assert_eq!((cell1.len(), cell2.len()), (3, 3), "each cell kept once");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        &nb,
        cells("SELECT 'fig-' || CAST(n + 2 AS VARCHAR) AS m FROM cell_1"),
    )
    .expect("edit");
    app::notebook(&p, &nb, None, false).unwrap_or_else(|e| panic!("notebook: {e}"));
    assert_eq!(kept("cell_1"), cell1, "cell 1 was not run (nor kept) again");
    assert_eq!(kept("cell_2").len(), 6, "the edited cell ran and was kept");
    let html = std::fs::read_to_string(d.join("out/nb.html")).expect("nb.html");
    let n: i64 = {
        // The first cell's count, from the kept table, to check the second's figure.
        let t = cell1
            .iter()
            .find(|(p, _)| p.to_string_lossy().ends_with(".table.json"))
            .expect("cell 1's table");
        let text = std::fs::read_to_string(&t.0).expect("kept");
        let at = text.find("{\"I\":").expect("count") + 5;
        text[at..at + text[at..].find('}').expect("end")]
            .parse()
            .expect("number")
    };
    // Text cells are shown in sentence case: `Fig-1269`.
    assert!(
        html.to_lowercase().contains(&format!("fig-{}", n + 2)),
        "m = n + 2 = {}",
        n + 2
    );
}
