//! Suspensions and attendance marks: the sessions a child is expected in school, the
//! absences drawn for them and the days lost to suspension.

use super::{REASONS, YearState, followed_on, moves_in_year_before, new_codes, school_on, semh};
use crate::contract::{AcademicYear, Term};
use crate::row;
use crate::sample::World;
use crate::sample::draw::{chance, normal, normal_cdf, pick, poisson};
use crate::sample::life::Life;
use crate::sample::{Rows, SampleError};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// Suspensions in the year; returns the school days the child is suspended (marked `E`).
pub(super) fn suspensions(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    year: AcademicYear,
    age31: i32,
    sen: &str,
    out: &mut dyn Rows,
) -> Result<BTreeSet<NaiveDate>, SampleError> {
    let mut suspended = BTreeSet::new();
    if !(5..=15).contains(&age31) {
        return Ok(suspended);
    }
    let days = world.days_of(year);
    let enrolled: Vec<(NaiveDate, usize)> = days
        .iter()
        .filter(|&&d| followed_on(life, d))
        .filter_map(|&d| school_on(life, d).map(|s| (d, s)))
        .collect();
    if enrolled.is_empty() {
        return Ok(suspended);
    }
    let share = enrolled.len() as f64 / days.len().max(1) as f64;
    let rate = 0.045
        * share
        * (0.9 * life.behaviour
            + 0.8 * semh(life)
            + 0.5 * f64::from(u8::from(age31 >= 11))
            + 0.3 * f64::from(u8::from(life.move_rate > 1.0))
            + 0.2 * f64::from(u8::from(sen == "E")))
        .exp();
    let mut starts: Vec<usize> = (0..poisson(rng, rate))
        .map(|_| rng.random_range(0..enrolled.len()))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for i in starts {
        let (date, school) = enrolled[i];
        let kind = if age31 >= 11 && chance(rng, 0.01) {
            "permanent"
        } else if chance(rng, 0.08) {
            "lunchtime"
        } else {
            "suspension"
        };
        let days_out = match kind {
            "suspension" => pick(rng, &[(1u32, 40.0), (2, 25.0), (3, 20.0), (5, 15.0)]),
            _ => 0,
        };
        let sessions = match kind {
            "lunchtime" => 1,
            _ => i64::from(days_out) * 2,
        };
        for (d, s) in enrolled.iter().skip(i).take(days_out as usize) {
            if *s == school {
                suspended.insert(*d);
            }
        }
        let r1 = pick(rng, REASONS);
        let r2 = chance(rng, 0.3)
            .then(|| pick(rng, REASONS))
            .filter(|r| *r != r1);
        let r3 = r2.and_then(|r2| {
            chance(rng, 0.3)
                .then(|| pick(rng, REASONS))
                .filter(|r| *r != r1 && *r != r2)
        });
        let urn = world.schools[school].urn.as_str();
        out.put(
            "suspensions",
            row![life.id.as_str(), urn, date, kind, sessions, r1, r2, r3],
        )?;
    }
    Ok(suspended)
}

/// A child's absence rate for a year: a latent propensity pushed by the planted
/// effects, mapped onto the national shape (most low, a fifth persistent, a few severe).
fn absence_rate(life: &Life, year: AcademicYear, age31: i32) -> f64 {
    let s = life.absence
        + 0.35 * semh(life)
        + 0.3 * moves_in_year_before(life, year.first_day())
        + 0.2 * f64::from(u8::from(age31 >= 11))
        + 0.04 * f64::from(year.start - 2022)
        - 0.2;
    let u = normal_cdf(s / 1.1);
    if u > 0.96 {
        0.5 + (u - 0.96) / 0.04 * 0.2
    } else if u > 0.84 {
        0.10 + (u - 0.84) / 0.12 * 0.18
    } else {
        0.005 + (u / 0.84).powi(2) * 0.06
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn attendance(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    year_index: usize,
    term: Term,
    age31: i32,
    suspended: &BTreeSet<NaiveDate>,
    state: &mut YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !(4..=15).contains(&age31) {
        return Ok(());
    }
    let days: Vec<NaiveDate> = world.days[year_index]
        .iter()
        .copied()
        .filter(|&d| d >= term.first_day() && d <= term.last_day())
        .collect();
    let base = absence_rate(life, term.year, age31);
    let term_rate = (base * (0.2 * normal(rng)).exp()).min(0.95);
    // A crisis late in some terms: the child's attendance drops sharply in the last four weeks.
    let crisis_from = if chance(rng, 0.03) {
        days.len().saturating_sub(20)
    } else {
        usize::MAX
    };
    for (i, &d) in days.iter().enumerate() {
        if !followed_on(life, d) {
            continue;
        }
        let Some(school) = school_on(life, d) else {
            continue;
        };
        let urn = world.schools[school].urn.as_str();
        let (am, pm): (&str, &str) = if world.closed(school, d) {
            ("#", "#")
        } else if suspended.contains(&d) {
            ("E", "E")
        } else {
            let mut r = term_rate;
            if i >= crisis_from {
                r += 0.35;
            }
            if life
                .moves
                .iter()
                .any(|&m| d >= m && d < m + Duration::days(15))
            {
                r += 0.25;
            }
            let u: f64 = rng.random();
            if u < r {
                let code = absence_code(rng, d, r);
                (code, code)
            } else if u < r * 1.08 {
                ("/", absence_code(rng, d, r))
            } else if chance(rng, 0.004) {
                let code = if chance(rng, 0.5) { "V" } else { "P" };
                (code, code)
            } else if chance(rng, 0.03) {
                ("L", "\\")
            } else {
                ("/", "\\")
            }
        };
        for (session, mark) in [("AM", am), ("PM", pm)] {
            if mark != "#" {
                state.possible += 1;
                if !matches!(mark, "/" | "\\" | "L" | "V" | "P") {
                    state.absent += 1;
                }
            }
            out.put("attendance", row![life.id.as_str(), urn, d, session, mark])?;
        }
    }
    Ok(())
}

fn absence_code(rng: &mut ChaCha8Rng, d: NaiveDate, r: f64) -> &'static str {
    let unauthorised = chance(rng, if r > 0.1 { 0.45 } else { 0.25 });
    if unauthorised {
        pick(rng, &[("O", 55.0), ("N", 15.0), ("G", 15.0), ("U", 15.0)])
    } else if new_codes(d) {
        pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 15.0),
                ("C", 10.0),
                ("C2", 7.0),
                ("R", 3.0),
            ],
        )
    } else {
        pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 15.0),
                ("C", 15.0),
                ("H", 3.0),
                ("R", 3.0),
            ],
        )
    }
}
