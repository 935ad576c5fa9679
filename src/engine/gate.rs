//! The one rule both engines enforce on user SQL (analyses, notebook cells, `cohort query`):
//! exactly one read-only query, a `SELECT` or `WITH`, over the tables cohort registered.
//!
//! Each engine decides what a statement is with its own parser (so a dialect's syntax is
//! never misread); this module words the refusal and finds the line it points at.

use super::EngineError;

/// The error for a refused statement: what it was, and the 1-based line it starts on.
pub fn refused(what: &str, line: usize) -> EngineError {
    EngineError {
        message: format!(
            "refused: an analysis, notebook cell or query is one read-only SELECT (or WITH) statement over cohort's tables; this is {what}"
        ),
        line: Some(line),
        column: None,
        limit: None,
    }
}

/// The error for SQL holding more than one statement, pointing at the second.
pub fn refused_many(sql: &str, count: usize) -> EngineError {
    let line = statement_lines(sql).get(1).copied().unwrap_or(1);
    refused(
        &format!("{count} statements separated by `;` (only one may run)"),
        line,
    )
}

/// The first line of the first statement (after blank lines and comments), 1-based.
pub fn first_line(sql: &str) -> usize {
    statement_lines(sql).first().copied().unwrap_or(1)
}

/// The first word of a statement, upper case (`COPY`, `ATTACH`), to name what was refused.
pub fn first_word(sql: &str) -> String {
    let start = byte_of_first_statement(sql);
    let word: String = sql[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
        .collect();
    if word.is_empty() {
        "not a query".into()
    } else {
        format!("a `{}` statement", word.to_ascii_uppercase())
    }
}

/// Whether a statement starts as a query does (`SELECT`, `WITH`, `FROM`, `VALUES`, ...,
/// after any opening brackets). Only ever used to refuse early with a clear message:
/// what runs is still decided by the engine's own parser.
pub fn starts_like_query(sql: &str) -> bool {
    let start = byte_of_first_statement(sql);
    let rest = sql[start..].trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "SELECT"
            | "WITH"
            | "FROM"
            | "VALUES"
            | "TABLE"
            | "SUMMARIZE"
            | "DESCRIBE"
            | "SHOW"
            | "PIVOT"
            | "UNPIVOT"
    )
}

fn byte_of_first_statement(sql: &str) -> usize {
    let mut s = Scanner::new(sql);
    s.skip_space_and_comments();
    s.pos
}

/// The 1-based line on which each statement of `sql` starts; statements are separated by
/// `;` outside quotes, comments and dollar-quoted strings. Only used to point messages at
/// a line: which statements run is decided by the engines' parsers.
pub fn statement_lines(sql: &str) -> Vec<usize> {
    let mut s = Scanner::new(sql);
    let mut lines = Vec::new();
    loop {
        s.skip_space_and_comments();
        if s.at_end() {
            break;
        }
        lines.push(s.line());
        // Read to the end of this statement.
        let mut had_text = false;
        while !s.at_end() {
            if s.peek() == Some(';') {
                s.bump();
                break;
            }
            if !s.skip_quoted_or_comment() {
                s.bump();
            }
            had_text = true;
        }
        if !had_text {
            lines.pop();
        }
    }
    lines
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }
    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }
    fn line(&self) -> usize {
        self.text[..self.pos].matches('\n').count() + 1
    }
    fn skip_space_and_comments(&mut self) {
        loop {
            while self.peek().is_some_and(|c| c.is_whitespace() || c == ';') {
                self.bump();
            }
            let rest = self.rest();
            if !(rest.starts_with("--") || rest.starts_with("/*")) {
                return;
            }
            self.skip_quoted_or_comment();
        }
    }
    /// Skips one quoted string, quoted identifier, dollar-quoted string or comment at the
    /// current position; false when there is none.
    fn skip_quoted_or_comment(&mut self) -> bool {
        let rest = self.rest();
        let skip_to = |from: usize, end: &str| -> usize {
            rest[from..]
                .find(end)
                .map_or(rest.len(), |i| from + i + end.len())
        };
        let n = if rest.starts_with("--") {
            skip_to(2, "\n")
        } else if rest.starts_with("/*") {
            skip_to(2, "*/")
        } else if let Some(q @ ('\'' | '"' | '`')) = rest.chars().next() {
            // A doubled quote inside ends one string and starts the next: the same skip.
            skip_to(1, &q.to_string())
        } else if let Some(after) = rest.strip_prefix('$') {
            // $tag$ ... $tag$
            match after.find('$') {
                Some(i)
                    if after[..i]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    let tag = &rest[..i + 2];
                    skip_to(tag.len(), tag)
                }
                _ => return false,
            }
        } else {
            return false;
        };
        self.pos += n;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_found_by_line_outside_quotes_and_comments() {
        // Line 1 a comment, the first statement on line 2; the `;` inside the string and
        // the comment do not split; the second statement starts on line 4.
        let sql = "-- note; here\nSELECT 'a;b' AS x /* ; */\nFROM t;\n  COPY t TO 'x';";
        assert_eq!(statement_lines(sql), vec![2, 4]);
        assert_eq!(first_line(sql), 2);
        assert_eq!(statement_lines("SELECT 1;;  \n"), vec![1]);
        assert_eq!(statement_lines("SELECT $$;$$; SELECT 2"), vec![1, 1]);
        assert_eq!(first_word("\n  attach 'h.duckdb'"), "a `ATTACH` statement");
        assert!(starts_like_query("-- x\n((select 1))"));
        assert!(starts_like_query("with t as (select 1) select * from t"));
        assert!(!starts_like_query("COPY t TO 'x'"));
        assert!(!starts_like_query("/* select */ attach 'x'"));
        let e = refused_many("SELECT 1;\n\nDROP TABLE t", 2);
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("2 statements"), "{}", e.message);
    }
}
