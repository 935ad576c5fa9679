//! The dependency graph of analyses, as waves that can each run in parallel.

use super::error::AnalysisError;
use super::file::Analysis;
use std::collections::{BTreeMap, BTreeSet};

/// Orders analyses into waves: every analysis's dependencies are in earlier waves.
/// Within a wave the order is by id, so runs are deterministic.
pub fn waves(analyses: &[Analysis]) -> Result<Vec<Vec<usize>>, AnalysisError> {
    let index: BTreeMap<&str, usize> = analyses
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id(), i))
        .collect();
    for a in analyses {
        for d in &a.meta.depends_on {
            if !index.contains_key(d.as_str()) {
                return Err(AnalysisError::UnknownDependency {
                    path: a.path.clone(),
                    id: a.id().into(),
                    dependency: d.clone(),
                });
            }
        }
    }
    let mut done: BTreeSet<usize> = BTreeSet::new();
    let mut waves = Vec::new();
    while done.len() < analyses.len() {
        let mut wave: Vec<usize> = (0..analyses.len())
            .filter(|i| !done.contains(i))
            .filter(|&i| {
                analyses[i]
                    .meta
                    .depends_on
                    .iter()
                    .all(|d| done.contains(&index[d.as_str()]))
            })
            .collect();
        if wave.is_empty() {
            let mut ids: Vec<String> = (0..analyses.len())
                .filter(|i| !done.contains(i))
                .map(|i| analyses[i].id().to_string())
                .collect();
            ids.sort();
            return Err(AnalysisError::Cycle { ids });
        }
        wave.sort_by(|&a, &b| analyses[a].id().cmp(analyses[b].id()));
        done.extend(wave.iter().copied());
        waves.push(wave);
    }
    Ok(waves)
}

/// The given analyses plus everything they depend on, transitively.
pub fn with_dependencies(analyses: &[Analysis], wanted: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<String> = wanted.to_vec();
    while let Some(id) = stack.pop() {
        if out.insert(id.clone())
            && let Some(a) = analyses.iter().find(|a| a.id() == id)
        {
            stack.extend(a.meta.depends_on.iter().cloned());
        }
    }
    out
}
