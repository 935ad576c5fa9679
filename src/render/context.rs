//! The report context: what a template's functions read while one report renders.

use crate::analysis::Analysis;
use crate::disclosure::{Audience, DisclosedMetric, Policy};
use crate::run::RunOutput;

/// What a template's functions read: the disclosed run (its tables and figures as the
/// audience may see them), the analyses it ran, and the calendar.
pub struct ReportData {
    pub run: RunOutput,
    pub metrics: Vec<DisclosedMetric>,
    pub policy: Policy,
    pub analyses: Vec<Analysis>,
    pub audience: Audience,
    /// The period reported on; the three strings below are its values as text.
    pub period: crate::period::Period,
    pub academic_year: String,
    pub previous_term: String,
    pub same_term_last_year: String,
}
