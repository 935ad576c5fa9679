//! Lineage: which data files feed which tables, analyses, metrics and report sections.
//!
//! Built from what the project declares (the contract, each analysis's SQL parse tree and
//! front matter, each template's calls), never from running anything; `cohort graph` prints it
//! as text, Graphviz DOT or a self-contained HTML page with the graph drawn as SVG.

mod svg;

use crate::analysis::{self, Analysis};
use crate::catalog::TableSource;
use crate::catalog::locate::{data_files, locate};
use crate::contract::Contract;
use crate::render::ReportTemplate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use svg::html;

/// The kinds of node, in the order the graph reads left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Table,
    Analysis,
    Metric,
    Section,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::File => "data file",
            Kind::Table => "table",
            Kind::Analysis => "analysis",
            Kind::Metric => "metric",
            Kind::Section => "report section",
        }
    }

    /// The kind's name for many of it, as a column heading says it ("analyses").
    pub fn plural(self) -> &'static str {
        match self {
            Kind::File => "data files",
            Kind::Table => "tables",
            Kind::Analysis => "analyses",
            Kind::Metric => "metrics",
            Kind::Section => "report sections",
        }
    }
}

/// One node: its kind and its name (`attendance`, `attendance/sessions_by_term`, `termly-impact § Attendance`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    pub kind: Kind,
    pub name: String,
}

/// The lineage graph: nodes and the edges from what is read to what reads it.
#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: BTreeSet<Node>,
    pub edges: BTreeSet<(Node, Node)>,
}

fn node(kind: Kind, name: impl Into<String>) -> Node {
    Node {
        kind,
        name: name.into(),
    }
}

impl Graph {
    fn edge(&mut self, from: Node, to: Node) {
        self.nodes.insert(from.clone());
        self.nodes.insert(to.clone());
        self.edges.insert((from, to));
    }

    /// The nodes `n` feeds.
    pub fn outgoing(&self, n: &Node) -> Vec<&Node> {
        self.edges
            .iter()
            .filter(|(a, _)| a == n)
            .map(|(_, b)| b)
            .collect()
    }

    /// The nodes feeding `n`.
    pub fn incoming(&self, n: &Node) -> Vec<&Node> {
        self.edges
            .iter()
            .filter(|(_, b)| b == n)
            .map(|(a, _)| a)
            .collect()
    }

    /// Analyses that no report section, metric or other analysis uses: candidates to remove.
    pub fn unused_analyses(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.kind == Kind::Analysis && self.outgoing(n).is_empty())
            .map(|n| n.name.clone())
            .collect()
    }
}

/// The data files in `data` that hold `table`, found as the catalog finds them (a file of any
/// of its formats named for the table, or 903 returns by year, CSV or XML); none when they
/// cannot be told apart.
fn files_for(contract: &Contract, data: &Path, files: &[PathBuf], table: &str) -> Vec<String> {
    let Some(t) = contract.table(table) else {
        return Vec::new();
    };
    let found = locate(t, data, files, &TableSource::default()).map(|l| l.paths());
    let mut out: Vec<String> = found
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    out.sort();
    out
}

/// Builds the graph of a project: its data folder, analyses and templates.
pub fn build(
    contract: &Contract,
    data: &Path,
    analyses: &[Analysis],
    templates: &[ReportTemplate],
) -> Graph {
    let mut g = Graph::default();
    let results: BTreeMap<String, &Analysis> = analyses
        .iter()
        .map(|a| {
            let (s, n) = analysis::table_name(a.id());
            (format!("{s}.{n}"), a)
        })
        .collect();
    let tables: BTreeSet<String> = contract
        .tables
        .iter()
        .map(|t| t.name.to_string())
        .chain(["params", "terms", "code_lists"].map(String::from))
        .collect();
    for a in analyses {
        let me = node(Kind::Analysis, a.id());
        g.nodes.insert(me.clone());
        let read = analysis::reads::tables_read(&a.sql).unwrap_or_default();
        for name in &read {
            if let Some(dep) = results.get(name) {
                g.edge(node(Kind::Analysis, dep.id()), me.clone());
            } else if tables.contains(name) {
                g.edge(node(Kind::Table, name.clone()), me.clone());
            }
        }
        for dep in &a.meta.depends_on {
            g.edge(node(Kind::Analysis, dep.clone()), me.clone());
        }
        for m in &a.meta.metrics {
            g.edge(me.clone(), node(Kind::Metric, m.id.clone()));
        }
    }
    let read_tables: Vec<String> = g
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::Table)
        .map(|n| n.name.clone())
        .collect();
    let files = data_files(data);
    for t in read_tables {
        for f in files_for(contract, data, &files, &t) {
            g.edge(node(Kind::File, f), node(Kind::Table, t.clone()));
        }
    }
    for t in templates {
        for s in t.sections() {
            let section = node(Kind::Section, format!("{} § {}", t.name, s.heading));
            for a in &s.analyses {
                g.edge(node(Kind::Analysis, a.clone()), section.clone());
            }
            for m in &s.metrics {
                g.edge(node(Kind::Metric, m.clone()), section.clone());
            }
        }
    }
    g
}

