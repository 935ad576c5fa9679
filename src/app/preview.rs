//! `cohort preview`: a template (or a notebook) served on this machine and rendered again on
//! every save of an analysis, template, notebook or data file, through the result cache.

use super::notebooks::notebook_report;
use super::reports::report_html;
use super::*;
use crate::preview::{Options, Preview, Render, Rendered};

/// `cohort preview TARGET`: serves the report of the template `target` (or the notebook
/// file `target`) on `host:port` (port 0: a free one), prints its address and serves until
/// stopped. Opens nothing by itself.
pub fn preview(
    project: &Project,
    target: &str,
    term: Option<Term>,
    host: &str,
    port: u16,
) -> Result<(), AppError> {
    let notebook = target.ends_with(".md") || Path::new(target).is_file();
    if !notebook {
        // A template is a name in the templates folder, never a path.
        crate::output::template_file(&project.templates, target)?;
    }
    let terms = terms_in(project);
    let render: Box<Render> = {
        let project = project.clone();
        let target = target.to_string();
        Box::new(move |term: Option<Term>| {
            let rendered = if notebook {
                notebook_report(&project, Path::new(&target), term)
                    .map(|(report, term)| (report.html(), term))
            } else {
                report_html(&project, &target, term)
            };
            rendered
                .map(|(html, term)| Rendered { html, term })
                .map_err(|e| {
                    let text = format!("error: {e}");
                    eprintln!("{}", style::for_stderr(&text));
                    text
                })
        })
    };
    let mut folders: Vec<&Path> = vec![
        &project.queries,
        &project.templates,
        &project.data,
        Path::new("notebooks"),
    ];
    if notebook {
        folders.push(Path::new(target));
    }
    let options = Options {
        host: host.to_string(),
        port,
        watch: crate::preview::watched(&folders),
        ignore: vec![project.out.clone(), PathBuf::from(".cohort")],
        terms,
        term,
    };
    let served = Preview::start(options, render)?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "previewing {target} at http://{}/ (re-rendered on every save; Ctrl-C stops)",
            served.addr
        );
        let _ = out.flush();
    }
    served.run();
    Ok(())
}

/// The terms the data's attendance covers, for the page's choice of term (none when the
/// data cannot be read: the page then shows why).
fn terms_in(project: &Project) -> Vec<Term> {
    let wanted: BTreeSet<String> = ["attendance".to_string()].into();
    open_catalog_for(project, Some(&wanted), None)
        .map(|c| c.terms())
        .unwrap_or_default()
}
