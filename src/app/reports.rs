//! `cohort report`: a template's analyses run, disclosed for its audience and rendered, one report or a page per school, with the history record.

use super::*;

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
    analyses: Vec<Analysis>,
    output: RunOutput,
    term: Term,
}

impl Prepared {
    /// The run's figures as the template's audience may see them (the disclosure stage).
    fn disclose(&self) -> Result<disclosure::Disclosed, AppError> {
        let policy = Policy::for_audience(self.template.meta.audience);
        Ok(disclosure::disclose(policy, &self.output, &self.analyses)?)
    }

    /// Records a report's run and the files it staged in the history, and puts the files
    /// in place; returns the run and the files' paths.
    fn record(
        &self,
        project: &Project,
        template_name: &str,
        staging: Staging,
    ) -> Result<(Option<i64>, Vec<PathBuf>), AppError> {
        history::record(
            project,
            RunKind {
                command: "report",
                template: Some(template_name.to_string()),
            },
            &self.output,
            &self.analyses,
            staging,
            true,
        )
    }
}

fn prepare_report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    extra: &[&str],
) -> Result<Prepared, AppError> {
    // A template is a name in the templates folder, never a path.
    crate::output::template_file(&project.templates, template_name)?;
    let template = ReportTemplate::load(&project.templates, template_name)?;
    // A published report (board, school) rests only on locked analyses; one that stays in
    // the Virtual School (leadership, officers) may carry drafts, under a DRAFT banner.
    let (analyses, drafts) = if template.meta.audience.publishes() {
        (load_analyses(project)?, Vec::new())
    } else {
        load_analyses_or_drafts(project)?
    };
    let mut wanted: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    // Everything published with this report (the board report and the school pages of a
    // term are one publication) is run, so disclosure is solved over all of it.
    for t in publication::templates(&project.templates, &template)? {
        wanted.extend(t.named_analyses());
        if t.meta.audience.publishes() {
            wanted.push("schools/summary".into());
        }
        // Every analysis that writes a named metric: breakdowns of one metric can come from several.
        for m in t.named_metrics() {
            wanted.extend(
                analyses
                    .iter()
                    .filter(|a| a.meta.metrics.iter().any(|s| s.id == m))
                    .map(|a| a.id().to_string()),
            );
        }
    }
    // Only the tables the template's analyses read are loaded and checked.
    let tables = tables_for(&analyses, &wanted);
    let catalog = open_catalog_for(project, tables.as_ref(), term)?;
    let term = choose_term(&catalog, term)?;
    let engine = project.engine.start()?;
    let results = results_cache(project);
    let mut output = run::run_cached(
        &catalog,
        &analyses,
        engine.as_ref(),
        term,
        Some(&wanted),
        false,
        results.as_ref(),
    )?;
    output.drafts = drafts
        .into_iter()
        .filter(|d| output.analyses.iter().any(|a| &a.id == d))
        .collect();
    if template.meta.audience.publishes() {
        history::apply_published(project, &mut output, &analyses, term)?;
    }
    Ok(Prepared {
        template,
        analyses,
        output,
        term,
    })
}

/// The publication a report belongs to, before and after disclosure: the run (with what
/// the board last saw for earlier years), its analyses, and the figures the template's
/// audience may see. What `report` renders from; for tests and checks.
pub fn disclosed_report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
) -> Result<(RunOutput, Vec<Analysis>, disclosure::Disclosed), AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    Ok((p.output, p.analyses, disclosed))
}

/// `cohort report`: runs what the template needs and writes `<out>/<template>.html`.
pub fn report(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
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
    term: Option<&str>,
) -> Result<(String, Term), AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    let report = render::report(
        &p.template,
        &disclosed,
        &p.analyses,
        p.term,
        report_time(),
        &[],
    )?;
    Ok((report.html(), p.term))
}

/// What a report command wrote, and the history run that records it (none with `--no-history`).
#[derive(Debug)]
pub struct Published {
    pub paths: Vec<PathBuf>,
    pub run: Option<i64>,
    /// The term reported on.
    pub term: Term,
    /// What else was written, said once (the school pages of `--each school`).
    pub note: Option<String>,
}

