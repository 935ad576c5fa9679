//! Document building: a template and a disclosed run become a report's document model.

use super::context::ReportData;
use super::document::{self, Block, Inline, Report};
use super::provenance::{
    draft_banner, draft_block, provenance_blocks, school_provenance, sources_blocks,
};
use super::{RenderError, ReportTemplate, appendix, attention, escape, functions, words};
use crate::analysis::Analysis;
use crate::contract::Term;
use crate::disclosure::policy::{Notes, Run};
use crate::disclosure::{Audience, Disclosed};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

/// A report's document model (what both writers read) from figures already disclosed for
/// its audience: render sees no other figure. Errs when they were disclosed for another
/// audience. `generated` is printed in the provenance; `globals` are extra template
/// variables, e.g. `school_urn` for a page per school.
pub fn report(
    template: &ReportTemplate,
    disclosed: &Disclosed,
    analyses: &[Analysis],
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
    let period = crate::period::Period::new(term);
    let data = Arc::new(ReportData {
        run: disclosed.run.clone(),
        metrics: disclosed.metrics.clone(),
        policy: disclosed.policy,
        analyses: analyses.to_vec(),
        audience: template.meta.audience,
        academic_year: period.year.to_string(),
        previous_term: period.previous_term.to_string(),
        same_term_last_year: period.same_term_last_year.to_string(),
        period,
    });
    let markdown = fill(template, &data, globals)?;
    let store = markdown.1;
    let mut body = document::parse_markdown(&markdown.0, Some(&store));
    // Long tables and grids with no clear difference go to an appendix after the body,
    // each leaving a sentence that points to it.
    let appendix = appendix::gather(&mut body);
    // Every document speaks of children, schools and years; what an auditor needs (notes,
    // sources, analysis ids and versions, provenance) follows one annex heading at the end.
    let school_page = template.meta.audience == Audience::School;
    let banner = draft_banner(&data.run.drafts);
    if banner.is_some() {
        let n = data.run.drafts.len();
        body.insert(
            0,
            draft_block(format!(
                "DRAFT, not for publication: {n} {} changed since the figures were last approved (named in the technical annex).",
                if n == 1 { "analysis has" } else { "analyses have" }
            )),
        );
    }
    body.extend(appendix);
    body.push(annex_heading());
    if !school_page {
        body.push(annex_line(data.policy.notes().is_some()));
    }
    if let Some(banner) = banner {
        body.push(Block::Paragraph(vec![Inline::Text(banner)]));
    }
    if let Some(notes) = data.policy.notes() {
        // On a school's one sheet the annex heading stands for the notes' own heading.
        body.push(notes_block(notes, !school_page));
    }
    body.extend(sources_blocks(
        &data.run,
        &template.sections(),
        &data.analyses,
    ));
    let audience_label = match template.meta.audience {
        Audience::Leadership => "Virtual School leadership",
        Audience::Board => "Governing board",
        Audience::School => "School advisory visit",
        Audience::Officers => "Virtual School officers only",
    };
    // A school's page is one sheet: short provenance, and a compact PDF.
    let school = template.meta.audience == Audience::School;
    Ok(Report {
        title: template.meta.title.clone(),
        subtitle: format!(
            "{} · academic year {}",
            crate::period::term_label(data.run.term),
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
        contents: template.meta.audience == Audience::Board,
        compact: school,
    })
}

/// The heading of the technical annex that closes every document: after it, and only
/// after it, analysis ids, versions, file names and rules by reference.
fn annex_heading() -> Block {
    Block::Heading {
        level: 2,
        id: ANNEX_ID.into(),
        text: vec![Inline::Text("Technical annex".into())],
    }
}

/// The line under the annex heading of a document longer than one sheet; `protected` when
/// notes on suppressed figures follow.
fn annex_line(protected: bool) -> Block {
    Block::Paragraph(vec![Inline::Text(format!(
        "For checking and reproducing the figures: {}the analyses behind each section with their versions, and the data files they read.",
        if protected {
            "how they are protected, "
        } else {
            ""
        }
    ))])
}

/// The anchor of the technical annex heading (`#technical-annex`).
const ANNEX_ID: &str = "technical-annex";

/// The template rendered to Markdown over the report context, with the blocks its
/// functions built (charts, tables) stored behind the placeholders they left.
fn fill(
    template: &ReportTemplate,
    data: &Arc<ReportData>,
    globals: &[(&str, String)],
) -> Result<(String, Arc<document::BlockStore>), RenderError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // Values from data are text, never Markdown or HTML.
    env.set_formatter(escape::formatter);
    let store = Arc::new(document::BlockStore::default());
    functions::register(&mut env, data.clone(), store.clone());
    let dir = template
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    attention::register(&mut env, data.clone(), dir);
    for (name, value) in globals {
        env.add_global(name.to_string(), value.clone());
    }
    let name = template.path.display().to_string();
    let to_error = |e: minijinja::Error| template_error(template, e);
    env.add_template_owned(name.clone(), template.body.clone())
        .map_err(to_error)?;
    let markdown = env
        .get_template(&name)
        .map_err(to_error)?
        .render(minijinja::context! { title => template.meta.title.clone() })
        .map_err(to_error)?;
    Ok((markdown, store))
}

/// A minijinja error as a template error at its file line, with every cause.
fn template_error(template: &ReportTemplate, e: minijinja::Error) -> RenderError {
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
}

/// The disclosure policy's notes on the figures as a notes section: its heading (unless
/// `heading` is false), and each paragraph with the symbols in bold.
fn notes_block(notes: &Notes, heading: bool) -> Block {
    let mut blocks = Vec::new();
    if heading {
        blocks.push(Block::Heading {
            level: 2,
            id: notes.id.to_string(),
            text: vec![Inline::Text(notes.heading.to_string())],
        });
    }
    for paragraph in notes.paragraphs {
        blocks.push(Block::Paragraph(
            paragraph
                .iter()
                .map(|run| match run {
                    Run::Text(t) => Inline::Text(t.to_string()),
                    Run::Symbol(s) => Inline::Strong(vec![Inline::Text(s.to_string())]),
                })
                .collect(),
        ));
    }
    Block::Section {
        class: "notes".into(),
        id: None,
        blocks,
    }
}
