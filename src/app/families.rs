//! `cohort report TEMPLATE --each NAME` and `--param NAME=VALUE`: a family of reports from
//! one template, one per value of a parameter it declares, each under its audience's policy.

use super::reports::{Prepared, disclose_for, prepare_report, record, unknown_parameter};
use super::*;
use crate::period::{Parameter, Values};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One value of a parameter: the value, what the index calls it, and its file's slug.
struct Value1 {
    value: String,
    name: String,
    slug: String,
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
            let page = p.render(&disclosed, generated, &globals)?;
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
        // A run per value: every page, its figures and the index staged together and
        // recorded as one run of the family, so all of them land or none does.
        None => {
            let mut staging = Staging::new(&project.out)?;
            let mut members = Vec::new();
            for (page, v) in pages.iter().zip(&values) {
                let Some((output, disclosed)) = &page.own else {
                    continue;
                };
                for (path, bytes) in &page.files {
                    staging.write(path, bytes)?;
                }
                disclosure::export::write(
                    disclosed,
                    &p.session.analyses,
                    &staging.dir().join(&dir).join(&v.slug),
                )?;
                members.push(output);
            }
            if let Some(index) = &index {
                staging.write(&dir.join("index.html"), index.as_bytes())?;
            }
            staging.adopt()?;
            let family = family_run(&p.output, name, &members);
            record(
                project,
                template_name,
                &family,
                &p.session.analyses,
                staging,
            )?
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

/// The history's one run for a family of reports: the shared run over every value
/// (`params.NAME` NULL), whose analyses and results it records, with each member's figures
/// beside its totals, the parameter's value leading their breakdown and group
/// (`team / sen`, `Team East / EHC plan`), and each member's parameters, analyses and
/// result reuse in `run.json`'s `family`.
fn family_run(shared: &RunOutput, name: &str, members: &[&RunOutput]) -> RunOutput {
    let mut family = shared.clone();
    for member in members {
        let value = member.parameters.get(name).cloned().unwrap_or_default();
        family.metrics.extend(member.metrics.iter().map(|m| {
            let mut m = m.clone();
            if m.breakdown == "all" {
                m.breakdown = name.to_string();
                m.group = value.clone();
            } else {
                m.breakdown = format!("{name} / {}", m.breakdown);
                m.group = format!("{value} / {}", m.group);
            }
            m
        }));
        family.family.push(run::FamilyMember {
            parameters: member.parameters.clone(),
            analyses: member.analyses.clone(),
            results: member.results.clone(),
        });
    }
    family
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
        subtitle: format!("{} · {count}", crate::period::term_label(term)),
        audience_label: audience,
        body: vec![Block::List {
            ordered: false,
            tight: true,
            items,
        }],
        ..render::Report::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::MetricRow;

    fn metric(breakdown: &str, group: &str, value: f64) -> MetricRow {
        MetricRow {
            analysis: "peps/by_team".into(),
            metric: "peps.on_time_rate".into(),
            time_period: "2024-25-summer".into(),
            breakdown: breakdown.into(),
            group: group.into(),
            numerator: None,
            denominator: None,
            value: Some(value),
            unit: crate::analysis::Unit::Percent,
        }
    }

    fn run_with(metrics: Vec<MetricRow>, team: Option<&str>) -> RunOutput {
        RunOutput {
            metrics,
            parameters: team
                .map(|t| BTreeMap::from([("team".to_string(), t.to_string())]))
                .unwrap_or_default(),
            ..RunOutput::for_tests()
        }
    }

    #[test]
    fn a_family_run_keeps_the_totals_and_puts_each_members_figures_beside_them() {
        // The shared run: 80% on time over every team. East: 90% overall, 75% for children
        // with an EHC plan; West: 70% overall.
        let shared = run_with(vec![metric("all", "all", 80.0)], None);
        let east = run_with(
            vec![metric("all", "all", 90.0), metric("sen", "EHC plan", 75.0)],
            Some("Team East"),
        );
        let west = run_with(vec![metric("all", "all", 70.0)], Some("Team West"));
        let family = family_run(&shared, "team", &[&east, &west]);
        let seen: Vec<(&str, &str, Option<f64>)> = family
            .metrics
            .iter()
            .map(|m| (m.breakdown.as_str(), m.group.as_str(), m.value))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("all", "all", Some(80.0)),
                ("team", "Team East", Some(90.0)),
                ("team / sen", "Team East / EHC plan", Some(75.0)),
                ("team", "Team West", Some(70.0)),
            ]
        );
        let members: Vec<&str> = family
            .family
            .iter()
            .filter_map(|m| m.parameters.get("team").map(String::as_str))
            .collect();
        assert_eq!(members, vec!["Team East", "Team West"]);
        // The shared run itself was for no value.
        assert!(family.parameters.is_empty());
    }
}
