//! The interactive side of `cohort query`: a prompt with line editing and a history kept
//! in `.cohort/query_history`, statements gathered until a line ends with `;`.

use super::AppError;
use super::query::Session;
use rustyline::error::ReadlineError;

/// Reads and runs input until `.quit` or end of input; errors are shown, not fatal.
pub fn run(session: &mut Session) -> Result<(), AppError> {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| AppError::Data(format!("cannot start the shell: {e}")))?;
    let history = std::path::Path::new(".cohort").join("query_history");
    // No history yet is the normal first run.
    let _ = editor.load_history(&history);
    println!("cohort query shell: SQL ending with `;`, or .help, .tables, .quit");
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
                let complete = if pending.is_empty() && line.trim_start().starts_with('.') {
                    line.clone()
                } else {
                    pending.push_str(&line);
                    pending.push('\n');
                    if !line.trim_end().ends_with(';') {
                        continue;
                    }
                    std::mem::take(&mut pending)
                };
                match session.execute(&complete) {
                    Ok(reply) if reply.quit => break,
                    Ok(reply) => {
                        if !reply.text.is_empty() {
                            println!("{}", reply.text);
                        }
                    }
                    Err(e) => eprintln!("error: {e}"),
                }
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(AppError::Data(format!("shell: {e}"))),
        }
    }
    if std::fs::create_dir_all(".cohort").is_ok() {
        let _ = editor.save_history(&history);
    }
    Ok(())
}
