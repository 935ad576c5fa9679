//! Rendering: a template and a finished run become one self-contained HTML report.
//!
//! Render reads no data files and runs no SQL: it draws what the run produced.

pub mod chart;
pub mod document;
pub mod escape;
pub mod format;
mod functions;
pub mod html;
pub mod notebook;
pub mod pdf;
pub mod template;
pub mod words;

pub use document::Report;
pub use template::{Audience, ReportTemplate};

use crate::analysis::Analysis;
use crate::contract::Term;
use crate::disclosure::{self, Disclosed, DisclosedMetric, DisclosureError, Policy};
use crate::run::RunOutput;
use chrono::{DateTime, Utc};
use document::{Block, Cell, Inline, Table};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The DRAFT notice for a report or notebook resting on analyses changed since the lock,
/// naming each; `None` when every analysis is locked.
pub fn draft_banner(drafts: &[String]) -> Option<String> {
    (!drafts.is_empty()).then(|| {
        format!(
            "DRAFT, not for publication: changed since the last cohort lock: {}",
            drafts.join(", ")
        )
    })
}

/// The DRAFT notice as the first block of a report or notebook: a callout in bold, so both
/// writers show it above everything else.
pub fn draft_block(banner: String) -> Block {
    Block::Callout(vec![Block::Paragraph(vec![Inline::Strong(vec![
        Inline::Text(banner),
    ])])])
}

/// A template or rendering problem, pointing at the template file and line.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{}:{line}: {message}{excerpt}", path.display())]
    Template {
        path: PathBuf,
        line: usize,
        message: String,
        /// The template line with a caret under the problem (`crate::excerpt`), or empty.
        excerpt: String,
    },
    /// No template of that name: says which there are.
    #[error("no template {} ({reason}); templates here: {known}", path.display())]
    Missing {
        path: PathBuf,
        reason: String,
        known: String,
    },
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
}

/// What a template's functions read: the disclosed run (its tables and figures as the
/// audience may see them), the analyses it ran, and the calendar.
pub struct ReportData {
    pub run: RunOutput,
    pub metrics: Vec<DisclosedMetric>,
    pub policy: Policy,
    pub analyses: Vec<Analysis>,
    pub audience: Audience,
    pub academic_year: String,
    pub previous_term: String,
    pub same_term_last_year: String,
}

/// Renders `template` over a finished `run` to a complete HTML document.
/// `generated` is printed in the provenance (from `SOURCE_DATE_EPOCH` when set).
pub fn render_html(
    template: &ReportTemplate,
    run: RunOutput,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
) -> Result<String, RenderError> {
    render_html_with(template, run, analyses, term, generated, &[])
}

/// A report rendered in the requested formats.
pub struct Rendered {
    pub html: String,
    /// PDF bytes, when asked for.
    pub pdf: Option<Vec<u8>>,
}

/// [`render_html`] with extra template variables, e.g. `school_urn` for a page per school.
pub fn render_html_with(
    template: &ReportTemplate,
    run: RunOutput,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
    globals: &[(&str, String)],
) -> Result<String, RenderError> {
    Ok(render(template, run, analyses, term, generated, globals, false)?.html)
}

/// Renders a report to HTML and, when `pdf` is set, typesets the same content as a PDF;
/// the run is disclosed for the template's audience first ([`render_disclosed`]).
pub fn render(
    template: &ReportTemplate,
    run: RunOutput,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
    globals: &[(&str, String)],
    pdf: bool,
) -> Result<Rendered, RenderError> {
    let disclosed = disclosure::disclose(
        Policy::for_audience(template.meta.audience),
        &run,
        &analyses,
    )?;
    render_disclosed(
        template, &disclosed, analyses, term, generated, globals, pdf,
    )
}

/// A report's document model (what both writers read), from a finished run disclosed for
/// the template's audience first.
pub fn report_document(
    template: &ReportTemplate,
    run: RunOutput,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
    globals: &[(&str, String)],
) -> Result<Report, RenderError> {
    let disclosed = disclosure::disclose(
        Policy::for_audience(template.meta.audience),
        &run,
        &analyses,
    )?;
    document_disclosed(template, &disclosed, analyses, term, generated, globals)
}

