//! `cohort report`: a template's analyses run, disclosed for its audience and rendered, one report or a page per school, with the history record.

use super::*;
use crate::period::{Parameter, Values};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// `cohort report` without a name: each template in the templates folder with its audience
/// and title.
pub fn list_templates(project: &Project) -> Result<String, AppError> {
    let mut out = format!("templates in {}:\n", project.templates.display());
    for name in crate::render::template::list(&project.templates) {
        let t = ReportTemplate::load(&project.templates, &name)?;
        let audience = format!("{:?}", t.meta.audience).to_lowercase();
        out.push_str(&format!("  {name:<20} {audience:<11} {}\n", t.meta.title));
    }
    out.push_str("run one with: cohort report NAME [--format html,pdf]");
    Ok(out)
}

/// The report time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn report_time() -> DateTime<Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or_else(Utc::now)
}

/// A template, its analyses and the finished run it renders from.
struct Prepared {
    template: ReportTemplate,
    session: Session,
    output: RunOutput,
    /// Every analysis the publication runs.
    wanted: Vec<String>,
}

impl Prepared {
    /// The run's figures as the template's audience may see them (the disclosure stage).
    fn disclose(&self) -> Result<disclosure::Disclosed, AppError> {
        disclose_for(&self.template, &self.output, &self.session.analyses)
    }

    fn term(&self) -> Term {
        self.session.period.term
    }
}

/// `output`'s figures as `template`'s audience may see them.
fn disclose_for(
    template: &ReportTemplate,
    output: &RunOutput,
    analyses: &[Analysis],
) -> Result<disclosure::Disclosed, AppError> {
    let policy = Policy::for_audience(template.meta.audience);
    Ok(disclosure::disclose(policy, output, analyses)?)
}

/// Records a report's run and the files it staged in the history, and puts the files in
/// place; returns the run and the files' paths.
fn record(
    project: &Project,
    template_name: &str,
    output: &RunOutput,
    analyses: &[Analysis],
    staging: Staging,
) -> Result<(Option<i64>, Vec<PathBuf>), AppError> {
    history::record(
        project,
        RunKind {
            command: "report",
            template: Some(template_name.to_string()),
        },
        output,
        analyses,
        staging,
        true,
    )
}

fn prepare_report(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
    extra: &[&str],
) -> Result<Prepared, AppError> {
    // A template is a name in the templates folder, never a path.
    crate::output::template_file(&project.templates, template_name)?;
    let template = ReportTemplate::load(&project.templates, template_name)?;
    // A published report (board, school) rests only on locked analyses; one that stays in
    // the Virtual School (leadership, officers) may carry drafts, under a DRAFT banner.
    let drafts = if template.meta.audience.publishes() {
        Drafts::Refused
    } else {
        Drafts::Allowed
    };
    let mut wanted: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    let mut also_read = BTreeSet::new();
    for name in &template.meta.params {
        match crate::period::parameter(name).map(|p| p.values) {
            Some(Values::Column { table, .. }) => {
                also_read.insert(table.to_string());
            }
            Some(Values::Result { analysis, .. }) => wanted.push(analysis.to_string()),
            None => return Err(unknown_parameter(&template, name)),
        }
    }
    let publication = publication::templates(&project.templates, &template)?;
    let mut tables = |analyses: &[Analysis]| {
        // Everything published with this report (the board report and the school pages of
        // a term are one publication) is run, so disclosure is solved over all of it.
        for t in &publication {
            wanted.extend(t.named_analyses());
            if t.meta.audience.publishes() {
                wanted.push("schools/summary".into());
            }
            // Every analysis that writes a named metric: breakdowns of one metric can come
            // from several.
            for m in t.named_metrics() {
                wanted.extend(
                    analyses
                        .iter()
                        .filter(|a| a.meta.metrics.iter().any(|s| s.id == m))
                        .map(|a| a.id().to_string()),
                );
            }
        }
        // Only the tables the template's analyses read are loaded and checked (and those
        // its parameters' values are read from).
        tables_for(analyses, &wanted).map(|mut t| {
            t.extend(also_read.iter().cloned());
            t
        })
    };
    let session = Session::open_reading(project, term, drafts, &mut tables)?;
    let mut output = session.run(Some(&wanted), false)?;
    if template.meta.audience.publishes() {
        history::apply_published(project, &mut output, &session.analyses, session.period)?;
    }
    Ok(Prepared {
        template,
        session,
        output,
        wanted,
    })
}

