//! Reading an analysis file: TOML front matter in SQL comments, then the SQL.
//!
//! ```sql
//! -- ---
//! -- id = "attendance/absence_by_term"
//! -- version = 1
//! -- title = "Absence by term"
//! -- description = "..."
//! -- ---
//! SELECT ...
//! ```

use super::error::AnalysisError;
use super::spec::ChartSpec;
use super::unit::Unit;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Whether rows describe groups of children or single children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Aggregates only: may go in any report (after disclosure control).
    #[default]
    Cohort,
    /// One row per child (pseudonymous id): officers only, never a board report.
    Child,
}

/// How one headline figure is read from an analysis's result rows into `metrics.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSpec {
    /// The metric id readers rely on, e.g. `attendance.overall_absence_rate`.
    pub id: String,
    /// Column holding the figure.
    pub value: String,
    /// Column holding the period (a term such as 2024-25-spring, or an academic year).
    pub time_period: String,
    #[serde(default)]
    pub numerator: Option<String>,
    #[serde(default)]
    pub denominator: Option<String>,
    /// percent, per_100, mean, score, count, ... : read as a [`Unit`]'s name.
    pub unit: Unit,
    /// The metric's name for a reader ("Pupils with one or more suspensions"); presentation
    /// only, so it is outside the SQL hash and needs no new version.
    #[serde(default)]
    pub label: Option<String>,
    /// Column whose values name the group (e.g. `phase`); none means the whole cohort.
    #[serde(default)]
    pub group: Option<String>,
    /// Name of the breakdown; defaults to the group column's name, or `all`.
    #[serde(default)]
    pub breakdown: Option<String>,
    /// Column naming the breakdown row by row, for a long result that stacks several
    /// breakdowns (sex, phase, ...) in one table; overrides `breakdown`.
    #[serde(default)]
    pub breakdown_column: Option<String>,
    /// Which way is better for children (`higher`: reaching the expected standard; `lower`:
    /// absence), so that a reader is told "better" or "worse" without knowing; presentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<Better>,
    /// For a figure whose 95% interval its counts cannot give (a rate over sessions, an
    /// average score): a difference smaller than this (the unit's own) is "about the same".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_within: Option<f64>,
}

/// Which way a metric's figure is better for children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// A higher figure is better (PEPs on time, reaching the expected standard).
    Higher,
    /// A lower figure is better (absence, suspensions).
    Lower,
}

impl Better {
    /// +1 when higher is better, -1 when lower is: a difference times this is "how much better".
    pub fn sign(self) -> f64 {
        match self {
            Better::Higher => 1.0,
            Better::Lower => -1.0,
        }
    }
}

/// The front matter of an analysis file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// What the figures are and the definition they follow (cite domain.md or DfE).
    pub description: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Run parameters the SQL reads from the `params` table: `term`, `academic_year`.
    #[serde(default)]
    pub params: Vec<String>,
    #[serde(default)]
    pub level: Level,
    /// Columns holding counts of children, suppressed for board and school audiences.
    #[serde(default)]
    pub suppress: Vec<String>,
    #[serde(default, rename = "chart")]
    pub charts: Vec<ChartSpec>,
    #[serde(default, rename = "metric")]
    pub metrics: Vec<MetricSpec>,
    /// A statistical model fitted in Rust to the SQL's rows; the result is the model's table.
    #[serde(default)]
    pub model: Option<ModelSpec>,
    /// Readers' headings for result columns (`gap = "Gap"`); presentation only, outside the
    /// SQL hash. A column without one gets a heading made from its name.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Display units of result columns (`gap = "pts"`, `attainment8_mean = "score"`), each a
    /// [`Unit`]'s name; a column without one gets the unit its name implies.
    #[serde(default)]
    pub units: std::collections::BTreeMap<String, Unit>,
    /// SQL for an engine whose dialect needs something else, keyed by engine name
    /// (`duckdb`); that engine runs it in place of the file's SQL.
    #[serde(default)]
    pub engine_sql: std::collections::BTreeMap<String, String>,
    /// The children each amount of money was approved or requested for
    /// (`requested_amount = "children_requested"`): disclosure protects the amount by that
    /// count, not by the row's largest.
    #[serde(default)]
    pub money_on: std::collections::BTreeMap<String, String>,
    /// Figures this analysis repeats from other analyses' metrics (our figure beside DfE's):
    /// shown only where the figure it repeats is shown.
    #[serde(default)]
    pub restates: Option<Restates>,
}

