//! `cohort query`: one statement, or an interactive shell, over everything an analysis can
//! read: the contract's tables, the reference tables and every analysis result (each run
//! the first time a statement names it, then kept for the session).

use super::print::{self, Mode};
use super::{AppError, Project, choose_term, load_analyses_or_drafts, open_catalog};
use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::contract::Term;
use crate::engine::Engine;
use crate::run::{self, convert};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// A query session: one engine with the catalog registered and the analyses run so far.
pub struct Session {
    catalog: Catalog,
    analyses: Vec<Analysis>,
    engine: Box<dyn Engine>,
    term: Term,
    ran: BTreeSet<String>,
    /// Where results of earlier runs are kept: an unchanged analysis is not run again.
    results: Option<run::reuse::ResultCache>,
    /// How results print (`.mode`).
    pub mode: Mode,
    /// At most this many rows in a table (`.limit`; 0 for all; `None` for the default).
    pub limit: Option<usize>,
    /// Where results go (`.output FILE`); `None` is standard output.
    pub output: Option<PathBuf>,
}

/// What one input line did: text to show, and whether the shell should end.
pub struct Reply {
    pub text: String,
    pub quit: bool,
}

const HELP: &str = "\
SQL statements end with `;` (several may share a line). Tables: the contract's tables, the
reference tables (params, terms, code_lists, benchmarks, comparators, statistical_neighbours,
authority) and every analysis result as area.name (e.g. attendance.sessions_by_term), run
the first time a statement names it.
.tables            list every table
.schema TABLE      the columns of a table and their types
.mode MODE         table, csv, json or markdown
.limit N           at most N rows in a table (0: all)
.output FILE       write results to FILE (.output alone: back to the screen)
.help              this text
.quit              leave (or Ctrl-D)";

impl Session {
    /// Opens the data folder and the analyses for `term` (default: the latest in the data).
    pub fn open(project: &Project, term: Option<&str>) -> Result<Session, AppError> {
        let (analyses, _drafts) = load_analyses_or_drafts(project)?;
        let catalog = open_catalog(project)?;
        let term = choose_term(&catalog, term)?;
        let engine = project.engine.start()?;
        run::prepare(engine.as_ref(), &catalog, term)?;
        Ok(Session {
            catalog,
            analyses,
            engine,
            term,
            ran: BTreeSet::new(),
            results: super::results_cache(project),
            mode: Mode::Table,
            limit: None,
            output: None,
        })
    }

    /// Runs one input: dot commands, or one or more `;`-separated SQL statements.
    pub fn execute(&mut self, input: &str) -> Result<Reply, AppError> {
        let line = input.trim();
        if let Some(command) = line.strip_prefix('.') {
            return self.dot(command);
        }
        let mut texts = Vec::new();
        for statement in split_statements(line) {
            texts.push(self.sql(&statement)?);
        }
        Ok(Reply {
            text: texts.join("\n\n"),
            quit: false,
        })
    }

