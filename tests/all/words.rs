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
    text_of(&text)
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
                | "not recorded"
                | "and"
                | "or"
                | "of"
                | "in"
                | "to"
                | "per"
        )
}

/// Adds `found`, the offending words of one file or template, to `report` under `name`.
fn note_findings(report: &mut String, name: impl std::fmt::Display, found: &[String]) {
    if !found.is_empty() {
        report.push_str(&format!(
            "\n{name} ({}):\n  {}",
            found.len(),
            found.join("\n  ")
        ));
    }
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
        note_findings(&mut report, f.display(), &offences(f));
    }
    assert!(report.is_empty(), "words a reader should not see:{report}");
}

/// The text of an HTML fragment: tags become line breaks, entities are decoded.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
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

/// True when `s` shows a figure as a share: a digit and a "%" in one word ("22.7%").
fn percent_figure(s: &str) -> bool {
    s.split_whitespace()
        .any(|w| w.contains('%') && w.chars().any(|c| c.is_ascii_digit()))
}

/// Attainment 8 and Progress 8 are scores: the places a "%" follows one of their figures.
/// In prose, the first figure within four words after the name; in a table, every cell of
/// a row or a column whose label names the measure.
fn score_as_percent(html: &str) -> Vec<String> {
    const SCORES: [&str; 2] = ["Attainment 8", "Progress 8"];
    let mut found = Vec::new();
    for line in visible(html).lines() {
        for name in SCORES {
            for (at, _) in line.match_indices(name) {
                let after = &line[at + name.len()..];
                let figure = after
                    .split_whitespace()
                    .take(4)
                    .find(|w| w.chars().any(|c| c.is_ascii_digit()));
                if figure.is_some_and(|w| w.contains('%')) {
                    found.push(format!("\"{}\"", line.trim()));
                }
            }
        }
    }
    for table in html.split("<table").skip(1) {
        let table = &table[..table.find("</table>").unwrap_or(table.len())];
        let cells = |row: &str| -> Vec<String> {
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('d') || c.starts_with('h'))
                .map(|c| text_of(&format!("<t{c}")).trim().to_string())
                .collect()
        };
        let mut rows = table.split("<tr").skip(1).map(cells);
        let Some(header) = rows.next() else { continue };
        let score_columns: Vec<usize> = (0..header.len())
            .filter(|&i| SCORES.iter().any(|s| header[i].contains(s)))
            .collect();
        for row in rows {
            let named = row
                .first()
                .is_some_and(|c| SCORES.iter().any(|s| c.contains(s)));
            for (i, cell) in row.iter().enumerate().skip(1) {
                if (named || score_columns.contains(&i)) && percent_figure(cell) {
                    found.push(format!("table cell \"{cell}\" in row {row:?}"));
                }
            }
        }
    }
    found
}

#[test]
fn a_score_followed_by_a_percent_sign_is_caught() {
    assert_eq!(
        score_as_percent("<main><p>Average Attainment 8: 22.7% in 2024/25</p></main>").len(),
        1
    );
    assert!(
        score_as_percent("<main><p>Average Attainment 8: 22.7 in 2024/25</p></main>").is_empty()
    );
    let row = |v: &str| {
        format!(
            "<main><table><thead><tr><th>Measure</th><th>2024/25</th></tr></thead><tbody><tr><td>KS4 Progress 8</td><td>{v}</td></tr></tbody></table></main>"
        )
    };
    assert_eq!(score_as_percent(&row("-1.2%")).len(), 1);
    assert!(score_as_percent(&row("-1.2")).is_empty());
    let column = |v: &str| {
        format!(
            "<main><table><tr><th>Year</th><th>KS4 Attainment 8</th><th>Grade 4+</th></tr><tr><td>2024/25</td><td>{v}</td><td>31.6%</td></tr></table></main>"
        )
    };
    assert_eq!(score_as_percent(&column("26.8%")).len(), 1);
    assert!(score_as_percent(&column("26.8")).is_empty());
}

