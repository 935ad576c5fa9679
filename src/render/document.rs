//! The document model: a report rendered once into blocks (headings, prose, figures with
//! their data tables, tables, callouts, notes, provenance), which the HTML writer
//! ([`super::html`]) and the Typst writer ([`super::pdf`]) both read. Nothing re-parses HTML.
//!
//! A template's Markdown is parsed once (pulldown-cmark events); the blocks that template
//! functions build (charts, tables) enter the Markdown as placeholder tokens, which the
//! parse replaces with the stored blocks.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::fmt::Write as _;
use std::sync::Mutex;

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

const TOKEN_OPEN: char = '\u{E000}';
const TOKEN_CLOSE: char = '\u{E001}';

/// Blocks that template functions built while the template rendered, each standing in the
/// Markdown as a placeholder token until [`parse_markdown`] puts it back.
#[derive(Debug, Default)]
pub struct BlockStore {
    blocks: Mutex<Vec<Block>>,
}

impl BlockStore {
    /// Stores `block` and returns the token that stands for it in the Markdown.
    pub fn placeholder(&self, block: Block) -> String {
        let mut blocks = match self.blocks.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        blocks.push(block);
        format!("{TOKEN_OPEN}{}{TOKEN_CLOSE}", blocks.len() - 1)
    }

    fn get(&self, i: usize) -> Option<Block> {
        let blocks = match self.blocks.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        blocks.get(i).cloned()
    }
}

/// A container being filled while the Markdown is read.
enum Open {
    Root,
    Callout,
    Item,
    List { ordered: bool, tight: bool },
}

struct Builder<'s> {
    store: Option<&'s BlockStore>,
    /// Open containers and the blocks each holds so far.
    stack: Vec<(Open, Vec<Block>)>,
    /// Open inline containers (strong, emphasis, links) and their runs.
    inlines: Vec<(Option<Tag<'static>>, Vec<Inline>)>,
    /// The heading being read: level and explicit id.
    heading: Option<(u8, Option<String>)>,
    code: Option<String>,
    table: Option<(Table, Vec<Cell>, Vec<Alignment>)>,
}

