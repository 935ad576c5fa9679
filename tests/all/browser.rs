//! A real browser opens the termly report: headless Chromium renders it to a screenshot.
//! `.ci/run` installs Chromium; where it is absent the test says it was skipped.

use assert_cmd::Command;
use std::path::PathBuf;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

#[test]
fn headless_chromium_renders_the_termly_report() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no Chromium on PATH (.ci/run installs it); the report was not opened");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COHORT_NO_HISTORY", "1")
        .args(["report", "termly-impact", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let html = out.path().join("termly-impact.html");
    let png = out.path().join("termly-impact.png");
    let status = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,4000",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success(), "{status:?}");
    let bytes = std::fs::read(&png).expect("a screenshot");
    // A PNG, and not a blank page: a rendered report compresses to well over 50 KB.
    assert_eq!(&bytes[1..4], b"PNG");
    assert!(
        bytes.len() > 50_000,
        "screenshot only {} bytes",
        bytes.len()
    );
}

/// `node .ci/axe/axe-check.js FILES`: each file's axe-core violations (WCAG 2.2 A and AA), or
/// `None` when node or the npm packages `.ci/run` installs are missing.
fn axe(files: &[PathBuf]) -> Option<Vec<(String, String)>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if !root.join(".ci/axe/node_modules/axe-core").is_dir() {
        return None;
    }
    let browser = chromium()?;
    let out = std::process::Command::new("node")
        .arg(root.join(".ci/axe/axe-check.js"))
        .args(files)
        .env("CHROMIUM", browser)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "axe-check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut found = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let file = v["file"].as_str().unwrap_or("").to_string();
        for violation in v["violations"].as_array().into_iter().flatten() {
            found.push((file.clone(), violation.to_string()));
        }
    }
    Some(found)
}

#[test]
fn every_report_meets_wcag_aa_in_axe_core() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    // A page with known faults: if axe finds nothing here the check below proves nothing.
    let bad = dir.join("bad.html");
    std::fs::write(
        &bad,
        "<html><body><img src=\"x.png\"><p style=\"color:#eee;background:#fff\">faint</p></body></html>",
    )
    .unwrap();
    let Some(faults) = axe(std::slice::from_ref(&bad)) else {
        eprintln!(
            "SKIPPED: node, Chromium or axe-core missing (.ci/run installs them into .ci/axe); accessibility was not checked"
        );
        return;
    };
    for rule in ["image-alt", "color-contrast", "html-has-lang"] {
        assert!(
            faults.iter().any(|(_, v)| v.contains(rule)),
            "axe missed {rule}: {faults:?}"
        );
    }
    let report = |args: &[&str]| {
        Command::cargo_bin("cohort")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("COHORT_NO_HISTORY", "1")
            .args(["report"])
            .args(args)
            .arg("--out")
            .arg(dir)
            .assert()
            .success();
    };
    for name in ["termly-impact", "board-annual", "attendance-alerts"] {
        report(&[name]);
    }
    report(&["school-on-a-page", "--each", "school"]);
    let mut files: Vec<PathBuf> = ["termly-impact", "board-annual", "attendance-alerts"]
        .iter()
        .map(|n| dir.join(format!("{n}.html")))
        .collect();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.join("school-on-a-page"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    // The index and the first three schools' pages.
    files.push(dir.join("school-on-a-page/index.html"));
    files.extend(
        pages
            .into_iter()
            .filter(|p| !p.ends_with("index.html"))
            .take(3),
    );
    let found = axe(&files).expect("axe ran once already");
    assert!(
        found.is_empty(),
        "WCAG 2.2 AA violations:\n{}",
        found
            .iter()
            .map(|(f, v)| format!("{f}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