/// Renders a report's document model from figures already disclosed for its audience:
/// render sees no other figure. Errs when they were disclosed for another audience.
pub fn document_disclosed(
    template: &ReportTemplate,
    disclosed: &Disclosed,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
    globals: &[(&str, String)],
) -> Result<Report, RenderError> {
    if disclosed.policy.audience != template.meta.audience {
        return Err(RenderError::Template {
            path: template.path.clone(),
            line: 1,
            message: format!(
                "figures disclosed for the {:?} audience cannot be rendered for {:?}",
                disclosed.policy.audience, template.meta.audience
            )
            .to_lowercase(),
            excerpt: String::new(),
        });
    }
    let data = Arc::new(ReportData {
        run: disclosed.run.clone(),
        metrics: disclosed.metrics.clone(),
        policy: disclosed.policy,
        analyses,
        audience: template.meta.audience,
        academic_year: term.year.to_string(),
        previous_term: term.previous().to_string(),
        same_term_last_year: term.a_year_earlier().to_string(),
    });
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // Values from data are text, never Markdown or HTML.
    env.set_formatter(escape::formatter);
    let store = Arc::new(document::BlockStore::default());
    functions::register(&mut env, data.clone(), store.clone());
    for (name, value) in globals {
        env.add_global(name.to_string(), value.clone());
    }
    let name = template.path.display().to_string();
    let to_error = |e: minijinja::Error| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        // minijinja's byte range, when it has one, gives the line and puts the caret under
        // the expression; else its line, else the body's first line.
        let at = e
            .range()
            .and_then(|r| crate::excerpt::span_of(&template.body, r));
        let (body_line, span) = match (at, e.line()) {
            (Some((l, c, w)), _) => (l, Some((c, w))),
            (None, Some(l)) => (l, None),
            (None, None) => (0, None),
        };
        // The file line: the body starts at `template.body_line`.
        let line = template.body_line + body_line.max(1) - 1;
        RenderError::Template {
            path: template.path.clone(),
            line,
            message,
            excerpt: crate::excerpt::numbered(&template.body, body_line, line, span),
        }
    };
    env.add_template_owned(name.clone(), template.body.clone())
        .map_err(to_error)?;
    let markdown = env
        .get_template(&name)
        .map_err(to_error)?
        .render(minijinja::context! { title => template.meta.title.clone() })
        .map_err(to_error)?;
    let mut body = document::parse_markdown(&markdown, Some(&store));
    if let Some(banner) = draft_banner(&data.run.drafts) {
        body.insert(0, draft_block(banner));
    }
    if let Some(notes) = data.policy.notes() {
        body.push(notes_block(notes));
    }
    body.extend(sources_blocks(&data.run));
    let audience_label = match template.meta.audience {
        template::Audience::Leadership => "Virtual School leadership",
        template::Audience::Board => "Governing board",
        template::Audience::School => "School advisory visit",
        template::Audience::Officers => "Virtual School officers only",
    };
    // A school's page is one sheet: short provenance, and a compact PDF.
    let school = template.meta.audience == template::Audience::School;
    let report = Report {
        title: template.meta.title.clone(),
        subtitle: format!(
            "{} · academic year {}",
            words::period_label(&data.run.term),
            words::period_label(&data.academic_year)
        ),
        audience_label: audience_label.to_string(),
        marking: data.policy.marking.map(str::to_string),
        body,
        provenance: if school {
            school_provenance(&data, generated, &template.sections())
        } else {
            provenance_blocks(&data, generated, &template.sections())
        },
        contents: template.meta.audience == template::Audience::Board,
        compact: school,
    };
    Ok(report)
}

/// Renders a report from figures already disclosed for its audience: render sees no
/// other figure. Errs when they were disclosed for another audience.
pub fn render_disclosed(
    template: &ReportTemplate,
    disclosed: &Disclosed,
    analyses: Vec<Analysis>,
    term: Term,
    generated: DateTime<Utc>,
    globals: &[(&str, String)],
    pdf: bool,
) -> Result<Rendered, RenderError> {
    let report = document_disclosed(template, disclosed, analyses, term, generated, globals)?;
    let pdf = if pdf {
        Some(typeset_report(&report, &template.path, template.body_line)?)
    } else {
        None
    };
    Ok(Rendered {
        html: html::report_page(&report),
        pdf,
    })
}

