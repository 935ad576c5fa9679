//! `cohort query`: one statement, or an interactive shell, over everything an analysis can
//! read: the contract's tables, the reference tables and every analysis result (each run
//! the first time a statement names it, then kept for the session).

use super::print::{self, Mode};
use super::sql_messages::{missing_table, nearest, syntax_error};
use super::{AppError, Project, Session};
use crate::analysis;
use crate::contract::Term;
use crate::run::convert;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// The query shell: a [`Session`] (one engine with the catalog registered) and the
/// analyses run on it so far.
pub struct Shell {
    session: Session,
    ran: BTreeSet<String>,
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
SQL statements end with `;` (several may share a line); Tab completes table, column and
analysis result names. Tables: the contract's tables, the
reference tables (params, terms, code_lists, benchmarks, comparators, statistical_neighbours,
authority) and every analysis result as area.name (e.g. attendance.sessions_by_term), run
the first time a statement names it.
.tables            list every table
.schema TABLE      the columns of a table and their types
.mode MODE         table, csv, json or markdown
.limit N           at most N rows in a table (0: all)
.output FILE       write results to FILE (.output alone: back to the screen)
.help              this text (or help)
.quit              leave (or exit, quit, \\q, Ctrl-D)";

/// The words the shell takes as typed, without a dot or a `;`: `exit`, `quit`, `\q`, `help`.
const WORDS: &[(&str, &str)] = &[
    ("exit", "quit"),
    ("quit", "quit"),
    ("\\q", "quit"),
    ("help", "help"),
];

/// The dot command a line is (`.tables`, or `exit` as `quit`), without its dot; `None` for SQL.
pub fn command_of(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(c) = line.strip_prefix('.') {
        return Some(c.to_string());
    }
    let word = line.trim_end_matches(';').trim().to_ascii_lowercase();
    WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, c)| c.to_string())
}

impl Shell {
    /// Opens the data folder and the analyses for `term` (default: the latest in the data).
    pub fn open(project: &Project, term: Option<Term>) -> Result<Shell, AppError> {
        Ok(Shell {
            session: Session::open(project, term)?,
            ran: BTreeSet::new(),
            mode: Mode::Table,
            limit: None,
            output: None,
        })
    }

