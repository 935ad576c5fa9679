//! The document as indented text, for snapshot tests.

use super::{Block, CellKind, Report, Table, plain};
use std::fmt::Write as _;

/// The document as indented text, one line a block: what snapshot tests compare. A figure
/// shows its data table's shape and the SVG's size, not the SVG.
pub fn outline(report: &Report) -> String {
    let mut out = format!(
        "title: {}\nsubtitle: {}\naudience: {}\nmarking: {}\ncontents: {}\n--- body\n",
        report.title,
        report.subtitle,
        report.audience_label,
        report.marking.as_deref().unwrap_or("none"),
        report.contents
    );
    outline_blocks(&report.body, 0, &mut out);
    out.push_str("--- provenance\n");
    outline_blocks(&report.provenance, 0, &mut out);
    out
}

fn outline_table(t: &Table, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}table{}: {} ({} rows x {} columns)",
        t.class
            .as_ref()
            .map(|c| format!(" .{c}"))
            .unwrap_or_default(),
        t.caption.as_deref().unwrap_or("(no caption)"),
        t.rows.len(),
        t.column_count()
    );
    let _ = writeln!(out, "{pad}  | {}", t.header.join(" | "));
    for r in &t.rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| match c.kind {
                CellKind::Number => format!("{}>", c.text),
                CellKind::Code => format!("`{}`", c.text),
                CellKind::Text => c.text.clone(),
            })
            .collect();
        let _ = writeln!(out, "{pad}  | {}", cells.join(" | "));
    }
}

fn outline_blocks(blocks: &[Block], depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for b in blocks {
        match b {
            Block::Heading { level, id, text } => {
                let _ = writeln!(out, "{pad}h{level} #{id}: {}", plain(text));
            }
            Block::Paragraph(runs) => {
                let _ = writeln!(out, "{pad}p: {}", plain(runs));
            }
            Block::List { ordered, items, .. } => {
                let _ = writeln!(out, "{pad}{}:", if *ordered { "ol" } else { "ul" });
                for item in items {
                    let _ = writeln!(out, "{pad}  li:");
                    outline_blocks(item, depth + 2, out);
                }
            }
            Block::Figure(f) => {
                let _ = writeln!(
                    out,
                    "{pad}figure #{}: {}\n{pad}  summary: {}\n{pad}  svg: {} lines",
                    f.id,
                    f.title,
                    f.summary,
                    f.svg.lines().count()
                );
                if let Some(t) = &f.data {
                    outline_table(t, depth + 1, out);
                }
            }
            Block::Table(t) => outline_table(t, depth, out),
            Block::Callout(inner) => {
                let _ = writeln!(out, "{pad}callout:");
                outline_blocks(inner, depth + 1, out);
            }
            Block::Section { class, id, blocks } => {
                let _ = writeln!(
                    out,
                    "{pad}section .{class}{}:",
                    id.as_ref().map(|i| format!(" #{i}")).unwrap_or_default()
                );
                outline_blocks(blocks, depth + 1, out);
            }
            Block::Code(code) => {
                let _ = writeln!(out, "{pad}code: {} lines", code.lines().count());
            }
        }
    }
}