/// `cohort report --format html,pdf`: the HTML and, when `pdf` is set, the same report as
/// `<out>/<template>.pdf`, typeset in-process. Both are rendered before either is written.
pub fn report_formats(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &[])?;
    let disclosed = p.disclose()?;
    let report = render::report(
        &p.template,
        &disclosed,
        &p.analyses,
        p.term,
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
    disclosure::export::write(&disclosed, &p.analyses, &staging.dir().join(template_name))?;
    staging.adopt()?;
    let (run, paths) = p.record(project, template_name, staging)?;
    // Name the report's own files; its results/ and metrics.csv are in `<out>/<template>/`.
    let paths = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "pdf"))
        .collect();
    Ok(Published {
        paths,
        run,
        term: p.term,
        note: None,
    })
}

/// `cohort report <template> --each school`: one page per school with children in care
/// (from `schools/summary`), each given `school_urn` and `school_name`, and an index page.
/// Writes `<out>/<template>/<urn>.html` (and `<urn>.pdf` when `pdf` is set) and
/// `<out>/<template>/index.html`.
pub fn report_each_school(
    project: &Project,
    template_name: &str,
    term: Option<&str>,
    pdf: bool,
) -> Result<Published, AppError> {
    let p = prepare_report(project, template_name, term, &["schools/summary"])?;
    let summary = p
        .output
        .result("schools/summary")
        .map(|r| r.result.clone())
        .unwrap_or_default();
    let (Some(urn_col), Some(name_col)) =
        (summary.column_index("urn"), summary.column_index("name"))
    else {
        return Err(AppError::Data(
            "schools/summary must have `urn` and `name` columns".into(),
        ));
    };
    let dir = PathBuf::from(template_name);
    let generated = report_time();
    let disclosed = p.disclose()?;
    let mut pages: Vec<(String, String, String)> = Vec::new();
    // Render every page first, then write: an error leaves no half-written set.
    let mut rendered = Vec::new();
    let mut slugs: std::collections::BTreeMap<String, String> = Default::default();
    let progress = style::bar(summary.rows.len() as u64, "rendering school pages");
    for row in &summary.rows {
        progress.inc(1);
        let urn = row[urn_col].to_string();
        let name = row[name_col].to_string();
        // File names come from a safe slug of the URN, never from the value itself.
        let slug = safe_slug(&urn)?;
        if let Some(other) = slugs.insert(slug.clone(), urn.clone()) {
            return Err(AppError::Data(format!(
                "schools `{other}` and `{urn}` would both be written as {slug}.html: URNs must differ in their letters and digits"
            )));
        }
        let page = render::report(
            &p.template,
            &disclosed.for_school(&urn),
            &p.analyses,
            p.term,
            generated,
            &[("school_urn", urn.clone()), ("school_name", name.clone())],
        )?;
        rendered.push((dir.join(format!("{slug}.html")), page.html().into_bytes()));
        if pdf {
            let bytes = page.pdf(&p.template.path, p.template.body_line)?;
            rendered.push((dir.join(format!("{slug}.pdf")), bytes));
        }
        pages.push((slug, urn, name));
    }
    progress.finish_and_clear();
    let mut staging = Staging::new(&project.out)?;
    for (path, bytes) in &rendered {
        staging.write(path, bytes)?;
    }
    let index = school_index(&p.template.meta.title, p.term, &pages, pdf).html();
    let index_path = staging.write(&dir.join("index.html"), index.as_bytes())?;
    disclosure::export::write(&disclosed, &p.analyses, &staging.dir().join(&dir))?;
    staging.adopt()?;
    let (run, _) = p.record(project, template_name, staging)?;
    let formats = if pdf { "HTML and PDF" } else { "HTML" };
    Ok(Published {
        note: Some(format!(
            "wrote {} school pages ({formats}) in {}",
            pages.len(),
            project.out.join(&dir).display()
        )),
        paths: vec![index_path],
        run,
        term: p.term,
    })
}

/// The index of a term's school pages as a document: a link to each school's page (and
/// its PDF, when made) with its URN.
fn school_index(
    title: &str,
    term: Term,
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
        .map(|(slug, urn, name)| {
            let mut runs = vec![
                link(format!("{slug}.html"), name),
                Inline::Text(format!(" (URN {urn})")),
            ];
            if pdf {
                runs.push(Inline::Text(" · ".into()));
                runs.push(link(format!("{slug}.pdf"), "PDF"));
            }
            vec![Block::Paragraph(runs)]
        })
        .collect();
    render::Report {
        title: title.to_string(),
        subtitle: format!("Term {term} · {} schools", pages.len()),
        audience_label: "School advisory visits".into(),
        body: vec![Block::List {
            ordered: false,
            tight: true,
            items,
        }],
        ..render::Report::default()
    }
}
