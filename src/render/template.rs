//! Report templates: Markdown with TOML front matter and minijinja calls that draw
//! charts, tables and figures from a finished run.
//!
//! ```text
//! +++
//! title = "Termly impact report"
//! audience = "leadership"
//! +++
//! ## Attendance
//! Overall absence was {{ metric("attendance.overall_absence_rate") }} this term.
//! {{ chart("attendance/absence_by_term") }}
//! ```

use super::RenderError;
pub use crate::disclosure::Audience;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A template's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateMeta {
    pub title: String,
    pub audience: Audience,
    #[serde(default)]
    pub description: String,
    /// Analyses to run beyond those the template's calls name.
    #[serde(default)]
    pub analyses: Vec<String>,
    /// The report parameters the template is written for (`params = ["team"]`): names of
    /// [`crate::period::PARAMETERS`], one report per value with `--each`.
    #[serde(default)]
    pub params: Vec<String>,
}

/// A report template read from `report-templates/<name>.md`.
#[derive(Debug, Clone)]
pub struct ReportTemplate {
    pub name: String,
    pub path: PathBuf,
    pub meta: TemplateMeta,
    pub body: String,
    /// The file line the body starts on, so template errors point into the file.
    pub body_line: usize,
}

impl ReportTemplate {
    /// Reads `dir/<name>.md`.
    pub fn load(dir: &Path, name: &str) -> Result<Self, RenderError> {
        let path = dir.join(format!("{name}.md"));
        let text = std::fs::read_to_string(&path).map_err(|e| RenderError::Missing {
            path: path.clone(),
            reason: e.to_string(),
            known: list(dir).join(", "),
        })?;
        Self::parse(&path, name, &text)
    }

    pub fn parse(path: &Path, name: &str, text: &str) -> Result<Self, RenderError> {
        let err = |line: usize, message: String| RenderError::Template {
            path: path.to_path_buf(),
            line,
            message,
            excerpt: crate::excerpt::excerpt(text, line, None),
        };
        let lines: Vec<&str> = text.lines().collect();
        if lines.first().map(|l| l.trim()) != Some("+++") {
            return Err(err(
                1,
                "a template starts with TOML front matter between `+++` lines (title, audience)"
                    .into(),
            ));
        }
        let end = lines
            .iter()
            .skip(1)
            .position(|l| l.trim() == "+++")
            .map(|p| p + 1)
            .ok_or_else(|| err(1, "a closing `+++` after the front matter".into()))?;
        let toml_text = lines[1..end].join("\n");
        let meta: TemplateMeta = toml::from_str(&toml_text).map_err(|e| {
            let line = crate::analysis::file::toml_error_line(&toml_text, &e);
            err(line, format!("front matter: {}", e.message()))
        })?;
        Ok(ReportTemplate {
            name: name.to_string(),
            path: path.to_path_buf(),
            meta,
            body: lines[end + 1..].join("\n"),
            body_line: end + 2,
        })
    }

    /// Analysis ids the template's calls name (`chart("..")`, `table("..")`), plus its `analyses` list.
    pub fn named_analyses(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.meta.analyses.clone();
        ids.extend(analyses_in(&self.body));
        ids.sort();
        ids.dedup();
        ids
    }

    /// Metric ids the template's `metric(..)`-style calls name, and those listed in
    /// `headlines([..])` and `years([..])`.
    pub fn named_metrics(&self) -> Vec<String> {
        metrics_in(&self.body)
    }

    /// The body's sections (split at Markdown headings; the text before the first is
    /// "Opening"), each with the analyses and metrics its calls name: for lineage and provenance.
    /// A heading written with template syntax (`### {{ outcome }}` in a loop, `## {{ school_name }}`)
    /// is no name a reader knows: its calls count to the heading above it, or to the
    /// template's title when there is none.
    pub fn sections(&self) -> Vec<Section> {
        let mut out: Vec<Section> = Vec::new();
        let mut heading = "Opening".to_string();
        // The headings above the current line: level and words.
        let mut above: Vec<(usize, String)> = Vec::new();
        let mut text = String::new();
        let flush = |heading: &str, text: &str, out: &mut Vec<Section>| {
            let (analyses, metrics) = (analyses_in(text), metrics_in(text));
            if analyses.is_empty() && metrics.is_empty() {
                return;
            }
            match out.iter_mut().find(|s| s.heading == heading) {
                Some(s) => {
                    s.analyses.extend(analyses);
                    s.analyses.sort();
                    s.analyses.dedup();
                    s.metrics.extend(metrics);
                    s.metrics.sort();
                    s.metrics.dedup();
                }
                None => out.push(Section {
                    heading: heading.to_string(),
                    analyses,
                    metrics,
                }),
            }
        };
        for line in self.body.lines() {
            if let Some(h) = line.strip_prefix('#') {
                flush(&heading, &text, &mut out);
                let level = 1 + h.chars().take_while(|c| *c == '#').count();
                let words = h.trim_start_matches('#').trim().to_string();
                above.retain(|(l, _)| *l < level);
                heading = if words.contains("{{") || words.contains("{%") {
                    above
                        .last()
                        .map(|(_, w)| w.clone())
                        .unwrap_or_else(|| self.meta.title.clone())
                } else {
                    above.push((level, words.clone()));
                    words
                };
                text.clear();
            } else {
                text.push_str(line);
                text.push('\n');
            }
        }
        flush(&heading, &text, &mut out);
        out
    }
}

