//! The offending line of a file with a caret under the position, for error messages, as
//! compilers show them; the same in debug and release builds.

/// The 1-based `line` of `text`, numbered, with `^` under `span` (1-based column and width
/// in characters, default: under the line's text). Empty when the line does not exist.
/// Starts with a line break so it can follow a one-line message.
pub fn excerpt(text: &str, line: usize, span: Option<(usize, usize)>) -> String {
    numbered(text, line, line, span)
}

/// As [`excerpt`], for text that starts part-way into its file: `line` counts within
/// `text`, `shown` is the number the file gives that line.
pub fn numbered(text: &str, line: usize, shown: usize, span: Option<(usize, usize)>) -> String {
    let Some(source) = line.checked_sub(1).and_then(|i| text.lines().nth(i)) else {
        return String::new();
    };
    let source = source.trim_end();
    if source.trim().is_empty() {
        return String::new();
    }
    let visible: String = source.replace('\t', " ");
    let width = visible.chars().count();
    let indent = width - visible.trim_start().chars().count();
    let (column, len) = match span {
        Some((c, n)) if c >= 1 && c <= width.max(1) => (c, n.max(1).min(width + 1 - c).max(1)),
        _ => (indent + 1, width - indent),
    };
    let number = shown.to_string();
    let pad = " ".repeat(number.len());
    format!(
        "\n {number} | {visible}\n {pad} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(len.max(1))
    )
}

/// The 1-based line, column and width (in characters, cut at the line's end) of the byte
/// range `range` of `text`.
pub fn span_of(text: &str, range: std::ops::Range<usize>) -> Option<(usize, usize, usize)> {
    let start = range.start.min(text.len());
    if !text.is_char_boundary(start) {
        return None;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count() + 1;
    let end = range.end.clamp(start, text.len());
    let rest = text.get(start..end).unwrap_or("");
    let width = rest.split('\n').next().unwrap_or("").chars().count();
    Some((line, column, width.max(1)))
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
        // A byte range (as minijinja gives) on line 3; shown as the file's line 12.
        let at = text.find("atendance").unwrap();
        assert_eq!(span_of(text, at..at + 9), Some((3, 6, 9)));
        assert_eq!(
            numbered(text, 3, 12, Some((6, 9))),
            "\n 12 | FROM atendance\n    |      ^^^^^^^^^"
        );
    }
}