    /// Runs one input: dot commands, or one or more `;`-separated SQL statements.
    pub fn execute(&mut self, input: &str) -> Result<Reply, AppError> {
        let line = input.trim();
        if let Some(command) = command_of(line) {
            return self.dot(&command);
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
                self.mode = arg.parse().map_err(AppError::Shell)?;
                String::new()
            }
            "limit" => {
                let n: usize = arg.parse().map_err(|_| {
                    AppError::Shell(format!(
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
                return Err(AppError::Shell(format!(
                    "unknown command `.{command}`: try .help"
                )));
            }
        };
        Ok(Reply { text, quit: false })
    }

    /// Every table a statement can name, sorted: contract and reference tables, then results.
    pub fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .session
            .catalog
            .tables
            .iter()
            .map(|t| t.name.clone())
            .collect();
        names.push("params".into());
        names.sort();
        let mut results: Vec<String> = self
            .session
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

    /// Every name Tab completes: tables, analysis results, and the columns of the tables
    /// (and of the results run so far), sorted and each once.
    pub fn words(&self) -> Vec<String> {
        let mut words = self.table_names();
        for t in &self.session.catalog.tables {
            words.extend(t.schema.fields().iter().map(|f| f.name().clone()));
        }
        words.extend(
            self.session
                .period
                .values()
                .into_iter()
                .map(|(n, _)| n.to_string()),
        );
        words.extend(crate::period::PARAMETERS.iter().map(|p| p.name.to_string()));
        for id in &self.ran {
            let (s, n) = analysis::table_name(id);
            if let Ok(schema) = self.session.engine.plan(&format!("SELECT * FROM {s}.{n}")) {
                words.extend(schema.fields().iter().map(|f| f.name().clone()));
            }
        }
        words.sort();
        words.dedup();
        words
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
            .session
            .engine
            .plan(&format!("SELECT * FROM {name}"))
            .map_err(|e| self.explain(name, e))?;
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
            .session
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
        let todo: Vec<String> = analysis::graph::with_dependencies(&self.session.analyses, &named)
            .into_iter()
            .filter(|id| !self.ran.contains(id))
            .collect();
        let output = self.session.run(Some(&todo), false)?;
        self.ran.extend(output.analyses.into_iter().map(|a| a.id));
        Ok(())
    }

    fn sql(&mut self, sql: &str) -> Result<String, AppError> {
        self.run_needed(sql)?;
        let time = crate::engine::limits::current().query_time;
        let batches = self
            .session
            .engine
            .query_within(sql, time)
            .map_err(|e| match e.limit {
                Some(_) => AppError::Limit(e.said_of(&format!("the statement `{}`", opening(sql)))),
                None => self.explain(sql, e),
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

    /// An engine error, with the nearest table names when it names a table that is not
    /// there, or the line of `sql` with a caret when the statement does not parse.
    fn explain(&self, sql: &str, e: crate::engine::EngineError) -> AppError {
        if let Some(error) = syntax_error(sql, &e) {
            return error;
        }
        let Some(missing) = missing_table(&e.message) else {
            return AppError::Engine(e);
        };
        let near = nearest(&missing, &self.table_names());
        let hint = if near.is_empty() {
            "; .tables lists them".to_string()
        } else {
            format!("; did you mean {}?", near.join(", "))
        };
        AppError::NoTable {
            missing,
            message: e.message.trim().to_string(),
            hint,
        }
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
    term: Option<Term>,
    mode: Mode,
    limit: Option<usize>,
) -> Result<String, AppError> {
    let mut session = Shell::open(project, term)?;
    session.mode = mode;
    session.limit = limit;
    Ok(session.execute(sql)?.text)
}

/// `cohort query` without SQL: a shell on a terminal (line editing and history), or the
/// statements and dot commands of standard input when it is not one.
pub fn shell(
    project: &Project,
    term: Option<Term>,
    mode: Mode,
    limit: Option<usize>,
) -> Result<(), AppError> {
    use std::io::IsTerminal;
    let mut session = Shell::open(project, term)?;
    session.mode = mode;
    session.limit = limit;
    if !std::io::stdin().is_terminal() {
        let mut input = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input).map_err(|source| {
            AppError::Read {
                path: PathBuf::from("standard input"),
                source,
            }
        })?;
        return script(&mut session, &input);
    }
    super::repl::run(&mut session)
}

/// Runs a script: dot commands one per line, SQL statements ending in `;`.
pub fn script(session: &mut Shell, input: &str) -> Result<(), AppError> {
    let mut pending = String::new();
    for line in input.lines() {
        if pending.trim().is_empty() && command_of(line).is_some() {
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
    fn shell_words_work_as_typed() {
        assert_eq!(command_of("exit").as_deref(), Some("quit"));
        assert_eq!(command_of("  QUIT; ").as_deref(), Some("quit"));
        assert_eq!(command_of("\\q").as_deref(), Some("quit"));
        assert_eq!(command_of("help").as_deref(), Some("help"));
        assert_eq!(command_of(".tables").as_deref(), Some("tables"));
        assert_eq!(command_of("SELECT 1;"), None);
        // A column called `help` in a statement is SQL, not the word.
        assert_eq!(command_of("SELECT help FROM t;"), None);
    }

    #[test]
    fn a_result_is_named_as_a_whole_word() {
        assert!(mentions("select * from ROLL.summary", "roll.summary"));
        assert!(!mentions("select * from roll.summary_x", "roll.summary"));
        assert!(!mentions("select * from xroll.summary", "roll.summary"));
    }
}
