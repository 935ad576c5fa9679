//! The document model: a report rendered once into blocks (headings, prose, figures with
//! their data tables, tables, callouts, notes, provenance), which the HTML writer
//! ([`super::html`]) and the Typst writer ([`super::pdf`]) both read. Nothing re-parses HTML.
//!
//! A template's Markdown is parsed once (pulldown-cmark events); the blocks that template
//! functions build (charts, tables) enter the Markdown as placeholder tokens, which the
//! parse replaces with the stored blocks.

mod markdown;
mod outline;

pub(crate) use markdown::{BlockStore, parse_markdown};
pub use outline::outline;

/// A whole report: the page's title block, its body, and its closing provenance.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    pub subtitle: String,
    /// Who the report is for, shown above the title.
    pub audience_label: String,
    /// A protective marking printed on every page (e.g. OFFICIAL-SENSITIVE).
    pub marking: Option<String>,
    pub body: Vec<Block>,
    pub provenance: Vec<Block>,
    /// The PDF opens with the summary, then a contents list (a board report).
    pub contents: bool,
    /// A page meant to fit one sheet (a school's advisory page): the PDF's margins are
    /// narrower and its charts smaller.
    pub compact: bool,
}

/// One block of a document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; `id` is its anchor.
    Heading {
        level: u8,
        id: String,
        text: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// A bulleted (or numbered) list; `tight` items hold no paragraph spacing.
    List {
        ordered: bool,
        tight: bool,
        items: Vec<Vec<Block>>,
    },
    Figure(Box<Figure>),
    Table(Box<Table>),
    /// A highlighted box (a report's brief).
    Callout(Vec<Block>),
    /// A titled group: notes on the figures, an earlier-years note, a notebook cell.
    Section {
        class: String,
        id: Option<String>,
        blocks: Vec<Block>,
    },
    /// Preformatted code (a notebook cell's SQL).
    Code(String),
}

/// A run of text inside a paragraph, heading or list item.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    /// A line break in the source, shown as a space.
    SoftBreak,
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    Code(String),
    Link {
        href: String,
        text: Vec<Inline>,
    },
}

/// A chart: its title, the SVG, a sentence saying what it shows, and its data table.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub svg: String,
    /// The data the chart plots; `None` draws no table (a notebook cell's table follows).
    pub data: Option<Table>,
}

/// How a column's cells read and align.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    /// A figure: right-aligned.
    Number,
    /// An identifier or hash, set in monospace.
    Code,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub kind: CellKind,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: CellKind::Text,
        }
    }
    /// A right-aligned figure.
    pub fn number(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: CellKind::Number,
        }
    }
    /// An identifier in monospace.
    pub fn code(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind: CellKind::Code,
        }
    }
}

/// A table with a header row; its rows may break across pages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub caption: Option<String>,
    /// A class for the HTML writer (`headlines`).
    pub class: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Footnotes printed under the table.
    pub notes: Vec<String>,
}

impl Table {
    /// Whether each column holds figures (every cell that has text is a number).
    pub fn numeric_columns(&self) -> Vec<bool> {
        let n = self.column_count();
        (0..n)
            .map(|i| {
                let mut cells = self.rows.iter().filter_map(|r| r.get(i));
                let mut any = false;
                let all = cells.all(|c| {
                    any = true;
                    c.kind == CellKind::Number
                });
                any && all
            })
            .collect()
    }

    /// The number of columns: the header's, or the widest row's.
    pub fn column_count(&self) -> usize {
        self.header
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0))
    }
}

/// Plain text of inline runs (for anchors, the contents list and alt text).
pub fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(x) | Inline::Emph(x) | Inline::Link { text: x, .. } => {
                out.push_str(&plain(x))
            }
        }
    }
    out
}

/// A heading's anchor: lower case, words joined by hyphens.
pub fn slug(text: &str) -> String {
    let s: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The contents: every level-2 heading's anchor and text.
pub fn contents(blocks: &[Block]) -> Vec<(String, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 2, id, text } => Some((id.clone(), plain(text))),
            _ => None,
        })
        .collect()
}

/// Splits blocks at the first level-2 heading: the summary before it, the sections after.
pub fn split_summary(blocks: &[Block]) -> (&[Block], &[Block]) {
    let i = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 2, .. }))
        .unwrap_or(0);
    blocks.split_at(i)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_blocks_with_anchors_and_placeholders() {
        let store = BlockStore::default();
        let token = store.placeholder(Block::Table(Box::new(Table {
            caption: Some("By year".into()),
            header: vec!["Year".into()],
            rows: vec![vec![Cell::number("311")]],
            ..Table::default()
        })));
        let md = format!(
            "<div class=\"callout\">\n\n**Brief.** Words\nmore.\n\n</div>\n\n## Attendance & absence\n\n{token}\n\n- one\n- two\n"
        );
        let blocks = parse_markdown(&md, Some(&store));
        assert_eq!(blocks.len(), 4, "{blocks:#?}");
        assert_eq!(
            blocks[0],
            Block::Callout(vec![Block::Paragraph(vec![
                Inline::Strong(vec![Inline::Text("Brief.".into())]),
                Inline::Text(" Words".into()),
                Inline::SoftBreak,
                Inline::Text("more.".into()),
            ])])
        );
        assert!(
            matches!(&blocks[1], Block::Heading { level: 2, id, .. } if id == "attendance-absence")
        );
        assert!(matches!(&blocks[2], Block::Table(t) if t.rows.len() == 1));
        assert!(matches!(&blocks[3], Block::List { items, tight: true, .. } if items.len() == 2));
        assert_eq!(
            contents(&blocks),
            vec![(
                "attendance-absence".to_string(),
                "Attendance & absence".to_string()
            )]
        );
    }

    #[test]
    fn a_placeholder_inside_a_sentence_splits_it() {
        let store = BlockStore::default();
        let token = store.placeholder(Block::Code("x".into()));
        let blocks = parse_markdown(&format!("before {token} after"), Some(&store));
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![Inline::Text("before".into())]),
                Block::Code("x".into()),
                Block::Paragraph(vec![Inline::Text("after".into())]),
            ]
        );
    }

    #[test]
    fn numeric_columns_need_every_cell_a_number() {
        let t = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![
                vec![Cell::text("x"), Cell::number("1")],
                vec![Cell::number("2"), Cell::number("3")],
            ],
            ..Table::default()
        };
        assert_eq!(t.numeric_columns(), vec![false, true]);
    }
}
