//! DfE's SSDA903 XML return: one file per collection year holding every table of the
//! return, read as the 903 validator reads it. Each `<CHILD>` has a `<HEADER>` (the child's
//! fields, `CHILDID` for `CHILD`, with `<OC2>` and the other per-child records inside it)
//! and one `<EPISODE>` per episode (`PL` for `PLACE`). Fields are leaf elements; an empty
//! element (`<DEC />`) is an empty value. OC3's fields sit among the header's, or in an
//! `<OC3>` element.
//!
//! The tables come out as rows of text with the contract's column names, then take the same
//! road as a CSV file's rows, so every contract check applies and names the element's line.

use super::rows::RowBuilder;
use crate::catalog::columns::{ReadOptions, match_columns};
use crate::catalog::error::{Position, Problem, Problems};
use crate::catalog::table::LoadedTable;
use crate::catalog::text::{LineCounter, decode};
use crate::contract::Table;
use quick_xml::events::Event;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// The contract tables an XML return holds.
pub const TABLES: &[&str] = &["header", "episodes", "oc2", "oc3"];

/// How much of a file is read to tell whether it is a 903 return.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Element names the XML spells differently from the CSV columns.
const RENAMES: &[(&str, &str)] = &[("CHILDID", "CHILD"), ("PL", "PLACE")];

/// Whether `path` is an `.xml` file (any case).
pub fn is_xml(path: &Path) -> bool {
    super::Format::of(path) == Some(super::Format::Xml903)
}

/// Whether `path` is an XML file that looks like a 903 return (a `<CHILD>` element early on).
pub fn is_return(path: &Path) -> bool {
    if !is_xml(path) {
        return false;
    }
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if f.take(SNIFF_BYTES).read_to_end(&mut head).is_err() {
        return false;
    }
    // UTF-16 files have zero bytes between the letters: drop them for the sniff.
    let text: String = String::from_utf8_lossy(&head)
        .chars()
        .filter(|c| *c != '\0')
        .collect::<String>()
        .to_ascii_uppercase();
    text.contains("<CHILD>") || text.contains("<CHILD ") || text.contains("<CHILDID>")
}

/// One element of the document: its name (upper case), text, line and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    line: u64,
    children: Vec<Node>,
}

impl Node {
    fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// One row of a table: the line of its element and its fields by contract column name.
#[derive(Debug, Default, Clone)]
pub struct Row {
    pub line: u64,
    pub fields: HashMap<String, String>,
}

/// Every table of one return, and the records of tables no analysis reads, counted.
#[derive(Debug, Default)]
pub struct Return {
    pub header: Vec<Row>,
    pub episodes: Vec<Row>,
    pub oc2: Vec<Row>,
    pub oc3: Vec<Row>,
    /// Other records (`AREVIEW`, `AMISSING`, ...) by element name, with how many.
    pub others: BTreeMap<String, usize>,
}

impl Return {
    /// The rows of contract table `name`.
    pub fn rows(&self, name: &str) -> &[Row] {
        match name {
            "header" => &self.header,
            "episodes" => &self.episodes,
            "oc2" => &self.oc2,
            "oc3" => &self.oc3,
            _ => &[],
        }
    }

    /// The contract tables this return has rows for.
    pub fn tables(&self) -> Vec<&'static str> {
        TABLES
            .iter()
            .copied()
            .filter(|t| !self.rows(t).is_empty())
            .collect()
    }
}

/// A problem in the XML itself: the line it is on and what was expected there.
#[derive(Debug, PartialEq)]
pub struct XmlError {
    pub line: u64,
    pub expected: String,
}

fn canonical(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    RENAMES
        .iter()
        .find(|(from, _)| *from == upper)
        .map(|(_, to)| (*to).to_string())
        .unwrap_or(upper)
}

/// Parses the whole document into a tree under a nameless root.
fn tree(text: &str) -> Result<Node, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines = LineCounter::new(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError {
            line: lines.line_at(reader.error_position()),
            expected: format!("well-formed XML ({e})"),
        })?;
        match event {
            Event::Start(e) => stack.push(Node {
                name: canonical(e.local_name().into_inner()),
                line: lines.line_at(at),
                ..Default::default()
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: canonical(e.local_name().into_inner()),
                    line: lines.line_at(at),
                    ..Default::default()
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let done = stack.pop();
                match (done, stack.last_mut()) {
                    (Some(node), Some(parent)) => parent.children.push(node),
                    _ => {
                        return Err(XmlError {
                            line: lines.line_at(at),
                            expected: "a closing tag that matches an open element".into(),
                        });
                    }
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string),
                };
                let Some(s) = resolved else {
                    return Err(XmlError {
                        line: lines.line_at(at),
                        expected: format!(
                            "a character or predefined entity (&amp; &lt; &gt; &quot; &apos;), not &{};",
                            &*r
                        ),
                    });
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(root), true) => Ok(root),
        _ => Err(XmlError {
            line: lines.line_at(text.len() as u64),
            expected: "every element closed before the end of the file".into(),
        }),
    }
}

