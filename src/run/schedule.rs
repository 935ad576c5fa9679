//! The order analyses run in: each as soon as those it depends on have finished.

use super::RunError;
use crate::analysis::Analysis;
use std::collections::{BTreeMap, BTreeSet};

/// Runs `job` for each analysis of `order` (indexes into `analyses`, dependencies first) on
/// up to `workers` threads, each analysis as soon as every analysis it depends on has
/// finished rather than wave by wave: a wave waited for its slowest analysis (at 10,000
/// children `peps/due` held back the attendance figures for three seconds on an idle core).
/// Returns the results in `order`; after a failure nothing new starts, and the error is
/// that of the first failed analysis in `order`.
pub(super) fn as_ready<T: Send>(
    analyses: &[Analysis],
    order: &[usize],
    workers: usize,
    job: impl Fn(&Analysis) -> Result<T, RunError> + Sync,
) -> Result<Vec<T>, RunError> {
    use std::sync::{Condvar, Mutex, PoisonError};
    let position: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(p, &i)| (analyses[i].id(), p))
        .collect();
    let mut waiting = vec![0usize; order.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (p, &i) in order.iter().enumerate() {
        for d in &analyses[i].meta.depends_on {
            if let Some(&q) = position.get(d.as_str()) {
                waiting[p] += 1;
                dependents[q].push(p);
            }
        }
    }
    struct State<T> {
        /// Positions in `order` whose dependencies have all finished, not yet started.
        ready: BTreeSet<usize>,
        waiting: Vec<usize>,
        results: Vec<Option<Result<T, RunError>>>,
        running: usize,
        failed: bool,
    }
    let state = Mutex::new(State {
        ready: (0..order.len()).filter(|&p| waiting[p] == 0).collect(),
        waiting,
        results: (0..order.len()).map(|_| None).collect(),
        running: 0,
        failed: false,
    });
    let changed = Condvar::new();
    let worker = || {
        loop {
            let p = {
                let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    if !st.failed
                        && let Some(p) = st.ready.pop_first()
                    {
                        st.running += 1;
                        break p;
                    }
                    if st.running == 0 {
                        return;
                    }
                    st = changed.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
            };
            let result = job(&analyses[order[p]]);
            let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
            st.running -= 1;
            if result.is_ok() {
                for &q in &dependents[p] {
                    st.waiting[q] -= 1;
                    if st.waiting[q] == 0 {
                        st.ready.insert(q);
                    }
                }
            } else {
                st.failed = true;
            }
            st.results[p] = Some(result);
            changed.notify_all();
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, order.len().max(1)) {
            scope.spawn(worker);
        }
    });
    let results = state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .results;
    let mut out = Vec::with_capacity(order.len());
    for r in results.into_iter().flatten() {
        out.push(r?);
    }
    Ok(out)
}