/// Which figures of a result repeat another analysis's metric: row by row, the metric id,
/// period and breakdown name the figure repeated.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Restates {
    /// Column holding the metric id of the figure repeated.
    pub metric: String,
    /// Column holding its period.
    pub time_period: String,
    /// The breakdown of the figure repeated (`cohort` for the OC2 cohort's rows).
    pub breakdown: String,
    /// Column holding the repeated figure.
    pub value: String,
    /// Column holding the repeated figure's denominator (its children), if printed.
    #[serde(default)]
    pub denominator: Option<String>,
    /// Columns computed from the repeated figure (a gap to DfE's): hidden with it.
    #[serde(default)]
    pub derived: Vec<String>,
}

/// A model the runner fits to an analysis's rows, for what SQL cannot do (e.g. a logistic
/// regression); the analysis's result becomes one row per factor.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `logistic`: adjusted odds ratios with Wald 95% intervals.
    pub kind: String,
    /// The 0/1 outcome column.
    pub outcome: String,
    /// Fit one model per value of this column; none fits one model to every row.
    #[serde(default)]
    pub by: Option<String>,
    /// The factor columns (0/1 or numeric); rows with any of them empty are left out.
    pub factors: Vec<String>,
    /// Labels for the factors, in the same order; the column names when absent.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Fewest children with and without a factor for it to enter the model (default 10).
    #[serde(default = "default_min_group")]
    pub min_group: usize,
}

fn default_min_group() -> usize {
    10
}

/// An analysis: its front matter, SQL and where both came from.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    #[serde(flatten)]
    pub meta: FrontMatter,
    pub path: PathBuf,
    pub sql: String,
    /// The file line the SQL starts on (1-based), to point errors into the file.
    pub sql_line: usize,
    /// SHA-256 of the normalised SQL (comments and layout removed).
    pub sql_hash: String,
    /// The whole file as read: what run history keeps, so a past run can be re-run.
    #[serde(skip)]
    pub source: String,
}

impl Analysis {
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// The SQL `engine` runs: its own from `engine_sql` when the analysis gives one.
    pub fn sql_for(&self, engine: &str) -> &str {
        self.meta
            .engine_sql
            .get(engine)
            .map_or(self.sql.as_str(), String::as_str)
    }

