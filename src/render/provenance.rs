//! Provenance, built once for every document: the DRAFT notice, where earlier years' figures
//! come from, what each section rests on, and the closing provenance of a report, a
//! school's page or a notebook.

use super::context::ReportData;
use super::document::{Block, Cell, Inline, Table};
use super::template;
use crate::run::RunOutput;
use chrono::{DateTime, Utc};

/// The DRAFT notice for a report or notebook resting on analyses changed since the lock,
/// naming each; `None` when every analysis is locked.
pub(super) fn draft_banner(drafts: &[String]) -> Option<String> {
    (!drafts.is_empty()).then(|| {
        format!(
            "DRAFT, not for publication: changed since the last cohort lock: {}",
            drafts.join(", ")
        )
    })
}

/// The DRAFT notice as the first block of a report or notebook: a callout in bold, so both
/// writers show it above everything else.
pub(super) fn draft_block(banner: String) -> Block {
    Block::Callout(vec![Block::Paragraph(vec![Inline::Strong(vec![
        Inline::Text(banner),
    ])])])
}

/// Which earlier years a document shows as published and which it recomputed, and where an
/// analysis's version changes between years (a series break), for the analyses its
/// `sections` rest on only: a school's page run beside the board report must not list the
/// board's analyses (it ran to two pages). Empty when history was not used.
pub(super) fn sources_blocks(
    run: &RunOutput,
    sections: &[template::Section],
    analyses: &[crate::analysis::Analysis],
) -> Vec<Block> {
    let read: std::collections::BTreeSet<String> = section_sources(sections, analyses)
        .into_iter()
        .flat_map(|(_, ids)| ids)
        .collect();
    let sources: Vec<&crate::run::YearSource> = run
        .sources
        .iter()
        .filter(|s| read.contains(&s.analysis))
        .collect();
    if sources.is_empty() {
        return Vec::new();
    }
    let published = sources.iter().filter(|s| s.source == "published").count();
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
            sources.len()
        ))]),
    ];
    let mut ids: Vec<&str> = sources.iter().map(|s| s.analysis.as_str()).collect();
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
        rows: sources
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
pub(super) fn section_sources(
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
pub(super) fn generated_label(generated: DateTime<Utc>) -> String {
    generated.format("%-d %B %Y at %H:%M UTC").to_string()
}

/// Who made a document from which run, and when: "Produced by cohort 0.1.0 with the
/// datafusion engine on 2 December 2026 at 13:05 UTC".
fn produced_by(run: &RunOutput, generated: DateTime<Utc>) -> String {
    format!(
        "Produced by {} {} with the {} engine on {}",
        run.tool,
        run.tool_version,
        run.engine,
        generated_label(generated),
    )
}

/// A notebook's provenance: the run its cells follow, in one paragraph.
pub(super) fn notebook_provenance(run: &RunOutput, generated: DateTime<Utc>) -> Vec<Block> {
    vec![Block::Paragraph(vec![
        Inline::Text(format!("{} from ", produced_by(run, generated))),
        Inline::Code(run.data_dir.display().to_string()),
        Inline::Text(format!(
            " ({} rows read); {} analyses run first so cells can use them.",
            run.rows_read,
            run.analyses.len()
        )),
    ])]
}

/// A school page's provenance in a few lines, so the page stays one A4 sheet: when the data
/// is as of, the analyses the page reads (those its sections name, and those declaring the
/// metrics they name) with their versions on one line, how many more those rest on (as
/// [`section_sources`] finds them), and where the full provenance is: the SQL and file
/// hashes are in the run's `run.json` and in the provenance of the authority's reports of
/// the same run.
pub(super) fn school_provenance(
    data: &ReportData,
    generated: DateTime<Utc>,
    sections: &[template::Section],
) -> Vec<Block> {
    let run = &data.run;
    let all: std::collections::BTreeSet<String> = section_sources(sections, &data.analyses)
        .into_iter()
        .flat_map(|(_, ids)| ids)
        .collect();
    let read: std::collections::BTreeSet<String> = sections
        .iter()
        .flat_map(|s| {
            s.analyses
                .iter()
                .cloned()
                .chain(s.metrics.iter().filter_map(|m| {
                    data.analyses
                        .iter()
                        .find(|a| a.meta.metrics.iter().any(|x| x.id == *m))
                        .map(|a| a.id().to_string())
                }))
        })
        .collect();
    let used: Vec<String> = read
        .iter()
        .map(|id| match run.analyses.iter().find(|a| &a.id == id) {
            Some(a) => format!("{id} v{}", a.version),
            None => id.clone(),
        })
        .collect();
    let beneath = all.iter().filter(|id| !read.contains(*id)).count();
    let they = if read.len() == 1 {
        "it rests"
    } else {
        "they rest"
    };
    let beneath = match beneath {
        0 => String::new(),
        1 => format!(" (and the 1 analysis {they} on)"),
        n => format!(" (and the {n} analyses {they} on)"),
    };
    vec![Block::Section {
        class: "provenance".into(),
        id: Some("provenance".into()),
        blocks: vec![Block::Paragraph(vec![
            Inline::Text(format!(
                "Data as of the {}, produced by {} {} on {} with ",
                crate::period::term_label(run.term).to_lowercase(),
                run.tool,
                run.tool_version,
                generated_label(generated),
            )),
            Inline::Code(used.join(", ")),
            Inline::Text(format!(
                "{beneath}. Full provenance (data files, SQL and hashes): the authority's termly report of the same run."
            )),
        ])],
    }]
}

/// The closing provenance: what each section rests on, every analysis with version and SQL
/// hash, every data file with its hash.
pub(super) fn provenance_blocks(
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
                "{} from the data folder ",
                produced_by(run, generated)
            )),
            Inline::Code(run.data_dir.display().to_string()),
            Inline::Text(format!(
                " ({} rows read). Figures are for term {}{}.",
                run.rows_read,
                run.term,
                // The report parameters the run was for (`--each team`): "team Team East".
                run.parameters
                    .iter()
                    .map(|(name, value)| format!(", {name} {value}"))
                    .collect::<String>()
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
