//! The reports speak in words: every leadership, board and school report rendered on the
//! bundled sample data is scanned for snake_case identifiers, raw codes and code values
//! left as codes, in the text a reader sees (headings, prose, tables, chart labels).

use super::common::cohort;
use std::path::{Path, PathBuf};

/// Abbreviations a reader of these reports knows (proper nouns and DfE's own terms).
const ALLOWED: &[&str] = &[
    "KS1", "KS2", "KS4", "KS5", "SDQ", "SDQs", "PP+", "PP", "EET", "NEET", "PEP", "PEPs", "URN",
    "CLA", "SEN", "SEND", "EHC", "EHCP", "DfE", "EEF", "RWM", "OC2", "OC3", "UASC", "GCSE",
    "GCSEs", "A4", "AM", "PM", "UK", "England", "ONS", "ID", "II", "OK", "CI", "FSM", "LA",
];

/// Renders `template` (with `extra` arguments) into `out` and returns the HTML files written.
fn render(template: &str, extra: &[&str], out: &Path) -> Vec<PathBuf> {
    cohort()
        .args(["report", template, "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    let mut files = Vec::new();
    let single = out.join(format!("{template}.html"));
    if single.exists() {
        files.push(single);
    }
    let folder = out.join(template);
    if let Ok(entries) = std::fs::read_dir(&folder) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "html")
                && p.file_name().is_some_and(|n| n != "index.html")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The part of the page a reader reads: `<main>` without styles, scripts and code spans
/// (the provenance footer names files and analyses for auditors, and stays out).
fn visible(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    let mut text = html[start..end].to_string();
    for (open, close) in [
        ("<style", "</style>"),
        ("<script", "</script>"),
        ("<code", "</code>"),
    ] {
        while let Some(a) = text.find(open) {
            let b = text[a..]
                .find(close)
                .map_or(text.len(), |b| a + b + close.len());
            text.replace_range(a..b, " ");
        }
    }
    // Tags become line breaks, so each cell and label is its own line.
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push('\n');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// Why a word of the visible text is not a reader's word, or `None` when it is.
fn offence(word: &str) -> Option<&'static str> {
    let w = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '+'));
    // A published file's name (DfE's `ks2_la.csv`) is a reference a reader can look up.
    if w.is_empty() || ALLOWED.contains(&w) || w.ends_with(".csv") {
        return None;
    }
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if w.contains('_') && letters > 0 {
        return Some("snake_case");
    }
    // A code: two or more capitals and nothing else of a word (ASD, SPLD, MLD).
    let capitals = w.chars().filter(|c| c.is_ascii_uppercase()).count();
    if capitals >= 2
        && w.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some("raw code");
    }
    // An acronym a name was split into and left in the wrong case ("Ci lower", "Qa green").
    let lower = w.to_ascii_lowercase();
    let acronym = matches!(
        lower.as_str(),
        "ci" | "qa"
            | "eef"
            | "sen"
            | "sdq"
            | "pep"
            | "peps"
            | "cla"
            | "ks2"
            | "ks4"
            | "neet"
            | "eet"
            | "urn"
            | "oc2"
            | "ehc"
            | "rwm"
            | "sw"
    );
    if acronym && w != w.to_ascii_uppercase() && w != "PEPs" && w != "SDQs" {
        return Some("acronym in the wrong case");
    }
    if lower.contains("4plus") || lower.contains("5plus") {
        return Some("glued grade");
    }
    // A term or year written as an id in prose (2024-25-summer).
    if w.ends_with("-autumn") || w.ends_with("-spring") || w.ends_with("-summer") {
        return Some("term id");
    }
    None
}

/// A line that is a bare lower-case identifier (`english`, `alternative provision` is fine
/// inside a sentence but not alone as a table cell or chart label).
fn bare_code(line: &str) -> bool {
    let l = line.trim();
    !l.is_empty()
        && l.split(' ').count() <= 2
        && l.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && l.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == ' ')
        && !matches!(
            l,
            "c" | "x"
                | "z"
                | "up"
                | "down"
                | "no change"
                | "and"
                | "or"
                | "of"
                | "in"
                | "to"
                | "per"
        )
}

fn offences(file: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(file).unwrap();
    let text = visible(&html);
    let mut found = Vec::new();
    for line in text.lines() {
        for word in line.split_whitespace() {
            if let Some(why) = offence(word) {
                found.push(format!("{why}: `{word}` in \"{}\"", line.trim()));
            }
        }
        if bare_code(line) {
            found.push(format!("code value: \"{}\"", line.trim()));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_scanner_catches_what_it_is_for() {
    assert_eq!(offence("one_plus_suspension_rate"), Some("snake_case"));
    assert_eq!(offence("(SPLD)"), Some("raw code"));
    assert_eq!(offence("2024-25-summer,"), Some("term id"));
    assert_eq!(offence("Ci"), Some("acronym in the wrong case"));
    assert_eq!(offence("4plus"), Some("glued grade"));
    assert_eq!(offence("KS2"), None);
    assert_eq!(offence("PP+"), None);
    assert_eq!(offence("9.7%"), None);
    assert!(bare_code("english"));
    assert!(bare_code("alternative_provision"));
    assert!(!bare_code("English"));
    assert!(!bare_code("up"));
}

#[test]
fn leadership_board_and_school_reports_show_no_codes() {
    let out = tempfile::tempdir().unwrap();
    let mut files = render("termly-impact", &[], out.path());
    files.extend(render("board-annual", &[], out.path()));
    files.extend(render(
        "school-on-a-page",
        &["--each", "school"],
        out.path(),
    ));
    assert!(
        files.len() >= 3,
        "expected the three reports, got {files:?}"
    );
    let mut report = String::new();
    for f in &files {
        let found = offences(f);
        if !found.is_empty() {
            report.push_str(&format!(
                "\n{} ({}):\n  {}",
                f.display(),
                found.len(),
                found.join("\n  ")
            ));
        }
    }
    assert!(report.is_empty(), "words a reader should not see:{report}");
}
