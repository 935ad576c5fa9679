//! The lineage graph drawn as SVG, in a page of the report document model: one column per
//! kind of node, each column ordered by the nodes it is fed from so that edges mostly run
//! straight.

use super::{Graph, Kind, Node, text};
use crate::render::Report;
use crate::render::document::{Block, Figure, Inline};
use crate::render::escape::escape as esc;
use std::collections::BTreeMap;

const ROW: f64 = 20.0;
const COLUMN: f64 = 290.0;
const BOX: f64 = 260.0;
const TOP: f64 = 40.0;
const KINDS: [Kind; 5] = [
    Kind::File,
    Kind::Table,
    Kind::Analysis,
    Kind::Metric,
    Kind::Section,
];

/// Each node's (column, row): analyses by name, every other column by the mean row of
/// the nodes feeding it (files by the table they feed).
fn layout(g: &Graph) -> BTreeMap<&Node, (usize, usize)> {
    let mut at: BTreeMap<&Node, (usize, usize)> = BTreeMap::new();
    let analyses: Vec<(&Node, f64)> = g
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::Analysis)
        .enumerate()
        .map(|(i, n)| (n, i as f64))
        .collect();
    place(analyses, &mut at);
    // Tables by the analyses they feed; files by their table; metrics and sections by what feeds them.
    for kind in [Kind::Table, Kind::File, Kind::Metric, Kind::Section] {
        let nodes: Vec<(&Node, f64)> = g
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| {
                let near: Vec<usize> = if matches!(kind, Kind::File | Kind::Table) {
                    g.outgoing(n)
                        .iter()
                        .filter_map(|m| at.get(m).map(|p| p.1))
                        .collect()
                } else {
                    g.incoming(n)
                        .iter()
                        .filter_map(|m| at.get(m).map(|p| p.1))
                        .collect()
                };
                (n, mean(&near))
            })
            .collect();
        place(nodes, &mut at);
    }
    at
}

fn column(k: Kind) -> usize {
    KINDS.iter().position(|x| *x == k).unwrap_or(0)
}

fn mean(rows: &[usize]) -> f64 {
    if rows.is_empty() {
        f64::MAX
    } else {
        rows.iter().sum::<usize>() as f64 / rows.len() as f64
    }
}

/// Gives `nodes` rows of their column in order of their sort key.
fn place<'g>(mut nodes: Vec<(&'g Node, f64)>, at: &mut BTreeMap<&'g Node, (usize, usize)>) {
    nodes.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    for (row, (n, _)) in nodes.into_iter().enumerate() {
        at.insert(n, (column(n.kind), row));
    }
}

fn short(name: &str) -> String {
    let name = name
        .rsplit('/')
        .next()
        .filter(|_| name.contains(".csv") || name.contains(".parquet"))
        .unwrap_or(name);
    if name.chars().count() > 40 {
        format!("{}…", name.chars().take(39).collect::<String>())
    } else {
        name.to_string()
    }
}

/// The SVG drawing of the graph.
pub fn svg(g: &Graph) -> String {
    let at = layout(g);
    let rows = at.values().map(|p| p.1 + 1).max().unwrap_or(1);
    let (width, height) = (KINDS.len() as f64 * COLUMN, TOP + rows as f64 * ROW + 20.0);
    let pos = |n: &Node| {
        at.get(n)
            .map(|&(c, r)| (c as f64 * COLUMN + 10.0, TOP + r as f64 * ROW))
    };
    let mut out = vec![format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"lineage-title\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n<title id=\"lineage-title\">Lineage: data files, tables, analyses, metrics and report sections</title>"
    )];
    for (i, k) in KINDS.iter().enumerate() {
        out.push(format!(
            "<text x=\"{}\" y=\"20\" font-weight=\"bold\" font-size=\"13\">{}</text>",
            i as f64 * COLUMN + 10.0,
            esc(&capitalise(k.plural()))
        ));
    }
    for (a, b) in &g.edges {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(a), pos(b)) else {
            continue;
        };
        let (y1, y2) = (y1 + ROW / 2.0 - 2.0, y2 + ROW / 2.0 - 2.0);
        let path = if a.kind == b.kind {
            let x = x1 + BOX;
            format!(
                "M{x:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x:.1},{y2:.1}",
                x + 24.0,
                x + 24.0
            )
        } else {
            let (xa, xb) = (x1 + BOX, x2);
            let mid = (xa + xb) / 2.0;
            format!("M{xa:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {xb:.1},{y2:.1}")
        };
        out.push(format!(
            "<path d=\"{path}\" fill=\"none\" stroke=\"#8a94a6\" stroke-opacity=\"0.55\"/>"
        ));
    }
    for n in &g.nodes {
        let Some((x, y)) = pos(n) else { continue };
        let fill = match n.kind {
            Kind::File => "#fff4d6",
            Kind::Table => "#e3effa",
            Kind::Analysis => "#e6f4ea",
            Kind::Metric => "#f3e8fd",
            Kind::Section => "#fde8e4",
        };
        out.push(format!(
            "<g><title>{} {}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{BOX}\" height=\"{:.1}\" rx=\"3\" fill=\"{fill}\" stroke=\"#5f6b7a\" stroke-width=\"0.6\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1d2530\">{}</text></g>",
            esc(n.kind.label()),
            esc(&n.name),
            ROW - 4.0,
            x + 5.0,
            y + ROW - 8.5,
            esc(&short(&n.name))
        ));
    }
    out.push("</svg>".into());
    out.join("\n")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The lineage page as a document: the drawing, then the same graph as text for screen
/// readers. The HTML writer makes it one self-contained page.
pub fn document(g: &Graph) -> Report {
    Report {
        title: "Lineage".into(),
        subtitle: "Data files, tables, analyses, metrics and report sections".into(),
        audience_label: "cohort lineage".into(),
        body: vec![
            Block::Paragraph(vec![Inline::Text(
                "Which data files feed which tables, analyses, metrics and report sections. Read left to right; an analysis that reads another analysis's result is joined to it on the right. Hover a box for its full name.".into(),
            )]),
            // The graph is drawn at its own size, scrolling sideways when wider than the page.
            Block::Section {
                class: "graph".into(),
                id: None,
                blocks: vec![Block::Figure(Box::new(Figure {
                    id: "lineage".into(),
                    title: "Lineage".into(),
                    summary: format!(
                        "{} nodes and {} links: data files, tables, analyses, metrics and report sections; the same graph follows as text.",
                        g.nodes.len(),
                        g.edges.len()
                    ),
                    svg: svg(g),
                    data: None,
                }))],
            },
            Block::Heading {
                level: 3,
                id: "as-text".into(),
                text: vec![Inline::Text("As text".into())],
            },
            Block::Code(text(g)),
        ],
        ..Report::default()
    }
}

/// The lineage page as self-contained HTML.
pub fn html(g: &Graph) -> String {
    document(g).html()
}