    fn dot(&mut self, command: &str) -> Result<Reply, AppError> {
        let (name, arg) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        let arg = arg.trim();
        let text = match name {
            "quit" | "exit" | "q" => {
                return Ok(Reply {
                    text: String::new(),
                    quit: true,
                });
            }
            "help" => HELP.to_string(),
            "tables" => self.tables(),
            "schema" if !arg.is_empty() => self.schema(arg)?,
            "mode" => {
                self.mode = arg.parse().map_err(AppError::Data)?;
                String::new()
            }
            "limit" => {
                let n: usize = arg.parse().map_err(|_| {
                    AppError::Data(format!(
                        ".limit `{arg}`: expected a number of rows (0 for all)"
                    ))
                })?;
                self.limit = Some(n);
                String::new()
            }
            "output" => {
                self.output = if arg.is_empty() {
                    None
                } else {
                    Some(PathBuf::from(arg))
                };
                if let Some(path) = &self.output {
                    std::fs::write(path, "").map_err(|source| AppError::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
                String::new()
            }
            _ => {
                return Err(AppError::Data(format!(
                    "unknown command `.{command}`: try .help"
                )));
            }
        };
        Ok(Reply { text, quit: false })
    }

    /// Every table a statement can name, sorted: contract and reference tables, then results.
    pub fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.catalog.tables.iter().map(|t| t.name.clone()).collect();
        names.push("params".into());
        names.sort();
        let mut results: Vec<String> = self
            .analyses
            .iter()
            .map(|a| {
                let (s, n) = analysis::table_name(a.id());
                format!("{s}.{n}")
            })
            .collect();
        results.sort();
        names.extend(results);
        names
    }

    fn tables(&self) -> String {
        let names = self.table_names();
        let (results, tables): (Vec<&String>, Vec<&String>) =
            names.iter().partition(|n| n.contains('.'));
        let list = |v: Vec<&String>| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("  ");
        format!(
            "tables ({}):\n{}\n\nanalysis results ({}, run when first named):\n{}",
            tables.len(),
            list(tables),
            results.len(),
            list(results)
        )
    }

    fn schema(&mut self, name: &str) -> Result<String, AppError> {
        self.run_needed(name)?;
        let schema = self
            .engine
            .plan(&format!("SELECT * FROM {name}"))
            .map_err(|e| self.explain(e))?;
        Ok(schema
            .fields()
            .iter()
            .map(|f| {
                format!(
                    "{} {}{}",
                    f.name(),
                    f.data_type(),
                    if f.is_nullable() { "" } else { " NOT NULL" }
                )
            })
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// Runs the analyses `sql` names (and what they need) that this session has not run yet.
    fn run_needed(&mut self, sql: &str) -> Result<(), AppError> {
        let named: Vec<String> = self
            .analyses
            .iter()
            .filter(|a| {
                let (s, n) = analysis::table_name(a.id());
                mentions(sql, &format!("{s}.{n}"))
            })
            .map(|a| a.id().to_string())
            .filter(|id| !self.ran.contains(id))
            .collect();
        if named.is_empty() {
            return Ok(());
        }
        let todo: Vec<String> = analysis::graph::with_dependencies(&self.analyses, &named)
            .into_iter()
            .filter(|id| !self.ran.contains(id))
            .collect();
        let output = run::run_prepared_cached(
            &self.catalog,
            &self.analyses,
            self.engine.as_ref(),
            self.term,
            Some(&todo),
            false,
            self.results.as_ref(),
        )?;
        self.ran.extend(output.analyses.into_iter().map(|a| a.id));
        Ok(())
    }

    fn sql(&mut self, sql: &str) -> Result<String, AppError> {
        self.run_needed(sql)?;
        let time = crate::engine::limits::current().query_time;
        let batches = self
            .engine
            .query_within(sql, time)
            .map_err(|e| match e.limit {
                Some(_) => AppError::Data(e.said_of(&format!("the statement `{}`", opening(sql)))),
                None => self.explain(e),
            })?;
        let text = print::format(&convert::to_table(&batches), self.mode, self.limit);
        match &self.output {
            None => Ok(text),
            Some(path) => {
                std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .and_then(|mut f| writeln!(f, "{text}"))
                    .map_err(|source| AppError::Write {
                        path: path.clone(),
                        source,
                    })?;
                Ok(String::new())
            }
        }
    }

    /// An engine error, with the nearest table names when it names a table that is not there.
    fn explain(&self, e: crate::engine::EngineError) -> AppError {
        let Some(missing) = missing_table(&e.message) else {
            return AppError::Engine(e);
        };
        let near = nearest(&missing, &self.table_names());
        let hint = if near.is_empty() {
            "; .tables lists them".to_string()
        } else {
            format!("; did you mean {}?", near.join(", "))
        };
        AppError::Data(format!("no table `{missing}` ({}){hint}", e.message.trim()))
    }
}

/// The statement's start on one line, to name it in a message: `SELECT string_agg(...`.
fn opening(sql: &str) -> String {
    let words = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match words.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &words[..i]),
        None => words,
    }
}

/// Whether `sql` names `table` as a whole word (case-insensitive).
fn mentions(sql: &str, table: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    lower.match_indices(table).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + table.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The table an engine said it could not find (DataFusion or DuckDB wording).
fn missing_table(message: &str) -> Option<String> {
    let after = |m: &str, start: &str, end: &str| {
        let i = m.find(start)? + start.len();
        let j = m[i..].find(end)? + i;
        Some(m[i..j].to_string())
    };
    let name = after(message, "table '", "' not found")
        .or_else(|| after(message, "Table with name ", " does not exist"))?;
    // DataFusion names a missing table in full (`catalog.public.name`).
    Some(match name.split_once(".public.") {
        Some((_, rest)) => rest.to_string(),
        None => name,
    })
}

/// Up to three known names closest to `name` by edit distance.
pub fn nearest(name: &str, known: &[String]) -> Vec<String> {
    let name = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .map(|k| {
            let d = distance(&name, k);
            let d = if k.ends_with(&format!(".{name}")) || k.contains(&name) {
                d.min(1)
            } else {
                d
            };
            (d, k)
        })
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Splits SQL text into statements at `;` outside quotes and comments.
pub fn split_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '-') if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        cur.push('\n');
                        break;
                    }
                }
            }
            (None, ';') => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `cohort query SQL`: every statement of `sql`, printed in `mode`.
