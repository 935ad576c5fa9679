//! Render's one error: a template or rendering problem, pointing at the file and line.

use crate::disclosure::DisclosureError;
use std::path::PathBuf;

/// A template or rendering problem, pointing at the template file and line.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{}:{line}: {message}{excerpt}", path.display())]
    Template {
        path: PathBuf,
        line: usize,
        message: String,
        /// The template line with a caret under the problem (`crate::excerpt`), or empty.
        excerpt: String,
    },
    /// No template of that name: says which there are.
    #[error("no template {} ({reason}); templates here: {known}", path.display())]
    Missing {
        path: PathBuf,
        reason: String,
        known: String,
    },
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
}