/// Every leaf under `node` as a field (the first of a name wins).
fn leaves(node: &Node, into: &mut HashMap<String, String>) {
    for c in &node.children {
        if c.is_leaf() {
            into.entry(c.name.clone())
                .or_insert_with(|| c.text.trim().to_string());
        } else {
            leaves(c, into);
        }
    }
}

/// A child's own fields (leaves outside its records) and its records (name, element).
fn split_child<'a>(
    node: &'a Node,
    fields: &mut HashMap<String, String>,
    records: &mut Vec<&'a Node>,
) {
    for c in &node.children {
        if c.is_leaf() {
            fields
                .entry(c.name.clone())
                .or_insert_with(|| c.text.trim().to_string());
        } else if c.name == "HEADER" {
            split_child(c, fields, records);
        } else {
            records.push(c);
        }
    }
}

/// Parses a return's text into its tables.
pub fn parse(text: &str) -> Result<Return, XmlError> {
    let root = tree(text)?;
    let mut children: Vec<&Node> = Vec::new();
    collect_children(&root, &mut children);
    if children.is_empty() {
        return Err(XmlError {
            line: 1,
            expected:
                "an SSDA903 return: <CHILD> elements, each with a <HEADER> and its <EPISODE>s"
                    .into(),
        });
    }
    let mut out = Return::default();
    for child in children {
        let mut fields = HashMap::new();
        let mut records = Vec::new();
        split_child(child, &mut fields, &mut records);
        let header_line = child
            .children
            .iter()
            .find(|c| c.name == "HEADER")
            .map_or(child.line, |h| h.line);
        let with = |record: &Node| {
            let mut own = HashMap::new();
            leaves(record, &mut own);
            let mut all = fields.clone();
            all.extend(own);
            Row {
                line: record.line,
                fields: all,
            }
        };
        for r in &records {
            match r.name.as_str() {
                "EPISODE" => out.episodes.push(with(r)),
                "OC2" => out.oc2.push(with(r)),
                "OC3" => out.oc3.push(with(r)),
                other => *out.others.entry(other.to_string()).or_default() += 1,
            }
        }
        if fields.contains_key("IN_TOUCH") {
            out.oc3.push(Row {
                line: header_line,
                fields: fields.clone(),
            });
        }
        out.header.push(Row {
            line: header_line,
            fields,
        });
    }
    Ok(out)
}

/// The `<CHILD>` records of the document, wherever they sit (under the root, or inside a
/// wrapper such as `<Children>`).
fn collect_children<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    for c in &node.children {
        if c.name == "CHILD" && !c.is_leaf() {
            out.push(c);
        } else if !c.is_leaf() {
            collect_children(c, out);
        }
    }
}

/// Reads and parses the return at `path`, or says why it cannot be read.
pub fn read_return(path: &Path, problems: &mut Problems) -> Option<Return> {
    let whole = |expected: String, line: Option<u64>| Problem {
        file: path.to_path_buf(),
        position: line.map(Position::Line),
        column: None,
        value: None,
        expected,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(whole(format!("a readable file ({e})"), None));
            return None;
        }
    };
    let decoded = match decode(bytes) {
        Ok(d) => d,
        Err(expected) => {
            problems.push(whole(expected, None));
            return None;
        }
    };
    if let Some(note) = decoded.note {
        problems.note(format!("{}: {note}", path.display()));
    }
    let text = decoded
        .text
        .strip_prefix('\u{feff}')
        .unwrap_or(&decoded.text);
    match parse(text) {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(whole(e.expected, Some(e.line)));
            None
        }
    }
}

