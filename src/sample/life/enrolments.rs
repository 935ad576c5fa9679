//! The schools a child is on the roll of, chosen from the world's schools.

use super::care::followed;
use super::{Enrolment, Life, ymd};
use crate::sample::World;
use crate::sample::draw::chance;
use crate::sample::schools::{Kind, School};
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn choose_school(rng: &mut ChaCha8Rng, world: &World, kind: Kind, avoid: Option<usize>) -> usize {
    let in_authority = chance(rng, 0.65);
    let fits = |s: &School| s.kind == kind && s.in_authority == in_authority;
    let candidates: Vec<usize> = (0..world.schools.len())
        .filter(|&i| fits(&world.schools[i]) && Some(i) != avoid)
        .collect();
    let pool = if candidates.is_empty() {
        (0..world.schools.len())
            .filter(|&i| world.schools[i].kind == kind && Some(i) != avoid)
            .collect()
    } else {
        candidates
    };
    pool.get(rng.random_range(0..pool.len().max(1)))
        .copied()
        .unwrap_or(0)
}

pub(super) fn schools_for(rng: &mut ChaCha8Rng, life: &mut Life, world: &World) {
    if life.short_breaks {
        return;
    }
    let reception = ymd(life.dob.year() + 4 + i32::from(life.dob.month() >= 9), 9, 1);
    let year7 = ymd(reception.year() + 7, 9, 1);
    let left_school = ymd(reception.year() + 12, 7, 31);
    let special = life.sen == "E" && chance(rng, 0.45);
    let kind_on = |d: NaiveDate| {
        if special {
            Kind::Special
        } else if d < year7 {
            Kind::Primary
        } else {
            Kind::Secondary
        }
    };
    for (from, until) in followed(life) {
        let from = from
            .max(reception)
            .max(world.window_start - Duration::days(365));
        let until = until.unwrap_or(world.window_end).min(left_school);
        if from > until {
            continue;
        }
        // Break points: the move to secondary and school moves that follow placement moves.
        let mut breaks: Vec<NaiveDate> = Vec::new();
        if year7 > from && year7 <= until && !special {
            breaks.push(year7);
        }
        for &m in &life.moves {
            if m > from && m < until && chance(rng, 0.3) {
                breaks.push(m);
            }
        }
        let ap_risk = life.behaviour > 1.6 && kind_on(until) == Kind::Secondary;
        breaks.sort();
        breaks.dedup();
        let mut start = from;
        let mut school = choose_school(rng, world, kind_on(start), None);
        for b in breaks
            .into_iter()
            .chain(std::iter::once(until + Duration::days(1)))
        {
            let end = b - Duration::days(1);
            if end >= start {
                life.enrolments.push(Enrolment {
                    school,
                    start,
                    end: Some(end),
                });
            }
            // A gap out of school after some moves: children missing education.
            let gap = if chance(rng, 0.1) {
                rng.random_range(20..60)
            } else {
                0
            };
            start = b + Duration::days(gap);
            let next_kind = if ap_risk && chance(rng, 0.5) {
                Kind::Alternative
            } else {
                kind_on(start)
            };
            school = choose_school(rng, world, next_kind, Some(school));
        }
        if let Some(last) = life.enrolments.last_mut()
            && last.end == Some(world.window_end)
        {
            last.end = None;
        }
    }
}
