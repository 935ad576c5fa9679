//! An empty run for unit tests to fill in.

use super::RunOutput;
use std::collections::BTreeMap;

impl RunOutput {
    /// An empty run for the summer term of 2024-25, for unit tests to fill in with
    /// `RunOutput { metrics, ..RunOutput::for_tests() }`.
    pub(crate) fn for_tests() -> Self {
        RunOutput {
            tool: "cohort".into(),
            tool_version: "0".into(),
            engine: "datafusion".into(),
            term: "2024-25-summer".parse().expect("a term"),
            data_dir: "data".into(),
            files: vec![],
            rows_read: 0,
            cache: None,
            analyses: vec![],
            metrics: vec![],
            sources: vec![],
            results: None,
            drafts: vec![],
            parameters: BTreeMap::new(),
            family: Vec::new(),
        }
    }
}