/// The publication a report belongs to, before and after disclosure: the run (with what
/// the board last saw for earlier years), its analyses, and the figures the template's
/// audience may see. What `report` renders from; for tests and checks.
pub fn disclosed_report(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
) -> Result<(RunOutput, Vec<Analysis>, disclosure::Disclosed), AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    Ok((p.output, p.session.analyses, disclosed))
}

/// `cohort report`: runs what the template needs and writes `<out>/<template>.html`.
pub fn report(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
) -> Result<PathBuf, AppError> {
    Ok(report_formats(project, template_name, term, false)?
        .paths
        .remove(0))
}

/// What a report command wrote, and the history run that records it (none with `--no-history`).
#[derive(Debug)]
pub struct Published {
    pub paths: Vec<PathBuf>,
    pub run: Option<i64>,
    /// The term reported on.
    pub term: Term,
    /// What else was written, said once (the pages of `--each`).
    pub note: Option<String>,
}

/// What `cohort report TEMPLATE` is asked for.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub template: String,
    pub term: Option<Term>,
    /// Also typeset each report as PDF.
    pub pdf: bool,
    /// `--each NAME`: one report per value of the template's parameter NAME, and an index.
    pub each: Option<String>,
    /// `--param NAME=VALUE`: the report for one value.
    pub param: Option<(String, String)>,
}

/// `cohort report`, whichever form: one report, one per value of a parameter, or one value's.
pub fn report_request(project: &Project, r: &ReportRequest) -> Result<Published, AppError> {
    match (&r.each, &r.param) {
        (Some(name), _) => report_each(project, &r.template, r.term, name, None, r.pdf),
        (None, Some((name, value))) => {
            report_each(project, &r.template, r.term, name, Some(value), r.pdf)
        }
        (None, None) => report_formats(project, &r.template, r.term, r.pdf),
    }
}

/// `cohort report --format html,pdf`: the HTML and, when `pdf` is set, the same report as
/// `<out>/<template>.pdf`, typeset in-process. Both are rendered before either is written.
pub fn report_formats(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    let report = render::report(
        &p.template,
        &disclosed,
        &p.session.analyses,
        p.term(),
        report_time(),
        &[],
    )?;
    let pdf_bytes = if pdf {
        Some(report.pdf(&p.template.path, p.template.body_line)?)
    } else {
        None
    };
    let mut staging = Staging::new(&project.out)?;
    stage_html_and_pdf(&mut staging, template_name, &report.html(), pdf_bytes)?;
    // The disclosed results and metrics.csv are part of the publication: staged with it,
    // under the report's own name, so reports for other audiences written to the same
    // folder never replace or sit among them.
    disclosure::export::write(
        &disclosed,
        &p.session.analyses,
        &staging.dir().join(template_name),
    )?;
    staging.adopt()?;
    let (run, paths) = record(
        project,
        template_name,
        &p.output,
        &p.session.analyses,
        staging,
    )?;
    // Name the report's own files; its results/ and metrics.csv are in `<out>/<template>/`.
    let paths = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "pdf"))
        .collect();
    Ok(Published {
        paths,
        run,
        term: p.term(),
        note: None,
    })
}

/// One value of a parameter: the value, what the index calls it, and its file's slug.
struct Value1 {
    value: String,
    name: String,
    slug: String,
}

/// The error for a parameter the template does not declare, or no template may.
fn unknown_parameter(template: &ReportTemplate, name: &str) -> AppError {
    let known: Vec<&str> = crate::period::PARAMETERS.iter().map(|p| p.name).collect();
    let declared = if template.meta.params.is_empty() {
        "none".to_string()
    } else {
        template.meta.params.join(", ")
    };
    AppError::Parameter(format!(
        "{}: `{name}` is not a parameter of this template (it declares: {declared}; a template may declare {} in its front matter, e.g. params = [\"team\"])",
        template.path.display(),
        known.join(", ")
    ))
}