/// A report typeset as PDF (PDF/UA-1); a Typst error points at the source the report
/// came from, `path` at `line`.
pub fn typeset_report(report: &Report, path: &Path, line: usize) -> Result<Vec<u8>, RenderError> {
    pdf::typeset(&pdf::document(report)).map_err(|e| RenderError::Template {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
        excerpt: String::new(),
    })
}

/// The disclosure policy's notes on the figures as a notes section. The policy words them
/// as a fixed HTML fragment of a heading and paragraphs with bold symbols; this reads
/// exactly those elements.
fn notes_block(notes: &str) -> Block {
    let mut blocks = Vec::new();
    let mut rest = notes;
    while let Some(open) = rest.find('<') {
        let tail = &rest[open..];
        if let Some(h) = tail.strip_prefix("<h2") {
            let (Some(gt), Some(close)) = (h.find('>'), h.find("</h2>")) else {
                break;
            };
            let id = h[..gt]
                .split("id=\"")
                .nth(1)
                .and_then(|x| x.split('"').next())
                .unwrap_or("notes");
            let text = decode(&h[gt + 1..close]);
            blocks.push(Block::Heading {
                level: 2,
                id: id.to_string(),
                text: vec![Inline::Text(text)],
            });
            rest = &h[close + 5..];
        } else if let Some(p) = tail.strip_prefix("<p>") {
            let close = p.find("</p>").unwrap_or(p.len());
            let mut runs = Vec::new();
            for (i, piece) in p[..close].split("<strong>").enumerate() {
                let (bold, plain) = match piece.split_once("</strong>") {
                    Some((b, t)) if i > 0 => (Some(b), t),
                    _ => (None, piece),
                };
                if let Some(b) = bold {
                    runs.push(Inline::Strong(vec![Inline::Text(decode(b))]));
                }
                if !plain.is_empty() {
                    runs.push(Inline::Text(decode(plain)));
                }
            }
            blocks.push(Block::Paragraph(runs));
            rest = p.get(close + 4..).unwrap_or("");
        } else {
            rest = &tail[1..];
        }
    }
    Block::Section {
        class: "notes".into(),
        id: None,
        blocks,
    }
}

/// Text of the notes fragment with its character references decoded.
fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Which earlier years a report shows as published and which it recomputed, and where an
/// analysis's version changes between years (a series break); empty when history was not used.
fn sources_blocks(run: &RunOutput) -> Vec<Block> {
    if run.sources.is_empty() {
        return Vec::new();
    }
    let published = run
        .sources
        .iter()
        .filter(|s| s.source == "published")
        .count();
    let mut blocks = vec![
        Block::Heading {
            level: 2,
            id: "earlier-years".into(),
            text: vec![Inline::Text(
                "Earlier years: published or recomputed".into(),
            )],
        },
        Block::Paragraph(vec![Inline::Text(format!(
            "Figures for earlier years are shown as they were published, from the run history, where a report of that year was recorded ({published} of {} analysis-years); the others are recomputed from today's data with today's analyses.",
            run.sources.len()
        ))]),
    ];
    let mut ids: Vec<&str> = run.sources.iter().map(|s| s.analysis.as_str()).collect();
    ids.dedup();
    let mut breaks = Vec::new();
    for id in &ids {
        for year in crate::run::series_breaks(&run.sources, id) {
            let before = run
                .sources
                .iter()
                .filter(|s| s.analysis == *id && s.year < year)
                .max_by(|a, b| a.year.cmp(&b.year));
            let after = run
                .sources
                .iter()
                .find(|s| s.analysis == *id && s.year == year);
            if let (Some(b), Some(a)) = (before, after) {
                breaks.push(vec![Block::Paragraph(vec![
                    Inline::Code(id.to_string()),
                    Inline::Text(format!(
                        ": a series break before {year}. {} figures are version {} ({}); {} figures are version {} ({}). Compare the years either side of the break with care.",
                        b.year,
                        b.version,
                        source_words(b),
                        a.year,
                        a.version,
                        source_words(a),
                    )),
                ])]);
            }
        }
    }
    if !breaks.is_empty() {
        blocks.push(Block::Paragraph(vec![Inline::Text(
            "Where an analysis changed between years, its charts mark a series break:".into(),
        )]));
        blocks.push(Block::List {
            ordered: false,
            tight: true,
            items: breaks,
        });
    }
    blocks.push(Block::Table(Box::new(Table {
        caption: Some("Where each year's figures come from".into()),
        header: vec![
            "Analysis".into(),
            "Year".into(),
            "Source".into(),
            "Version".into(),
        ],
        rows: run
            .sources
            .iter()
            .map(|s| {
                vec![
                    Cell::code(&s.analysis),
                    Cell::text(&s.year),
                    Cell::text(source_words(s)),
                    Cell::number(s.version.to_string()),
                ]
            })
            .collect(),
        ..Table::default()
    })));
    vec![Block::Section {
        class: "notes".into(),
        id: None,
        blocks,
    }]
}