/// Reads contract table `table` from the XML return at `path`, with the same checks as a
/// CSV file's rows; the return's other records are noted as not read.
pub fn read_xml(
    table: &Table,
    path: &Path,
    options: &ReadOptions,
    problems: &mut Problems,
) -> Option<LoadedTable> {
    if !TABLES.contains(&table.name) {
        problems.push(Problem {
            file: path.to_path_buf(),
            position: None,
            column: None,
            value: None,
            expected: format!(
                "a {} file for table `{}` (an XML file is read only as an SSDA903 return)",
                super::listing(|f| f.named_for_table),
                table.name
            ),
        });
        return None;
    }
    let ret = read_return(path, problems)?;
    if !ret.others.is_empty() {
        let list: Vec<String> = ret
            .others
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        problems.note(format!(
            "{}: records of SSDA903 tables no analysis reads, not read: {}",
            path.display(),
            list.join(", ")
        ));
    }
    // The file's columns are the contract's (less those a return fills, such as YEAR).
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| c.name.to_string())
        .filter(|n| !options.fill.iter().any(|(f, _)| f.eq_ignore_ascii_case(n)))
        .collect();
    let layout = match_columns(table, path, &names, options, problems)?;
    let mut rows = RowBuilder::new(table, options);
    let empty = String::new();
    for row in ret.rows(table.name) {
        let cells: Vec<&String> = names
            .iter()
            .map(|n| row.fields.get(n).unwrap_or(&empty))
            .collect();
        rows.push_record(
            &layout,
            |i| cells.get(i).map(|s| s.as_str()).unwrap_or(""),
            Position::Line(row.line),
            path,
            problems,
        );
        for _ in 0..layout.len() {
            rows.lines.push(row.line);
        }
    }
    rows.finish(table, path, true, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two children as DfE's return writes them: C1 with two episodes (the first ceased X1
    /// and the second began the same day), an OC2 record and two reviews inside the
    /// header; C2, a care leaver, with OC3 fields among the header's and one episode.
    const RETURN: &str = "<?xml version='1.0' encoding='us-ascii'?>
<EXPSSDA903>
<CHILD>
  <HEADER>
    <CHILDID>C1</CHILDID><UPN>A123456789001</UPN><SEX>M</SEX><DOB>01/05/2014</DOB>
    <ETHNIC>WBRI</ETHNIC><UASC /><MOTHER /><MC_DOB />
    <AREVIEW><REVIEW>01/02/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
    <AREVIEW><REVIEW>01/08/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
    <OC2><SDQ_SCORE>12</SDQ_SCORE><CONVICTED>0</CONVICTED></OC2>
  </HEADER>
  <EPISODE><DECOM>01/01/2023</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>
    <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>31/12/2023</DEC><REC>X1</REC>
    <REASON_PLACE_CHANGE /><HOME_POST>AB1</HOME_POST><PL_POST>AB2</PL_POST><URN /></EPISODE>
  <EPISODE><DECOM>31/12/2023</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>K2</PL>
    <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE>
    <HOME_POST>AB1</HOME_POST><PL_POST>Z&amp;9</PL_POST><URN><![CDATA[SC0001]]></URN></EPISODE>
</CHILD>
<CHILD>
  <HEADER>
    <CHILDID>C2</CHILDID><SEX>F</SEX><DOB>01/06/2005</DOB><ETHNIC>MWBC</ETHNIC>
    <IN_TOUCH>YES</IN_TOUCH><ACTIV>F5</ACTIV><ACCOM>C1</ACCOM>
  </HEADER>
  <EPISODE><DECOM>01/01/2020</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>
    <DEC>01/06/2023</DEC><REC>E5</REC></EPISODE>
</CHILD>
</EXPSSDA903>
";

    #[test]
    fn a_return_splits_into_its_tables() {
        let r = parse(RETURN).unwrap();
        assert_eq!(r.header.len(), 2);
        assert_eq!(r.episodes.len(), 3);
        assert_eq!(r.oc2.len(), 1);
        assert_eq!(r.oc3.len(), 1);
        assert_eq!(r.tables(), vec!["header", "episodes", "oc2", "oc3"]);
        assert_eq!(r.others.get("AREVIEW"), Some(&2));
        let h = &r.header[0];
        assert_eq!(h.fields["CHILD"], "C1");
        assert_eq!(h.fields["DOB"], "01/05/2014");
        assert_eq!(h.fields["MOTHER"], "");
        // The header element of C1 is on line 4.
        assert_eq!(h.line, 4);
        // Episodes carry the child's id, PL read as PLACE, entities and CDATA resolved.
        let e = &r.episodes[1];
        assert_eq!(e.fields["CHILD"], "C1");
        assert_eq!(e.fields["PLACE"], "K2");
        assert_eq!(e.fields["PL_POST"], "Z&9");
        assert_eq!(e.fields["URN"], "SC0001");
        assert_eq!(e.fields["DEC"], "");
        assert_eq!(e.line, 14);
        // OC2 takes the child's DOB; the review dates do not leak into the header.
        assert_eq!(r.oc2[0].fields["DOB"], "01/05/2014");
        assert_eq!(r.oc2[0].fields["SDQ_SCORE"], "12");
        assert!(!r.header[0].fields.contains_key("REVIEW"));
        assert_eq!(r.oc3[0].fields["CHILD"], "C2");
        assert_eq!(r.oc3[0].fields["ACTIV"], "F5");
    }

    #[test]
    fn broken_xml_is_an_error_on_its_line() {
        let broken =
            "<EXPSSDA903>\n<CHILD>\n<HEADER><CHILDID>C1</CHILDID>\n</CHILD>\n</EXPSSDA903>\n";
        let e = parse(broken).unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        assert!(e.expected.contains("well-formed XML"), "{e:?}");
        let other = parse("<catalog><book>x</book></catalog>").unwrap_err();
        assert!(other.expected.contains("<CHILD>"), "{other:?}");
        let entity =
            parse("<X><CHILD><HEADER><CHILDID>&nbsp;</CHILDID></HEADER></CHILD></X>").unwrap_err();
        assert!(entity.expected.contains("&nbsp;"), "{entity:?}");
    }

    #[test]
    fn children_inside_a_wrapper_are_found() {
        let wrapped = "<Message><Children><CHILD><HEADER><CHILDID>C9</CHILDID></HEADER></CHILD></Children></Message>";
        let r = parse(wrapped).unwrap();
        assert_eq!(r.header.len(), 1);
        assert_eq!(r.header[0].fields["CHILD"], "C9");
        assert!(r.episodes.is_empty());
    }
}
