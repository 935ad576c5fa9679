//! Rendering: a template and a finished run become one self-contained HTML report.
//!
//! Render reads no data files and runs no SQL: it draws what the run produced.

pub mod chart;
pub mod escape;
pub mod format;
mod functions;
pub mod html;
pub mod notebook;
pub mod pdf;
pub mod template;
pub mod words;

pub use template::{Audience, ReportTemplate};

use crate::analysis::Analysis;
use crate::contract::Term;
use crate::disclosure::{self, Disclosed, DisclosedMetric, DisclosureError, Policy};
use crate::run::RunOutput;
use chrono::{DateTime, Utc};
use html::escape;
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

/// A template or rendering problem, pointing at the template file and line.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{}:{line}: {message}", path.display())]
    Template {
        path: PathBuf,
        line: usize,
        message: String,
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
    if disclosed.policy.audience != template.meta.audience {
        return Err(RenderError::Template {
            path: template.path.clone(),
            line: 1,
            message: format!(
                "figures disclosed for the {:?} audience cannot be rendered for {:?}",
                disclosed.policy.audience, template.meta.audience
            )
            .to_lowercase(),
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
    functions::register(&mut env, data.clone());
    for (name, value) in globals {
        env.add_global(name.to_string(), value.clone());
    }
    let name = template.path.display().to_string();
    let to_error = |e: minijinja::Error| {
        let line = e
            .line()
            .map(|l| template.body_line + l - 1)
            .unwrap_or(template.body_line);
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        RenderError::Template {
            path: template.path.clone(),
            line,
            message,
        }
    };
    env.add_template_owned(name.clone(), template.body.clone())
        .map_err(to_error)?;
    let markdown = env
        .get_template(&name)
        .map_err(to_error)?
        .render(minijinja::context! { title => template.meta.title.clone() })
        .map_err(to_error)?;
    let markdown = match draft_banner(&data.run.drafts) {
        Some(banner) => format!("> **{}**\n\n{markdown}", escape::escape_markdown(&banner)),
        None => markdown,
    };
    let (mut body, toc) = html::markdown(&markdown);
    if let Some(notes) = data.policy.notes() {
        body.push_str(notes);
    }
    body.push_str(&sources_html(&data.run));
    let audience_label = match template.meta.audience {
        template::Audience::Leadership => "Virtual School leadership",
        template::Audience::Board => "Governing board",
        template::Audience::School => "School advisory visit",
        template::Audience::Officers => "Virtual School officers only",
    };
    let marking = data.policy.marking;
    let subtitle = format!(
        "{} · academic year {}",
        words::period_label(&data.run.term),
        words::period_label(&data.academic_year)
    );
    let provenance = provenance_html(&data, generated);
    let page = html::Page {
        title: &template.meta.title,
        subtitle: &subtitle,
        audience_label,
        marking,
        body: &body,
        toc: &toc,
        provenance: &provenance,
    };
    let pdf = if pdf {
        let contents = template.meta.audience == template::Audience::Board;
        Some(typeset_page(
            &page,
            contents,
            &template.path,
            template.body_line,
        )?)
    } else {
        None
    };
    Ok(Rendered {
        html: html::page(&page),
        pdf,
    })
}

/// A page typeset as PDF (with a contents list when `contents`); a Typst error points at
/// the source the page came from, `path` at `line`.
pub fn typeset_page(
    page: &html::Page,
    contents: bool,
    path: &Path,
    line: usize,
) -> Result<Vec<u8>, RenderError> {
    pdf::typeset(&pdf::document(page, contents)).map_err(|e| RenderError::Template {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    })
}

/// Which earlier years a report shows as published and which it recomputed, and where an
/// analysis's version changes between years (a series break); empty when history was not used.
fn sources_html(run: &RunOutput) -> String {
    if run.sources.is_empty() {
        return String::new();
    }
    let published = run
        .sources
        .iter()
        .filter(|s| s.source == "published")
        .count();
    let mut out = format!(
        "<section class=\"notes\"><h2 id=\"earlier-years\">Earlier years: published or recomputed</h2>\n<p>Figures for earlier years are shown as they were published, from the run history, where a report of that year was recorded ({published} of {} analysis-years); the others are recomputed from today's data with today's analyses.</p>\n",
        run.sources.len()
    );
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
                breaks.push(format!(
                    "<li><code>{}</code>: a series break before {}. {} figures are version {} ({}); {} figures are version {} ({}). Compare the years either side of the break with care.</li>",
                    escape(id),
                    escape(&year),
                    escape(&b.year),
                    b.version,
                    escape(&source_words(b)),
                    escape(&a.year),
                    a.version,
                    escape(&source_words(a)),
                ));
            }
        }
    }
    if !breaks.is_empty() {
        out.push_str("<p>Where an analysis changed between years, its charts mark a series break:</p>\n<ul>\n");
        out.push_str(&breaks.join("\n"));
        out.push_str("\n</ul>\n");
    }
    out.push_str("<div class=\"table-wrap\"><table><caption>Where each year's figures come from</caption><thead><tr><th scope=\"col\">Analysis</th><th scope=\"col\">Year</th><th scope=\"col\">Source</th><th scope=\"col\">Version</th></tr></thead><tbody>");
    for s in &run.sources {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(&s.analysis),
            escape(&s.year),
            escape(&source_words(s)),
            s.version
        ));
    }
    out.push_str("</tbody></table></div></section>\n");
    out
}

fn source_words(s: &crate::run::YearSource) -> String {
    match (s.run_id, &s.recorded) {
        (Some(id), Some(date)) => format!("as published: run {id}, {date}"),
        _ => "recomputed by this run".into(),
    }
}

/// The closing provenance: every analysis with version and SQL hash, every data file with its hash.
fn provenance_html(data: &ReportData, generated: DateTime<Utc>) -> String {
    let run = &data.run;
    let mut out = format!(
        "<h2 id=\"provenance\">Provenance</h2>\n<p>Produced by {} {} with the {} engine on {} from the data folder <code>{}</code> ({} rows read). Figures are for term {}.</p>\n",
        escape(&run.tool),
        escape(&run.tool_version),
        escape(&run.engine),
        generated.format("%-d %B %Y at %H:%M UTC"),
        escape(&run.data_dir.display().to_string()),
        run.rows_read,
        escape(&run.term),
    );
    out.push_str("<div class=\"table-wrap\"><table><caption>Analyses</caption><thead><tr><th scope=\"col\">Analysis</th><th scope=\"col\">Version</th><th scope=\"col\">SQL hash</th><th scope=\"col\">Rows</th></tr></thead><tbody>");
    let mut analyses: Vec<_> = run.analyses.iter().collect();
    analyses.sort_by(|a, b| a.id.cmp(&b.id));
    for a in analyses {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
            escape(&a.id),
            a.version,
            escape(&a.sql_hash[..12.min(a.sql_hash.len())]),
            a.rows
        ));
    }
    out.push_str("</tbody></table></div>\n<div class=\"table-wrap\"><table><caption>Data files</caption><thead><tr><th scope=\"col\">Table</th><th scope=\"col\">File</th><th scope=\"col\">Rows</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>");
    for f in &run.files {
        let file = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td><code>{}</code></td></tr>",
            escape(&f.table),
            escape(&file),
            f.rows,
            escape(&f.sha256[..16.min(f.sha256.len())])
        ));
    }
    out.push_str("</tbody></table></div>");
    out
}
