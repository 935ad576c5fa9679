//! The result cache a command uses: beside the validated-data cache of its data folder, and
//! off whenever that cache is (`--no-cache`, `COHORT_NO_CACHE=1`, `cohort check`).

use super::Project;
use crate::run::reuse::ResultCache;

/// The result cache of `project`: `results/` in its validated-data cache folder, or `None`
/// (every analysis runs) when the project uses no cache.
pub fn results_cache(project: &Project) -> Option<ResultCache> {
    let c = project.cache.as_ref().filter(|c| c.reuse)?;
    Some(ResultCache::new(c.dir.join("results")))
}

/// What a run did with the result cache, in words (`None` when it did nothing).
pub fn results_summary(r: &crate::run::reuse::ResultReuse) -> Option<String> {
    let results = |n: usize| format!("{n} result{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if !r.reused.is_empty() {
        parts.push(format!("{} unchanged and reused", results(r.reused.len())));
    }
    if !r.written.is_empty() {
        parts.push(format!("{} run and kept", results(r.written.len())));
    }
    if !r.rejected.is_empty() {
        parts.push(format!(
            "{} failed its check and ran again",
            results(r.rejected.len())
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}