pub fn once(
    project: &Project,
    sql: &str,
    term: Option<&str>,
    mode: Mode,
    limit: Option<usize>,
) -> Result<String, AppError> {
    let mut session = Session::open(project, term)?;
    session.mode = mode;
    session.limit = limit;
    Ok(session.execute(sql)?.text)
}

/// `cohort query` without SQL: a shell on a terminal (line editing and history), or the
/// statements and dot commands of standard input when it is not one.
pub fn shell(
    project: &Project,
    term: Option<&str>,
    mode: Mode,
    limit: Option<usize>,
) -> Result<(), AppError> {
    use std::io::IsTerminal;
    let mut session = Session::open(project, term)?;
    session.mode = mode;
    session.limit = limit;
    if !std::io::stdin().is_terminal() {
        let mut input = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
            .map_err(|e| AppError::Data(format!("standard input: {e}")))?;
        return script(&mut session, &input);
    }
    super::repl::run(&mut session)
}

/// Runs a script: dot commands one per line, SQL statements ending in `;`.
pub fn script(session: &mut Session, input: &str) -> Result<(), AppError> {
    let mut pending = String::new();
    for line in input.lines() {
        if pending.trim().is_empty() && line.trim_start().starts_with('.') {
            let reply = session.execute(line)?;
            emit(&reply.text);
            if reply.quit {
                return Ok(());
            }
            continue;
        }
        pending.push_str(line);
        pending.push('\n');
        if line.trim_end().ends_with(';') {
            let reply = session.execute(&pending)?;
            emit(&reply.text);
            pending.clear();
        }
    }
    if !pending.trim().is_empty() {
        emit(&session.execute(&pending)?.text);
    }
    Ok(())
}

fn emit(text: &str) {
    if !text.is_empty() {
        println!("{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_outside_quotes_and_comments() {
        assert_eq!(
            split_statements("SELECT 'a;b'; SELECT 2 -- c;d\n; ;"),
            vec!["SELECT 'a;b'".to_string(), "SELECT 2".to_string()]
        );
    }

    #[test]
    fn a_result_is_named_as_a_whole_word() {
        assert!(mentions("select * from ROLL.summary", "roll.summary"));
        assert!(!mentions("select * from roll.summary_x", "roll.summary"));
        assert!(!mentions("select * from xroll.summary", "roll.summary"));
    }

    #[test]
    fn missing_tables_are_found_in_either_engines_words() {
        assert_eq!(
            missing_table("Error during planning: table 'datafusion.public.episode' not found")
                .as_deref(),
            Some("episode")
        );
        assert_eq!(
            missing_table("Catalog Error: Table with name episode does not exist!").as_deref(),
            Some("episode")
        );
        let known = vec![
            "episodes".to_string(),
            "header".to_string(),
            "attendance.sessions_by_term".to_string(),
        ];
        assert_eq!(nearest("episode", &known), vec!["episodes".to_string()]);
        assert_eq!(
            nearest("sessions_by_term", &known),
            vec!["attendance.sessions_by_term".to_string()]
        );
    }
}
