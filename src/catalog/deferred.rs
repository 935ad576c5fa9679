//! The fifth step of an open: the deferred tables not taken from the cache stream through
//! their checks into it, once every other table (so every table their references point
//! into) has passed its own.

use super::error::Problems;
use super::hashing::Hashed;
use super::load::{Loads, load_table};
use super::locate::Located;
use super::plan::Plan;
use super::references::reference_targets;
use super::{Opening, stream};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Each table that streamed, with the first and last date it holds.
pub(super) type Streamed = HashMap<String, Option<(NaiveDate, NaiveDate)>>;

/// Streams each deferred table into the cache; one the cache has no room for is held and
/// checked as any other. Streamed and held tables join `loads`.
pub(super) fn stream_deferred(
    op: &Opening,
    hashed: &Hashed,
    plan: &Plan,
    explained: &HashSet<String>,
    loads: &mut Loads,
    problems: &mut Problems,
) -> Streamed {
    let mut streamed = Streamed::new();
    let Some(c) = op.cache else {
        return streamed;
    };
    for table in &op.contract.tables {
        let Some((path, key)) = plan.deferred.get(table.name) else {
            continue;
        };
        if loads.loaded.iter().any(|(t, _)| t.name == table.name) {
            continue;
        }
        let targets = reference_targets(op.contract, &loads.loaded, &[table.name]);
        let source = op.sources.of(table.name);
        let cx = stream::StreamContext {
            contract: op.contract,
            options: &source.options,
            today: op.today,
            targets: &targets,
            explained,
            cache: c,
        };
        match stream::stream_table(&cx, table, path, key, problems) {
            stream::Outcome::Streamed(s) => {
                // Checked as it was when hashed, or not kept for the next run.
                if !hashed.file_unchanged(path) {
                    stream::forget(&s.table);
                }
                streamed.insert(table.name.to_string(), s.span);
                if let Some(file) = &s.table.stored {
                    let read = (file.clone(), s.sha256.clone());
                    loads.read_from.insert(table.name.to_string(), read);
                }
                loads.loaded.push((s.table, vec![(path.clone(), s.rows)]));
            }
            stream::Outcome::Failed => {}
            stream::Outcome::NoRoom(why) => {
                problems.note(format!(
                    "{}: no room to check it as it streams into the cache ({why}): held in memory instead",
                    path.display()
                ));
                let location = Ok(Located::One(path.clone()));
                let mut p = Problems::default();
                if let Some(t) = load_table(op, table, location, &mut p) {
                    loads.loaded.push(t);
                }
                problems.absorb(p);
            }
        }
    }
    streamed
}