/// The graph as text: each analysis with what it reads, the metrics it writes and the
/// report sections that show it; then each table with its files; then unused analyses.
pub fn text(g: &Graph) -> String {
    let names = |v: Vec<&Node>| {
        let mut v: Vec<String> = v.iter().map(|n| n.name.clone()).collect();
        v.sort();
        v.join(", ")
    };
    let mut out = Vec::new();
    for a in g.nodes.iter().filter(|n| n.kind == Kind::Analysis) {
        out.push(a.name.clone());
        let reads = g.incoming(a);
        if !reads.is_empty() {
            out.push(format!("  reads:    {}", names(reads)));
        }
        let (metrics, rest): (Vec<&Node>, Vec<&Node>) = g
            .outgoing(a)
            .into_iter()
            .partition(|n| n.kind == Kind::Metric);
        if !metrics.is_empty() {
            out.push(format!("  metrics:  {}", names(metrics.clone())));
        }
        let mut shown: Vec<&Node> = rest
            .iter()
            .copied()
            .filter(|n| n.kind == Kind::Section)
            .collect();
        for m in &metrics {
            shown.extend(g.outgoing(m));
        }
        shown.sort();
        shown.dedup();
        if !shown.is_empty() {
            out.push(format!("  shown in: {}", names(shown)));
        }
        let used_by: Vec<&Node> = rest
            .into_iter()
            .filter(|n| n.kind == Kind::Analysis)
            .collect();
        if !used_by.is_empty() {
            out.push(format!("  used by:  {}", names(used_by)));
        }
    }
    out.push(String::new());
    out.push("tables and their files:".into());
    for t in g.nodes.iter().filter(|n| n.kind == Kind::Table) {
        let files = g.incoming(t);
        out.push(format!(
            "  {:<24} {}",
            t.name,
            if files.is_empty() {
                "(built in, or no file)".to_string()
            } else {
                names(files)
            }
        ));
    }
    let unused = g.unused_analyses();
    if !unused.is_empty() {
        out.push(String::new());
        out.push(format!(
            "used by no report, metric or analysis: {}",
            unused.join(", ")
        ));
    }
    out.join("\n")
}

fn dot_id(n: &Node) -> String {
    format!("\"{}:{}\"", n.kind.label(), n.name.replace('"', "'"))
}

