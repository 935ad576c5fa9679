//! The interactive side of `cohort query`: a prompt with line editing, Tab completion of
//! table, column and analysis result names, and a history kept in `.cohort/query_history`;
//! statements gathered until a line ends with `;`, while `exit`, `quit`, `\q` and `help`
//! work as typed.

use super::AppError;
use super::query::{Shell, command_of};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;

/// What Tab completes: the shell's names and its dot commands.
pub struct Words {
    words: Vec<String>,
}

/// The dot commands, for Tab after a `.` at the start of a line.
const DOTS: &[&str] = &[
    ".tables", ".schema", ".mode", ".limit", ".output", ".help", ".quit",
];

impl Words {
    /// The candidates for the word that ends at `pos` in `line`, and where that word starts.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos.min(line.len())];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        if start == 0 && word.starts_with('.') {
            let dots = DOTS
                .iter()
                .filter(|d| d.starts_with(word))
                .map(|d| d.to_string());
            return (start, dots.collect());
        }
        if word.is_empty() {
            return (start, Vec::new());
        }
        let lower = word.to_ascii_lowercase();
        let found = self
            .words
            .iter()
            .filter(|w| w.to_ascii_lowercase().starts_with(&lower))
            .cloned()
            .collect();
        (start, found)
    }
}

impl Completer for Words {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(self.candidates(line, pos))
    }
}

impl Hinter for Words {
    type Hint = String;
}
impl Highlighter for Words {}
impl Validator for Words {}
impl rustyline::Helper for Words {}

/// Reads and runs input until `.quit` (or `exit`, `quit`, `\q`) or end of input; errors are
/// shown, not fatal.
pub fn run(shell: &mut Shell) -> Result<(), AppError> {
    let mut editor: rustyline::Editor<Words, DefaultHistory> =
        rustyline::Editor::new().map_err(|e| AppError::Terminal(e.to_string()))?;
    editor.set_helper(Some(Words {
        words: shell.words(),
    }));
    let history = std::path::Path::new(".cohort").join("query_history");
    // No history yet is the normal first run.
    let _ = editor.load_history(&history);
    println!(
        "cohort query shell: SQL ending with `;`, or help, .tables, exit (Tab completes names)"
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            "cohort> "
        } else {
            "   ...> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                let complete = if pending.is_empty() && command_of(&line).is_some() {
                    line.clone()
                } else {
                    pending.push_str(&line);
                    pending.push('\n');
                    if !line.trim_end().ends_with(';') {
                        continue;
                    }
                    std::mem::take(&mut pending)
                };
                match shell.execute(&complete) {
                    Ok(reply) if reply.quit => break,
                    Ok(reply) => {
                        if !reply.text.is_empty() {
                            println!("{}", reply.text);
                        }
                    }
                    Err(e) => eprintln!("error: {e}"),
                }
                // Results run by that statement bring their columns to Tab.
                editor.set_helper(Some(Words {
                    words: shell.words(),
                }));
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(AppError::Terminal(e.to_string())),
        }
    }
    if std::fs::create_dir_all(".cohort").is_ok() {
        let _ = editor.save_history(&history);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Words;

    #[test]
    fn tab_completes_the_word_under_the_cursor() {
        let w = Words {
            words: vec![
                "attendance".into(),
                "attendance.absence_by_term".into(),
                "child".into(),
                "episodes".into(),
            ],
        };
        // "SELECT chi|": the word starts at byte 7 and only `child` fits.
        assert_eq!(
            w.candidates("SELECT chi", 10),
            (7, vec!["child".to_string()])
        );
        // A result's area and dot complete to its results, case aside.
        assert_eq!(
            w.candidates("select * from ATTENDANCE.a", 26),
            (14, vec!["attendance.absence_by_term".to_string()])
        );
        assert_eq!(w.candidates(".ta", 3), (0, vec![".tables".to_string()]));
        assert_eq!(w.candidates("SELECT ", 7), (7, Vec::<String>::new()));
    }
}
