//! PDF output: the termly report typeset in-process, with the HTML's headings and figures.
//! Text is read back with poppler's `pdftotext` and `pdfinfo` (.ci/run installs them); where
//! they are absent the reading-back checks say they were skipped.

use assert_cmd::Command;
use std::path::Path;

fn tool(name: &str) -> bool {
    std::process::Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn termly_report_as_pdf_has_the_html_content() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        // Tests run at once and must not write the clone's own history.
        .env("COHORT_NO_HISTORY", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["report", "termly-impact", "--format", "html,pdf", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let pdf_path = out.path().join("termly-impact.pdf");
    let pdf = std::fs::read(&pdf_path).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF"));
    if !(tool("pdftotext") && tool("pdfinfo")) {
        eprintln!(
            "SKIPPED: poppler-utils (pdftotext, pdfinfo) not installed; the PDF was not read back"
        );
        return;
    }
    let info = run("pdfinfo", &pdf_path);
    let pages = page_count(&info);
    assert!(pages >= 8, "only {pages} pages");
    assert!(info.contains("A4") || info.contains("595."), "{info}");
    let text = run("pdftotext", &pdf_path);
    let html = std::fs::read_to_string(out.path().join("termly-impact.html")).unwrap();
    for heading in [
        "The roll",
        "Attendance",
        "Suspensions and exclusions",
        "Attainment",
        "Facilitators and barriers",
        "Personal Education Plans",
        "Pupil Premium Plus",
        "Wellbeing",
        "Provenance",
    ] {
        assert!(html.contains(heading), "{heading} not in the HTML");
        assert!(text.contains(heading), "{heading} not in the PDF");
    }
    // A figure from the HTML's headline table is in the PDF too, and so is page X of Y.
    assert!(
        text.contains(&format!("Page 1 of {pages}")),
        "no page numbering"
    );
    let figure = "311";
    assert!(html.contains(figure) && text.contains(figure));
}

/// The page count `pdfinfo` reports.
fn page_count(info: &str) -> usize {
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn run(tool: &str, pdf: &Path) -> String {
    let args: Vec<&std::ffi::OsStr> = if tool == "pdftotext" {
        vec![pdf.as_os_str(), std::ffi::OsStr::new("-")]
    } else {
        vec![pdf.as_os_str()]
    };
    let output = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn board_report_as_pdf_opens_with_contents() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("COHORT_NO_HISTORY", "1")
        .args(["report", "board-annual", "--format", "pdf,html", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let pdf_path = out.path().join("board-annual.pdf");
    let pdf = std::fs::read(&pdf_path).expect("a PDF");
    // Deterministic: the same inputs give the same bytes.
    let again = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("COHORT_NO_HISTORY", "1")
        .args(["report", "board-annual", "--format", "pdf", "--out"])
        .arg(again.path())
        .assert()
        .success();
    assert!(
        std::fs::read(again.path().join("board-annual.pdf")).unwrap() == pdf,
        "two PDFs of the same inputs differ"
    );
    if !tool("pdftotext") {
        eprintln!("SKIPPED: poppler-utils not installed; the PDF was not read back");
        return;
    }
    let text = run("pdftotext", &pdf_path);
    assert!(text.contains("Contents"), "no contents list");
    assert!(text.contains("Notes on the figures"), "no notes");
    assert!(!text.contains("VS0"), "a child id is in the board PDF");
}

#[test]
fn school_pages_and_notebooks_come_as_pdf_too() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COHORT_NO_HISTORY", "1")
        .args(["report", "school-on-a-page", "--each", "school", "--format"])
        .args(["html,pdf", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let dir = out.path().join("school-on-a-page");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let mut schools = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") && !path.ends_with("index.html") {
            // Every school page has its PDF beside it, linked from the index.
            let pdf = path.with_extension("pdf");
            assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
            let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
            assert!(index.contains(&format!("href=\"{name}\"")), "{name}");
            // A school's page is for one sheet of A4 at the advisory visit.
            if tool("pdfinfo") {
                let pages = page_count(&run("pdfinfo", &pdf));
                assert_eq!(pages, 1, "{name} runs to {pages} pages");
            }
            schools += 1;
        }
    }
    assert!(schools > 10, "{schools} school pages");

    Command::cargo_bin("cohort")
        .unwrap()
        // Tests run at once and must not write the clone's own history.
        .env("COHORT_NO_HISTORY", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["notebook", "notebooks/absence-by-placement-type.md"])
        .args(["--format", "html,pdf", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let pdf_path = out.path().join("absence-by-placement-type.pdf");
    assert!(std::fs::read(&pdf_path).unwrap().starts_with(b"%PDF"));
    if !tool("pdftotext") {
        eprintln!("SKIPPED: poppler-utils not installed; the notebook PDF was not read back");
        return;
    }
    let text = run("pdftotext", &pdf_path);
    assert!(
        text.contains("Absence this year by placement group"),
        "{text}"
    );
}

/// A school's page run as a user runs it, recording into a run history: the history makes the
/// report say where earlier years' figures come from, and that note once listed every
/// analysis of the publication (57 analysis-years of the board report's), taking the page
/// to two sheets. It lists only what the page reads, and the page stays one sheet.
#[test]
fn a_school_page_recorded_in_a_history_is_still_one_sheet() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COHORT_NO_HISTORY")
        .args(["report", "school-on-a-page", "--param", "school=100003"])
        .args(["--format", "html,pdf", "--out"])
        .arg(out.path().join("out"))
        .arg("--history")
        .arg(out.path().join("history.duckdb"))
        .assert()
        .success();
    let dir = out.path().join("out/school-on-a-page");
    let html = std::fs::read_to_string(dir.join("100003.html")).unwrap();
    // The board report's analyses are run with the page (one publication) but not read by it.
    for board_only in [
        "attainment/ks2_by_year",
        "wellbeing/sdq_by_year",
        "roll/stability",
    ] {
        assert!(!html.contains(board_only), "{board_only} named on the page");
    }
    if tool("pdfinfo") {
        let pages = page_count(&run("pdfinfo", &dir.join("100003.pdf")));
        assert_eq!(pages, 1, "the page runs to {pages} sheets");
    }
}

#[test]
fn officers_alerts_are_marked_official_sensitive_on_every_page() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("cohort")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COHORT_NO_HISTORY", "1")
        .args([
            "report",
            "attendance-alerts",
            "--format",
            "html,pdf",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("attendance-alerts.html")).unwrap();
    // The marking opens and closes the page, and the children are listed by pseudonymous id.
    assert!(html.contains("<body>\n<p class=\"marking\">OFFICIAL-SENSITIVE</p>"));
    assert!(html.ends_with("<p class=\"marking\">OFFICIAL-SENSITIVE</p></body>\n</html>\n"));
    assert!(html.contains("<td>VS0"), "no child listed");
    let pdf_path = out.path().join("attendance-alerts.pdf");
    if !(tool("pdftotext") && tool("pdfinfo")) {
        eprintln!("SKIPPED: poppler-utils not installed; the PDF marking was not read back");
        return;
    }
    let info = run("pdfinfo", &pdf_path);
    let pages = page_count(&info);
    let text = run("pdftotext", &pdf_path);
    // pdftotext separates pages with a form feed: each page carries the marking.
    let marked = text
        .split('\u{c}')
        .filter(|page| page.contains("OFFICIAL-SENSITIVE"))
        .count();
    assert_eq!(marked, pages, "{text}");
}

/// Every row of every table in a report's model (data tables of charts included), as words.
fn table_rows(blocks: &[cohort::render::document::Block], out: &mut Vec<Vec<String>>) {
    use cohort::render::document::Block;
    for b in blocks {
        let words = |cells: &[cohort::render::document::Cell]| -> Vec<String> {
            cells
                .iter()
                .flat_map(|c| c.text.split_whitespace().map(str::to_string))
                .collect()
        };
        match b {
            Block::Table(t) => out.extend(t.rows.iter().map(|r| words(r))),
            Block::Figure(f) => {
                if let Some(t) = &f.data {
                    out.extend(t.rows.iter().map(|r| words(r)));
                }
            }
            Block::Callout(inner) | Block::Section { blocks: inner, .. } => table_rows(inner, out),
            Block::List { items, .. } => items.iter().for_each(|i| table_rows(i, out)),
            _ => {}
        }
    }
}

/// How often `needle` occurs in `hay` as a run of whole words.
fn occurrences(hay: &[String], needle: &[String]) -> usize {
    if needle.is_empty() || needle.len() > hay.len() {
        return 0;
    }
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn termly_pdf_prints_every_table_row_once_and_nothing_off_the_page() {
    use chrono::TimeZone;
    if !tool("pdftotext") {
        eprintln!(
            "SKIPPED: poppler-utils (pdftotext) not installed; the PDF layout was not checked"
        );
        return;
    }
    let project = cohort::app::Project::default();
    let (run, analyses) = cohort::app::run(&project, None, None).expect("sample-data runs");
    let term = run.term;
    let template = cohort::render::ReportTemplate::load(&project.templates, "termly-impact")
        .expect("template");
    let when = chrono::Utc
        .timestamp_opt(1_767_225_600, 0)
        .single()
        .expect("a time");
    let disclosed = cohort::disclosure::disclose(
        cohort::disclosure::Policy::for_audience(template.meta.audience),
        &run,
        &analyses,
    )
    .expect("disclosed");
    let report =
        cohort::render::report(&template, &disclosed, &analyses, term, when, &[]).expect("model");
    let pdf = report.pdf(Path::new("termly-impact"), 1).expect("typeset");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("termly.pdf");
    std::fs::write(&path, &pdf).unwrap();

    // Raw order is the order Typst drew the text: cell after cell, row after row, so a
    // row's words stay together even where a cell wraps.
    let raw = std::process::Command::new("pdftotext")
        .arg("-raw")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    // A long identifier may wrap after its `/` (`attendance/` then `sessions_by_term`): such
    // a word is joined again before counting.
    let mut text: Vec<String> = Vec::new();
    for w in String::from_utf8_lossy(&raw.stdout).split_whitespace() {
        match text.last_mut() {
            Some(last) if last.ends_with('/') => last.push_str(w),
            _ => text.push(w.to_string()),
        }
    }
    let mut rows = Vec::new();
    table_rows(&report.body, &mut rows);
    table_rows(&report.provenance, &mut rows);
    assert!(rows.len() > 100, "only {} table rows", rows.len());
    for row in rows.iter().filter(|r| r.len() >= 2) {
        // A row is printed as often as the model holds it (within a longer row too): a row
        // lost off a page or drawn twice changes the count.
        let expected = rows.iter().filter(|r| occurrences(r, row) > 0).count();
        let found = occurrences(&text, row);
        assert_eq!(
            found,
            expected,
            "table row {:?} printed {found} times, expected {expected}",
            row.join(" ")
        );
    }

    // Every word's box lies within its page.
    let bbox = std::process::Command::new("pdftotext")
        .arg("-bbox")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&bbox.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
    };
    let mut pages = 0;
    let mut words = 0;
    for page in html.split("<page ").skip(1) {
        pages += 1;
        let head = &page[..page.find('>').unwrap()];
        let (w, h) = (attr(head, "width"), attr(head, "height"));
        // A4 portrait or landscape.
        assert!((w.min(h) - 595.3).abs() < 1.0, "page {pages} is {w} × {h}");
        for word in page.split("<word ").skip(1) {
            words += 1;
            let tag = &word[..word.find('>').unwrap()];
            let text = &word[word.find('>').unwrap() + 1..word.find("</word>").unwrap()];
            let (x0, y0, x1, y1) = (
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
            );
            assert!(
                x0 >= 0.0 && y0 >= 0.0 && x1 <= w && y1 <= h,
                "page {pages}: {text:?} at ({x0}, {y0})-({x1}, {y1}) lies outside the {w} × {h} page"
            );
        }
    }
    assert!(pages >= 8 && words > 2000, "{pages} pages, {words} words");
}
