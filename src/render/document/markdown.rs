//! Markdown into blocks: a template's Markdown is read once (pulldown-cmark events), and
//! the blocks template functions built come back in place of their placeholder tokens.

use super::{Block, Cell, CellKind, Inline, Table, plain, slug};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::sync::Mutex;

const TOKEN_OPEN: char = '\u{E000}';
const TOKEN_CLOSE: char = '\u{E001}';

/// Blocks that template functions built while the template rendered, each standing in the
/// Markdown as a placeholder token until [`parse_markdown`] puts it back.
#[derive(Debug, Default)]
pub(crate) struct BlockStore {
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
pub(crate) fn parse_markdown(md: &str, store: Option<&BlockStore>) -> Vec<Block> {
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
