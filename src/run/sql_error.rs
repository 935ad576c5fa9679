//! An engine's error as the analyst reads it: the analysis file and the line of its SQL.

use super::{Analysis, AnalysisError, RunError};

/// An engine error as `file:line: message`, the line found from the engine's position
/// or, failing that, from the first line that mentions the name the message quotes; a
/// query a limit stopped is `file: analysis `id` exceeded ...`.
pub fn sql_error(a: &Analysis, e: &crate::engine::EngineError) -> RunError {
    if e.limit.is_some() {
        return RunError::Limit {
            path: a.path.clone(),
            message: e.said_of(&format!("analysis `{}`", a.id())),
        };
    }
    let (line, span) = match (e.line, locate(&a.sql, &e.message)) {
        (Some(l), _) => (a.sql_line + l - 1, e.column.map(|c| (c, 1))),
        (None, Some((l, name))) => {
            let line = a.sql_line + l - 1;
            (line, crate::excerpt::find_in_line(&a.source, line, &name))
        }
        (None, None) => (a.sql_line, None),
    };
    RunError::Analysis(AnalysisError::Sql {
        path: a.path.clone(),
        line,
        message: format!("SQL error in `{}`: {}", a.id(), e.message),
        excerpt: crate::excerpt::excerpt(&a.source, line, span),
    })
}

/// The 1-based line of `sql` holding the first name the message mentions (after "named" or
/// in quotes), with that name.
pub(super) fn locate(sql: &str, message: &str) -> Option<(usize, String)> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(i) = message.find("named ") {
        let name: String = message[i + 6..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let name = name.trim_end_matches('.');
        candidates.push(name.rsplit('.').next().unwrap_or(name).to_string());
    }
    for part in message.split(['\'', '"', '`']).skip(1).step_by(2) {
        candidates.push(part.rsplit('.').next().unwrap_or(part).to_string());
    }
    for c in candidates.iter().filter(|c| c.len() > 1) {
        let lower = c.to_ascii_lowercase();
        if let Some(l) = sql
            .lines()
            .position(|line| line.to_ascii_lowercase().contains(&lower))
        {
            return Some((l + 1, c.clone()));
        }
    }
    None
}
