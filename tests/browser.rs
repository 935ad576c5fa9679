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
