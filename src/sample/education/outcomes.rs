//! The SSDA903 outcome tables (OC2 for the 12-month cohort, OC3 for care leavers) and
//! post-16 activity.

use super::{COLLEGES, YearState, in_care, semh, sen_effect, ymd};
use crate::contract::{AcademicYear, Term};
use crate::row;
use crate::sample::draw::{chance, logistic, pick};
use crate::sample::life::{Life, Population, age_on, birthday};
use crate::sample::writer::Cell;
use crate::sample::{Rows, SampleError};
use chrono::{Datelike, Duration};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One outcome row: the child's id, the collection year and date of birth, which start
/// both OC2 and OC3, then the table's own fields.
fn put_outcome(
    out: &mut dyn Rows,
    table: &'static str,
    life: &Life,
    collection: i32,
    fields: Vec<Cell>,
) -> Result<(), SampleError> {
    let mut row = row![life.id.as_str(), i64::from(collection), life.dob];
    row.extend(fields);
    out.put(table, row)
}

/// OC2 rows: looked after continuously for the 12 months to 31 March.
pub(super) fn oc2(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    state: &YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let collection = year.start + 1;
    let march = ymd(collection, 3, 31);
    let twelve = life
        .spells
        .iter()
        .any(|&(s, e)| s <= ymd(collection - 1, 4, 1) && e.is_none_or(|e| e > march));
    if life.short_breaks || !twelve {
        return Ok(());
    }
    let age = age_on(life.dob, march);
    let (score, reason) = if (4..=16).contains(&age) {
        match state.sdq {
            Some(s) => (Some(s), None),
            None => (None, Some("SDQ4")),
        }
    } else {
        (None, Some("SDQ1"))
    };
    let older = age >= 10;
    let misuse = older && chance(rng, 0.04);
    let flag = |rng: &mut ChaCha8Rng, p: f64| i64::from(chance(rng, p));
    let convicted = older.then(|| flag(rng, 0.03));
    put_outcome(
        out,
        "oc2",
        life,
        collection,
        row![
            score,
            reason,
            convicted,
            flag(rng, 0.9),
            flag(rng, 0.85),
            flag(rng, 0.85),
            flag(rng, 0.88),
            older.then_some(i64::from(misuse)),
            misuse.then(|| flag(rng, 0.6)),
            misuse.then(|| flag(rng, 0.8))
        ],
    )?;
    Ok(())
}

fn neet_probability(life: &Life, sen: &str, age: i32, tendency: f64) -> f64 {
    logistic(
        -0.3 + 0.6 * tendency - 0.5 * (life.ability - 0.5 * sen_effect(sen))
            + 0.5 * semh(life)
            + 0.15 * f64::from(age - 19),
    )
}

pub(super) fn activity(rng: &mut ChaCha8Rng, neet: bool) -> &'static str {
    if neet {
        pick(rng, &[("G5", 60.0), ("G6", 20.0), ("G4", 20.0)])
    } else {
        pick(
            rng,
            &[
                ("F2", 25.0),
                ("F5", 25.0),
                ("P5", 15.0),
                ("F1", 15.0),
                ("F4", 10.0),
                ("P2", 10.0),
            ],
        )
    }
}

/// OC3 rows for care leavers around their 18th to 21st birthdays. Lower attainment and
/// SEMH needs are planted to go with being NEET.
pub(super) fn oc3(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    sen: &str,
    tendency: f64,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !life.care_leaver {
        return Ok(());
    }
    let collection = year.start + 1;
    let birthday_year = if life.dob.month() >= 4 {
        collection - 1
    } else {
        collection
    };
    let age = birthday_year - life.dob.year();
    if !(18..=21).contains(&age) || birthday(life.dob, age) > ymd(collection, 3, 31) {
        return Ok(());
    }
    let in_touch = pick(
        rng,
        &[("YES", 88.0), ("NO", 5.0), ("REFU", 4.0), ("NREQ", 3.0)],
    );
    let (activ, accom) = if in_touch == "YES" {
        let neet = chance(rng, neet_probability(life, sen, age, tendency));
        let accom_kind = pick(
            rng,
            &[
                ("B", 10.0),
                ("C", 10.0),
                ("E", 15.0),
                ("G", 20.0),
                ("H", 10.0),
                ("K", 15.0),
                ("R", 5.0),
                ("S", 5.0),
                ("T", 5.0),
                ("U", 5.0),
            ],
        );
        let suffix = if chance(rng, 0.88) { "1" } else { "2" };
        let accom = match (accom_kind, suffix) {
            ("H", _) => "H1".to_string(),
            (k, s) => format!("{k}{s}"),
        };
        (Some(activity(rng, neet)), Some(accom))
    } else {
        (None, None)
    };
    put_outcome(out, "oc3", life, collection, row![in_touch, activ, accom])?;
    Ok(())
}

/// Termly post-16 activity for young people in care aged 16-17 and care leavers to 21.
pub(super) fn post16(
    rng: &mut ChaCha8Rng,
    life: &Life,
    term: Term,
    age31: i32,
    tendency: f64,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !(16..=21).contains(&age31) || life.population != Population::Cla || life.short_breaks {
        return Ok(());
    }
    let mid = term.first_day() + Duration::days(30);
    let left = life.care_leaver && birthday(life.dob, 18) <= mid;
    if !(in_care(life, mid) || left) {
        return Ok(());
    }
    let age = age_on(life.dob, mid);
    let p = if in_care(life, mid) {
        0.18 + 0.1 * f64::from(u8::from(tendency > 1.0))
    } else {
        neet_probability(life, life.sen, age.max(18), tendency)
    };
    let neet = chance(rng, p);
    let activ = if !neet && age < 18 {
        pick(rng, &[("F2", 80.0), ("F4", 10.0), ("F5", 10.0)])
    } else {
        activity(rng, neet)
    };
    let provider = (!neet).then(|| COLLEGES[rng.random_range(0..COLLEGES.len())]);
    out.put(
        "post16",
        row![life.id.as_str(), term.to_string(), activ, provider],
    )?;
    Ok(())
}
