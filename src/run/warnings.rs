//! Data-quality findings a run reports beside its figures: things the authority should fix in
//! its returns, which do not stop the run.

use super::RunOutput;

/// The metric that counts episodes left open for young people aged 18 or over.
pub const OPEN_EPISODES_18_PLUS: &str = "data_quality.open_episodes_aged_18_plus";

/// One warning line per data-quality finding of the run (none when the data is clean).
pub fn warnings(output: &RunOutput) -> Vec<String> {
    output
        .metrics
        .iter()
        .filter(|m| m.metric == OPEN_EPISODES_18_PLUS && m.time_period == output.term.to_string())
        .filter_map(|m| m.value)
        .filter(|&n| n > 0.0)
        .map(|n| {
            let (children, have) = if n == 1.0 {
                ("1 child".to_string(), "has")
            } else {
                (format!("{n} children"), "have")
            };
            format!(
                "warning: {children} aged 18 or over at the end of {} {have} an SSDA903 episode with no end date (DEC); \
                 care ends at 18, so they are not counted as in care from their 18th birthday. \
                 Close the episodes in the return (roll/open_episodes_18_plus).",
                output.term
            )
        })
        .collect()
}