#[test]
fn attainment_8_and_progress_8_are_scores_never_percentages() {
    let out = tempfile::tempdir().unwrap();
    let mut files = render("termly-impact", &[], out.path());
    files.extend(render("board-annual", &[], out.path()));
    let mut report = String::new();
    for f in &files {
        let found = score_as_percent(&std::fs::read_to_string(f).unwrap());
        if !found.is_empty() {
            report.push_str(&format!("\n{}:\n  {}", f.display(), found.join("\n  ")));
        }
    }
    assert!(report.is_empty(), "a score shown as a percentage:{report}");
}

/// The folders of `queries/`: the first part of every analysis id.
fn query_folders() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut folders: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders
}

/// Phrases that belong to the technical annex, never to the body of a board or school document.
const ANNEX_PHRASES: &[&str] = &[
    "recomputed by this run",
    "analysis-years",
    "domain.md",
    "One basis per comparison",
    "cohort lock",
    "run.json",
    "SQL hash",
];

/// Why a word is internal (an analysis id, a version, a file, a legal-status code), or `None`.
fn internal(word: &str, folders: &[String]) -> Option<&'static str> {
    let w = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
    if let Some((folder, name)) = w.split_once('/')
        && folders.iter().any(|f| f == folder)
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Some("analysis id");
    }
    // A file's name, ours or DfE's (`ks2_la.csv`): the body names what a figure is, the
    // annex the file it came from.
    let files = [
        ".sql", ".md", ".toml", ".json", ".parquet", ".lock", ".csv", ".xlsx",
    ];
    if files.iter().any(|e| w.ends_with(e)) {
        return Some("file name");
    }
    let version = w
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if version {
        return Some("analysis version");
    }
    // The children looked after return's legal-status codes (C1, C2, E1, J1, L1, V2 ...).
    let b = w.as_bytes();
    if b.len() == 2 && b"CDEJLV".contains(&b[0]) && b[1].is_ascii_digit() {
        return Some("legal-status code");
    }
    None
}

/// The body of a document: `<main>` up to the technical annex heading, code spans and all
/// (an id in a code span is still an id), or an error when it has none.
fn before_annex(html: &str) -> Result<String, &'static str> {
    let start = html.find("<main").unwrap_or(0);
    let annex = html
        .find("id=\"technical-annex\"")
        .ok_or("no technical annex heading")?;
    let mut body = html[start..annex.max(start)].to_string();
    for (open, close) in [("<style", "</style>"), ("<script", "</script>")] {
        while let Some(a) = body.find(open) {
            let b = body[a..]
                .find(close)
                .map_or(body.len(), |b| a + b + close.len());
            body.replace_range(a..b, " ");
        }
    }
    Ok(text_of(&body))
}

/// What a document shows before its annex that belongs in the annex.
fn internals_before_annex(html: &str, folders: &[String]) -> Vec<String> {
    match before_annex(html) {
        Ok(b) => internals_in(&b, folders),
        Err(e) => vec![e.to_string()],
    }
}