/// The values of `parameter` in the prepared run's data, each with its slug.
fn values_of(p: &Prepared, parameter: &Parameter) -> Result<Vec<Value1>, AppError> {
    let pairs: Vec<(String, String)> = match parameter.values {
        Values::Column { table, column } => {
            let sql = format!(
                "SELECT DISTINCT CAST({column} AS VARCHAR) AS v FROM {table} WHERE {column} IS NOT NULL ORDER BY 1"
            );
            let batches = p.session.engine.query(&sql)?;
            let t = run::convert::to_table(&batches);
            t.rows
                .iter()
                .filter_map(|r| r.first().map(|v| v.to_string()))
                .filter(|v| !v.trim().is_empty())
                .map(|v| (v.clone(), v))
                .collect()
        }
        Values::Result {
            analysis,
            value,
            name,
        } => {
            let result = p
                .output
                .result(analysis)
                .map(|r| r.result.clone())
                .unwrap_or_default();
            let (Some(v), Some(n)) = (result.column_index(value), result.column_index(name)) else {
                return Err(AppError::MissingColumns {
                    analysis: analysis.to_string(),
                    columns: "its value and name",
                });
            };
            result
                .rows
                .iter()
                .map(|r| (r[v].to_string(), r[n].to_string()))
                .collect()
        }
    };
    // File names come from a safe slug of the value, never from the value itself.
    let mut slugs: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (value, name) in pairs {
        let slug = safe_slug(&value)?;
        if let Some(first) = slugs.insert(slug.clone(), value.clone()) {
            return Err(AppError::SlugClash {
                parameter: parameter.name.to_string(),
                first,
                second: value,
                slug,
            });
        }
        out.push(Value1 { value, name, slug });
    }
    Ok(out)
}

/// One value's report, rendered and ready to stage: its files and, when it ran on its
/// own, its run and disclosed figures.
struct Page {
    files: Vec<(PathBuf, Vec<u8>)>,
    own: Option<(RunOutput, disclosure::Disclosed)>,
}