fn source_words(s: &crate::run::YearSource) -> String {
    match (s.run_id, &s.recorded) {
        (Some(id), Some(date)) => format!("as published: run {id}, {date}"),
        _ => "recomputed by this run".into(),
    }
}

/// A template heading in words: `{{ school_name }}` reads "school name".
fn plain_heading(heading: &str) -> String {
    let mut out = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        out.push_str(&after[..close].trim().replace('_', " "));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// The analyses each section rests on: those it names, those declaring the metrics it
/// names, and everything they depend on, in id order.
pub fn section_sources(
    sections: &[template::Section],
    analyses: &[crate::analysis::Analysis],
) -> Vec<(String, Vec<String>)> {
    use std::collections::BTreeSet;
    let declaring = |metric: &str| {
        analyses
            .iter()
            .find(|a| a.meta.metrics.iter().any(|m| m.id == metric))
            .map(|a| a.id().to_string())
    };
    sections
        .iter()
        .map(|s| {
            let mut todo: Vec<String> = s
                .analyses
                .iter()
                .cloned()
                .chain(s.metrics.iter().filter_map(|m| declaring(m)))
                .collect();
            let mut seen: BTreeSet<String> = BTreeSet::new();
            while let Some(id) = todo.pop() {
                if seen.insert(id.clone())
                    && let Some(a) = analyses.iter().find(|a| a.id() == id)
                {
                    todo.extend(a.meta.depends_on.iter().cloned());
                }
            }
            (plain_heading(&s.heading), seen.into_iter().collect())
        })
        .collect()
}

/// When a document was produced, as every provenance prints it ("2 December 2026 at 13:05 UTC").
pub fn generated_label(generated: DateTime<Utc>) -> String {
    generated.format("%-d %B %Y at %H:%M UTC").to_string()
}

/// A school page's provenance in two lines, so the page stays one A4 sheet: the run, and
/// every analysis its sections rest on (as [`section_sources`] finds them) with its version.
/// The SQL and file hashes are in the run's `run.json` and in the provenance of every
/// leadership and board report of the same run.
fn school_provenance(
    data: &ReportData,
    generated: DateTime<Utc>,
    sections: &[template::Section],
) -> Vec<Block> {
    let run = &data.run;
    let ids: std::collections::BTreeSet<String> = section_sources(sections, &data.analyses)
        .into_iter()
        .flat_map(|(_, ids)| ids)
        .collect();
    let used: Vec<String> = ids
        .iter()
        .map(|id| match run.analyses.iter().find(|a| &a.id == id) {
            Some(a) => format!("{id} v{}", a.version),
            None => id.clone(),
        })
        .collect();
    vec![Block::Section {
        class: "provenance".into(),
        id: Some("provenance".into()),
        blocks: vec![Block::Paragraph(vec![
            Inline::Text(format!(
                "Provenance: {} {}, {} engine, {}, term {}, {} rows read from ",
                run.tool,
                run.tool_version,
                run.engine,
                generated_label(generated),
                run.term,
                run.rows_read,
            )),
            Inline::Code(run.data_dir.display().to_string()),
            Inline::Text(format!(
                "; rests on {} (SQL and file hashes in run.json).",
                used.join(", ")
            )),
        ])],
    }]
}

/// The closing provenance: what each section rests on, every analysis with version and SQL
/// hash, every data file with its hash.
fn provenance_blocks(
    data: &ReportData,
    generated: DateTime<Utc>,
    sections: &[template::Section],
) -> Vec<Block> {
    let run = &data.run;
    let mut analyses: Vec<_> = run.analyses.iter().collect();
    analyses.sort_by(|a, b| a.id.cmp(&b.id));
    let by_section = section_sources(sections, &data.analyses);
    vec![
        Block::Heading {
            level: 2,
            id: "provenance".into(),
            text: vec![Inline::Text("Provenance".into())],
        },
        Block::Paragraph(vec![
            Inline::Text(format!(
                "Produced by {} {} with the {} engine on {} from the data folder ",
                run.tool,
                run.tool_version,
                run.engine,
                generated_label(generated),
            )),
            Inline::Code(run.data_dir.display().to_string()),
            Inline::Text(format!(
                " ({} rows read). Figures are for term {}.",
                run.rows_read, run.term
            )),
        ]),
        Block::Table(Box::new(Table {
            caption: Some("What each section rests on".into()),
            header: vec!["Section".into(), "Analyses".into()],
            rows: by_section
                .iter()
                .map(|(heading, ids)| vec![Cell::text(heading), Cell::code(ids.join(", "))])
                .collect(),
            ..Table::default()
        })),
        Block::Table(Box::new(Table {
            caption: Some("Analyses".into()),
            header: vec![
                "Analysis".into(),
                "Version".into(),
                "SQL hash".into(),
                "Rows".into(),
            ],
            rows: analyses
                .iter()
                .map(|a| {
                    vec![
                        Cell::code(&a.id),
                        Cell::number(a.version.to_string()),
                        Cell::code(&a.sql_hash[..12.min(a.sql_hash.len())]),
                        Cell::number(a.rows.to_string()),
                    ]
                })
                .collect(),
            ..Table::default()
        })),
        Block::Table(Box::new(Table {
            caption: Some("Data files".into()),
            header: vec![
                "Table".into(),
                "File".into(),
                "Rows".into(),
                "SHA-256".into(),
            ],
            rows: run
                .files
                .iter()
                .map(|f| {
                    let file = f
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    vec![
                        Cell::text(&f.table),
                        Cell::code(file),
                        Cell::number(f.rows.to_string()),
                        Cell::code(&f.sha256[..16.min(f.sha256.len())]),
                    ]
                })
                .collect(),
            ..Table::default()
        })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use std::path::Path;

    fn analysis(id: &str, extra: &str) -> Analysis {
        let text = format!(
            "-- ---\n-- id = \"{id}\"\n-- version = 1\n-- title = \"T\"\n-- description = \"D\"\n{extra}-- ---\nSELECT 1 AS n\n"
        );
        Analysis::parse(Path::new("x.sql"), id, &text).expect("parses")
    }

    #[test]
    fn a_section_rests_on_what_it_names_what_declares_its_metrics_and_their_dependencies() {
        let a = analysis(
            "roll/children_by_term",
            "-- depends_on = [\"roll/care_periods\"]\n-- [[metric]]\n-- id = \"roll.children\"\n-- value = \"n\"\n-- time_period = \"term\"\n-- unit = \"count\"\n",
        );
        let b = analysis("roll/care_periods", "");
        let c = analysis("peps/timeliness", "");
        let sections = vec![
            template::Section {
                heading: "The roll".into(),
                analyses: vec![],
                metrics: vec!["roll.children".into()],
            },
            template::Section {
                heading: "{{ school_name }}".into(),
                analyses: vec!["peps/timeliness".into()],
                metrics: vec![],
            },
        ];
        let got = section_sources(&sections, &[a, b, c]);
        assert_eq!(
            got,
            vec![
                (
                    "The roll".to_string(),
                    vec![
                        "roll/care_periods".to_string(),
                        "roll/children_by_term".to_string()
                    ]
                ),
                (
                    "school name".to_string(),
                    vec!["peps/timeliness".to_string()]
                ),
            ]
        );
    }
}
