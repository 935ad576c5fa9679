//! The offending line of a file with a caret under the position, for error messages, as
//! compilers show them; the same in debug and release builds.

/// The 1-based `line` of `text`, numbered, with `^` under `span` (1-based column and width
/// in characters, default: under the line's text). Empty when the line does not exist.
/// Starts with a line break so it can follow a one-line message.
pub fn excerpt(text: &str, line: usize, span: Option<(usize, usize)>) -> String {
    let Some(source) = line.checked_sub(1).and_then(|i| text.lines().nth(i)) else {
        return String::new();
    };
    let source = source.trim_end();
    if source.trim().is_empty() {
        return String::new();
    }
    let shown: String = source.replace('\t', " ");
    let width = shown.chars().count();
    let indent = width - shown.trim_start().chars().count();
    let (column, len) = match span {
        Some((c, n)) if c >= 1 && c <= width.max(1) => (c, n.max(1).min(width + 1 - c).max(1)),
        _ => (indent + 1, width - indent),
    };
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    format!(
        "\n {number} | {shown}\n {pad} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(len.max(1))
    )
}

/// The 1-based column and width of the first case-insensitive occurrence of `word` in the
/// 1-based `line` of `text`.
pub fn find_in_line(text: &str, line: usize, word: &str) -> Option<(usize, usize)> {
    let source = text.lines().nth(line.checked_sub(1)?)?.to_ascii_lowercase();
    let at = source.find(&word.to_ascii_lowercase())?;
    Some((source[..at].chars().count() + 1, word.chars().count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_column() {
        let text = "SELECT child,\n  sum(x) AS y\nFROM atendance";
        assert_eq!(
            excerpt(text, 3, Some((6, 9))),
            "\n 3 | FROM atendance\n   |      ^^^^^^^^^"
        );
        // Without a position the whole text of the line is underlined, not its indent.
        assert_eq!(
            excerpt(text, 2, None),
            "\n 2 |   sum(x) AS y\n   |   ^^^^^^^^^^^"
        );
        assert_eq!(excerpt(text, 9, None), "");
        assert_eq!(find_in_line(text, 3, "ATENDANCE"), Some((6, 9)));
    }
}
