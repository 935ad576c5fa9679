//! Colour for people at a terminal: `error:` in red and `warning:` in yellow on standard
//! error when it is a terminal, plain when it is piped or `NO_COLOR` is set (no-color.org).

use std::io::IsTerminal;

/// Whether standard error takes colour: a terminal, and `NO_COLOR` unset or empty.
pub fn stderr_colour() -> bool {
    colour_for(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// The rule, apart from the process: colour only on a terminal and without `NO_COLOR`.
pub fn colour_for(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// `label` (`error:`, `warning:`) in bold red or yellow when `colour`, else as it is.
pub fn label(label: &str, colour: bool) -> String {
    if !colour {
        return label.to_string();
    }
    let code = if label.starts_with("error") {
        "31"
    } else {
        "33"
    };
    format!("\x1b[1;{code}m{label}\x1b[0m")
}

/// A line for standard error: a leading `error:` or `warning:` coloured when it takes colour.
pub fn for_stderr(line: &str) -> String {
    let colour = stderr_colour();
    for l in ["error:", "warning:"] {
        if let Some(rest) = line.strip_prefix(l) {
            return format!("{}{rest}", label(l, colour));
        }
    }
    line.to_string()
}

/// A spinner on standard error saying what is being done (drawn only on a terminal);
/// `finish_and_clear` it when done.
pub fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A bar of `n` steps on standard error (drawn only on a terminal), e.g. pages written.
pub fn bar(n: u64, what: &str) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{{spinner}} {what} {{pos}}/{{len}}"))
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour_for(true, None));
        assert!(!colour_for(false, None));
        assert!(!colour_for(true, Some(OsStr::new("1"))));
        // An empty NO_COLOR is as if unset.
        assert!(colour_for(true, Some(OsStr::new(""))));
        assert_eq!(label("error:", false), "error:");
        assert_eq!(label("error:", true), "\x1b[1;31merror:\x1b[0m");
        assert_eq!(label("warning:", true), "\x1b[1;33mwarning:\x1b[0m");
    }
}
