//! The checks across tables: each reference's values found in the table it points to, and a
//! 903 header with no children said once, as the cause, rather than as a problem per row.

use super::error::Problems;
use super::{Loaded, Opening, checks};
use crate::contract::Contract;
use std::collections::{HashMap, HashSet};

/// A 903 header with no children: every table that refers to header.CHILD would fail on every
/// row. Said once, as the cause; returns the tables so explained, whose references are not
/// reported again.
pub(super) fn empty_header(loaded: &[Loaded], problems: &mut Problems) -> HashSet<String> {
    let mut explained = HashSet::new();
    for (t, paths) in loaded {
        if t.name == "header"
            && t.num_rows() == 0
            && let Some((path, _)) = paths.first()
        {
            problems.push_file(path, "at least one child in the SSDA903 header, but the file is empty: a header row and no children (so every table that refers to header.CHILD would fail on every row)".into());
            explained.insert(t.name.clone());
        }
    }
    explained
}

/// Checks the references of every loaded table but those `checked` already passed (taken
/// from the cache, or streamed: each checked its references against these very files).
pub(super) fn check(
    op: &Opening,
    loaded: &[Loaded],
    checked: impl Fn(&str) -> bool,
    explained: &HashSet<String>,
    problems: &mut Problems,
) {
    let checking: Vec<&str> = loaded
        .iter()
        .map(|(t, _)| t.name.as_str())
        .filter(|n| !checked(n))
        .collect();
    let targets = reference_targets(op.contract, loaded, &checking);
    for (t, paths) in loaded.iter().filter(|(t, _)| !checked(&t.name)) {
        if let (Some(table), Some((path, _))) = (op.contract.table(&t.name), paths.first()) {
            checks::check_references(table, t, path, &targets, explained, problems);
        }
    }
}

/// The values each reference of the `checking` tables must find: each target table's column's
/// distinct values, from the tables loaded so far.
pub(super) fn reference_targets(
    contract: &Contract,
    loaded: &[Loaded],
    checking: &[&str],
) -> HashMap<(String, String), HashSet<String>> {
    let mut wanted: Vec<(&str, &str)> = contract
        .tables
        .iter()
        .filter(|t| checking.contains(&t.name))
        .flat_map(|t| t.references.iter().flat_map(|r| r.targets.iter().copied()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut out = HashMap::new();
    for (tt, tc) in wanted {
        if let Some((t, _)) = loaded.iter().find(|(t, _)| t.name == tt) {
            let values = checks::distinct_values(t, tc);
            out.insert((tt.to_string(), tc.to_string()), values);
        }
    }
    out
}
