//! Rendering: templates, charts and the self-contained HTML report.

pub mod chart;
pub mod format;