/// `cohort report <template> --each NAME` (or `--param NAME=VALUE` with `only`): one report
/// per value of the template's parameter NAME, rendered in parallel, each under the
/// template's audience policy, to `<out>/<template>/<slug>.html` (and `.pdf`), with an
/// index page `<out>/<template>/index.html` (no index for one value). A parameter whose
/// values are rows of a shared result (a school: `schools/summary`) shares one run, each
/// page disclosure's cut for its value; any other runs once per value with `params.NAME`
/// set, as analyses read it.
pub fn report_each(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
    name: &str,
    only: Option<&str>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let parameter = match crate::period::parameter(name) {
        Some(param) if p.template.meta.params.iter().any(|d| d == name) => param,
        _ => return Err(unknown_parameter(&p.template, name)),
    };
    let mut values = values_of(&p, parameter)?;
    if let Some(wanted) = only {
        let known: Vec<String> = values.iter().map(|v| v.value.clone()).collect();
        values.retain(|v| v.value == wanted);
        if values.is_empty() {
            return Err(AppError::Parameter(format!(
                "--param {name}={wanted}: no such {} in the data (there are: {})",
                parameter.noun,
                known.join(", ")
            )));
        }
    }
    let dir = PathBuf::from(template_name);
    let generated = report_time();
    let shared = match parameter.values {
        Values::Result { .. } => Some(p.disclose()?),
        Values::Column { .. } => None,
    };
    let progress = style::bar(
        values.len() as u64,
        &format!("rendering a report per {}", parameter.noun),
    );
    // Render every page first (in parallel), then write: an error leaves no half-written set.
    let pages: Vec<Result<Page, AppError>> = values
        .par_iter()
        .map(|v| {
            let (disclosed, own) = match &shared {
                Some(all) => (all.for_school(&v.value), None),
                None => {
                    let parameters = BTreeMap::from([(name.to_string(), v.value.clone())]);
                    let output = p.session.run_with(Some(&p.wanted), &parameters)?;
                    let disclosed = disclose_for(&p.template, &output, &p.session.analyses)?;
                    (disclosed.clone(), Some((output, disclosed)))
                }
            };
            let mut globals = vec![(name, v.value.clone())];
            if name == "school" {
                globals.push(("school_urn", v.value.clone()));
                globals.push(("school_name", v.name.clone()));
            }
            let page = render::report(
                &p.template,
                &disclosed,
                &p.session.analyses,
                p.term(),
                generated,
                &globals,
            )?;
            let mut files = vec![(
                dir.join(format!("{}.html", v.slug)),
                page.html().into_bytes(),
            )];
            if pdf {
                let bytes = page.pdf(&p.template.path, p.template.body_line)?;
                files.push((dir.join(format!("{}.pdf", v.slug)), bytes));
            }
            progress.inc(1);
            Ok(Page { files, own })
        })
        .collect();
    progress.finish_and_clear();
    let pages = pages.into_iter().collect::<Result<Vec<_>, _>>()?;
    let index = only.is_none().then(|| {
        let entries: Vec<(String, String, String)> = values
            .iter()
            .map(|v| (v.slug.clone(), v.value.clone(), v.name.clone()))
            .collect();
        index_page(&p.template.meta.title, p.term(), parameter, &entries, pdf).html()
    });
    let (run, mut paths) = match &shared {
        // One run for every page: staged together with the index, recorded once.
        Some(disclosed) => {
            let mut staging = Staging::new(&project.out)?;
            for page in &pages {
                for (path, bytes) in &page.files {
                    staging.write(path, bytes)?;
                }
            }
            if let Some(index) = &index {
                staging.write(&dir.join("index.html"), index.as_bytes())?;
            }
            disclosure::export::write(disclosed, &p.session.analyses, &staging.dir().join(&dir))?;
            staging.adopt()?;
            record(
                project,
                template_name,
                &p.output,
                &p.session.analyses,
                staging,
            )?
        }
        // A run per value: each recorded with its own files and figures.
        None => {
            let mut last = None;
            let mut paths = Vec::new();
            for (page, v) in pages.iter().zip(&values) {
                let Some((output, disclosed)) = &page.own else {
                    continue;
                };
                let mut staging = Staging::new(&project.out)?;
                for (path, bytes) in &page.files {
                    staging.write(path, bytes)?;
                }
                disclosure::export::write(
                    disclosed,
                    &p.session.analyses,
                    &staging.dir().join(&dir).join(&v.slug),
                )?;
                staging.adopt()?;
                let (run, written) =
                    record(project, template_name, output, &p.session.analyses, staging)?;
                last = run.or(last);
                paths.extend(written);
            }
            if let Some(index) = &index {
                let mut staging = Staging::new(&project.out)?;
                staging.write(&dir.join("index.html"), index.as_bytes())?;
                paths.extend(staging.publish()?);
            }
            (last, paths)
        }
    };
    paths.retain(|p| p.extension().is_some_and(|e| e == "html" || e == "pdf"));
    let formats = if pdf { "HTML and PDF" } else { "HTML" };
    let (paths, note) = match &index {
        Some(_) => (
            paths
                .into_iter()
                .filter(|p| p.file_name().is_some_and(|n| n == "index.html"))
                .collect(),
            Some(format!(
                "wrote {} reports, one per {} ({formats}), in {}",
                pages.len(),
                parameter.noun,
                project.out.join(&dir).display()
            )),
        ),
        None => (paths, None),
    };
    Ok(Published {
        note,
        paths,
        run,
        term: p.term(),
    })
}

/// The index of a family of reports as a document: a link to each value's report (and its
/// PDF, when made).
fn index_page(
    title: &str,
    term: Term,
    parameter: &Parameter,
    pages: &[(String, String, String)],
    pdf: bool,
) -> render::Report {
    use render::document::{Block, Inline};
    let link = |href: String, text: &str| Inline::Link {
        href,
        text: vec![Inline::Text(text.to_string())],
    };
    let items = pages
        .iter()
        .map(|(slug, value, name)| {
            let mut runs = vec![link(format!("{slug}.html"), name)];
            if parameter.name == "school" {
                runs.push(Inline::Text(format!(" (URN {value})")));
            }
            if pdf {
                runs.push(Inline::Text(" · ".into()));
                runs.push(link(format!("{slug}.pdf"), "PDF"));
            }
            vec![Block::Paragraph(runs)]
        })
        .collect();
    let (count, audience) = if parameter.name == "school" {
        (
            format!("{} schools", pages.len()),
            "School advisory visits".to_string(),
        )
    } else {
        (
            format!("{} reports, one per {}", pages.len(), parameter.noun),
            format!("One report per {}", parameter.noun),
        )
    };
    render::Report {
        title: title.to_string(),
        subtitle: format!("Term {term} · {count}"),
        audience_label: audience,
        body: vec![Block::List {
            ordered: false,
            tight: true,
            items,
        }],
        ..render::Report::default()
    }
}