    /// Reads and parses one analysis file; `id` is what its path says it must be.
    pub fn read(path: &Path, expected_id: &str) -> Result<Analysis, AnalysisError> {
        let text = std::fs::read_to_string(path).map_err(|e| AnalysisError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Self::parse(path, expected_id, &text)
    }

    /// Parses analysis text; `path` is only used in messages.
    pub fn parse(path: &Path, expected_id: &str, text: &str) -> Result<Analysis, AnalysisError> {
        let fm_err = |line: usize, message: String| AnalysisError::FrontMatter {
            path: path.to_path_buf(),
            line,
            message,
            excerpt: crate::excerpt::excerpt(text, line, None),
        };
        let lines: Vec<&str> = text.lines().collect();
        if lines.first().map(|l| l.trim()) != Some("-- ---") {
            return Err(fm_err(1, "an analysis starts with a front matter block: a line `-- ---`, TOML lines each starting with `--`, and a closing `-- ---`".into()));
        }
        let mut toml_text = String::new();
        let mut end = None;
        for (i, line) in lines.iter().enumerate().skip(1) {
            let t = line.trim();
            if t == "-- ---" {
                end = Some(i);
                break;
            }
            let Some(rest) = t.strip_prefix("--") else {
                return Err(fm_err(
                    i + 1,
                    "front matter lines start with `--` (is the closing `-- ---` missing?)".into(),
                ));
            };
            toml_text.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            toml_text.push('\n');
        }
        let Some(end) = end else {
            return Err(fm_err(
                lines.len(),
                "a closing `-- ---` line after the front matter".into(),
            ));
        };
        let meta: FrontMatter = toml::from_str(&toml_text).map_err(|e| {
            let line = toml_error_line(&toml_text, &e);
            fm_err(line, e.message().to_string())
        })?;
        if meta.id != expected_id {
            return Err(AnalysisError::IdMismatch {
                path: path.to_path_buf(),
                id: meta.id,
                expected: expected_id.to_string(),
            });
        }
        for c in &meta.charts {
            if c.y.is_empty() {
                return Err(fm_err(
                    1,
                    format!("chart `{}` lists at least one `y` column", c.title),
                ));
            }
        }
        // Charts and tables find a column by its heading: two columns under one label would
        // draw one column's figures under the other's name.
        let mut headings = std::collections::BTreeMap::new();
        for (column, label) in &meta.labels {
            if let Some(other) = headings.insert(label.as_str(), column) {
                let line = lines[1..end]
                    .iter()
                    .position(|l| l.contains("labels"))
                    .map_or(1, |i| i + 2);
                return Err(fm_err(
                    line,
                    format!(
                        "a label for one column only, but `{other}` and `{column}` are both labelled \"{label}\""
                    ),
                ));
            }
        }
        if let Some(m) = meta
            .metrics
            .iter()
            .find(|m| m.same_within.is_some_and(|w| !(w.is_finite() && w > 0.0)))
        {
            let line = lines[1..end]
                .iter()
                .position(|l| l.contains("same_within"))
                .map_or(1, |i| i + 2);
            return Err(fm_err(
                line,
                format!(
                    "metric `{}`: same_within {}: expected a number above 0",
                    m.id,
                    m.same_within.unwrap_or_default()
                ),
            ));
        }
        let sql: String = lines[end + 1..].join("\n");
        if normalise_sql(&sql).is_empty() {
            return Err(fm_err(end + 2, "SQL after the front matter".into()));
        }
        let sql_hash = sql_hash(&sql, &meta.engine_sql);
        Ok(Analysis {
            meta,
            path: path.to_path_buf(),
            sql: sql.trim_end().to_string(),
            sql_line: end + 2,
            sql_hash,
            source: text.to_string(),
        })
    }

    /// The first 12 characters of the SQL hash, for reports.
    pub fn short_hash(&self) -> &str {
        &self.sql_hash[..12.min(self.sql_hash.len())]
    }
}

/// The file line of a TOML front-matter error, for front matter that starts on line 2
/// (line 1 being the opening marker); line 1 when the error has no position.
pub fn toml_error_line(toml_text: &str, e: &toml::de::Error) -> usize {
    e.span()
        .map(|s| {
            toml_text[..s.start.min(toml_text.len())]
                .matches('\n')
                .count()
                + 2
        })
        .unwrap_or(1)
}

/// SHA-256 of the normalised SQL and of every `[engine_sql]` variant, so changing the
/// SQL any engine runs changes the locked hash. Without variants it is the hash of the
/// SQL alone, as it always was (existing locks stay valid).
pub fn sql_hash(sql: &str, engine_sql: &std::collections::BTreeMap<String, String>) -> String {
    let mut text = normalise_sql(sql);
    // BTreeMap: engines in name order, so the hash does not depend on the file's order.
    for (engine, variant) in engine_sql {
        text.push_str(&format!(
            "\n[engine_sql.{engine}]\n{}",
            normalise_sql(variant)
        ));
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// SQL without comments and with runs of white space folded to one space (outside quotes),
/// so the hash changes only when the query does.
pub fn normalise_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            c => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out.trim_end_matches(';').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-- ---\n-- id = \"a/b\"\n-- version = 2\n-- title = \"T\"\n-- description = \"D\"\n-- ---\nSELECT 1 -- one\n  AS x;\n";

    #[test]
    fn parses_front_matter_and_sql() {
        let a = Analysis::parse(Path::new("queries/a/b.sql"), "a/b", GOOD).unwrap();
        assert_eq!(a.meta.version, 2);
        assert_eq!(a.sql_line, 7);
        assert_eq!(normalise_sql(&a.sql), "SELECT 1 AS x");
    }

    #[test]
    fn layout_and_comments_do_not_change_the_hash_but_literals_do() {
        assert_eq!(
            normalise_sql("select  a,\n b -- note\nfrom t;"),
            "select a, b from t"
        );
        assert_ne!(
            normalise_sql("select 'A  B'"),
            normalise_sql("select 'A B'")
        );
    }

    #[test]
    fn engine_sql_variants_are_part_of_the_hash() {
        let with = |duckdb: &str| {
            GOOD.replace(
                "-- ---\nSELECT",
                &format!("-- [engine_sql]\n-- duckdb = \"{duckdb}\"\n-- ---\nSELECT"),
            )
        };
        let plain = Analysis::parse(Path::new("q.sql"), "a/b", GOOD).unwrap();
        let one = Analysis::parse(Path::new("q.sql"), "a/b", &with("SELECT 1 AS x")).unwrap();
        let two = Analysis::parse(Path::new("q.sql"), "a/b", &with("SELECT 2 AS x")).unwrap();
        let spaced = Analysis::parse(Path::new("q.sql"), "a/b", &with("SELECT  1   AS x")).unwrap();
        assert_eq!(one.sql_for("duckdb"), "SELECT 1 AS x");
        // Without variants the hash is that of the main SQL alone, as before.
        assert_eq!(
            plain.sql_hash,
            hex::encode(Sha256::digest(b"SELECT 1 AS x"))
        );
        assert_ne!(one.sql_hash, plain.sql_hash);
        assert_ne!(one.sql_hash, two.sql_hash);
        // Layout inside a variant does not change it either.
        assert_eq!(one.sql_hash, spaced.sql_hash);
    }

    #[test]
    fn front_matter_errors_name_the_line() {
        let bad = GOOD.replace("version = 2", "version = \"two\"");
        let e = Analysis::parse(Path::new("q.sql"), "a/b", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("q.sql:3:"), "{e}");
        let e = Analysis::parse(Path::new("q.sql"), "a/c", GOOD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a/c"), "{e}");
    }

    #[test]
    fn an_unknown_unit_names_the_file_line_and_value() {
        let metric = "-- [[metric]]\n-- id = \"a.rate\"\n-- value = \"rate\"\n-- time_period = \"term\"\n-- unit = \"percnt\"\n-- ---\nSELECT";
        let bad = GOOD.replacen("-- ---\nSELECT", metric, 1);
        let e = Analysis::parse(Path::new("queries/a/b.sql"), "a/b", &bad)
            .unwrap_err()
            .to_string();
        // Line 10: the metric's `unit` line (the file's lines 6 to 10 are the metric).
        assert!(
            e.starts_with("queries/a/b.sql:10: front matter: expected a unit of percent, points,"),
            "{e}"
        );
        assert!(e.contains("not `percnt`"), "{e}");
        let column = GOOD.replacen(
            "-- ---\nSELECT",
            "-- units = { gap = \"pt\" }\n-- ---\nSELECT",
            1,
        );
        let e = Analysis::parse(Path::new("q.sql"), "a/b", &column)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("q.sql:6:") && e.contains("not `pt`"), "{e}");
        let known = GOOD.replacen(
            "-- ---\nSELECT",
            "-- units = { gap = \"pts\", n = \"count\" }\n-- ---\nSELECT",
            1,
        );
        assert!(Analysis::parse(Path::new("q.sql"), "a/b", &known).is_ok());
    }

    #[test]
    fn a_direction_of_good_is_higher_or_lower_and_checked_at_parse() {
        let metric = |better: &str| {
            let m = format!(
                "-- [[metric]]\n-- id = \"a.rate\"\n-- value = \"rate\"\n-- time_period = \"term\"\n-- unit = \"percent\"\n{better}-- ---\nSELECT"
            );
            GOOD.replacen("-- ---\nSELECT", &m, 1)
        };
        let ok = Analysis::parse(
            Path::new("q.sql"),
            "a/b",
            &metric("-- better = \"lower\"\n"),
        )
        .expect("`lower` is a direction");
        assert_eq!(ok.meta.metrics[0].better, Some(Better::Lower));
        // Line 11: the metric's `better` line (the metric is lines 6 to 11).
        let e = Analysis::parse(Path::new("q.sql"), "a/b", &metric("-- better = \"up\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("q.sql:11:") && e.contains("`up`"), "{e}");
        let e = Analysis::parse(
            Path::new("q.sql"),
            "a/b",
            &metric("-- better = \"lower\"\n-- same_within = -1.0\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("q.sql:12:") && e.contains("same_within -1: expected a number above 0"),
            "{e}"
        );
    }

    #[test]
    fn two_columns_under_one_label_are_refused_at_the_labels_line() {
        // Line 6: the labels line, after the four lines of GOOD's front matter and its opening.
        let text = GOOD.replacen(
            "-- ---\nSELECT",
            "-- labels = { a = \"National, whole year\", b = \"National, whole year\" }\n-- ---\nSELECT",
            1,
        );
        let e = Analysis::parse(Path::new("q.sql"), "a/b", &text)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("q.sql:6:") && e.contains("`a` and `b` are both labelled"),
            "{e}"
        );
        let text = GOOD.replacen(
            "-- ---\nSELECT",
            "-- labels = { a = \"Overall\", b = \"Persistent\" }\n-- ---\nSELECT",
            1,
        );
        assert!(Analysis::parse(Path::new("q.sql"), "a/b", &text).is_ok());
    }

    #[test]
    fn every_shipped_metric_names_itself_once() {
        // The reader's name of a metric is its front matter's `label`: every `[[metric]]`
        // under queries/ gives one, and an id declared twice gives the same name twice.
        let queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let analyses = crate::analysis::load_all(&queries).expect("queries/ reads");
        let mut seen = std::collections::BTreeMap::new();
        for a in &analyses {
            for m in &a.meta.metrics {
                let label = m.label.as_deref();
                assert!(
                    label.is_some_and(|l| !l.trim().is_empty()),
                    "{} {}",
                    a.id(),
                    m.id
                );
                let first = seen.entry(m.id.clone()).or_insert(label);
                assert_eq!(*first, label, "{} names {} differently", a.id(), m.id);
            }
        }
        assert!(seen.len() >= 48, "{} metrics", seen.len());
        assert_eq!(
            seen["peps.on_time_rate"],
            Some("PEPs completed on time"),
            "a label read off queries/peps by hand"
        );
    }

    #[test]
    fn every_shipped_metric_declared_twice_has_one_direction_of_good() {
        // `better` says which way is good for children: an id declared by two analyses
        // (the OC2 rows and all children's) must not say "higher" in one and "lower" in the other.
        let queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let analyses = crate::analysis::load_all(&queries).expect("queries/ reads");
        let mut seen = std::collections::BTreeMap::new();
        for m in analyses.iter().flat_map(|a| &a.meta.metrics) {
            let first = seen
                .entry(m.id.clone())
                .or_insert((m.better, m.same_within));
            assert_eq!(*first, (m.better, m.same_within), "{}", m.id);
        }
        // Read off by hand: absence is better lower, reaching the standard higher.
        assert_eq!(
            seen["attendance.persistent_absence_rate"].0,
            Some(Better::Lower)
        );
        assert_eq!(
            seen["attainment.ks2_rwm_expected_rate"].0,
            Some(Better::Higher)
        );
        assert_eq!(seen["roll.children"].0, None);
    }
}
