//! The appendix rule: a table too long to read in the body (more than [`LONGEST`] rows, a
//! chart's data included) and a grid in which no row shows a clear difference go to an
//! appendix at the end of the document, each leaving one sentence in the body that says
//! what it shows and points to it. Applied to the document model, so HTML and PDF agree.

use super::document::{Block, Figure, Inline, Table, slug};

/// The most rows a table may have and stay in the body.
pub(crate) const LONGEST: usize = 12;

/// The class of a table the template keeps in the body however long (`in_full=true`).
pub(crate) const IN_FULL: &str = "in-full";

/// The appendix heading's anchor (`#appendix`).
pub(crate) const APPENDIX_ID: &str = "appendix";

/// Why a table goes to the appendix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// More than [`LONGEST`] rows.
    Long,
    /// Every row's finding is "No clear difference" (or too few children to say).
    NoDifference,
    /// Every row's finding is that there are too few children to say.
    TooFew,
}

/// The tables the appendix holds so far, numbered A1, A2, ... in reading order.
#[derive(Default)]
struct Appendix {
    blocks: Vec<Block>,
    count: usize,
}

impl Appendix {
    /// Adds `table` under `title` and returns its number ("A3") and anchor.
    fn add(&mut self, title: &str, mut table: Table) -> (String, String) {
        self.count += 1;
        let number = format!("A{}", self.count);
        let id = format!("table-{}", number.to_lowercase());
        // The heading names the table; a caption repeating it would be read twice.
        table.caption = None;
        self.blocks.push(Block::Section {
            class: "appendix-table".into(),
            id: None,
            blocks: vec![
                Block::Heading {
                    level: 3,
                    id: id.clone(),
                    text: vec![Inline::Text(format!("Table {number}. {title}"))],
                },
                Block::Table(Box::new(table)),
            ],
        });
        (number, id)
    }
}

/// Moves long tables and grids with no clear difference out of `body`, leaving a sentence
/// for each, and returns the appendix (its heading, a line on what it holds and the tables),
/// or nothing when every table stays.
pub(crate) fn gather(body: &mut Vec<Block>) -> Vec<Block> {
    let mut appendix = Appendix::default();
    let blocks = std::mem::take(body);
    *body = walk(blocks, &mut appendix);
    if appendix.blocks.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Block::Heading {
            level: 2,
            id: APPENDIX_ID.into(),
            text: vec![Inline::Text("Appendix: tables in full".into())],
        },
        Block::Paragraph(vec![Inline::Text(format!(
            "Tables too long to read in the body (more than {LONGEST} rows) and tables in which no row shows a clear difference, each in the order the body points to it."
        ))]),
    ];
    out.extend(appendix.blocks);
    out
}

fn walk(blocks: Vec<Block>, appendix: &mut Appendix) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            Block::Table(t) => match why(&t) {
                Some(why) => {
                    let rows = t.rows.len();
                    let caption = t.caption.clone();
                    let title = caption.clone().unwrap_or_else(|| "A table".into());
                    let (number, id) = appendix.add(&title, *t);
                    out.push(table_sentence(why, caption.as_deref(), rows, &number, &id));
                }
                None => out.push(Block::Table(t)),
            },
            Block::Figure(f) => {
                let (figure, sentence) = figure_data(*f, appendix);
                out.push(Block::Figure(Box::new(figure)));
                out.extend(sentence);
            }
            Block::Section { class, id, blocks } => out.push(Block::Section {
                class,
                id,
                blocks: walk(blocks, appendix),
            }),
            Block::Callout(inner) => out.push(Block::Callout(walk(inner, appendix))),
            other => out.push(other),
        }
    }
    out
}