/// The graph as Graphviz DOT, left to right, one rank per kind of node.
pub fn dot(g: &Graph) -> String {
    let mut out = vec![
        "digraph cohort {".to_string(),
        "  rankdir=LR;".into(),
        "  node [shape=box, fontname=\"Helvetica\", fontsize=10];".into(),
    ];
    for kind in [
        Kind::File,
        Kind::Table,
        Kind::Analysis,
        Kind::Metric,
        Kind::Section,
    ] {
        let shape = match kind {
            Kind::File => "note",
            Kind::Table => "cylinder",
            Kind::Metric => "ellipse",
            _ => "box",
        };
        out.push(format!(
            "  subgraph \"cluster_{}\" {{ label=\"{}\"; rank=same;",
            kind.label(),
            kind.plural()
        ));
        for n in g.nodes.iter().filter(|n| n.kind == kind) {
            out.push(format!(
                "    {} [label=\"{}\", shape={shape}];",
                dot_id(n),
                n.name.replace('"', "'")
            ));
        }
        out.push("  }".into());
    }
    for (a, b) in &g.edges {
        out.push(format!("  {} -> {};", dot_id(a), dot_id(b)));
    }
    out.push("}".into());
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::format::{FORMATS, Format};
    use crate::project::identify::Identity;
    use datafusion::parquet::arrow::ArrowWriter;

    fn analysis(id: &str, sql: &str, metrics: &str) -> Analysis {
        let text = format!(
            "-- ---\n-- id = \"{id}\"\n-- version = 1\n-- title = \"t\"\n-- description = \"d\"\n{metrics}-- ---\n{sql}\n"
        );
        Analysis::parse(Path::new(&format!("{id}.sql")), id, &text).expect("parses")
    }

    #[test]
    fn files_feed_tables_feed_analyses_feed_metrics_and_sections() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Episodes.CSV"), "x").unwrap();
        let a = analysis(
            "roll/a",
            "WITH e AS (SELECT * FROM episodes) SELECT * FROM e",
            "",
        );
        let b = analysis(
            "roll/b",
            "SELECT * FROM roll.a",
            "-- [[metric]]\n-- id = \"roll.n\"\n-- value = \"n\"\n-- time_period = \"term\"\n-- unit = \"count\"\n",
        );
        let c = analysis("roll/unused", "SELECT 1", "");
        let t = ReportTemplate::parse(
            Path::new("r.md"),
            "r",
            "+++\ntitle = \"R\"\naudience = \"board\"\n+++\n## Roll\n{{ metric(\"roll.n\") }}\n",
        )
        .unwrap();
        let g = build(&Contract::current(), dir.path(), &[a, b, c], &[t]);
        let has = |k1, n1: &str, k2, n2: &str| g.edges.contains(&(node(k1, n1), node(k2, n2)));
        assert!(has(Kind::Table, "episodes", Kind::Analysis, "roll/a"));
        assert!(has(Kind::Analysis, "roll/a", Kind::Analysis, "roll/b"));
        assert!(has(Kind::Analysis, "roll/b", Kind::Metric, "roll.n"));
        assert!(has(Kind::Metric, "roll.n", Kind::Section, "r § Roll"));
        let file = dir.path().join("Episodes.CSV").display().to_string();
        assert!(has(Kind::File, &file, Kind::Table, "episodes"));
        // The CTE `e` is not a table.
        assert!(!g.nodes.contains(&node(Kind::Table, "e")));
        assert_eq!(g.unused_analyses(), vec!["roll/unused".to_string()]);
        let text = text(&g);
        assert!(
            text.contains("roll/b\n  reads:    roll/a\n  metrics:  roll.n\n  shown in: r § Roll"),
            "{text}"
        );
        assert!(dot(&g).contains("\"analysis:roll/a\" -> \"analysis:roll/b\";"));
        // Column headings and clusters in the plural as it is spelled.
        assert!(dot(&g).contains("label=\"analyses\""), "{}", dot(&g));
        let drawn = svg::svg(&g);
        for heading in [
            "Data files",
            "Tables",
            "Analyses",
            "Metrics",
            "Report sections",
        ] {
            assert!(drawn.contains(&format!(">{heading}</text>")), "{heading}");
        }
        assert!(!drawn.contains("Analysiss"));
    }

    /// An SSDA903 XML return of one child, with no episodes.
    const RETURN: &str = "<?xml version='1.0'?>\n<EXPSSDA903><CHILD><HEADER><CHILDID>C1</CHILDID>\
        <UPN>A123456789001</UPN><SEX>M</SEX><DOB>01/05/2014</DOB><ETHNIC>WBRI</ETHNIC>\
        <UASC /><MOTHER /><MC_DOB /></HEADER></CHILD></EXPSSDA903>\n";

    /// A file of `format` holding table `schools` (an XML return: `header`), at `path`.
    fn write_format(format: Format, path: &Path) -> &'static str {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let csv = fixtures.join("small/schools.csv");
        match format {
            Format::Csv => std::fs::copy(&csv, path).map(|_| ()).unwrap(),
            Format::Spreadsheet => std::fs::copy(fixtures.join("excel/schools.xlsx"), path)
                .map(|_| ())
                .unwrap(),
            Format::Parquet => {
                let contract = Contract::current();
                let table = contract.table("schools").unwrap();
                let t = crate::catalog::read_table_file(table, &csv, &Default::default()).unwrap();
                let file = std::fs::File::create(path).unwrap();
                let mut w = ArrowWriter::try_new(file, t.schema.clone(), None).unwrap();
                for b in &t.batches {
                    w.write(b).unwrap();
                }
                w.close().unwrap();
            }
            Format::Xml903 => {
                std::fs::write(path, RETURN).unwrap();
                return "header";
            }
        }
        "schools"
    }

    /// Each format of the catalog's one table of formats is found where the catalog looks,
    /// in every extension it has; told by its columns as `cohort init` tells it (by its first
    /// extension: the fixtures are .xlsx, not .xls or .ods inside); and listed by lineage as
    /// the file of its table.
    #[test]
    fn every_format_is_located_identified_and_listed() {
        let contract = Contract::current();
        for f in FORMATS {
            for (i, ext) in f.extensions.iter().enumerate() {
                let dir = tempfile::tempdir().unwrap();
                // An XML return is found by its year, not its name.
                let stem = match f.format {
                    Format::Xml903 => "SSDA903_2024",
                    _ => "schools",
                };
                let path = dir.path().join(format!("{stem}.{ext}"));
                let table = write_format(f.format, &path);
                let t = contract.table(table).unwrap();
                let files = data_files(dir.path());
                assert_eq!(files, vec![path.clone()], "{ext}: a data file");
                let located = locate(t, dir.path(), &files, &TableSource::default()).unwrap();
                assert_eq!(located.paths(), vec![path.clone()], "{ext}: located");
                let listed = files_for(&contract, dir.path(), &files, table);
                assert_eq!(
                    listed,
                    vec![path.display().to_string()],
                    "{ext}: in lineage"
                );
                if i > 0 {
                    continue;
                }
                let headers = crate::project::identify::headers(&contract, &path).unwrap();
                let found: Vec<Identity> = headers
                    .iter()
                    .map(|(_, names)| crate::project::identify::identify(&contract, names))
                    .collect();
                assert!(
                    found
                        .iter()
                        .any(|id| matches!(id, Identity::Table { name, .. } if *name == table)),
                    "{ext}: identified as {table}, not {found:?}"
                );
            }
        }
    }
}
