//! What the query shell says about a statement that fails: the line with a caret under a
//! parse error, and the nearest names to a table that is not there.

use super::AppError;

/// A statement the engine could not parse, as the line with a caret under the place and
/// the parser's words without the engine's wrapping; `None` for any other error.
pub(super) fn syntax_error(sql: &str, e: &crate::engine::EngineError) -> Option<AppError> {
    let m = &e.message;
    // DataFusion: `SQL error: ParserError("Expected: ..., found: x at Line: 1, Column: 8")`.
    let said = if let Some(i) = m.find("ParserError(\"") {
        let inner = &m[i + "ParserError(\"".len()..];
        let inner = inner.rsplit_once("\")").map_or(inner, |(a, _)| a);
        inner.split(" at Line:").next().unwrap_or(inner).to_string()
    // DuckDB: `Parser Error: syntax error at or near "x"` then its own excerpt.
    } else if let Some(i) = m.find("Parser Error: ") {
        m[i + "Parser Error: ".len()..]
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    } else {
        return None;
    };
    let found = found_token(&said);
    let line = e.line.unwrap_or(1);
    let text = sql.lines().nth(line - 1).unwrap_or("");
    let column = e.column.or_else(|| {
        let token = found.as_deref()?;
        text.find(token).map(|b| text[..b].chars().count() + 1)
    });
    let width = found.as_deref().map_or(1, |t| t.chars().count().max(1));
    let said = said
        .replace("Expected: ", "expected ")
        .replace(", found: ", ", found ");
    Some(AppError::Syntax {
        message: format!("syntax error: {said}"),
        excerpt: crate::excerpt::excerpt(sql, line, column.map(|c| (c, width)))
            .trim_start_matches('\n')
            .to_string(),
    })
}

/// The token a parser message says it found: `found: x` or `at or near "x"`.
fn found_token(said: &str) -> Option<String> {
    if let Some(i) = said.find("found: ") {
        let rest = &said[i + "found: ".len()..];
        let token: String = rest.split_whitespace().next()?.to_string();
        return (token != "EOF").then_some(token);
    }
    let i = said.find("at or near \"")? + "at or near \"".len();
    let rest = &said[i..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The table an engine said it could not find (DataFusion or DuckDB wording).
pub(super) fn missing_table(message: &str) -> Option<String> {
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
pub(super) fn nearest(name: &str, known: &[String]) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_shows_the_line_with_a_caret() {
        let e = crate::engine::EngineError {
            message: "SQL error: ParserError(\"Expected: an SQL statement, found: SELEC at Line: 1, Column: 1\")".into(),
            line: Some(1),
            column: Some(1),
            limit: None,
        };
        let text = syntax_error("SELEC 1", &e)
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            text.starts_with("syntax error: expected an SQL statement, found SELEC"),
            "{text}"
        );
        assert!(!text.contains("ParserError"), "{text}");
        // The caret sits under the five letters of SELEC.
        assert!(text.contains("^^^^^"), "{text}");
        let duck = crate::engine::EngineError {
            message: "Parser Error: syntax error at or near \"FORM\"\n\nLINE 1: SELECT 1 FORM t\n"
                .into(),
            line: Some(1),
            column: None,
            limit: None,
        };
        let text = syntax_error("SELECT 1 FORM t", &duck)
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("syntax error at or near \"FORM\""), "{text}");
        assert!(text.contains("^^^^"), "{text}");
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
