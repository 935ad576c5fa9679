//! Notebooks for analysts: a Markdown file whose fenced `sql` cells run in order, each
//! followed by its result as a table and, when the fence asks, a chart. Nothing here
//! touches the versioned analyses; a notebook is for trying things.
//!
//! A cell's fence may carry a chart as an inline TOML table:
//! ```text
//! ```sql {type = "line", x = "term", y = ["overall_absence_rate"], title = "Absence"}
//! SELECT ...
//! ```
//! ```

use super::RenderError;
use super::chart;
use super::document::{self, Block, Figure, Inline, Report};
use super::provenance::{draft_banner, notebook_provenance};
use super::tables::result_table;
use crate::analysis::Unit;
use crate::analysis::spec::{ChartKind, ChartSpec};
use crate::run::{ResultTable, RunOutput};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One part of a notebook, in order.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Sql {
        sql: String,
        /// The file line of the cell's first SQL line.
        line: usize,
        chart: Option<Box<ChartSpec>>,
    },
}

/// A parsed notebook.
#[derive(Debug, Clone)]
pub struct Notebook {
    pub path: PathBuf,
    pub title: String,
    pub blocks: Vec<Cell>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CellChart {
    #[serde(rename = "type")]
    kind: ChartKind,
    x: String,
    y: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    series: Option<String>,
    #[serde(default)]
    y_label: Option<String>,
    #[serde(default)]
    unit: Option<Unit>,
}

fn error(path: &Path, line: usize, message: String) -> RenderError {
    let excerpt = std::fs::read_to_string(path)
        .map(|text| crate::excerpt::excerpt(&text, line, None))
        .unwrap_or_default();
    RenderError::Template {
        path: path.to_path_buf(),
        line,
        message,
        excerpt,
    }
}

impl Notebook {
    /// Splits `text` into Markdown and SQL cells; the title is the first `# ` heading.
    pub fn parse(path: &Path, text: &str) -> Result<Notebook, RenderError> {
        let mut blocks = Vec::new();
        let mut prose = String::new();
        let mut cell: Option<(usize, String, Option<Box<ChartSpec>>)> = None;
        let mut cells = 0;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            match &mut cell {
                Some((start, sql, chart)) => {
                    if line.trim_start().starts_with("```") {
                        blocks.push(Cell::Sql {
                            sql: std::mem::take(sql),
                            line: *start,
                            chart: chart.take(),
                        });
                        cell = None;
                    } else {
                        sql.push_str(line);
                        sql.push('\n');
                    }
                }
                None => {
                    let trimmed = line.trim_start();
                    if let Some(info) = trimmed.strip_prefix("```sql") {
                        cells += 1;
                        if !prose.trim().is_empty() {
                            blocks.push(Cell::Text(std::mem::take(&mut prose)));
                        }
                        prose.clear();
                        let info = info.trim();
                        let chart = if info.is_empty() {
                            None
                        } else {
                            let parsed: CellChart = toml::from_str::<toml::Table>(&format!(
                                "chart = {info}"
                            ))
                            .map_err(|e| e.message().to_string())
                            .and_then(|t| {
                                t.get("chart")
                                    .cloned()
                                    .ok_or_else(|| "no chart".to_string())?
                                    .try_into()
                                    .map_err(|e: toml::de::Error| e.message().to_string())
                            })
                            .map_err(|e| {
                                error(
                                    path,
                                    n,
                                    format!(
                                        "the chart after ```sql must be an inline table such as {{type = \"bar\", x = \"term\", y = [\"rate\"]}}: {e}"
                                    ),
                                )
                            })?;
                            Some(Box::new(ChartSpec {
                                name: None,
                                kind: parsed.kind,
                                title: parsed.title.unwrap_or_else(|| format!("Cell {cells}")),
                                y_label: parsed
                                    .y_label
                                    .unwrap_or_else(|| chart::prettify(&parsed.y.join(", "))),
                                x: parsed.x,
                                y: parsed.y,
                                series: parsed.series,
                                panels: None,
                                comparators: Vec::new(),
                                x_label: None,
                                unit: parsed.unit.unwrap_or(Unit::Count),
                                forest: None,
                            }))
                        };
                        cell = Some((n + 1, String::new(), chart));
                    } else if !(line.starts_with("# ")
                        && blocks.is_empty()
                        && prose.trim().is_empty())
                    {
                        // The opening `# ` heading is the page title, not repeated in the body.
                        prose.push_str(line);
                        prose.push('\n');
                    }
                }
            }
        }
        if let Some((start, _, _)) = cell {
            return Err(error(
                path,
                start - 1,
                "this ```sql cell has no closing ```".into(),
            ));
        }
        if !prose.trim().is_empty() {
            blocks.push(Cell::Text(prose));
        }
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Notebook".into())
            });
        Ok(Notebook {
            path: path.to_path_buf(),
            title,
            blocks,
        })
    }

    /// The notebook as a document, given the run its cells follow and each SQL cell's
    /// result in order; `drafts` are the analyses changed since the lock, named in a DRAFT
    /// notice. The body is its prose, then each cell's SQL, chart and result table.
    pub fn report(
        &self,
        run: &RunOutput,
        results: &[ResultTable],
        drafts: &[String],
        generated: DateTime<Utc>,
    ) -> Result<Report, RenderError> {
        let mut subtitle = format!(
            "Notebook · term {} · data {}",
            run.term,
            run.data_dir.display()
        );
        if let Some(banner) = draft_banner(drafts) {
            subtitle = format!("{banner} · {subtitle}");
        }
        Ok(Report {
            title: self.title.clone(),
            subtitle,
            audience_label: "Analyst notebook (not a published report)".into(),
            marking: None,
            body: self.body(results)?,
            provenance: notebook_provenance(run, generated),
            contents: false,
            compact: false,
        })
    }

    /// The notebook's body as document blocks, given each SQL cell's result in order.
    fn body(&self, results: &[ResultTable]) -> Result<Vec<Block>, RenderError> {
        let mut out = Vec::new();
        let mut k = 0;
        for block in &self.blocks {
            match block {
                Cell::Text(md) => out.extend(document::parse_markdown(md, None)),
                Cell::Sql { sql, line, chart } => {
                    let result = results.get(k).cloned().unwrap_or_default();
                    k += 1;
                    let mut cell = vec![
                        Block::Paragraph(vec![
                            Inline::Text(format!("Cell {k} (")),
                            Inline::Code(format!("cell_{k}")),
                            Inline::Text(format!(", line {line})")),
                        ]),
                        Block::Code(sql.trim_end().to_string()),
                    ];
                    if let Some(spec) = chart {
                        let drawn = chart::render_chart(spec, &result)
                            .map_err(|e| error(&self.path, *line, format!("chart: {e}")))?;
                        cell.push(Block::Figure(Box::new(Figure {
                            id: format!("cell-{k}-chart"),
                            title: spec.title.clone(),
                            summary: drawn.summary,
                            svg: drawn.svg,
                            data: None,
                        })));
                    }
                    let shown = 20;
                    let mut table = result.clone();
                    if table.rows.len() > shown {
                        table.rows.truncate(shown);
                    }
                    let caption = if result.rows.len() > shown {
                        format!("First {shown} of {} rows", result.rows.len())
                    } else {
                        format!("{} rows", result.rows.len())
                    };
                    cell.push(Block::Table(Box::new(result_table(
                        &table,
                        None,
                        Some(&caption),
                    ))));
                    out.push(Block::Section {
                        class: "cell".into(),
                        id: Some(format!("cell-{k}")),
                        blocks: cell,
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_charts_and_lines_are_read() {
        let text = "# Trying absence\n\nSome words.\n\n```sql\nSELECT 1 AS a\n```\n\nMore.\n\n```sql {type = \"bar\", x = \"a\", y = [\"b\"], title = \"B by A\"}\nSELECT 1 AS a, 2 AS b\n```\n";
        let nb = Notebook::parse(Path::new("n.md"), text).unwrap();
        assert_eq!(nb.title, "Trying absence");
        let cells: Vec<(usize, bool)> = nb
            .blocks
            .iter()
            .filter_map(|b| match b {
                Cell::Sql { line, chart, .. } => Some((*line, chart.is_some())),
                Cell::Text(_) => None,
            })
            .collect();
        // The first cell's SQL starts on line 6, the second's on line 12.
        assert_eq!(cells, vec![(6, false), (12, true)]);
    }

    #[test]
    fn an_unclosed_cell_or_a_bad_chart_names_the_line() {
        let e = Notebook::parse(Path::new("n.md"), "text\n```sql\nSELECT 1\n").unwrap_err();
        assert!(e.to_string().starts_with("n.md:2:"), "{e}");
        let e = Notebook::parse(
            Path::new("n.md"),
            "```sql {type = \"pie\"}\nSELECT 1\n```\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("n.md:1:"), "{e}");
    }
}