/// A figure whose data table is long keeps its drawing; its data goes to the appendix,
/// with a sentence under the figure saying where.
fn figure_data(mut f: Figure, appendix: &mut Appendix) -> (Figure, Option<Block>) {
    let Some(data) = f.data.take_if(|d| d.rows.len() > LONGEST) else {
        return (f, None);
    };
    let rows = data.rows.len();
    let (number, id) = appendix.add(&format!("Data for the chart: {}", f.title), data);
    let sentence = Block::Paragraph(vec![
        Inline::Text(format!(
            "The {rows} rows of figures this chart draws are in "
        )),
        link(&number, &id),
        Inline::Text(" of the appendix.".into()),
    ]);
    (f, Some(sentence))
}

/// Why `t` goes to the appendix, or `None` when it stays in the body.
fn why(t: &Table) -> Option<Why> {
    if t.class.as_deref() == Some(IN_FULL) {
        return None;
    }
    if t.rows.len() > LONGEST {
        return Some(Why::Long);
    }
    let findings = findings(t)?;
    let too_few = |f: &String| f.starts_with("too few");
    if findings.iter().all(too_few) {
        Some(Why::TooFew)
    } else {
        findings
            .iter()
            .all(|f| too_few(f) || f.starts_with("no clear difference"))
            .then_some(Why::NoDifference)
    }
}

/// Each row's finding in lower case, when the table has a finding column and rows.
fn findings(t: &Table) -> Option<Vec<String>> {
    let column = t
        .header
        .iter()
        .position(|h| slug(h).split('-').any(|w| w == "finding"))?;
    let findings: Vec<String> = t
        .rows
        .iter()
        .map(|r| {
            r.get(column)
                .map(|c| c.text.trim().to_lowercase())
                .unwrap_or_default()
        })
        .collect();
    (!findings.is_empty()).then_some(findings)
}

/// The link to an appendix table: "table A3".
fn link(number: &str, id: &str) -> Inline {
    Inline::Link {
        href: format!("#{id}"),
        text: vec![Inline::Text(format!("table {number}"))],
    }
}

