//! `cohort report`: a template's analyses run, disclosed for its audience and rendered, one report or a page per school, with the history record.

use super::*;
use crate::period::Values;

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
pub(super) struct Prepared {
    pub(super) template: ReportTemplate,
    pub(super) session: Session,
    pub(super) output: RunOutput,
    /// Every analysis the publication runs.
    pub(super) wanted: Vec<String>,
}

impl Prepared {
    /// The run's figures as the template's audience may see them (the disclosure stage).
    pub(super) fn disclose(&self) -> Result<disclosure::Disclosed, AppError> {
        disclose_for(&self.template, &self.output, &self.session.analyses)
    }

    /// The term reported on.
    pub(super) fn term(&self) -> Term {
        self.session.period.term
    }

    /// The template rendered from `disclosed` (this run's figures, or one page's share of
    /// them), with a page's own values (`school`) among the template's globals.
    pub(super) fn render(
        &self,
        disclosed: &disclosure::Disclosed,
        generated: DateTime<Utc>,
        globals: &[(&str, String)],
    ) -> Result<render::Report, AppError> {
        let analyses = &self.session.analyses;
        let term = self.term();
        Ok(render::report(
            &self.template,
            disclosed,
            analyses,
            term,
            generated,
            globals,
        )?)
    }
}

/// `output`'s figures as `template`'s audience may see them.
pub(super) fn disclose_for(
    template: &ReportTemplate,
    output: &RunOutput,
    analyses: &[Analysis],
) -> Result<disclosure::Disclosed, AppError> {
    let policy = Policy::for_audience(template.meta.audience);
    Ok(disclosure::disclose(policy, output, analyses)?)
}

/// Records a report's run and the files it staged in the history, and puts the files in
/// place; returns the run and the files' paths.
pub(super) fn record(
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

/// The template, its publication's analyses run for the period, and the session they ran in.
pub(super) fn prepare_report(
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

/// The report `template_name` as one HTML page, rendered and neither written nor recorded,
/// with the term it reports on: what `cohort preview` serves.
pub(super) fn report_html(
    project: &Project,
    template_name: &str,
    term: Option<Term>,
) -> Result<(String, Term), AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let report = p.render(&p.disclose()?, report_time(), &[])?;
    Ok((report.html(), p.term()))
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
        (Some(name), _) => families::report_each(project, &r.template, r.term, name, None, r.pdf),
        (None, Some((name, value))) => {
            families::report_each(project, &r.template, r.term, name, Some(value), r.pdf)
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
    one_page_per_value(&p.template)?;
    let disclosed = p.disclose()?;
    let report = p.render(&disclosed, report_time(), &[])?;
    // The PDF is typeset on a thread of its own while the HTML, results and metrics are
    // written beside it; it is staged after them, before anything is published.
    let mut staging = std::thread::scope(|s| {
        let typeset = pdf.then(|| s.spawn(|| report.pdf(&p.template.path, p.template.body_line)));
        let mut staging = Staging::new(&project.out)?;
        stage_html_and_pdf(&mut staging, template_name, &report.html(), None)?;
        // The disclosed results and metrics.csv are part of the publication: staged with it,
        // under the report's own name, so reports for other audiences written to the same
        // folder never replace or sit among them.
        disclosure::export::write(
            &disclosed,
            &p.session.analyses,
            &staging.dir().join(template_name),
        )?;
        if let Some(typeset) = typeset {
            let bytes = typeset
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            staging.write(Path::new(&format!("{template_name}.pdf")), &bytes)?;
        }
        Ok::<_, AppError>(staging)
    })?;
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

/// A template that is a page per value of a parameter whose values are a result's rows (a
/// school's page: disclosure's cut by URN) has nothing to show without a value: say how to
/// run it rather than fail on the variable its first line names.
fn one_page_per_value(template: &ReportTemplate) -> Result<(), AppError> {
    let per_value = template.meta.params.iter().find(|name| {
        matches!(
            crate::period::parameter(name).map(|p| p.values),
            Some(Values::Result { .. })
        )
    });
    match per_value {
        None => Ok(()),
        Some(name) => Err(AppError::Parameter(format!(
            "{}: one report per {name} (params = [\"{name}\"]): run it with --each {name}, or --param {name}=VALUE for one",
            template.path.display()
        ))),
    }
}

/// The error for a parameter the template does not declare, or no template may.
pub(super) fn unknown_parameter(template: &ReportTemplate, name: &str) -> AppError {
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
