//! Personal education plans, termly, and the PP+ requests made from their targets.

use super::{INTERVENTIONS, TARGETS, in_care, school_on};
use crate::contract::Term;
use crate::row;
use crate::sample::World;
use crate::sample::draw::{chance, pick};
use crate::sample::life::{Life, age_on};
use crate::sample::{Rows, SampleError};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn due_date(term: Term) -> NaiveDate {
    term.first_day() + Duration::days(45)
}

/// Termly PEPs for looked-after children aged 3 to 17; Team East's are more often late.
pub(super) fn peps(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    term: Term,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let due = due_date(term);
    if !in_care(life, due) || !(3..=17).contains(&age_on(life.dob, due)) {
        return Ok(());
    }
    let on_time = chance(rng, if life.team == "Team East" { 0.62 } else { 0.85 });
    let completed = if on_time {
        Some(due - Duration::days(rng.random_range(0..14)))
    } else if chance(rng, 0.9) {
        Some(due + Duration::days(rng.random_range(1..40)))
    } else {
        None
    };
    let held =
        completed.map(|c| (c - Duration::days(rng.random_range(0..10))).max(term.first_day()));
    let qa = completed.map(|_| {
        if on_time {
            pick(rng, &[("green", 70.0), ("amber", 22.0), ("red", 8.0)])
        } else {
            pick(rng, &[("green", 45.0), ("amber", 35.0), ("red", 20.0)])
        }
    });
    let urn = school_on(life, due).map(|s| world.schools[s].urn.as_str());
    let voice = chance(rng, if age_on(life.dob, due) < 6 { 0.4 } else { 0.85 });
    out.put(
        "peps",
        row![
            life.id.as_str(),
            term.to_string(),
            urn,
            due,
            held,
            completed,
            qa,
            life.team,
            chance(rng, 0.9),
            voice
        ],
    )?;
    Ok(())
}

/// PP+ requests for looked-after children of school age; approved tuition is remembered.
pub(super) fn pp_plus(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    term: Term,
    age31: i32,
    tuition_terms: &mut Vec<i32>,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let due = due_date(term);
    if !in_care(life, due) || !(4..=15).contains(&age31) {
        return Ok(());
    }
    let Some(school) = school_on(life, due) else {
        return Ok(());
    };
    let p = 0.35 + if life.ability < 0.0 { 0.15 } else { 0.0 };
    if !chance(rng, p) {
        return Ok(());
    }
    let n = if chance(rng, 0.2) { 2 } else { 1 };
    for k in 1..=n {
        let (name, tier, lo, hi) = pick(rng, INTERVENTIONS);
        let amount = f64::from(rng.random_range(lo / 10..=hi / 10) * 10);
        let approved = chance(rng, 0.9);
        let target = chance(rng, 0.85).then(|| TARGETS[rng.random_range(0..TARGETS.len())]);
        if approved && name == "tuition" {
            tuition_terms.push(term.ordinal());
        }
        out.put(
            "pp_plus",
            row![
                format!("{}-{}-{k}", life.id, term),
                life.id.as_str(),
                world.schools[school].urn.as_str(),
                term.to_string(),
                amount,
                tier,
                name,
                target,
                if approved { "approved" } else { "declined" }
            ],
        )?;
    }
    Ok(())
}