/// Parses Markdown into blocks; `store` resolves the placeholders template functions left.
pub fn parse_markdown(md: &str, store: Option<&BlockStore>) -> Vec<Block> {
    let mut b = Builder {
        store,
        stack: vec![(Open::Root, Vec::new())],
        inlines: Vec::new(),
        heading: None,
        code: None,
        table: None,
    };
    let parser = Parser::new_ext(
        md,
        Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES,
    );
    for event in parser {
        b.event(event);
    }
    b.flush_inlines();
    while b.stack.len() > 1 {
        b.close();
    }
    b.stack.pop().map(|(_, blocks)| blocks).unwrap_or_default()
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

impl Builder<'_> {
    fn push_block(&mut self, block: Block) {
        if let Some((_, blocks)) = self.stack.last_mut() {
            blocks.push(block);
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        if self.inlines.is_empty() {
            self.inlines.push((None, Vec::new()));
        }
        if let Some((_, runs)) = self.inlines.last_mut() {
            // Adjacent text joins into one run.
            if let (Some(Inline::Text(prev)), Inline::Text(t)) = (runs.last_mut(), &inline) {
                prev.push_str(t);
                return;
            }
            runs.push(inline);
        }
    }

    fn take_inlines(&mut self) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some((tag, runs)) = self.inlines.pop() {
            out = match tag {
                None => runs,
                Some(_) => {
                    // An unclosed inline container: keep its runs.
                    let mut r = runs;
                    r.extend(out);
                    r
                }
            };
        }
        out
    }

    /// Text left outside a paragraph (a tight list item) becomes a paragraph.
    fn flush_inlines(&mut self) {
        if !self.inlines.is_empty() {
            let runs = self.take_inlines();
            self.paragraph(runs);
        }
    }

    /// A paragraph, with every placeholder token in it replaced by its stored block.
    fn paragraph(&mut self, runs: Vec<Inline>) {
        let mut current: Vec<Inline> = Vec::new();
        for run in runs {
            let Inline::Text(text) = run else {
                current.push(run);
                continue;
            };
            let mut rest = text.as_str();
            while let Some(start) = rest.find(TOKEN_OPEN) {
                let after = &rest[start + TOKEN_OPEN.len_utf8()..];
                let Some(end) = after.find(TOKEN_CLOSE) else {
                    break;
                };
                let stored = after[..end]
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.store.and_then(|s| s.get(i)));
                let before = &rest[..start];
                if !before.is_empty() {
                    current.push(Inline::Text(before.to_string()));
                }
                if let Some(block) = stored {
                    self.finish_paragraph(std::mem::take(&mut current));
                    self.push_block(block);
                }
                rest = &after[end + TOKEN_CLOSE.len_utf8()..];
            }
            if !rest.is_empty() {
                current.push(Inline::Text(rest.to_string()));
            }
        }
        self.finish_paragraph(current);
    }

    /// Pushes a paragraph unless it is only white space.
    fn finish_paragraph(&mut self, mut runs: Vec<Inline>) {
        while matches!(runs.first(), Some(Inline::SoftBreak)) {
            runs.remove(0);
        }
        while matches!(runs.last(), Some(Inline::SoftBreak)) {
            runs.pop();
        }
        if let Some(Inline::Text(t)) = runs.first_mut() {
            *t = t.trim_start().to_string();
        }
        if let Some(Inline::Text(t)) = runs.last_mut() {
            *t = t.trim_end().to_string();
        }
        runs.retain(|r| !matches!(r, Inline::Text(t) if t.is_empty()));
        if !runs.is_empty() {
            self.push_block(Block::Paragraph(runs));
        }
    }

    fn close(&mut self) {
        self.flush_inlines();
        let Some((open, blocks)) = self.stack.pop() else {
            return;
        };
        let block = match open {
            Open::Root => {
                self.stack.push((Open::Root, blocks));
                return;
            }
            Open::Callout => Block::Callout(blocks),
            Open::Item => {
                // An item's blocks go into its list as one item.
                if let Some((Open::List { .. }, items)) = self.stack.last_mut() {
                    items.push(Block::Section {
                        class: String::new(),
                        id: None,
                        blocks,
                    });
                }
                return;
            }
            Open::List { ordered, tight } => Block::List {
                ordered,
                tight,
                items: blocks
                    .into_iter()
                    .map(|b| match b {
                        Block::Section { blocks, .. } => blocks,
                        other => vec![other],
                    })
                    .collect(),
            },
        };
        self.push_block(block);
    }

    fn html(&mut self, html: &str) {
        for line in html.lines() {
            let t = line.trim();
            if t.starts_with("<div") && t.contains("callout") {
                self.flush_inlines();
                self.stack.push((Open::Callout, Vec::new()));
            } else if t.starts_with("</div") {
                self.flush_inlines();
                if matches!(self.stack.last(), Some((Open::Callout, _))) {
                    self.close();
                }
            }
            // Other HTML in a template carries no content the model keeps.
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if self.table.is_some() {
            match event {
                Event::Start(Tag::TableCell) => {
                    self.inlines.clear();
                    return;
                }
                Event::End(TagEnd::TableCell) => {
                    let text = plain(&self.take_inlines()).trim().to_string();
                    if let Some((_, row, _)) = self.table.as_mut() {
                        row.push(Cell::text(text));
                    }
                    return;
                }
                Event::End(TagEnd::TableHead) => {
                    if let Some((table, row, _)) = self.table.as_mut() {
                        table.header = row.drain(..).map(|c| c.text).collect();
                    }
                    return;
                }
                Event::End(TagEnd::TableRow) => {
                    if let Some((table, row, _)) = self.table.as_mut() {
                        table.rows.push(std::mem::take(row));
                    }
                    return;
                }
                Event::End(TagEnd::Table) => {
                    if let Some((mut table, _, align)) = self.table.take() {
                        for r in &mut table.rows {
                            for (c, a) in r.iter_mut().zip(&align) {
                                if *a == Alignment::Right {
                                    c.kind = CellKind::Number;
                                }
                            }
                        }
                        self.push_block(Block::Table(Box::new(table)));
                    }
                    return;
                }
                _ => {}
            }
        }
        match event {
            Event::Start(Tag::Paragraph) => self.flush_inlines(),
            Event::End(TagEnd::Paragraph) => {
                let runs = self.take_inlines();
                self.paragraph(runs);
            }
            Event::Start(Tag::Heading { level: l, id, .. }) => {
                self.flush_inlines();
                self.heading = Some((level(l), id.map(|s| s.to_string())));
            }
            Event::End(TagEnd::Heading(_)) => {
                let text = self.take_inlines();
                if let Some((level, id)) = self.heading.take() {
                    let id = id.unwrap_or_else(|| slug(&plain(&text)));
                    self.push_block(Block::Heading { level, id, text });
                }
            }
            Event::Start(Tag::List(start)) => {
                self.flush_inlines();
                self.stack.push((
                    Open::List {
                        ordered: start.is_some(),
                        tight: true,
                    },
                    Vec::new(),
                ));
            }
            Event::End(TagEnd::List(_)) => self.close(),
            Event::Start(Tag::Item) => {
                self.flush_inlines();
                self.stack.push((Open::Item, Vec::new()));
            }
            Event::End(TagEnd::Item) => {
                // A paragraph inside an item makes its list loose.
                let loose = matches!(
                    self.stack.last(),
                    Some((Open::Item, blocks)) if blocks.iter().any(|b| matches!(b, Block::Paragraph(_)))
                ) && self.inlines.is_empty();
                self.close();
                if let Some((Open::List { tight, .. }, _)) = self.stack.last_mut() {
                    *tight &= !loose;
                }
            }
            Event::Start(Tag::CodeBlock(
                _kind @ (CodeBlockKind::Fenced(_) | CodeBlockKind::Indented),
            )) => {
                self.flush_inlines();
                self.code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(code) = self.code.take() {
                    self.push_block(Block::Code(code));
                }
            }
            Event::Start(Tag::Table(align)) => {
                self.flush_inlines();
                self.table = Some((Table::default(), Vec::new(), align));
            }
            Event::Start(tag @ (Tag::Strong | Tag::Emphasis | Tag::Link { .. })) => {
                self.inlines.push((Some(tag.into_static()), Vec::new()));
            }
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link) => {
                if let Some((tag, runs)) = self.inlines.pop() {
                    let inline = match tag {
                        Some(Tag::Strong) => Inline::Strong(runs),
                        Some(Tag::Emphasis) => Inline::Emph(runs),
                        Some(Tag::Link { dest_url, .. }) => Inline::Link {
                            href: dest_url.to_string(),
                            text: runs,
                        },
                        _ => Inline::Emph(runs),
                    };
                    self.push_inline(inline);
                }
            }
            Event::Text(t) => {
                if let Some(code) = self.code.as_mut() {
                    code.push_str(&t);
                } else {
                    self.push_inline(Inline::Text(t.to_string()));
                }
            }
            Event::Code(t) => self.push_inline(Inline::Code(t.to_string())),
            Event::SoftBreak => self.push_inline(Inline::SoftBreak),
            Event::HardBreak => self.push_inline(Inline::SoftBreak),
            Event::Html(h) => self.html(&h),
            Event::InlineHtml(h) => self.html(&h),
            _ => {}
        }
    }
}

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
