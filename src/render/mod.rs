//! Rendering: a template and a disclosed run become one report's document model, and the
//! document becomes a self-contained HTML page or a PDF. Render's surface is two calls:
//! [`report`] (a disclosed run and a template give a document) and [`Report::html`] or
//! [`Report::pdf`] (a document gives HTML or PDF).
//!
//! Render reads no data files and runs no SQL: it draws only what disclosure let through
//! ([`crate::disclosure::Disclosed`], which nothing outside disclosure can make).

pub mod chart;
pub mod document;
pub mod notebook;
pub mod template;

mod appendix;
pub mod attention;
mod blocks;
mod build;
mod context;
mod error;
pub(crate) mod escape;
mod figures;
mod format;
mod functions;
mod governors;
mod html;
mod lookups;
mod pdf;
mod provenance;
mod tables;
pub(crate) mod words;

pub use build::report;
pub use document::Report;
pub use error::RenderError;
pub use template::{Audience, ReportTemplate};

use std::path::Path;

impl Report {
    /// The document as one self-contained HTML page.
    pub fn html(&self) -> String {
        html::report_page(self)
    }

    /// The document typeset as PDF (PDF/UA-1); a Typst error points at `source`, the file
    /// the document came from, at `line`.
    pub fn pdf(&self, source: &Path, line: usize) -> Result<Vec<u8>, RenderError> {
        pdf::typeset(&pdf::document(self)).map_err(|e| RenderError::Template {
            path: source.to_path_buf(),
            line,
            message: e.to_string(),
            excerpt: String::new(),
        })
    }
}