/// One section of a template and what its calls name.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub analyses: Vec<String>,
    pub metrics: Vec<String>,
}

fn analyses_in(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = ["chart(", "table(", "rows(", "describe("]
        .iter()
        .flat_map(|c| first_string_args(text, c))
        .collect();
    // What each function called reads besides its arguments (national comparisons in
    // headline and year tables come from the benchmarks analysis).
    for (function, reads) in super::functions::READS {
        if call_arguments(text, &format!("{function}("))
            .next()
            .is_some()
        {
            ids.extend(reads.iter().map(|r| r.to_string()));
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

fn metrics_in(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = ["metric(", "metric_value(", "change("]
        .iter()
        .flat_map(|c| first_string_args(text, c))
        .collect();
    for call in ["headlines(", "years(", "year_charts("] {
        ids.extend(list_string_args(text, call));
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The first string literal argument of every `call(` in `text`.
fn first_string_args(text: &str, call: &str) -> Vec<String> {
    call_arguments(text, call)
        .filter_map(|rest| {
            let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let end = rest[1..].find(q)?;
            Some(rest[1..1 + end].to_string())
        })
        .collect()
}

/// The string literals in the list that opens each `call([` in `text`.
fn list_string_args(text: &str, call: &str) -> Vec<String> {
    let mut out = Vec::new();
    for rest in call_arguments(text, call) {
        let Some(list) = rest.strip_prefix('[') else {
            continue;
        };
        let list = &list[..list.find(']').unwrap_or(list.len())];
        // Between quotes: every second piece once split on the quote character.
        for q in ['"', '\''] {
            out.extend(
                list.split(q)
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    out
}

/// The text after each call of `call` (a name and its open bracket) in `text`, from its first
/// argument; `mychart(` is not a call of `chart(`.
fn call_arguments<'a>(text: &'a str, call: &str) -> impl Iterator<Item = &'a str> {
    text.match_indices(call).filter_map(move |(i, _)| {
        let preceded_by_word = text[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        (!preceded_by_word).then(|| text[i + call.len()..].trim_start())
    })
}

/// Template names in `dir`, sorted.
pub fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.path()
                        .file_stem()
                        .filter(|_| e.path().extension().is_some_and(|x| x == "md"))
                        .map(|s| s.to_string_lossy().into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_analyses_and_metrics_a_template_names() {
        let t = ReportTemplate::parse(
            Path::new("t.md"),
            "t",
            "+++\ntitle = \"T\"\naudience = \"board\"\n+++\n{{ chart(\"a/b\") }} {{ table('c/d', columns=[1]) }} {{ metric(\"x.y\") }} {{ mychart(\"no/no\") }} {{ years([\"p.q\", 'r.s']) }} {{ myyears([\"no.no\"]) }}",
        )
        .unwrap();
        // years([..]) reads the national figures from reference/national_benchmarks.
        assert_eq!(
            t.named_analyses(),
            vec!["a/b", "c/d", "reference/national_benchmarks"]
        );
        assert_eq!(t.named_metrics(), vec!["p.q", "r.s", "x.y"]);
        assert_eq!(t.body_line, 5);
        assert_eq!(t.meta.audience, Audience::Board);
    }

    #[test]
    fn sections_name_what_their_calls_use() {
        let t = ReportTemplate::parse(
            Path::new("t.md"),
            "t",
            "+++\ntitle = \"T\"\naudience = \"board\"\n+++\n{{ metric(\"a.b\") }}\n## Attendance\n{{ chart(\"x/y\") }}\n## Empty\ntext\n### Deeper\n{{ years([\"c.d\"]) }}",
        )
        .unwrap();
        let s = t.sections();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].heading.as_str(), s[0].metrics.clone()),
            ("Opening", vec!["a.b".to_string()])
        );
        assert_eq!(
            (s[1].heading.as_str(), s[1].analyses.clone()),
            ("Attendance", vec!["x/y".to_string()])
        );
        assert_eq!(
            (s[2].heading.as_str(), s[2].metrics.clone()),
            ("Deeper", vec!["c.d".to_string()])
        );
    }

    #[test]
    fn a_heading_in_template_syntax_counts_to_the_heading_above_it() {
        let t = ReportTemplate::parse(
            Path::new("t.md"),
            "t",
            "+++\ntitle = \"Our children at this school\"\naudience = \"board\"\n+++\n## {{ school_name }}\n{{ chart(\"s/a\") }}\n## Factors\ntext\n{% for o in xs %}\n### {{ o }}\n{{ table(\"f/b\") }}\n{% endfor %}\n## After\n{{ chart(\"x/y\") }}",
        )
        .unwrap();
        let s = t.sections();
        let got: Vec<(&str, Vec<String>)> = s
            .iter()
            .map(|s| (s.heading.as_str(), s.analyses.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Our children at this school", vec!["s/a".to_string()]),
                ("Factors", vec!["f/b".to_string()]),
                ("After", vec!["x/y".to_string()]),
            ]
        );
    }
}