/// The sentence a moved table leaves in the body: what it shows, and where it is.
fn table_sentence(why: Why, caption: Option<&str>, rows: usize, number: &str, id: &str) -> Block {
    let what = caption.unwrap_or("This table");
    let text = match why {
        Why::Long => format!("{what} ({rows} rows) is in full in "),
        Why::NoDifference => {
            format!("{what}: none of its {rows} rows shows a clear difference, so the table is in ")
        }
        Why::TooFew => format!(
            "{what}: too few children in each of its {rows} rows to say whether there is a difference, so the table is in "
        ),
    };
    Block::Paragraph(vec![
        Inline::Text(text),
        link(number, id),
        Inline::Text(" of the appendix.".into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::document::{Cell, plain};

    fn table(caption: &str, rows: usize, finding: Option<&str>) -> Block {
        let mut header = vec!["Group".to_string(), "Rate".to_string()];
        if finding.is_some() {
            header.push("Finding".into());
        }
        Block::Table(Box::new(Table {
            caption: Some(caption.into()),
            header,
            rows: (0..rows)
                .map(|i| {
                    let mut r = vec![Cell::text(format!("Group {i}")), Cell::number("50.0%")];
                    if let Some(f) = finding {
                        r.push(Cell::text(f));
                    }
                    r
                })
                .collect(),
            ..Table::default()
        }))
    }

    fn figure(rows: usize) -> Block {
        let Block::Table(data) = table("", rows, None) else {
            unreachable!()
        };
        Block::Figure(Box::new(Figure {
            id: "chart-x".into(),
            title: "Absence by term".into(),
            summary: "Up.".into(),
            svg: "<svg/>".into(),
            data: Some(*data),
        }))
    }

    fn rows_of(b: &Block) -> Option<usize> {
        match b {
            Block::Table(t) => Some(t.rows.len()),
            _ => None,
        }
    }

    #[test]
    fn long_tables_and_grids_without_a_difference_move_to_the_appendix_with_a_sentence() {
        let mut body = vec![
            table("PEP deadlines this year by school", 13, None),
            table("Absence by phase", 12, None),
            table(
                "KS2: with and without each factor",
                3,
                Some("No clear difference"),
            ),
            table("KS4: adjusted odds", 3, Some("Too few to say")),
            table("On track: adjusted odds", 2, Some("Barrier")),
            {
                let Block::Table(mut t) = table("Children to follow up", 30, None) else {
                    unreachable!()
                };
                t.class = Some(IN_FULL.into());
                Block::Table(t)
            },
            Block::Section {
                class: String::new(),
                id: None,
                blocks: vec![figure(20), figure(12)],
            },
        ];
        let appendix = gather(&mut body);
        // 13 rows go (more than 12); 12 stay; every finding "No clear difference" goes, and
        // so does every finding "Too few to say"; a barrier stays; a list kept in full stays
        // at 30 rows; the 20-row chart data goes, the 12-row one stays.
        let stayed: Vec<usize> = body.iter().filter_map(rows_of).collect();
        assert_eq!(stayed, vec![12, 2, 30], "{body:#?}");
        let sentences: Vec<String> = body
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(r) => Some(plain(r)),
                _ => None,
            })
            .collect();
        assert_eq!(
            sentences,
            vec![
                "PEP deadlines this year by school (13 rows) is in full in table A1 of the appendix.",
                "KS2: with and without each factor: none of its 3 rows shows a clear difference, so the table is in table A2 of the appendix.",
                "KS4: adjusted odds: too few children in each of its 3 rows to say whether there is a difference, so the table is in table A3 of the appendix.",
            ]
        );
        let Block::Section { blocks: inner, .. } = &body[body.len() - 1] else {
            panic!("the section stays a section: {body:#?}")
        };
        assert!(matches!(&inner[0], Block::Figure(f) if f.data.is_none()));
        assert!(
            matches!(&inner[1], Block::Paragraph(r) if plain(r) == "The 20 rows of figures this chart draws are in table A4 of the appendix.")
        );
        assert!(
            matches!(&inner[2], Block::Figure(f) if f.data.as_ref().is_some_and(|d| d.rows.len() == 12))
        );
        // The appendix: its heading, a line, then A1 to A3 each under a heading of its own
        // that the sentence's link points to.
        assert!(matches!(&appendix[0], Block::Heading { level: 2, id, .. } if id == APPENDIX_ID));
        let headings: Vec<(String, String, Option<usize>)> = appendix[2..]
            .iter()
            .map(|b| match b {
                Block::Section { blocks, .. } => match (&blocks[0], &blocks[1]) {
                    (Block::Heading { id, text, .. }, Block::Table(t)) => {
                        (id.clone(), plain(text), Some(t.rows.len()))
                    }
                    _ => panic!("{blocks:#?}"),
                },
                other => panic!("{other:#?}"),
            })
            .collect();
        assert_eq!(
            headings,
            vec![
                (
                    "table-a1".into(),
                    "Table A1. PEP deadlines this year by school".into(),
                    Some(13)
                ),
                (
                    "table-a2".into(),
                    "Table A2. KS2: with and without each factor".into(),
                    Some(3)
                ),
                (
                    "table-a3".into(),
                    "Table A3. KS4: adjusted odds".into(),
                    Some(3)
                ),
                (
                    "table-a4".into(),
                    "Table A4. Data for the chart: Absence by term".into(),
                    Some(20)
                ),
            ]
        );
        let Block::Paragraph(runs) = &sentences_block(&body)[0] else {
            panic!()
        };
        assert!(
            runs.iter()
                .any(|r| matches!(r, Inline::Link { href, .. } if href == "#table-a1"))
        );
    }

    fn sentences_block(body: &[Block]) -> Vec<Block> {
        body.iter()
            .filter(|b| matches!(b, Block::Paragraph(_)))
            .cloned()
            .collect()
    }

    #[test]
    fn a_document_with_short_tables_has_no_appendix() {
        let mut body = vec![table("Short", 5, None), figure(4)];
        let before = body.clone();
        assert!(gather(&mut body).is_empty());
        assert_eq!(body, before);
    }
}