/// The annex phrases and internal words in `body`, one line of text at a time.
fn internals_in(body: &str, folders: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for line in body.lines() {
        for phrase in ANNEX_PHRASES {
            if line.contains(phrase) {
                found.push(format!("\"{phrase}\" in \"{}\"", line.trim()));
            }
        }
        for word in line.split_whitespace() {
            if let Some(why) = internal(word, folders) {
                found.push(format!("{why}: `{word}` in \"{}\"", line.trim()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_annex_scanner_catches_what_it_is_for() {
    let folders = query_folders();
    assert_eq!(
        internal("(attendance/absence_by_year,", &folders),
        Some("analysis id")
    );
    assert_eq!(internal("roll/stability", &folders), Some("analysis id"));
    assert_eq!(internal("2024/25", &folders), None);
    assert_eq!(internal("and/or", &folders), None);
    assert_eq!(internal("v3,", &folders), Some("analysis version"));
    assert_eq!(internal("episodes.csv", &folders), Some("file name"));
    assert_eq!(internal("(ks2_la.csv)", &folders), Some("file name"));
    assert_eq!(internal("ks2_by_year.sql", &folders), Some("file name"));
    assert_eq!(internal("(C2)", &folders), Some("legal-status code"));
    assert_eq!(internal("KS2", &folders), None);
    let page = |body: &str| {
        format!(
            "<main><p>{body}</p><h2 id=\"technical-annex\">Technical annex</h2><p>rests on <code>roll/care_periods v1</code></p></main>"
        )
    };
    assert!(internals_before_annex(&page("Children in care this year."), &folders).is_empty());
    assert_eq!(
        internals_before_annex(&page("From <code>roll/care_periods</code>."), &folders).len(),
        1
    );
    assert_eq!(
        internals_before_annex(&page("(0 of 40 analysis-years)"), &folders).len(),
        1
    );
    assert_eq!(
        internals_before_annex("<main><p>No annex.</p></main>", &folders),
        vec!["no technical annex heading".to_string()]
    );
}

/// Every template of `report-templates/`, with the arguments that render it: a template
/// written for a parameter (`params = ["school"]`) is rendered once per value.
fn every_template() -> Vec<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        let front = text.split("+++").nth(1).unwrap_or("");
        let param = ["school", "team"]
            .into_iter()
            .find(|n| front.contains(&format!("params = [\"{n}\"]")));
        let extra = param
            .map(|n| vec!["--each".to_string(), n.to_string()])
            .unwrap_or_default();
        out.push((name, extra));
    }
    out.sort();
    out
}

#[test]
fn every_report_keeps_internals_for_the_technical_annex() {
    let folders = query_folders();
    let out = tempfile::tempdir().unwrap();
    let templates = every_template();
    assert!(
        templates.len() >= 5,
        "expected every shipped template, got {templates:?}"
    );
    let mut report = String::new();
    for (template, extra) in &templates {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let files = render(template, &extra, out.path());
        assert!(!files.is_empty(), "{template}: no HTML written");
        for f in &files {
            let found = internals_before_annex(&std::fs::read_to_string(f).unwrap(), &folders);
            note_findings(&mut report, f.display(), &found);
        }
    }
    assert!(
        report.is_empty(),
        "internals before the technical annex:{report}"
    );
}

/// The text of blocks, a line a paragraph, heading, cell or figure's title and summary,
/// inline code included.
fn model_text(blocks: &[cohort::render::document::Block], out: &mut String) {
    use cohort::render::document::{Block, plain};
    let table = |t: &cohort::render::document::Table, out: &mut String| {
        for line in t.caption.iter().chain(&t.header).chain(&t.notes) {
            out.push_str(line);
            out.push('\n');
        }
        // An officers' list names each child by pseudonymous id (the fixture's `C3` reads
        // like a legal-status code): the ids are what the list is for.
        let ids = t.header.iter().position(|h| h.contains("pseudonymous id"));
        for row in &t.rows {
            for (i, c) in row.iter().enumerate() {
                if Some(i) != ids {
                    out.push_str(&c.text);
                    out.push('\n');
                }
            }
        }
    };
    for b in blocks {
        match b {
            Block::Heading { text, .. } | Block::Paragraph(text) => {
                out.push_str(&plain(text));
                out.push('\n');
            }
            Block::List { items, .. } => items.iter().for_each(|i| model_text(i, out)),
            Block::Figure(f) => {
                out.push_str(&format!("{}\n{}\n", f.title, f.summary));
                if let Some(t) = &f.data {
                    table(t, out);
                }
            }
            Block::Table(t) => table(t, out),
            Block::Callout(inner) | Block::Section { blocks: inner, .. } => model_text(inner, out),
            Block::Code(code) => {
                out.push_str(code);
                out.push('\n');
            }
        }
    }
}

#[test]
fn every_reports_document_model_keeps_internals_for_the_technical_annex() {
    use cohort::render::document::Block;
    let folders = query_folders();
    let mut report = String::new();
    for (template, _) in every_template() {
        let model = super::document::model(&template);
        let Some(annex) = model.body.iter().position(
            |b| matches!(b, Block::Heading { level: 2, id, .. } if id == "technical-annex"),
        ) else {
            report.push_str(&format!("\n{template}: no technical annex heading"));
            continue;
        };
        let mut text = String::new();
        model_text(&model.body[..annex], &mut text);
        note_findings(&mut report, template, &internals_in(&text, &folders));
    }
    assert!(
        report.is_empty(),
        "internals before the technical annex in the document model:{report}"
    );
}
